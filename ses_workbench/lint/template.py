"""Linting one template: its own rules (name, size, subject, text part, layout, syntax, unknown
helpers, ``template.toml``) and, against each fixture, missing data, ``each`` over a non-list, unused
keys and the points where SES's behaviour is not known.

Missing data is found by *rendering* with the engine, the same judge as the preview: SES stops at the
first missing attribute, but a person wants them all, so the renderer is run again with each missing path
filled by a sentinel (:func:`ses_workbench.lint.data._fill`), a bounded number of times.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.engine import (
    Dialect,
    EngineError,
    MissingAttributeError,
    Reference,
    Template,
    TemplateSyntaxError,
)
from ses_workbench.engine import compile as compile_source
from ses_workbench.limits import template_data_problem
from ses_workbench.lint.data import (
    _display,
    _fill,
    _fill_parents,
    _json_positions,
    _json_type,
    _parent_display,
    _parent_scope_name,
    _short,
    _walk,
    unused_paths,
)
from ses_workbench.lint.diagnostic import Diagnostic, _one_line
from ses_workbench.project.content import MAX_TEMPLATE_BYTES, NAME_RE, PARTS
from ses_workbench.project.errors import (
    ConfigError,
    FixtureError,
    LayoutError,
    ProjectError,
    TemplateSizeError,
)
from ses_workbench.render import compile_content, map_location

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate

#: How many missing attributes are collected per part and fixture before giving up.
MAX_MISSING_PER_PART = 50
#: SES fills this one in when sending with list management; it is never missing.
RESERVED = "amazonSESUnsubscribeUrl"

_BLOCK_HELPER_RE = re.compile(r"\{\{~?\s*#\*?\s*([^\s}~()]+)")


class _TemplateLinter:
    def __init__(self, tpl: EmailTemplate, dialect: Dialect, config: Any) -> None:
        self.tpl = tpl
        self.dialect = dialect
        self.config = config if config is not None else _config_of(tpl)
        self.diags: list[Diagnostic] = []
        self.sources: dict[str, str] = {}
        self.compiled: dict[str, Template] = {}
        self.refs: dict[str, tuple[Reference, ...]] = {}
        self.helper_at: dict[tuple[str, int, int], str] = {}
        self.content: Any = None
        self.probe: dict[str, Template] | None = None

    # -- helpers ------------------------------------------------------------------------------
    def add(self, severity: str, code: str, message: str, path: Path | str | None, line: int | None = 1,
            column: int | None = 1, *, part: str | None = None, fixture: str | None = None) -> None:
        self.diags.append(Diagnostic(
            severity=severity, code=code, message=message,
            path=str(path if path is not None else self.tpl.dir),
            line=line or 1, column=column or 1,
            template=self.tpl.name, part=part, fixture=fixture,
        ))

    def add_at(self, severity: str, code: str, message: str, part: str, line: int | None,
               column: int | None, *, fixture: str | None = None) -> None:
        """A diagnostic at a position of the composed ``part``, mapped to the edited file."""
        path, mline, mcol = map_location(self.tpl, part, line, column)
        self.add(severity, code, message, path, mline, mcol, part=part, fixture=fixture)

    def part_path(self, part: str) -> Path | str:
        try:
            return Path(self.tpl.part_path(part))
        except Exception:  # noqa: BLE001
            return Path(self.tpl.dir)

    # -- checks -------------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        tpl = self.tpl
        if not NAME_RE.match(tpl.name):
            self.add("error", "bad-name",
                     f"template name {tpl.name!r} is not allowed by SES (letters, digits, '_' and '-', "
                     "1 to 64 characters)", tpl.dir)
        fixtures = list(tpl.fixtures.values())
        meta_broken = self.check_meta()
        try:
            content = _compose(tpl)
        except (LayoutError, TemplateSizeError, ProjectError) as err:
            if meta_broken and isinstance(err, ConfigError):  # the same broken template.toml
                for fx in fixtures:
                    self.fixture_data(fx)
                return self.diags
            code = "too-large" if isinstance(err, TemplateSizeError) else "layout"
            self.add("error", code, _one_line(getattr(err, "message", str(err))),
                     getattr(err, "path", None) or tpl.dir, getattr(err, "line", None),
                     getattr(err, "column", None))
            for fx in fixtures:
                self.fixture_data(fx)  # still report broken JSON
            return self.diags
        self.content = content
        self.check_content(content)
        self.compile_parts(content)
        self.check_static_refs()
        if not fixtures:
            self.add("warning", "no-fixture",
                     "template has no fixture in data/: nothing checks the data it needs",
                     Path(tpl.dir) / "data")
        for fx in fixtures:
            data = self.fixture_data(fx)
            if data is _BROKEN:
                continue
            self.check_fixture(fx.name, Path(fx.path), getattr(fx, "text", None), data)
        if _text_generated(tpl):
            self.drop_generated_twins()
        return self.diags

    def check_meta(self) -> bool:
        """``template.toml``: an error when it is malformed or a value is wrong (push refuses the template;
        its text_part or layout_vars would otherwise be ignored), a warning per unknown key.  True when
        it is broken."""
        from ses_workbench.project.config import did_you_mean, key_position
        from ses_workbench.project.template import META_KEYS

        meta_path = getattr(self.tpl, "meta_path", None)
        if meta_path is None:
            return False
        try:
            meta = self.tpl.meta
        except ConfigError as err:
            self.add("error", "template-toml", _one_line(err.message), err.path or meta_path, err.line,
                     err.column)
            return True
        if meta.extra:
            try:
                text = Path(meta_path).read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            for key in sorted(meta.extra):
                line, column = key_position(text, (key,)) or (1, 1)
                self.add("warning", "unknown-key",
                         f"unknown key {key!r} in template.toml is ignored{did_you_mean(key, META_KEYS)} "
                         f"(known: {', '.join(META_KEYS)})", meta_path, line, column)
        return False

    def drop_generated_twins(self) -> None:
        """A generated text part repeats the HTML's tags: report each finding once, on the HTML."""
        html = {(d.code, d.message, d.fixture) for d in self.diags if d.part == "html"}
        self.diags = [d for d in self.diags
                      if not (d.part == "text" and (d.code, d.message, d.fixture) in html)]

    def check_content(self, content: Any) -> None:
        size = _size_bytes(content)
        if size > MAX_TEMPLATE_BYTES:
            self.add("error", "too-large",
                     f"composed template is {size:,} bytes (HTML + text); SES allows at most "
                     f"{MAX_TEMPLATE_BYTES:,}", self.part_path("html"), part="html")
        subject_path = self.part_path("subject")
        if not Path(subject_path).is_file():
            self.add("error", "empty-subject", "no subject.txt: every SES template needs a subject",
                     subject_path, part="subject")
        elif not (content.subject or "").strip():
            self.add("error", "empty-subject", "the subject is empty (SES rejects an empty subject)",
                     subject_path, part="subject")
        elif "\n" in content.subject or "\r" in content.subject:
            first = content.subject.splitlines()[0] if content.subject.splitlines() else ""
            self.add("error", "subject-newline", "the subject must be one line", subject_path,
                     1, len(first) + 1, part="subject")
        has_text_file = Path(self.part_path("text")).is_file()
        if not (content.html or "").strip() and content.text is None:
            self.add("error", "no-body", "no body: add body.html (and optionally body.txt)",
                     self.part_path("html"), part="html")
        policy = _text_policy(self.tpl, self.config)
        if policy == "require" and not has_text_file:
            self.add("error", "missing-text",
                     "no text part (body.txt) and text_part = \"require\"", self.part_path("text"),
                     part="text")
        elif content.text is None and policy == "generate" and (content.html or "").strip():
            self.add("warning", "missing-text", "no text part: some mail clients show only the text part",
                     self.part_path("text"), part="text")

    def compile_parts(self, content: Any) -> None:
        for part in PARTS:
            src = getattr(content, part)
            if src is None:
                continue
            self.sources[part] = src
        try:  # the common case: one cached compilation shared with the preview
            compiled = compile_content(content, self.dialect)
            self.compiled = dict(compiled.parts())
        except EngineError:
            for part, src in self.sources.items():
                try:
                    self.compiled[part] = compile_source(src, self.dialect)
                except EngineError as err:
                    self.report_compile_error(part, err)
        for part, tpl in self.compiled.items():
            try:
                self.refs[part] = tuple(tpl.references())
            except EngineError as err:  # pragma: no cover - analysis is the engine's job
                self.report_compile_error(part, err)
                self.refs[part] = ()
            lines = self.sources[part].splitlines(keepends=True)
            for ref in self.refs[part]:
                helper = _block_helper(lines, ref.line, ref.column)
                if helper is not None:
                    self.helper_at[(part, ref.line, ref.column)] = helper

    def report_compile_error(self, part: str, err: EngineError) -> None:
        msg = _one_line(err.message)
        code = "syntax"
        if isinstance(err, TemplateSyntaxError) and _is_partial_error(err):
            code = "undefined-partial"
        elif isinstance(err, MissingAttributeError):
            code = "unknown-helper"
        self.add_at("error", code, msg, part, err.line, err.column)

    def check_static_refs(self) -> None:
        for part, refs in self.refs.items():
            for ref in refs:
                if ref.kind == "unknown-helper":
                    name = ref.path
                    hint = _helper_hint(name)
                    self.add_at("error", "unknown-helper",
                                f"unknown helper '{name}': SES has only if, unless, each, with, lookup, log "
                                f"and fails with \"Attribute '{name}' is not present in the rendering data.\""
                                + hint, part, ref.line, ref.column)
                elif ref.kind in ("undefined-partial", "unknown-partial"):
                    self.add_at("error", "undefined-partial", f"partial '{ref.path}' is never defined in the "
                                f"{part} part (SES rejects the template)", part, ref.line, ref.column)

    def fixture_data(self, fx: Any) -> Any:
        err = getattr(fx, "error", None)
        if err is None:
            try:
                data = fx.data
            except FixtureError as exc:
                err = exc
            except ValueError as exc:  # a plain JSON error
                err = FixtureError(str(exc), fx.path, getattr(exc, "lineno", None),
                                   getattr(exc, "colno", None))
        if err is not None:
            msg = _one_line(getattr(err, "message", None) or str(err))
            if msg.startswith("invalid JSON: "):  # FixtureError's own wording: do not say it twice
                msg = "fixture is not valid JSON: " + msg[len("invalid JSON: "):]
            elif not msg.startswith("a fixture "):
                msg = "fixture is not valid JSON: " + msg
            self.add("error", "broken-json", msg,
                     getattr(err, "path", None) or fx.path, getattr(err, "line", None),
                     getattr(err, "column", None), fixture=fx.name)
            return _BROKEN
        if not isinstance(data, dict):
            self.add("error", "broken-json",
                     f"fixture must be a JSON object (SES's TemplateData), not {_json_type(data)}",
                     fx.path, fixture=fx.name)
            return _BROKEN
        too_long = template_data_problem(data)
        if too_long is not None:  # SES refuses the send (the send plan refuses fixtures lint fails)
            self.add("error", "template-data-too-long", too_long, fx.path, fixture=fx.name)
        return data

    # -- per fixture ---------------------------------------------------------------------------
    def check_fixture(self, fx_name: str, fx_path: Path, fx_text: str | None, data: dict[str, Any]) -> None:
        for part, tpl in self.compiled.items():
            self.check_missing(part, tpl, fx_name, data)
            self.check_block_args(part, fx_name, data)
        if len(self.compiled) == len(self.sources):  # every part compiled: the reference list is complete
            self.check_unused(fx_name, fx_path, fx_text, data)

    def check_missing(self, part: str, tpl: Template, fx_name: str, data: dict[str, Any]) -> None:
        work = data  # copied before the first fill: most fixtures render as they are
        seen: set[tuple[int | None, int | None, str]] = set()
        refs = self.refs.get(part, ())
        for _ in range(MAX_MISSING_PER_PART):
            try:
                tpl.render(work)
                self.check_uncertain_parents(part, fx_name, work)
                return
            except MissingAttributeError as err:
                key = (err.line, err.column, err.attribute)
                if key in seen:
                    return
                seen.add(key)
                ref = _ref_for(refs, err)
                if ref is not None and ref.kind == "unknown-helper":
                    return  # reported once, without a fixture; rendering cannot go past it
                if err.attribute == RESERVED:  # pragma: no cover - the engine knows it is reserved
                    return
                self.report_missing(part, fx_name, data, err, ref)
                if ref is None:
                    return
                if work is data:
                    work = copy.deepcopy(data)
                if not _fill(work, ref.segments):
                    return
            except EngineError as err:
                self.add_at("error", "render", f"{_one_line(err.message)} (fixture '{fx_name}')",
                            part, err.line, err.column, fixture=fx_name)
                return
        self.add_at("warning", "missing-attribute",
                    f"stopped after {MAX_MISSING_PER_PART} missing attributes (fixture '{fx_name}')",
                    part, 1, 1, fixture=fx_name)

    def check_uncertain_parents(self, part: str, fx_name: str, data: dict[str, Any]) -> None:
        """``{{#if a.b}}`` reached with ``a`` missing: false here, a TypeError in handlebars.js.

        Rendered again with the dialect set to fail there (``if_missing_parent="error"``), so only
        tests that are really reached with this fixture are reported.
        """
        if self.dialect.if_missing_parent != "false" or self.content is None:
            return
        if self.probe is None:
            try:
                probe = compile_content(self.content, replace(self.dialect, if_missing_parent="error"))
            except EngineError:  # pragma: no cover - the same source compiled with the real dialect
                return
            self.probe = dict(probe.parts())
        tpl = self.probe.get(part)
        if tpl is None:
            return
        work = data  # copied before the first fill
        refs = self.refs.get(part, ())
        seen: set[tuple[int | None, int | None, str]] = set()
        for _ in range(MAX_MISSING_PER_PART):
            try:
                tpl.render(work)
                return
            except MissingAttributeError as err:
                key = (err.line, err.column, err.attribute)
                if key in seen:
                    return
                seen.add(key)
                ref = _ref_for(refs, err, kinds=("block", "helper-arg"))
                if ref is None or ref.kind == "output":
                    return  # not a test: pass 1 already reported what is missing
                segs = tuple(ref.segments)
                parent = _parent_display(work, segs)
                tag = _tag_text(self.sources.get(part, ""), err.line, err.column) or f"{{{{{ref.path}}}}}"
                self.add_at("warning", "uncertain-if-path",
                            f"{tag} is reached with no '{parent}' in fixture '{fx_name}': false here, but "
                            f"SES may reject it; test '{parent}' in an enclosing {{{{#if}}}} first",
                            part, err.line, err.column, fixture=fx_name)
                if work is data:
                    work = copy.deepcopy(data)
                if not _fill_parents(work, segs):
                    return
            except EngineError:
                return

    def report_missing(self, part: str, fx_name: str, data: dict[str, Any], err: MissingAttributeError,
                       ref: Reference | None) -> None:
        hint = err.hint
        name = _parent_scope_name(ref, data)
        if name is not None:
            self.add_at("error", "parent-scope",
                        f"{err.message} '{name}' is not in the {{{{#each}}}} item but exists outside it, and "
                        f"whether SES looks in the parent scope is unverified: write ../{name} "
                        f"(or @root.{name}), which works either way (fixture '{fx_name}')",
                        part, err.line, err.column, fixture=fx_name)
            return
        extra = f" — {hint}" if hint else ""
        where = f"has no value for '{ref.path}'" if ref is not None else "lacks it"
        self.add_at("error", "missing-attribute",
                    f"{err.message} (fixture '{fx_name}' {where}: SES's TestRender fails and a real "
                    f"send is silently dropped){extra}", part, err.line, err.column, fixture=fx_name)

    def check_block_args(self, part: str, fx_name: str, data: dict[str, Any]) -> None:
        for ref in self.refs.get(part, ()):
            segs = tuple(ref.segments)
            if self.dialect.parent_scope_lookup and ref.kind != "block":
                name = _parent_scope_name(ref, data)
                if name is not None:
                    self.add_at("warning", "parent-scope",
                                f"'{name}' is found only by parent-scope lookup, which SES may not do: "
                                f"write ../{name} or @root.{name} (fixture '{fx_name}')",
                                part, ref.line, ref.column, fixture=fx_name)
            helper = self.helper_at.get((part, ref.line, ref.column))
            if helper is None or ref.kind not in ("block", "each", "if", "unless", "with"):
                continue
            if helper == "each":
                for value in _walk(data, segs):
                    if value is not None and not isinstance(value, (list, dict)):
                        # SES (like handlebars.js) iterates only lists and objects: over anything else
                        # the loop renders its {{else}} or nothing, and the email still goes out
                        self.add_at("warning", "each-non-list",
                                    f"{{{{#each {ref.path}}}}} iterates a list (or an object) but fixture "
                                    f"'{fx_name}' has {_json_type(value)} {_short(value)}: SES renders "
                                    "nothing for the loop (its {{else}} if it has one)",
                                    part, ref.line, ref.column, fixture=fx_name)
                        break

    def check_unused(self, fx_name: str, fx_path: Path, fx_text: str | None, data: dict[str, Any]) -> None:
        all_refs = [(part, ref) for part, refs in self.refs.items() for ref in refs]
        whole: list[tuple[str, ...]] = []
        through: list[tuple[str, ...]] = []
        for _part, ref in all_refs:
            segs = tuple(ref.segments)
            if ref.kind == "block":  # tested or iterated: only what is read below it counts
                through.append(segs)
            elif ref.kind in ("unknown-helper", "partial", "reserved"):
                continue  # names, not data
            else:  # printed, passed to a partial or to lookup: everything below may be read
                whole.append(segs)
        # a name inside {{#each}} may be meant for an enclosing scope (SES may look there): count it there too
        for segs in list(whole):
            if "[]" in segs and segs[-1] != "[]":
                name = segs[-1]
                for j, seg in enumerate(segs[:-1]):
                    if seg == "[]" and j > 1:
                        whole.append(segs[:j - 1] + (name,))
                whole.append((name,))
        through.extend(whole)
        positions: dict[Any, tuple[int, int]] | None = None  # found when there is something to report
        reported: set[tuple[str, ...]] = set()
        for concrete in unused_paths(data, whole, through):
            general = tuple("[]" if isinstance(s, int) else s for s in concrete)
            if general in reported or general == (RESERVED,):
                continue
            reported.add(general)
            if positions is None:
                positions = _json_positions(fx_text) if fx_text else {}
            line, col = positions.get(concrete, (1, 1))
            self.add("warning", "unused-key",
                     f"'{_display(general)}' in fixture '{fx_name}' is not used by the template",
                     fx_path, line, col, fixture=fx_name)


