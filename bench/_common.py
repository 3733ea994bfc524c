"""What the benchmark scripts share: their section of RESULTS.md, the machine line, the SES scaffolding.

Each script in ``bench/`` runs on its own (``python bench/NAME.py``, so this folder is on ``sys.path``)
and, with ``--write-results``, replaces only its own ``## ...`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
if str(ROOT) not in sys.path:  # the package, also when it is not installed
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """``x86_64, CPython 3.11.7``: where the figures were measured."""
    return f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"


def measured_by(script: str) -> str:
    """The opening of a section: which command wrote it, and on which (UTC) day."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    return f"Measured by `python bench/{script} --write-results` on {day}"


def replace_section(text: str, title: str, section: str) -> str:
    """``text`` with the section headed ``title`` replaced by ``section`` (or appended); others untouched."""
    section = section.rstrip("\n") + "\n"
    start = text.find(title + "\n")
    if start == -1:
        return text.rstrip("\n") + "\n\n" + section
    before = text[:start].rstrip("\n") + "\n\n" if text[:start].strip() else text[:start]
    nxt = text.find("\n## ", start + len(title))
    if nxt == -1:
        return before + section
    return before + section + "\n" + text[nxt + 1:]


def write_section(title: str, section: str) -> None:
    """Replace (or append) one benchmark's section of bench/RESULTS.md, leaving the others alone."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    RESULTS.write_text(replace_section(text, title, section), encoding="utf-8")


def write_results(title: str, intro: str, table: str, verdicts: list[str], notes: list[str]) -> None:
    """Record one benchmark's usual section: what measured it, the table, the verdicts, then notes."""
    write_section(title, "\n".join([title, "", intro, "", table, "", *[f"- {v}" for v in verdicts], "",
                                     "\n\n".join(notes), ""]))


def finish(title: str, table: str, verdicts: list[str],
           write: Callable[[str, list[str]], None] | None) -> int:
    """Print the table and the verdicts, ``write(table, verdicts)`` when asked; exit 0 when all passed."""
    print(table)
    print("\n".join(verdicts))
    if write is not None:
        write(table, verdicts)
        print(f"wrote section {title!r} of bench/RESULTS.md")
    return 0 if all(v.startswith("PASS") for v in verdicts) else 1


# -- SES benchmarks (send, sync): a throw-away project against the embedded local endpoint ------------------
def make_project(root: Path, config: str, templates: Mapping[str, Mapping[str, str]]) -> Any:
    """A project at ``root`` with ``config`` as its ses-workbench.toml and one folder per template.

    ``templates`` maps a template name to its files: ``subject``, ``html``, ``text`` (the parts) and
    ``data`` (a JSON-able value for ``data/default.json``).
    """
    from ses_workbench.project import Project

    root.mkdir(parents=True)
    (root / "ses-workbench.toml").write_text(config)
    for name, files in templates.items():
        tpl = root / name
        (tpl / "data").mkdir(parents=True)
        (tpl / "subject.txt").write_text(files["subject"])
        (tpl / "body.html").write_text(files["html"])
        (tpl / "body.txt").write_text(files["text"])
        (tpl / "data" / "default.json").write_text(json.dumps(files["data"]))
    return Project.load(root)


@contextmanager
def local_client(project: Any) -> Iterator[Any]:
    """An ``SesClient`` on a fresh embedded endpoint, with every retry off so any throttling surfaces."""
    from ses_workbench.session.environment import open_environment

    # botocore retries off and ours off: any 429 would surface as a failure and be counted.
    with open_environment(project, local=True, max_attempts=1, throttle_retries=0) as (client, _server):
        yield client
