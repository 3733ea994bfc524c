"""jinja2 layouts: shared headers/footers composed into a template *before* it goes to SES.

SES has no cross-template layouts or partials, so composition happens here.  The delimiters can never be
mistaken for Handlebars (which SES keeps): variables ``[[ ]]``, blocks ``{% %}``, comments ``[# #]``; so
``{{ }}`` passes through untouched.  A part that contains neither ``{%`` nor ``[[`` is plain SES content and
is returned as it is, without running jinja at all; so is a part its ``template.toml`` lists in
``plain_parts`` (content pulled from SES or imported, whose text merely looks like jinja2).

Layouts run in jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment`: a template or layout cannot reach
Python internals (``cycler.__init__.__globals__`` and the like raise a security error, reported as a
:class:`LayoutError`), so a layout from a cloned repository is text, never code.

Every failure (unknown layout, undefined ``[[ var ]]`` — StrictUndefined —, syntax) is a
:class:`LayoutError` naming the file and line where it happened: the part file or the layout file.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.exceptions
import jinja2.sandbox

from ses_workbench.project.errors import LayoutError

__all__ = ["LAYOUTS_DIR", "LayoutEnvironment", "SourceMap", "needs_jinja"]

LAYOUTS_DIR = "_layouts"


def needs_jinja(source: str) -> bool:
    """True when a part uses jinja2 at all (the fast path skips jinja entirely otherwise)."""
    return "{%" in source or "[[" in source


class _TrackingLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that remembers which layout files a composition read (for the source map)."""

    def __init__(self, searchpath: Path, root: Path | None = None) -> None:
        super().__init__(str(searchpath))
        self.loaded: dict[str, Path] = {}
        self.root = root  # the project root: a layout linked out of it is refused

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        self._refuse_unsafe(template)
        source, filename, uptodate = super().get_source(environment, template)
        if filename:
            self.loaded[template] = Path(filename)
        return source, filename, uptodate

    def _refuse_unsafe(self, template: str) -> None:
        """A layout is read only when it is a regular file inside the project (project.files): a link out
        of it, a FIFO or a broken link is refused (a SecurityError, reported as "refused")."""
        from ses_workbench.project.files import UnsafeFile, check_file

        try:
            pieces = jinja2.loaders.split_template_path(template)
        except jinja2.TemplateNotFound:
            return  # the loader reports it
        path = Path(self.searchpath[0], *pieces)
        try:
            check_file(path, self.root)
        except FileNotFoundError:
            return  # not found: the loader reports it
        except UnsafeFile as exc:
            raise jinja2.exceptions.SecurityError(f"{path}: {exc.reason}") from None


