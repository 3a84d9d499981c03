"""Relevance benchmark: nDCG@10 of the product search against graded judgments.

    python bench/relevance.py --judgments ../shared/data/catalog/judgments_dev_filled.csv

Reported per system: nDCG@10, the share of the top 10 that the judgments cover (an
unjudged product counts 0, so a low share means the figure is a floor), and the queries
below 0.5. The ranking parameters (engine.RankParams) are tuned by K-fold
cross-validation by query over a small grid (`--cv K`, default 5): for each fold the
grid point best on the other folds is scored on it, and the mean over held-out queries
is the headline; the in-sample figure of the point best on all queries is shown beside
it. The natural-language request set (bench/data/nl_requests_judgments.csv, judged
before any tuning for it) is scored with the shipped defaults.

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
from shopper.research.engine import DEFAULT_PARAMS, RankParams  # noqa: E402
from shopper.research.index_cache import get_engine  # noqa: E402
from shopper.research.pipeline import search_products  # noqa: E402
from shopper.research.providers.catalog import catalog_providers, clear_search_cache  # noqa: E402
from shopper.research.types import parse_text  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NL_JUDGMENTS = ROOT / "bench" / "data" / "nl_requests_judgments.csv"
DEPTH = 20
CUTOFF = 10

# The grid cross-validation chooses from (each point changes a few RankParams fields).
GRID: dict[str, tuple[float, ...]] = {
    "type_boost": (0.3, 0.5, 0.8),
    "type_mismatch": (0.2, 0.35, 0.5),
    "accessory": (0.2, 0.35, 0.6),
    "unknown_type": (0.35, 0.5, 0.8),
    "modifier_penalty": (0.15, 0.4, 0.6),
}


def grid_points() -> list[RankParams]:
    import itertools

    names = list(GRID)
    return [
        replace(DEFAULT_PARAMS, **dict(zip(names, values, strict=True)))
        for values in itertools.product(*(GRID[n] for n in names))
    ]


def use_params(params: RankParams) -> None:
    get_engine().params = params
    clear_search_cache()


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
    top = [(q, d) for q in judged for d in runs.get(q, [])[:CUTOFF]]
    judged_share = sum(d in judged[q] for q, d in top) / len(top) if top else 0.0
    return {
        "ndcg@10": round(statistics.fmean(defined), 4) if defined else 0.0,
        "ndcg@10_all_queries": round(sum(defined) / len(per_query), 4) if per_query else 0.0,
        "judged_share_top10": round(judged_share, 4),
        "below_0.5": sorted(q for q, v in per_query.items() if v is not None and v < 0.5),
        "queries_with_relevant": len(defined),
        "queries": len(per_query),
        "per_query": {q: (None if v is None else round(v, 4)) for q, v in per_query.items()},
    }


def unjudged_examples(
    runs: dict[str, list[str]], judged: dict[str, dict[str, int]], count: int = 8
) -> list[str]:
    """Queries with the most unjudged products in their top 10, with one such product each."""
    items = {(i.id if i.retailer == RETAILER_ICECAT else f"{i.retailer}:{i.id}"): i for i in load_catalog()}
    rows = []
    for query, grades in judged.items():
        missing = [d for d in runs.get(query, [])[:CUTOFF] if d not in grades]
        if missing:
            title = items[missing[0]].title[:60] if missing[0] in items else missing[0]
            rows.append((len(missing), f"{query!r}: {len(missing)} unjudged, e.g. {title}"))
    return [text for _, text in sorted(rows, key=lambda r: -r[0])[:count]]


def words_free(
    runs: dict[str, list[str]], judged: dict[str, dict[str, int]], ours: dict[str, object]
) -> dict[str, object]:
    """Requests with no search words once parsed (a brand alone: "sony"): they list the
    brand's products, few of which any pool judged, so their figure is a floor. Per
    request: nDCG@10 and how many of its top 10 are judged; and the mean without them."""
    per_query = ours["per_query"]
    rows = {}
    for query, grades in judged.items():
        if parse_text(query).text.strip():
            continue
        top = runs.get(query, [])[:CUTOFF]
        rows[query] = {"ndcg@10": per_query.get(query), "judged_in_top10": sum(d in grades for d in top)}  # type: ignore[union-attr]
    rest = [v for q, v in per_query.items() if v is not None and q not in rows]  # type: ignore[union-attr]
    return {"requests": rows, "ndcg@10_without_them": round(statistics.fmean(rest), 4) if rest else None}


def cross_validate(queries: list[str], judged: dict[str, dict[str, int]], folds: int) -> dict[str, object]:
    """K-fold by query over GRID: the held-out mean nDCG@10 and the in-sample best."""
    import zlib

    points = grid_points()
    table: list[dict[str, float | None]] = []
    for params in points:
        use_params(params)
        runs, _ = product_run(queries, ())
        table.append(evaluate(runs, judged)["per_query"])  # type: ignore[arg-type]
    use_params(DEFAULT_PARAMS)
    scored = [q for q in queries if table[0].get(q) is not None]
    fold_of = {q: zlib.crc32(q.encode()) % folds for q in scored}

    def mean(point: int, subset: list[str]) -> float:
        return statistics.fmean(table[point][q] for q in subset)  # type: ignore[misc]

    held_out: dict[str, float] = {}
    chosen = []
    for fold in range(folds):
        train = [q for q in scored if fold_of[q] != fold]
        test = [q for q in scored if fold_of[q] == fold]
        if not test:
            continue
        best = max(range(len(points)), key=lambda i: (mean(i, train), -i))
        chosen.append(best)
        held_out.update({q: table[best][q] for q in test})  # type: ignore[misc]
    best_all = max(range(len(points)), key=lambda i: (mean(i, scored), -i))
    default = next((i for i, p in enumerate(points) if p == DEFAULT_PARAMS), None)
    return {
        "folds": folds,
        "grid_points": len(points),
        "grid": {k: list(v) for k, v in GRID.items()},
        "ndcg@10_cv": round(statistics.fmean(held_out.values()), 4),
        "below_0.5_cv": sorted(q for q, v in held_out.items() if v < 0.5),
        "ndcg@10_in_sample_best": round(mean(best_all, scored), 4),
        "in_sample_best_params": {k: getattr(points[best_all], k) for k in GRID},
        "ndcg@10_defaults": round(mean(default, scored), 4) if default is not None else None,
        "chosen_per_fold": [{k: getattr(points[i], k) for k in GRID} for i in chosen],
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


def _shown(path: Path) -> str:
    """A path as the results files show it: relative to the repository when inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


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
    parser.add_argument("--run-out", type=Path, help="write the product run as query<TAB>rank<TAB>docid")
    parser.add_argument("--nl", type=Path, default=NL_JUDGMENTS, help="natural-language request judgments")
    parser.add_argument("--cv", type=int, default=5, help="folds for cross-validation (0: skip)")
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
    if args.run_out:
        write_run(args.run_out, runs)
    rows: list[tuple[str, dict[str, object]]] = [("product search (default path)", evaluate(runs, judged))]
    if retailers:
        filtered, _ = product_run(queries, retailers)
        rows.append((f"product search ({','.join(retailers)} only)", evaluate(filtered, judged)))
    if not args.no_baseline:
        rows.append(("BM25 title+description", evaluate(bm25_run(queries), judged)))
    ours = rows[0][1]
    nl_rows: list[tuple[str, dict[str, object]]] = []
    nl_runs: dict[str, list[str]] = {}
    if args.nl and args.nl.exists():
        nl_judged = read_judgments(args.nl)
        nl_runs, _ = product_run(list(nl_judged), ())
        nl_rows.append(("product search (default path)", evaluate(nl_runs, nl_judged)))
        if not args.no_baseline:
            nl_rows.append(("BM25 title+description", evaluate(bm25_run(list(nl_judged)), nl_judged)))
    cv = cross_validate(queries, judged, args.cv) if args.cv > 1 else None

    def table(title: str, named: list[tuple[str, dict[str, object]]]) -> list[str]:
        out = [title, f"{'system':<36}{'nDCG@10':>9}{'all q':>8}{'judged@10':>11}{'<0.5':>6}"]
        for name, r in named:
            out.append(
                f"{name:<36}{r['ndcg@10']:>9.4f}{r['ndcg@10_all_queries']:>8.4f}"
                f"{r['judged_share_top10']:>11.1%}{len(r['below_0.5']):>6}"  # type: ignore[arg-type]
            )
        return out

    lines = [
        f"judgments: {args.judgments} ({ours['queries']} queries, "
        f"{ours['queries_with_relevant']} with a relevant document)",
        *table("dev queries", rows),
        f"  below 0.5: {', '.join(ours['below_0.5']) or 'none'}",  # type: ignore[arg-type]
    ]
    if cv:
        lines += [
            f"cross-validated ({cv['folds']} folds by query, {cv['grid_points']} grid points): "
            f"held-out nDCG@10 {cv['ndcg@10_cv']:.4f}; in-sample best {cv['ndcg@10_in_sample_best']:.4f} "
            f"{cv['in_sample_best_params']}; shipped defaults {cv['ndcg@10_defaults']}",
            f"  held-out below 0.5: {', '.join(cv['below_0.5_cv']) or 'none'}",  # type: ignore[arg-type]
        ]
    if nl_rows:
        lines += table(f"natural-language requests: {args.nl}", nl_rows)
        lines.append(f"  below 0.5: {', '.join(nl_rows[0][1]['below_0.5']) or 'none'}")  # type: ignore[arg-type]
    lines.append(f"search latency per query (whole pipeline): p50 {statistics.median(latencies):.2f} ms")
    sys.stdout.write("\n".join(lines) + "\n")
    if args.explain:
        base = dict(rows)["BM25 title+description"] if not args.no_baseline else None
        sys.stdout.write(explain(runs, judged, ours, base, args.explain))
        if nl_rows:
            sys.stdout.write(explain(nl_runs, read_judgments(args.nl), nl_rows[0][1], None, args.explain))

    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        unjudged = unjudged_examples(runs, judged)
        report = {
            "judgments": str(args.judgments),
            "cutoff": CUTOFF,
            "systems": dict(rows),
            "cross_validation": cv,
            "nl_judgments": _shown(args.nl) if nl_rows else None,
            "nl_systems": dict(nl_rows),
            "most_unjudged_in_top10": unjudged,
            "words_free_requests": words_free(runs, judged, ours),
            "search_latency_ms_p50": round(statistics.median(latencies), 3),
        }
        (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        command = f"python bench/relevance.py --judgments {args.judgments}"
        if retailers:
            command += f" --retailers {','.join(retailers)}"

        def md_rows(named: list[tuple[str, dict[str, object]]]) -> list[str]:
            return [
                f"| {name} | {r['ndcg@10']:.4f} | {r['ndcg@10_all_queries']:.4f} | "
                f"{r['judged_share_top10']:.1%} | {len(r['below_0.5'])} |"  # type: ignore[arg-type]
                for name, r in named
            ]

        header = [
            "| system | nDCG@10 | all queries (none = 0) | top 10 judged | queries < 0.5 |",
            "|---|---|---|---|---|",
        ]
        md = [
            "# Relevance (nDCG@10, unjudged = 0)",
            "",
            f"`{command}`",
            "",
            f"Dev queries ({ours['queries']}, {ours['queries_with_relevant']} with a relevant judgment):",
            "",
            *header,
            *md_rows(rows),
            "",
            f"Below 0.5: {', '.join(ours['below_0.5']) or 'none'}.",  # type: ignore[arg-type]
        ]
        if cv:
            md += [
                "",
                f"Cross-validated ({cv['folds']} folds by query over {cv['grid_points']} grid points of "
                f"RankParams): held-out nDCG@10 **{cv['ndcg@10_cv']:.4f}** (below 0.5 held out: "
                f"{', '.join(cv['below_0.5_cv']) or 'none'}); in-sample best "
                f"{cv['ndcg@10_in_sample_best']:.4f}; shipped defaults {cv['ndcg@10_defaults']}.",
            ]
        if nl_rows:
            nl = nl_rows[0][1]
            md += [
                "",
                f"Natural-language requests ({args.nl.name}, {nl['queries']} requests judged before tuning):",
                "",
                *header,
                *md_rows(nl_rows),
                "",
                f"Below 0.5: {', '.join(nl['below_0.5']) or 'none'}.",  # type: ignore[arg-type]
            ]
        md += ["", "Most unjudged products in a top 10 (dev):", "", *(f"- {u}" for u in unjudged)]
        named = [("dev", report["words_free_requests"])]
        if nl_rows:
            report["nl_words_free_requests"] = words_free(nl_runs, read_judgments(args.nl), nl_rows[0][1])
            named.append(("NL", report["nl_words_free_requests"]))
        md += [
            "",
            "Requests with no search words once parsed (a brand alone: the brand's products are",
            "listed, main products first, and few of them are judged, so these figures are floors):",
            "",
            "| set | request | nDCG@10 | judged in top 10 |",
            "|---|---|---|---|",
        ]
        for set_name, block in named:
            for query, row in block["requests"].items():  # type: ignore[union-attr]
                md.append(f"| {set_name} | {query} | {row['ndcg@10']} | {row['judged_in_top10']} |")
        md += [
            "",
            *(
                f"{set_name} nDCG@10 without them: {block['ndcg@10_without_them']}."
                for set_name, block in named
            ),
        ]
        if nl_rows:
            nl_unjudged = unjudged_examples(nl_runs, read_judgments(args.nl))
            report["nl_most_unjudged_in_top10"] = nl_unjudged
            (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            md += [
                "",
                "Most unjudged products in a top 10 (NL requests):",
                "",
                *(f"- {u}" for u in nl_unjudged),
            ]
        (RESULTS / "relevance.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
