"""Parser for SES's Handlebars dialect: handlebars.js 4.7's grammar and its whitespace control.

A recursive-descent rendering of ``handlebars.yy`` that builds the same tree (including the odd
``{{else if}}`` chain shape, whose strip flags decide which newlines survive), followed by a port of
``WhitespaceControl`` (``~`` and standalone-line stripping). Nesting is capped so that absurd input
fails as a TemplateSyntaxError instead of exhausting Python's stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ses_workbench.engine.errors import TemplateSyntaxError
from ses_workbench.engine.lexer import WS, LineMap, Token, tokenize
from ses_workbench.engine.nodes import (
    Block,
    Comment,
    Content,
    Expr,
    Literal,
    Mustache,
    Node,
    ParsedTemplate,
    Partial,
    PartialBlock,
    PathExpr,
    Program,
    Strip,
    SubExpr,
)

MAX_NESTING = 150  # blocks + subexpressions; deeper templates are rejected as syntax errors

_DESCRIBE = {
    "EOF": "the end of the template",
    "CLOSE": "'}}'",
    "CLOSE_UNESCAPED": "'}}}'",
    "OPEN_SEXPR": "'('",
    "CLOSE_SEXPR": "')'",
    "EQUALS": "'='",
    "SEP": "a path separator",
    "OPEN_BLOCK_PARAMS": "'as |'",
    "CLOSE_BLOCK_PARAMS": "'|'",
    "INVERSE": "{{else}}",
    "OPEN_INVERSE_CHAIN": "{{else ...}}",
    "OPEN_ENDBLOCK": "a closing tag",
}
_SCOPED = re.compile(r"^\.|this\b", re.ASCII)
_PARAM_START = {"ID", "DATA", "STRING", "NUMBER", "BOOLEAN", "UNDEFINED", "NULL", "OPEN_SEXPR"}


def _describe(tok: Token) -> str:
    if tok.kind in _DESCRIBE:
        return _DESCRIBE[tok.kind]
    text = tok.text if len(tok.text) <= 30 else tok.text[:27] + "..."
    return repr(text)


def _strip_flags(open_text: str, close_text: str) -> Strip:
    return Strip(len(open_text) > 2 and open_text[2] == "~",
                 len(close_text) >= 3 and close_text[-3] == "~")


def _strip_comment(text: str) -> str:
    text = re.sub(r"^\{\{~?!-?-?", "", text)
    return re.sub(r"-?-?~?\}\}$", "", text)


def _id(text: str) -> str:
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        return text[1:-1]
    return text


def js_number_text(value: float | int) -> str:
    """How JavaScript prints a number (shared with the runtime's value printing)."""
    from ses_workbench.engine.runtime import format_number

    return format_number(value)


@dataclass(slots=True)
class _Open:
    tok: Token
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    block_params: list[str] | None
    strip: Strip


@dataclass(slots=True)
class _InverseAndProgram:
    strip: Strip
    program: Program
    chain: bool


class Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0
        self.lines: LineMap | None = None
        self.inline_partials: dict[str, list[int]] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def error(self, message: str, pos: int) -> TemplateSyntaxError:
        if self.lines is None:
            self.lines = LineMap(self.source)
        line, col = self.lines.position(pos)
        return TemplateSyntaxError(message, line, col)

    def peek(self, ahead: int = 0) -> Token:
        j = min(self.i + ahead, len(self.tokens) - 1)
        return self.tokens[j]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if self.i < len(self.tokens) - 1:
            self.i += 1
        return tok

    def expect(self, kind: str, context: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            raise self.error(f"Expected {_DESCRIBE.get(kind, kind)} {context}, found {_describe(tok)}.",
                             tok.pos)
        return self.advance()

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"The template nests blocks or subexpressions more than {MAX_NESTING} deep.",
                             pos)

    # -- grammar ---------------------------------------------------------------------------------
    def program(self) -> Program:
        body: list[Node] = []
        while True:
            tok = self.peek()
            k = tok.kind
            if k == "CONTENT":
                self.advance()
                body.append(Content(tok.text, tok.text, tok.pos))
            elif k == "COMMENT":
                self.advance()
                body.append(Comment(_strip_comment(tok.text), _strip_flags(tok.text, tok.text), tok.pos))
            elif k in ("OPEN", "OPEN_UNESCAPED"):
                body.append(self.mustache())
            elif k == "OPEN_BLOCK":
                body.append(self.block(False))
            elif k == "OPEN_INVERSE":
                body.append(self.block(True))
            elif k == "OPEN_PARTIAL":
                body.append(self.partial())
            elif k == "OPEN_PARTIAL_BLOCK":
                body.append(self.partial_block())
            elif k == "OPEN_RAW_BLOCK":
                raise self.error("Raw blocks ({{{{raw}}}}) need a custom helper, which SES does not have.",
                                 tok.pos)
            else:
                return Program(body)

    def mustache(self) -> Mustache:
        open_tok = self.advance()
        path = self.helper_name("after '{{'")
        params, hash_ = self.params_and_hash()
        if open_tok.kind == "OPEN_UNESCAPED":
            close = self.expect("CLOSE_UNESCAPED", "to close '{{{'")
        else:
            close = self.expect("CLOSE", "to close the tag")
        decorator = "*" in open_tok.text
        if decorator:
            raise self.error("Decorators ({{* ...}}) are not supported; only {{#* inline \"name\"}} is.",
                             open_tok.pos)
        return Mustache(path, params, hash_, _strip_flags(open_tok.text, close.text), open_tok.pos)

    def helper_name(self, context: str) -> Expr:
        tok = self.peek()
        k = tok.kind
        if k == "ID":
            return self.path(False, tok.pos)
        if k == "DATA":
            self.advance()
            if self.peek().kind != "ID":
                nxt = self.peek()
                raise self.error(f"Expected a name after '@', found {_describe(nxt)}.", nxt.pos)
            return self.path(True, tok.pos)
        self.advance()
        if k == "STRING":
            return Literal("string", tok.text, tok.text, tok.pos)
        if k == "NUMBER":
            value: float | int = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal("number", value, js_number_text(value), tok.pos)
        if k == "BOOLEAN":
            return Literal("boolean", tok.text == "true", tok.text, tok.pos)
        if k == "UNDEFINED":
            return Literal("undefined", None, "undefined", tok.pos)
        if k == "NULL":
            return Literal("null", None, "null", tok.pos)
        raise self.error(f"Expected a name {context}, found {_describe(tok)}.", tok.pos)

    def path(self, data: bool, pos: int) -> PathExpr:
        first = self.advance()
        segments: list[tuple[str, str, str]] = [(_id(first.text), first.text, "")]
        while self.peek().kind == "SEP":
            sep = self.advance()
            nxt = self.peek()
            if nxt.kind != "ID":
                raise self.error(f"Expected a name after {sep.text!r}, found {_describe(nxt)}.", nxt.pos)
            self.advance()
            segments.append((_id(nxt.text), nxt.text, sep.text))
        original = "@" if data else ""
        dig: list[str] = []
        depth = 0
        for part, orig, sep_text in segments:
            literal = orig != part
            original += sep_text + part
            if not literal and part in ("..", ".", "this"):
                if dig:
                    raise self.error(f"Invalid path: {original}", pos)
                if part == "..":
                    depth += 1
            else:
                dig.append(part)
        # handlebars.js: scopedId = /^\.|this\b/.test(original)
        scoped = bool(_SCOPED.search(original))
        return PathExpr(data, depth, dig, original, pos, scoped)

    def params_and_hash(self) -> tuple[list[Expr], list[tuple[str, Expr]]]:
        params: list[Expr] = []
        hash_: list[tuple[str, Expr]] = []
        while True:
            tok = self.peek()
            if tok.kind == "ID" and self.peek(1).kind == "EQUALS":
                break
            if tok.kind not in _PARAM_START:
                return params, hash_
            params.append(self.param())
        while self.peek().kind == "ID" and self.peek(1).kind == "EQUALS":
            key = _id(self.advance().text)
            self.advance()
            tok = self.peek()
            if tok.kind not in _PARAM_START:
                raise self.error(f"Expected a value after '{key}=', found {_describe(tok)}.", tok.pos)
            hash_.append((key, self.param()))
        tok = self.peek()
        if tok.kind in _PARAM_START:
            raise self.error(f"Unexpected {_describe(tok)} after hash arguments.", tok.pos)
        return params, hash_

    def param(self) -> Expr:
        if self.peek().kind == "OPEN_SEXPR":
            return self.sexpr()
        return self.helper_name("as an argument")

    def sexpr(self) -> SubExpr:
        open_tok = self.advance()
        self.enter(open_tok.pos)
        path = self.helper_name("after '('")
        params, hash_ = self.params_and_hash()
        self.expect("CLOSE_SEXPR", "to close the subexpression")
        self.depth -= 1
        return SubExpr(path, params, hash_, open_tok.pos)

    def block_params(self) -> list[str] | None:
        if self.peek().kind != "OPEN_BLOCK_PARAMS":
            return None
        self.advance()
        names: list[str] = []
        while self.peek().kind == "ID":
            names.append(_id(self.advance().text))
        if not names:
            raise self.error(f"Expected a block parameter name, found {_describe(self.peek())}.",
                             self.peek().pos)
        self.expect("CLOSE_BLOCK_PARAMS", "to close the block parameters")
        return names

    def open_tag(self, what: str) -> _Open:
        tok = self.advance()
        path = self.helper_name(f"after '{what}'")
        params, hash_ = self.params_and_hash()
        bparams = self.block_params()
        close = self.expect("CLOSE", "to close the tag")
        return _Open(tok, path, params, hash_, bparams, _strip_flags(tok.text, close.text))

    def block(self, inverted: bool) -> Block:
        start = self.peek()
        self.enter(start.pos)
        opened = self.open_tag("{{^" if inverted else "{{#")
        program = self.program()
        iap: _InverseAndProgram | None = None
        tok = self.peek()
        if tok.kind == "INVERSE":
            iap = self.inverse_and_program()
        elif tok.kind == "OPEN_INVERSE_CHAIN" and not inverted:
            iap = self.inverse_chain()
        tok = self.peek()
        if tok.kind != "OPEN_ENDBLOCK":
            name = _head_name(opened.path)
            if tok.kind == "EOF":
                raise self.error(f"The block {{{{#{name}}}}} is never closed with {{{{/{name}}}}}.",
                                 start.pos)
            raise self.error(f"Expected {{{{/{name}}}}}, found {_describe(tok)}.", tok.pos)
        end_tok = self.advance()
        close_path = self.helper_name("after '{{/'")
        close = self.expect("CLOSE", "to close the tag")
        close_strip = _strip_flags(end_tok.text, close.text)
        if _head_name(opened.path) != _head_name(close_path):
            raise self.error(f"{_head_name(opened.path)} doesn't match {_head_name(close_path)}",
                             opened.path.pos)
        self.depth -= 1
        return self.prepare_block(opened, program, iap, close_strip, inverted)

    def prepare_block(self, opened: _Open, program: Program, iap: _InverseAndProgram | None,
                      close_strip: Strip | None, inverted: bool) -> Block:
        decorator = "*" in opened.tok.text
        program.block_params = opened.block_params
        inverse: Program | None = None
        inverse_strip: Strip | None = None
        if iap is not None:
            if decorator:
                raise self.error("Unexpected {{else}} in a {{#* inline}} block.", opened.tok.pos)
            if iap.chain:
                first = iap.program.body[0]
                assert isinstance(first, Block)
                first.close_strip = close_strip
            inverse_strip = iap.strip
            inverse = iap.program
        prog: Program | None = program
        if inverted:
            prog, inverse = inverse, program
        block = Block(opened.path, opened.params, opened.hash, prog, inverse, opened.strip, inverse_strip,
                      close_strip, opened.tok.pos, decorator)
        if decorator:
            self.check_inline(block)
        return block

    def check_inline(self, block: Block) -> None:
        path = block.path
        if not (isinstance(path, PathExpr) and path.simple and path.parts[0] == "inline"):
            raise self.error("The only decorator SES supports is {{#* inline \"name\"}}.", block.pos)
        if len(block.params) != 1 or not isinstance(block.params[0], Literal) or \
                block.params[0].kind not in ("string", "number"):
            raise self.error("{{#* inline}} needs exactly one argument: the partial's name in quotes.",
                             block.pos)
        name = block.params[0].original
        self.inline_partials.setdefault(name, []).append(block.pos)

    def inverse_and_program(self) -> _InverseAndProgram:
        tok = self.advance()
        strip = _strip_flags(tok.text, tok.text)
        return _InverseAndProgram(strip, self.program(), False)

    def inverse_chain(self) -> _InverseAndProgram:
        start = self.peek()
        self.enter(start.pos)
        opened = self.open_tag("{{else")
        program = self.program()
        nested: _InverseAndProgram | None = None
        tok = self.peek()
        if tok.kind == "INVERSE":
            nested = self.inverse_and_program()
        elif tok.kind == "OPEN_INVERSE_CHAIN":
            nested = self.inverse_chain()
        block = self.prepare_block(opened, program, nested, nested.strip if nested else None, False)
        block.chained = True
        self.depth -= 1
        return _InverseAndProgram(opened.strip, Program([block], None, True), True)

    def partial_block(self) -> PartialBlock:
        open_tok = self.peek()
        self.enter(open_tok.pos)
        self.advance()
        name: Expr
        if self.peek().kind == "OPEN_SEXPR":
            name = self.sexpr()
        else:
            name = self.helper_name("after '{{#>'")
        params, hash_ = self.params_and_hash()
        close = self.expect("CLOSE", "to close the partial tag")
        if len(params) > 1:
            raise self.error(f"Unsupported number of partial arguments: {len(params)}", open_tok.pos)
        program = self.program()
        tok = self.peek()
        label = _head_name(name)
        if tok.kind != "OPEN_ENDBLOCK":
            if tok.kind == "EOF":
                raise self.error(f"The partial block {{{{#> {label}}}}} is never closed with "
                                 f"{{{{/{label}}}}}.", open_tok.pos)
            raise self.error(f"Expected {{{{/{label}}}}}, found {_describe(tok)}.", tok.pos)
        end_tok = self.advance()
        close_path = self.helper_name("after '{{/'")
        end_close = self.expect("CLOSE", "to close the tag")
        if label != _head_name(close_path):
            raise self.error(f"{label} doesn't match {_head_name(close_path)}", name.pos)
        self.depth -= 1
        return PartialBlock(name, params, hash_, program, _strip_flags(open_tok.text, close.text),
                            _strip_flags(end_tok.text, end_close.text), open_tok.pos)

    def partial(self) -> Partial:
        open_tok = self.advance()
        name: Expr
        if self.peek().kind == "OPEN_SEXPR":
            name = self.sexpr()
        else:
            name = self.helper_name("after '{{>'")
        params, hash_ = self.params_and_hash()
        close = self.expect("CLOSE", "to close the partial tag")
        if len(params) > 1:
            raise self.error(f"Unsupported number of partial arguments: {len(params)}", open_tok.pos)
        return Partial(name, params, hash_, _strip_flags(open_tok.text, close.text), open_tok.pos)


def _head_name(expr: Expr) -> str:
    if isinstance(expr, PathExpr):
        return expr.original
    if isinstance(expr, Literal):
        return expr.original
    return "(...)"


# -- whitespace control (port of handlebars.js compiler/whitespace-control.js) -------------------------

def _trail_ws(text: str) -> str:
    return text[len(text.rstrip(WS_CHARS)):]


def _lead_ws(text: str) -> str:
    return text[: len(text) - len(text.lstrip(WS_CHARS))]


def _expand_ws() -> str:
    out: list[str] = []
    i = 0
    while i < len(WS):
        if i + 2 < len(WS) and WS[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(WS[i]), ord(WS[i + 2]) + 1))
            i += 3
        else:
            out.append(WS[i])
            i += 1
    return "".join(out)


