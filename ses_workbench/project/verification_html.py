"""The HTML SES allows in a custom verification email template: the one table, and the check that lint and
the local endpoint both run over ``TemplateContent``.

SES documents an allow-list, not a deny-list.  The Amazon SES Developer Guide, "Using custom verification
email templates", FAQ Q5 (https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html#send-email-verify-address-custom-faq):
"Custom verification email templates can't exceed 10 MB in size. Additionally, custom verification email
templates that contain HTML can only use the tags and attributes listed in the following table." and, under
the table, "Custom verification email templates can't include comment tags."  :data:`ALLOWED_HTML` is that
table, tag by tag.  The table has no ``<a>``: SES adds the verification link itself.

Where the page is silent the check takes the side that never passes content SES may refuse: a
``<!DOCTYPE>`` or other declaration, a processing instruction and a ``<![CDATA[`` section are refused like
an unlisted tag.  Attribute values are not checked (the table restricts names only), nor is the HTML's
well-formedness.  Tag and attribute names are case-insensitive, as in HTML.

The text is read by the standard library's :class:`html.parser.HTMLParser` (no pattern matching over
HTML); a problem's line and column are where the tag, attribute, comment or declaration starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser, attrfind_tolerant, tagfind_tolerant  # type: ignore[attr-defined]

__all__ = ["ALLOWED_HTML", "HtmlProblem", "html_problems"]

_COMMON = ("class", "id", "style", "title")


def _tags(*names: str, extra: tuple[str, ...] = ()) -> dict[str, frozenset[str]]:
    return {name: frozenset(_COMMON + extra) for name in names}


#: Tag → the attributes it may carry (FAQ Q5's table).  Every tag allows class, id, style and title.
ALLOWED_HTML: Mapping[str, frozenset[str]] = {
    **_tags("abbr", "acronym", "address", "area", "b", "bdo", "big", "body", "br", "button", "caption",
            "center", "cite", "code", "dd", "del", "dfn", "dir", "div", "dl", "dt", "em", "fieldset", "font",
            "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "html", "i", "input", "ins", "kbd",
            "label", "legend", "li", "map", "menu", "optgroup", "option", "p", "pre", "s", "samp", "select",
            "small", "span", "strike", "strong", "sub", "sup", "tbody", "textarea", "tfoot", "thead", "tr",
            "tt", "u", "var"),
    **_tags("blockquote", "q", extra=("cite",)),
    **_tags("col", "colgroup", extra=("span", "width")),
    **_tags("img", extra=("align", "alt", "height", "src", "width")),
    **_tags("ol", extra=("start", "type")),
    **_tags("table", extra=("summary", "width")),
    **_tags("td", extra=("abbr", "axis", "colspan", "rowspan", "width")),
    **_tags("th", extra=("abbr", "axis", "colspan", "rowspan", "scope", "width")),
    **_tags("ul", extra=("type",)),
}


@dataclass(frozen=True)
class HtmlProblem:
    """One thing in the content SES's list does not allow, where it starts (1-based line and column)."""

    line: int
    column: int
    message: str


def html_problems(text: str) -> list[HtmlProblem]:
    """Every tag, attribute, comment or declaration in ``text`` that SES does not allow in a custom
    verification email, in document order (an element refused at its start tag is not reported again
    at its end tag)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    return checker.problems


_NOT_ALLOWED = "is not allowed in a custom verification email"
_UNLISTED = "not a tag SES's custom verification FAQ lists"


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[HtmlProblem] = []
        self._open_refused: dict[str, int] = {}

    def _add(self, line: int, column0: int, message: str) -> None:
        self.problems.append(HtmlProblem(line, column0 + 1, message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        allowed = ALLOWED_HTML.get(tag)
        if allowed is None:
            self._open_refused[tag] = self._open_refused.get(tag, 0) + 1
            hint = " (SES adds the verification link itself)" if tag == "a" else ""
            self._add(line, col, f"<{tag}> {_NOT_ALLOWED}: SES allows only the tags its custom "
                      f"verification FAQ lists{hint}")
            return
        source = self.get_starttag_text() or ""
        offsets = _attribute_offsets(source)
        names = [name for name, _ in attrs]
        if [name for name, _ in offsets] != names:  # a tag the scan reads differently: the tag's position
            offsets = [(name, 0) for name in names]
        for name, at in offsets:
            if name not in allowed:
                before = source[:at]
                nl = before.count("\n")
                column = col + at if nl == 0 else at - before.rfind("\n") - 1
                self._add(line + nl, column, f"attribute {name!r} on <{tag}> {_NOT_ALLOWED}: SES allows "
                          f"{', '.join(sorted(allowed))} there")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ALLOWED_HTML:
            self._open_refused[tag] -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED_HTML:
            return
        if self._open_refused.get(tag, 0) > 0:
            self._open_refused[tag] -= 1
            return
        line, col = self.getpos()
        self._add(line, col, f"</{tag}> {_NOT_ALLOWED}: SES allows only the tags its custom verification "
                  "FAQ lists")

    def handle_comment(self, data: str) -> None:
        line, col = self.getpos()
        self._add(line, col, f"a comment (<!--…-->) {_NOT_ALLOWED} (SES: \"can't include comment tags\")")

    def handle_decl(self, decl: str) -> None:
        line, col = self.getpos()
        word = (decl.split() or [""])[0].upper()
        self._add(line, col, f"<!{word}> {_NOT_ALLOWED} ({_UNLISTED})")

    def unknown_decl(self, data: str) -> None:
        line, col = self.getpos()
        self._add(line, col, f"<![{data.split('[')[0]}[…]]> {_NOT_ALLOWED} ({_UNLISTED})")

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        line, col = self.getpos()
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:  # the standard library asserts on a malformed `<![` (`<![;`): refuse it
            self.lineno, self.offset = line, col  # it had moved the position before raising
            self._add(line, col, f"<![ {_NOT_ALLOWED} ({_UNLISTED})")
            end = self.rawdata.find(">", i + 3)
            return len(self.rawdata) if end < 0 else end + 1

    def handle_pi(self, data: str) -> None:
        line, col = self.getpos()
        self._add(line, col, f"a processing instruction (<?…>) {_NOT_ALLOWED} ({_UNLISTED})")


def _attribute_offsets(tag: str) -> list[tuple[str, int]]:
    """(lower-cased name, offset in ``tag``) of each attribute of a start tag's source text, in order.

    The parser's own scan (its tag and attribute patterns, applied as ``HTMLParser.parse_starttag`` does),
    so it only locates what :class:`HTMLParser` already parsed (the caller still compares the names with
    the parser's and falls back to the tag's position when they differ)."""
    name = tagfind_tolerant.match(tag, 1)
    k = name.end() if name is not None else len(tag)
    out: list[tuple[str, int]] = []
    while k < len(tag) and (attr := attrfind_tolerant.match(tag, k)) is not None:
        out.append((attr.group(1).lower(), attr.start(1)))
        k = attr.end()
    return out
