"""Pure parts of the API and its services: keywords, preference edits, URLs, windows, routing, CORS."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from shopper.api import cors
from shopper.api.app import match_route
from shopper.api.ratelimit import counter_id, window_for
from shopper.errors import Invalid, MethodNotAllowed, NotFound, RateLimited
from shopper.models import Budget, PreferencesUpdate, Product, UserPreferences
from shopper.services.preferences import apply_update
from shopper.services.queries import compact_product
from shopper.services.saved_items import item_from_product
from shopper.services.sessions import ws_url_for
from shopper.services.signals import extract_keywords


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Find me noise-cancelling headphones under $150", ["noise-cancelling", "headphones"]),
        ("RED red Nike running shoes, size 10", ["red", "nike", "running", "shoes", "size"]),
        ("Zapatos de mujer en rojo", ["zapatos", "de", "mujer", "en", "rojo"]),
        ("", []),
        (None, []),
        ("the a an of 123 $$$", []),
    ],
)
def test_extract_keywords(text, expected) -> None:
    assert extract_keywords(text) == expected


def test_extract_keywords_is_bounded() -> None:
    words = " ".join(f"word{i}" for i in range(100))
    assert len(extract_keywords(words)) == 12


def prefs(**fields) -> UserPreferences:
    return UserPreferences(userId="alice", **fields)


def test_patch_marks_fields_manual_and_null_hands_them_back() -> None:
    current = prefs(brands=["Sony"], colors=["black"], manualFields=["colors"])
    updated = apply_update(current, PreferencesUpdate(brands=["Bose", "bose"], budget=Budget(max=100)), 5)
    assert updated.brands == ["Bose"]
    assert updated.budget == Budget(max=100)
    assert updated.colors == ["black"]
    assert updated.manualFields == ["colors", "brands", "budget"]
    assert updated.lastUpdated == 5

    cleared = apply_update(updated, PreferencesUpdate.model_validate({"budget": None, "colors": None}), 6)
    assert cleared.budget is None and cleared.colors == []
    assert cleared.manualFields == ["brands"]


def test_patch_needs_a_field() -> None:
    with pytest.raises(Invalid):
        apply_update(prefs(), PreferencesUpdate(), 1)


def test_ws_url_carries_session_user_and_ticket_encoded() -> None:
    url = ws_url_for("wss://voice.example/ws", "s1", "user+1@x", "a.b=c")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("wss", "voice.example", "/ws")
    assert parse_qs(parts.query) == {"sessionId": ["s1"], "userId": ["user+1@x"], "ticket": ["a.b=c"]}
    assert "+" not in parts.query.split("userId=")[1].split("&")[0]
    kept = urlsplit(ws_url_for("ws://h/ws?region=eu", "s", "u", "t")).query
    assert kept.startswith("region=eu&sessionId=s")


def test_fixed_windows_and_counter_ids() -> None:
    window = window_for(125.5, 60)
    assert (window.start_s, window.end_s) == (120, 180)
    assert counter_id("user:a", window) != counter_id("user:b", window)
    assert counter_id("user:a", window) != counter_id("user:a", window_for(180, 60))
    assert "/" not in counter_id("ip:::1/..", window)
    assert RateLimited(0.2).retry_after == 1 and RateLimited(41.1).headers() == {"Retry-After": "42"}


def test_routing() -> None:
    route, params = match_route("/saved-items/abc", "DELETE")
    assert route.rule == "/saved-items/<item_id>" and params == {"item_id": "abc"}
    assert match_route("/saved-items/", "GET")[0].rule == "/saved-items"
    with pytest.raises(NotFound):
        match_route("/nope", "GET")
    with pytest.raises(MethodNotAllowed) as err:
        match_route("/preferences", "DELETE")
    assert "PATCH" in err.value.headers()["Allow"]


def _request(headers: dict[str, str], method: str = "OPTIONS") -> Request:
    return Request(EnvironBuilder(method=method, path="/signals", headers=headers).get_environ())


def test_cors_only_for_configured_origins() -> None:
    origins = ["https://shop.example"]
    ok = cors.preflight_response(
        _request({"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}), origins
    )
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    bad = cors.preflight_response(
        _request({"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}), origins
    )
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad.headers
    assert cors.is_preflight(_request({"Access-Control-Request-Method": "POST"}))
    assert not cors.is_preflight(_request({}, method="GET"))


def product(**changes) -> Product:
    fields = dict(
        queryId="q",
        userId="alice",
        title="  Lamp  ",
        productUrl="https://shop.example/lamp",
        imageUrl="https://img.example/lamp.png",
        price=12.5,
        source="catalog",
        searchRank=2,
        systemRank=1,
        rankReasons=["matches your colour white"],
        createdAt=1,
    )
    fields.update(changes)
    return Product(**fields)


def test_item_from_product_keeps_what_is_storable() -> None:
    item = item_from_product(product(), "p1", "alice", "s1", 99)
    assert (item.productName, item.price, item.imageUrl, item.savedAt) == (
        "Lamp",
        12.5,
        product().imageUrl,
        99,
    )
    odd = item_from_product(
        product(imageUrl="data:image/png;base64,xx", productUrl="/relative"), "p1", "a", "s", 1
    )
    assert odd.imageUrl is None and odd.productUrl is None
    long = item_from_product(product(title="x" * 450), "p1", "a", "s", 1)
    assert len(long.productName) == 300


def test_compact_product_has_what_the_agent_speaks_and_saves_by() -> None:
    compact = compact_product("p1", product())
    assert compact["id"] == "p1" and compact["title"] == "Lamp" and compact["price"] == 12.5
    assert compact["rankReasons"] == ["matches your colour white"] and compact["availability"] == "unknown"
