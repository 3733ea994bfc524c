"""``ses-workbench check`` as a user runs it: the installed command, a copy of sample_templates,
data files in each format, exit codes, one-line errors, and a 1,000,000-row JSON Lines file checked in
bounded memory with a progress bar on a real terminal (a pty)."""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
import sysconfig
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from tests.check.check_helpers import good_row
from tests.conftest import copy_samples


def command() -> list[str]:
    """The installed console script (what a user types), else the same entry point through -m."""
    assert any(ep.value == "ses_workbench.cli:main" for ep in entry_points(group="console_scripts",
                                                                            name="ses-workbench"))
    script = Path(sysconfig.get_path("scripts")) / "ses-workbench"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ses_workbench"]


def run(*args: str, cwd: Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return copy_samples(tmp_path / "project")


def receipt_rows(samples: Path) -> list[dict[str, Any]]:
    """Ten order-receipt rows; row 3 lacks customer.firstName, row 6 has a null line total."""
    base = json.loads((samples / "order-receipt" / "data" / "default.json").read_text())
    rows = [copy.deepcopy(base) for _ in range(10)]
    del rows[2]["customer"]["firstName"]
    rows[5]["items"][1]["lineTotal"] = None
    return rows


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        elif not isinstance(v, list):
            out[prefix + k] = v
    return out


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_sample_project_json_formats(samples: Path, fmt: str) -> None:
    rows = receipt_rows(samples)
    data = samples.parent / f"rows.{fmt}"
    data.write_text(json.dumps(rows, indent=1) if fmt == "json" else
                    "".join(json.dumps(r) + "\n" for r in rows))
    proc = run("check", "order-receipt", "--data", str(data), "--format", "json", cwd=samples)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["rows"], doc["ok"], doc["failing"]) == (10, 8, 2)
    got = [(f["row"], f["attribute"], f["data_path"], f["location"]) for f in doc["failures"]]
    assert [g[:3] for g in got] == [(3, "customer.firstName", "customer.firstName"),
                                    (6, "lineTotal", "items[].lineTotal")]
    body = (samples / "order-receipt" / "body.html").read_text().splitlines()
    for _row, attribute, _path, location in got:
        part, line, column = location.split(":")
        assert part == "html"
        assert body[int(line) - 1][int(column) - 1:].startswith("{{"), location  # points at the tag
        assert attribute in body[int(line) - 1][int(column) - 1:]

    text = run("check", "order-receipt", "--data", str(data), cwd=samples)
    assert text.returncode == 1
    assert "10 rows" in text.stdout and "8 ok, 2 failing" in text.stdout
    assert "row 3" in text.stdout and "row 6" in text.stdout and "html:" in text.stdout

    good = samples.parent / f"good.{fmt}"
    ok_rows = [r for i, r in enumerate(rows) if i not in (2, 5)]
    good.write_text(json.dumps(ok_rows) if fmt == "json" else "".join(json.dumps(r) + "\n" for r in ok_rows))
    proc = run("check", "order-receipt", "--data", str(good), cwd=samples)
    assert proc.returncode == 0 and "8 ok, 0 failing" in proc.stdout, proc.stderr


def test_sample_project_csv_with_dotted_columns(samples: Path) -> None:
    base = json.loads((samples / "order-receipt" / "data" / "minimal.json").read_text())
    flat = flatten(base)
    assert "shipping.address.city" in flat  # two levels of nesting
    data = samples.parent / "rows.csv"
    with data.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(flat))
        w.writeheader()
        for i in range(6):
            row = dict(flat)
            if i == 2:
                row["customer.firstName"] = ""
            if i == 4:
                row["shipping.address.city"] = ""
            w.writerow(row)
    # empty cells are "" (present, as SES treats "") by default
    proc = run("check", "order-receipt", "--data", str(data), "--format", "json", cwd=samples)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["ok"] == 6
    # a pipeline that drops empty columns: those rows would be dropped by SES
    proc = run("check", "order-receipt", "--data", str(data), "--format", "json", "--empty-cells", "missing",
               cwd=samples)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert (doc["rows"], doc["ok"], doc["failing"]) == (6, 4, 2)
    assert [(f["row"], f["attribute"]) for f in doc["failures"]] == [
        (3, "customer.firstName"), (5, "shipping.address.city")]
    assert all(f["location"].startswith("html:") for f in doc["failures"])
    assert [f["data_line"] for f in doc["failures"]] == [4, 6]  # the header is line 1


