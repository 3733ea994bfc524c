"""Reading data rows: JSON arrays (streamed), JSON Lines, CSV with dotted headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench import check
from ses_workbench.check import DataFormatError, Row, detect_format, iter_rows


def rows_of(tmp_path: Path, name: str, text: str | bytes, **kw: object) -> list[Row]:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return list(iter_rows(path, **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "head", "fmt"), [
    ("a.jsonl", b"{}", "jsonl"), ("a.ndjson", b"{}", "jsonl"), ("a.csv", b"a,b", "csv"),
    ("a.json", b"[]", "json"), ("a.txt", b"  [", "json"), ("a", b"\n{\"a\":1}", "jsonl"),
    ("a.dat", b"name,email", "csv"),
])
def test_detect_format(name: str, head: bytes, fmt: str) -> None:
    assert detect_format(name, head) == fmt


def test_jsonl_rows_numbers_lines_and_bad_lines(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, "d.jsonl", '{"a": 1}\n\n{"a": \n[1]\n{"a": NaN}\n{"b": "é"}\n')
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert [r.line for r in rows] == [1, 3, 4, 5, 6]
    assert rows[0].data == {"a": 1} and rows[0].error is None
    assert rows[1].error and "malformed JSON" in rows[1].error
    assert rows[2].data == [1]
    assert rows[3].error and "NaN" in rows[3].error  # SES's JSON has no NaN
    assert rows[4].data == {"b": "é"}


def test_jsonl_bom_and_crlf(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, "d.jsonl", b'\xef\xbb\xbf{"a": 1}\r\n{"a": 2}\r\n')
    assert [r.data for r in rows] == [{"a": 1}, {"a": 2}]


def test_json_array_streamed_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "_CHUNK", 7)  # every value straddles a chunk boundary
    data = [{"n": i, "s": "x" * (i % 13), "deep": {"l": [1, 2.5, None, True]}} for i in range(200)]
    data.append(12345678)  # a number cut at a chunk end must not be read short
    text = json.dumps(data, indent=1)
    rows = rows_of(tmp_path, "d.json", text)
    assert [r.data for r in rows] == data
    assert [r.number for r in rows] == list(range(1, 202))
    # line numbers: each row starts on the line that holds its first character
    lines = text.split("\n")
    for r in rows[:20]:
        assert lines[r.line - 1].strip().startswith(("{", "1"))


def test_json_big_element_and_numbers_at_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "_CHUNK", 5)
    big = {"k": "v" * 5000}
    assert [r.data for r in rows_of(tmp_path, "d.json", json.dumps([big, 1, 22]))] == [big, 1, 22]
    # concatenated values (not an array) are rows too
    assert [r.data for r in rows_of(tmp_path, "e.json", '{"a":1}\n{"a":2} 3')] == [{"a": 1}, {"a": 2}, 3]


def test_json_empty_and_broken(tmp_path: Path) -> None:
    assert rows_of(tmp_path, "a.json", "  []  ") == []
    assert rows_of(tmp_path, "b.json", "") == []
    with pytest.raises(DataFormatError, match="not closed"):
        rows_of(tmp_path, "c.json", '[{"a": 1}, {"a": 2}')
    with pytest.raises(DataFormatError, match=r"malformed JSON in row 2 \(line 2\)"):
        rows_of(tmp_path, "d.json", '[{"a": 1},\n {"a": }]')
    with pytest.raises(DataFormatError, match="expected ','"):
        rows_of(tmp_path, "e.json", '[{"a": 1} {"a": 2}]')
    with pytest.raises(DataFormatError, match="after the JSON array"):
        rows_of(tmp_path, "f.json", '[1] 2')


def test_json_array_memory_is_bounded(tmp_path: Path) -> None:
    """Streaming: peak memory stays far below the file size (no json.load of the whole file)."""
    import tracemalloc

    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"i": i, "pad": "p" * 200} for i in range(40_000)]))
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    n = 0
    for _row in iter_rows(path):
        n += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 40_000
    assert peak < 2_000_000


def test_csv_nested_keys_and_empty_cells(tmp_path: Path) -> None:
    text = ("email,contact.firstName,contact.address.city,active\n"
            "a@x.com,Ann,Paris,false\n"
            "b@x.com,,\"New\nYork\",\n")
    rows = rows_of(tmp_path, "d.csv", text)
    assert rows[0].data == {"email": "a@x.com", "contact": {"firstName": "Ann", "address": {"city": "Paris"}},
                            "active": "false"}
    # empty cells are "" (present, as SES treats "") by default; a quoted newline stays in its cell
    assert rows[1].data == {"email": "b@x.com", "active": "",
                            "contact": {"firstName": "", "address": {"city": "New\nYork"}}}
    assert [r.line for r in rows] == [2, 3]
    missing = rows_of(tmp_path, "e.csv", text, empty_cells="missing")
    assert missing[1].data == {"email": "b@x.com", "contact": {"address": {"city": "New\nYork"}}}


def test_csv_flat_and_bad_rows(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, "d.csv", "a,b\n1,2\n\n3\n4,5\n")
    assert [r.data for r in rows] == [{"a": "1", "b": "2"}, None, {"a": "4", "b": "5"}]
    assert rows[1].error and "2" in rows[1].error and rows[1].number == 2
    assert [r.line for r in rows] == [2, 4, 5]


@pytest.mark.parametrize(("header", "match"), [
    ("a,a", "twice"), ("a,a.b", "conflict"), ("a..b", "usable"), ("a,", "usable"),
])
def test_csv_bad_headers(tmp_path: Path, header: str, match: str) -> None:
    with pytest.raises(DataFormatError, match=match):
        rows_of(tmp_path, "d.csv", header + "\n1,2\n")


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="cannot read"):
        list(iter_rows(tmp_path / "nope.jsonl"))
