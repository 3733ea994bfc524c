"""Type checks of request bodies against botocore's ``sesv2`` model, at the edge of the endpoint.

boto3 validates parameters before it sends them, so only raw HTTP clients reach the endpoint with a
number where SES takes a string or a string where it takes a structure.  Checking every body member's
JSON type against the operation's input shape here means the service code below can trust the types it
reads, and such a request gets ``BadRequestException`` (400) with the member's path instead of an
internal error.  Members the model does not know are ignored (as AWS ignores them); ``null`` counts as
absent.  Values, lengths and patterns are the service's business: it words those errors as SES does.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

__all__ = ["shape_errors"]

_MAX_REPORTED = 5
_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,), "blob": (str,), "timestamp": (str, int, float), "integer": (int,), "long": (int,),
    "float": (int, float), "double": (int, float), "boolean": (bool,),
}
_KIND = {"structure": "a structure (JSON object)", "list": "a list", "map": "a map (JSON object)",
         "string": "a string", "blob": "a base64 string", "timestamp": "a timestamp", "integer": "an integer",
         "long": "an integer", "float": "a number", "double": "a number", "boolean": "true or false"}
_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("sesv2")


@lru_cache(maxsize=64)
def _input_shape(operation: str) -> Any:
    with _model_lock:
        model = _service_model()
        if operation not in model.operation_names:
            return None
        return model.operation_model(operation).input_shape


def shape_errors(operation: str, body: dict[str, Any]) -> list[str]:
    """Problems with the JSON types of ``body`` for ``operation`` (empty when the types are right)."""
    shape = _input_shape(operation) if body else None
    if shape is None:
        return []
    errors: list[str] = []
    _check(body, shape, "", errors)
    return errors[:_MAX_REPORTED]


def _check(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    if len(errors) >= _MAX_REPORTED:
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(_wrong(path, kind, value))
            return
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                _check(item, member, f"{path}.{name}" if path else name, errors)
    elif kind == "list":
        if not isinstance(value, list):
            errors.append(_wrong(path, kind, value))
            return
        for i, item in enumerate(value):
            if item is not None:
                _check(item, shape.member, f"{path}[{i}]", errors)
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(_wrong(path, kind, value))
            return
        for key, item in value.items():
            if item is not None:
                _check(item, shape.value, f"{path}.{key}", errors)
    else:
        types = _SCALARS.get(kind)
        if types is None:
            return  # a document type: anything goes
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            errors.append(_wrong(path, kind, value))


def _wrong(path: str, kind: str, value: Any) -> str:
    got = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
           float: "a number"}.get(type(value), type(value).__name__)
    return f"{path or 'The request body'} must be {_KIND.get(kind, kind)}, not {got}"
