"""Import and export the AWS CLI JSON shapes of a template.

Accepted on import (one template per JSON object; a file may also hold a list of them):

- v1, as ``aws ses create-template --cli-input-json`` takes it: ``{"Template": {"TemplateName",
  "SubjectPart", "HtmlPart", "TextPart"}}`` — or the bare inner object;
- v2, as ``aws sesv2 create-email-template --cli-input-json`` takes it and ``get-email-template`` returns
  it: ``{"TemplateName", "TemplateContent": {"Subject", "Html", "Text"}}`` — or the bare
  ``{"Subject", "Html", "Text"}`` (the name then comes from the file name).

Other keys (``TemplateData``, ``ResponseMetadata``...) are ignored.  Every file is parsed and checked before
anything is written, so a bad file in a batch leaves the project untouched.  Export writes the *composed*
content (layouts applied, text generated): exactly what would be pushed to SES.

SES content written into a folder (by import here, and by pull) is data, never code: a part whose text
contains ``{%`` or ``[[`` is listed in ``plain_parts`` of its ``template.toml``, so it is never run through
jinja2 and a push sends it back byte for byte (:func:`ses_content_meta`, :func:`ses_content_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ses_workbench.project import atomic
from ses_workbench.project.content import PARTS, TemplateContent, validate_name
from ses_workbench.project.errors import FixtureError, ImportFormatError, TemplateExistsError
from ses_workbench.project.layouts import needs_jinja
from ses_workbench.project.model import Project
from ses_workbench.project.template import EmailTemplate

__all__ = ["ImportedTemplate", "add_starter_fixture", "export_template", "import_files",
           "loads_template_json", "parse_template_json", "read_template_file", "ses_content_changes",
           "ses_content_meta", "ses_part_bytes"]


@dataclass(frozen=True)
class ImportedTemplate:
    """One template read from a JSON file (before it is written to the project)."""

    name: str
    content: TemplateContent
    source: Path | None
    shape: str  # "v1" | "v2"


def parse_template_json(obj: Any, source: Path | None = None) -> list[ImportedTemplate]:
    """Recognise the v1/v2 shapes in an already-parsed JSON value; ImportFormatError names ``source``."""
    if isinstance(obj, list):
        out: list[ImportedTemplate] = []
        for item in obj:
            out += parse_template_json(item, source)
        if not out:
            raise ImportFormatError("the file holds an empty list: no template to import", source)
        return out
    if not isinstance(obj, dict):
        raise ImportFormatError(f"expected a JSON object, found {type(obj).__name__}", source)

    if isinstance(obj.get("Template"), dict):  # v1 wrapped
        return [_from_v1(obj["Template"], source)]
    if isinstance(obj.get("TemplateContent"), dict):  # v2 (create-email-template / get-email-template)
        name = obj.get("TemplateName")
        if not isinstance(name, str):
            raise ImportFormatError("a v2 template needs a \"TemplateName\" string", source)
        return [_from_v2(name, obj["TemplateContent"], source)]
    if any(k in obj for k in _V1_PARTS):  # v1 bare
        return [_from_v1(obj, source)]
    if any(k in obj for k in _V2_PARTS):  # v2 bare TemplateContent
        name = obj.get("TemplateName")
        if name is None:
            if source is None:
                raise ImportFormatError("a bare TemplateContent needs a \"TemplateName\"", source)
            name = source.stem
        if not isinstance(name, str):
            raise ImportFormatError("\"TemplateName\" must be a string", source)
        return [_from_v2(name, obj, source)]
    keys = ", ".join(sorted(obj)) or "none"
    raise ImportFormatError(
        "not an SES template: expected {\"Template\": {...}} (v1) or {\"TemplateName\", "
        f"\"TemplateContent\": {{...}}}} (v2); keys found: {keys}", source)


def _str_field(data: dict[str, Any], key: str, source: Path | None, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ImportFormatError(f"missing \"{key}\"", source)
        return None
    if not isinstance(value, str):
        raise ImportFormatError(f"\"{key}\" must be a string, not {type(value).__name__}", source)
    return value


# The (subject, html, text) keys of each shape; the two shapes differ only in these names.
_V1_PARTS = ("SubjectPart", "HtmlPart", "TextPart")
_V2_PARTS = ("Subject", "Html", "Text")


def _from_v1(data: dict[str, Any], source: Path | None) -> ImportedTemplate:
    name = _str_field(data, "TemplateName", source, required=True) or ""
    return _from_parts(name, data, _V1_PARTS, source, "v1")


def _from_v2(name: str, data: dict[str, Any], source: Path | None) -> ImportedTemplate:
    return _from_parts(name, data, _V2_PARTS, source, "v2")


def _from_parts(name: str, data: dict[str, Any], keys: tuple[str, str, str], source: Path | None,
                shape: str) -> ImportedTemplate:
    validate_name(name, source)
    subject, html, text = (_str_field(data, key, source) for key in keys)
    if not html and text is None:
        raise ImportFormatError(f"template {name!r} has neither an HTML nor a text part", source)
    return ImportedTemplate(name, TemplateContent(subject or "", html or "", text), source, shape)


def read_template_file(path: str | Path) -> list[ImportedTemplate]:
    """Parse one JSON file (``-`` is not special here; the CLI reads stdin itself)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFormatError("no such file", p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"cannot read the file ({exc})", p) from None
    return parse_template_json(loads_template_json(text, p), p)