class LayoutEnvironment:
    """One sandboxed jinja2 environment per project, loading layouts from ``<root>/_layouts``."""

    def __init__(self, root: Path) -> None:
        self.layouts_dir = root / LAYOUTS_DIR
        self.loader = _TrackingLoader(self.layouts_dir, root)
        self._lock = threading.Lock()  # the loader records per-composition state
        self.env = jinja2.sandbox.SandboxedEnvironment(
            loader=self.loader,
            block_start_string="{%",
            block_end_string="%}",
            variable_start_string="[[",
            variable_end_string="]]",
            comment_start_string="[#",
            comment_end_string="#]",
            line_statement_prefix=None,
            line_comment_prefix=None,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            # A block tag alone on its line leaves no blank line behind.
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
        )

    def _template_frame(self, tb: types.TracebackType | None, part: Path) -> tuple[Path, int | None]:
        """The innermost traceback frame in the part or a layout file (jinja2 rewrites tracebacks so
        template frames carry the template's filename and line)."""
        found: tuple[Path, int | None] = (part, None)
        layouts = str(self.layouts_dir)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename == str(part) or filename.startswith(layouts):
                found = (Path(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found

    def layout_files(self) -> list[Path]:
        """Every file under ``_layouts/`` (for cache keys and the file watcher)."""
        if not self.layouts_dir.is_dir():
            return []
        return sorted(p for p in self.layouts_dir.rglob("*") if p.is_file())

    def compose(self, source: str, path: Path, variables: Mapping[str, Any]) -> tuple[str, SourceMap]:
        """Apply jinja2 to one part's ``source`` (read from ``path``); returns text and its source map."""
        if not needs_jinja(source):
            return source, SourceMap.identity(path)
        with self._lock:
            self.loader.loaded = {}
            try:
                code = self.env.compile(source, name=path.name, filename=str(path))
                globals_ = self.env.make_globals(None)
                template = self.env.template_class.from_code(self.env, code, globals_, None)
                out = template.render(dict(variables))
            except jinja2.TemplateSyntaxError as exc:
                where = Path(exc.filename) if exc.filename else path
                raise LayoutError(f"layout syntax error: {exc.message}", where, exc.lineno) from None
            except jinja2.TemplateNotFound as exc:
                where, line = self._template_frame(sys.exc_info()[2], path)
                message = f"layout {exc.name!r} not found in {self.layouts_dir}"
                raise LayoutError(message, where, line) from None
            except jinja2.exceptions.SecurityError as exc:
                where, line = self._template_frame(sys.exc_info()[2], path)
                raise LayoutError(f"layout refused by the sandbox: {exc}", where, line) from None
            except jinja2.UndefinedError as exc:
                where, line = self._template_frame(sys.exc_info()[2], path)
                raise LayoutError(f"undefined layout variable: {exc.message}", where, line) from None
            except Exception as exc:  # noqa: BLE001 - a filter/expression failing inside a layout
                where, line = self._template_frame(sys.exc_info()[2], path)
                raise LayoutError(f"layout failed: {type(exc).__name__}: {exc}", where, line) from None
            files = [path, *self.loader.loaded.values()]
            return out, SourceMap(out, files, {path: source})


_JINJA_RE = re.compile(r"\[\[.*?\]\]|\{%.*?%\}|\[#.*?#\]")


class SourceMap:
    """Maps each line of composed content back to ``(file, line)`` — best effort.

    Built by matching composed lines against the lines of the part file first, then of the layouts it
    used; a source line with ``[[ var ]]`` / ``{% ... %}`` matches as a pattern (those constructs match
    anything); lines that match nothing follow the line before them (the next line in its file).
    ``texts`` gives the text a file is matched against when it is not the saved file (the part as
    composed: an editor's unsaved buffer); other files are read from disk.
    """

    def __init__(self, composed: str | None, files: list[Path],
                 texts: Mapping[Path, str] | None = None) -> None:
        self._composed = composed  # None = identity map (no jinja ran)
        self.files = files
        self._texts = dict(texts or {})
        self._entries: list[tuple[Path, int]] | None = None

    def _lines(self, path: Path) -> list[str]:
        """The lines of ``path`` as composed (the given text, else the file); OSError if unreadable."""
        text = self._texts.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8-sig")
        return text.splitlines()

    @classmethod
    def identity(cls, path: Path) -> SourceMap:
        return cls(None, [path])

    def locate_at(self, line: int, column: int) -> tuple[Path, int, int]:
        """The (file, line, column) a 1-based composed position came from: the line as :meth:`locate`
        says, the column found by what sits there — the same Handlebars tag (its n-th occurrence on the
        line) or the same text — so a ``[[ var ]]`` earlier on the line does not shift it."""
        path, src_line = self.locate(line)
        if self._composed is None:
            return path, src_line, column
        composed_lines = self._composed.splitlines()
        if not 1 <= line <= len(composed_lines):
            return path, src_line, column
        try:
            source_lines = self._lines(path)
        except (OSError, UnicodeDecodeError):
            return path, src_line, column
        if not 1 <= src_line <= len(source_lines):
            return path, src_line, column
        return path, src_line, map_column(composed_lines[line - 1], source_lines[src_line - 1], column)

    def locate(self, line: int) -> tuple[Path, int]:
        """The (file, 1-based line) a 1-based composed line came from."""
        if self._composed is None:
            return self.files[0], max(line, 1)
        if self._entries is None:  # built on first use: compose stays cheap
            self._entries = self._build(self._composed, self.files, self._lines)
        if not self._entries:
            return self.files[0], 1
        idx = min(max(line, 1), len(self._entries)) - 1
        return self._entries[idx]

    @staticmethod
    def _build(composed: str, files: list[Path],
               read: Callable[[Path], list[str]]) -> list[tuple[Path, int]]:
        index: list[tuple[Path, list[str], list[re.Pattern[str] | None]]] = []
        for f in files:
            try:
                lines = read(f)
            except (OSError, UnicodeDecodeError):
                continue
            pats: list[re.Pattern[str] | None] = []
            for ln in lines:
                pieces = _JINJA_RE.split(ln.strip())
                # A line with jinja constructs matches as a pattern (constructs = wildcards), provided
                # enough literal text is left to mean something.
                if len(pieces) > 1 and len("".join(pieces).strip()) >= 4:
                    pats.append(re.compile(".*?".join(re.escape(p) for p in pieces) + r"\Z", re.S))
                else:
                    pats.append(None)
            index.append((f, [ln.strip() for ln in lines], pats))
        entries: list[tuple[Path, int]] = []
        cursor: dict[Path, int] = {}  # last matched line per file: prefer matches after it
        prev: tuple[Path, int] | None = None
        for text in composed.splitlines() or [""]:
            stripped = text.strip()
            hit = _best(index, stripped, cursor, prev, files[0]) if stripped else None
            if hit is None:
                hit = (prev[0], prev[1] + 1) if prev else (files[0], 1)
            else:
                cursor[hit[0]] = hit[1]
            entries.append(hit)
            prev = hit
        return entries


_HBS_TAG_RE = re.compile(r"\{\{\{?.*?\}?\}\}")


def map_column(composed: str, source: str, column: int) -> int:
    """The 1-based column in the ``source`` line of what is at ``column`` of the ``composed`` line.

    A Handlebars tag is found by its text and its rank among equal tags on the line; other text by the
    dozen characters that start there when they occur once in the source line; else ``column`` as is.
    """
    if composed == source:
        return column
    idx = column - 1
    for tag in _HBS_TAG_RE.finditer(composed):
        if tag.start() <= idx < tag.end():
            rank = len(re.findall(re.escape(tag.group()), composed[:tag.start()]))
            starts = [m.start() for m in re.finditer(re.escape(tag.group()), source)]
            if starts:
                return starts[min(rank, len(starts) - 1)] + 1 + (idx - tag.start())
            break
    snippet = composed[idx:idx + 12]
    if len(snippet) >= 3 and source.count(snippet) == 1:
        return source.index(snippet) + 1
    return column


def _best(index: list[tuple[Path, list[str], list[re.Pattern[str] | None]]], stripped: str,
          cursor: dict[Path, int], prev: tuple[Path, int] | None, child: Path) -> tuple[Path, int] | None:
    """Score every source line against one composed line; the best wins (ties: child first, then
    file order, then line order).  Exact text beats a pattern match; a line holding the composed line's
    Handlebars tags beats one that does not (the tags come from where the author wrote them); continuing
    right after the previous line's match breaks ties between generic lines like ``<tr>``."""
    tags = set(_HBS_TAG_RE.findall(stripped))
    best: tuple[int, tuple[Path, int]] | None = None
    for f, lines, pats in index:
        after = cursor.get(f, 0)
        for i, line in enumerate(lines):
            exact = line == stripped
            pat = pats[i]
            pattern = not exact and pat is not None and pat.match(stripped) is not None
            contains = bool(tags) and all(t in line for t in tags)
            if not (exact or pattern or contains):
                continue
            score = 100 if exact else 50 if pattern else 10
            if tags:
                score += 30 if contains else -40
            if prev is not None and f == prev[0] and prev[1] <= i < prev[1] + 3:
                score += 20
            if f == child:
                score += 5
            if i >= after:
                score += 2
            if best is None or score > best[0]:
                best = (score, (f, i + 1))
    return best[1] if best is not None and best[0] > 0 else None
