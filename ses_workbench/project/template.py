"""One email template: a folder with a file per part, optional ``template.toml`` and ``data/*.json``.

The folder is the source of truth: nothing is held in memory that the files do not say.  Part sources are
read when asked for; fixtures re-read themselves when their file changes; :meth:`EmailTemplate.compose`
caches its result keyed on the content of every input (parts, ``template.toml``, layout files, config), so
composing again after nothing changed is a few small reads and a hash.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.project import atomic
from ses_workbench.project.content import MAX_TEMPLATE_BYTES, PART_FILES, PARTS, TemplateContent
from ses_workbench.project.errors import (
    ConfigError,
    PartError,
    TemplateSizeError,
    UnknownFixtureError,
)
from ses_workbench.project.files import UnsafeFile, read_file
from ses_workbench.project.fixtures import Fixture, validate_fixture_name
from ses_workbench.project.layouts import SourceMap, needs_jinja
from ses_workbench.project.textgen import generate_text

if TYPE_CHECKING:
    from ses_workbench.project.model import Project

__all__ = ["DATA_DIR", "META_FILE", "META_KEYS", "EmailTemplate", "TemplateMeta"]

DATA_DIR = "data"
META_FILE = "template.toml"
#: The keys ``template.toml`` may hold; any other is kept in :attr:`TemplateMeta.extra` (lint warns).
META_KEYS = ("description", "layout_vars", "text_part", "plain_parts", "kind")
DEFAULT_FIXTURE = "default"


@dataclass(frozen=True)
class TemplateMeta:
    """``template.toml``: a description, layout variables that override the project's, and optionally
    this template's own ``text_part`` policy (e.g. ``"optional"`` for an HTML-only template pulled from
    SES into a project that generates text parts, so that it stays as SES has it), and ``plain_parts``:
    the parts that hold SES content as it is, never run through jinja2 (pull and import list a part whose
    text contains ``{%`` or ``[[``: SES content is data, and must come back from a push byte for byte)."""

    description: str = ""
    layout_vars: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    text_part: str | None = None
    plain_parts: tuple[str, ...] = ()


@dataclass
class _Composed:
    key: str
    content: TemplateContent
    maps: dict[str, SourceMap]
    text_generated: bool


class EmailTemplate:
    """A template folder; ``name`` is the folder name and the SES template name (before any env prefix)."""

    def __init__(self, project: Project, name: str, directory: Path) -> None:
        self.project = project
        self.name = name
        self.dir = directory
        self._fixtures: dict[str, Fixture] = {}
        self._composed: _Composed | None = None
        self._meta_memo: tuple[bytes, TemplateMeta] | None = None  # template.toml's bytes -> parsed
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EmailTemplate({self.name!r})"

    # -- parts -------------------------------------------------------------------------------------
    def part_path(self, part: str) -> Path:
        """The file that holds ``part`` (``subject``/``html``/``text``), whether or not it exists."""
        try:
            return self.dir / PART_FILES[part]
        except KeyError:
            raise ValueError(f"unknown part {part!r} (expected one of {', '.join(PARTS)})") from None

    def source(self, part: str) -> str | None:
        """The raw text of a part file (BOM dropped, newlines as on disk), or None when it is absent."""
        return read_part_text(self.part_path(part), self.project.root)

    def has_part(self, part: str) -> bool:
        return self.part_path(part).is_file()

    @property
    def meta_path(self) -> Path:
        return self.dir / META_FILE

    @property
    def meta(self) -> TemplateMeta:
        """The parsed ``template.toml`` (defaults when absent); ConfigError naming it when malformed."""
        path = self.meta_path
        try:
            raw = read_file(path, self.project.root)
        except FileNotFoundError:
            return TemplateMeta()
        except UnsafeFile as exc:
            raise ConfigError(f"cannot read template metadata: {exc.reason}", path) from None
        memo = self._meta_memo  # a compose asks several times (cache key, text policy, validation)
        if memo is not None and memo[0] == raw:
            return memo[1]
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"cannot read template metadata ({exc})", path) from None
        meta = _parse_meta(text, path)
        self._meta_memo = (raw, meta)
        return meta

    @property
    def description(self) -> str:
        try:
            return self.meta.description
        except ConfigError:
            return ""

    @property
    def uses_layout(self) -> bool:
        """True when any part goes through jinja2 (``{%`` or ``[[`` in it, and not a plain part)."""
        return any(needs_jinja(self.source(p) or "") and p not in self.plain_parts for p in PARTS)

    @property
    def plain_parts(self) -> tuple[str, ...]:
        """The parts ``template.toml`` keeps as plain SES content (never jinja2); () when it is broken."""
        try:
            return self.meta.plain_parts
        except ConfigError:  # reported by validation and lint
            return ()

    @property
    def text_policy(self) -> str:
        """``text_part`` for this template: its ``template.toml``'s, else the project config's."""
        try:
            own = self.meta.text_part
        except ConfigError:  # reported by validation and lint; fall back meanwhile
            own = None
        return own or self.project.config.text_part

    def set_text_policy(self, policy: str) -> Path:
        """Write ``text_part = policy`` into ``template.toml`` (atomically; other keys kept)."""
        from ses_workbench.project.config import TEXT_PART_POLICIES

        if policy not in TEXT_PART_POLICIES:
            raise ValueError(f"text_part must be one of {', '.join(TEXT_PART_POLICIES)}")
        return atomic.write_text(self.meta_path, self.meta_text_with(text_part=policy))

    def set_plain_parts(self, parts: Iterable[str]) -> Path | None:
        """Write ``plain_parts`` into ``template.toml`` (atomically; other keys kept); the key goes away
        when ``parts`` is empty.  None when nothing had to change."""
        wanted = tuple(p for p in PARTS if p in set(parts))
        if wanted == self.plain_parts:
            return None
        return atomic.write_text(self.meta_path, self.meta_text_with(plain_parts=wanted))

    def meta_text_with(self, *, text_part: str | None = None,
                       plain_parts: tuple[str, ...] | None = None) -> str:
        """``template.toml``'s text with the given top-level keys set (``plain_parts=()`` removes that
        key); comments, order and every other key are kept.  Writes nothing."""
        try:
            text = self.meta_path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            text = ""
        if text_part is not None:
            text = _set_top_level(text, "text_part", f'"{text_part}"')
        if plain_parts is not None:
            value = "[" + ", ".join(f'"{p}"' for p in plain_parts) + "]" if plain_parts else None
            text = _set_top_level(text, "plain_parts", value)
        return text

    @property
    def text_generated(self) -> bool:
        """True when the text part will be generated from the HTML (no body.txt, policy "generate")."""
        return not self.has_part("text") and self.text_policy == "generate" and self.has_part("html")

    def layout_vars(self) -> dict[str, Any]:
        """Variables visible to jinja2: project ``layout_vars`` deep-merged with this template's, plus
        ``template`` = {name, description}."""
        meta = self.meta
        merged = _deep_merge(self.project.config.layout_vars, meta.layout_vars)
        merged.setdefault("template", {"name": self.name, "description": meta.description})
        return merged

    # -- compose -----------------------------------------------------------------------------------
    def compose(self, validate: bool = True) -> TemplateContent:
        """The SES content of this template: layouts applied, text part generated when configured.

        With ``validate`` (the default) a missing subject, an empty subject, no body, a text part the
        config requires, and SES's 500 KB limit raise errors naming the file.  ``validate=False`` is for
        lint, which reports those itself and still wants the content.
        """
        with self._lock:
            composed = self._compose_cached()
        if validate:
            self._validate(composed.content)
        return composed.content

    def locate(self, part: str, line: int) -> tuple[Path, int]:
        """Where line ``line`` (1-based) of the composed ``part`` came from: ``(file, line)``, best effort.

        For a generated text part the line is traced to the HTML line holding the same text or tag.
        """
        with self._lock:
            composed = self._compose_cached()
        if part == "text" and composed.text_generated:
            return self._locate_generated_text(composed, line)
        sm = composed.maps.get(part)
        if sm is None:
            return self.part_path(part), max(line, 1)
        return sm.locate(line)

    def locate_at(self, part: str, line: int, column: int) -> tuple[Path, int, int]:
        """Like :meth:`locate`, with the column too: ``(file, line, column)`` in the file a person edits
        (jinja2 earlier on the line does not shift the column; a generated text part keeps it)."""
        with self._lock:
            composed = self._compose_cached()
        sm = composed.maps.get(part)
        if (part == "text" and composed.text_generated) or sm is None:
            path, src_line = self.locate(part, line)
            return path, src_line, column
        return sm.locate_at(line, column)

    def _compose_cached(self) -> _Composed:
        sources = {p: self.source(p) for p in PARTS}
        key = self._cache_key(sources)
        if self._composed is not None and self._composed.key == key:
            return self._composed
        layouts = self.project.layouts
        variables: dict[str, Any] | None = None
        out: dict[str, str | None] = {}
        maps: dict[str, SourceMap] = {}
        plain: tuple[str, ...] | None = None  # template.toml is read only when a part looks like jinja2
        for part in PARTS:
            src = sources[part]
            path = self.part_path(part)
            if src is None:
                out[part] = None
                continue
            if needs_jinja(src) and part not in (plain := self.plain_parts if plain is None else plain):
                if variables is None:
                    variables = self.layout_vars()
                text, smap = layouts.compose(src, path, variables)
            else:
                text, smap = src, SourceMap.identity(path)
            out[part], maps[part] = text, smap
        subject = out["subject"] or ""
        subject = subject.rstrip("\r\n")
        html = out["html"] or ""
        text_part = out["text"]
        generated = False
        if text_part is None and html and self.text_policy == "generate":
            text_part, generated = generate_text(html), True
        result = _Composed(key, TemplateContent(subject, html, text_part), maps, generated)
        self._composed = result
        return result

    def _cache_key(self, sources: dict[str, str | None]) -> str:
        h = hashlib.sha256()
        cfg = self.project.config
        h.update(repr((self.text_policy, sorted(_flatten(cfg.layout_vars)))).encode())
        for part in PARTS:
            src = sources[part]
            h.update(b"\0N" if src is None else b"\0S" + src.encode("utf-8", "surrogatepass"))
        if any(src is not None and needs_jinja(src) for src in sources.values()):
            try:
                h.update(self.meta_path.read_bytes())
            except OSError:
                h.update(b"\0nometa")
            for f in self.project.layouts.layout_files():
                try:
                    st = f.stat()
                except OSError:
                    continue
                h.update(f"{f}\0{st.st_mtime_ns}\0{st.st_size}".encode())
        return h.hexdigest()

    def _validate(self, content: TemplateContent) -> None:
        subject_path = self.part_path("subject")
        if not subject_path.is_file():
            raise PartError("missing subject.txt (every template needs a subject)", subject_path)
        if not content.subject.strip():
            raise PartError("the subject is empty (SES rejects an empty subject)", subject_path)
        if "\n" in content.subject or "\r" in content.subject:
            raise PartError("the subject must be one line", subject_path)
        if not self.has_part("html") and not self.has_part("text"):
            raise PartError("no body: add body.html (and optionally body.txt)", self.part_path("html"))
        self.meta  # noqa: B018 - a broken template.toml raises ConfigError (its text_part was ignored)
        if self.text_policy == "require" and not self.has_part("text"):
            where = "the project config" if self.project.config.text_part == "require" else META_FILE
            raise PartError(f"missing body.txt ({where} says text_part = \"require\")",
                            self.part_path("text"))
        size = content.size_bytes
        if size > MAX_TEMPLATE_BYTES:
            biggest = self.part_path("html") if len(content.html) >= len(content.text or "") \
                else self.part_path("text")
            raise TemplateSizeError(
                f"the composed template is {size:,} bytes (HTML + text); SES allows at most "
                f"{MAX_TEMPLATE_BYTES:,}", biggest)

    def _locate_generated_text(self, composed: _Composed, line: int) -> tuple[Path, int]:
        html_path = self.part_path("html")
        text_lines = (composed.content.text or "").splitlines()
        if not 1 <= line <= len(text_lines):
            return html_path, 1
        wanted = " ".join(text_lines[line - 1].split())
        html_lines = composed.content.html.splitlines()
        plain = [" ".join(re.sub(r"<[^>]*>", " ", hl).split()) for hl in html_lines]
        sm = composed.maps.get("html")
        candidates: list[tuple[list[str], str]] = []
        if wanted:
            candidates.append((plain, wanted))
            # link text "label (url)" in the text; the label alone in the HTML
            candidates.append((plain, re.sub(r" \([^()]*\)$", "", wanted)))
        candidates += [(html_lines, tag) for tag in _tags_in(wanted)]
        for haystack, needle in candidates:
            if not needle:
                continue
            for i, hl in enumerate(haystack, 1):
                if needle in hl and "display:none" not in html_lines[i - 1]:
                    return sm.locate(i) if sm else (html_path, i)
        return html_path, 1

    # -- fixtures ----------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.dir / DATA_DIR

    @property
    def fixtures(self) -> dict[str, Fixture]:
        """Fixtures by name (``data/<name>.json``), sorted by name; rescanned on each access."""
        found: dict[str, Fixture] = {}
        if self.data_dir.is_dir():
            for path in sorted(self.data_dir.glob("*.json")):
                # A broken or looping link, a FIFO, a link out of the project: listed, and its error says
                # why it cannot be read (never skipped silently, never replaced by another fixture).
                if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
                    continue
                name = path.stem
                fx = self._fixtures.get(name)
                if fx is None or fx.path != path:
                    fx = Fixture(name, path, root=self.project.root)
                found[name] = fx
        self._fixtures = found
        return dict(found)

    def fixture(self, name: str | None = None) -> Fixture:
        """A fixture by name; without a name ``default`` if present, else the first one."""
        fixtures = self.fixtures
        if name is None:
            if not fixtures:
                raise UnknownFixtureError(f"template {self.name!r} has no fixtures (add data/default.json)",
                                          self.data_dir)
            return fixtures.get(DEFAULT_FIXTURE) or next(iter(fixtures.values()))
        if name.endswith(".json"):
            name = name[:-5]
        try:
            return fixtures[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(fixtures), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else (
                f" (known: {', '.join(fixtures)})" if fixtures else " (it has none)")
            raise UnknownFixtureError(f"template {self.name!r} has no fixture {name!r}{hint}",
                                      self.data_dir / f"{name}.json") from None

    # -- writes (all atomic) -----------------------------------------------------------------------
    def write_part(self, part: str, text: str) -> Path:
        """Replace a part file's text atomically (byte for byte: no newline translation)."""
        path = self.part_path(part)
        atomic.write_text(path, text)
        return path

    def delete_part(self, part: str) -> Path | None:
        """Move a part file to the project trash (e.g. drop body.txt to let it be generated)."""
        path = self.part_path(part)
        if not path.exists():
            return None
        return self.project.trash(path)

    def write_fixture(self, name: str, text: str) -> Fixture:
        """Create or replace ``data/<name>.json`` (written as given, even if it is not valid JSON yet)."""
        validate_fixture_name(name, self.data_dir / f"{name}.json")
        path = self.data_dir / f"{name}.json"
        atomic.write_text(path, text)
        return self.fixtures[name]

    def delete_fixture(self, name: str) -> Path:
        """Move a fixture to the project trash; returns where it went."""
        fx = self.fixture(name)
        return self.project.trash(fx.path)

    def write_meta(self, text: str) -> Path:
        """Replace ``template.toml`` (validated first: a broken file is refused, naming it)."""
        _parse_meta(text, self.meta_path)
        return atomic.write_text(self.meta_path, text)


def read_part_text(path: Path, root: Path) -> str | None:
    """A part file's text (BOM dropped, newlines as on disk), None when absent; PartError naming it when it
    is not a regular file inside ``root`` (no FIFO, no link out of the project: project.files) or not
    UTF-8."""
    try:
        data = read_file(path, root)
    except FileNotFoundError:
        return None
    except UnsafeFile as exc:
        raise PartError(exc.reason, path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PartError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None


def _parse_meta(text: str, path: Path) -> TemplateMeta:
    from ses_workbench.project.config import TEXT_PART_POLICIES, key_position, parse_toml

    raw = parse_toml(text, path)

    def wrong(message: str, key: str) -> ConfigError:
        return ConfigError(message, path, *(key_position(text, (key,)) or (None, None)))

    description = raw.get("description", "")
    if not isinstance(description, str):
        raise wrong("description must be a string", "description")
    layout_vars = raw.get("layout_vars", {})
    if not isinstance(layout_vars, dict):
        raise wrong("layout_vars must be a table", "layout_vars")
    text_part = raw.get("text_part")
    if text_part is not None and text_part not in TEXT_PART_POLICIES:
        raise wrong(f"text_part must be one of {', '.join(TEXT_PART_POLICIES)}, not {text_part!r}",
                    "text_part")
    plain = raw.get("plain_parts", [])
    if not isinstance(plain, list) or any(p not in PARTS for p in plain):
        raise wrong(f"plain_parts must be a list of part names ({', '.join(PARTS)})", "plain_parts")
    extra = {k: v for k, v in raw.items() if k not in META_KEYS}
    return TemplateMeta(description=description, layout_vars=layout_vars, extra=extra, text_part=text_part,
                        plain_parts=tuple(p for p in PARTS if p in plain))


_TABLE_LINE = re.compile(r"^\s*\[", re.MULTILINE)


def _set_top_level(text: str, key: str, value: str | None) -> str:
    """TOML ``text`` with the one-line top-level ``key = value`` set where it is (before the first
    [table]), else put first; ``value`` None removes the line."""
    table = _TABLE_LINE.search(text)
    head, tail = (text[:table.start()], text[table.start():]) if table else (text, "")
    line = re.compile(rf"^{re.escape(key)}\s*=.*(?:\n|\Z)", re.MULTILINE)
    if value is None:
        return line.sub("", head, count=1) + tail
    new = f"{key} = {value}\n"
    head, count = line.subn(lambda _m: new, head, count=1)
    return head + tail if count else new + text


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(d, dict):
        items: list[tuple[str, str]] = []
        for k, v in d.items():
            items += _flatten(v, f"{prefix}.{k}")
        return items
    return [(prefix, repr(d))]


def _tags_in(text: str) -> list[str]:
    return re.findall(r"\{\{\{?.*?\}?\}\}", text)

