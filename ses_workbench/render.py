"""Rendering a template's three parts with data: the one path from SES content to an email.

This module owns the step between the project model (which composes layouts and produces
the Handlebars content SES stores) and everything that shows or checks a rendered email:
the CLI, the live preview, lint, the bulk fixture check and the local SES endpoint.

Compiling is the expensive step, so :func:`compile_content` keeps an LRU cache keyed by the
content hash and the dialect: a preview that re-renders on every keystroke of the *data*,
or a lint pass over many fixtures, never recompiles unchanged content.

Engine errors leave here *located*: ``err.template``, ``err.part`` and ``err.path`` are set
and ``err.line`` points into the file a person edits (layout composition shifts lines; the
project model maps them back when it can).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ses_workbench.engine import DEFAULT_DIALECT, Dialect, EngineError, Reference, Template
from ses_workbench.engine import compile as compile_source
from ses_workbench.project.content import PARTS

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate, Fixture, TemplateContent

__all__ = [
    "CompiledEmail",
    "RenderedEmail",
    "cache_info",
    "clear_cache",
    "compile_content",
    "generate_text",
    "locate_error",
    "map_location",
    "render_template",
]

_CACHE_SIZE = 256


@dataclass(frozen=True)
class RenderedEmail:
    """One email as SES would produce it: the three rendered parts (``text`` may be absent)."""

    template: str | None
    fixture: str | None
    subject: str
    html: str
    text: str | None

    def part(self, name: str) -> str | None:
        """The rendered text of ``subject``, ``html`` or ``text``."""
        if name not in PARTS:
            raise ValueError(f"unknown part {name!r}; expected one of {', '.join(PARTS)}")
        value: str | None = getattr(self, name)
        return value

    def to_mime(self, sender: str = "sender@example.com",
                to: str | list[str] = "recipient@example.com") -> bytes:
        """The MIME message SES's TestRenderEmailTemplate would return for this email."""
        from ses_workbench.mime import build_mime

        return build_mime(self, sender=sender, to=to)


@dataclass(frozen=True, eq=False)
class CompiledEmail:
    """The three parts compiled once; :meth:`render` never re-parses.

    Instances are shared through the cache: treat them as immutable.
    """

    subject: Template
    html: Template
    text: Template | None
    dialect: Dialect = DEFAULT_DIALECT
    content_hash: str = ""
    _refs: tuple[tuple[str, Reference], ...] | None = field(default=None, repr=False)

    def parts(self) -> Iterator[tuple[str, Template]]:
        """``(part, compiled template)`` for each part present."""
        yield "subject", self.subject
        yield "html", self.html
        if self.text is not None:
            yield "text", self.text

    def render_part(self, part: str, data: Any) -> str:
        """Render one part; an engine error comes back with ``err.part`` set."""
        tpl: Template | None = getattr(self, part) if part in PARTS else None
        if tpl is None:
            raise ValueError(f"no {part!r} part")
        try:
            return tpl.render(data)
        except EngineError as err:
            raise err.located(part=part) from None

    def render(self, data: Any, *, template: str | None = None, fixture: str | None = None) -> RenderedEmail:
        """Render all parts with ``data`` (SES's TemplateData, already parsed)."""
        subject = self.render_part("subject", data)
        html = self.render_part("html", data)
        text = self.render_part("text", data) if self.text is not None else None
        return RenderedEmail(template=template, fixture=fixture, subject=subject, html=html, text=text)

    def references(self) -> tuple[tuple[str, Reference], ...]:
        """Every data path the parts use, as ``(part, Reference)`` in part order then source order."""
        refs = self._refs
        if refs is None:
            refs = tuple((part, ref) for part, tpl in self.parts() for ref in tpl.references())
            object.__setattr__(self, "_refs", refs)  # memoised; the templates never change
        return refs


_V = TypeVar("_V")


