"""The prebuilt catalog index: where it is cached, when it is current, and the process-wide engine.

The engine is loaded from a prebuilt index in DEFAULT_CACHE_DIR (functions/.cache) when
its source hash matches the catalog files and the code that analyses and scores them,
else built and written there for the next process (best effort: a read-only file system
just skips the write). `python -m shopper.research.index_cache --build` (or the older
`python -m shopper.research.engine --build`) prebuilds it at install/deploy time.

This module sits between the engine (which knows nothing of files or processes) and the
catalog provider (which only asks for `get_engine()`), so neither imports the other's
module at import time.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
from pathlib import Path

from shopper.research.catalog_data import DEFAULT_CATALOG_DIR, load_catalog
from shopper.research.engine import _SOURCE_FILES, INDEX_FORMAT, SearchEngine
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache"
_ENGINE: SearchEngine | None = None
_LOCK = threading.Lock()


def source_hash(catalog_dir: Path) -> str:
    """What an index depends on: the catalog files and the code that analyses and scores them."""
    digest = hashlib.sha256(f"format {INDEX_FORMAT}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(catalog_dir.glob("*.json*")) + [package / name for name in _SOURCE_FILES]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


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
    """The process-wide engine, loaded or built on first use (thread-safe)."""
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


def main(argv: list[str] | None = None) -> int:
    """`python -m shopper.research.index_cache --build [--cache-dir DIR]`: prebuild the catalog index."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--build", action="store_true", help="build (or verify) the cached index")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    args = parser.parse_args(argv)
    if not args.build:
        parser.print_help()
        return 2
    engine, how = load_or_build(cache_dir=args.cache_dir)
    sys.stdout.write(f"{how}: {len(engine.items)} products in {engine.build_seconds * 1000:.0f} ms\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
