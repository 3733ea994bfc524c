"""Rows SES rejects before rendering: TemplateData too long, not an object, a CSV quote left open;
and a template that does not compile, located like lint locates it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.check import check_file, check_rows, iter_rows
from ses_workbench.project import Project
from ses_workbench.render import compile_content
from tests.check.check_helpers import good_row

TOO_LONG = "template-data-too-long"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "ses_workbench", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def greet(project_dir: Path) -> Any:
    return Project.load(project_dir).get("greet")


def test_rows_that_are_not_objects(tmp_path: Path, greet: Any) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("\n".join(["[1, 2]", "42", "null", '"str"', json.dumps(good_row(1)), "false"]) + "\n")
    report = check_file(greet, data)
    assert (report.ok, report.failing) == (1, 5)
    assert [(f.row, f.reason, f.message) for f in report.failures] == [
        (1, "invalid-data", "the row is not a JSON object but an array; TemplateData must be an object"),
        (2, "invalid-data", "the row is not a JSON object but a number; TemplateData must be an object"),
        (3, "invalid-data", "the row is not a JSON object but null; TemplateData must be an object"),
        (4, "invalid-data", "the row is not a JSON object but a string; TemplateData must be an object"),
        (6, "invalid-data", "the row is not a JSON object but a boolean; TemplateData must be an object"),
    ]
    assert not any("is not present" in f.message for f in report.failures)  # the old, misleading verdict


def test_a_json_file_that_is_a_number(tmp_path: Path, greet: Any) -> None:
    data = tmp_path / "rows.json"
    data.write_text("42\n")
    report = check_file(greet, data)
    assert report.rows == 1
    assert report.failures[0].message.startswith("the row is not a JSON object but a number")


def test_plain_rows_in_memory_too(greet: Any) -> None:
    compiled = compile_content(greet.compose())
    big = {**good_row(1), "notes": "n" * 262_144}
    report = check_rows(compiled, [good_row(0), [1], big], template=greet)
    assert [(f.row, f.reason) for f in report.failures] == [(2, "invalid-data"), (3, TOO_LONG)]
    chars = len(json.dumps(big, ensure_ascii=False))
    assert report.failures[1].message == f"TemplateData is {chars:,} characters; SES allows 262,144"


def test_json_array_element_too_long(tmp_path: Path, greet: Any) -> None:
    big = json.dumps({**good_row(1), "pad": "p" * 270_000})
    data = tmp_path / "rows.json"
    data.write_text(f"[\n{json.dumps(good_row(0))},\n{big}\n]\n")
    report = check_file(greet, data)
    assert (report.ok, report.failing) == (1, 1)
    f = report.failures[0]
    assert (f.row, f.data_line, f.reason) == (2, 3, TOO_LONG)
    assert f.message == f"TemplateData is {len(big):,} characters; SES allows 262,144"


def test_csv_row_too_long(tmp_path: Path, greet: Any) -> None:
    data = tmp_path / "rows.csv"
    cell = "c" * 131_070  # under the csv module's field limit, two of them over SES's
    data.write_text(f"contact.firstName,a,b\nAnn,x,y\nBob,{cell},{cell}\n")
    rows = list(iter_rows(data))
    assert rows[0].error is None and rows[1].reason == TOO_LONG
    chars = len(json.dumps({"contact": {"firstName": "Bob"}, "a": cell, "b": cell}))
    assert rows[1].error == f"TemplateData is {chars:,} characters; SES allows 262,144"


def test_csv_quote_left_open_swallows_nothing_silently(tmp_path: Path, greet: Any) -> None:
    lines = ["contact.firstName,contact.email,vip,code,qty"]
    lines += [f"N{i},n{i}@x.com,,C{i},{i}" for i in range(1, 1001)]
    lines[500] = '"Ada,x,y,1,2'  # line 501 of the file: row 500
    data = tmp_path / "rows.csv"
    data.write_text("\n".join(lines) + "\n")
    report = check_file(greet, data)
    assert report.rows == 500 and report.ok == 499
    f = report.failures[-1]
    assert (f.row, f.data_line, f.reason) == (500, 501, "invalid-data")
    assert f.message == "a quoted field is not closed; the rest of the file (501 lines) was read into it"
    out = cli("check", "greet", "--data", str(data), "--dir", str(greet.dir.parent), cwd=tmp_path)
    assert out.returncode == 1
    assert ("row 500 (line 501): a quoted field is not closed; the rest of the file (501 lines) was read"
            " into it") in out.stdout


def test_template_syntax_error_is_located(tmp_path: Path, project_dir: Path) -> None:
    (project_dir / "greet" / "body.html").write_text("<p>Hi</p>\n<p>{{#if vip}}VIP\n")
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps(good_row(1)) + "\n")
    out = cli("check", "greet", "--data", str(data), "--dir", str(project_dir), cwd=project_dir.parent)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("ses-workbench: proj/greet/body.html:2:4: "), out.stderr
    assert out.stderr.rstrip().endswith("[syntax]") and out.stderr.count("\n") == 1


def test_lint_and_the_send_plan_refuse_a_fixture_over_the_limit(tmp_path: Path, project_dir: Path) -> None:
    fixture = {"contact": {"firstName": "Ann", "email": "a@x.com"}, "vip": False, "items": [],
               "notes": "é" * 262_100}
    (project_dir / "greet" / "data" / "big.json").write_text(json.dumps(fixture, ensure_ascii=False))
    chars = len(json.dumps(fixture, ensure_ascii=False))
    message = f"TemplateData is {chars:,} characters; SES allows 262,144"
    lint = cli("lint", "greet", "--dir", str(project_dir), cwd=tmp_path)
    assert lint.returncode == 1
    assert f"big.json:1:1: error: {message} [template-data-too-long]" in lint.stdout
    send = cli("send", "greet", "--local", "--draft", "--fixture", "big", "--from", "qa@example.com",
               "--to", "success@simulator.amazonses.com", "--dry-run", "--dir", str(project_dir),
               cwd=tmp_path)
    assert send.returncode != 0
    assert "fixture 'big' fails lint" in send.stdout + send.stderr and message in send.stdout + send.stderr
