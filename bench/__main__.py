"""`make bench`: run every benchmark one after another and index their results.

Each benchmark writes JSON and a short Markdown table into bench/results/; this runner
runs them in sequence (they would disturb each other's timings if run together) and
writes bench/results/README.md linking the tables. `--only NAME` runs a subset.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

BENCHMARKS: dict[str, list[str]] = {
    # Scored on the filled judgments that sit beside the repository (shared/, see its NOTICE).
    "relevance": [
        "bench/relevance.py",
        "--judgments",
        "../shared/data/catalog/judgments_dev_filled.csv",
        "--run-out",
        "bench/results/relevance_run.tsv",
    ],
    "dialogue": ["bench/dialogue.py", "--split", "all"],
    "dialogue_final": [
        "bench/dialogue.py",
        "--data",
        "bench/data/dialogue/conversations_final.jsonl",
        "--name",
        "dialogue_final",
    ],
    "dialogue_final2": [
        "bench/dialogue.py",
        "--data",
        "bench/data/dialogue/conversations_final2.jsonl",
        "--name",
        "dialogue_final2_rerun",  # the blind figure (dialogue_final2) was taken once, before any fix
    ],
    "dialogue_final3": [
        "bench/dialogue.py",
        "--data",
        "bench/data/dialogue/conversations_final3.jsonl",
        "--name",
        "dialogue_final3_rerun",  # the blind figure (dialogue_final3) was taken once, before any fix
    ],
    "search_latency": ["bench/search_latency.py"],
    "research_latency": ["bench/research_latency.py"],
    "api": ["bench/api_bench.py"],
    "learning": ["bench/learning_bench.py"],
    "voice_wer": ["bench/voice_wer.py"],
    "voice_latency": ["bench/voice_latency.py"],
    "voice_concurrency": ["bench/voice_concurrency.py", "--mode", "offline"],
    "voice_concurrency_cloud": ["bench/voice_concurrency.py", "--mode", "cloud", "--pin"],
    "web_latency": ["bench/web_latency.py"],
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS))
    args = parser.parse_args()
    failed = []
    for name, command in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        script = ROOT / command[0]
        if not script.exists():
            continue
        started = time.monotonic()
        sys.stderr.write(f"== {name}\n")
        code = subprocess.call([sys.executable, *command], cwd=ROOT)
        sys.stderr.write(f"== {name}: exit {code} in {time.monotonic() - started:.0f} s\n")
        if code != 0:
            failed.append(name)
    tables = sorted(p.name for p in RESULTS.glob("*.md") if p.name != "README.md")
    index = ["# Benchmark results", "", "Written by `make bench` (python -m bench).", ""]
    index += [f"- [{name}]({name})" for name in tables]
    (RESULTS / "README.md").write_text("\n".join(index) + "\n")
    if failed:
        sys.stderr.write(f"failed: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
