"""Code generation: a parsed template becomes one Python function, compiled once.

Everything that handlebars.js decides at run time but can be known statically is resolved here:
``../`` depth and block parameters become local variable names, ``@index``/``@first`` become loop
variables, helpers are inlined (``#each`` is a ``for`` loop, ``#if`` an ``if``). Only what is truly
dynamic goes through the runtime (lookups on data, printing, partial calls). Deeply nested
templates are split into separate functions so Python's own nesting limits never bite.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any, Callable

from ses_workbench.engine.dialect import Dialect
from ses_workbench.engine.errors import TemplateSyntaxError
from ses_workbench.engine.lexer import LineMap
from ses_workbench.engine.nodes import (
    KNOWN_HELPERS,
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
    SubExpr,
)
from ses_workbench.engine.parser import _SCOPED
from ses_workbench.engine.runtime import UNSUBSCRIBE_KEY, runtime_namespace

_MAX_INDENT = 40
_MAX_LOOPS = 12


@dataclass(frozen=True, slots=True)
class Frame:
    kind: str  # "root" (main template: only @root), "dyn" (a partial's incoming frame), "loop"
    var: str = ""  # frame dict variable for root/dyn
    index: str = ""
    keys: str = ""
    last: str = ""
    maybe: bool = False  # a {{#section}}: only a real frame when the value is a list (keys is not False)


@dataclass(frozen=True, slots=True)
class Scope:
    ctxs: tuple[str, ...]  # context variables, innermost last ("../" walks back)
    bparams: tuple[tuple[str, str], ...]  # (block param name, expression), innermost last
    frames: tuple[Frame, ...]
    pvar: str  # variable holding the visible partials
    in_partial: bool
    vars: tuple[str, ...]  # every local a nested body may read (for outlined functions)


class Func:
    """Lines of one generated function, with pending constant text merged into one append."""

    def __init__(self, name: str, params: list[str] | tuple[str, ...]) -> None:
        self.lines = [f"def {name}({', '.join(params)}):"]
        self.indent = 1
        self.loops = 0
        self.pending: list[str] = []
        self.marks: list[int] = []

    def flush(self) -> None:
        if self.pending:
            text = "".join(self.pending)
            self.pending.clear()
            if text:
                self.lines.append("    " * self.indent + f"a({text!r})")

    def line(self, code: str) -> None:
        self.flush()
        self.lines.append("    " * self.indent + code)

    def text(self, value: str) -> None:
        if value:
            self.pending.append(value)

    def open(self, header: str) -> None:
        self.line(header)
        self.indent += 1
        self.marks.append(len(self.lines))

    def close(self) -> None:
        self.flush()
        if self.marks.pop() == len(self.lines):
            self.lines.append("    " * self.indent + "pass")
        self.indent -= 1

    def source(self) -> str:
        self.flush()
        return "\n".join(self.lines)


def display_name(path: PathExpr) -> str:
    """The attribute name SES's error shows: the dotted path as written, without this/../ prefixes."""
    if not path.parts:
        return "this"
    name = ".".join(path.parts)
    return "@" + name if path.data else name


def as_path(expr: Expr) -> Expr:
    """handlebars.js's transformLiteralToPath: a literal in helper position names a property."""
    if isinstance(expr, Literal):
        original = expr.original
        return PathExpr(False, 0, [original], original, expr.pos, bool(_SCOPED.search(original)))
    return expr


def _getexpr(obj: str, key: str, getter: str = "_g") -> str:
    if obj == "None":
        return "None"
    return f"({obj}.get({key!r}) if {obj}.__class__ is dict else {getter}({obj}, {key!r}))"


