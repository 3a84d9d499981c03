"""POST /queries and the research worker read text with the shared reader (was test_research_parsing).

The old research parser's own cases live on in test_prices / test_filters; here is what
the mapping onto the research types adds: the sort hint, the default currency, the
empty-text error, and that an absurd price cannot reach the stored query.
"""

from __future__ import annotations

import pytest

from shopper.models import QueryPreferences
from shopper.research.service import preferences_from_text
from shopper.research.types import SortHint, parse_text


def test_the_voice_example() -> None:
    q = parse_text("a cheap bluetooth speaker under 30 dollars in black")
    assert q.text == "bluetooth speaker"
    assert (q.filters.max_price, q.filters.min_price, q.filters.color) == (30, None, "black")
    assert q.sort == SortHint.price_low
    assert q.raw_text == "a cheap bluetooth speaker under 30 dollars in black"


def test_brand_and_retailer_filters() -> None:
    q = parse_text("headphones from Sony under 80 on google shopping")
    assert (q.text, q.filters.brand, q.filters.max_price, q.filters.retailers) == (
        "headphones",
        "Sony",
        80,
        ("serpapi",),
    )


def test_a_store_no_provider_serves_filters_nothing_away() -> None:
    q = parse_text("speaker at best buy")
    assert (q.text, q.filters.retailers) == ("speaker", ())


def test_currency_words() -> None:
    assert parse_text("speaker under 30 euros").currency == "EUR"
    assert parse_text("speaker under £30").currency == "GBP"
    assert parse_text("speaker under 30").currency == "USD"


def test_empty_text_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_text("   ")


@pytest.mark.parametrize(
    ("said", "low", "high"),
    [
        ("speaker for 30 bucks", None, 30),
        ("tv 100 to 200 dollars", 100, 200),
        ("not more than 30 dollars speaker", None, 30),
        ("speaker under 99999999999 dollars", None, None),
    ],
)
def test_preferences_from_text(said: str, low: float | None, high: float | None) -> None:
    prefs = preferences_from_text(said, QueryPreferences())
    assert (prefs.minPrice, prefs.maxPrice) == (low, high)
