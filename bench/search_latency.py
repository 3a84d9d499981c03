"""Search-only latency: catalog load + index build once, then every dev query through the
product's search path (parse, both catalog providers, normalise/dedupe/filter/rank).

    python bench/search_latency.py [--judgments bench/data/judgments_dev.csv] [--repeat 5]

Writes bench/results/search_latency.json and .md. Target: p50 < 10 ms per query.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

from shopper.research.catalog_data import load_catalog  # noqa: E402
from shopper.research.engine import SearchEngine  # noqa: E402
from shopper.research.pipeline import search_products  # noqa: E402
from shopper.research.providers import catalog as catalog_module  # noqa: E402
from shopper.research.providers.catalog import catalog_providers  # noqa: E402

RESULTS = ROOT / "bench" / "results"
EXTRA = [
    "a cheap bluetooth speaker under 30 dollars in black",
    "noise cancelling headphones under 150 dollars",
    "wireless mouse with at least 4 stars",
    "laptop from Lenovo between 300 and 900",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--judgments", type=Path, default=ROOT / "bench" / "data" / "judgments_dev.csv")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with open(args.judgments, newline="", encoding="utf-8") as handle:
        queries = list(dict.fromkeys(row["query"] for row in csv.DictReader(handle))) + EXTRA

    started = time.perf_counter()
    items = load_catalog()
    load_ms = (time.perf_counter() - started) * 1000
    engine = SearchEngine(items)
    build_ms = engine.build_seconds * 1000
    catalog_module._ENGINE = engine
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
        "catalog_load_ms": round(load_ms, 1),
        "index_build_ms": round(build_ms, 1),
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
        f"| catalog load (both files) | {report['catalog_load_ms']} ms |",
        f"| index build | {report['index_build_ms']} ms |",
        f"| search p50 ({len(latencies)} searches) | {report['search_ms_p50']} ms |",
        f"| search p95 | {report['search_ms_p95']} ms |",
    ]
    (RESULTS / "search_latency.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
