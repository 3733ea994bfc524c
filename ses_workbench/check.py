"""Batch validation: which of these data rows would SES reject, or accept and silently drop?

This module owns ``ses-workbench check`` and ``Workbench.check``: it streams data rows from a
JSON array, JSON Lines, CSV or Parquet file (or any iterable of dicts), runs each one through the
template's compiled parts exactly as a send would, and reports every row SES would refuse
(``TestRenderEmailTemplate``, or a TemplateData that is not an object or is over 262,144
characters) or accept and then drop as a "Rendering Failure" (``SendEmail``).

Memory stays bounded whatever the input size: files are read incrementally (JSON Lines by a
bounded line splitter, CSV line by line, a JSON array element by element with
:meth:`json.JSONDecoder.raw_decode` over chunks, Parquet by record batches), failures are kept
up to a cap while every count stays exact.  JSON Lines rows are parsed by orjson (the standard
library words the errors); a big JSON Lines file is checked by worker processes that each read
their own byte ranges, merged into the report one process makes.  :class:`Checker` and
:func:`check_partition` run the same check on a Dask cluster (docs/CHECK-AT-SCALE.md).

Speed: rendering an 8 KB email three parts at a time costs far more than deciding whether it
*would* render.  The verdict of a render depends only on the *shape* of the data along the
paths the template references (is each value present, falsy, a list of what length, ...),
never on the text of the values.  So each row is projected onto that shape (its
"signature", see :class:`_Projector`) and rows with a signature already rendered reuse that
verdict.  The projection is conservative — anything it does not understand makes the row
render — and it is checked against real rendering while it runs (the first rows of each
signature, then a regular sample of the rest); a disagreement switches the fast path off and
the check restarts with full rendering when the input can be read again.  ``fast=False``
renders every row.  tests/check/test_equivalence.py proves the two agree (hypothesis).

CSV decisions (docs/decisions/check.md):

- a header ``contact.firstName`` becomes ``{"contact": {"firstName": ...}}``;
- cells are strings (``"false"`` is a non-empty, truthy string, as it would be in TemplateData
  built from the CSV);
- an empty cell is ``""``, a *present* value, as SES treats it — unless
  ``empty_cells="missing"``, for pipelines that drop empty columns before sending.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from ses_workbench.engine.errors import EngineError, MissingAttributeError
from ses_workbench.errors import WorkbenchError
from ses_workbench.limits import TEMPLATE_DATA_MAX_CHARS, template_data_chars, too_long_message
from ses_workbench.wording import plural

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.engine import Dialect
    from ses_workbench.project import EmailTemplate
    from ses_workbench.project.content import TemplateContent
    from ses_workbench.render import CompiledEmail

__all__ = [
    "FORMATS",
    "MAX_REASONS",
    "OTHER_REASONS",
    "CheckReport",
    "Checker",
    "DataFormatError",
    "Failure",
    "Row",
    "RowChecker",
    "check_file",
    "check_partition",
    "check_rows",
    "confirm_via_ses",
    "frame_rows",
    "detect_format",
    "failures_meta",
    "iter_rows",
]

#: Input formats: ``json`` (an array, or whitespace-separated values), ``jsonl``, ``csv``, ``parquet``.
FORMATS = ("json", "jsonl", "csv", "parquet")

#: ``Failure.reason`` of a row whose TemplateData is longer than SES takes.
TOO_LONG = "template-data-too-long"

#: How many failures a report keeps by default (counts stay exact beyond it).
DEFAULT_MAX_FAILURES = 1000

#: Distinct ``by_reason`` keys kept; further new reasons are counted under :data:`OTHER_REASONS`.
#: Keys come from the template (attribute + location), so this only bites when an engine message
#: carries data (a render error's text), which must not let the report grow with the input.
MAX_REASONS = 1000
OTHER_REASONS = "(other reasons)"

_CHUNK = 1 << 16


class DataFormatError(WorkbenchError):
    """The data file cannot be read as rows at all (not a single malformed row: those are failures)."""


# --------------------------------------------------------------------------------------------
# Reading rows
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One data row: 1-based ``number``, the parsed ``data`` (or ``error`` when it does not parse).

    ``line`` is the 1-based line in the file where the row starts, when the format knows it;
    ``reason`` is the failure's kind when ``error`` is set.
    """

    number: int
    data: Any = None
    line: int | None = None
    error: str | None = None
    reason: str = "invalid-data"


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity; SES's JSON parser does not (InvalidRenderingParameter).
    raise ValueError(f"{name} is not valid JSON")