@pytest.mark.parametrize(("name", "content", "says"), [
    ("cut.json", '[{"customer": {"firstName": "A"}},\n {"customer": {"firstName": "B',
     "malformed JSON in row 2"),
    ("open.json", '[{"a": 1}, {"a": 2}', "not closed"),
    ("dup.csv", "a,a\n1,2\n", "appears twice"),
    ("clash.csv", "contact,contact.firstName\n1,2\n", "conflict"),
    ("latin1.csv", "name\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
    ("latin1.json", '["Jos\xe9"]'.encode("latin-1"), "not UTF-8"),
])
def test_broken_data_file_is_one_clear_line(samples: Path, name: str, content: str | bytes,
                                            says: str) -> None:
    data = samples.parent / name
    if isinstance(content, bytes):
        data.write_bytes(content)
    else:
        data.write_text(content)
    for fmt in ("text", "json"):
        proc = run("check", "order-receipt", "--data", str(data), "--format", fmt, cwd=samples)
        assert proc.returncode == 1
        assert proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("ses-workbench: ") and says in lines[0] and name in lines[0]
        assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2(samples: Path) -> None:
    proc = run("check", "order-receipt", "--data", str(samples / "nope.jsonl"), cwd=samples)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "nope.jsonl" in proc.stderr
    proc = run("check", "order-receipt", cwd=samples)
    assert proc.returncode == 2 and "--data" in proc.stderr
    proc = run("check", "order-receipt", "--data", "x", "--via-ses", "-1", cwd=samples)
    assert proc.returncode == 2


def test_empty_data_file_warns(samples: Path) -> None:
    data = samples.parent / "empty.jsonl"
    data.write_text("\n")
    proc = run("check", "order-receipt", "--data", str(data), cwd=samples)
    assert proc.returncode == 0  # no row fails ...
    assert "no data rows" in proc.stderr and "0 rows" in proc.stdout  # ... but it is not silent


PEAK_MB = """
def peak_mb():
    try:  # VmHWM: this process image's peak RSS (ru_maxrss would include the parent's, over fork+exec)
        with open('/proc/self/status') as fh:
            return next(int(x.split()[1]) / 1024 for x in fh if x.startswith('VmHWM:'))
    except (OSError, StopIteration):
        import resource
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 2**20 if sys.platform == 'darwin' else r / 1024
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_million_rows_bounded_memory_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """1,000,000 rows of JSON Lines through the real CLI, stderr on a pty: the bar is drawn, the
    process's peak RSS stays small (the file is ~120 MB and memory must not follow it), counts exact."""
    import pty

    root = tmp_path / "proj"
    tpl = root / "greet"
    tpl.mkdir(parents=True)
    from tests.check.check_helpers import HTML, SUBJECT, TEXT

    (tpl / "subject.txt").write_text(SUBJECT)
    (tpl / "body.html").write_text(HTML)
    (tpl / "body.txt").write_text(TEXT)
    n = 1_000_000
    lines = [json.dumps(good_row(i)) + "\n" for i in range(7)]
    bad = good_row(3)
    del bad["contact"]["firstName"]
    bad_line = json.dumps(bad) + "\n"
    data = tmp_path / "rows.jsonl"
    with data.open("w") as fh:
        for i in range(0, n, 1000):
            fh.write("".join(bad_line if (i + j) % 50 == 49 else lines[(i + j) % 7] for j in range(1000)))
    assert data.stat().st_size > 100_000_000

    # the CLI's own main() in a fresh interpreter, then its peak memory
    code = ("import sys, json\n" + PEAK_MB + "from ses_workbench.cli import main\nrc = main(sys.argv[1:])\n"
            "print(json.dumps({'rc': rc, 'hwm': peak_mb()}))\n")
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                got = os.read(master, 65536)
            except OSError:
                return
            if not got:
                return
            chunks.append(got)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, "check", "greet", "--data", str(data), "--dir", str(root),
             "--max-failures", "100"],
            stdout=subprocess.PIPE, stderr=slave, text=True, timeout=240)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    out = proc.stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["rc"] == 1
    assert f"{n:,} rows" in out and f"{n - n // 50:,} ok, {n // 50:,} failing" in out
    assert "… and 19,900 more" in out
    bar = b"".join(chunks).decode("utf-8", "replace")
    assert "\r[" in bar and "100%" in bar and "rows/s" in bar and f"{n:,} rows" in bar
    assert result["hwm"] is not None and result["hwm"] < 200, result  # the target
    assert result["hwm"] < 100, result                                  # what it really needs (~30 MB)
    print(f"1,000,000 rows: peak RSS {result['hwm']:.1f} MB")


def test_named_pipe_is_streamed(samples: Path) -> None:
    """``--data <(zcat rows.jsonl.gz)``: a pipe is not a regular file, but it is data — read as a stream."""
    rows = receipt_rows(samples)
    fifo = samples.parent / "rows.pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w") as fh:
            fh.write("".join(json.dumps(r) + "\n" for r in rows))

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    proc = run("check", "order-receipt", "--data", str(fifo), "--format", "json", cwd=samples)
    writer.join(timeout=30)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["rows"], doc["failing"]) == (10, 2) and doc["source"] == str(fifo)
