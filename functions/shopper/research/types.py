"""Value types shared by the research modules (plain frozen dataclasses, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shopper_core.understanding import parse_search


class SortHint(StrEnum):
    relevance = "relevance"
    price_low = "price_low"
    price_high = "price_high"
    rating_high = "rating_high"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Hard constraints on results. `None` / empty means "no constraint"."""

    min_price: float | None = None
    max_price: float | None = None
    min_rating: float | None = None
    color: str | None = None
    brand: str | None = None
    retailers: tuple[str, ...] = ()
    not_brands: tuple[str, ...] = ()  # brands ruled out ("no apple")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a provider searches for: free text plus filters.

    `text` is what remains after constraints were lifted out of the shopper's words;
    `raw_text` is what they said. `sort` is a soft hint ("cheap" -> price_low).
    """

    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: SortHint = SortHint.relevance
    raw_text: str = ""
    currency: str = "USD"


def parse_text(text: str, default_currency: str = "USD") -> ParsedQuery:
    """A typed search as providers search it, read by the one reader of the shopper's words.

    ``shopper_core.understanding.parse_search`` decides what the words mean (the voice
    dialogue reads them the same way); this only maps its Search onto the research types:
    "cheap" / "budget" (price preference low) sorts by price as before. Raises ValueError
    for empty text.
    """
    if not text or not text.strip():
        raise ValueError("the search text is empty")
    search = parse_search(text)
    f = search.filters
    filters = SearchFilters(
        min_price=f.min_price,
        max_price=f.max_price,
        min_rating=f.min_rating,
        color=f.color,
        brand=f.brand,
        retailers=f.retailers,
        not_brands=f.not_brands,
    )
    sort = {"low": SortHint.price_low, "high": SortHint.price_high}.get(
        f.price_preference or "", SortHint.relevance
    )
    return ParsedQuery(
        text=search.query,
        filters=filters,
        sort=sort,
        raw_text=text.strip(),
        currency=f.currency or default_currency,
    )


@dataclass(frozen=True, slots=True)
class RawResult:
    """One result as a provider returned it, before normalisation.

    `price` may be a number or a display string ("$1,299.99"); `position` is the
    provider's own 1-based order.
    """

    provider: str
    source: str
    title: str
    url: str
    position: int
    price: float | str | None = None
    currency: str | None = None
    description: str | None = None
    brand: str | None = None
    rating: float | None = None
    reviews_count: int | None = None
    availability: str | None = None
    image_url: str | None = None
    color: str | None = None
    category: str | None = None
    external_id: str | None = None
    # How well it matches, 0..1, when the provider can say (the catalog can; an API ranks only).
    relevance: float | None = None
    # What the shopper asked for that the provider found in it, in words ("bluetooth", "55 inch").
    matched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Offer:
    """A normalised result: price is a number in the query currency, URL is canonical."""

    provider: str
    source: str
    title: str
    url: str
    canonical_url: str
    price: float
    currency: str
    search_rank: int
    description: str | None = None
    brand: str | None = None
    rating: float | None = None
    reviews_count: int | None = None
    availability: str = "unknown"
    image_url: str | None = None
    color: str | None = None
    category: str | None = None
    relevance: float | None = None
    matched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedOffer:
    offer: Offer
    system_rank: int
    score: float
    reasons: tuple[str, ...] = ()
