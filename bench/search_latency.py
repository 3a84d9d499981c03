"""Search-only latency: how long a process takes to get its catalog index, then every dev
query through the product's search path (parse, both catalog providers, normalise/dedupe/
filter/rank).

Index start-up is measured both ways a process can get it (in a fresh temporary cache dir):
- cold: load both catalog files, build the index, write the cache file;
- warm: load the prebuilt cache file (what `python -m shopper.research.engine --build`
  (or `shopper.research.index_cache --build`) prepares at install time, and what every later process does).

    python bench/search_latency.py [--judgments bench/data/judgments_dev.csv] [--repeat 5]

Writes bench/results/search_latency.json and .md. Targets: search p50 < 10 ms per query,
index start-up well under a second.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from shopper.research import index_cache  # noqa: E402
from shopper.research.pipeline import search_products  # noqa: E402
from shopper.research.providers import catalog as catalog_module  # noqa: E402
from shopper.research.providers.catalog import catalog_providers, load_or_build  # noqa: E402

RESULTS = ROOT / "bench" / "results"
EXTRA = [
    "a cheap bluetooth speaker under 30 dollars in black",
    "noise cancelling headphones under 150 dollars",
    "wireless mouse with at least 4 stars",
    "laptop from Lenovo between 300 and 900",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--judgments", type=Path, default=ROOT / "bench" / "data" / "judgments_dev.csv")
    parser.add_argument("--nl", type=Path, default=ROOT / "bench" / "data" / "nl_requests_judgments.csv")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with open(args.judgments, newline="", encoding="utf-8") as handle:
        queries = list(dict.fromkeys(row["query"] for row in csv.DictReader(handle))) + EXTRA
    if args.nl and args.nl.exists():  # the natural-language requests exercise attributes and intent
        with open(args.nl, newline="", encoding="utf-8") as handle:
            queries += [
                q for q in dict.fromkeys(row["query"] for row in csv.DictReader(handle)) if q not in queries
            ]

    with tempfile.TemporaryDirectory() as cache:
        _, how = load_or_build(cache_dir=Path(cache))  # warm the OS file cache and imports
        cold_ms, warm_ms = [], []
        for _ in range(3):
            for path in Path(cache).glob("*.pkl"):
                path.unlink()
            engine, how = load_or_build(cache_dir=Path(cache))
            assert how == "built"
            cold_ms.append(engine.build_seconds * 1000)
            engine, how = load_or_build(cache_dir=Path(cache))
            assert how == "loaded"
            warm_ms.append(engine.build_seconds * 1000)
    items = engine.items
    index_cache._ENGINE = engine
    providers = catalog_providers(engine)

    latencies: list[float] = []

    async def run() -> None:
        for _ in range(args.repeat):
            catalog_module._shared_search.cache_clear()  # measure searches, not the cache
            for query in queries:
                t0 = time.perf_counter()
                await search_products(query, providers, limit=20)
                latencies.append((time.perf_counter() - t0) * 1000)

    asyncio.run(run())
    report = {
        "queries": len(queries),
        "repeat": args.repeat,
        "products": len(items),
        "index_cold_build_ms_median": round(statistics.median(cold_ms), 1),
        "index_warm_load_ms_median": round(statistics.median(warm_ms), 1),
        "index_cold_build_ms": [round(v, 1) for v in cold_ms],
        "index_warm_load_ms": [round(v, 1) for v in warm_ms],
        "search_ms_p50": round(statistics.median(latencies), 3),
        "search_ms_p95": round(percentile(latencies, 0.95), 3),
        "search_ms_max": round(max(latencies), 3),
        "target_p50_ms": 10,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search_latency.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md = [
        "# Search-only latency (product search path, bundled catalog)",
        "",
        "`python bench/search_latency.py`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| products indexed | {len(items)} |",
        f"| index cold: load files + build + write cache (median of 3) | "
        f"{report['index_cold_build_ms_median']} ms |",
        f"| index warm: load prebuilt cache (median of 3) | {report['index_warm_load_ms_median']} ms |",
        f"| search p50 ({len(latencies)} searches) | {report['search_ms_p50']} ms |",
        f"| search p95 | {report['search_ms_p95']} ms |",
    ]
    (RESULTS / "search_latency.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
