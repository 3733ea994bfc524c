"""Generate a template's text part from its HTML part, *as a template*: Handlebars tags survive.

The text part is generated from the composed Handlebars source (not from a rendered email), so SES renders
it like any hand-written text part.  html2text would mangle ``{{...}}`` tags (escape them, wrap them, drop
those inside attributes), so every tag is first swapped for an opaque alphanumeric placeholder and swapped
back afterwards.  Block tags (``{{#each}}``, ``{{/if}}``, ``{{else}}`` ...) that stood on their own line in
the HTML are put back on their own line, so Handlebars' standalone-line rule removes those lines at render
time.  Links become ``text (url)``; images, hidden preheaders (``display:none``) and ``<head>`` are dropped;
no line wrapping.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

import html2text

__all__ = ["generate_text"]

# Order matters: comments may contain "}}", triple-stash before double; "\{{" escapes stay whole.
_TAG_RE = re.compile(r"\\?\{\{!--.*?--\}\}|\\?\{\{\{.*?\}\}\}|\\?\{\{.*?\}\}", re.S)
_BLOCK_RE = re.compile(r"^\{\{~?\s*(?:[#/^]|else\b|!)")
_HIDDEN_RE = re.compile(
    r"<(div|span|p|td|table)\b[^>]*style\s*=\s*[\"'][^\"']*display\s*:\s*none[^\"']*[\"'][^>]*>.*?</\1\s*>",
    re.S | re.I)
_HEAD_RE = re.compile(r"<head\b.*?</head\s*>", re.S | re.I)
_LINK_RE = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^()\s]*)\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+|[A-Za-z0-9]+)>")


@lru_cache(maxsize=64)
def generate_text(html_source: str) -> str:
    """Text part (Handlebars source) for an HTML part (Handlebars source)."""
    nonce = _nonce(html_source)
    tags: list[str] = []
    standalone: dict[int, bool] = {}  # tag index -> sits between paragraphs (vs. rows / lines of text)

    def protect(m: re.Match[str]) -> str:
        i = len(tags)
        tags.append(m.group(0))
        line_start = html_source.rfind("\n", 0, m.start()) + 1
        line_end = html_source.find("\n", m.end())
        line_end = len(html_source) if line_end < 0 else line_end
        alone = not html_source[line_start:m.start()].strip() and not html_source[m.end():line_end].strip()
        if alone and _BLOCK_RE.match(m.group(0)):
            standalone[i] = _between_paragraphs(html_source, m.start(), m.end())
        return f"{nonce}{i}x"

    html = _TAG_RE.sub(protect, html_source)
    html = _HEAD_RE.sub("", html)
    html = _HIDDEN_RE.sub("", html)
    # Layout tables: keep cells apart (html2text glues adjacent cells together).
    html = re.sub(r"</t[dh]\s*>", lambda m: " " + m.group(0), html, flags=re.I)

    h = html2text.HTML2Text()
    h.body_width = 0
    h.ignore_images = True
    h.ignore_tables = True
    h.ignore_emphasis = True
    h.unicode_snob = True
    h.escape_snob = False
    h.single_line_break = False
    md = h.handle(html)

    def restore(s: str) -> str:
        return re.sub(rf"{nonce}(\d+)x", lambda m: tags[int(m.group(1))], s)

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1).strip(), m.group(2)
        if not label:  # an image-only link (a logo): nothing to read in text
            return ""
        if restore(label) in (restore(url), restore(url).removeprefix("mailto:")):
            return label
        return f"{label} ({url})"

    md = _AUTOLINK_RE.sub(r"\1", md)
    md = _LINK_RE.sub(link, md)
    lines = []
    for line in md.split("\n"):
        line = line.rstrip()
        line = re.sub(r"^#{1,6} ", "", line)  # headings: plain text
        line = re.sub(r"(?<=\S) {2,}(?=\S)", " ", line)  # cell separators doubled up
        line = re.sub(r"(\d)\\\.", r"\1.", line)  # html2text's markdown escapes
        line = re.sub(r"^(\s*)\\([-+])", r"\1\2", line)
        lines.append(line)
    text = "\n".join(lines)
    # Standalone block tags go alone on their line (Handlebars then drops the line when rendering).
    # Between paragraphs a tag gets a blank line before it, so each branch carries its own spacing and
    # the rendered text is spaced the same whichever branch runs; between table rows or lines of text,
    # and between two adjacent block tags, a single line break.
    if standalone:
        alternatives = "|".join(str(i) for i in sorted(standalone))
        ph_re = re.compile(rf"\n*[ \t]*{nonce}({alternatives})x[ \t]*(\n*)")
        last_end, last_para = -1, False

        def place(m: re.Match[str]) -> str:
            nonlocal last_end, last_para
            i = int(m.group(1))
            para = standalone[i]
            if m.start() == last_end:  # right after another block tag
                # after a paragraph-level tag the spacing is already there; after a row-level one
                # (end of a loop over table rows) a paragraph-level tag still needs its blank line
                before = "\n" if para and not last_para else ""
            else:
                before = "\n\n" if para else "\n"
            last_end, last_para = m.end(), para
            after = "\n"
            if not standalone[i] and tags[i].lstrip("{~ ").startswith("/") and len(m.group(2)) > 1:
                # the end of a loop over rows: the blank line after the table stays after it
                after = "\n\n"
            return f"{before}{nonce}{i}x{after}"

        text = ph_re.sub(place, text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return restore(text)


_BLOCK_ELEMENT = r"(?:p|div|table|h[1-6]|ul|ol|blockquote|hr|center|section)"
_ROW_BEFORE = re.compile(r"(?:</tr\s*>|<table\b[^>]*>|<tbody\b[^>]*>)\s*$", re.I)
_ROW_AFTER = re.compile(r"^\s*(?:<tr\b|</table\s*>|</tbody\s*>)", re.I)
_PARA_BEFORE = re.compile(rf"(?:</{_BLOCK_ELEMENT}\s*>|<{_BLOCK_ELEMENT}\b[^>]*/?>)\s*$", re.I)
_PARA_AFTER = re.compile(rf"^\s*(?:<{_BLOCK_ELEMENT}\b|</{_BLOCK_ELEMENT}\s*>)", re.I)
_BLOCK_TAG_END = re.compile(r"\{\{~?\s*(?:[#/^]|else\b)[^}]*\}\}\s*$")
_BLOCK_TAG_START = re.compile(r"\s*\{\{~?\s*(?:[#/^]|else\b)[^}]*\}\}")


def _between_paragraphs(source: str, start: int, end: int) -> bool:
    """Is the block tag at source[start:end] between block-level elements (not rows, not text lines)?"""
    before = source[max(0, start - 400):start]
    while True:  # look past neighbouring block tags: {{/if}}{{/each}} sit at the same boundary
        m = _BLOCK_TAG_END.search(before)
        if not m:
            break
        before = before[:m.start()]
    after = source[end:end + 400]
    while True:
        m = _BLOCK_TAG_START.match(after)
        if not m:
            break
        after = after[m.end():]
    if _ROW_BEFORE.search(before) or _ROW_AFTER.match(after):
        return False
    return bool(_PARA_BEFORE.search(before) or _PARA_AFTER.match(after))


def _nonce(source: str) -> str:
    """A placeholder prefix that cannot occur in the source (letters only: html2text leaves it alone)."""
    while True:
        nonce = "hbs" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
        if nonce not in source:
            return nonce
