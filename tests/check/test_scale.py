"""``check`` at scale: worker processes give the single process's report, orjson parses as the
standard library does, oversize lines are never held whole."""

from __future__ import annotations

import json
import random
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from ses_workbench import check
from ses_workbench.check import CheckReport, Failure, check_file, iter_rows
from ses_workbench.project import Project
from tests.check.check_helpers import good_row

LIMIT = 262_144


def varied_lines(n: int, seed: int = 7) -> list[bytes]:
    """Rows of every kind a campaign file holds: good, failing in each way, broken, blank, odd."""
    rng = random.Random(seed)
    out: list[bytes] = []
    for i in range(n):
        kind = rng.random()
        row = good_row(i)
        if kind < 0.55:
            line = json.dumps(row)
        elif kind < 0.62:
            del row["contact"]["firstName"]
            line = json.dumps(row)
        elif kind < 0.67:
            row["items"] = [{"name": "pen"}]  # qty missing inside the loop
            line = json.dumps(row)
        elif kind < 0.70:
            row["vip"] = True
            del row["code"]
            line = json.dumps(row)
        elif kind < 0.73:
            line = '{"contact": {"firstName": "A"'  # cut short
        elif kind < 0.76:
            line = rng.choice(["[1, 2]", "42", "null", '"str"', "true"])
        elif kind < 0.80:
            line = "   " if rng.random() < 0.5 else ""
        elif kind < 0.82:
            line = '{"contact": {"firstName": NaN}}'
        elif kind < 0.84:
            out.append(b'{"contact": {"firstName": "\xff"}}')
            continue
        elif kind < 0.86:
            line = json.dumps(row) + "\r"  # a CRLF line
        elif kind < 0.87:
            row["pad"] = "é" * LIMIT  # over in characters, twice over in bytes (still held: < 1 MiB)
            line = json.dumps(row, ensure_ascii=False)
        else:
            row["contact"]["firstName"] = "x" * rng.randrange(0, 300)
            line = json.dumps(row)
        out.append(line.encode("utf-8"))
    return out


def write(path: Path, lines: list[bytes], *, bom: bool = False, final_newline: bool = True) -> Path:
    blob = b"\n".join(lines) + (b"\n" if final_newline else b"")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + blob)
    return path


def comparable(report: CheckReport) -> dict[str, Any]:
    d = report.to_dict()
    for k in ("seconds", "rows_per_second", "rendered", "workers"):
        d.pop(k)
    return d


@pytest.fixture
def greet(project_dir: Path) -> Any:
    return Project.load(project_dir).get("greet")


@pytest.mark.parametrize("chunk", [333, 4096, 1 << 20])
def test_workers_report_equals_one_process(tmp_path: Path, greet: Any, chunk: int) -> None:
    """Same counts, same failing rows in the same order, same reasons and lines, whatever the split."""
    data = write(tmp_path / "rows.jsonl", varied_lines(400), bom=True, final_newline=False)
    one = check_file(greet, data, workers=1)
    assert one.failing > 50 and one.ok > 150  # the file really mixes kinds
    reasons = {f.reason for f in one.failures}
    assert {"missing-attribute", "invalid-data", "template-data-too-long"} <= reasons
    many = check_file(greet, data, workers=2, _chunk_bytes=chunk)
    assert many.workers == 2
    assert comparable(many) == comparable(one)
    # the cap on kept failures falls on the same rows
    one5 = check_file(greet, data, workers=1, max_failures=5)
    many5 = check_file(greet, data, workers=3, max_failures=5, _chunk_bytes=chunk)
    assert comparable(many5) == comparable(one5)


