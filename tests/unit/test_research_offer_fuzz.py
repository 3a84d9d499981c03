"""Property-based fuzzing of the provider-offer shape: whatever a SerpApi row holds (huge
or negative prices, long merchant names and URLs, wrong types), the job's chain from the
provider's JSON to stored products never raises, drops only the rows it cannot store, and
always keeps a good row sent alongside them."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from shopper.models import Product, Query, QueryStatus
from shopper.research.pipeline import dedupe, normalise, rank_by_preferences
from shopper.research.providers.serpapi import parse_response
from shopper.research.service import to_products

GOOD_ROW = {
    "position": 1,
    "title": "JBL Flip 6 Speaker",
    "link": "https://www.bestbuy.com/site/jbl-flip-6/6491373.p",
    "source": "Best Buy",
    "price": "$99.95",
    "extracted_price": 99.95,
    "rating": 4.8,
    "reviews": 12456,
}
QUERY = Query(userId="u1", searchText="speaker", status=QueryStatus.searching, createdAt=1, updatedAt=1)

_numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 10_000_000, 10_000_000.01, 99999999999, -1]),
)
_texts = st.one_of(st.text(max_size=80), st.sampled_from(["M" * 61, "x" * 600, "", "  ", "$99,999,999,999"]))
_urls = st.one_of(
    st.sampled_from(["https://shop.example/p", "ftp://x", "javascript:alert(1)", "", "https://"]),
    st.builds(
        lambda n, tail: f"https://shop.example/{'u' * n}{tail}", st.integers(0, 2100), st.text(max_size=10)
    ),
)
_any = st.one_of(st.none(), st.booleans(), _numbers, _texts, st.lists(st.integers(), max_size=2))
_rows = st.fixed_dictionaries(
    {},
    optional={
        "position": st.one_of(_numbers, _texts, st.none()),
        "title": st.one_of(_texts, _any),
        "link": st.one_of(_urls, _any),
        "product_link": _urls,
        "source": st.one_of(_texts, _any),
        "price": st.one_of(_texts, _numbers, _any),
        "extracted_price": st.one_of(_numbers, _any),
        "rating": st.one_of(_numbers, _any),
        "reviews": st.one_of(_numbers, _any),
        "thumbnail": st.one_of(_urls, _any),
        "snippet": st.one_of(_texts, _any),
        "delivery": _any,
        "extensions": st.one_of(st.lists(_texts, max_size=3), _any),
    },
)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(_rows, max_size=6), at=st.integers(min_value=0, max_value=6))
def test_odd_provider_offers_never_break_a_query(rows: list[dict[str, Any]], at: int) -> None:
    rows.insert(min(at, len(rows)), GOOD_ROW)
    response = httpx.Response(200, json={"search_metadata": {"status": "Success"}, "shopping_results": rows})
    results = parse_response(response, limit=40)
    offers = dedupe(o for o in (normalise(r) for r in results) if o is not None)
    ranked = rank_by_preferences(offers)
    products, dropped = to_products("q1", QUERY, ranked, created_at=1)
    assert len(products) + dropped == len(ranked)
    assert [p.systemRank for _, p in products] == list(range(1, len(products) + 1))
    for _, product in products:
        Product.model_validate(product.model_dump())
    assert any(p.productUrl == GOOD_ROW["link"] and p.source == "Best Buy" for _, p in products)
