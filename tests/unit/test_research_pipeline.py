"""Normalising, dedupe, filters and preference ranking: pure functions."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from shopper.models import Budget, UserPreferences
from shopper.research.pipeline import (
    DISLIKED_REASON,
    NoResultsError,
    apply_filters,
    canonical_url,
    convert_price,
    dedupe,
    explain_empty,
    merge_order,
    normalise,
    normalise_availability,
    parse_price,
    product_key,
    rank_by_preferences,
    run_search,
    unserved_retailers,
)
from shopper.research.types import Offer, ParsedQuery, RawResult, SearchFilters, SortHint


def raw(**kw) -> RawResult:
    base = dict(
        provider="serpapi",
        source="Shop",
        title="Sony WH-1000XM4 Headphones",
        url="https://shop.example/p/1",
        position=1,
        price=99.0,
    )
    base.update(kw)
    return RawResult(**base)


def offer(title: str, price: float, rank: int, **kw) -> Offer:
    url = f"https://shop.example/{rank}"
    base = dict(
        provider="serpapi",
        source="Shop",
        title=title,
        url=url,
        canonical_url=url,
        price=price,
        currency="USD",
        search_rank=rank,
    )
    base.update(kw)
    return Offer(**base)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$1,299.99", (1299.99, "USD")),
        ("1.299,99 €", (1299.99, "EUR")),
        ("£45", (45.0, "GBP")),
        ("EUR 12,50", (12.5, "EUR")),
        (19.5, (19.5, None)),
        ("free", None),
        (None, None),
        (-3, None),
    ],
)
def test_parse_price(value, expected) -> None:
    assert parse_price(value) == expected


def test_convert_price() -> None:
    assert convert_price(10, "USD", "USD") == 10
    assert convert_price(100, "EUR", "USD") == 108.0
    assert convert_price(10, "XYZ", "USD") is None


def test_canonical_url_drops_tracking_and_fragments() -> None:
    url = "HTTPS://WWW.Shop.Example:443/p/123/?utm_source=x&b=2&gclid=abc&a=1#reviews"
    assert canonical_url(url) == "https://shop.example/p/123?a=1&b=2"
    assert canonical_url("http://shop.example/p/123") == canonical_url("https://www.shop.example/p/123/")
    with pytest.raises(ValueError):
        canonical_url("javascript:alert(1)")


@pytest.mark.parametrize(
    ("text", "value"),
    [("In stock", "in_stock"), ("Only 2 left", "limited"), ("Low Stock", "limited"),
     ("out_of_stock", "out_of_stock"), ("Sold out", "out_of_stock"), (None, "unknown"), ("soon", "unknown")],
)  # fmt: skip
def test_availability(text, value) -> None:
    assert normalise_availability(text) == value


def test_normalise_converts_to_query_currency_and_reads_colour() -> None:
    o = normalise(raw(price="€100", title="Sony Headphones Black"), currency="USD")
    assert o is not None
    assert (o.price, o.currency, o.color, o.search_rank) == (108.0, "USD", "black", 1)
    assert normalise(raw(price=None)) is None
    assert normalise(raw(url="ftp://x")) is None


def test_dedupe_keeps_first_per_canonical_url() -> None:
    a = normalise(raw(url="https://shop.example/p/1?utm_medium=ad", position=1))
    b = normalise(raw(url="https://www.shop.example/p/1", position=2, source="Other"))
    c = normalise(raw(url="https://shop.example/p/2", position=3))
    assert [o.search_rank for o in dedupe([a, b, c])] == [1, 3]


def test_filters() -> None:
    offers = [
        offer("Sony A Black", 20, 1, rating=4.5, brand="Sony", color="black"),
        offer("Philips B White", 60, 2, rating=3.0, brand="Philips", color="white"),
        offer("JBL C", 120, 3, rating=None, provider="icecat", source="Icecat"),
    ]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(max_price=100))] == [1, 2]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(min_price=50))] == [2, 3]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(min_rating=4))] == [1]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(retailers=("icecat",)))] == [3]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(color="white"))] == [2]
    assert [o.search_rank for o in apply_filters(offers, SearchFilters(brand="jbl"))] == [3]


def test_merge_uses_relevance_across_providers() -> None:
    a = offer("a", 1, 1, provider="icecat", relevance=0.4)
    b = offer("b", 1, 1, provider="dummyjson", relevance=0.9)
    c = offer("c", 1, 2, provider="icecat", relevance=0.3)
    assert [o.title for o in merge_order([a, c, b])] == ["b", "a", "c"]


def test_no_preferences_keeps_relevance_order_and_gives_no_reasons() -> None:
    offers = [offer(f"item {i}", 10 + i, i) for i in range(1, 5)]
    ranked = rank_by_preferences(offers, None)
    assert [r.offer.search_rank for r in ranked] == [1, 2, 3, 4]
    assert [r.system_rank for r in ranked] == [1, 2, 3, 4]
    assert all(r.reasons == () for r in ranked)


def test_liked_brand_moves_up_with_a_reason_and_disliked_moves_down() -> None:
    offers = [
        offer("Philips Headphones", 50, 1, brand="Philips"),
        offer("JVC Headphones", 50, 2, brand="JVC"),
        offer("Sony Headphones", 50, 3, brand="Sony"),
    ]
    prefs = UserPreferences(userId="u1", brands=["Sony"], dislikedBrands=["Philips"])
    ranked = rank_by_preferences(offers, prefs)
    assert [r.offer.brand for r in ranked] == ["Sony", "JVC", "Philips"]
    assert ranked[0].reasons == ("matches your brand Sony",)
    assert ranked[-1].reasons == ("a brand you avoid: Philips",)


def test_colour_category_and_budget_reasons() -> None:
    offers = [
        offer("Speaker Pro", 300, 1, color="white", category="speaker"),
        offer("Speaker Mini Black", 40, 2, color="black", category="speaker"),
    ]
    prefs = UserPreferences(
        userId="u1", colors=["Black"], productCategories=["speaker"], budget=Budget(max=100)
    )
    ranked = rank_by_preferences(offers, prefs)
    assert ranked[0].offer.title == "Speaker Mini Black"
    assert "in your colour black" in ranked[0].reasons
    assert "in a category you like: speaker" in ranked[0].reasons
    assert "within your budget" in ranked[0].reasons
    assert "over your budget of $100" in ranked[1].reasons


def test_preferences_do_not_promote_an_unrelated_item_far_down() -> None:
    offers = [replace(offer(f"item {i}", 10, i), relevance=1.0 / i) for i in range(1, 11)]
    offers[-1] = replace(offers[-1], brand="Sony")
    ranked = rank_by_preferences(offers, UserPreferences(userId="u", brands=["Sony"]))
    assert ranked[0].offer.search_rank == 1
    assert next(r.system_rank for r in ranked if r.offer.brand == "Sony") > 5


def test_cheap_hint_prefers_lower_prices_among_matches() -> None:
    offers = [offer("a", 90, 1, relevance=1.0), offer("b", 10, 2, relevance=0.95)]
    ranked = rank_by_preferences(offers, None, SortHint.price_low)
    assert ranked[0].offer.title == "b"
    assert "lowest price" in ranked[0].reasons


# ---------------------------------------------------------------- why nothing is shown


def parsed(text: str = "waterproof smartwatch", **filters) -> ParsedQuery:
    return ParsedQuery(text=text, raw_text=text, filters=SearchFilters(**filters))


def test_empty_result_names_the_rating_filter_when_nothing_has_a_rating() -> None:
    unrated = [offer("Denver SW-350 smartwatch", 125.0, 1), offer("Huawei Watch GT 2e", 177.0, 2)]
    reason = explain_empty(unrated, parsed(min_rating=4.0))
    assert reason == "none of the matching products has a rating yet"
    rated = [offer("Apple Watch Series 4", 349.0, 1, rating=2.7)]
    assert "rated 4 stars or more (the best has 2.7)" in explain_empty(rated, parsed(min_rating=4.0))


def test_empty_result_names_the_price_filter_and_never_asks_for_a_budget_not_given() -> None:
    offers = [offer("Sony TV", 500.0, 1), offer("LG TV", 650.0, 2)]
    reason = explain_empty(offers, parsed("55 inch tv", max_price=100.0))
    assert reason == "none of the matching products costs at or under $100 (the cheapest is $500)"
    unrated = explain_empty(offers, parsed("55 inch tv", min_rating=4.5))
    assert "budget" not in unrated and "price" not in unrated and "costs" not in unrated
    assert "between $10 and $20" in explain_empty(offers, parsed("tv", min_price=10.0, max_price=20.0))


def test_empty_result_is_judged_on_the_kind_asked_for_not_on_odds_and_ends() -> None:
    perfumes = [
        offer("CK One", 49.99, 1, category="fragrances"),
        offer("Gucci Bloom", 79.99, 2, category="fragrances"),
        offer("Pet toy", 8.94, 3, category="toys"),
    ]
    reason = explain_empty(perfumes, parsed("perfume", max_price=25.0))
    assert reason == "none of the matching products costs at or under $25 (the cheapest is $50)"


def test_empty_result_brand_colour_combined_and_no_match_at_all() -> None:
    offers = [offer("Sony TV", 500.0, 1, brand="Sony", color="black")]
    assert explain_empty(offers, parsed("tv", brand="LG")) == "none of the matching products is from LG"
    assert explain_empty(offers, parsed("tv", color="red")) == "none of the matching products comes in red"
    both = explain_empty(
        [offer("Sony TV", 500.0, 1, rating=4.8), offer("LG TV", 90.0, 2, rating=3.0)],
        parsed("tv", max_price=100.0, min_rating=4.5),
    )
    assert both == "none matches all of those at once; dropping one of them would show some"
    assert explain_empty([], parsed("qwzxv plorf")) == "nothing in the product sources matches “qwzxv plorf”"


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name

    async def search(self, query, limit):  # pragma: no cover - never called
        return []


def test_a_retailer_that_is_not_configured_says_so() -> None:
    catalog = [_Named("icecat"), _Named("dummyjson")]
    reason = unserved_retailers(("serpapi",), catalog)
    assert reason == "Google Shopping is not configured here (it needs a SerpApi key, and none is configured)"
    assert unserved_retailers(("serpapi", "icecat"), catalog) is None
    assert unserved_retailers((), catalog) is None
    with pytest.raises(NoResultsError, match="Google Shopping is not configured"):
        asyncio.run(run_search(parsed("tv", retailers=("serpapi",)), catalog))


def test_a_disliked_product_sinks_with_the_reason() -> None:
    offers = [offer(f"Headphones {i}", 50.0, i) for i in range(1, 6)]
    disliked = frozenset({product_key(offers[0].canonical_url)})
    ranked = rank_by_preferences(offers, None, disliked=disliked)
    first = next(r for r in ranked if r.offer is offers[0])
    assert first.system_rank == len(offers)
    assert DISLIKED_REASON in first.reasons
    assert all(DISLIKED_REASON not in r.reasons for r in ranked if r.offer is not offers[0])


def test_matched_attributes_lead_the_rank_reasons() -> None:
    ranked = rank_by_preferences([offer("Sony speaker", 40.0, 1, matched=("bluetooth",))])
    assert ranked[0].reasons == ("bluetooth",)