def loads_template_json(text: str, source: Path | str | None) -> Any:
    """The JSON document of an import file (or stdin), read as SES would (NaN, too deep nesting, a
    5,000-digit number: one error, no traceback); an error is an ImportFormatError at its line and column,
    with a hint for the common mistake of a raw line break inside a string (HTML pasted into a file for
    the AWS CLI)."""
    from ses_workbench.project.fixtures import parse_json

    try:
        return parse_json(text)
    except FixtureError as exc:
        message = exc.message
        if message.startswith("invalid JSON: Invalid control character") and \
                _char_at(text, exc.line, exc.column) in ("\r", "\n"):
            message = (f"invalid JSON: a string holds a raw newline at line {exc.line}: JSON needs \\n "
                       "there — a file written for the AWS CLI's --cli-input-json must escape its line "
                       "breaks (the output of aws sesv2 get-email-template already does)")
        raise ImportFormatError(message, source, exc.line, exc.column) from None


def _char_at(text: str, line: int | None, column: int | None) -> str:
    """The character at a JSON error's 1-based line and column ("" when out of range)."""
    if line is None or column is None:
        return ""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column - 1:start + column]


def import_files(project: Project, paths: Iterable[str | Path], overwrite: bool = False
                 ) -> list[EmailTemplate]:
    """Import every template in ``paths`` into ``project``; all files are checked before any write.

    An existing template is refused (TemplateExistsError) unless ``overwrite``: then its parts are
    replaced (a part absent from the import moves to the trash) and its fixtures and metadata kept.
    """
    batch: list[ImportedTemplate] = []
    for path in paths:
        batch += read_template_file(path)
    return import_templates(project, batch, overwrite=overwrite)


def import_templates(project: Project, batch: list[ImportedTemplate], overwrite: bool = False
                     ) -> list[EmailTemplate]:
    """Write already-parsed templates into the project (see :func:`import_files`)."""
    seen: dict[str, ImportedTemplate] = {}
    for item in batch:
        if item.name in seen:
            first = seen[item.name].source
            raise ImportFormatError(f"template {item.name!r} appears twice in this import"
                                    + (f" (also in {first})" if first and first != item.source else ""),
                                    item.source)
        seen[item.name] = item
        target = project.root / item.name
        if target.exists() and not overwrite:
            raise TemplateExistsError(
                f"template {item.name!r} already exists in {project.root} (use --force to overwrite it)",
                item.source)
    done: list[EmailTemplate] = []
    for item in batch:
        if item.name in project.templates and overwrite:
            tpl = project.templates[item.name]
            writes, moves = ses_content_changes(tpl, item.content)
            atomic.write_together(project.state_dir, writes, moves)
            project.scan()
            tpl = project.get(item.name)
        else:
            tpl = project.create_template(item.name, item.content,
                                          meta=ses_content_meta(project, item.content))
        add_starter_fixture(tpl, item.content)
        done.append(tpl)
    return done


