"""Search-only latency: how long a process takes to get its catalog index, then every dev
query through the product's search path (parse, both catalog providers, normalise/dedupe/
filter/rank).

Index start-up is measured both ways a process can get it (in a fresh temporary cache dir):
- cold: load both catalog files, build the index, write the cache file;
- warm: load the prebuilt cache file (what `python -m shopper.research.engine --build`
  (or `shopper.research.index_cache --build`) prepares at install time, and what every later process does).

    python bench/search_latency.py [--judgments bench/data/judgments_dev.csv] [--repeat 5]

The cold path is also split into its phases (read the catalog files, build the index,
write the cache file; wall and CPU time, so a loaded machine shows as wall >> CPU), and
one build's CPU time is split by step (type inference, attribute reading, text analysis,
the rest: postings and arrays). The machine's load average is recorded beside the figures.

Writes bench/results/search_latency.json and .md. Targets: search p50 < 10 ms per query,
index start-up well under a second.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from shopper.research import engine as engine_module  # noqa: E402
from shopper.research import index_cache  # noqa: E402
from shopper.research.catalog_data import load_catalog  # noqa: E402
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


def _timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def cold_phases(cache: Path, runs: int = 3) -> dict[str, dict[str, float]]:
    """Median wall and CPU ms of each phase of a cold start: read files, build, write."""
    samples: dict[str, list[tuple[float, float]]] = {"read": [], "build": [], "write": []}
    for _ in range(runs):
        items, wall, cpu = _timed(load_catalog)
        samples["read"].append((wall, cpu))
        engine, wall, cpu = _timed(engine_module.SearchEngine, items)
        samples["build"].append((wall, cpu))
        _, wall, cpu = _timed(engine.save, cache / "phases.pkl", "bench")
        samples["write"].append((wall, cpu))
    return {
        phase: {
            "wall_ms": round(statistics.median(w for w, _ in pairs), 1),
            "cpu_ms": round(statistics.median(c for _, c in pairs), 1),
        }
        for phase, pairs in samples.items()
    }


def build_profile(items) -> dict[str, float]:
    """CPU ms of one index build by step, timing the engine's calls into each step."""
    steps = {
        "product type inference": ("product_type",),
        "attribute reading": ("product_attributes",),
        "text analysis (tokens, stems, synonyms)": ("analyze", "_analyzed"),
    }
    spent = dict.fromkeys(steps, 0.0)
    originals = {}

    def timer(step: str, fn):
        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[step] += time.process_time() - started

        return timed

    for step, names in steps.items():
        for name in names:
            originals[name] = getattr(engine_module, name)
            setattr(engine_module, name, timer(step, originals[name]))
    try:
        _, _, total = _timed(engine_module.SearchEngine, items)
    finally:
        for name, fn in originals.items():
            setattr(engine_module, name, fn)
    out = {step: round(seconds * 1000, 1) for step, seconds in spent.items()}
    out["the rest (postings, bigrams, arrays)"] = round(total - sum(out.values()), 1)
    out["total"] = round(total, 1)
    return out


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

    load_before = os.getloadavg()
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
        phases = cold_phases(Path(cache))
    profile = build_profile(load_catalog())
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
        "index_cold_phases_ms_median": phases,
        "index_build_cpu_ms_by_step": profile,
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
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
        f"| load average (1, 5, 15 min) before / after, {os.cpu_count()} CPUs | "
        f"{report['load_average_1_5_15_before']} / {report['load_average_1_5_15_after']} |",
        "",
        "Cold start by phase (median of 3; wall well above CPU means the machine was busy):",
        "",
        "| phase | wall ms | CPU ms |",
        "|---|---|---|",
        *(f"| {name} | {v['wall_ms']} | {v['cpu_ms']} |" for name, v in phases.items()),
        "",
        "One index build's CPU time by step (timing every call adds its own cost, so this",
        "total is above the build phase's CPU time; the shares are what to read):",
        "",
        "| step | CPU ms |",
        "|---|---|",
        *(f"| {step} | {ms} |" for step, ms in profile.items()),
    ]
    (RESULTS / "search_latency.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
