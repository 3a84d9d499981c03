"""The embedded default provider: the bundled catalog, served as one provider per retailer.

One `SearchEngine` per process (lazily, thread-safe) over both files; the `icecat` and
`dummyjson` providers are views of it filtered by retailer, so their relevance scores are
comparable and aggregation across them is real.

The engine comes from shopper.research.index_cache (the prebuilt index and the
process-wide instance); this module only turns its hits into provider results.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from shopper.research.catalog_data import RETAILER_DUMMYJSON, RETAILER_ICECAT
from shopper.research.engine import SearchEngine, SearchHit
from shopper.research.index_cache import DEFAULT_CACHE_DIR, get_engine, load_or_build
from shopper.research.types import ParsedQuery, RawResult

__all__ = ["DEFAULT_CACHE_DIR", "CatalogProvider", "catalog_providers", "get_engine", "load_or_build"]

SOURCE_NAMES = {RETAILER_ICECAT: "Icecat", RETAILER_DUMMYJSON: "DummyJSON"}
# Results per search shared by the retailer views (cached per query).
_SHARED_DEPTH = 200


@lru_cache(maxsize=256)
def _shared_search(engine: SearchEngine, query: ParsedQuery) -> tuple[tuple[SearchHit, ...], float]:
    """One engine search per query for all retailer views: hits and the best score overall."""
    unrestricted = replace(query, filters=replace(query.filters, retailers=()))
    hits = tuple(engine.search(unrestricted, limit=_SHARED_DEPTH))
    return hits, (hits[0].score if hits else 0.0)


class CatalogProvider:
    """Searches the bundled catalog for one retailer."""

    def __init__(self, retailer: str, engine: SearchEngine | None = None) -> None:
        if retailer not in SOURCE_NAMES:
            raise ValueError(f"unknown catalog retailer {retailer!r}")
        self.name = retailer
        self._engine = engine

    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            self._engine = get_engine()
        return self._engine

    async def search(self, query: ParsedQuery, limit: int) -> list[RawResult]:
        hits, best = _shared_search(self.engine, query)
        results: list[RawResult] = []
        for hit in hits:
            item = hit.item
            if item.retailer != self.name:
                continue
            results.append(
                RawResult(
                    provider=self.name,
                    source=SOURCE_NAMES[self.name],
                    title=item.title,
                    url=item.productUrl,
                    position=len(results) + 1,
                    price=item.price,
                    currency=item.currency,
                    description=item.description or None,
                    brand=item.brand,
                    rating=item.rating,
                    reviews_count=item.reviewsCount,
                    availability=item.availability,
                    image_url=item.imageUrl,
                    color=item.color,
                    category=item.category,
                    external_id=item.id,
                    relevance=round(hit.score / best, 6) if best > 0 else 0.0,
                    matched=hit.matched,
                )
            )
            if len(results) >= limit:
                break
        return results


def clear_search_cache() -> None:
    """Forget cached searches (after the engine's ranking parameters change)."""
    _shared_search.cache_clear()


def catalog_providers(engine: SearchEngine | None = None) -> list[CatalogProvider]:
    return [CatalogProvider(RETAILER_ICECAT, engine), CatalogProvider(RETAILER_DUMMYJSON, engine)]