_BROKEN = object()


def _text_policy(tpl: Any, config: Any) -> str:
    """The template's own ``text_part`` (template.toml), else the config's, else "generate"."""
    try:
        own = tpl.meta.text_part
    except Exception:  # noqa: BLE001 - a malformed template.toml is reported on its own
        own = None
    if isinstance(own, str):
        return own
    return getattr(config, "text_part", "generate") if config is not None else "generate"


_TAG_RE = re.compile(r"\{\{[^}]{0,80}\}\}")


def _tag_text(source: str, line: int | None, column: int | None) -> str | None:
    """The mustache as written at (line, column), for messages."""
    if not line or not column:
        return None
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    m = _TAG_RE.match(lines[line - 1], column - 1)
    return " ".join(m.group(0).split()) if m else None


def _block_helper(lines: list[str], line: int, column: int) -> str | None:
    """The block helper name of the mustache at (line, column), e.g. ``each`` for ``{{#each x}}``."""
    if not (1 <= line <= len(lines)):
        return None
    rest = lines[line - 1][column - 1:]
    m = _BLOCK_HELPER_RE.match(rest)
    if m is None and line < len(lines):  # a tag may wrap onto the next line
        m = _BLOCK_HELPER_RE.match(rest + lines[line])
    return m.group(1) if m else None