def test_auto_workers_start_at_the_size_threshold(tmp_path: Path, greet: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = write(tmp_path / "rows.jsonl", varied_lines(200))
    monkeypatch.setattr(check, "_cpus", lambda: 2)
    assert check_file(greet, data).workers == 1  # small file: one process
    monkeypatch.setattr(check, "_PARALLEL_MIN_BYTES", 1000)
    monkeypatch.setattr(check, "_PARALLEL_CHUNK", 5000)
    auto = check_file(greet, data)
    assert auto.workers == 2
    assert comparable(auto) == comparable(check_file(greet, data, workers=1))
    # a sample for --via-ses is drawn in one process
    assert check_file(greet, data, sample=3).workers == 1


def test_spawned_workers_when_threads_run(tmp_path: Path, greet: Any) -> None:
    """With a thread running (a notebook, the TUI) workers are spawned: the checker travels pickled."""
    data = write(tmp_path / "rows.jsonl", varied_lines(120))
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        many = check_file(greet, data, workers=2, _chunk_bytes=2000)
    finally:
        release.set()
        other.join()
    assert comparable(many) == comparable(check_file(greet, data, workers=1))


def test_merge_keeps_the_reason_cap_of_one_pass() -> None:
    """by_reason caps distinct keys at the first MAX_REASONS seen in row order: merging chunk reports
    (which keep every key) must put the cap on the same keys as adding the rows one by one."""
    rng = random.Random(3)
    keys = [f"k{rng.randrange(12)}" for _ in range(300)]

    def failure(i: int, key: str) -> Failure:
        return Failure(i, "render-error", key, part="html", line=1, column=1)

    one = CheckReport(template="t", max_failures=7, max_reasons=5)
    for i, key in enumerate(keys, 1):
        one.add(failure(i, key))
    merged = CheckReport(template="t", max_failures=7, max_reasons=5)
    done = 0
    for size in (13, 1, 80, 6, 200):
        part = CheckReport(template="t", max_failures=7, max_reasons=None)
        for j, key in enumerate(keys[done:done + size], 1):
            part.add(failure(j, key))
        merged.merge(part, done, done)
        done += size
    assert merged.by_reason == one.by_reason and list(merged.by_reason) == list(one.by_reason)
    assert check.OTHER_REASONS in one.by_reason
    assert [f.to_dict() for f in merged.failures] == [f.to_dict() for f in one.failures]
    assert merged.failing == one.failing == 300


TRICKY = [
    b'{"a": 1, "a": 2}',                       # duplicate keys: the last one wins in both
    b'{"a": NaN}', b'{"a": -Infinity}',        # not JSON (SES rejects them)
    b'{"a": 1e400}',                           # out of double range: the standard library's inf
    b'{"a": "\\ud800"}',                       # a lone surrogate escape
    b'{"a": "\xff"}', b'{"a": "\xed\xa0\x80"}',  # not UTF-8
    b'{"a": ' + b"9" * 5000 + b"}",            # beyond the standard library's digit limit
    b"[" * 5000 + b"]" * 5000,                 # nested too deeply
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'{"a": "\t"}', b'{"a": 01}', b"[1,]", b'{"a": 1} x', b"{} ",
    b'{"a": -0, "b": -0.0, "c": 1E2, "d": 0.1, "e": 18446744073709551615, "f": "\\u0000"}',
    b'{"\\ud83d\\ude00": [true, false, null, {}, []]}',
]


def test_orjson_rows_are_the_standard_librarys(tmp_path: Path) -> None:
    """orjson is only the fast road: every row (value or one-line error) is what json would give."""
    data = write(tmp_path / "t.jsonl", TRICKY)
    fast = list(iter_rows(data))
    slow = list(iter_rows(data, fast_json=False))
    assert len(fast) == len(slow) == len(TRICKY)
    for f, s, raw in zip(fast, slow, TRICKY, strict=True):
        assert (f.error, f.reason, f.line) == (s.error, s.reason, s.line), raw[:40]
        assert repr(f.data) == repr(s.data), raw[:40]
    errors = [r.error for r in fast]
    assert errors[1] == "malformed JSON: NaN is not valid JSON"
    assert errors[5] == errors[6] == "the line is not UTF-8"
    assert errors[8] == errors[9] == "malformed JSON: nested too deeply"
    assert "4300" in (errors[7] or "")
    assert fast[0].data == {"a": 2}


def test_a_huge_line_is_reported_and_never_held_whole(tmp_path: Path, greet: Any) -> None:
    """A 24 MB row: one failure with its size, the rows around it checked, memory a few MB."""
    good = json.dumps(good_row(1)).encode()
    huge = b'{"contact": {"firstName": "A"}, "pad": "' + b"y" * 24_000_000 + b'"}'
    over = json.dumps({**good_row(2), "pad": "z" * 300_000}).encode()
    data = write(tmp_path / "big.jsonl", [good, huge, good, over, good])
    tracemalloc.start()
    try:
        report = check_file(greet, data, workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak  # the old reader held the 24 MB line (and its str) at once
    assert (report.rows, report.ok, report.failing) == (5, 3, 2)
    assert [(f.row, f.data_line, f.reason, f.message) for f in report.failures] == [
        (2, 2, "template-data-too-long",
         f"TemplateData is {len(huge):,} characters; SES allows 262,144"),
        (4, 4, "template-data-too-long",
         f"TemplateData is {len(over):,} characters; SES allows 262,144"),
    ]
    assert report.by_reason == {"template-data-too-long": 2}
    # split across workers, the huge line still counts once, in its place
    many = check_file(greet, data, workers=2, _chunk_bytes=1 << 20)
    assert comparable(many) == comparable(report)


def test_row_just_at_the_limit_passes(tmp_path: Path, greet: Any) -> None:
    base = json.dumps({**good_row(1), "pad": ""})
    at = base.replace('"pad": ""', '"pad": "' + "p" * (LIMIT - len(base)) + '"')
    assert len(at) == LIMIT
    report = check_file(greet, write(tmp_path / "at.jsonl", [at.encode(), (at[:-1] + ' }').encode()]))
    assert report.ok == 1 and report.failures[0].message == (
        "TemplateData is 262,145 characters; SES allows 262,144")


def test_json_array_huge_element_is_measured_not_held(tmp_path: Path, greet: Any) -> None:
    """A 9 MB array element: reported with its exact length, the rows after it still checked."""
    element = '{"contact": {"firstName": "A"}, "items": [' + ",".join(
        ['{"name": "p\\"en\\\\", "qty": 1}'] * 250_000) + "]}"
    data = tmp_path / "rows.json"
    data.write_text(f'[{json.dumps(good_row(1))},\n{element},\n{json.dumps(good_row(2))}]\n')
    tracemalloc.start()
    try:
        report = check_file(greet, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # bounded by the 1 MiB cap (a failed partial decode of ~1 MB of JSON, a read chunk), not by the
    # element: the old reader held its 9 MB of text and 250,000 decoded objects
    assert peak < 30_000_000, peak
    assert (report.rows, report.ok) == (3, 2)
    f = report.failures[0]
    assert (f.row, f.data_line, f.reason) == (2, 2, "template-data-too-long")
    assert f.message == f"TemplateData is {len(element):,} characters; SES allows 262,144"


@pytest.mark.parametrize("chunk", [5, 7, 64])
def test_json_array_skip_counts_every_kind_of_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     chunk: int) -> None:
    """Escapes, quotes and brackets inside strings, cut at every chunk boundary: exact lengths."""
    monkeypatch.setattr(check, "_CHUNK", chunk)
    monkeypatch.setattr(check, "_LINE_CAP", 40)
    monkeypatch.setattr(check, "TEMPLATE_DATA_MAX_CHARS", 30)
    values = [
        '{"a": "]}\\"[{\\\\", "b": [1, {"c": "x\\u00e9\\n"}], "d": "' + "z" * 90 + '"}',
        '"' + 'q\\"' * 40 + '\\\\"',
        "[" + ", ".join(['"\\\\\\""'] * 30) + "]",
        '{"ok": 1}',
    ]
    data = tmp_path / "rows.json"
    data.write_text("[\n" + ",\n".join(values) + "\n]\n")
    rows = list(iter_rows(data))
    assert [(r.number, r.line) for r in rows] == [(1, 2), (2, 3), (3, 4), (4, 5)]
    for row, text in zip(rows[:3], values[:3], strict=True):
        assert (row.error or "").startswith(f"TemplateData is {len(text):,} characters;"), text
    assert rows[3].data == {"ok": 1}
