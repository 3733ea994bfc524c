"""The docs name files that exist: every link and every file or folder path in backticks.

A newcomer follows ``docs/ARCHITECTURE.md`` to ``project/state.py`` or ``docs/decisions/tui.md``; a
module that moved or a note that was removed must take its mentions with it.  A path is looked up from
the repository root, then from the package (the docs write ``project/state.py`` for
``ses_workbench/project/state.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_LINK = re.compile(r"\]\(([^)#\s]+)\)")
_CODE = re.compile(r"`([^`\s]+)`")
_PATH = re.compile(r"^[\w.-]+(/[\w.-]+)*(\.(py|md|toml|ipynb|tcss|json)|/)$")
# Paths the docs mention inside a user's project or state folder, not in this repository.
_ELSEWHERE = re.compile(r"^(\.ses-workbench/|local-ses/|data/|_layouts/|backups/|conflicts/|reports/|"
                        r"calibration/|trash/|tmp/|journal/|scratch/|preview/|subject\.txt|body\.|"
                        r"template\.toml|ses-workbench\.toml|state\.json|calibration\.json|store\.db|"
                        r"events\.jsonl|default\.json|rows\.|out\.html)")


def _mentions(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code blocks are examples, not references
    links = [link for link in _LINK.findall(text) if "://" not in link]
    code = [c for c in _CODE.findall(text) if _PATH.match(c) and not _ELSEWHERE.match(c)]
    return links + code


def _exists(mention: str, doc: Path) -> bool:
    bases = (doc.parent, ROOT, ROOT / "ses_workbench")
    return any((base / mention).exists() for base in bases)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_a_doc_names_exists(doc: Path) -> None:
    missing = [m for m in _mentions(doc) if not _exists(m, doc)]
    assert missing == [], f"{doc.relative_to(ROOT)} names files that do not exist"


def test_docs_hold_no_work_diaries() -> None:
    # Acceptance audits and work notes are history (git keeps them); decisions live in docs/decisions/.
    diaries = sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name.startswith(("AUDIT-", "NOTES-")))
    assert diaries == []