def _ref_for(refs: tuple[Reference, ...], err: MissingAttributeError,
             kinds: tuple[str, ...] | None = None) -> Reference | None:
    """The reference an engine error is about: same position and a matching name, else None.

    The error names the attribute as written (``it.name``, ``@root.shop``, ``this``); the
    reference holds the path resolved from the data root (``items[].name``).
    """
    if kinds is not None:
        refs = tuple(r for r in refs if r.kind in kinds)
    at = [r for r in refs if r.line == err.line and r.column == err.column]
    attr = err.attribute
    last = attr.split(".")[-1]
    for r in at:
        if r.path == attr:
            return r
    for r in at:
        if r.segments and r.segments[-1] == last:
            return r
    if last in ("this", "") or attr.startswith("../"):
        for r in at:
            if r.kind == "output" or kinds is not None:
                return r
    return None


_BUILTINS = ("if", "unless", "each", "with", "lookup", "log")


def _helper_hint(name: str) -> str:
    low = name.lower()
    if low in _BUILTINS and name != low:
        return f" — helpers are case-sensitive: write '{low}'"
    return ""


def _is_partial_error(err: TemplateSyntaxError) -> bool:
    if getattr(err, "partial", None):
        return True
    return "partial" in err.message.lower() and ("not defined" in err.message or "undefined" in err.message
                                                 or "never defined" in err.message
                                                 or "could not be found" in err.message)


def _text_generated(tpl: Any) -> bool:
    try:
        return bool(getattr(tpl, "text_generated", False))
    except Exception:  # noqa: BLE001 - a property reading files; lint goes on without it
        return False


def _compose(tpl: Any) -> Any:
    """The composed content without the project's own validation (lint reports those itself)."""
    try:
        return tpl.compose(validate=False)
    except TypeError:  # an EmailTemplate-like object without the flag
        return tpl.compose()


def _size_bytes(content: Any) -> int:
    size = getattr(content, "size_bytes", None)
    if isinstance(size, int):
        return size
    return sum(len((getattr(content, p) or "").encode("utf-8")) for p in ("html", "text"))


def _config_of(tpl: Any) -> Any:
    project = getattr(tpl, "project", None)
    return getattr(tpl, "config", None) or getattr(project, "config", None)
