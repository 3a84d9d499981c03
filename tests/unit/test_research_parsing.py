"""Natural-language query parsing: what a shopper says -> search text + filters."""

from __future__ import annotations

import pytest

from shopper.research.query_parser import parse_query, words_to_numbers
from shopper.research.types import SortHint


def test_the_voice_example() -> None:
    q = parse_query("a cheap bluetooth speaker under 30 dollars in black")
    assert q.text == "bluetooth speaker"
    assert q.filters.max_price == 30
    assert q.filters.min_price is None
    assert q.filters.color == "black"
    assert q.sort == SortHint.price_low


@pytest.mark.parametrize(
    ("said", "text", "low", "high"),
    [
        ("headphones between 20 and 50", "headphones", 20, 50),
        ("monitor over $100", "monitor", 100, None),
        ("keyboard $50", "keyboard", None, 50),
        ("a 50 bucks keyboard", "keyboard", None, 50),
        ("headphones under fifty dollars", "headphones", None, 50),
        ("tv 300-500 dollars", "tv", 300, 500),
        ("$20 to $40 phone case", "phone case", 20, 40),
        ("4k tv under 1,000 dollars", "4k tv", None, 1000),
        ("laptop around $800", "laptop", 640, 960),
        ("find me noise-cancelling headphones under 150 dollars", "noise-cancelling headphones", None, 150),
    ],
)
def test_prices(said: str, text: str, low: float | None, high: float | None) -> None:
    q = parse_query(said)
    assert (q.text, q.filters.min_price, q.filters.max_price) == (text, low, high)


def test_model_numbers_are_not_prices() -> None:
    for said in ("iphone 7", "4k tv", "aa battery", "brother tn-2110 toner"):
        q = parse_query(said)
        assert q.filters.max_price is None and q.filters.min_price is None, said
        assert q.text == said


@pytest.mark.parametrize(
    ("said", "rating"),
    [
        ("wireless mouse with at least 4 stars", 4.0),
        ("shoes 4+ stars", 4.0),
        ("headset rated 4.5 or higher", 4.5),
        ("highly rated coffee maker", 4.0),
    ],
)
def test_ratings(said: str, rating: float) -> None:
    q = parse_query(said)
    assert q.filters.min_rating == rating
    assert "star" not in q.text and "rated" not in q.text


def test_brand_only_when_known() -> None:
    q = parse_query("headphones from Sony under 80", brands=["Sony", "Philips"])
    assert (q.text, q.filters.brand, q.filters.max_price) == ("headphones", "Sony", 80)
    unknown = parse_query("a gift from grandma", brands=["Sony"])
    assert unknown.filters.brand is None


def test_currency_words() -> None:
    assert parse_query("speaker under 30 euros").currency == "EUR"
    assert parse_query("speaker under £30").currency == "GBP"
    assert parse_query("speaker under 30").currency == "USD"


def test_words_to_numbers() -> None:
    assert words_to_numbers("under two hundred fifty dollars") == "under 250 dollars"
    assert words_to_numbers("one thousand") == "1000"


def test_empty_text_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_query("   ")
