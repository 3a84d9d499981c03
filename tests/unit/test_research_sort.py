"""An explicit sort ("sort them by price") reorders what the ranking chose, and only that."""

from __future__ import annotations

import pytest

from shopper.models import QueryPreferences
from shopper.research.service import sorted_as_asked
from shopper.research.types import Offer, RankedOffer


def ranked(title: str, price: float, rating: float | None, rank: int) -> RankedOffer:
    url = f"https://x.example/{title}"
    offer = Offer(
        provider="catalog", source="Icecat", title=title, url=url, canonical_url=url,
        price=price, currency="USD", search_rank=rank, rating=rating,
    )  # fmt: skip
    return RankedOffer(offer=offer, system_rank=rank, score=1.0 / rank, reasons=("matches bluetooth",))


OFFERS = [ranked("a", 40.0, 4.1, 1), ranked("b", 25.0, None, 2), ranked("c", 60.0, 4.8, 3)]


@pytest.mark.parametrize(
    ("sort", "titles"),
    [
        (None, ["a", "b", "c"]),
        ("price_low", ["b", "a", "c"]),
        ("price_high", ["c", "a", "b"]),
        ("rating", ["c", "a", "b"]),
    ],
)
def test_sort_orders_and_renumbers(sort: str | None, titles: list[str]) -> None:
    result = sorted_as_asked(OFFERS, sort)
    assert [r.offer.title for r in result] == titles
    assert [r.system_rank for r in result] == [1, 2, 3]
    assert all(r.reasons == ("matches bluetooth",) for r in result)


def test_the_sort_is_a_stored_preference_that_only_takes_known_orders() -> None:
    assert QueryPreferences(sort="price_low").sort == "price_low"
    with pytest.raises(ValueError):
        QueryPreferences(sort="random")
