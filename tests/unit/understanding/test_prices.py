"""Prices said every way people say them, typed or spoken: one answer per sentence."""

from __future__ import annotations

import pytest

from shopper_core.understanding import parse_search


@pytest.mark.parametrize(
    ("said", "query", "low", "high"),
    [
        ("I need a laptop for college, nothing over 800 bucks", "laptop", None, 800),
        ("headphones 800 dollars max", "headphones", None, 800),
        ("speaker no more than 30 dollars", "speaker", None, 30),
        ("speaker not more than 30 dollars", "speaker", None, 30),
        ("keyboard at most 50", "keyboard", None, 50),
        ("mouse up to 25 dollars", "mouse", None, 25),
        ("monitor under 200", "monitor", None, 200),
        ("monitor below $200", "monitor", None, 200),
        ("tablet less than 300 dollars", "tablet", None, 300),
        ("phone within 400 dollars", "phone", None, 400),
        ("printer max 150", "printer", None, 150),
        ("headphones between 20 and 40", "headphones", 20, 40),
        ("tv between two hundred and three hundred dollars", "tv", 200, 300),
        ("keyboard between fifty and a hundred dollars", "keyboard", 50, 100),
        ("gaming mouse, budget is like 40 bucks", "gaming mouse", None, 40),
        ("philips headphones undr 50", "headphones", None, 50),
        ("um i need a new headset, nothin over sixty bucks", "headset", None, 60),
        ("laptop my budget is up to 900", "laptop", None, 900),
        ("whats a decent laptop for gaming, can spend up to 1500", "laptop for gaming", None, 1500),
        ("don't want to spend more than 100 on headphones", "headphones", None, 100),
        ("i want to spend 50 on a speaker", "speaker", None, 50),
        ("my budget is 300 for a phone", "phone", None, 300),
        ("a watch for my dad, something classy, 200 to 400", "watch something classy", 200, 400),
        ("im after some skincare stuff under a tenner", "skincare stuff", None, 10),
        ("so um my sister needs a new phone, something between 200 and 400 dollars", "phone", 200, 400),
        ("I'd like to find a perfume for my wife, nothing over a hundred dollars", "perfume", None, 100),
        ("monitor 27 to 32 inch", "monitor 27 to 32 inch", None, None),
        ("laptop, I can stretch to 1.2k", "laptop", None, 1200),
        ("laptop between one thousand and two thousand dollars", "laptop", 1000, 2000),
        ("speaker 20 to 40 dollars", "speaker", 20, 40),
        ("tv 100 to 200 dollars", "tv", 100, 200),
        ("tv 300-500 dollars", "tv", 300, 500),
        ("$20 to $40 phone case", "phone case", 20, 40),
        ("keyboard around 50", "keyboard", 40, 60),
        ("keyboard about 50 dollars", "keyboard", 40, 60),
        ("laptop around $800", "laptop", 640, 960),
        ("laptop $1.5k", "laptop", None, 1500),
        ("laptop under 1,200", "laptop", None, 1200),
        ("4k tv under 1,000 dollars", "4k tv", None, 1000),
        ("headphones under eight hundred dollars", "headphones", None, 800),
        ("mouse for twenty five bucks", "mouse", None, 25),
        ("headphones under fifty dollars", "headphones", None, 50),
        ("monitor over $100", "monitor", 100, None),
        ("camera at least 200 dollars", "camera", 200, None),
        ("camera more than 200", "camera", 200, None),
        ("speaker for 30 bucks", "speaker", None, 30),
        ("keyboard $50", "keyboard", None, 50),
        ("a 50 bucks keyboard", "keyboard", None, 50),
        ("find me noise-cancelling headphones under 150 dollars", "noise-cancelling headphones", None, 150),
        ("Eight hundred dollars.", "", None, 800),
        ("um, $800 laptop", "laptop", None, 800),
    ],
)
def test_prices(said: str, query: str, low: float | None, high: float | None) -> None:
    search = parse_search(said)
    assert (search.query, search.filters.min_price, search.filters.max_price) == (query, low, high)


@pytest.mark.parametrize(("said", "currency"), [
    ("speaker under 30 euros", "EUR"), ("speaker under £30", "GBP"), ("speaker under 30 pounds", "GBP"),
    ("speaker under €30", "EUR"), ("speaker under 30 dollars", "USD"), ("speaker under 30", None),
])  # fmt: skip
def test_currency(said: str, currency: str | None) -> None:
    assert parse_search(said).filters.currency == currency


