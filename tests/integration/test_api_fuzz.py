"""Property-based fuzzing of every JSON route: hostile input never yields a 5xx and never writes.

Three kinds of body per route: any JSON value at all; a valid body in which a required
field is replaced by a value of the wrong type (None, numbers incl. NaN/Infinity/huge and
negative ones, lists, objects, deep nesting) while other fields get hostile values too;
and raw hostile bytes (broken JSON, NaN, lone surrogates, very deep nesting, non-UTF-8).
Each is invalid by construction, so the product collections must be exactly as before.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopper.models import Product
from tests.integration.api_helpers import (  # noqa: F401 - fixtures
    SERVER_HEADERS,
    api_app_fixture,
    api_fixture,
    domain_counts,
    unthrottled_fixture,
)

pytestmark = pytest.mark.integration

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(min_value=300, max_value=20_000)),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=20,
)
# Never a string: whatever it replaces, a required string field becomes invalid.
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(json_values, max_size=4),
    st.dictionaries(st.text(max_size=10), json_values, max_size=4),
    st.integers(min_value=30, max_value=400).map(_nested),
)
# Neither a list nor null: whatever it replaces, a list field of PATCH /preferences becomes invalid.
not_a_list = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dictionaries(st.text(max_size=10), json_values, max_size=4),
)
raw_bodies = st.one_of(
    st.binary(max_size=300).filter(lambda raw: raw.strip() != b""),
    st.sampled_from(
        [
            b"NaN",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b'{"a": -Infinity}',
            b'{"a": 1e999}',
            b'{"text": "\\ud800"}',
            b'{"searchText": "\\udfff lone"}',
            b"\xff\xfe{}",
            b'{"a": 1' + b"0" * 5000 + b"}",
            b"[" * 100_000 + b"]" * 100_000,
            b"{" * 10_000,
            b'{"a":' * 5000 + b"1" + b"}" * 5000,
            b"null",
            b"[]",
            b'"string"',
        ]
    ),
)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8")


def mutated(
    valid: dict[str, Any], required: list[str], wrong: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """`valid` with one of the `required` fields made invalid by `wrong`, any other fields hostile."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        body = dict(valid)
        for key in valid:
            if draw(st.booleans()):
                body[key] = draw(json_values)
        body[draw(st.sampled_from(required))] = draw(wrong)
        if draw(st.booleans()):
            body[draw(st.text(min_size=1, max_size=20))] = draw(json_values)
        return body

    return build()


def body_cases(valid: dict[str, Any] | None, required: list[str]) -> st.SearchStrategy[bytes]:
    cases = [raw_bodies, json_values.filter(lambda v: v != {}).map(_json_bytes)]
    if valid is not None:
        wrong = not_a_list if all(isinstance(valid[name], list) for name in required) else wrong_type
        cases.append(mutated(valid, required, wrong).map(_json_bytes))
    return st.one_of(cases)


@pytest.fixture
def world(api, make_user, repo, unthrottled):
    """A user with a session and a product, so valid-looking bodies reach the services."""
    user = make_user()
    session_id = api.post("/sessions", headers=user.headers).get_json()["sessionId"]
    repo.write_products(
        [
            (
                "prod-1",
                Product(
                    queryId="q1",
                    userId=user.uid,
                    title="Lamp",
                    productUrl="https://shop.example/lamp",
                    price=10,
                    source="catalog",
                    searchRank=1,
                    systemRank=1,
                    createdAt=1,
                ),
            )
        ]
    )
    return {"user": user, "session": session_id, "before": domain_counts(repo.client), "repo": repo}


def _fuzz(api, world, method: str, path: str, headers: dict[str, str], cases) -> None:
    @FUZZ
    @given(raw=cases, content_type=st.sampled_from(["application/json", "application/json; charset=utf-8"]))
    def run(raw: bytes, content_type: str) -> None:
        response = api.open(path, method=method, headers=headers, data=raw, content_type=content_type)
        assert response.status_code < 500, (raw[:200], response.get_json())
        assert response.status_code in (400, 413, 415), (raw[:200], response.status_code, response.get_json())
        assert "error" in response.get_json()

    run()
    assert domain_counts(world["repo"].client) == world["before"]


