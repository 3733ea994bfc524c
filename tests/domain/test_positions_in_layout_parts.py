"""``file:line:col`` points at the source a person edits, also when jinja2 comes earlier on the line: lint
and check give the column of the Handlebars tag in the part file, not in the composed text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project.layouts import map_column


def test_lint_column_after_a_layout_variable(samples_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subject = samples_copy / "welcome" / "subject.txt"
    subject.write_text("Welcome to [[ brand.name ]], {{firstName}} {{lastName}}!")
    assert main(["lint", "welcome", "--dir", str(samples_copy)]) == 1
    out = capsys.readouterr().out
    column = subject.read_text().index("{{lastName}}") + 1
    assert column == 44
    assert f"{subject}:1:{column}: error: Attribute 'lastName'" in out
    assert ":1:32:" not in out



def test_an_unclosed_tag_after_a_layout_variable_is_reported_where_it_opens(
        samples_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subject = samples_copy / "welcome" / "subject.txt"
    subject.write_text("Welcome to [[ brand.name ]], {{firstName}} {{lastName}!")
    assert main(["lint", "welcome", "--dir", str(samples_copy)]) == 1
    column = subject.read_text().index("{{lastName}") + 1
    assert f"{subject}:1:{column}: error: A '{{{{' tag is never closed" in capsys.readouterr().out

def test_check_columns_in_subject_and_layout_html(samples_copy: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    fixture = json.loads((samples_copy / "welcome" / "data" / "default.json").read_text())
    no_name = {k: v for k, v in fixture.items() if k != "firstName"}
    steps = [{k: v for k, v in step.items() if k != "summary"} for step in fixture["steps"]]
    rows.write_text(json.dumps(no_name) + "\n" + json.dumps({**fixture, "steps": steps}) + "\n")
    assert main(["check", "welcome", "--data", str(rows), "--dir", str(samples_copy)]) == 1
    out = capsys.readouterr().out
    subject = (samples_copy / "welcome" / "subject.txt").read_text()
    assert f"subject:1:{subject.index('{{firstName}}') + 1}" in out
    html_lines = (samples_copy / "welcome" / "body.html").read_text().splitlines()
    [(line, col)] = [(i, ln.index("{{summary}}") + 1)
                     for i, ln in enumerate(html_lines, 1) if "{{summary}}" in ln]
    assert re.search(rf"html:{line}:{col}\b", out), out


@pytest.mark.parametrize(("composed", "source", "column", "expected"), [
    ("Hi Acme, {{a}} {{b}}", "Hi [[ brand ]], {{a}} {{b}}", 16, 23),   # the tag itself
    ("{{a}} x {{a}}", "[[ v ]]{{a}} x {{a}}", 9, 16),                   # the second equal tag
    ("same", "same", 3, 3),                                              # identical line
    ("Acme {{#if x}}", "[[n]] {{#if x}}", 8, 9),                          # inside a tag
    ("nothing alike", "[[ q ]]", 5, 5),                                  # no match: unchanged
])
def test_map_column(composed: str, source: str, column: int, expected: int) -> None:
    assert map_column(composed, source, column) == expected
