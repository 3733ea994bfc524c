"""Static analysis: every data path a template outputs or tests, resolved to the data root.

``../name``, ``@root.name``, ``#with`` and ``#each`` contexts, block parameters and partial contexts
are followed so each :class:`Reference` reads from the root of the data (``items[].name`` means
"``name`` of every element of ``items``"). Lint uses this to say what SES will require.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ses_workbench.engine.lexer import LineMap
from ses_workbench.engine.nodes import (
    KNOWN_HELPERS,
    Block,
    Expr,
    Literal,
    Mustache,
    Node,
    ParsedTemplate,
    Partial,
    PartialBlock,
    PathExpr,
    Program,
    SubExpr,
)
from ses_workbench.engine.runtime import UNSUBSCRIBE_KEY

EACH = "[]"


@dataclass(frozen=True)
class Reference:
    """One use of a data path (or of a helper/partial name) in a template.

    kind: "output" (printed: SES fails when missing), "block" (argument of #if/#unless/#each/#with,
    or a ``{{#name}}`` section, which must exist), "helper-arg" (argument of lookup/log, a partial's
    context or hash), "unknown-helper" (a helper SES does not have: always fails when reached),
    "partial" (a ``{{> name}}`` call), "reserved" (``amazonSESUnsubscribeUrl``, filled in by SES).
    """

    path: str
    segments: tuple[str, ...]
    line: int
    column: int
    required: bool
    conditional: bool
    kind: str


def format_path(segments: tuple[str, ...]) -> str:
    out = ""
    for seg in segments:
        if seg == EACH:
            out += EACH
        else:
            out += ("." if out else "") + seg
    return out


Prefix = tuple[str, ...] | None


@dataclass(frozen=True)
class _Ctx:
    prefix: Prefix
    overlay: tuple[tuple[str, Prefix], ...] = ()


@dataclass
class _State:
    ctxs: tuple[_Ctx, ...]
    bparams: tuple[tuple[str, Prefix], ...] = ()
    conditional: bool = False
    expanding: tuple[str, ...] = ()


@dataclass
class Analyzer:
    parsed: ParsedTemplate
    source: str
    refs: list[Reference] = field(default_factory=list)
    seen: set[Reference] = field(default_factory=set)
    partials: dict[str, Program] = field(default_factory=dict)
    budget: int = 2000

    def __post_init__(self) -> None:
        self.linemap = LineMap(self.source)
        self.collect_partials(self.parsed.program)

    def collect_partials(self, program: Program | None, depth: int = 0) -> None:
        if program is None or depth > 400:
            return
        for node in program.body:
            if isinstance(node, Block):
                if node.decorator and node.params and isinstance(node.params[0], Literal):
                    if node.program is not None:
                        self.partials.setdefault(node.params[0].original, node.program)
                self.collect_partials(node.program, depth + 1)
                self.collect_partials(node.inverse, depth + 1)

    def run(self) -> tuple[Reference, ...]:
        self.program(self.parsed.program, _State((_Ctx(()),)))
        return tuple(self.refs)

    def add(self, segments: tuple[str, ...], pos: int, required: bool, state: _State, kind: str) -> None:
        line, col = self.linemap.position(pos)
        ref = Reference(format_path(segments), segments, line, col, required, state.conditional, kind)
        if ref not in self.seen:
            self.seen.add(ref)
            self.refs.append(ref)

    def resolve(self, path: PathExpr, state: _State) -> Prefix:
        parts = tuple(path.parts)
        if parts and parts[0] == "" and not path.data:
            parts = ()
        if not path.depth and not path.scoped and parts:
            for name, prefix in reversed(state.bparams):
                if name == parts[0]:
                    return None if prefix is None else prefix + parts[1:]
        if path.data:
            if parts and parts[0] == "root":
                return parts[1:] if len(parts) > 1 else ()
            return None
        if path.depth >= len(state.ctxs):
            return None
        ctx = state.ctxs[-1 - path.depth]
        if parts:
            for name, prefix in ctx.overlay:
                if name == parts[0]:
                    return None if prefix is None else prefix + parts[1:]
        return None if ctx.prefix is None else ctx.prefix + parts

    def path_ref(self, path: PathExpr, pos: int, required: bool, state: _State, kind: str) -> Prefix:
        if (not path.scoped and not path.depth and not path.data and path.parts == [UNSUBSCRIBE_KEY]):
            self.add((UNSUBSCRIBE_KEY,), pos, False, state, "reserved")
            return (UNSUBSCRIBE_KEY,)
        resolved = self.resolve(path, state)
        if resolved:
            self.add(resolved, pos, required, state, kind)
        return resolved

    def expr(self, expr: Expr, pos: int, state: _State, kind: str) -> Prefix:
        if isinstance(expr, Literal):
            return None
        if isinstance(expr, SubExpr):
            self.subexpr(expr, pos, state)
            return None
        return self.path_ref(expr, pos, False, state, kind)

    def args(self, params: list[Expr], hash_: list[tuple[str, Expr]], pos: int, state: _State) -> None:
        for p in params:
            self.expr(p, pos, state, "helper-arg")
        for _, v in hash_:
            self.expr(v, pos, state, "helper-arg")

    def helper_head(self, path: Expr, state: _State) -> tuple[str | None, bool]:
        """(name of a known helper or None, is a block parameter)."""
        if isinstance(path, Literal):
            path = PathExpr(False, 0, [path.original], path.original, path.pos, False)
        assert isinstance(path, PathExpr)
        if path.simple:
            if any(name == path.parts[0] for name, _ in state.bparams):
                return None, True
            if path.parts[0] in KNOWN_HELPERS:
                return path.parts[0], False
        return None, False

    def unknown(self, path: Expr, pos: int, state: _State) -> None:
        name = path.original if isinstance(path, (PathExpr, Literal)) else "(...)"
        self.add((name,), pos, True, state, "unknown-helper")

    def subexpr(self, expr: SubExpr, pos: int, state: _State) -> None:
        helper, is_bp = self.helper_head(expr.path, state)
        if is_bp:
            if isinstance(expr.path, PathExpr):
                self.path_ref(expr.path, pos, False, state, "helper-arg")
            return
        if helper is None:
            self.unknown(expr.path, pos, state)
        self.args(expr.params, expr.hash, pos, state)

    def program(self, program: Program | None, state: _State) -> None:
        if program is None:
            return
        for node in program.body:
            self.statement(node, state)

    def statement(self, node: Node, state: _State) -> None:
        if isinstance(node, Mustache):
            self.mustache(node, state)
        elif isinstance(node, Block):
            if not node.decorator:
                self.block(node, state)
        elif isinstance(node, (Partial, PartialBlock)):
            self.partial(node, state)

    def mustache(self, node: Mustache, state: _State) -> None:
        helper, is_bp = self.helper_head(node.path, state)
        head = node.path
        if helper is not None:
            self.args(node.params, node.hash, node.pos, state)
            return
        if (node.params or node.hash) and not is_bp:
            self.unknown(head, node.pos, state)
            self.args(node.params, node.hash, node.pos, state)
            return
        if isinstance(head, Literal):
            head = PathExpr(False, 0, [head.original], head.original, head.pos, False)
        assert isinstance(head, PathExpr)
        self.path_ref(head, node.pos, True, state, "output")

    def inner(self, state: _State, ctx: _Ctx | None, bparams: tuple[tuple[str, Prefix], ...] = ()) -> _State:
        ctxs = state.ctxs + (ctx,) if ctx is not None else state.ctxs
        return _State(ctxs, state.bparams + bparams, True, state.expanding)

    def block(self, node: Block, state: _State) -> None:
        helper, is_bp = self.helper_head(node.path, state)
        names = (node.program.block_params or []) if node.program is not None else []
        cond = _State(state.ctxs, state.bparams, True, state.expanding)
        if helper in ("if", "unless"):
            for p in node.params:
                self.expr(p, node.pos, state, "block")
            self.program(node.program, self.inner(state, None, tuple((n, None) for n in names)))
            self.program(node.inverse, cond)
        elif helper == "with":
            target = self.expr(node.params[0], node.pos, state, "block") if node.params else None
            bound = ((names[0], target),) if names else ()
            param = node.params[0] if node.params else None
            same = isinstance(param, PathExpr) and not param.parts and not param.depth and not param.data
            self.program(node.program, self.inner(state, None if same else _Ctx(target), bound))
            self.program(node.inverse, cond)
        elif helper == "each":
            target = self.expr(node.params[0], node.pos, state, "block") if node.params else None
            item = None if target is None else target + (EACH,)
            extra: tuple[tuple[str, Prefix], ...] = ()
            if names:
                extra = ((names[0], item),) + tuple((n, None) for n in names[1:])
            self.program(node.program, self.inner(state, _Ctx(item), extra))
            self.program(node.inverse, cond)
        elif helper is not None:  # lookup / log used as a block
            self.args(node.params, node.hash, node.pos, state)
        elif (node.params or node.hash) and not is_bp:
            self.unknown(node.path, node.pos, state)
            self.args(node.params, node.hash, node.pos, state)
        else:
            head = node.path
            if isinstance(head, Literal):
                head = PathExpr(False, 0, [head.original], head.original, head.pos, False)
            assert isinstance(head, PathExpr)
            target = self.path_ref(head, node.pos, True, state, "block")
            bound = ((names[0], target),) if names else ()
            self.program(node.program, self.inner(state, _Ctx(target), bound))
            self.program(node.inverse, cond)

    def partial(self, node: Partial | PartialBlock, state: _State) -> None:
        if isinstance(node.name, SubExpr):
            self.subexpr(node.name, node.pos, state)
            return
        name = node.name.original
        if name == "@partial-block":
            return
        self.add((name,), node.pos, True, state, "partial")
        target: Prefix
        if node.params:
            target = self.expr(node.params[0], node.pos, state, "helper-arg")
            base = _Ctx(target)
        else:
            base = state.ctxs[-1]
        overlay = tuple((key, self.expr(v, node.pos, state, "helper-arg")) for key, v in node.hash)
        if overlay:
            base = _Ctx(base.prefix, overlay + base.overlay)
        if isinstance(node, PartialBlock):
            # the block body runs (as @partial-block) in the partial's context, if the partial uses it
            # (with the call site's own context, the usual case, no new ../ level starts)
            ctxs = state.ctxs if not node.params and not node.hash else state.ctxs + (base,)
            self.program(node.program, _State(ctxs, state.bparams, True, state.expanding))
        body = self.partials.get(name)
        if body is None or name in state.expanding or len(state.expanding) > 20 or self.budget <= 0:
            return
        self.budget -= 1  # partials calling partials can fan out exponentially: cap the expansions
        self.program(body, _State((base,), (), state.conditional, state.expanding + (name,)))


def references(parsed: ParsedTemplate, source: str) -> tuple[Reference, ...]:
    return Analyzer(parsed, source).run()
