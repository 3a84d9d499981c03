"""Relevance benchmark: nDCG@10 of the product search against graded human judgments.

    python bench/relevance.py --judgments bench/data/judgments_dev.csv --run-out RUN.tsv

Every query goes through the same path the product uses by default (natural-language
parsing, the catalog providers for BOTH retailers with no retailer filter, normalise/
dedupe/filter, ranking without any user preferences); the top 20 are written as
`query<TAB>rank<TAB>docid`. The judgments cover Icecat products only, so a DummyJSON
result is always unjudged. Unjudged documents count as irrelevant (gain 0); gain is
2^rating - 1.

The baseline is plain BM25 (rank-bm25's BM25Okapi, lower-cased alphanumeric tokens of
title + description) over the same candidate set: every product of both retailers.

Two means are printed per system:
- nDCG@10 (headline, trec_eval style): over the queries with at least one relevant
  judgment; nDCG is undefined when the ideal ranking has no gain;
- all queries: the same sum divided by every query of FILE (undefined ones count 0).
`--retailers icecat` also reports the Icecat-only view (a shopper's targetRetailers
filter), and `--explain N` prints the N worst queries: the top 10 with their grades
beside the judged-relevant documents, to find general causes of loss.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

from shopper.research.catalog_data import RETAILER_ICECAT, load_catalog  # noqa: E402
from shopper.research.pipeline import search_products  # noqa: E402
from shopper.research.providers.catalog import catalog_providers  # noqa: E402
from shopper.research.types import parse_text  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEPTH = 20
CUTOFF = 10


def read_judgments(path: Path) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            judged[row["query"].strip()][row["docid"].strip()] = int(row["rating"])
    return dict(judged)


def ndcg(ranked: list[str], grades: dict[str, int], k: int = CUTOFF) -> float | None:
    """nDCG@k with gain 2^g - 1; None when no judged document has any gain."""
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    if idcg == 0:
        return None
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    return dcg / idcg


def product_run(queries: list[str], retailers: tuple[str, ...]) -> tuple[dict[str, list[str]], list[float]]:
    """Top DEPTH doc ids per query from the product's own search path.

    `retailers` plays the query's targetRetailers preference (the same filter a shopper
    can set); empty means every retailer."""
    providers = catalog_providers()
    runs: dict[str, list[str]] = {}
    latencies: list[float] = []

    async def run_all() -> None:
        for query in queries:
            started = time.perf_counter()
            parsed = parse_text(query)
            parsed = replace(parsed, filters=replace(parsed.filters, retailers=retailers))
            ranked = await search_products(parsed, providers, preferences=None, limit=DEPTH)
            latencies.append((time.perf_counter() - started) * 1000)
            runs[query] = [_docid(r.offer.provider, r.offer.url) for r in ranked]

    asyncio.run(run_all())
    return runs, latencies


def _docid(provider: str, url: str) -> str:
    """Icecat ids as the judgments spell them; other retailers namespaced (never judged)."""
    item_id = url.rstrip("/").rsplit("/", 1)[-1]
    return item_id if provider == RETAILER_ICECAT else f"{provider}:{item_id}"


def bm25_run(queries: list[str]) -> dict[str, list[str]]:
    from rank_bm25 import BM25Okapi

    items = load_catalog()
    ids = [item.id if item.retailer == RETAILER_ICECAT else f"{item.retailer}:{item.id}" for item in items]

    def tok(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    bm25 = BM25Okapi([tok(f"{item.title} {item.description}") for item in items])
    runs = {}
    for query in queries:
        scores = bm25.get_scores(tok(query))
        order = sorted(range(len(ids)), key=lambda i: -scores[i])[:DEPTH]
        runs[query] = [ids[i] for i in order if scores[i] > 0]
    return runs


def evaluate(runs: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> dict[str, object]:
    per_query = {q: ndcg(runs.get(q, []), grades) for q, grades in judged.items()}
    defined = [v for v in per_query.values() if v is not None]
    return {
        "ndcg@10": round(statistics.fmean(defined), 4) if defined else 0.0,
        "ndcg@10_all_queries": round(sum(defined) / len(per_query), 4) if per_query else 0.0,
        "queries_with_relevant": len(defined),
        "queries": len(per_query),
        "per_query": {q: (None if v is None else round(v, 4)) for q, v in per_query.items()},
    }


def explain(
    runs: dict[str, list[str]],
    judged: dict[str, dict[str, int]],
    ours: dict[str, object],
    base: dict[str, object] | None,
    count: int,
) -> str:
    """The worst queries: our top 10 with grades ("-" = unjudged) and the best judged docs."""
    items = {(i.id if i.retailer == RETAILER_ICECAT else f"{i.retailer}:{i.id}"): i for i in load_catalog()}
    per_query = ours["per_query"]
    worst = sorted((v, q) for q, v in per_query.items() if v is not None)[:count]  # type: ignore[union-attr]
    out = []
    for value, query in worst:
        grades = judged[query]
        bm25 = base["per_query"].get(query) if base else None  # type: ignore[union-attr]
        out.append(f"\n== {query!r}  nDCG@10 {value:.3f}  (BM25 {bm25})")
        ranked = runs.get(query, [])
        for doc in ranked[:CUTOFF]:
            item = items.get(doc)
            out.append(
                f"   [{grades.get(doc, '-')}] {doc:>16}  {item.category if item else '?'!s:24.24}  "
                f"{item.title[:70] if item else '?'}"
            )
        out.append("   judged relevant:")
        for grade, doc in sorted(((g, d) for d, g in grades.items() if g > 0), reverse=True)[:6]:
            item = items.get(doc)
            rank = ranked.index(doc) + 1 if doc in ranked else "-"
            out.append(
                f"   ({grade}) rank {rank!s:>2} {doc:>10}  {item.category if item else '?'!s:24.24}  "
                f"{item.title[:70] if item else '?'}"
            )
    return "\n".join(out) + "\n"


def write_run(path: Path, runs: dict[str, list[str]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for query, docs in runs.items():
            for rank, doc in enumerate(docs, start=1):
                handle.write(f"{query}\t{rank}\t{doc}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--judgments", type=Path, required=True)
    parser.add_argument("--run-out", type=Path, required=True)
    parser.add_argument(
        "--retailers",
        default="",
        help="comma-separated targetRetailers for an extra product run (default: none, only the "
        f"product's default path over every retailer); e.g. {RETAILER_ICECAT}",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the BM25 baseline")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results/")
    parser.add_argument("--explain", type=int, default=0, help="print the N worst queries in detail")
    args = parser.parse_args(argv)

    judged = read_judgments(args.judgments)
    queries = list(judged)
    retailers = tuple(r.strip() for r in args.retailers.split(",") if r.strip())
    runs, latencies = product_run(queries, ())
    write_run(args.run_out, runs)
    rows: list[tuple[str, dict[str, object]]] = [("product search (default path)", evaluate(runs, judged))]
    if retailers:
        filtered, _ = product_run(queries, retailers)
        rows.append((f"product search ({','.join(retailers)} only)", evaluate(filtered, judged)))
    if not args.no_baseline:
        rows.append(("BM25 title+description", evaluate(bm25_run(queries), judged)))
    ours = rows[0][1]

    lines = [
        f"judgments: {args.judgments} ({ours['queries']} queries, "
        f"{ours['queries_with_relevant']} with a relevant document)",
        f"{'system':<36}{'nDCG@10':>10}{'nDCG@10 (all q, none=0)':>26}",
        *(f"{name:<36}{r['ndcg@10']:>10.4f}{r['ndcg@10_all_queries']:>26.4f}" for name, r in rows),
        f"search latency per query: p50 {statistics.median(latencies):.2f} ms",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if args.explain:
        base = dict(rows)["BM25 title+description"] if not args.no_baseline else None
        sys.stdout.write(explain(runs, judged, ours, base, args.explain))

    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        report = {
            "judgments": str(args.judgments),
            "cutoff": CUTOFF,
            "systems": dict(rows),
            "search_latency_ms_p50": round(statistics.median(latencies), 3),
        }
        (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        command = f"python bench/relevance.py --judgments {args.judgments} --run-out RUN.tsv"
        if retailers:
            command += f" --retailers {','.join(retailers)}"
        md = [
            "# Relevance (nDCG@10, unjudged = 0)",
            "",
            f"`{command}`",
            "",
            "| system | nDCG@10 (queries with a relevant judgment) | all queries (none = 0) |",
            "|---|---|---|",
            *(f"| {name} | {r['ndcg@10']:.4f} | {r['ndcg@10_all_queries']:.4f} |" for name, r in rows),
            "",
            f"{ours['queries']} queries, {ours['queries_with_relevant']} with a relevant judgment. "
            "The default path searches both retailers with no filter; BM25 indexes title + "
            "description of every product of both retailers.",
        ]
        (RESULTS / "relevance.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
