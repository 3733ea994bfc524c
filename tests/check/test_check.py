"""Batch check: verdicts, locations, capped failures with exact counts, formats, CLI."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.check import check_file, check_rows
from ses_workbench.cli import main
from ses_workbench.project import Project
from ses_workbench.render import compile_content
from tests.check.check_helpers import HTML, good_row


def compiled_for(root: Path, name: str = "greet") -> Any:
    tpl = Project.load(root).get(name)
    return tpl, compile_content(tpl.compose())


def test_all_good_rows_pass(project_dir: Path) -> None:
    tpl, compiled = compiled_for(project_dir)
    report = check_rows(compiled, [good_row(i) for i in range(100)], template=tpl)
    assert (report.rows, report.ok, report.failing) == (100, 100, 0)
    assert report.passed and report.failures == []


def test_failures_name_row_attribute_and_location(project_dir: Path) -> None:
    tpl, compiled = compiled_for(project_dir)
    rows = [good_row(i) for i in range(10)]
    rows[2]["vip"] = True
    del rows[2]["code"]                       # required: #if vip is true
    rows[3]["vip"] = False
    del rows[3]["code"]                       # not required: inside a false #if
    rows[5]["items"][0]["qty"] = None         # null is missing in SES
    rows[7]["items"] = []                     # empty #each: nothing inside is required
    del rows[8]["contact"]["email"]           # only the text part needs it
    report = check_rows(compiled, rows, template=tpl)
    assert (report.rows, report.ok, report.failing) == (10, 7, 3)
    got = {f.row: f for f in report.failures}
    assert sorted(got) == [3, 6, 9]            # 1-based row numbers
    assert got[3].reason == "missing-attribute" and got[3].part == "html"
    assert "code" in (got[3].attribute or "")
    assert got[3].message.startswith("Attribute '")
    assert got[3].message.endswith("is not present in the rendering data.")
    # the location points at the tag in the template file
    line = HTML.splitlines()[got[3].line - 1]
    assert line[got[3].column - 1:].startswith("{{code}}")
    assert got[3].location == f"html:{got[3].line}:{got[3].column}"
    assert got[6].part == "html" and "qty" in (got[6].attribute or "")
    assert got[6].data_path == "items[].qty"  # where in the data, not only SES's attribute name
    assert got[9].part == "text" and "email" in (got[9].attribute or "")
    assert sum(report.by_reason.values()) == 3


@pytest.mark.parametrize("fast", [True, False])
def test_failures_are_capped_counts_exact(project_dir: Path, fast: bool) -> None:
    tpl, compiled = compiled_for(project_dir)
    rows = []
    for i in range(5000):
        row = good_row(i)
        if i % 5 == 0:
            del row["contact"]["firstName"]
        rows.append(row)
    report = check_rows(compiled, rows, template=tpl, max_failures=100, fast=fast)
    assert (report.rows, report.failing, report.ok) == (5000, 1000, 4000)
    assert len(report.failures) == 100 and report.truncated
    assert [f.row for f in report.failures] == [1 + 5 * k for k in range(100)]
    assert list(report.by_reason.values()) == [1000]
    d = report.to_dict()
    assert d["failing"] == 1000 and len(d["failures"]) == 100 and d["failures_truncated"] is True
    if fast:
        assert report.rendered < 200   # verdicts reused for identical shapes


def test_fast_path_matches_render_on_mixed_rows(project_dir: Path) -> None:
    tpl, compiled = compiled_for(project_dir)
    rows: list[Any] = []
    for i in range(3000):
        row = good_row(i)
        k = i % 7
        if k == 1:
            row["vip"] = True
            row.pop("code")
        elif k == 2:
            row["items"] = [{"name": "a", "qty": 1}, {"name": "b"}]
        elif k == 3:
            row["contact"] = None
        elif k == 4:
            row["vip"] = ""
            row.pop("code")
        elif k == 5:
            row = [row]  # not an object
        rows.append(row)
    fast = check_rows(compiled, rows, template=tpl)
    slow = check_rows(compiled, rows, template=tpl, fast=False)
    assert fast.failing == slow.failing and fast.by_reason == slow.by_reason
    assert [f.to_dict() for f in fast.failures] == [f.to_dict() for f in slow.failures]
    assert fast.rendered < slow.rendered


def _write_all_formats(tmp: Path, rows: list[dict]) -> dict[str, Path]:
    paths = {"jsonl": tmp / "rows.jsonl", "json": tmp / "rows.json", "csv": tmp / "rows.csv"}
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in rows))
    paths["json"].write_text(json.dumps(rows, indent=2))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["contact.firstName", "contact.email", "vip", "code"])
    for r in rows:
        c = r["contact"]
        w.writerow([c.get("firstName", ""), c.get("email", ""), "yes" if r["vip"] else "", r.get("code", "")])
    paths["csv"].write_text(buf.getvalue())
    return paths


def test_same_verdicts_from_every_format(project_dir: Path, tmp_path: Path) -> None:
    tpl = Project.load(project_dir).get("greet")
    rows = [{"contact": {"firstName": f"n{i}", "email": "e"}, "vip": i % 3 == 0, "code": f"c{i}", "items": []}
            for i in range(30)]
    for i in (4, 9, 27):
        del rows[i]["contact"]["firstName"]
    paths = _write_all_formats(tmp_path, rows)
    reports = {fmt: check_file(tpl, p) for fmt, p in paths.items()}
    assert [f.row for f in reports["jsonl"].failures] == [5, 10, 28]
    def same(f: Any) -> Any:
        return {k: v for k, v in f.to_dict().items() if k != "data_line"}  # lines differ by format

    assert [same(f) for f in reports["json"].failures] == [same(f) for f in reports["jsonl"].failures]
    # CSV: an empty cell is "" — present, as in SES — so the CSV rows all pass ...
    assert (reports["csv"].rows, reports["csv"].failing) == (30, 0)
    # ... unless empty cells are declared missing
    csv_missing = check_file(tpl, paths["csv"], empty_cells="missing")
    assert [f.row for f in csv_missing.failures] == [5, 10, 28]
    assert [f.location for f in csv_missing.failures] == [f.location for f in reports["jsonl"].failures]


def test_csv_empty_cells_present_or_missing(project_dir: Path, tmp_path: Path) -> None:
    tpl = Project.load(project_dir).get("greet")
    path = tmp_path / "rows.csv"
    path.write_text("contact.firstName,contact.email,vip,code\nAnn,a@x,,\n,b@x,yes,C1\nCid,c@x,yes,\n")
    present = check_file(tpl, path)
    # row 1: vip "" is falsy, code not needed; row 2: firstName "" is present;
    # row 3: vip "yes", code "" is present
    assert (present.rows, present.failing) == (3, 0)
    missing = check_file(tpl, path, empty_cells="missing")
    assert [f.row for f in missing.failures] == [2, 3]
    assert missing.failures[0].data_line == 3


def test_invalid_rows_are_failures(project_dir: Path, tmp_path: Path) -> None:
    tpl = Project.load(project_dir).get("greet")
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(good_row()) + "\n{broken\n" + json.dumps(good_row()) + "\n")
    report = check_file(tpl, path)
    assert (report.rows, report.ok, report.failing) == (3, 2, 1)
    assert report.failures[0].row == 2 and report.failures[0].reason == "invalid-data"
    assert report.by_reason == {"invalid-data": 1}


# ------------------------------------------------------------------------------------------- CLI
def test_cli_exit_codes_and_json(project_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(good_row(i)) + "\n" for i in range(20)))
    assert main(["check", "greet", "--data", str(good), "--dir", str(project_dir)]) == 0
    out = capsys.readouterr().out
    assert "20 rows" in out and "20 ok, 0 failing" in out

    rows = [good_row(i) for i in range(20)]
    del rows[11]["contact"]["firstName"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(rows))
    assert main(["check", "greet", "--data", str(bad), "--dir", str(project_dir), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["rows"], doc["ok"], doc["failing"]) == (20, 19, 1)
    f = doc["failures"][0]
    assert f["row"] == 12 and "firstName" in f["attribute"] and f["location"].startswith("subject:1:")

    assert main(["check", "greet", "--data", str(bad), "--dir", str(project_dir)]) == 1
    text = capsys.readouterr().out
    assert "row 12" in text and "subject:1:" in text


def test_cli_usage_errors_exit_2(project_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "greet", "--data", str(tmp_path / "nope.jsonl"), "--dir", str(project_dir)]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "greet", "--dir", str(project_dir)])  # --data is required
    assert exc.value.code == 2
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(good_row()) + "\n")
    assert main(["check", "nosuch", "--data", str(good), "--dir", str(project_dir)]) == 2
    capsys.readouterr()


def test_cli_progress_bar_only_on_a_tty(project_dir: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(good_row(i)) + "\n" for i in range(50)))
    assert main(["check", "greet", "--data", str(good), "--dir", str(project_dir)]) == 0
    assert "rows/s" not in capsys.readouterr().err  # stderr is not a terminal here


def test_rows_given_as_plain_dicts_are_numbered(project_dir: Path) -> None:
    tpl, compiled = compiled_for(project_dir)
    rows = [copy.deepcopy(good_row(i)) for i in range(3)]
    rows[1]["contact"] = {}
    report = check_rows(compiled, iter(rows), template=tpl)
    assert [f.row for f in report.failures] == [2]


@pytest.mark.timeout(300)
def test_cli_via_ses_confirms_sampled_rows(project_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (project_dir / "ses-workbench.toml").write_text("[local_ses]\ntemplate_ops_per_second = 50\n")
    rows = [good_row(i) for i in range(40)]
    del rows[5]["contact"]["firstName"]
    rows[9]["vip"] = True
    del rows[9]["code"]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code = main(["check", "greet", "--data", str(data), "--dir", str(project_dir), "--format", "json",
                 "--via-ses", "6", "--local"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["failing"] == 2
    via = doc["via_ses"]
    assert via["sampled"] == 6 and via["agree"] == 6 and via["disagree"] == 0
    sampled = {r["row"]: r for r in via["rows"]}
    assert {6, 10} <= set(sampled)          # both failing rows are among the samples
    assert "is not present in the rendering data." in sampled[6]["ses"]
    # the scratch template was deleted again
    from ses_workbench.project import Project
    from ses_workbench.session.environment import open_environment

    with open_environment(Project.load(project_dir), None, True) as (client, _server):
        assert [t.name for t in client.list_templates(include_scratch=True)] == []


def test_fast_path_off_where_the_shape_cannot_decide() -> None:
    from ses_workbench.project import TemplateContent

    compiled = compile_content(TemplateContent("s", "{{lookup names key}}", None))
    rows = [{"names": {"a": "x"}, "key": "a"}, {"names": {"a": "x"}, "key": "b"}] * 5
    report = check_rows(compiled, rows)
    assert report.fast_path.startswith("off") and "lookup" in report.fast_path
    assert report.rendered == 10
    # a text that merely says "lookup" keeps the fast path on
    plain = compile_content(TemplateContent("DNS lookup for {{host}}", "<p>lookup</p>", None))
    assert check_rows(plain, [{"host": "h"}] * 10).fast_path == "on"


def test_cli_progress_bar_on_a_terminal(project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from ses_workbench import check as check_mod

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    real = check_mod.check_rows

    def small_steps(*args: Any, **kw: Any) -> Any:
        kw["progress_every"] = 10
        return real(*args, **kw)

    monkeypatch.setattr(check_mod, "check_rows", small_steps)
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(good_row(i)) + "\n" for i in range(100)))
    assert main(["check", "greet", "--data", str(good), "--dir", str(project_dir)]) == 0
    err = fake.getvalue()
    assert "\r[" in err and "100%" in err and "rows/s" in err and err.endswith("\n")
    assert "100 rows" in capsys.readouterr().out
    # JSON output never draws a bar
    fake.seek(0)
    fake.truncate()
    assert main(["check", "greet", "--data", str(good), "--dir", str(project_dir), "--format", "json"]) == 0
    assert fake.getvalue() == ""


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_cli_reads_stdin(project_dir: Path, fmt: str) -> None:
    import subprocess
    import sys

    rows = [good_row(i) for i in range(30)]
    del rows[20]["contact"]["firstName"]
    if fmt == "jsonl":
        blob = "".join(json.dumps(r) + "\n" for r in rows)
    elif fmt == "json":
        blob = json.dumps(rows)
    else:
        blob = "contact.firstName,contact.email\n" + "".join(
            f"{r['contact'].get('firstName', '')},{r['contact']['email']}\n" for r in rows)
    extra = ["--empty-cells", "missing"] if fmt == "csv" else []
    proc = subprocess.run(
        [sys.executable, "-m", "ses_workbench", "check", "greet", "--data", "-", "--dir", str(project_dir),
         "--format", "json", *extra], input=blob, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["rows"], doc["failing"]) == (30, 1) and doc["failures"][0]["row"] == 21
    assert doc["source"] == "<stdin>"


def test_fast_path_off_for_dialects_the_shape_does_not_model() -> None:
    from dataclasses import replace

    from ses_workbench.engine import DEFAULT_DIALECT
    from ses_workbench.project import TemplateContent

    content = TemplateContent("s", "{{#each items}}{{shop}}{{/each}}", None)
    for change in ({"parent_scope_lookup": True}, {"each_object_order": "sorted"}):
        try:
            dialect = replace(DEFAULT_DIALECT, **change)
            compiled = compile_content(content, dialect)
        except (TypeError, ValueError):
            continue  # the engine does not offer this setting
        report = check_rows(compiled, [{"items": [{}], "shop": "x"}] * 3)
        assert report.fast_path.startswith("off"), change


def test_by_reason_stays_bounded_counts_exact() -> None:
    """Reasons are keyed by template location, but a render error's text may carry data: the
    report must not grow with the input even then (new keys beyond the cap go to one bucket)."""
    from ses_workbench.check import MAX_REASONS, OTHER_REASONS, CheckReport, Failure

    report = CheckReport("t", max_failures=10)
    n = MAX_REASONS + 500
    for i in range(n):
        report.add(Failure(i + 1, "render-error", f"Rendering failed: value {i}.", part="html", line=1))
    report.add(Failure(n + 1, "render-error", "Rendering failed: value 0.", part="html", line=1))
    assert report.failing == n + 1 and sum(report.by_reason.values()) == n + 1
    assert len(report.by_reason) == MAX_REASONS + 1
    assert report.by_reason[OTHER_REASONS] == 500
    assert report.by_reason["Rendering failed: value 0. (html:1)"] == 2  # known keys keep counting
    assert len(report.failures) == 10


@pytest.mark.timeout(120)
def test_cli_via_ses_is_paced_by_the_template_rate(project_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """TestRenderEmailTemplate calls go through the client's template bucket: at most the configured
    rate (1/s on SES; 5/s here to keep the test short), one at a time."""
    import time

    from ses_workbench.ses.client import SesClient

    (project_dir / "ses-workbench.toml").write_text("[local_ses]\ntemplate_ops_per_second = 5\n")
    # (operation, when its bucket let it go): the bucket's own clock reading plus the wait it asked for,
    # so a late wake-up from that wait (a loaded machine) cannot shorten the gap to the next call
    calls: list[tuple[str, float]] = []
    real = SesClient._call

    def spy(self: SesClient, operation: str, **kw: Any) -> Any:
        bucket = kw.get("bucket") or self.template_bucket
        real_acquire, real_clock = bucket.acquire, bucket._clock
        reads: list[float] = []

        def clock() -> float:
            reads.append(real_clock())
            return reads[-1]

        def acquire(n: float = 1.0) -> float:
            reads.clear()
            waited = real_acquire(n)
            calls.append((operation, reads[-1] + waited if reads else time.monotonic()))
            return waited

        monkeypatch.setattr(bucket, "acquire", acquire)
        monkeypatch.setattr(bucket, "_clock", clock)
        try:
            return real(self, operation, **kw)
        finally:
            monkeypatch.setattr(bucket, "acquire", real_acquire)
            monkeypatch.setattr(bucket, "_clock", real_clock)

    monkeypatch.setattr(SesClient, "_call", spy)
    rows = [good_row(i) for i in range(30)]
    del rows[3]["contact"]["firstName"]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code = main(["check", "greet", "--data", str(data), "--dir", str(project_dir), "--via-ses", "5",
                 "--local"])
    out = capsys.readouterr().out
    assert code == 1 and "via SES: 5 rows rendered by TestRenderEmailTemplate: 5 agree" in out
    assert [op for op, _ in calls].count("TestRenderEmailTemplate") == 5
    paced = [t for op, t in calls if op != "GetAccount"]  # template operations share one bucket
    gaps = [b - a for a, b in zip(paced, paced[1:], strict=False)]
    # one call per 1/rate (burst 1)
    assert len(gaps) >= 5 and paced[-1] - paced[0] >= 0.9 * len(gaps) / 5, gaps
    assert min(gaps) > 0.5 / 5, gaps


def test_cli_via_ses_errors_leave_the_check_unconfirmed(project_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Every row passes locally, but SES could not be asked about one sampled row: exit 1, not 0."""
    import contextlib

    from ses_workbench.ses import remote
    from ses_workbench.ses.errors import SesError

    calls = {"n": 0}

    def remote_error(_data: Any) -> str | None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SesError("Could not connect to the endpoint URL.")
        return None

    @contextlib.contextmanager
    def fake(*_a: Any, **_kw: Any) -> Any:
        yield remote_error

    monkeypatch.setattr(remote, "remote_error_for_data", fake)
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(good_row(i)) + "\n" for i in range(10)))
    args = ["check", "greet", "--data", str(data), "--dir", str(project_dir), "--via-ses", "3"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "10 ok, 0 failing" in out and "2 agree, 0 disagree, 1 error" in out
    calls["n"] = 10  # SES answers every row now
    assert main(args) == 0
    capsys.readouterr()