def ses_part_bytes(content: TemplateContent, part: str) -> bytes | None:
    """A part file's bytes for SES content (None: SES has no such part; the subject gets its newline)."""
    if part == "subject":
        return (content.subject + "\n").encode()
    text = content.html if part == "html" else content.text
    return text.encode() if text else (b"" if part == "text" and text is not None else None)


def _looks_like_jinja(content: TemplateContent, parts: Iterable[str]) -> set[str]:
    texts = {"subject": content.subject, "html": content.html, "text": content.text}
    return {p for p in parts if needs_jinja(texts[p] or "")}


def _keeps_text_absent(content: TemplateContent, policy: str) -> bool:
    """SES content without a text part stays without one where the policy would generate it (so what was
    imported or pulled composes to exactly what SES has, and ``status`` says in sync)."""
    return content.text is None and bool(content.html) and policy == "generate"


def _toml_list(parts: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{p}"' for p in parts) + "]"


def ses_content_meta(project: Project, content: TemplateContent) -> str:
    """``template.toml`` lines for a new folder holding SES ``content``: ``text_part = "optional"`` when it
    has no text part the project would otherwise generate, ``plain_parts`` for parts that look like
    jinja2."""
    lines = ""
    if _keeps_text_absent(content, project.config.text_part):
        lines += 'text_part = "optional"\n'
    plain = _looks_like_jinja(content, PARTS)
    if plain:
        lines += f"plain_parts = {_toml_list(p for p in PARTS if p in plain)}\n"
    return lines


def ses_content_changes(tpl: EmailTemplate, content: TemplateContent, parts: Iterable[str] = PARTS
                        ) -> tuple[dict[Path, bytes], dict[Path, Path]]:
    """The file writes and moves (to the trash) that put SES ``content`` into ``tpl``'s ``parts`` — with
    its ``template.toml`` updated (``plain_parts``, ``text_part``) — for :func:`atomic.write_together`:
    one unit, all or none."""
    wanted = [p for p in PARTS if p in set(parts)]
    writes: dict[Path, bytes] = {}
    moves: dict[Path, Path] = {}
    for part in wanted:
        data = ses_part_bytes(content, part)
        path = tpl.part_path(part)
        if data is not None:
            writes[path] = data
        elif path.exists():
            moves[path] = tpl.project.trash_destination(path)
    jinja = _looks_like_jinja(content, wanted)
    plain = tuple(p for p in PARTS if (p in tpl.plain_parts and p not in wanted) or p in jinja)
    text_part = "optional" if _keeps_text_absent(content, tpl.text_policy) else None
    meta = tpl.meta_text_with(text_part=text_part, plain_parts=plain)
    try:
        current = tpl.meta_path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        current = ""
    if meta != current:
        writes[tpl.meta_path] = meta.encode()
    return writes, moves


def add_starter_fixture(tpl: EmailTemplate, content: TemplateContent) -> None:
    """A template that arrives without test data gets ``data/default.json``, a skeleton of every attribute
    ``content`` uses (as ``pull`` writes one): it renders and lints at once and shows what to fill in.
    A template that has a fixture keeps its fixtures untouched."""
    from ses_workbench.attributes import starter_fixture

    if tpl.fixtures:
        return
    starter = starter_fixture(content)
    if starter is not None:
        tpl.write_fixture("default", starter)


def export_template(tpl: EmailTemplate, v1: bool = False, name: str | None = None) -> dict[str, Any]:
    """The composed template as the v2 (default) or v1 AWS CLI JSON shape.

    ``name`` overrides the template name (e.g. an environment's prefixed name).
    """
    content = tpl.compose()
    out_name = name or tpl.name
    if v1:
        return {"Template": content.to_v1(out_name)}
    return {"TemplateName": out_name, "TemplateContent": content.to_v2()}
