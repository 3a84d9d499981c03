"""Request input: the JSON body (size limit, media type, hostile JSON), query parameters, path ids.

Everything here turns bad input into `Invalid` / `PayloadTooLarge` /
`UnsupportedMediaType`, so nothing a client sends can reach a handler as an
exception of another kind.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from flask import Request
from pydantic import BaseModel, TypeAdapter, ValidationError

from shopper.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from shopper.models import Id

M = TypeVar("M", bound=BaseModel)

# Firestore document ids: no "/", not "." or "..", not __reserved__; we also keep them printable.
_ID: TypeAdapter[str] = TypeAdapter(Id)
_MAX_DEPTH = 32


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _check_values(value: Any, depth: int = 0) -> None:
    """Reject what JSON allows but Firestore cannot store: lone surrogates, absurd nesting."""
    if depth > _MAX_DEPTH:
        raise Invalid("body", f"nested deeper than {_MAX_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Invalid("body", "strings must be valid Unicode (no lone surrogates)") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, depth + 1)
            _check_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_values(item, depth + 1)


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, finite numbers, bounded depth."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid("body", "body is not valid UTF-8") from exc
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise Invalid("body", f"nested deeper than {_MAX_DEPTH} levels") from exc
    except ValueError as exc:  # JSONDecodeError, huge ints, non-finite numbers
        raise Invalid("body", f"malformed JSON ({str(exc)[:120]})") from exc
    _check_values(value)
    return value


def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, refusing anything over `max_bytes` without reading it all."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(f"body is {length} bytes; the limit is {max_bytes}")
    raw = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"body is over the limit of {max_bytes} bytes")
    return raw


def json_object(request: Request, max_bytes: int, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; an empty body is `{}` when the route allows it."""
    raw = read_body(request, max_bytes)
    if not raw.strip():
        if required:
            raise Invalid("body", "a JSON object is required")
        return {}
    mimetype = (request.mimetype or "").lower()
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType("send the body as application/json")
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise Invalid("body", "must be a JSON object")
    return value


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if not str(part).startswith("function-")]
    return ".".join(parts) or "body"


def invalid(exc: ValidationError) -> Invalid:
    """A pydantic error as our 400: the first error, naming its field."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0] if errors else {"loc": (), "msg": "invalid"}
    message = str(first.get("msg", "invalid"))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Invalid(_location(tuple(first.get("loc", ()))), message[:300])


def validate(model: type[M], data: Any) -> M:
    """Validate into `model`; the first error names its field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from exc


def doc_id(value: Any, field: str) -> str:
    """A value usable as a Firestore document id (what the API hands out), or Invalid."""
    try:
        return _ID.validate_python(value, strict=True)
    except ValidationError as exc:
        raise Invalid(field, "must be an id of 1-128 letters, digits or _.:- (not . .. or __x__)") from exc


def query_param(request: Request, name: str, *, required: bool = True) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise Invalid(name, "give it once")
    if not values:
        if required:
            raise Invalid(name, "is required")
        return None
    return values[0]


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = query_param(request, name, required=False)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,6}", text.strip()):
        raise Invalid(name, f"must be a whole number from {low} to {high}")
    value = int(text)
    if not low <= value <= high:
        raise Invalid(name, f"must be a whole number from {low} to {high}")
    return value