_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_WS = " \t\n\r"
_BOM = b"\xef\xbb\xbf"
#: What ends a run inside a JSON string / outside one, for passing over a value too long to hold.
_IN_STRING = re.compile(r'["\\]')
_STRUCTURE = re.compile(r'["{}\[\]]')
_ZEROS = itertools.repeat(0)
#: First bytes of a line that may be blank (``bytes.strip`` whitespace, or nothing at all).
_BLANK_START = frozenset((b"", b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c"))

#: Bytes read from a data file at a time.
_BLOCK = 1 << 20
#: A JSON Lines line longer than this is never held in memory: it has more characters than SES takes
#: in TemplateData whatever it holds (a character is at most 4 bytes of UTF-8); it is counted as it
#: streams past and reported.
_LINE_CAP = 4 * TEMPLATE_DATA_MAX_CHARS + 8


class _Counter:
    """Bytes consumed so far, for the progress bar (the readers update it)."""

    __slots__ = ("bytes",)

    def __init__(self) -> None:
        self.bytes = 0


def detect_format(path: str | Path, head: bytes | None = None) -> str:
    """``json``, ``jsonl``, ``csv`` or ``parquet`` from the file extension, else from the first bytes."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".jsonlines"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(_BOM + _WS.encode())
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    return "csv"


def iter_rows(
    source: str | Path | BinaryIO,
    fmt: str | None = None,
    *,
    empty_cells: str = "present",
    counter: _Counter | None = None,
    fast_json: bool = True,
) -> Iterator[Row]:
    """Stream the rows of a data file (path or binary file object); never loads it whole.

    A row that does not parse is yielded with ``error`` set (it is a failure, SES would
    reject it); a file that is not rows at all raises :class:`DataFormatError`.
    ``fast_json=False`` parses JSON Lines with the standard library instead of orjson
    (same rows, same messages; kept as the reference the fast parser is compared with).
    """
    if empty_cells not in ("present", "missing"):
        raise ValueError("empty_cells must be 'present' or 'missing'")
    counter = counter or _Counter()
    if isinstance(source, (str, Path)):
        path = Path(source)
        if fmt is None:
            fmt = detect_format(path)
        try:
            fh: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            raise DataFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
        close = True
    else:
        fh = source
        close = False
        if fmt is None:
            raise ValueError("fmt is required when reading from a file object")
    if fmt not in FORMATS:
        raise DataFormatError(f"unknown data format {fmt!r} (expected one of {', '.join(FORMATS)})")
    name = getattr(fh, "name", None)  # a path, or "<stdin>" / "/dev/fd/63" for a stream
    try:
        if fmt == "jsonl":
            yield from _jsonl_rows(_split_lines(fh, counter), fast_json)
        elif fmt == "json":
            yield from _iter_json(fh, counter)
        elif fmt == "parquet":
            yield from _iter_parquet(fh, counter)
        else:
            yield from _iter_csv(fh, counter, empty_cells == "missing")
    except DataFormatError as exc:
        if not isinstance(name, str):
            raise
        # one line that says which file, for the CLI's "ses-workbench: <error>"
        raise DataFormatError(f"{name}: {exc}") from None
    finally:
        if close:
            fh.close()


def _split_lines(fh: BinaryIO, counter: _Counter, start: int = 0, end: int | None = None,
                 block_size: int = _BLOCK) -> Iterator[tuple[bytes, int]]:
    """The lines of ``fh`` from its current position (file offset ``start``), without their ``\\n``.

    Yields ``(line, 0)``, or ``(b"", characters)`` for a line longer than :data:`_LINE_CAP`, which is
    never held whole.  With ``end``, stops before the first line that starts at or after ``end``.
    """
    offset = start
    buf = b""
    skip: codecs.IncrementalDecoder | None = None  # counts the characters of a line too long to hold
    chars = 0
    read = fh.read
    while True:
        block = read(block_size)
        counter.bytes += len(block)
        if skip is not None:
            if not block:
                yield b"", chars + len(skip.decode(b"", True))
                return
            i = block.find(b"\n")
            if i < 0:
                chars += len(skip.decode(block))
                offset += len(block)
                continue
            chars += len(skip.decode(block[:i].rstrip(b"\r"), True))
            offset += i + 1
            yield b"", chars
            skip = None
            block = block[i + 1:]
            if end is not None and offset >= end:
                return
        if not block:
            if buf and (end is None or offset < end):
                yield buf, 0
            return
        lines = block.split(b"\n")
        consumed = len(buf) + len(block)
        if buf:
            lines[0] = buf + lines[0]
        buf = lines.pop()
        consumed -= len(buf)
        if end is None or offset + consumed <= end:  # every line here starts before the end
            yield from zip(lines, _ZEROS, strict=False)
            offset += consumed
        else:
            for line in lines:
                if offset >= end:
                    return
                yield line, 0
                offset += len(line) + 1
        if len(buf) > _LINE_CAP:
            if end is not None and offset >= end:
                return
            skip = codecs.getincrementaldecoder("utf-8")("replace")
            chars = len(skip.decode(buf))
            offset += len(buf)
            buf = b""


class _LineCount:
    """The last line number a JSON Lines reader reached (blank lines included)."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines = 0


def _jsonl_rows(lines: Iterable[tuple[bytes, int]], fast_json: bool, *, bom: bool = True,
                seen: _LineCount | None = None) -> Iterator[Row]:
    """Rows from JSON Lines (``bom``: the first line may start with a byte order mark)."""
    number = 0
    lineno = 0
    fast = orjson.loads if fast_json else None
    limit = TEMPLATE_DATA_MAX_CHARS
    for raw, big in lines:
        lineno += 1
        if seen is not None:
            seen.lines = lineno
        if big:
            number += 1
            yield Row(number, None, lineno, too_long_message(big), TOO_LONG)
            continue
        if lineno == 1 and bom and raw.startswith(_BOM):
            raw = raw[3:]
        if raw[:1] in _BLANK_START and not raw.strip():  # a row starts with "{": no copy to strip
            continue
        number += 1
        if len(raw) > limit:  # characters <= bytes: only a long line can be too long
            chars = len(raw.decode("utf-8", "replace").strip())
            if chars > limit:
                yield Row(number, None, lineno, too_long_message(chars), TOO_LONG)
                continue
        if fast is not None:
            try:
                data = fast(raw)
            except ValueError:  # orjson.JSONDecodeError; the standard library words the error
                yield _stdlib_row(number, raw, lineno)
                continue
            yield Row(number, data, lineno)
        else:
            yield _stdlib_row(number, raw, lineno)


def _stdlib_row(number: int, raw: bytes, lineno: int) -> Row:
    """A JSON Lines row parsed by the standard library (the reference; its messages are the row errors)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Row(number, None, lineno, "the line is not UTF-8")
    try:
        return Row(number, _decoder.decode(text), lineno)
    except RecursionError:
        return Row(number, None, lineno, "malformed JSON: nested too deeply")
    except ValueError as exc:  # JSONDecodeError is a ValueError
        return Row(number, None, lineno, f"malformed JSON: {_json_reason(exc)}")


def _json_reason(exc: ValueError) -> str:
    msg = getattr(exc, "msg", None)
    col = getattr(exc, "colno", None)
    if msg and col:
        return f"{_json_msg(msg)} (column {col})"
    return str(exc)


def _json_msg(msg: str) -> str:
    """json's message without its dangling position words ("Unterminated string starting at")."""
    for tail in (" starting at", " at"):
        if msg.endswith(tail):
            return msg[: -len(tail)]
    return msg


def _iter_json(fh: BinaryIO, counter: _Counter) -> Iterator[Row]:
    """A JSON array streamed element by element, or whitespace-separated JSON values.

    ``raw_decode`` parses one value from a buffer; the buffer holds at most the current
    element plus one chunk (it grows only while one element is bigger than a chunk).
    """
    reader = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    raw_decode = _decoder.raw_decode
    buf = ""
    pos = 0
    eof = False
    line = 1  # line of buf[pos]
    chunk_size = _CHUNK

    def fill() -> bool:
        nonlocal buf, pos, eof, chunk_size
        if eof:
            return False
        try:
            data = reader.read(chunk_size)
        except UnicodeDecodeError:
            raise DataFormatError("the data file is not UTF-8") from None
        if not data:
            eof = True
            return False
        counter.bytes += len(data.encode("utf-8")) if not data.isascii() else len(data)
        buf = buf[pos:] + data
        pos = 0
        return True

    def skip_ws() -> bool:
        """Advance past whitespace; False at end of input."""
        nonlocal pos, line
        while True:
            n = len(buf)
            while pos < n and buf[pos] in _WS:
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < n:
                return True
            if not fill():
                return False

    def skip_big() -> tuple[int, int]:
        """Pass over the object/array/string at ``buf[pos]`` without holding it whole.

        For a value longer than :data:`_LINE_CAP`: it is far over SES's limit, so only its length
        matters.  Returns ``(characters, newlines)``; ``pos`` is left just after the value.
        """
        nonlocal buf, pos
        chars = newlines = 0
        depth = 0
        in_str = False
        i = pos
        while True:
            n = len(buf)
            done = False
            while i < n:
                if in_str:
                    m = _IN_STRING.search(buf, i)
                    if m is None:
                        i = n
                        break
                    if m.group() == "\\":
                        i = m.end() + 1  # past the escaped character (maybe in the next chunk)
                        continue
                    in_str = False
                    i = m.end()
                    if depth == 0:
                        done = True
                        break
                else:
                    m = _STRUCTURE.search(buf, i)
                    if m is None:
                        i = n
                        break
                    c = m.group()
                    i = m.end()
                    if c == '"':
                        in_str = True
                    elif c in "{[":
                        depth += 1
                    else:
                        depth -= 1
                        if depth == 0:
                            done = True
                            break
            if done:
                chars += i - pos
                newlines += buf.count("\n", pos, i)
                pos = i
                return chars, newlines
            chars += n - pos
            newlines += buf.count("\n", pos, n)
            carry = i - n  # 1 when an escaped character is still to come
            pos = n
            if not fill():
                raise DataFormatError(f"malformed JSON in row {number + 1} (line {line}): the value "
                                      "is not closed")
            i = carry

    if not skip_ws():
        return
    in_array = buf[pos] == "["
    if in_array:
        pos += 1
    number = 0
    expect_value = True
    while True:
        if not skip_ws():
            if in_array:
                raise DataFormatError(f"the JSON array is not closed (after row {number})")
            return
        ch = buf[pos]
        if in_array and ch == "]" and (number == 0 or not expect_value):
            pos += 1
            if skip_ws():
                raise DataFormatError(f"unexpected data after the JSON array (line {line})")
            return
        if in_array and not expect_value:
            if ch != ",":
                raise DataFormatError(f"expected ',' or ']' after row {number} (line {line})")
            pos += 1
            expect_value = True
            continue
        # decode one value; a value that reaches the end of the buffer may be cut short
        big = None
        while True:
            try:
                value, end = raw_decode(buf, pos)
            except RecursionError:
                raise DataFormatError(f"malformed JSON in row {number + 1} (line {line}): nested too "
                                      "deeply") from None
            except ValueError as exc:
                if not eof:
                    if len(buf) - pos > _LINE_CAP and buf[pos] in '{["':
                        big = skip_big()  # far over SES's limit: measured, never held
                        break
                    if len(buf) - pos > chunk_size:  # one big row: read more at a time
                        chunk_size = min(chunk_size * 2, 1 << 24)
                    if fill():
                        continue
                if isinstance(exc, json.JSONDecodeError):
                    at = line + buf.count("\n", pos, exc.pos)
                    msg = _json_msg(exc.msg)
                    raise DataFormatError(f"malformed JSON in row {number + 1} (line {at}): {msg}") from None
                raise DataFormatError(f"malformed JSON in row {number + 1} (line {line}): {exc}") from None
            if end >= len(buf) and not eof:
                # a number/literal at the end of the buffer may continue in the next chunk
                if fill():
                    continue
            break
        number += 1
        chunk_size = _CHUNK
        if big is not None:
            yield Row(number, None, line, too_long_message(big[0]), TOO_LONG)
            line += big[1]
            expect_value = False
            continue
        if end - pos > TEMPLATE_DATA_MAX_CHARS:  # the element's text, as a pipeline would send it
            yield Row(number, None, line, too_long_message(end - pos), TOO_LONG)
        else:
            yield Row(number, value, line)
        line += buf.count("\n", pos, end)
        pos = end
        expect_value = False
        if pos > chunk_size:  # drop what was consumed, keep the buffer small
            buf = buf[pos:]
            pos = 0


def _iter_csv(fh: BinaryIO, counter: _Counter, empty_missing: bool) -> Iterator[Row]:
    def lines() -> Iterator[str]:
        first = True
        for raw in fh:
            counter.bytes += len(raw)
            if first:
                first = False
                if raw.startswith(_BOM):
                    raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise DataFormatError("the CSV file is not UTF-8") from None

    # strict: a quote left open at the end of the file is an error, not one cell holding the rest
    reader = csv.reader(lines(), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise DataFormatError(f"malformed CSV header: {exc}") from None
    build = _nesting_builder(header)
    # TemplateData of a row is at most 6 characters per byte of its cells (``\u0001``) plus its keys:
    # only rows whose bytes could reach the limit are serialised to be measured
    keys_chars = len(json.dumps(header, ensure_ascii=False)) + 4 * len(header)
    small = (TEMPLATE_DATA_MAX_CHARS - keys_chars) // 6
    number = 0
    line = reader.line_num + 1
    before = counter.bytes
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            if "unexpected end of data" in str(exc):
                read = reader.line_num - line + 1
                yield Row(number, None, line, f"a quoted field is not closed; the rest of the file "
                                              f"({read:,} line{'' if read == 1 else 's'}) was read into it")
                return
            yield Row(number, None, line, f"malformed CSV: {exc}")
            line = reader.line_num + 1
            before = counter.bytes
            continue
        start, line = line, reader.line_num + 1
        size, before = counter.bytes - before, counter.bytes
        if not cells or (len(cells) == 1 and not cells[0]):
            continue  # blank line
        number += 1
        if len(cells) != len(header):
            yield Row(number, None, start,
                      f"the row has {len(cells)} cells, the header {len(header)}")
            continue
        data = build(cells, empty_missing)
        if size > small:
            chars = template_data_chars(data)
            if chars > TEMPLATE_DATA_MAX_CHARS:
                yield Row(number, None, start, too_long_message(chars), TOO_LONG)
                continue
        yield Row(number, data, start)


#: Rows a Parquet file is read at a time (one record batch).
_PARQUET_BATCH = 4096


def _iter_parquet(fh: BinaryIO, counter: _Counter) -> Iterator[Row]:
    """Rows of a Parquet file, one record batch at a time; structs are objects, lists are arrays."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataFormatError("reading Parquet needs pyarrow: pip install 'ses-workbench[parquet]'") from None
    seekable = getattr(fh, "seekable", None)
    if seekable is None or not seekable():
        raise DataFormatError("Parquet is read from a file, not a stream (its index is at the end)")
    try:
        pf = pq.ParquetFile(fh)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid/OSError for a file it cannot read
        raise DataFormatError(f"not a readable Parquet file: {_one_line(str(exc))}") from None
    for fld in pf.schema_arrow:
        bad = _non_json_type(fld.type)
        if bad is not None:
            raise DataFormatError(f"Parquet column {fld.name!r} is {bad}, which has no JSON form "
                                  "(cast it to a string or a number first)")
    # a float column may hold NaN/Infinity, which JSON has not: those rows are serialised to be checked
    floats = any(_has_float(fld.type) for fld in pf.schema_arrow)
    total = max(1, pf.metadata.num_rows)
    size = _file_size(fh)
    number = 0
    limit = TEMPLATE_DATA_MAX_CHARS
    try:
        batches = pf.iter_batches(batch_size=_PARQUET_BATCH)
        for batch in batches:
            for data in batch.to_pylist():
                number += 1
                # orjson's compact UTF-8 is at least half as long as the TemplateData the workbench sends
                if floats or 2 * len(orjson.dumps(data)) > limit:
                    try:
                        chars = template_data_chars(data)
                    except ValueError:
                        yield Row(number, None, None, "NaN or Infinity is not valid JSON")
                        continue
                    if chars > limit:
                        yield Row(number, None, None, too_long_message(chars), TOO_LONG)
                        continue
                yield Row(number, data)
            counter.bytes = size * number // total
    except OSError as exc:  # pyarrow reports a damaged file as it reads it
        raise DataFormatError(f"cannot read row {number + 1}: {_one_line(str(exc))}") from None


def _arrow_leaves(typ: Any) -> Iterator[Any]:
    """The scalar types an Arrow type is made of (through dictionaries, lists and structs)."""
    import pyarrow.types as pt

    if pt.is_dictionary(typ) or pt.is_list(typ) or pt.is_large_list(typ) or pt.is_fixed_size_list(typ):
        yield from _arrow_leaves(typ.value_type)
    elif pt.is_struct(typ):
        for i in range(typ.num_fields):
            yield from _arrow_leaves(typ.field(i).type)
    else:
        yield typ


def _non_json_type(typ: Any) -> str | None:
    """The name of the first scalar type in ``typ`` whose values have no JSON form (None: all map)."""
    import pyarrow.types as pt

    for leaf in _arrow_leaves(typ):
        if not (pt.is_null(leaf) or pt.is_boolean(leaf) or pt.is_integer(leaf) or pt.is_float32(leaf)
                or pt.is_float64(leaf) or pt.is_string(leaf) or pt.is_large_string(leaf)):
            return str(leaf)
    return None


def _has_float(typ: Any) -> bool:
    import pyarrow.types as pt

    return any(pt.is_floating(leaf) for leaf in _arrow_leaves(typ))


def _file_size(fh: BinaryIO) -> int:
    try:
        return os.fstat(fh.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _nesting_builder(header: list[str]) -> Callable[[list[str], bool], dict[str, Any]]:
    """A function turning a CSV row into nested dicts along the dotted header names."""
    paths: list[tuple[str, ...]] = []
    seen: dict[tuple[str, ...], str] = {}
    for name in header:
        name = name.strip()
        segs = tuple(name.split("."))
        if not name or any(not s for s in segs):
            raise DataFormatError(f"CSV column {name!r} is not a usable name (empty part in a dotted name)")
        if segs in seen:
            raise DataFormatError(f"CSV column {name!r} appears twice")
        seen[segs] = name
        paths.append(segs)
    # a column may not be both a value and an object ("a" and "a.b")
    for segs in paths:
        for i in range(1, len(segs)):
            if segs[:i] in seen:
                raise DataFormatError(
                    f"CSV columns {seen[segs[:i]]!r} and {'.'.join(segs)!r} conflict"
                    f" ({seen[segs[:i]]!r} cannot be both a value and an object)")
    flat = all(len(s) == 1 for s in paths)
    keys = [s[0] for s in paths]

    if flat:
        def build_flat(cells: list[str], empty_missing: bool) -> dict[str, Any]:
            if empty_missing:
                return {k: v for k, v in zip(keys, cells, strict=True) if v != ""}
            return dict(zip(keys, cells, strict=True))
        return build_flat

    def build_nested(cells: list[str], empty_missing: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for segs, value in zip(paths, cells, strict=True):
            if empty_missing and value == "":
                continue
            node = out
            for seg in segs[:-1]:
                nxt = node.get(seg)
                if nxt is None:
                    nxt = node[seg] = {}
                node = nxt
            node[segs[-1]] = value
        return out
    return build_nested


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Failure:
    """One row SES would reject (TestRenderEmailTemplate) or accept and drop (a real send)."""

    row: int
    reason: str                     # "missing-attribute" | "render-error" | "invalid-data"
    message: str                    # one sentence (SES's own message for missing attributes)
    attribute: str | None = None
    part: str | None = None         # subject | html | text
    line: int | None = None         # in the part's file (layouts mapped back when possible)
    column: int | None = None
    path: str | None = None         # the file a person edits
    data_line: int | None = None    # where the row starts in the data file
    hint: str | None = None
    data_path: str | None = None    # the attribute from the data root, e.g. ``items[].lineTotal``

    @property
    def location(self) -> str | None:
        """``part:line:column`` in the template, e.g. ``html:12:5``."""
        if self.part is None:
            return None
        out = self.part
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out

    @property
    def verdict(self) -> tuple[Any, ...]:
        """What the fast path must reproduce exactly: the kind of failure and where it is."""
        return (self.reason, self.attribute, self.part, self.line, self.column)

    @property
    def key(self) -> str:
        """What ``by_reason`` counts: the missing attribute and where, or the kind of problem."""
        if self.reason == "missing-attribute":
            return f"missing '{self.data_path or self.attribute}' at {self.location}"
        if self.reason == "render-error":
            return f"{self.message} ({self.location})"
        return self.reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row, "reason": self.reason, "attribute": self.attribute,
            "location": self.location, "part": self.part, "line": self.line, "column": self.column,
            "path": self.path, "data_line": self.data_line, "message": self.message, "hint": self.hint,
            "data_path": self.data_path,
        }


@dataclass
class CheckReport:
    """The outcome of a batch check: exact counts, the first ``max_failures`` failing rows."""

    template: str | None
    source: str | None = None
    rows: int = 0
    ok: int = 0
    failing: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    max_failures: int = DEFAULT_MAX_FAILURES
    seconds: float = 0.0
    rendered: int = 0               # rows that went through the full render (the rest: verdict reuse)
    fast_path: str = "on"           # "on" | "off" | "disabled: <why>"
    via_ses: dict[str, Any] | None = None
    #: rows kept for ``--via-ses`` (``sample=N``): ``(row, data, local verdict)``
    samples: list[tuple[int, Any, Failure | None]] = field(default_factory=list, repr=False)
    workers: int = 1                # processes that checked the rows
    #: distinct ``by_reason`` keys kept (None: all, for a chunk of a bigger check that is merged later)
    max_reasons: int | None = field(default=MAX_REASONS, repr=False)

    @property
    def passed(self) -> bool:
        return self.failing == 0

    @property
    def truncated(self) -> bool:
        return self.failing > len(self.failures)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def add(self, failure: Failure) -> None:
        self.failing += 1
        self._count(failure.key, 1)
        if len(self.failures) < self.max_failures:
            self.failures.append(failure)

    def _count(self, key: str, n: int) -> None:
        by_reason = self.by_reason
        if key not in by_reason and self.max_reasons is not None and len(by_reason) >= self.max_reasons:
            key = OTHER_REASONS
        by_reason[key] = by_reason.get(key, 0) + n

    def merge(self, part: CheckReport, rows_before: int, lines_before: int) -> None:
        """Add the report of the rows that follow this one's (renumbered): as if checked in one go.

        ``part.by_reason`` holds every key of its rows in first-seen order, so the cap on distinct
        keys falls where a single pass would have put it.
        """
        self.failing += part.failing
        for key, n in part.by_reason.items():
            self._count(key, n)
        room = self.max_failures - len(self.failures)
        for failure in part.failures[:max(room, 0)]:
            failure.row += rows_before
            if failure.data_line is not None:
                failure.data_line += lines_before
            self.failures.append(failure)
        self.rendered += part.rendered

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template, "source": self.source,
            "rows": self.rows, "ok": self.ok, "failing": self.failing,
            "by_reason": dict(sorted(self.by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
            "failures": [f.to_dict() for f in self.failures],
            "failures_truncated": self.truncated, "max_failures": self.max_failures,
            "seconds": round(self.seconds, 3), "rows_per_second": round(self.rows_per_second),
            "rendered": self.rendered, "fast_path": self.fast_path, "workers": self.workers,
            **({"via_ses": self.via_ses} if self.via_ses is not None else {}),
        }

    def summary(self) -> str:
        """One line: ``1000 rows: 990 ok, 10 failing``."""
        return f"{plural(self.rows, 'row')}: {self.ok} ok, {self.failing} failing"


# --------------------------------------------------------------------------------------------
# The fast path: a row's shape along the referenced paths
# --------------------------------------------------------------------------------------------


class _Unsure(Exception):
    """The projection meets something it cannot summarise: render this row."""


class _Node:
    __slots__ = ("children", "each", "items", "_fn")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.each: _Node | None = None
        self.items: tuple[tuple[str, _Node], ...] = ()
        self._fn: str | None = None

    def freeze(self) -> None:
        self.items = tuple(self.children.items())
        for child in self.children.values():
            child.freeze()
        if self.each is not None:
            self.each.freeze()


_UNSAFE_SEGMENTS = frozenset({"..", ".", "this", "@root", ""})


class _Projector:
    """Maps a row to its *signature*: what a render's verdict can depend on, and nothing else.

    The trie holds every path a part references (output, block argument, helper argument),
    with ``[]`` for "each element".  For each referenced node the signature records whether
    the value is missing (absent or ``null``), its JSON type and truthiness, for a list or an
    object iterated by ``#each`` the signature of every element in order (and, for an object,
    whether each key is empty: ``@key`` can be tested), and for an object the signature of
    every referenced key.  Two rows with equal signatures take the same branches, iterate the
    same number of times and hit the same missing value first — so render to the same
    verdict.  Anything outside that model (a path segment the analysis left unresolved, a
    property looked up on a list or a scalar, a value of a non-JSON type) raises
    :class:`_Unsure`, and the row is rendered.

    The trie is compiled to straight-line Python once (like the engine compiles templates):
    a row's signature costs a few dict lookups per referenced path, no recursion.
    """

    def __init__(self, paths: Iterable[tuple[str, ...]]) -> None:
        self.root = _Node()
        for segs in paths:
            node = self.root
            for seg in segs:
                if seg.startswith("@"):
                    break  # @index/@key/@first/@last: positions, covered by element order
                if seg in _UNSAFE_SEGMENTS:
                    raise ValueError(f"unresolved path segment {seg!r}")
                if seg == "[]":
                    if node.each is None:
                        node.each = _Node()
                    node = node.each
                else:
                    node = node.children.setdefault(seg, _Node())
        self.root.freeze()
        self.source, self.signature = _compile_projector(self.root)


def _unsure(_value: Any = None) -> Any:
    raise _Unsure


def _leaf(x: Any) -> Any:
    """Signature of a value at a node nothing deeper is referenced under (not str/int/bool/None)."""
    cls = x.__class__
    if cls is float:
        return (float, not x or x != x)  # NaN is falsy in JavaScript
    if cls is list or cls is dict:
        return (cls, not x)
    raise _Unsure


class _Codegen:
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.constants: dict[str, Any] = {}
        self.n = 0

    def var(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any) -> str:
        name = f"K{len(self.constants)}"
        self.constants[name] = value
        return name

    def node(self, var: str, node: _Node, out: str, indent: str) -> list[str]:
        """Lines that set ``out`` to the signature of the value in ``var`` at ``node``."""
        if not node.items and node.each is None:
            # inline the common leaves: a str/int by truthiness (shared tuples: nothing allocated),
            # None/True/False are their own signature
            return [f"{indent}{out} = (_STR if {var} else _STR0) if {var}.__class__ is str else "
                    f"({var} if {var} is None or {var} is True or {var} is False else "
                    f"((_INT if {var} else _INT0) if {var}.__class__ is int else _leaf({var})))"]
        lines = [f"{indent}if {var} is None:", f"{indent}    {out} = None",
                 f"{indent}elif {var}.__class__ is dict:"]
        inner = indent + "    "
        parts = ["dict", f"not {var}"]  # tagged by class: True == 1 must never merge two shapes
        for key, child in node.items:
            cv, co = self.var("v"), self.var("s")
            lines.append(f"{inner}{cv} = {var}.get({self.const(key)})")
            lines += self.node(cv, child, co, inner)
            parts.append(co)
        if node.each is not None:
            fn = self.element_function(node.each)
            parts.append(f"tuple([(not k, {fn}(x)) for k, x in {var}.items()])")
        lines.append(f"{inner}{out} = ({', '.join(parts)},)")
        if node.each is not None and not node.items:
            fn = self.element_function(node.each)
            lines += [f"{indent}elif {var}.__class__ is list:",
                      f"{indent}    {out} = (list, tuple(map({fn}, {var})))"]
        lines += [f"{indent}else:", f"{indent}    _unsure()"]  # a property of a list/scalar
        return lines

    def element_function(self, node: _Node) -> str:
        if node._fn:
            return node._fn
        name = self.var("_each")
        body = self.node("v", node, "out", "    ")
        self.functions.append("\n".join([f"def {name}(v):", *body, "    return out"]))
        node._fn = name
        return name


def _compile_projector(root: _Node) -> tuple[str, Callable[[Any], Any]]:
    gen = _Codegen()
    body = gen.node("row", root, "out", "    ")
    gen.functions.append("\n".join(["def signature(row):", *body, "    return out"]))
    source = "\n\n".join(gen.functions)
    namespace: dict[str, Any] = {"_leaf": _leaf, "_unsure": _unsure, **gen.constants,
                                 # what (v.__class__, not v) gives for a non-empty / empty str and int
                                 "_STR": (str, False), "_STR0": (str, True),
                                 "_INT": (int, False), "_INT0": (int, True)}
    exec(compile(source, "<ses-workbench check signature>", "exec"), namespace)  # noqa: S102
    return source, namespace["signature"]


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------

#: Rows of one signature that are rendered before its verdict is reused.
_CONFIRM_RENDERS = 2
#: After that, every n-th reuse is rendered anyway, to keep checking the fast path.
_SPOT_CHECK_EVERY = 97
#: Distinct signatures remembered (beyond it, new shapes are rendered, not cached).
_MAX_SIGNATURES = 20_000


#: ``CheckReport.fast_path`` after a disagreement made the whole input be checked again by rendering.
FAST_PATH_REDONE = "disabled: a render disagreed with its shape's verdict; every row rendered"


class FastPathMismatch(Exception):
    """The fast path and a real render disagreed: the report must be redone by rendering."""


class _Locations:
    """Where positions of the composed parts are in the files a person edits (``map_location``, as a table).

    Built once from the template for every tag (errors are reported at a tag: where its ``{{`` is, or
    at a reference's own position); a plain table, so a :class:`Checker` carries it to worker processes
    that have no project to ask.  A position not in the table maps by its line alone.
    """

    __slots__ = ("paths", "lines", "spots")

    def __init__(self, paths: dict[str, str | None],
                 lines: dict[str, dict[int, tuple[str | None, int | None]]],
                 spots: dict[tuple[str, int, int], tuple[str | None, int | None, int | None]]) -> None:
        self.paths = paths
        self.lines = lines
        self.spots = spots

    @classmethod
    def of(cls, tpl: EmailTemplate, compiled: CompiledEmail) -> _Locations:
        from ses_workbench.render import map_location

        paths: dict[str, str | None] = {}
        lines: dict[str, dict[int, tuple[str | None, int | None]]] = {}
        spots: dict[tuple[str, int, int], tuple[str | None, int | None, int | None]] = {}
        positions: set[tuple[str, int, int]] = {
            (part, ref.line, ref.column) for part, ref in compiled.references()
            if ref.line is not None and ref.column is not None}
        for part, compiled_part in compiled.parts():
            paths[part] = map_location(tpl, part, None, None)[0]
            table: dict[int, tuple[str | None, int | None]] = {}
            for number, text in enumerate(compiled_part.source.split("\n"), 1):
                at = text.find("{{")
                if at < 0:
                    continue
                table[number] = map_location(tpl, part, number, None)[:2]
                while at >= 0:
                    positions.add((part, number, at + 1))
                    at = text.find("{{", at + 2)
            lines[part] = table
        for part, line, column in positions:
            spots[(part, line, column)] = map_location(tpl, part, line, column)
        return cls(paths, lines, spots)

    def locate(self, part: str | None, line: int | None, column: int | None,
               path: str | None) -> tuple[str | None, int | None, int | None]:
        """``(file, line, column)`` for a position of the composed ``part`` (``path``: the error's own)."""
        if part is None:
            return path, line, column
        if line is not None and column is not None:
            spot = self.spots.get((part, line, column))
            if spot is not None:
                return spot[0] or path, spot[1], spot[2]
        got = self.lines.get(part, {}).get(line) if line is not None else None
        if got is None:
            return self.paths.get(part) or path, line, column
        return got[0] or path, got[1], column


class RowChecker:
    """Decides, row by row, whether SES would render an email from the data (compile once).

    ``check(data)`` returns None (the row renders) or a :class:`Failure` template (row 0).
    """

    def __init__(self, compiled: CompiledEmail, *, template: EmailTemplate | None = None,
                 fast: bool = True, locations: _Locations | None = None) -> None:
        self.compiled = compiled
        self.template = template
        # template locations -> the file a person edits (a table: it also travels to worker processes)
        self.locations = locations if locations is not None else (
            _Locations.of(template, compiled) if template is not None else None)
        self.rendered = 0
        self.fast_status = "off"
        self._projector: _Projector | None = None
        self._cache: dict[Any, tuple[Failure | None, list[int]]] = {}
        self._reuses = 0
        #: verdicts of names found missing inside a block (their hint depends on data outside the signature)
        self._scoped: set[tuple[Any, ...]] = set()
        # (part, line, column) of a tag in the composed source -> its path from the data root
        self._paths: dict[tuple[str | None, int | None, int | None], str] = {
            (part, ref.line, ref.column): ref.path
            for part, ref in compiled.references() if ref.kind != "partial"}
        if fast:
            self._projector, self.fast_status = _build_projector(compiled)

    # the slow, exact path
    def render_verdict(self, data: Any) -> Failure | None:
        self.rendered += 1
        try:
            self.compiled.render(data)
        except MissingAttributeError as err:
            failure = self._failure(err, "missing-attribute")
            if err.scoped:
                self._scoped.add(failure.verdict)
            return failure
        except EngineError as err:
            return self._failure(err, "render-error")
        except RecursionError:
            return Failure(0, "render-error", "the data is nested too deeply to render")
        return None

    def _failure(self, err: EngineError, reason: str) -> Failure:
        part = err.part
        data_path = self._paths.get((part, err.line, err.column)) if reason == "missing-attribute" else None
        line, column, path = err.line, err.column, err.path
        if self.locations is not None:
            # lines in the file a person edits (a layout's lines map back to it)
            path, line, column = self.locations.locate(part, line, column, path)
        return Failure(
            0, reason, str(err), attribute=getattr(err, "attribute", None), part=part,
            line=line, column=column, path=path, hint=getattr(err, "hint", None), data_path=data_path)

    def check(self, data: Any) -> Failure | None:
        projector = self._projector
        if projector is None:
            return self.render_verdict(data)
        try:
            sig = projector.signature(data)
        except (_Unsure, RecursionError):
            return self.render_verdict(data)
        entry = self._cache.get(sig)
        if entry is None:
            verdict = self.render_verdict(data)
            if len(self._cache) < _MAX_SIGNATURES:
                self._cache[sig] = (verdict, [1])
            return verdict
        verdict, seen = entry
        if verdict is not None and verdict.verdict in self._scoped:
            # a name missing inside a block: its hint ("is 1 level up: write ../c") reads outer contexts
            # the signature does not record, so these rows are rendered (they are few)
            return self.render_verdict(data)
        if seen[0] < _CONFIRM_RENDERS:
            seen[0] += 1
            self._compare(verdict, self.render_verdict(data))
            return verdict
        self._reuses += 1
        if self._reuses % _SPOT_CHECK_EVERY == 0:
            self._compare(verdict, self.render_verdict(data))
        return verdict

    def _compare(self, cached: Failure | None, actual: Failure | None) -> None:
        same = (cached is None and actual is None) or (
            cached is not None and actual is not None and cached.verdict == actual.verdict)
        if not same:
            self._projector = None
            self._cache.clear()
            self.fast_status = "disabled: a row's render disagreed with its shape's verdict"
            raise FastPathMismatch


_LOOKUP_RE = re.compile(r"(?:\{\{~?|\()\s*#?\s*lookup\b")


def _build_projector(compiled: CompiledEmail) -> tuple[_Projector | None, str]:
    dialect = compiled.dialect
    if getattr(dialect, "parent_scope_lookup", False):
        # a name missing in an element may then come from an outer scope the trie does not follow
        return None, "off: the dialect looks names up in parent scopes"
    if getattr(dialect, "each_object_order", "insertion") != "insertion":
        # iteration order would depend on key names, which signatures do not record
        return None, "off: the dialect iterates objects in key order"
    paths: list[tuple[str, ...]] = []
    for _part, ref in compiled.references():
        if ref.kind == "partial":
            continue  # a partial's name, not a data path (its body's paths are references of their own)
        if ref.kind not in ("output", "block", "helper-arg", "unknown-helper", "reserved"):
            return None, f"off: the template uses {ref.kind!r} references"
        paths.append(tuple(ref.segments))
    sources = [tpl.source for _part, tpl in compiled.parts()]
    if any(_LOOKUP_RE.search(s) for s in sources):
        # {{lookup obj key}} picks a path by *value*: the shape alone cannot decide
        return None, "off: the template uses lookup"
    try:
        return _Projector(paths), "on"
    except ValueError as exc:
        return None, f"off: {exc}"


def _too_long(data: Any) -> int:
    """The characters of ``data`` as TemplateData when SES would refuse that many, else 0."""
    try:
        compact = len(orjson.dumps(data))
    except TypeError:  # orjson.JSONEncodeError: a value orjson does not take; measure it the slow way
        compact = TEMPLATE_DATA_MAX_CHARS
    # the workbench's serialisation is at most twice orjson's compact UTF-8 (", " and ": ")
    if 2 * compact <= TEMPLATE_DATA_MAX_CHARS:
        return 0
    try:
        chars = template_data_chars(data)
    except (TypeError, ValueError, RecursionError):  # not JSON at all: the render decides
        return 0
    return chars if chars > TEMPLATE_DATA_MAX_CHARS else 0


def _not_an_object(data: Any) -> str:
    if data is None:
        kind = "null"
    elif isinstance(data, bool):
        kind = "a boolean"
    elif isinstance(data, (int, float)):
        kind = "a number"
    elif isinstance(data, str):
        kind = "a string"
    elif isinstance(data, list):
        kind = "an array"
    else:
        kind = f"a {type(data).__name__}"
    return f"the row is not a JSON object but {kind}; TemplateData must be an object"


def check_rows(
    compiled: CompiledEmail,
    rows: Iterable[Row | Any],
    *,
    template: EmailTemplate | None = None,
    name: str | None = None,
    source: str | None = None,
    max_failures: int = DEFAULT_MAX_FAILURES,
    fast: bool = True,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 8192,
    sample: int = 0,
    _raise_on_mismatch: bool = False,
    _checker: RowChecker | None = None,
    _max_reasons: int | None = MAX_REASONS,
) -> CheckReport:
    """Check every row (``Row`` objects, or plain data); counts exact, failures capped.

    Plain data is numbered from 1.  ``sample=N`` keeps N rows' data for :func:`confirm_via_ses`
    (up to half of them failing rows, the rest a uniform sample of passing rows).
    ``progress(rows_done)`` is called every ``progress_every`` rows.  A fast-path disagreement
    makes the rest of the run render every row (or raises :class:`FastPathMismatch` when
    ``_raise_on_mismatch``: :func:`check_file` then starts over).
    """
    name = name or (template.name if template is not None else None)
    report = CheckReport(template=name, source=source, max_failures=max_failures, max_reasons=_max_reasons)
    checker = _checker if _checker is not None else RowChecker(compiled, template=template, fast=fast)
    report.fast_path = checker.fast_status
    rendered_before = checker.rendered  # a worker's checker lives on from chunk to chunk
    started = time.perf_counter()
    check = checker.check
    sampler = _Sampler(sample) if sample > 0 else None
    n = 0
    failure: Failure | None
    for item in rows:
        n += 1
        if type(item) is Row:
            number, data, line, error, reason = item.number, item.data, item.line, item.error, item.reason
        else:  # plain data: measured here (a file's reader measures its rows' text)
            number, data, line, error, reason = n, item, None, None, "invalid-data"
            if isinstance(data, dict):
                chars = _too_long(data)
                if chars:
                    error, reason = too_long_message(chars), TOO_LONG
        if error is None and not isinstance(data, dict):
            error = _not_an_object(data)
        if error is not None:
            report.add(Failure(number, reason, error, data_line=line))
        else:
            try:
                failure = check(data)
            except FastPathMismatch:
                if _raise_on_mismatch:
                    raise
                report.fast_path = checker.fast_status
                check = checker.check
                failure = checker.render_verdict(data)
            if failure is not None:
                failure = Failure(
                    number, failure.reason, failure.message, failure.attribute, failure.part,
                    failure.line, failure.column, failure.path, line, failure.hint, failure.data_path)
                report.add(failure)
            if sampler is not None:
                sampler.offer(number, data, failure)
        if progress is not None and n % progress_every == 0:
            progress(n)
    report.rows = n
    report.ok = n - report.failing
    report.rendered = checker.rendered - rendered_before
    report.seconds = time.perf_counter() - started
    if sampler is not None:
        report.samples = sampler.result()
    if checker.fast_status != "on" and report.fast_path == "on":
        report.fast_path = checker.fast_status
    return report


class _Sampler:
    """Keeps N rows for confirmation through SES: the first failing rows, a reservoir of passing ones."""

    def __init__(self, size: int, seed: int = 0) -> None:
        import random

        self.size = size
        self.failing: list[tuple[int, Any, Failure | None]] = []
        self.passing: list[tuple[int, Any, Failure | None]] = []
        self.seen_ok = 0
        self._rng = random.Random(seed)

    def offer(self, number: int, data: Any, verdict: Failure | None) -> None:
        if verdict is not None:
            if len(self.failing) < (self.size + 1) // 2:
                self.failing.append((number, data, verdict))
            return
        self.seen_ok += 1
        if len(self.passing) < self.size:
            self.passing.append((number, data, None))
        else:
            j = self._rng.randrange(self.seen_ok)
            if j < self.size:
                self.passing[j] = (number, data, None)

    def result(self) -> list[tuple[int, Any, Failure | None]]:
        take_ok = self.size - len(self.failing)
        return sorted(self.failing + self.passing[:take_ok], key=lambda s: s[0])


def confirm_via_ses(
    report: CheckReport,
    remote_error: Callable[[Any], str | None],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Render the report's sampled rows through SES and compare with the local verdicts.

    ``remote_error(data)`` renders one row through ``TestRenderEmailTemplate`` (the caller
    paces it) and returns SES's error message, or None when SES rendered it.  Agreement
    means both pass, or both fail naming the same attribute.  The result is stored in
    ``report.via_ses`` and returned.
    """
    rows: list[dict[str, Any]] = []
    agree = 0
    for i, (number, data, local) in enumerate(report.samples, 1):
        try:
            remote = remote_error(data)
        except WorkbenchError as exc:
            rows.append({"row": number, "local": _verdict(local), "ses": f"error: {exc}", "agree": None})
            continue
        if local is None:
            same = remote is None
        else:
            same = remote is not None and (local.attribute is None or f"'{local.attribute}'" in remote)
        agree += same
        rows.append({"row": number, "local": _verdict(local), "ses": remote or "ok", "agree": same})
        if progress is not None:
            progress(i, len(report.samples))
    result = {
        "sampled": len(rows), "agree": agree,
        "disagree": sum(1 for r in rows if r["agree"] is False),
        "errors": sum(1 for r in rows if r["agree"] is None),
        "rows": rows,
    }
    report.via_ses = result
    return result


def _verdict(f: Failure | None) -> str:
    return "ok" if f is None else f.message


def check_file(
    tpl: EmailTemplate,
    path: str | Path | BinaryIO,
    fmt: str | None = None,
    *,
    empty_cells: str = "present",
    max_failures: int = DEFAULT_MAX_FAILURES,
    fast: bool = True,
    progress: Callable[[int, int, int], None] | None = None,
    compiled: CompiledEmail | None = None,
    sample: int = 0,
    workers: int | None = None,
    fast_json: bool = True,
    _chunk_bytes: int = 0,
) -> CheckReport:
    """Check every row of a data file (a path, or a binary stream such as stdin) against ``tpl``.

    The template is composed and compiled once.  ``progress(rows, bytes_read, total_bytes)`` is
    called now and then (``total_bytes`` is 0 for a stream).  When the fast path ever disagrees
    with a render, a file is checked again from the start by rendering every row, so the report
    is always what rendering says; a stream cannot be re-read, so from that row on every row is
    rendered and ``report.fast_path`` says so.

    ``workers``: processes that check a JSON Lines *file* (each reads its own byte ranges; the
    report is the one a single process makes).  None picks one per CPU for files of 16 MiB or
    more, 1 checks in this process; other formats, streams and ``sample`` are read in one process.
    ``fast_json=False`` parses JSON Lines with the standard library (the reference).
    """
    from ses_workbench.render import compile_content, locate_error

    given = compiled
    if compiled is None:
        try:
            compiled = compile_content(tpl.compose())
        except EngineError as err:
            raise locate_error(err, tpl) from None
    stream: BinaryIO | None = None
    if isinstance(path, (str, Path)):
        path = Path(path)
        fmt = fmt or detect_format(path)
        try:
            total = path.stat().st_size
        except OSError as exc:
            raise DataFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
        source = str(path)
    else:
        stream, total, source = path, 0, getattr(path, "name", None) or "<stream>"
        if fmt is None:
            peek = getattr(stream, "peek", None)
            fmt = detect_format("", peek(4096)[:4096]) if peek is not None else "jsonl"
    if sample:
        # rows kept for --via-ses are sent to SES: parsed exactly (orjson turns integers beyond 64 bits
        # into floats; the verdict does not depend on it, the data sent would)
        fast_json = False
    n_workers = 1
    if fmt == "jsonl" and stream is None and sample == 0 and given is None and workers != 1:
        n_workers = workers if workers is not None else (
            _cpus() if total >= _PARALLEL_MIN_BYTES else 1)
    chunk = _chunk_bytes or _PARALLEL_CHUNK

    def run(fast_now: bool) -> CheckReport:
        if n_workers > 1:
            assert isinstance(path, Path)
            checker = Checker.from_template(tpl, fast=fast_now, compiled=compiled)
            return _check_jsonl_in_workers(checker, path, total, n_workers, source=source,
                                           max_failures=max_failures, progress=progress,
                                           fast_json=fast_json, chunk_bytes=chunk)
        counter = _Counter()
        cb = None
        if progress is not None:
            def cb(n: int) -> None:
                progress(n, counter.bytes, total)
        rows = iter_rows(stream if stream is not None else path, fmt,
                         empty_cells=empty_cells, counter=counter, fast_json=fast_json)
        report = check_rows(compiled, rows, template=tpl, source=source, max_failures=max_failures,
                            fast=fast_now, progress=cb, sample=sample,
                            _raise_on_mismatch=fast_now and stream is None)
        if progress is not None:
            progress(report.rows, counter.bytes, total)
        return report

    return fast_then_exact(run, fast)


def fast_then_exact(run: Callable[[bool], CheckReport], fast: bool) -> CheckReport:
    """``run(fast)``; when the fast path's run raises :class:`FastPathMismatch` (a render disagreed with its
    shape's verdict), the report of ``run(False)`` — every row rendered — marked :data:`FAST_PATH_REDONE`."""
    if not fast:
        return run(False)
    try:
        return run(True)
    except FastPathMismatch:
        report = run(False)
        report.fast_path = FAST_PATH_REDONE
        return report


# --------------------------------------------------------------------------------------------
# Checking in other processes: worker processes here, or a Dask cluster
# --------------------------------------------------------------------------------------------

#: JSON Lines files from this size on are checked by one process per CPU (``workers=None``).
_PARALLEL_MIN_BYTES = 16 << 20
#: Bytes of a JSON Lines file one worker task reads (lines are split where they start).
_PARALLEL_CHUNK = 4 << 20
#: Row checkers a process keeps compiled (keyed by the template content).
_MAX_CACHED_CHECKERS = 16
_row_checkers: dict[tuple[Any, ...], RowChecker] = {}


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Checker:
    """One template's row check, picklable: what worker processes and Dask workers receive.

    It carries the composed content (compiled again once per process, on first use, and kept in a
    module-level cache keyed by the content), the table that maps composed lines to the files a
    person edits, and the fast-path switch — not the project.  ``check(data)`` returns None when
    SES would render an email from ``data``, else a :class:`Failure` (``row`` 0): not an object,
    TemplateData too long, or what the render says.
    """

    def __init__(self, content: TemplateContent, *, name: str | None = None, fast: bool = True,
                 dialect: Dialect | None = None, locations: _Locations | None = None) -> None:
        from ses_workbench.engine import DEFAULT_DIALECT

        self.content = content
        self.name = name
        self.fast = fast
        self.dialect = dialect if dialect is not None else DEFAULT_DIALECT
        self.locations = locations
        self._rows: RowChecker | None = None

    @classmethod
    def from_template(cls, tpl: EmailTemplate, *, fast: bool = True,
                      compiled: CompiledEmail | None = None) -> Checker:
        """The checker of ``tpl`` as it is on disk now (a syntax error is raised, located)."""
        from ses_workbench.render import compile_content, locate_error

        content = tpl.compose()
        if compiled is None or compiled.content_hash != content.content_hash():
            try:
                compiled = compile_content(content)
            except EngineError as err:
                raise locate_error(err, tpl) from None
        checker = cls(content, name=tpl.name, fast=fast, dialect=compiled.dialect,
                      locations=_Locations.of(tpl, compiled))
        checker._rows = RowChecker(compiled, fast=fast, locations=checker.locations)
        return checker

    def row_checker(self) -> RowChecker:
        """The compiled checker of this process (compiled on first use)."""
        rows = self._rows
        if rows is None:
            key = (self.content.content_hash(), self.dialect, self.fast, self.name)
            rows = _row_checkers.get(key)
            if rows is None:
                from ses_workbench.render import compile_content

                rows = RowChecker(compile_content(self.content, self.dialect), fast=self.fast,
                                  locations=self.locations)
                if len(_row_checkers) >= _MAX_CACHED_CHECKERS:
                    _row_checkers.clear()
                _row_checkers[key] = rows
            self._rows = rows
        return rows

    def check(self, data: Any) -> Failure | None:
        if not isinstance(data, dict):
            return Failure(0, "invalid-data", _not_an_object(data))
        chars = _too_long(data)
        if chars:
            return Failure(0, TOO_LONG, too_long_message(chars))
        rows = self.row_checker()
        try:
            return rows.check(data)
        except FastPathMismatch:  # the fast path is off in this process from now on
            return rows.render_verdict(data)

    def __getstate__(self) -> dict[str, Any]:
        return {"content": self.content, "name": self.name, "fast": self.fast, "dialect": self.dialect,
                "locations": self.locations}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._rows = None


_worker: dict[str, Any] = {}


def _worker_init(checker: Checker, path: str, max_failures: int, fast_json: bool) -> None:
    import signal

    # Ctrl-C is the parent's to handle (it stops the pool); a worker would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(checker=checker, path=path, max_failures=max_failures, fast_json=fast_json)


def _worker_chunk(start: int, end: int) -> tuple[CheckReport, int]:
    """Check the JSON Lines starting in bytes ``[start, end)``: their report (from row 1) and line count."""
    checker: Checker = _worker["checker"]
    rows_checker = checker.row_checker()
    seen = _LineCount()
    block = min(_BLOCK, max(end - start + 1, 1 << 13))
    with open(_worker["path"], "rb") as fh:
        if start:
            fh.seek(start - 1)
            lines = _split_lines(fh, _Counter(), start - 1, end, block)
            next(lines, None)  # the line holding byte start-1 belongs to the chunk before
        else:
            lines = _split_lines(fh, _Counter(), 0, end, block)
        rows = _jsonl_rows(lines, _worker["fast_json"], bom=start == 0, seen=seen)
        report = check_rows(rows_checker.compiled, rows, max_failures=_worker["max_failures"],
                            _checker=rows_checker, _max_reasons=None, _raise_on_mismatch=checker.fast)
    return report, seen.lines


def _check_jsonl_in_workers(checker: Checker, path: Path, size: int, workers: int, *, source: str,
                            max_failures: int, progress: Callable[[int, int, int], None] | None,
                            fast_json: bool, chunk_bytes: int) -> CheckReport:
    """A JSON Lines file checked by ``workers`` processes, chunk by chunk, merged in file order.

    Each worker opens the file and reads its own byte range (nothing but offsets and the small
    reports cross between processes); at most two chunks per worker are in flight, so memory
    stays bounded whatever the file size.
    """
    import concurrent.futures as cf
    import multiprocessing as mp

    report = CheckReport(template=checker.name, source=source, max_failures=max_failures)
    report.fast_path = checker.row_checker().fast_status
    report.workers = workers
    started = time.perf_counter()
    # fork is cheap and needs nothing pickled, but is unsafe once threads run (a notebook, the TUI)
    method = "fork" if "fork" in mp.get_all_start_methods() and threading.active_count() == 1 else "spawn"
    starts = iter(range(0, size, chunk_bytes))
    rows = lines = done = 0
    pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context(method), initializer=_worker_init,
                                  initargs=(checker, str(path), max_failures, fast_json))
    pending: deque[tuple[cf.Future[tuple[CheckReport, int]], int]] = deque()

    def submit() -> None:
        start = next(starts, None)
        if start is not None:
            end = min(start + chunk_bytes, size)
            pending.append((pool.submit(_worker_chunk, start, end), end - start))

    try:
        for _ in range(2 * workers):
            submit()
        while pending:
            future, nbytes = pending.popleft()
            try:
                part, nlines = future.result()
            except cf.process.BrokenProcessPool:
                raise WorkbenchError("a check worker process died; run again with --workers 1") from None
            submit()
            report.merge(part, rows, lines)
            rows += part.rows
            lines += nlines
            done += nbytes
            if progress is not None:
                progress(rows, done, size)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    report.rows = rows
    report.ok = rows - report.failing
    report.seconds = time.perf_counter() - started
    return report


#: Columns of the failures frame :func:`check_partition` returns.
FAILURE_COLUMNS = ("row", "reason", "message", "attribute", "location", "path", "line", "column",
                   "data_path", "key")


def failures_meta() -> Any:
    """An empty failures frame: the ``meta=`` of Dask's ``map_partitions(check_partition, …)``."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})


def check_partition(df: Any, checker: Checker) -> Any:
    """The rows of pandas DataFrame ``df`` that SES would reject or drop, as a failures frame.

    One row per failing row: ``row`` is the row's index label, the rest as :class:`Failure`
    (``key`` is what ``by_reason`` counts).  Columns nest at dots (``contact.firstName``), a
    missing value (None, NaN, NA) is a missing key, struct/list cells are objects/arrays.  The
    function a Dask ``map_partitions`` runs on each partition (see docs/CHECK-AT-SCALE.md).
    """
    import pandas as pd

    out: list[tuple[Any, ...]] = []
    check = checker.check
    for index, data in zip(df.index, frame_rows(df), strict=True):
        f = check(data)
        if f is not None:
            out.append((index, f.reason, f.message, f.attribute, f.location, f.path, f.line, f.column,
                        f.data_path, f.key))
    if not out:
        return failures_meta()
    return pd.DataFrame(out, columns=list(FAILURE_COLUMNS), dtype=object)


def frame_rows(df: Any) -> Iterator[dict[str, Any]]:
    """DataFrame rows as nested dicts (``contact.firstName`` nests; NaN/None/NA is missing), lazily."""
    paths = [tuple(str(c).split(".")) for c in df.columns]
    for values in df.itertuples(index=False, name=None):
        out: dict[str, Any] = {}
        for segs, raw in zip(paths, values, strict=True):
            v = _plain(raw)
            if v is None:
                continue
            node = out
            for seg in segs[:-1]:
                node = node.setdefault(seg, {})
            node[segs[-1]] = v
        yield out


def _plain(v: Any) -> Any:
    """A pandas/numpy/pyarrow cell as JSON-like Python (None for a missing value)."""
    if v is None or v.__class__ in (str, int, bool):
        return v
    if isinstance(v, float):
        return None if v != v else v
    if isinstance(v, dict):
        return {str(k): (None if (x := _plain(w)) is None else x) for k, w in v.items()}
    if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray":
        return [_plain(x) for x in v]
    if type(v).__module__ == "numpy" and hasattr(v, "item"):
        return _plain(v.item())
    if type(v).__name__ in ("NAType", "NaTType"):
        return None
    return v