class _LRU(Generic[_V]):
    """A small thread-safe LRU (the TUI renders from worker threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, Dialect], _V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, Dialect]) -> _V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, Dialect], value: _V) -> _V:
        with self._lock:
            existing = self._data.get(key)
            if existing is not None:  # another thread compiled it meanwhile: keep one object
                return existing
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


_cache: _LRU[CompiledEmail] = _LRU(_CACHE_SIZE)
# Parts too: an edit changes one part, and the others (subject, a long text part) need not be compiled
# again for the new content.  Keyed on a digest, so the cache never holds the sources themselves.
_parts: _LRU[Template] = _LRU(_CACHE_SIZE * 3)


def _compile_part(source: str, dialect: Dialect) -> Template:
    key = (hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(), dialect)
    cached = _parts.get(key)
    if cached is not None:
        return cached
    return _parts.put(key, compile_source(source, dialect))


def clear_cache() -> None:
    """Forget every compiled template (tests, memory); correctness never needs it: keys are content hashes."""
    _cache.clear()
    _parts.clear()


def cache_info() -> dict[str, int]:
    """Hits, misses and current size of the compile cache."""
    return {"hits": _cache.hits, "misses": _cache.misses, "size": len(_cache._data), "maxsize": _cache.size}


def compile_content(content: TemplateContent, dialect: Dialect = DEFAULT_DIALECT) -> CompiledEmail:
    """Compile SES content (subject, html, optional text), or return the cached compilation.

    Raises :class:`~ses_workbench.engine.TemplateSyntaxError` with ``err.part`` set; failures
    are not cached (the next edit changes the content anyway).
    """
    key = (content.content_hash(), dialect)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    compiled: dict[str, Template | None] = {}
    for part in PARTS:
        source: str | None = getattr(content, part)
        if source is None:
            if part != "text":
                source = ""  # SES treats an absent subject/html as empty
            else:
                compiled[part] = None
                continue
        try:
            compiled[part] = _compile_part(source, dialect)
        except EngineError as err:
            raise err.located(part=part) from None
    subject, html = compiled["subject"], compiled["html"]
    assert subject is not None and html is not None
    email = CompiledEmail(subject=subject, html=html, text=compiled["text"], dialect=dialect,
                          content_hash=key[0])
    return _cache.put(key, email)


def map_location(tpl: EmailTemplate, part: str, line: int | None,
                 column: int | None) -> tuple[str | None, int | None, int | None]:
    """``(file, line, column)`` a person edits for a position in the *composed* ``part``.

    Layouts shift lines and columns; when the project model can map a composed position back
    (``EmailTemplate.locate_at(part, line, column)``, or ``locate(part, line)`` for the line alone) its
    answer wins, else the part's own file is named.
    """
    path: str | None
    try:
        path = str(tpl.part_path(part))
    except Exception:  # noqa: BLE001 - an unknown part file still leaves a useful message
        path = None
    locate: Callable[..., Any] | None = getattr(tpl, "locate", None)
    if locate is None or line is None:
        return path, line, column
    locate_at: Callable[..., Any] | None = getattr(tpl, "locate_at", None)
    if locate_at is not None and column is not None:
        try:
            file, src_line, src_column = locate_at(part, line, column)
            return str(file), src_line, src_column
        except Exception:  # noqa: BLE001 - mapping is best effort: fall back to the line alone
            pass
    try:
        where = locate(part, line)
    except Exception:  # noqa: BLE001 - mapping is best effort; the composed line still helps
        return path, line, column
    if where is None:
        return path, line, column
    if isinstance(where, int):
        return path, where, column
    if isinstance(where, tuple) and len(where) >= 2:
        return (str(where[0]) if where[0] is not None else path), where[1], column
    wpath, wline = getattr(where, "path", None), getattr(where, "line", None)
    return (str(wpath) if wpath is not None else path), (wline if wline is not None else line), column


def locate_error(err: EngineError, tpl: EmailTemplate, part: str | None = None) -> EngineError:
    """Point ``err`` at the file a person edits: template name, part, file path and source line."""
    part = part or err.part
    if getattr(err, "_mapped_for", None) == tpl.name:
        return err  # already points at the edited file: mapping twice would move the line again
    if part is not None:
        path, err.line, err.column = map_location(tpl, part, err.line, err.column)
        err._mapped_for = tpl.name  # type: ignore[attr-defined]
        err.located(template=tpl.name, part=part)
        if path is not None:
            err.path = path  # the mapped file wins over anything set earlier
    else:
        err.located(template=tpl.name)
    return err


def _fixture_data(tpl: EmailTemplate, fixture: str | Fixture | None) -> tuple[str | None, Any]:
    """The fixture to render with: a name, a Fixture, or the template's default (``{}`` if none)."""
    if fixture is not None and not isinstance(fixture, str):
        return fixture.name, fixture.data
    if fixture is None and not tpl.fixtures:
        return None, {}
    fx = tpl.fixture(fixture)
    return fx.name, fx.data


def render_template(
    tpl: EmailTemplate,
    fixture: str | Fixture | None = None,
    data: Any = None,
    dialect: Dialect = DEFAULT_DIALECT,
) -> RenderedEmail:
    """Compose ``tpl`` (layouts, generated text), compile (cached) and render it.

    ``data`` wins over ``fixture``; with neither, the template's default fixture is used.
    Raises ``LayoutError``/``FixtureError``/``UnknownFixtureError`` from the project model
    and located engine errors.
    """
    # validate=False: a preview still shows a template that breaks a push rule (lint reports those)
    content = tpl.compose(validate=False)
    try:
        compiled = compile_content(content, dialect)
    except EngineError as err:
        raise locate_error(err, tpl) from None
    if data is None:
        fixture_name, data = _fixture_data(tpl, fixture)
    else:
        fixture_name = fixture if isinstance(fixture, str) else getattr(fixture, "name", None)
    try:
        rendered = compiled.render(data, template=tpl.name, fixture=fixture_name)
    except EngineError as err:
        raise locate_error(err, tpl) from None
    return rendered


def generate_text(html_source: str) -> str:
    """Plain text generated from HTML *template source*, keeping ``{{ }}`` tags intact.

    The project model owns the implementation (``project.textgen``); this is the name the
    architecture document gives it.
    """
    from ses_workbench.project.textgen import generate_text as _generate

    result: str = _generate(html_source)
    return result