class Compiler:
    def __init__(self, parsed: ParsedTemplate, dialect: Dialect, source: str) -> None:
        self.parsed = parsed
        self.dialect = dialect
        self.source = source
        self.linemap = LineMap(source)
        self.funcs: list[Func] = []
        self.n = 0
        self.tn = 0
        self.partial_names = set(parsed.inline_partials)

    # -- utilities ------------------------------------------------------------------------------
    def uid(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def tmp(self) -> str:
        """A short-lived temporary: reused across statements (fewer names compile faster)."""
        self.tn += 1
        return f"t{self.tn}"

    def pos(self, offset: int) -> tuple[int, int]:
        return self.linemap.position(offset)

    def syntax_error(self, message: str, offset: int) -> TemplateSyntaxError:
        line, col = self.pos(offset)
        return TemplateSyntaxError(message, line, col)

    @staticmethod
    def bparam(scope: Scope, name: str) -> str | None:
        for bname, expr in reversed(scope.bparams):
            if bname == name:
                return expr
        return None

    def is_bparam_head(self, head: Expr, scope: Scope) -> bool:
        return isinstance(head, PathExpr) and head.simple and self.bparam(scope, head.parts[0]) is not None

    # -- entry points ---------------------------------------------------------------------------
    def compile_main(self) -> str:
        fn = Func("_render", ["c0"])
        for code in ("R = c0", "D0 = {'root': R}", "P0 = {}", "out = []", "a = out.append"):
            fn.line(code)
        scope = Scope(("c0",), (), (Frame("root", var="D0"),), "P0", False, ("c0", "R", "D0", "P0", "a"))
        self.program(self.parsed.program, scope, fn)
        fn.line("return ''.join(out)")
        self.funcs.append(fn)
        return "\n\n".join(f.source() for f in self.funcs) + "\n"

    def compile_partial(self, block: Block) -> str:
        name = self.uid("_p")
        fn = Func(name, ["c0", "R", "D", "P"])
        fn.line("out = []")
        fn.line("a = out.append")
        scope = Scope(("c0",), (), (Frame("dyn", var="D"),), "P", True, ("c0", "R", "D", "P", "a"))
        if block.program is not None:
            self.program(block.program, scope, fn)
        fn.line("return ''.join(out)")
        self.funcs.append(fn)
        return name

    # -- statements -----------------------------------------------------------------------------
    def program(self, program: Program, scope: Scope, fn: Func) -> None:
        defs = [node for node in program.body if isinstance(node, Block) and node.decorator]
        if defs:
            pvar = self.uid("P")
            fn.line(f"{pvar} = dict({scope.pvar})")
            for block in defs:
                lit = block.params[0]
                assert isinstance(lit, Literal)
                fn.line(f"{pvar}[{lit.original!r}] = {self.compile_partial(block)}")
            scope = replace(scope, pvar=pvar, vars=scope.vars + (pvar,))
        for node in program.body:
            self.statement(node, scope, fn)

    def body(self, program: Program | None, scope: Scope, fn: Func) -> None:
        """A block's program, inline, or as a separate function when nesting gets deep."""
        if program is None or not program.body:
            return
        if fn.indent > _MAX_INDENT or fn.loops >= _MAX_LOOPS:
            name = self.uid("_b")
            sub = Func(name, scope.vars)
            self.program(program, scope, sub)
            self.funcs.append(sub)
            fn.line(f"{name}({', '.join(scope.vars)})")
        else:
            self.program(program, scope, fn)

    def statement(self, node: Node, scope: Scope, fn: Func) -> None:
        self.tn = 0
        if isinstance(node, Content):
            fn.text(node.value)
        elif isinstance(node, Mustache):
            self.mustache(node, scope, fn)
        elif isinstance(node, Block):
            if not node.decorator:
                self.block(node, scope, fn)
        elif isinstance(node, (Partial, PartialBlock)):
            self.partial(node, scope, fn)
        else:
            assert isinstance(node, Comment)

    def emit_print(self, value: str, fn: Func) -> None:
        fn.line(f"a({value} if {value}.__class__ is str else _s({value}))")

    def mustache(self, node: Mustache, scope: Scope, fn: Func) -> None:
        head = as_path(node.path)
        line, col = self.pos(node.pos)
        assert isinstance(head, PathExpr)
        is_bp = self.is_bparam_head(head, scope)
        if head.simple and not is_bp and head.parts[0] in KNOWN_HELPERS:
            name = head.parts[0]
            if name == "lookup":
                value = self.call_lookup(node.params, scope, fn, node.pos)
                obj, field, names = self.lookup_args
                fn.line(f"if {value} is None: raise _missl({obj}, {field}, {names!r}, {line}, {col})")
                self.emit_print(value, fn)
            elif name != "log":
                fn.line(f"raise _RE({_block_only(name)!r}, {line}, {col})")
            return
        if (node.params or node.hash) and not is_bp:
            fn.line(f"raise _MAE({head.original!r}, {line}, {col})")
            return
        self.print_path(head, scope, fn, node.pos)

    # (object expr, key expr, their path names) of the last call_lookup, for the missing-value error
    lookup_args: tuple[str, str, tuple[str | None, str | None]] = ("None", "None", (None, None))

    def call_lookup(self, params: list[Expr], scope: Scope, fn: Func, pos: int) -> str:
        line, col = self.pos(pos)
        if len(params) != 2:
            fn.line(f"raise _RE('lookup needs exactly two arguments: an object and a key.', {line}, {col})")
            self.lookup_args = ("None", "None", (None, None))
            return "None"
        obj = self.value(params[0], scope, fn, pos)
        key = params[1]
        if isinstance(key, Literal) and key.kind in ("null", "undefined"):
            field = repr(key.kind)  # String(null) is "null": the property name JavaScript uses
        else:
            field = self.value(key, scope, fn, pos)
        names = tuple(display_name(p) if isinstance(p, PathExpr) else None for p in params)
        self.lookup_args = (obj, field, (names[0], names[1]))
        t = self.tmp()
        fn.line(f"{t} = _lookup({obj}, {field})")
        return t

    def block(self, node: Block, scope: Scope, fn: Func) -> None:
        head = as_path(node.path)
        line, col = self.pos(node.pos)
        assert isinstance(head, PathExpr)
        is_bp = self.is_bparam_head(head, scope)
        if head.simple and not is_bp and head.parts[0] in KNOWN_HELPERS:
            name = head.parts[0]
            if name in ("if", "unless"):
                self.block_if(node, name, scope, fn)
            elif name == "with":
                self.block_with(node, scope, fn)
            elif name == "each":
                self.block_each(node, scope, fn)
            elif name == "lookup":
                value = self.call_lookup(node.params, scope, fn, node.pos)
                fn.line(f"if {value} is not None: a({value} if {value}.__class__ is str else _s({value}))")
            return
        if (node.params or node.hash) and not is_bp:
            fn.line(f"raise _MAE({head.original!r}, {line}, {col})")
            return
        self.block_section(node, head, scope, fn)

    def cond_scope(self, node: Block, scope: Scope) -> Scope:
        if node.program is not None and node.program.block_params:
            extra = tuple((name, "None") for name in node.program.block_params)
            return replace(scope, bparams=scope.bparams + extra)
        return scope

    def block_if(self, node: Block, name: str, scope: Scope, fn: Func) -> None:
        line, col = self.pos(node.pos)
        if len(node.params) != 1:
            fn.line(f"raise _RE({f'#{name} requires exactly one argument'!r}, {line}, {col})")
            return
        value = self.value(node.params[0], scope, fn, node.pos)
        cond = f"_T({value})"
        for key, expr in node.hash:
            if key == "includeZero":
                if isinstance(expr, Literal):
                    from ses_workbench.engine.runtime import js_truthy

                    if js_truthy(expr.value):
                        cond = f"not _E({value})"
                else:
                    hz = self.value(expr, scope, fn, node.pos)
                    cond = f"(not _E({value}) if _J({hz}) else _T({value}))"
        program, inverse = node.program, node.inverse
        if name == "unless":
            program, inverse = inverse, program
        fn.open(f"if {cond}:")
        self.body(program, self.cond_scope(node, scope) if name == "if" else scope, fn)
        fn.close()
        if inverse is not None and inverse.body:
            fn.open("else:")
            self.body(inverse, self.cond_scope(node, scope) if name == "unless" else scope, fn)
            fn.close()

    def block_with(self, node: Block, scope: Scope, fn: Func) -> None:
        line, col = self.pos(node.pos)
        if len(node.params) != 1:
            fn.line(f"raise _RE('#with requires exactly one argument', {line}, {col})")
            return
        value = self.value(node.params[0], scope, fn, node.pos)
        ctx = self.uid("c")
        fn.open(f"if not _E({value}):")
        fn.line(f"{ctx} = {value}")
        inner = replace(scope, ctxs=scope.ctxs + (ctx,), vars=scope.vars + (ctx,))
        target = node.params[0]
        if isinstance(target, PathExpr) and not target.parts and not target.depth and not target.data:
            # {{#with this}}: handlebars.js pushes no new depth when the context is unchanged
            inner = replace(scope, vars=scope.vars + (ctx,))
        if node.program is not None and node.program.block_params:
            names = node.program.block_params
            inner = replace(inner, bparams=inner.bparams + ((names[0], ctx),)
                            + tuple((n, "None") for n in names[1:]))
        self.body(node.program, inner, fn)
        fn.close()
        if node.inverse is not None and node.inverse.body:
            fn.open("else:")
            self.body(node.inverse, scope, fn)
            fn.close()

    def loop(self, node: Block, items: str, keys: str, scope: Scope, fn: Func, *,
             maybe: bool = False, outer_ctxs: tuple[str, ...] | None = None) -> None:
        """``for`` over ``items`` (values) with ``keys`` (None for arrays); else-branch if empty."""
        ctx, idx, last = self.uid("c"), self.uid("i"), self.uid("n")
        base_scope = scope
        if outer_ctxs is not None:
            scope = replace(scope, ctxs=outer_ctxs, vars=scope.vars + outer_ctxs)
        fn.open(f"if {items}:")
        fn.line(f"{last} = len({items}) - 1")
        fn.open(f"for {idx}, {ctx} in enumerate({items}):")
        fn.loops += 1
        frames = scope.frames + (Frame("loop", index=idx, keys=keys, last=last, maybe=maybe),)
        inner = replace(scope, ctxs=scope.ctxs + (ctx,), frames=frames,
                        vars=scope.vars + (ctx, idx, keys, last))
        if node.program is not None and node.program.block_params:
            names = node.program.block_params
            bps = [(names[0], ctx)]
            if len(names) > 1:
                bps.append((names[1], f"({idx} if {keys} is None else {keys}[{idx}])"))
            bps.extend((n, "None") for n in names[2:])
            inner = replace(inner, bparams=inner.bparams + tuple(bps))
        self.body(node.program, inner, fn)
        fn.close()
        fn.loops -= 1
        fn.close()
        if node.inverse is not None and node.inverse.body:
            fn.open("else:")
            self.body(node.inverse, base_scope, fn)
            fn.close()

    def same_context_levels(self, same: str, scope: Scope, fn: Func) -> tuple[str, ...]:
        """Context variables for a body that may get the current context back (``same`` true at run
        time): handlebars.js then starts no new ``../`` level, so every level shifts by one."""
        outer = list(scope.ctxs)
        ups = tuple(self.uid("u") for _ in outer)
        fn.open(f"if {same}:")
        fn.line(f"{', '.join(ups)}, = {', '.join(['None'] + outer[:-1])},")
        fn.close()
        fn.open("else:")
        fn.line(f"{', '.join(ups)}, = {', '.join(outer)},")
        fn.close()
        return ups

    def block_each(self, node: Block, scope: Scope, fn: Func) -> None:
        line, col = self.pos(node.pos)
        if len(node.params) != 1:
            msg = "Must pass iterator to #each" if not node.params else "#each takes exactly one argument"
            fn.line(f"raise _RE({msg!r}, {line}, {col})")
            return
        value = self.value(node.params[0], scope, fn, node.pos)
        if not value.isidentifier():
            t = self.tmp()
            fn.line(f"{t} = {value}")
            value = t
        items, keys = self.uid("it"), self.uid("k")
        fn.open(f"if {value}.__class__ is list:")
        fn.line(f"{items} = {value}")
        fn.line(f"{keys} = None")
        fn.close()
        fn.open(f"elif {value}.__class__ is dict:")
        fn.line(f"{keys} = _K({value})")
        fn.line(f"{items} = [{value}[_k] for _k in {keys}]")
        fn.close()
        fn.open("else:")
        fn.line(f"{items} = {keys} = None")
        fn.close()
        self.loop(node, items, keys, scope, fn)

    def block_section(self, node: Block, head: PathExpr, scope: Scope, fn: Func) -> None:
        """``{{#name}}`` with no helper: handlebars.js's blockHelperMissing."""
        value = self.path_value(head, scope, fn, node.pos, strict=True)
        items, keys = self.uid("it"), self.uid("k")
        fn.line(f"{keys} = False")  # no data frame unless the value is a list (handled as #each)
        fn.open(f"if {value} is True:")
        fn.line(f"{items} = ({scope.ctxs[-1]},)")
        fn.close()
        fn.open(f"elif {value} is False:")
        fn.line(f"{items} = None")
        fn.close()
        fn.open(f"elif {value}.__class__ is list:")
        fn.line(f"{items} = {value}")
        fn.line(f"{keys} = None")
        fn.close()
        fn.open("else:")
        fn.line(f"{items} = ({value},)")
        fn.close()
        ups = self.same_context_levels(f"{value} is True", scope, fn)
        self.loop(node, items, keys, scope, fn, maybe=True, outer_ctxs=ups)

    def partial(self, node: Partial | PartialBlock, scope: Scope, fn: Func) -> None:
        """``{{> name ctx k=v}}`` (or a partial block): call the visible inline partial."""
        line, col = self.pos(node.pos)
        block_fn = "None"
        if isinstance(node.name, SubExpr):
            value = self.value(node.name, scope, fn, node.pos)
            name = f"_s({value})"
        else:
            static = node.name.original
            if static != "@partial-block" and static not in self.partial_names:
                raise self.syntax_error(
                    f"The partial '{static}' is never defined in this template; SES has no shared "
                    f"partials, so define it with {{{{#* inline \"{static}\"}}}}...{{{{/inline}}}}.",
                    node.pos)
            name = repr(static)
        ctx = self.value(node.params[0], scope, fn, node.pos) if node.params else scope.ctxs[-1]
        hash_ = "None"
        if node.hash:
            items = [f"{key!r}: {self.value(expr, scope, fn, node.pos)}" for key, expr in node.hash]
            hash_ = "{" + ", ".join(items) + "}"
        indent = node.indent if isinstance(node, Partial) else ""
        if isinstance(node, PartialBlock):
            # (inline partials defined in the body are visible only in the body, as in handlebars.js 4.7)
            block_fn = self.partial_block_body(node, scope, fn)
        frame = self.frame_expr(scope)
        t = self.tmp()
        fn.line(f"{t} = _callp({scope.pvar}, {name}, {ctx}, R, {frame}, {hash_}, {indent!r}, "
                f"{line}, {col}, {block_fn})")
        fn.line(f"a({t})")

    def partial_block_body(self, node: PartialBlock, scope: Scope, fn: Func) -> str:
        """The body of ``{{#> name}}``: a closure over the call site, run as ``@partial-block``.

        handlebars.js runs it with the context ``{{> @partial-block}}`` passes, the call site's
        ``../`` contexts and block params, and the data frame of the invocation inside the partial.
        """
        name, ctx, frame, pvar = self.uid("_pb"), self.uid("c"), self.uid("D"), self.uid("P")
        fn.open(f"def {name}({ctx}, R, {frame}, {pvar}):")
        fn.line("out = []")
        fn.line("a = out.append")
        saved = fn.loops
        fn.loops = 0
        # handlebars.js pushes no ../ level when the body gets the call site's own context back
        # (the usual case); decide at run time which contexts ../ reaches.
        ups = self.same_context_levels(f"_same({ctx}, {scope.ctxs[-1]})", scope, fn)
        inner = replace(scope, ctxs=ups + (ctx,), frames=(Frame("dyn", var=frame),), pvar=pvar,
                        in_partial=True, vars=scope.vars + ups + (ctx, frame, pvar))
        self.program(node.program, inner, fn)
        fn.line("return ''.join(out)")
        fn.loops = saved
        fn.close()
        return name

    def frame_expr(self, scope: Scope) -> str:
        expr = "None"
        for f in scope.frames:
            if f.kind in ("root", "dyn"):
                expr = f.var
            else:
                frame = (f"{{'_parent': {expr}, 'root': R, 'index': {f.index}, "
                         f"'key': ({f.index} if {f.keys} is None else {f.keys}[{f.index}]), "
                         f"'first': {f.index} == 0, 'last': {f.index} == {f.last}}}")
                expr = f"({frame} if {f.keys} is not False else {expr})" if f.maybe else frame
        return expr

    # -- expressions ----------------------------------------------------------------------------
    def value(self, expr: Expr, scope: Scope, fn: Func, pos: int) -> str:
        """A helper/block argument: missing is just undefined (None), as in handlebars.js."""
        if isinstance(expr, Literal):
            return f"({expr.value!r})"  # parenthesised: (0).__class__ is valid Python, 0.__class__ is not
        if isinstance(expr, SubExpr):
            return self.subexpr(expr, scope, fn, pos)
        return self.path_value(expr, scope, fn, pos, strict=False)

    def subexpr(self, expr: SubExpr, scope: Scope, fn: Func, pos: int) -> str:
        head = as_path(expr.path)
        assert isinstance(head, PathExpr)
        line, col = self.pos(pos)
        if self.is_bparam_head(head, scope):
            return self.path_value(head, scope, fn, pos, strict=False)
        if head.simple and head.parts[0] in KNOWN_HELPERS:
            name = head.parts[0]
            if name == "lookup":
                return self.call_lookup(expr.params, scope, fn, pos)
            if name == "log":
                return "None"
            fn.line(f"raise _RE({_block_only(name)!r}, {line}, {col})")
            return "None"
        fn.line(f"raise _MAE({head.original!r}, {line}, {col})")
        return "None"

    def data_expr(self, scope: Scope, depth: int, head: str | None) -> str:
        if head == "root":
            return "R"
        if head is None:
            return "None"
        frames = scope.frames
        idx = len(frames) - 1 - depth
        if idx < 0:
            if frames[0].kind == "dyn":
                return f"_dget({frames[0].var}, {-idx}, {head!r})"
            return "None"
        frame = frames[idx]
        if frame.kind == "loop":
            if head == "index":
                expr = frame.index
            elif head == "key":
                expr = f"({frame.index} if {frame.keys} is None else {frame.keys}[{frame.index}])"
            elif head == "first":
                expr = f"({frame.index} == 0)"
            elif head == "last":
                expr = f"({frame.index} == {frame.last})"
            elif frames[0].kind == "dyn":
                expr = f"_dget({frames[0].var}, 0, {head!r})"
            else:
                expr = "None"
            if frame.maybe:
                outer = self.data_expr(replace(scope, frames=frames[:idx] + frames[idx + 1:]), depth, head)
                expr = f"({expr} if {frame.keys} is not False else {outer})"
            return expr
        if frame.kind == "dyn":
            return f"_dget({frame.var}, 0, {head!r})"
        return "None"

    def resolve_base(self, path: PathExpr, scope: Scope, fn: Func) -> tuple[str, list[str], bool]:
        """(python expression of the lookup base, remaining parts, parent-scope fallback applies)."""
        bp = None
        if not path.depth and not path.scoped and path.parts:
            bp = self.bparam(scope, path.parts[0])
        if bp is not None:
            return bp, path.parts[1:], False
        if path.data:
            head = path.parts[0] if path.parts else None
            return self.data_expr(scope, path.depth, head), path.parts[1:], False
        if not path.scoped and not path.depth and path.parts == [UNSUBSCRIBE_KEY]:
            return "_unsub(R)", [], False
        if path.parts and path.parts[0] == "":
            # handlebars.js: an empty first segment ({{[]}}) pushes the context and ignores the rest
            base = scope.ctxs[-1 - path.depth] if path.depth < len(scope.ctxs) else "None"
            return base, [], False
        base = scope.ctxs[-1 - path.depth] if path.depth < len(scope.ctxs) else "None"
        fallback = not path.scoped and not path.depth and len(scope.ctxs) > 1 and bool(path.parts)
        return base, path.parts, fallback

    def lookup_chain(self, base: str, rest: list[str], fn: Func, check_parent: str | None,
                     loose: bool = False) -> str:
        """Emit a lookup of ``rest`` on ``base``; ``loose``: an argument, where (as in handlebars.js's
        non-strict lookups) strings also have ``length`` and index properties."""
        t = self.tmp()
        getter, path_getter = ("_gl", "_PL") if loose else ("_g", "_P")
        if rest and check_parent is not None:
            # handlebars.js reads a property of undefined here: TypeError (dialect "error" mirrors it)
            fn.line(f"if {base} is None: raise {check_parent}")
        if not rest:
            fn.line(f"{t} = {base}")
        elif len(rest) == 1:
            fn.line(f"{t} = {_getexpr(base, rest[0], getter)}")
        elif check_parent is None:
            fn.line(f"{t} = {path_getter}({base}, {tuple(rest)!r})")
        else:
            fn.line(f"{t} = {_getexpr(base, rest[0], getter)}")
            for part in rest[1:]:
                fn.line(f"if {t} is None: raise {check_parent}")
                fn.line(f"{t} = {_getexpr(t, part, getter)}")
        return t

    def outers(self, scope: Scope) -> str:
        return "(" + "".join(f"{c}, " for c in reversed(scope.ctxs[:-1])) + ")"

    def path_value(self, path: PathExpr, scope: Scope, fn: Func, pos: int, *, strict: bool) -> str:
        """Evaluate a path; ``strict``: it must be present (else SES's missing-attribute error)."""
        line, col = self.pos(pos)
        name = display_name(path)
        base, rest, fallback = self.resolve_base(path, scope, fn)
        check = None
        if not strict and self.dialect.if_missing_parent == "error":
            check = f"_miss({name!r}, {line}, {col})"
        t = self.lookup_chain(base, rest, fn, check, loose=not strict)
        parts = tuple(rest)
        if fallback and self.dialect.parent_scope_lookup:
            fn.line(f"if {t} is None: {t} = _up({parts!r}, {self.outers(scope)})")
        if strict:
            if fallback:
                fn.line(f"if {t} is None: raise _miss({name!r}, {line}, {col}, {parts!r}, "
                        f"{self.outers(scope)}, "
                        f"R, {scope.in_partial})")
            else:
                fn.line(f"if {t} is None: raise _miss({name!r}, {line}, {col})")
        return t

    def print_path(self, path: PathExpr, scope: Scope, fn: Func, pos: int) -> None:
        """``{{path}}``: look up, fail when missing, print (one compact line on the hot path)."""
        line, col = self.pos(pos)
        name = display_name(path)
        base, rest, fallback = self.resolve_base(path, scope, fn)
        if fn.loops == 0 and not fallback and rest:
            # Outside loops a tag runs once per render: a compact call keeps the generated code
            # (and so compile time) small; inside loops the inline form below is faster.
            if len(rest) == 1:
                fn.line(f"a(_O({base}, {rest[0]!r}, {(name, line, col)!r}))")
            else:
                fn.line(f"a(_ON({base}, {tuple(rest)!r}, {(name, line, col)!r}))")
            return
        t = self.lookup_chain(base, rest, fn, None)
        parts = tuple(rest)
        if fallback and self.dialect.parent_scope_lookup:
            fn.line(f"if {t} is None: {t} = _up({parts!r}, {self.outers(scope)})")
        if fallback:
            spec = (name, line, col, parts, not scope.in_partial)
            fn.line(f"a({t} if {t}.__class__ is str else _S({t}, {spec!r}, {self.outers(scope)}))")
        else:
            fn.line(f"a({t} if {t}.__class__ is str else _S({t}, {(name, line, col)!r}))")


def _block_only(name: str) -> str:
    return f"#{name} must be used as a block: {{{{#{name} value}}}}...{{{{/{name}}}}}"


def generate(parsed: ParsedTemplate, dialect: Dialect, source: str) -> tuple[str, Callable[[Any], str]]:
    """Generate and compile the render function; returns (python source, function)."""
    python = Compiler(parsed, dialect, source).compile_main()
    namespace = runtime_namespace(dialect.print_style, dialect.each_object_order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SyntaxWarning on dead code built from literals
        code = compile(python, "<ses-template>", "exec")
    exec(code, namespace)
    fn = namespace["_render"]
    return python, fn
