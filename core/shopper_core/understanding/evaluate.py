"""Accuracy of the intent on the held-out paraphrases, rules only and with the fallback.

    python -m shopper_core.understanding.evaluate [--errors]

The held-out files (data/intent_heldout.jsonl, data/intent_heldout_b.jsonl) are never
trained on; a training paraphrase within 0.85 similarity of a held-out one is removed.
Set A's errors were read once, after its first score; set B was written before the last
round of rule changes and scored only at the end. Turns are
read mid-conversation (results shown, a search current, a product in focus), where
every intent is possible. Also reports per-turn latency (p50/p95).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter

from shopper_core.understanding.classifier import read_examples
from shopper_core.understanding.types import Context
from shopper_core.understanding.understand import understand_with

MID_CONVERSATION = Context(has_results=True, has_search=True, has_focus=True)


def score(use_model: bool, examples: list[tuple[str, str]]) -> tuple[float, list[str], list[float]]:
    """(accuracy, error lines, per-turn milliseconds)."""
    errors: list[str] = []
    timings: list[float] = []
    for text, intent in examples:
        start = time.perf_counter()
        got = understand_with(text, MID_CONVERSATION, None, use_model=use_model)
        timings.append((time.perf_counter() - start) * 1000)
        if got.intent != intent:
            errors.append(f"  {text!r}: expected {intent}, got {got.intent} ({got.source} {got.confidence})")
    return 1 - len(errors) / len(examples), errors, timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the turns read wrong")
    args = parser.parse_args(argv)
    understand_with("warm up", MID_CONVERSATION, None, use_model=True)
    out = sys.stdout
    for name in ("intent_heldout.jsonl", "intent_heldout_b.jsonl"):
        examples = read_examples(name)
        out.write(f"{name}: {len(examples)} turns over {len(Counter(i for _, i in examples))} intents\n")
        for label, use_model in (("rules only", False), ("rules + fallback", True)):
            accuracy, errors, timings = score(use_model, examples)
            cuts = statistics.quantiles(timings, n=20)
            p50, p95 = statistics.median(timings), cuts[18]
            out.write(f"  {label}: {accuracy:.1%}  (p50 {p50:.2f} ms, p95 {p95:.2f} ms)\n")
            if args.errors:
                out.write("\n".join(errors) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
