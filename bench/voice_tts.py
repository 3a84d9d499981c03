"""Piper first audio: whole opening clause vs a short first piece vs ready audio from the phrase cache.

    .venv/bin/python -m bench.voice_tts [--reps 7]

For each reply opening the dialogue engine says, times how long the first
audio takes to exist (phonemisation + ONNX synthesis of the first piece
PiperTTSService hands the voice), three ways, interleaved so load affects
them alike: ``clause`` (the first clause as split_for_speech cuts it, what
the service did before), ``first_piece`` (that clause cut short before a
preposition, split_first_piece), ``cached`` (the clause said before: a
lookup). Medians over --reps runs. Writes bench/results/voice_tts.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

OPENINGS = (
    "Hi! I'm your shopping assistant.",
    "One moment.",
    "Let me look that up.",
    "Looking for bluetooth speakers under 50 dollars.",
    "I found 5 options.",
    "Saved the JBL Go 3 Portable Bluetooth Speaker to your list.",
    "That's the Sony WH-1000XM5 Noise Cancelling Headphones for 348 dollars.",
    "You usually go for brands like Sony and Anker, black colours, and a budget under 100 dollars.",
    "You're welcome!",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from voice_runtime.models import get_piper_voice
    from voice_runtime.services.piper_tts import (
        PhraseCache,
        split_first_piece,
        split_for_speech,
        synthesize_cached,
        synthesize_pcm,
    )

    voice = get_piper_voice()
    synthesize_pcm(voice, "Warm up.")
    cache = PhraseCache()
    load = os.getloadavg()
    times: dict[str, dict[str, list[float]]] = {
        t: {"clause": [], "first_piece": [], "cached": []} for t in OPENINGS
    }
    pieces = {}
    for _ in range(args.reps):
        for text in OPENINGS:
            clause = split_for_speech(text)[0]
            first = split_first_piece(clause)[0]
            pieces[text] = {"clause_text": clause, "first_piece_text": first}
            for way, piece in (("clause", clause), ("first_piece", first)):
                started = time.perf_counter()
                synthesize_pcm(voice, piece)
                times[text][way].append(1000 * (time.perf_counter() - started))
            synthesize_cached(voice, clause, cache)
            started = time.perf_counter()
            synthesize_cached(voice, clause, cache)
            times[text]["cached"].append(1000 * (time.perf_counter() - started))
    rows = {
        text: {way: round(statistics.median(values), 2) for way, values in ways.items()} | pieces[text]
        for text, ways in times.items()
    }
    medians = {
        way: round(statistics.median(r[way] for r in rows.values()), 1)
        for way in ("clause", "first_piece", "cached")
    }
    report = {
        "command": "python -m bench.voice_tts " + " ".join(argv if argv is not None else sys.argv[1:]),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in load],
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
        "reps": args.reps,
        "openings": rows,
        "median_over_openings_ms": medians,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "voice_tts.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Piper: time to the first audio of a reply",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['cpus']} CPUs shared with other work, "
        f"load average {report['load_average']} at start, "
        f"{report['load_average_end']} at end; medians of {args.reps} interleaved runs.",
        "",
        "| reply opening | whole first clause ms | short first piece ms (piece) | cached ms |",
        "|---|---|---|---|",
    ]
    for text, r in rows.items():
        piece = r["first_piece_text"] if r["first_piece_text"] != r["clause_text"] else "(no cut)"
        lines.append(f"| {text} | {r['clause']:.0f} | {r['first_piece']:.0f} ({piece}) | {r['cached']:.2f} |")
    lines += [
        "",
        f"Median over the openings: whole clause {medians['clause']} ms, short first piece "
        f"{medians['first_piece']} ms, cached {medians['cached']} ms.",
        "",
    ]
    (args.out / "voice_tts.md").write_text("\n".join(lines))
    sys.stdout.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