CLIENT_ROUTES = [
    ("POST", "/sessions", None, []),
    ("POST", "/sessions/{session}/end", None, []),
    ("POST", "/preferences/learn", None, []),
    ("POST", "/queries", {"searchText": "lamp", "sessionId": "{session}"}, ["searchText"]),
    (
        "POST",
        "/saved-items",
        {"productId": "p1", "productName": "Lamp", "price": 5, "sessionId": "{session}"},
        ["productId", "productName"],
    ),
    ("POST", "/signals", {"type": "click", "itemId": "prod-1", "queryText": "red lamp"}, ["type"]),
    ("PATCH", "/preferences", {"brands": ["Sony"], "colors": ["red"]}, ["brands", "colors"]),
    ("POST", "/cart-items", {"productId": "prod-1", "quantity": 2, "sessionId": "{session}"}, ["productId"]),
    ("POST", "/client-events", {"events": [{"kind": "vital", "name": "LCP", "value": 812.5}]}, ["events"]),
]
SERVER_ROUTES = [
    (
        "/pipecat/log-conversation",
        {"sessionId": "{session}", "userId": "{uid}", "speaker": "user", "text": "hi"},
        ["text", "speaker", "sessionId", "userId"],
    ),
    (
        "/pipecat/trigger-research",
        {"sessionId": "{session}", "userId": "{uid}", "searchText": "lamp", "wait": False},
        ["searchText", "sessionId", "userId"],
    ),
    (
        "/pipecat/save-item",
        {"sessionId": "{session}", "userId": "{uid}", "productId": "prod-1"},
        ["productId", "sessionId", "userId"],
    ),
    (
        "/pipecat/cart-items",
        {"sessionId": "{session}", "userId": "{uid}", "productId": "prod-1"},
        ["productId", "sessionId", "userId"],
    ),
    (
        "/pipecat/end-session",
        {"sessionId": "{session}", "userId": "{uid}", "status": "completed"},
        ["status", "sessionId", "userId"],
    ),
]


def _fill(valid: dict[str, Any] | None, world) -> dict[str, Any] | None:
    if valid is None:
        return None
    names = {"{session}": world["session"], "{uid}": world["user"].uid}
    return {k: names.get(v, v) if isinstance(v, str) else v for k, v in valid.items()}


@pytest.mark.parametrize(
    "method,path,valid,required", CLIENT_ROUTES, ids=[f"{m} {p}" for m, p, *_ in CLIENT_ROUTES]
)
def test_client_json_routes_reject_hostile_bodies(api, world, method, path, valid, required) -> None:
    path = path.replace("{session}", world["session"])
    _fuzz(api, world, method, path, world["user"].headers, body_cases(_fill(valid, world), required))


@pytest.mark.parametrize("path,valid,required", SERVER_ROUTES, ids=[p for p, *_ in SERVER_ROUTES])
def test_server_json_routes_reject_hostile_bodies(api, world, path, valid, required) -> None:
    _fuzz(api, world, "POST", path, SERVER_HEADERS, body_cases(_fill(valid, world), required))


@FUZZ
@given(value=st.text(max_size=200))
def test_query_parameters_and_path_ids_never_fail(api, world, value) -> None:
    headers = world["user"].headers
    responses = [
        api.get("/saved-items", headers=headers, query_string={"limit": value}),
        api.get("/pipecat/preferences", headers=SERVER_HEADERS, query_string={"userId": value}),
        api.get(
            "/pipecat/conversation",
            headers=SERVER_HEADERS,
            query_string={"sessionId": value, "userId": world["user"].uid},
        ),
        api.delete(f"/saved-items/{quote(value, safe='')}", headers=headers),
        api.post(f"/sessions/{quote(value, safe='')}x/end", headers=headers),
        api.delete(f"/cart-items/{quote(value, safe='')}", headers=headers),
        api.patch(f"/cart-items/{quote(value, safe='')}", headers=headers, json={"quantity": 2}),
    ]
    for response in responses:
        assert response.status_code < 500, (value, response.get_json())
    assert domain_counts(world["repo"].client) == world["before"]
