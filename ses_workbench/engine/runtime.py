"""Runtime support for compiled templates: lookups, truthiness, value printing, built-in helpers.

Generated code calls these small functions; they encode handlebars.js's JavaScript semantics for
JSON data in Python (``{}`` is truthy, ``0`` prints as ``0`` but is false for ``#if``, numbers print
the way JavaScript's ``Number#toString`` does, arrays print comma-joined, objects as
``[object Object]``), plus SES's rule that ``null`` is the same as missing.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

from ses_workbench.engine.errors import MissingAttributeError, RenderError

MAX_SAFE_INTEGER = 2**53 - 1
UNSUBSCRIBE_KEY = "amazonSESUnsubscribeUrl"
#: What ``{{amazonSESUnsubscribeUrl}}`` renders locally when the data does not provide a value:
#: SES substitutes the real link only when it sends with list management, so a preview keeps the tag.
UNSUBSCRIBE_PLACEHOLDER = "{{amazonSESUnsubscribeUrl}}"

PartialFn = Callable[[Any, Any, Any, dict[str, Any]], str]


def format_number(value: float | int) -> str:
    """JavaScript's ``Number.prototype.toString()`` for a JSON number."""
    if isinstance(value, int) and not isinstance(value, bool):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return str(value)
        try:
            x = float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    else:
        x = float(value)
        if x.is_integer() and -MAX_SAFE_INTEGER <= x <= MAX_SAFE_INTEGER:
            return str(int(x))
        r = repr(x)
        if "e" not in r and "n" not in r and not r.endswith(".0"):
            # Python's repr without exponent (1e-4 <= |x| < 1e16) has JavaScript's digits
            return r
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))
    exp = 0
    if "e" in r:
        r, exp_text = r.split("e")
        exp = int(exp_text)
    if "." in r:
        ip, fp = r.split(".")
    else:
        ip, fp = r, ""
    digits = ip + fp
    n = len(ip) + exp  # position of the decimal point relative to the first digit
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    power = n - 1
    es = f"e+{power}" if power >= 0 else f"e-{-power}"
    if k == 1:
        return sign + digits + es
    return sign + digits[0] + "." + digits[1:] + es


def to_str(v: Any) -> str:
    """How handlebars.js (JavaScript string concatenation) prints a value."""
    cls = v.__class__
    if cls is str:
        return v  # type: ignore[no-any-return]
    if cls is int:
        return str(v) if -MAX_SAFE_INTEGER <= v <= MAX_SAFE_INTEGER else format_number(v)
    if cls is bool:
        return "true" if v else "false"
    if cls is float:
        return format_number(v)
    if cls is list:
        return ",".join("" if x is None else to_str(x) for x in v)
    if cls is dict:
        return "[object Object]"
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return format_number(v)
    return str(v)


def to_str_json(v: Any) -> str:
    """Alternative printing (dialect ``print_style="json"``): JSON text for anything not a string."""
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


_PRINT = to_str


def output_json(ctx: Any, key: str, spec: tuple[Any, ...]) -> str:
    v = ctx.get(key) if ctx.__class__ is dict else get(ctx, key)
    return print_json(v, spec)


def output_path_json(ctx: Any, parts: tuple[str, ...], spec: tuple[Any, ...]) -> str:
    return print_json(path_get(ctx, parts), spec)


def print_json(v: Any, spec: tuple[Any, ...], outers: tuple[Any, ...] = ()) -> str:
    if v is None:
        print_or_fail(v, spec, outers)
    return to_str_json(v)


def get(obj: Any, key: str) -> Any:
    """Property lookup on a non-dict (dicts are looked up inline by generated code)."""
    cls = obj.__class__
    if cls is dict:
        return obj.get(key)
    if cls is list:
        if key == "length":
            return len(obj)
        if key.isdigit() and key.isascii() and (key == "0" or key[0] != "0"):
            idx = int(key)
            if idx < len(obj):
                return obj[idx]
    return None


def get_loose(obj: Any, key: str) -> Any:
    """Lookup for helper/block arguments: like :func:`get`, plus a string's ``length`` and characters."""
    if obj.__class__ is str:
        if key == "length":
            return len(obj)
        if _array_index(key) and int(key) < len(obj):
            return obj[int(key)]
        return None
    return get(obj, key)


