"""Request input parsing: hostile JSON, size and media type, field-naming validation, ids, params."""

from __future__ import annotations

import io

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from shopper.api.body import doc_id, int_param, json_object, parse_json, validate
from shopper.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from shopper.models import QueryCreate, SavedItemCreate


def request(data: bytes = b"", content_type: str | None = "application/json", query: str = "") -> Request:
    builder = EnvironBuilder(method="POST", path="/x", query_string=query, input_stream=io.BytesIO(data))
    environ = builder.get_environ()
    environ["CONTENT_LENGTH"] = str(len(data))
    if content_type:
        environ["CONTENT_TYPE"] = content_type
    return Request(environ)


@pytest.mark.parametrize(
    "raw",
    [
        b"NaN",
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1e999}',
        b'{"a": "\\ud800"}',
        b"\xff\xfe",
        b"[" * 50_000 + b"]" * 50_000,
        b"[" * 40 + b"]" * 40,
        b'{"a": 1' + b"0" * 5000 + b"}",
        b'{"a": ',
    ],
)
def test_hostile_json_is_invalid_not_an_exception(raw: bytes) -> None:
    with pytest.raises(Invalid) as err:
        parse_json(raw)
    assert err.value.field == "body"


def test_ordinary_json_parses() -> None:
    assert parse_json('{"a": [1, 2.5, "é", null, true]}'.encode()) == {"a": [1, 2.5, "é", None, True]}


def test_body_size_limit_and_media_type() -> None:
    with pytest.raises(PayloadTooLarge):
        json_object(request(b"{" + b" " * 100 + b"}"), max_bytes=50)
    with pytest.raises(UnsupportedMediaType):
        json_object(request(b"{}", content_type="text/plain"), max_bytes=50)
    assert json_object(request(b'{"a": 1}', content_type="application/json; charset=utf-8"), 50) == {"a": 1}
    assert json_object(request(b"", content_type=None), 50, required=False) == {}
    with pytest.raises(Invalid, match="a JSON object is required"):
        json_object(request(b"", content_type=None), 50)
    with pytest.raises(Invalid, match="must be a JSON object"):
        json_object(request(b"[1]"), 50)


def test_validation_errors_name_the_field() -> None:
    with pytest.raises(Invalid) as err:
        validate(QueryCreate, {"searchText": "x", "preferences": {"minPrice": -3}})
    assert err.value.field == "preferences.minPrice"
    with pytest.raises(Invalid) as err:
        validate(SavedItemCreate, {"productId": "p", "productName": "n", "extra": 1})
    assert err.value.field == "extra"
    with pytest.raises(Invalid) as err:
        validate(QueryCreate, {"searchText": "x", "preferences": {"minPrice": 9, "maxPrice": 1}})
    assert err.value.field == "preferences" and "minPrice must not exceed maxPrice" in err.value.message


@pytest.mark.parametrize("value", ["", ".", "..", "__name__", "a/b", "a b", "x" * 129, 5, None, "é"])
def test_doc_ids_firestore_cannot_take_are_invalid(value) -> None:
    with pytest.raises(Invalid):
        doc_id(value, "sessionId")


def test_plain_doc_ids_pass() -> None:
    assert doc_id("abc-DEF_1.2:3", "x") == "abc-DEF_1.2:3"


@pytest.mark.parametrize(
    "query,expected", [("", 50), ("limit=1", 1), ("limit=100", 100), ("limit=%2037", 37)]
)
def test_int_param(query, expected) -> None:
    assert int_param(request(query=query), "limit", 50, 1, 100) == expected


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=-1", "limit=x", "limit=1&limit=2", "limit="]
)
def test_int_param_rejects(query) -> None:
    with pytest.raises(Invalid) as err:
        int_param(request(query=query), "limit", 50, 1, 100)
    assert err.value.field == "limit"
