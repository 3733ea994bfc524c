"""Tokenizer for SES's Handlebars dialect: a faithful port of handlebars.js 4.7's jison lexer.

The token boundaries matter beyond parsing: whitespace control and standalone-line stripping look
at the exact ``CONTENT`` tokens handlebars.js produces (an escaped ``\\{{`` splits content in two),
so the rules, their order (first match wins, as in jison) and their lookaheads are mirrored here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ses_workbench.engine.errors import TemplateSyntaxError

# JavaScript's ``\s`` (Python's differs on a few code points: \x1c-\x1f, \x85, \ufeff).
WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = f"[{WS}]"
_LOOKAHEAD = f"(?=[=~}}{WS}/.)|])"
_LITERAL_LOOKAHEAD = f"(?=[~}}{WS})])"
_ID_CHARS = f"[^{WS}!\"#%-,\\./;->@\\[-\\^`\\{{-~]+"

# (token type or None for skipped / special, compiled pattern) in jison's rule order for the "mu" state.
_MU_RULES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("OPEN_SEXPR", r"\("),
        ("CLOSE_SEXPR", r"\)"),
        ("OPEN_RAW_BLOCK", r"\{\{\{\{"),
        ("CLOSE_RAW_BLOCK", r"\}\}\}\}"),
        ("OPEN_PARTIAL", r"\{\{~?>"),
        ("OPEN_PARTIAL_BLOCK", r"\{\{~?#>"),
        ("OPEN_BLOCK", r"\{\{~?#\*?"),
        ("OPEN_ENDBLOCK", r"\{\{~?/"),
        ("INVERSE", rf"\{{\{{~?\^{_S}*~?\}}\}}"),
        ("INVERSE", rf"\{{\{{~?{_S}*else{_S}*~?\}}\}}"),
        ("OPEN_INVERSE", r"\{\{~?\^"),
        ("OPEN_INVERSE_CHAIN", rf"\{{\{{~?{_S}*else(?![A-Za-z0-9_])"),
        ("OPEN_UNESCAPED", r"\{\{~?\{"),
        ("OPEN", r"\{\{~?&"),
        ("LONG_COMMENT", r"\{\{~?!--"),
        ("COMMENT", r"\{\{~?![\s\S]*?\}\}"),
        ("OPEN", r"\{\{~?\*?"),
        ("EQUALS", r"="),
        ("ID", r"\.\."),
        ("ID", r"\." + _LOOKAHEAD),
        ("SEP", r"[/.]"),
        ("SKIP", _S + "+"),
        ("CLOSE_UNESCAPED", r"\}~?\}\}"),
        ("CLOSE", r"~?\}\}"),
        ("STRING", r'"(?:\\"|[^"])*"'),
        ("STRING", r"'(?:\\'|[^'])*'"),
        ("DATA", r"@"),
        ("BOOLEAN", r"(?:true|false)" + _LITERAL_LOOKAHEAD),
        ("UNDEFINED", r"undefined" + _LITERAL_LOOKAHEAD),
        ("NULL", r"null" + _LITERAL_LOOKAHEAD),
        ("NUMBER", r"-?[0-9]+(?:\.[0-9]+)?" + _LITERAL_LOOKAHEAD),
        ("OPEN_BLOCK_PARAMS", rf"as{_S}+\|"),
        ("CLOSE_BLOCK_PARAMS", r"\|"),
        ("ID", _ID_CHARS + _LOOKAHEAD),
        ("ID", r"\[(?:\\\]|[^\]])*\]"),
        ("INVALID", r"[\s\S]"),
    ]
]
# One alternation with a named group per rule: the regex engine tries alternatives in order,
# which is exactly jison's "first rule that matches wins".
_MU = re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, (_, p) in enumerate(_MU_RULES)))
_MU_NAMES = [name for name, _ in _MU_RULES]
_POP_AFTER = {"INVERSE", "COMMENT", "CLOSE_UNESCAPED", "CLOSE"}
_BRACKET_ESCAPE = re.compile(r"\\([\\\]])")


class Token(NamedTuple):
    kind: str
    text: str
    pos: int  # offset of the token in the source


class LineMap:
    """Turns source offsets into 1-based (line, column)."""

    def __init__(self, source: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", source))

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _error(message: str, source: str, pos: int) -> TemplateSyntaxError:
    line, col = LineMap(source).position(pos)
    return TemplateSyntaxError(message, line, col)


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens; raises TemplateSyntaxError on text handlebars.js cannot lex."""
    tokens: list[Token] = []
    append = tokens.append
    n = len(source)
    pos = 0
    state = "INITIAL"
    opened = 0  # where the tag being lexed opens
    find = source.find
    while pos < n:
        if state == "INITIAL":
            j = find("{{", pos)
            if j < 0:
                text = source[pos:]
                if "\x00" in text:
                    raise _error("The template contains a NUL character.", source, pos + text.index("\x00"))
                append(Token("CONTENT", text, pos))
                pos = n
                break
            text = source[pos:j]
            if "\x00" in text:
                raise _error("The template contains a NUL character.", source, pos + text.index("\x00"))
            if text.endswith("\\\\"):
                text = text[:-1]
                state = "mu"
            elif text.endswith("\\"):
                text = text[:-1]
                state = "emu"
            else:
                state = "mu"
            if text:
                append(Token("CONTENT", text, pos))
            pos = opened = j
        elif state == "emu":
            # [^\x00]{2,}?/("{{"|"\\{{"|"\\\\{{"|<<EOF>>): escaped mustache text up to the next tag.
            end = n
            j = find("{{", pos + 2)
            if j >= 0:
                end = j
                if j - 1 >= pos + 2 and source[j - 1] == "\\":
                    end = j - 1
                    if j - 2 >= pos + 2 and source[j - 2] == "\\":
                        end = j - 2
            text = source[pos:end]
            if "\x00" in text:
                raise _error("The template contains a NUL character.", source, pos + text.index("\x00"))
            append(Token("CONTENT", text, pos))
            pos = end
            state = "INITIAL"
        else:  # mu
            m = _MU.match(source, pos)
            assert m is not None  # the INVALID rule matches any character
            idx = m.lastindex
            assert idx is not None
            kind = _MU_NAMES[idx - 1]
            text = m.group(idx)
            if kind == "SKIP":
                pos = m.end()
                continue
            if kind == "LONG_COMMENT":
                # <com>[\s\S]*?"--"~?"}}" re-scanned from the opening braces.
                a = find("--}}", pos + 2)
                b = find("--~}}", pos + 2)
                ends = [e + 4 for e in (a,) if e >= 0] + [e + 5 for e in (b,) if e >= 0]
                # the opener's own "--" may close it: {{!--}}
                if source.startswith("--}}", m.end() - 2):
                    ends.append(m.end() + 2)
                if source.startswith("--~}}", m.end() - 2):
                    ends.append(m.end() + 3)
                if not ends:
                    raise _error("A {{!-- comment is never closed with --}}.", source, pos)
                end = min(ends)
                append(Token("COMMENT", source[pos:end], pos))
                pos = end
                state = "INITIAL"
                continue
            if kind == "INVALID":
                if find("}}", pos) < 0:
                    raise _error("A '{{' tag is never closed with '}}'.", source, opened)
                raise _error(f"Unexpected character {text!r} inside a tag.", source, pos)
            if kind == "OPEN_RAW_BLOCK":
                raise _error("Raw blocks ({{{{raw}}}}) need a custom helper, which SES does not have.",
                             source, pos)
            if kind == "STRING":
                q = text[0]
                text = text[1:-1].replace("\\" + q, q)
            elif kind == "ID" and text.startswith("["):
                text = _BRACKET_ESCAPE.sub(r"\1", text)
            append(Token(kind, text, pos))
            pos = m.end()
            if kind in _POP_AFTER:
                state = "INITIAL"
    append(Token("EOF", "", n))
    return tokens
