"""Model validation: what a client may send, and the readable errors it gets otherwise."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shopper.models import (
    Budget,
    PreferencesUpdate,
    Product,
    QueryCreate,
    SavedItemCreate,
    SignalCreate,
    SignalType,
    VoiceSession,
)


def _error_fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


def test_a_valid_saved_item_is_accepted_and_trimmed() -> None:
    item = SavedItemCreate.model_validate(
        {
            "productId": "p-1",
            "productName": "  JBL Flip 6  ",
            "price": 49.99,
            "productUrl": "https://x.example/p",
        }
    )
    assert item.productName == "JBL Flip 6"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"productName": "x"}, "productId"),  # missing required
        ({"productId": "p", "productName": "x", "price": -1}, "price"),  # negative price
        ({"productId": "p", "productName": "x", "price": "cheap"}, "price"),  # wrong type
        ({"productId": "p", "productName": "x", "price": float("nan")}, "price"),  # NaN
        ({"productId": "p", "productName": "x" * 301}, "productName"),  # over-long
        ({"productId": "p/../../x", "productName": "x"}, "productId"),  # not an id
        ({"productId": "p", "productName": "x", "productUrl": "javascript:alert(1)"}, "productUrl"),
        ({"productId": "p", "productName": "x", "userId": "someone-else"}, "userId"),  # unknown field
    ],
)
def test_bad_saved_items_are_rejected_naming_the_field(payload: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        SavedItemCreate.model_validate(payload)
    assert field in _error_fields(exc.value)


def test_enum_values_outside_the_set_are_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        SignalCreate.model_validate({"type": "like", "itemId": "p"})
    assert "type" in _error_fields(exc.value)
    with pytest.raises(ValidationError):
        VoiceSession.model_validate({"sessionId": "s", "userId": "u", "startTime": 1, "status": "paused"})


def test_signals_need_a_subject() -> None:
    assert SignalCreate.model_validate({"type": "click", "itemId": "p"}).type == SignalType.click
    with pytest.raises(ValidationError, match="needs queryText"):
        SignalCreate.model_validate({"type": "voice_query"})
    with pytest.raises(ValidationError, match="needs itemId"):
        SignalCreate.model_validate({"type": "view"})


def test_query_price_range_must_be_ordered_and_text_non_empty() -> None:
    with pytest.raises(ValidationError, match="minPrice must not exceed maxPrice"):
        QueryCreate.model_validate({"searchText": "tv", "preferences": {"minPrice": 100, "maxPrice": 10}})
    with pytest.raises(ValidationError) as exc:
        QueryCreate.model_validate({"searchText": "   "})
    assert "searchText" in _error_fields(exc.value)
    with pytest.raises(ValidationError) as exc:
        QueryCreate.model_validate({"searchText": "tv", "preferences": {"minRating": 6}})
    assert "preferences.minRating" in _error_fields(exc.value)


def test_preferences_update_limits() -> None:
    assert PreferencesUpdate.model_validate({"brands": ["Sony"]}).model_dump(exclude_unset=True) == {
        "brands": ["Sony"]
    }
    with pytest.raises(ValidationError):
        PreferencesUpdate.model_validate({"brands": ["x"] * 31})
    with pytest.raises(ValidationError):
        PreferencesUpdate.model_validate({"colors": "black"})  # a list, not a string
    with pytest.raises(ValidationError, match=r"budget\.min must not exceed budget\.max"):
        Budget.model_validate({"min": 50, "max": 10})


def test_product_currency_and_ranks() -> None:
    base = {
        "queryId": "q",
        "userId": "u",
        "title": "Speaker",
        "productUrl": "https://x.example/p",
        "price": 10,
        "source": "catalog",
        "searchRank": 1,
        "systemRank": 1,
        "createdAt": 0,
    }
    assert Product.model_validate(base).currency == "USD"
    for bad in ({"currency": "usd"}, {"systemRank": 0}, {"rating": 7}):
        with pytest.raises(ValidationError):
            Product.model_validate({**base, **bad})


def test_stored_models_round_trip_through_json() -> None:
    session = VoiceSession(sessionId="s", userId="u", startTime=5)
    assert VoiceSession.model_validate(json.loads(session.model_dump_json())) == session