WS_CHARS = _expand_ws()


def _is_prev_whitespace(body: list[Node], i: int | None, is_root: bool) -> bool:
    if i is None:
        i = len(body)
    prev = body[i - 1] if i - 1 >= 0 else None
    sibling = body[i - 2] if i - 2 >= 0 else None
    if prev is None:
        return is_root
    if isinstance(prev, Content):
        tail = _trail_ws(prev.original)
        if sibling is not None or not is_root:
            return "\n" in tail
        return "\n" in tail or tail == prev.original
    return False


def _is_next_whitespace(body: list[Node], i: int | None, is_root: bool) -> bool:
    if i is None:
        i = -1
    nxt = body[i + 1] if i + 1 < len(body) else None
    sibling = body[i + 2] if i + 2 < len(body) else None
    if nxt is None:
        return is_root
    if isinstance(nxt, Content):
        lead = _lead_ws(nxt.original)
        if sibling is not None or not is_root:
            return "\n" in lead
        return "\n" in lead or lead == nxt.original
    return False


def _omit_right(body: list[Node], i: int | None, multiple: bool = False) -> None:
    j = 0 if i is None else i + 1
    current = body[j] if 0 <= j < len(body) else None
    if not isinstance(current, Content) or (not multiple and current.right_stripped):
        return
    original = current.value
    if multiple:
        value = original.lstrip(WS_CHARS)
    else:
        value = original.lstrip(" \t")
        if value.startswith("\r"):
            value = value[1:]
        if value.startswith("\n"):
            value = value[1:]
    current.value = value
    current.right_stripped = value != original


