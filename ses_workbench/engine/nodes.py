"""AST of a parsed template: the shape handlebars.js's parser builds, with source offsets.

Every node keeps ``pos`` (offset of the tag in the source); the compiler turns offsets into
1-based line/column for errors and references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# The built-in helpers SES's Handlebars knows: the compiler inlines them, analysis follows their contexts.
KNOWN_HELPERS = frozenset({"if", "unless", "each", "with", "lookup", "log"})


@dataclass(slots=True)
class Strip:
    open: bool = False
    close: bool = False


@dataclass(slots=True)
class PathExpr:
    data: bool
    depth: int
    parts: list[str]
    original: str
    pos: int
    scoped: bool  # starts with this / . / .. : never a helper or block param

    @property
    def simple(self) -> bool:
        """A bare one-part name: the only kind of path that may name a helper."""
        return len(self.parts) == 1 and not self.scoped and not self.depth and not self.data


@dataclass(slots=True)
class Literal:
    kind: str  # "string" | "number" | "boolean" | "undefined" | "null"
    value: object
    original: str
    pos: int


@dataclass(slots=True)
class SubExpr:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    pos: int


Expr = Union[PathExpr, Literal, SubExpr]


@dataclass(slots=True)
class Content:
    value: str
    original: str
    pos: int
    left_stripped: bool = False
    right_stripped: bool = False


@dataclass(slots=True)
class Comment:
    value: str
    strip: Strip
    pos: int


@dataclass(slots=True)
class Mustache:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    strip: Strip
    pos: int
    decorator: bool = False


@dataclass(slots=True)
class Program:
    body: list[Node]
    block_params: list[str] | None = None
    chained: bool = False


@dataclass(slots=True)
class Block:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    program: Program | None
    inverse: Program | None
    open_strip: Strip
    inverse_strip: Strip | None
    close_strip: Strip | None
    pos: int
    decorator: bool = False
    chained: bool = False  # an {{else if ...}} link


@dataclass(slots=True)
class Partial:
    name: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    strip: Strip
    pos: int
    indent: str = ""


@dataclass(slots=True)
class PartialBlock:
    """``{{#> name}}body{{/name}}``: the body is ``@partial-block`` inside the partial (or its fallback)."""

    name: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    program: Program
    open_strip: Strip
    close_strip: Strip
    pos: int
    inverse: Program | None = None
    inverse_strip: Strip | None = None


Node = Union[Content, Comment, Mustache, Block, Partial, PartialBlock]


@dataclass(slots=True)
class ParsedTemplate:
    program: Program
    inline_partials: dict[str, list[int]] = field(default_factory=dict)  # name -> positions defined