@pytest.mark.parametrize(("said", "preference"), [
    ("cheap headphones", "low"), ("budget laptop", "low"), ("affordable tv", "low"),
    ("inexpensive mouse", "low"), ("high end laptop", "high"), ("premium headphones", "high"),
    ("top of the line camera", "high"), ("a laptop", None),
])  # fmt: skip
def test_price_preference(said: str, preference: str | None) -> None:
    search = parse_search(said)
    assert search.filters.price_preference == preference
    assert search.query.split()[-1] in {"headphones", "laptop", "tv", "mouse", "camera"}


@pytest.mark.parametrize(
    "said", ["speaker under 99999999999 dollars", "tv over 20000000", "laptop $99999999999"]
)
def test_absurd_prices_are_dropped_not_crashing(said: str) -> None:
    filters = parse_search(said).filters
    assert filters.max_price is None and filters.min_price is None


@pytest.mark.parametrize(
    "said", ["iphone 7", "4k tv", "aa battery", "27 inch monitor", "2 tb drive", "usb-c 3 pack"]
)
def test_model_numbers_and_specs_are_not_prices(said: str) -> None:
    search = parse_search(said)
    assert search.filters.max_price is None and search.filters.min_price is None, said
    assert search.query == said


@pytest.mark.parametrize(
    ("said", "query"),
    [
        ("a sixty five inch tv", "65 inch tv"),
        ("an ssd, one terabyte", "ssd 1tb"),
        ("a one terabyte ssd", "1tb ssd"),
        ("phone with 128 gigs", "phone with 128gb"),
    ],
)
def test_sizes_and_capacities_said_in_words_are_digits(said: str, query: str) -> None:
    search = parse_search(said)
    assert search.query == query and search.filters.max_price is None


def test_empty_text_gives_an_empty_search() -> None:
    assert parse_search("   ").query == ""
    assert not parse_search("   ").filters.any()


@pytest.mark.parametrize(
    ("said", "low", "high"),
    [
        ("headphones between twenty and forty dollars", 20, 40),
        ("speaker one hundred and fifty dollars max", None, 150),
        ("phone no more than a grand", None, 1000),
        ("laptop under two grand", None, 2000),
        ("laptop for a thousand bucks", None, 1000),
        ("laptop twelve hundred dollars max", None, 1200),
        ("laptop for like 600 bucks", None, 600),
        ("laptop for two thousand five hundred dollars", None, 2500),
        ("tv under 1k", None, 1000),
        # prices said the short way are hundreds
        ("laptop no more than seven fifty", None, 750),
        ("monitor nine ninety nine max", None, 999),
        ("tv twelve fifty or less", None, 1250),
        ("speaker one twenty tops", None, 120),
        ("headphones under two fifty", None, 250),
        ("laptop between five hundred and seven fifty", 500, 750),
        ("headphones two hundred and five dollars max", None, 205),
        # "one" after a determiner is a pronoun, not a hundred
        ("that one fifty dollars max", None, 50),
        # a couple, a few
        ("laptop under a couple hundred", None, 200),
        ("headphones a few hundred bucks max", None, 300),
        ("tv a couple grand max", None, 2000),
        # a target price said as a mark or a range
        ("laptop around the 500 mark", 400, 600),
        ("tablet in the three hundred range", 240, 360),
        ("monitor in the 200 dollar range", 160, 240),
        ("headphones in the ballpark of 150 bucks", 120, 180),
        # "a" before a tens word is no number ("a fifty" was 51)
        ("a fifty dollar gift card", None, 50),
        ("headphones for a hundred bucks", None, 100),
        ("watch no less than a hundred", 100, None),  # "less than" inside "no less than" is a floor
        ("laptop up to a grand and a half", None, 1500),
        ("headphones under forty, no wait, say fifty", None, 50),  # the amount said last counts
        ("speaker under 40 sorry 50", None, 50),
    ],
)
def test_spoken_amounts(said: str, low: float | None, high: float | None) -> None:
    filters = parse_search(said).filters
    assert (filters.min_price, filters.max_price) == (low, high)


def test_budget_with_an_amount_is_the_amount_not_cheap() -> None:
    search = parse_search("i want a 4k tv, budget around 400")
    assert search.query == "4k tv" and search.filters.price_preference is None
    assert search.filters.min_price == 320 and search.filters.max_price == 480
    assert parse_search("on a budget, need headphones").filters.price_preference == "low"
    not_too_dear = parse_search("need a mechanical keyboard thats not too expensive")
    assert not_too_dear.filters.price_preference == "low"
