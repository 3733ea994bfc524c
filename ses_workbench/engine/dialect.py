"""The behaviours of SES's Handlebars that nobody has verified, each one switchable.

SES's engine is not public. Where its behaviour is unknown, the defaults pick the side that never
lets a template pass locally that SES might reject (see shared/SES.md); a calibration against a real
account can flip a field without touching the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

PRINT_STYLES = ("handlebars", "json")
OBJECT_ORDERS = ("insertion", "python", "sorted")
IF_MISSING_PARENT = ("false", "error")


@dataclass(frozen=True)
class Dialect:
    """One field per unverified SES behaviour.

    parent_scope_lookup: a name not found in the current ``#each``/``#with`` context is looked up in
        the enclosing contexts (Java/Mustache engines) instead of failing (handlebars.js). Default
        False: fail, with a hint that ``../name`` or ``@root.name`` works in both.
    if_missing_parent: ``{{#if a.b}}`` (or any block/helper argument) with ``a`` missing:
        ``"false"`` treats it as false/empty (default); ``"error"`` fails like handlebars.js's TypeError.
    print_style: ``"handlebars"`` prints like JavaScript (``2.0`` -> ``2``, arrays comma-joined,
        objects ``[object Object]``, booleans ``true``); ``"json"`` prints non-strings as JSON.
    each_object_order: key order of ``{{#each object}}``: ``"insertion"`` is JavaScript's
        ``Object.keys`` order (the data's order, except integer-like keys first, ascending, as
        handlebars.js does); ``"python"`` is the JSON text's order exactly; ``"sorted"`` sorts keys.
    standalone_strip: remove the line of a tag that stands alone on it (block tags, ``{{else}}``,
        comments, partials), as handlebars.js does. False keeps those newlines and indentation.
    """

    parent_scope_lookup: bool = False
    if_missing_parent: str = "false"
    print_style: str = "handlebars"
    each_object_order: str = "insertion"
    standalone_strip: bool = True

    def __post_init__(self) -> None:
        if self.if_missing_parent not in IF_MISSING_PARENT:
            raise ValueError(f"if_missing_parent must be one of {IF_MISSING_PARENT}")
        if self.print_style not in PRINT_STYLES:
            raise ValueError(f"print_style must be one of {PRINT_STYLES}")
        if self.each_object_order not in OBJECT_ORDERS:
            raise ValueError(f"each_object_order must be one of {OBJECT_ORDERS}")


DEFAULT_DIALECT = Dialect()