def path_get_loose(obj: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if obj is None:
            return None
        obj = obj.get(part) if obj.__class__ is dict else get_loose(obj, part)
    return obj


def path_get(obj: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if obj is None:
            return None
        obj = obj.get(part) if obj.__class__ is dict else get(obj, part)
    return obj


def print_or_fail(v: Any, spec: tuple[Any, ...], outers: tuple[Any, ...] = ()) -> str:
    """Print a looked-up value, or raise SES's missing-attribute error when it is None.

    ``spec`` is (name, line, column[, parts, root_is_outermost]) baked into the generated code.
    """
    if v.__class__ is int and -MAX_SAFE_INTEGER <= v <= MAX_SAFE_INTEGER:
        return str(v)
    if v is None:
        if len(spec) > 3 and outers:
            name, line, column, parts, rooted = spec
            raise missing(name, line, column, parts, outers, outers[-1] if rooted else None, not rooted)
        raise MissingAttributeError(spec[0], spec[1], spec[2])
    return _PRINT(v)


def output(ctx: Any, key: str, spec: tuple[Any, ...]) -> str:
    """``{{key}}``: look up one segment, print it, or fail as SES does."""
    v = ctx.get(key) if ctx.__class__ is dict else get(ctx, key)
    if isinstance(v, str):
        return v
    return print_or_fail(v, spec)


def output_path(ctx: Any, parts: tuple[str, ...], spec: tuple[Any, ...]) -> str:
    """``{{a.b.c}}``: look up a path, print it, or fail as SES does."""
    v = path_get(ctx, parts)
    if isinstance(v, str):
        return v
    return print_or_fail(v, spec)


def js_truthy(v: Any) -> bool:
    """JavaScript truthiness: ``[]`` and ``{}`` are true, ``0``/``""``/``null``/``NaN`` false."""
    if v is None or v is False:
        return False
    cls = v.__class__
    if cls is str:
        return bool(v != "")
    if cls is int:
        return bool(v != 0)
    if cls is float:
        return bool(v == v and v != 0.0)
    return True


def if_truthy(v: Any) -> bool:
    """``{{#if}}``: JavaScript truthiness, except an empty array is false."""
    if v.__class__ is list:
        return len(v) > 0
    return js_truthy(v)


def is_empty(v: Any) -> bool:
    """handlebars.js ``isEmpty``: falsy but not 0, or an empty array (``#with``, ``includeZero``)."""
    if v is None or v is False:
        return True
    cls = v.__class__
    if cls is str:
        return bool(v == "")
    if cls is list:
        return len(v) == 0
    if cls is float:
        return bool(v != v)
    return False


def _array_index(key: str) -> bool:
    return key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1


def keys_js(obj: dict[str, Any]) -> list[str]:
    """``Object.keys`` order: array-index keys ascending, then the rest in insertion order."""
    ints = [k for k in obj if _array_index(k)]
    if not ints:
        return list(obj)
    ints.sort(key=int)
    return ints + [k for k in obj if not _array_index(k)]


def keys_python(obj: dict[str, Any]) -> list[str]:
    return list(obj)


def keys_sorted(obj: dict[str, Any]) -> list[str]:
    return sorted(obj)


def lookup(obj: Any, field: Any) -> Any:
    """The ``lookup`` helper: ``obj[field]`` (``!obj`` returns obj itself, as handlebars.js)."""
    if not js_truthy(obj):
        return obj
    key = field if field.__class__ is str else ("undefined" if field is None else to_str(field))
    cls = obj.__class__
    if cls is dict:
        return obj.get(key)
    if cls is list:
        return get(obj, key)
    if cls is str:
        if key == "length":
            return len(obj)
        if _array_index(key) and int(key) < len(obj):
            return obj[int(key)]
    return None


def same_context(a: Any, b: Any) -> bool:
    """JavaScript's ``a == b`` as handlebars.js uses it to decide whether a new ``../`` level starts."""
    if a is b:
        return True
    if a.__class__ in (dict, list) or b.__class__ in (dict, list):
        return False
    if a is None or b is None:
        return False
    if a.__class__ is bool or b.__class__ is bool:
        a = float(a) if a.__class__ is bool else a
        b = float(b) if b.__class__ is bool else b
    if a.__class__ is str and b.__class__ is not str:
        try:
            return bool(float(a) == b)
        except ValueError:
            return False
    if b.__class__ is str and a.__class__ is not str:
        return same_context(b, a)
    return bool(a == b)


def data_get(frame: Any, skip: int, name: str) -> Any:
    """``@name`` looked up in a runtime data frame (used inside partials), ``skip`` frames up."""
    while skip and frame is not None:
        frame = frame.get("_parent")
        skip -= 1
    if frame is None:
        return None
    return frame.get(name)


def unsubscribe(root: Any) -> Any:
    value = root.get(UNSUBSCRIBE_KEY) if root.__class__ is dict else None
    return UNSUBSCRIBE_PLACEHOLDER if value is None else value


def _hint(name: str, parts: tuple[str, ...], outers: tuple[Any, ...], root: Any,
          in_partial: bool) -> str | None:
    for level, ctx in enumerate(outers, start=1):
        if path_get(ctx, parts) is not None:
            ups = "../" * level
            alt = "" if in_partial or level != len(outers) else f" or '@root.{name}'"
            levels = "level" if level == 1 else "levels"
            return (f"'{name}' is not in the current block's context but is {level} {levels} up: "
                    f"write '{ups}{name}'{alt}, which works in both SES and handlebars.js.")
    return None


def missing(name: str, line: int, column: int, parts: tuple[str, ...] = (), outers: tuple[Any, ...] = (),
            root: Any = None, in_partial: bool = False) -> MissingAttributeError:
    """Build SES's missing-attribute error, with a hint when an outer context has the value."""
    scoped = bool(outers and parts)
    hint = _hint(name, parts, outers, root, in_partial) if scoped else None
    return MissingAttributeError(name, line, column, hint=hint, scoped=scoped)


def scope_up(parts: tuple[str, ...], outers: tuple[Any, ...]) -> Any:
    """Parent-scope lookup (dialect ``parent_scope_lookup=True``): first outer context that has it."""
    for ctx in outers:
        v = path_get(ctx, parts)
        if v is not None:
            return v
    return None


def missing_lookup(obj: Any, field: Any, names: tuple[str | None, str | None], line: int,
                   column: int) -> MissingAttributeError:
    """``{{lookup obj field}}`` printed nothing: name the missing object, key argument, or key."""
    if obj is None and names[0]:
        return MissingAttributeError(names[0], line, column)
    if field is None and names[1]:
        return MissingAttributeError(names[1], line, column)
    name = field if field.__class__ is str else to_str(field)
    return MissingAttributeError(name, line, column)


def _find_partial_block(frame: Any) -> Any:
    while frame is not None:
        block = frame.get("partial-block")
        if block is not None:
            return block
        frame = frame.get("_parent")
    return None


def call_partial(partials: dict[str, PartialFn], name: str, ctx: Any, root: Any, frame: Any,
                 hash_: dict[str, Any] | None, indent: str, line: int, column: int,
                 block: PartialFn | None = None) -> str:
    """Invoke a partial as handlebars.js's ``invokePartial`` does (context, hash, indent, block)."""
    if name == "@partial-block":
        fn = _find_partial_block(frame)
    else:
        fn = partials.get(name)
    if block is not None:
        outer = _find_partial_block(frame)

        def partial_block(c: Any, r: Any, d: Any, p: dict[str, PartialFn]) -> str:
            inner = dict(d) if d.__class__ is dict else {"root": r}
            inner["_parent"] = d
            inner["partial-block"] = outer
            return block(c, r, inner, p)

        frame = dict(frame) if frame.__class__ is dict else {"root": root}
        frame["partial-block"] = partial_block
        if fn is None:
            fn = partial_block
    if fn is None:
        raise RenderError(f"The partial {name} could not be found.", line, column)
    if hash_:
        ctx = {**ctx, **hash_} if ctx.__class__ is dict else dict(hash_)
    result: str = fn(ctx, root, frame, partials)
    if indent:
        lines = result.split("\n")
        last = len(lines) - 1
        for i, text in enumerate(lines):
            if not text and i == last:
                break
            lines[i] = indent + text
        result = "\n".join(lines)
    return result


def runtime_namespace(print_style: str, object_order: str) -> dict[str, Any]:
    """Globals for generated code (short names keep the generated source compact)."""
    keys = {"insertion": keys_js, "python": keys_python, "sorted": keys_sorted}[object_order]
    return {
        "_g": get,
        "_P": path_get,
        "_gl": get_loose,
        "_PL": path_get_loose,
        "_O": output_json if print_style == "json" else output,
        "_ON": output_path_json if print_style == "json" else output_path,
        "_S": print_json if print_style == "json" else print_or_fail,
        "_s": to_str_json if print_style == "json" else to_str,
        "_T": if_truthy,
        "_J": js_truthy,
        "_E": is_empty,
        "_K": keys,
        "_lookup": lookup,
        "_callp": call_partial,
        "_miss": missing,
        "_missl": missing_lookup,
        "_up": scope_up,
        "_dget": data_get,
        "_same": same_context,
        "_unsub": unsubscribe,
        "_RE": RenderError,
        "_MAE": MissingAttributeError,
    }
