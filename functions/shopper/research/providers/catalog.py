"""The embedded default provider: the bundled catalog, served as one provider per retailer.

One `SearchEngine` per process (lazily, thread-safe) over both files; the `icecat` and
`dummyjson` providers are views of it filtered by retailer, so their relevance scores are
comparable and aggregation across them is real.

The engine is loaded from a prebuilt index in DEFAULT_CACHE_DIR (functions/.cache) when
its source hash matches the catalog files and the engine code, else built and written
there for the next process (best effort: a read-only file system just skips the write).
`python -m shopper.research.engine --build` prebuilds it at install/deploy time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from shopper.research.catalog_data import (
    DEFAULT_CATALOG_DIR,
    RETAILER_DUMMYJSON,
    RETAILER_ICECAT,
    load_catalog,
)
from shopper.research.engine import SearchEngine, SearchHit, source_hash
from shopper.research.types import ParsedQuery, RawResult
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

_ENGINE: SearchEngine | None = None
_LOCK = threading.Lock()
SOURCE_NAMES = {RETAILER_ICECAT: "Icecat", RETAILER_DUMMYJSON: "DummyJSON"}
# Results per search shared by the retailer views (cached per query).
_SHARED_DEPTH = 200
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[3] / ".cache"


def load_or_build(
    catalog_dir: Path | None = None, cache_dir: Path | None = DEFAULT_CACHE_DIR
) -> tuple[SearchEngine, str]:
    """The catalog engine from the cache when it is current ("loaded"), else built
    ("built") and cached. `cache_dir=None` never touches the disk."""
    directory = catalog_dir or DEFAULT_CATALOG_DIR
    started = time.perf_counter()
    if cache_dir is None:
        engine, how = SearchEngine(load_catalog(directory)), "built"
    else:
        digest = source_hash(directory)
        path = cache_dir / f"catalog-index-{digest}.pkl"
        loaded = SearchEngine.load(path, digest)
        if loaded is not None:
            engine, how = loaded, "loaded"
        else:
            engine, how = SearchEngine(load_catalog(directory)), "built"
            try:
                engine.save(path, digest)
                for old in cache_dir.glob("catalog-index-*.pkl"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError as exc:
                log_event(logger, "catalog index not cached", path=str(path), error=str(exc))
    engine.build_seconds = time.perf_counter() - started
    return engine, how


def get_engine(catalog_dir: Path | None = None, cache_dir: Path | None = DEFAULT_CACHE_DIR) -> SearchEngine:
    """The process-wide engine, loaded or built on first use."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                engine, how = load_or_build(catalog_dir, cache_dir)
                log_event(
                    logger,
                    f"catalog index {how}",
                    products=len(engine.items),
                    build_ms=round(engine.build_seconds * 1000, 1),
                )
                _ENGINE = engine
    return _ENGINE


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
                )
            )
            if len(results) >= limit:
                break
        return results


def catalog_providers(engine: SearchEngine | None = None) -> list[CatalogProvider]:
    return [CatalogProvider(RETAILER_ICECAT, engine), CatalogProvider(RETAILER_DUMMYJSON, engine)]
