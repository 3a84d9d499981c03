"""Value types shared by the research modules (plain frozen dataclasses, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SortHint(StrEnum):
    relevance = "relevance"
    price_low = "price_low"
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
