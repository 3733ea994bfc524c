"""Turn a rendered email into terminal lines, in a worker thread (never on the event loop).

* the *reading* view: the email as a person reads it in a terminal — subject and preheader on top, then
  the HTML through html2text (layout tables flattened, links and images shown as such), lightly styled
  (headings, emphasis, links) line by line;
* the *source* views: HTML source (highlighted), text part, MIME headers.

Styling and wrapping are cached per (line, width): a keystroke usually changes one paragraph, so only
that paragraph's lines are rebuilt. Everything here is pure and thread-safe (a private rich Console).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from email import message_from_bytes
from email.policy import default as default_policy
from html import unescape
from typing import Any

import html2text
from rich.console import Console
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.strip import Strip

_console = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False,
                   no_color=False, highlight=False, emoji=False, markup=False)
_lock = threading.Lock()

HEADING = Style(bold=True, color="#e0b040")
SUBJECT = Style(bold=True, color="#ffffff", bgcolor="#1f3a5a")
PREHEADER = Style(italic=True, color="#9aa7b4")
LINK = Style(underline=True, color="#5fafff")
URL = Style(color="#6c7a89")
IMAGE = Style(color="#c678dd")
BOLD = Style(bold=True)
ITALIC = Style(italic=True)
RULE = Style(color="#4b5563")
DIM = Style(color="#8b949e")
HEADER_NAME = Style(bold=True, color="#5fafff")

_INLINE = re.compile(
    r"\[!\[(?P<lalt>[^\]]*)\]\((?P<lsrc>[^)\s]*)[^)]*\)\]\((?P<lurl>[^)\s]*)[^)]*\)"  # linked image
    r"|!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)[^)]*\)"        # image
    r"|\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]*)[^)]*\)"       # link
    r"|\*\*(?P<bold>[^*]+)\*\*"                              # strong
    r"|(?<![\w*])[_*](?P<em>[^_*\n]+)[_*](?![\w*])"          # emphasis
)
_PREHEADER_RE = re.compile(
    r"<(?P<tag>div|span|p|td)\b[^>]*(?:display\s*:\s*none|class\s*=\s*\"[^\"]*preheader)[^>]*>(?P<body>.*?)</(?P=tag)>",
    re.IGNORECASE | re.DOTALL,
)
_TAG_RE = re.compile(r"<[^>]+>")
_CELL_END = re.compile(r"</t([dh])>", re.IGNORECASE)


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Any, list[Strip]] = OrderedDict()

    def get(self, key: Any) -> list[Strip] | None:
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: Any, value: list[Strip]) -> None:
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)


_line_cache = _LRU(4096)


def _converter() -> html2text.HTML2Text:
    conv = html2text.HTML2Text()
    conv.body_width = 0            # we wrap to the pane's width ourselves
    conv.ignore_tables = True      # layout tables: flatten, keep the content
    conv.inline_links = True
    conv.protect_links = False
    conv.unicode_snob = True
    conv.images_with_size = False
    conv.ignore_images = False
    conv.single_line_break = False
    return conv


def preheader_of(html: str) -> str | None:
    """The hidden preview text most clients show after the subject (first display:none block)."""
    match = _PREHEADER_RE.search(html)
    if not match:
        return None
    text = " ".join(unescape(_TAG_RE.sub(" ", match.group("body"))).split())
    text = text.replace("\u200c", "").replace("\u034f", "").strip()
    return text or None


def html_to_markdown(html: str) -> str:
    """Rendered HTML as Markdown-ish text for a terminal; the preheader block is left out (shown on top)."""
    body = _PREHEADER_RE.sub("", html, count=1)
    body = _CELL_END.sub(r" </t\1>", body)  # flattened table cells keep a space between them
    text = _converter().handle(body)
    # html2text leaves runs of blank lines where layout cells were; one blank line is enough.
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _style_line(line: str) -> Text:
    stripped = line.lstrip()
    if stripped.startswith("#"):
        level = len(stripped) - len(stripped.lstrip("#"))
        return Text(stripped[level:].strip(), style=HEADING)
    if stripped in ("* * *", "---", "***", "___") or (len(stripped) > 3 and set(stripped) <= {"-", " "}):
        return Text("─" * 40, style=RULE)
    out = Text()
    pos = 0
    for match in _INLINE.finditer(line):
        out.append(line[pos:match.start()])
        if match.group("lsrc") is not None:
            out.append(f"[image: {match.group('lalt').strip() or 'image'}]", style=IMAGE)
            out.append(f" <{match.group('lurl')}>", style=URL)
        elif match.group("src") is not None and match.group(0).startswith("!"):
            alt = match.group("alt").strip() or "image"
            out.append(f"[image: {alt}]", style=IMAGE)
        elif match.group("text") is not None:
            out.append(match.group("text"), style=LINK)
            url = match.group("url").strip("<>")
            if url and url != match.group("text"):
                out.append(f" <{url}>", style=URL)
        elif match.group("bold") is not None:
            out.append(match.group("bold"), style=BOLD)
        else:
            out.append(match.group("em"), style=ITALIC)
        pos = match.end()
    out.append(line[pos:])
    return out


def _wrap(text: Text, width: int) -> list[Strip]:
    if not text.plain:
        return [Strip.blank(0)]
    with _lock:  # rich's wrap/render share the console's state
        lines = text.wrap(_console, width, overflow="fold") if text.cell_len > width else [text]
        return [Strip(list(line.render(_console, end="")), line.cell_len) for line in lines]


def wrapped_lines(text: Text, width: int) -> list[Strip]:
    """``text`` wrapped to ``width`` as lines (banners and messages over a view)."""
    return _wrap(text, max(width, 1))


def markdown_lines(markdown: str, width: int) -> list[Strip]:
    """Style and wrap each line (cached per line and width)."""
    width = max(width, 20)
    out: list[Strip] = []
    for line in markdown.split("\n"):
        key = (line, width)
        cached = _line_cache.get(key)
        if cached is None:
            cached = _wrap(_style_line(line), width)
            _line_cache.put(key, cached)
        out.extend(cached)
    return out


_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")


def reading_lines(subject: str, html: str, width: int, *, banner: str | None = None) -> list[Strip]:
    """The reading view: subject (and preheader) on top, then the body."""
    width = max(width, 20)
    subject = _LINE_BREAK_RE.sub("↵", subject)  # shown, never emitted: a raw one would tear the screen
    head: list[Strip] = []
    if banner:
        head += _wrap(Text(banner, style=DIM), width)
    head += _wrap(Text(f" {subject} ".ljust(width), style=SUBJECT), width)
    pre = preheader_of(html)
    if pre:
        head += _wrap(Text(pre, style=PREHEADER), width)
    head.append(Strip.blank(0))
    return head + markdown_lines(html_to_markdown(html), width)


def plain_lines(text: str, style: Style | None = None) -> list[Strip]:
    """Unwrapped lines (horizontal scroll), for the text part and raw sources."""
    from rich.segment import Segment

    return [Strip([Segment(line.replace("\t", "    "), style)]) if line else Strip.blank(0)
            for line in text.split("\n")]


def syntax_lines(code: str, lexer: str) -> list[Strip]:
    """Highlighted source lines (pygments via rich), unwrapped."""
    syntax = Syntax("", lexer, theme="monokai", background_color="default")
    with _lock:
        highlighted = syntax.highlight(code)
        highlighted.end = ""
        out: list[Strip] = []
        for line in highlighted.split("\n", allow_blank=True):
            out.append(Strip(list(line.render(_console, end="")), line.cell_len))
    return out


def mime_header_lines(mime: bytes) -> list[Strip]:
    """The headers of the message and of each MIME part, indented by depth."""
    msg = message_from_bytes(mime, policy=default_policy)
    text = Text()

    def walk(part: Any, depth: int) -> None:
        pad = "  " * depth
        for name, value in part.items():
            text.append(f"{pad}{name}: ", style=HEADER_NAME)
            text.append(f"{value}\n")
        if part.is_multipart():
            for sub in part.iter_parts():
                text.append("\n")
                walk(sub, depth + 1)
        else:
            payload = part.get_content()
            size = len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)
            text.append(f"{pad}({size} bytes of {part.get_content_type()})\n", style=DIM)

    walk(msg, 0)
    with _lock:
        return [Strip(list(line.render(_console, end="")), line.cell_len)
                for line in text.split("\n", allow_blank=True)]


def text_lines(text: Text) -> list[Strip]:
    """A styled rich Text as unwrapped lines."""
    with _lock:
        return [Strip(list(line.render(_console, end="")), line.cell_len)
                for line in text.split("\n", allow_blank=True)]