def _omit_left(body: list[Node], i: int | None, multiple: bool = False) -> bool:
    j = len(body) - 1 if i is None else i - 1
    current = body[j] if 0 <= j < len(body) else None
    if not isinstance(current, Content) or (not multiple and current.left_stripped):
        return False
    original = current.value
    current.value = original.rstrip(WS_CHARS) if multiple else original.rstrip(" \t")
    current.left_stripped = current.value != original
    return current.left_stripped


@dataclass(slots=True)
class _StripInfo:
    open: bool = False
    close: bool = False
    open_standalone: bool = False
    close_standalone: bool = False
    inline_standalone: bool = False


class WhitespaceControl:
    def __init__(self, ignore_standalone: bool = False) -> None:
        self.ignore_standalone = ignore_standalone
        self.root_seen = False

    def accept_program(self, program: Program) -> None:
        do_standalone = not self.ignore_standalone
        is_root = not self.root_seen
        self.root_seen = True
        body = program.body
        for i, current in enumerate(body):
            strip = self.accept(current)
            if strip is None:
                continue
            prev_ws = _is_prev_whitespace(body, i, is_root)
            next_ws = _is_next_whitespace(body, i, is_root)
            open_standalone = strip.open_standalone and prev_ws
            close_standalone = strip.close_standalone and next_ws
            inline_standalone = strip.inline_standalone and prev_ws and next_ws
            if strip.close:
                _omit_right(body, i, True)
            if strip.open:
                _omit_left(body, i, True)
            if do_standalone and inline_standalone:
                _omit_right(body, i)
                if _omit_left(body, i) and isinstance(current, Partial):
                    prev = body[i - 1]
                    assert isinstance(prev, Content)
                    trail = prev.original[len(prev.original.rstrip(" \t")):]
                    current.indent = trail
            if do_standalone and open_standalone and isinstance(current, (Block, PartialBlock)):
                inner = current.program or current.inverse
                assert inner is not None
                _omit_right(inner.body, None)
                _omit_left(body, i)
            if do_standalone and close_standalone and isinstance(current, (Block, PartialBlock)):
                _omit_right(body, i)
                inner = current.inverse or current.program
                assert inner is not None
                _omit_left(inner.body, None)

    def accept(self, node: Node) -> _StripInfo | None:
        if isinstance(node, (Block, PartialBlock)):
            return self.block(node)
        if isinstance(node, Mustache):
            return _StripInfo(node.strip.open, node.strip.close)
        if isinstance(node, (Partial, Comment)):
            return _StripInfo(node.strip.open, node.strip.close, inline_standalone=True)
        return None

    def block(self, block: Block | PartialBlock) -> _StripInfo:
        if block.program is not None:
            self.accept_program(block.program)
        if block.inverse is not None:
            self.accept_program(block.inverse)
        program = block.program or block.inverse
        assert program is not None
        inverse = block.inverse if block.program is not None else None
        first_inverse = inverse
        last_inverse = inverse
        if inverse is not None and inverse.chained:
            head = inverse.body[0]
            assert isinstance(head, Block) and head.program is not None
            first_inverse = head.program
            assert last_inverse is not None
            while last_inverse.chained:
                tail = last_inverse.body[-1]
                assert isinstance(tail, Block) and tail.program is not None
                last_inverse = tail.program
        close_strip = block.close_strip or Strip()
        strip = _StripInfo(
            open=block.open_strip.open,
            close=close_strip.close,
            open_standalone=_is_next_whitespace(program.body, None, False),
            close_standalone=_is_prev_whitespace((first_inverse or program).body, None, False),
        )
        if block.open_strip.close:
            _omit_right(program.body, None, True)
        if inverse is not None:
            assert first_inverse is not None and last_inverse is not None
            inverse_strip = block.inverse_strip or Strip()
            if inverse_strip.open:
                _omit_left(program.body, None, True)
            if inverse_strip.close:
                _omit_right(first_inverse.body, None, True)
            if close_strip.open:
                _omit_left(last_inverse.body, None, True)
            if (not self.ignore_standalone and _is_prev_whitespace(program.body, None, False)
                    and _is_next_whitespace(first_inverse.body, None, False)):
                _omit_left(program.body, None)
                _omit_right(first_inverse.body, None)
        elif close_strip.open:
            _omit_left(program.body, None, True)
        return strip


def parse(source: str, *, standalone_strip: bool = True) -> ParsedTemplate:
    """Parse ``source`` into an AST with whitespace control applied."""
    parser = Parser(source)
    program = parser.program()
    tok = parser.peek()
    if tok.kind != "EOF":
        if tok.kind in ("INVERSE", "OPEN_INVERSE_CHAIN"):
            raise parser.error("{{else}} outside of a block.", tok.pos)
        if tok.kind == "OPEN_ENDBLOCK":
            raise parser.error("A closing tag without a matching opening block.", tok.pos)
        raise parser.error(f"Unexpected {_describe(tok)}.", tok.pos)
    WhitespaceControl(ignore_standalone=not standalone_strip).accept_program(program)
    return ParsedTemplate(program, parser.inline_partials)
