"""STT word error rate and latency on spoken shopping utterances (offline Whisper base int8).

Utterances are synthesised at bench time by several voices (Piper en_US-joe-medium
and espeak-ng en-us / en-gb-x-rp) and resampled to 16 kHz. espeak is deterministic;
Piper samples noise in its model, so the bench seeds onnxruntime (``SYNTHESIS_SEED``)
before the voice loads and every run of one command hears the same audio (unseeded,
Piper's WER moved 2 points between two runs).

Utterances: ``bench/data/voice_wer_utterances.csv``, one per row with its split. ``dev`` is
the set the recipe and its shopping prompt were chosen on (the prompt quotes some of it);
``heldout`` was written and committed before anything was measured on it, with other
products, catalog brands, prices said aloud and list commands. Every figure is reported for
both parts and overall; tune on dev only (``--split dev``), never on held-out errors.

Scoring: WER with both sides through Whisper's English text normaliser (the standard
way to score English ASR), and raw WER (case and edge punctuation only) beside it.
``--errors`` prints each utterance a recipe got wrong; ``--rescore FILE`` scores the
hypotheses of a results file again without decoding.

Recipes:

- ``stock``: pipecat's WhisperSTTService recipe (model.transcribe defaults,
  beam 5, 30 s window, 0.5 s trailing silence) over the whole utterance;
- ``tuned_full``: beam 2 (the service's default; greedy before), no
  timestamps, shopping prompt, 30 s window;
- ``tuned_tight``: the same with the encoder window cut to the utterance
  (what IncrementalWhisperSTTService runs).

``--recipes`` picks some of them (the stock recipe alone takes minutes), and may add
decoding experiments (``VARIANTS``: one change each from ``tuned_tight``, among them beam
sizes, faster-whisper's VAD filter, prompts and windows), decoded utterance by utterance
beside it so that machine load falls on all alike.

Latency: ``stock`` is the time from VAD stop to transcript of the stock path
(its whole inference runs after the stop). ``incremental`` drives the real
IncrementalWhisperSTTService through a pipecat pipeline in real time (20 ms
audio frames, VAD stop after ``--vad-stop-secs`` of silence) on the first
``--realtime`` utterances per voice and reads the stop-to-transcript time it
measured.

Models: ``--models base small=DIR`` decodes every recipe with each model (any CTranslate2
Whisper folder), utterance by utterance, so their WER and time compare within one run.

Run: ``.venv/bin/python -m bench.voice_wer`` (writes bench/results/voice_wer.json and .md).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

# `make bench` runs this file as a script (python bench/voice_wer.py), like the other benches.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.common import percentile  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SAMPLE_RATE = 16000

UTTERANCES_FILE = Path(__file__).resolve().parent / "data" / "voice_wer_utterances.csv"
# dev: the utterances the decoding recipe and its prompt were chosen on; heldout: written
# (and committed) before anything was measured on them, never to tune on.
SPLITS = ("dev", "heldout")


def load_utterances(path: Path = UTTERANCES_FILE, split: str = "all") -> list[tuple[str, str]]:
    """(split, text) of each utterance in ``path``, in file order; ``split`` picks one part."""
    with path.open(newline="") as handle:
        rows = [(row["split"], row["text"]) for row in csv.DictReader(handle)]
    unknown = {s for s, _ in rows} - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown split(s) {sorted(unknown)} in {path}")
    return [r for r in rows if split == "all" or r[0] == split]


VOICES = ["piper:joe", "espeak:en-us"]
SYNTHESIS_SEED = 0  # onnxruntime's random ops (Piper's noise); fixed once, not tuned


def seed_synthesis(seed: int = SYNTHESIS_SEED) -> None:
    """Make Piper's sampled noise repeatable: call before the Piper voice is first loaded."""
    import onnxruntime

    onnxruntime.set_seed(seed)


# --- synthesis ---------------------------------------------------------------------------


def _resample(pcm: bytes, rate: int, target: int = SAMPLE_RATE) -> bytes:
    import soxr

    samples = np.frombuffer(pcm, dtype=np.int16)
    if rate == target:
        return samples.tobytes()
    return soxr.resample(samples, rate, target).astype(np.int16).tobytes()


def synthesize(text: str, voice: str) -> bytes:
    """16 kHz mono 16-bit PCM of ``text`` spoken by ``voice`` ('piper:joe' or 'espeak:<voice>')."""
    engine, _, name = voice.partition(":")
    if engine == "piper":
        from voice_runtime.models import get_piper_voice
        from voice_runtime.services.piper_tts import synthesize_pcm

        pcm, rate = synthesize_pcm(get_piper_voice(), text)
    elif engine == "espeak":
        from voice_runtime.services.espeak_tts import synthesize_espeak

        pcm, rate = synthesize_espeak(text, voice=name, words_per_minute=165)
    else:
        raise ValueError(f"unknown voice {voice!r}")
    return _resample(pcm, rate)


def write_wav(path: Path, pcm: bytes, rate: int = SAMPLE_RATE) -> None:
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


# --- scoring -----------------------------------------------------------------------------
#
# Two scores per hypothesis, so a normaliser can hide nothing:
# - raw: lower case, punctuation at word edges dropped, nothing else ("$50" and "50 dollars",
#   "Ray-Ban" and "Rayban", "grey" and "gray" all differ);
# - normalised (the headline figure, the standard way to score English ASR): both sides through
#   Whisper's English text normaliser (the ``whisper-normalizer`` package: numbers and currency
#   to digits, British to American spelling, contractions expanded, hyphens split).

_EDGE_PUNCTUATION = '.,?!;:"()'


def raw_words(text: str) -> list[str]:
    """Lower-case words with the punctuation at their edges dropped."""
    words = (w.strip(_EDGE_PUNCTUATION) for w in text.lower().split())
    return [w for w in words if w]


_normalizer: Any = None


def normalized_words(text: str) -> list[str]:
    """Words after Whisper's English text normaliser."""
    global _normalizer
    if _normalizer is None:
        from whisper_normalizer.english import EnglishTextNormalizer

        _normalizer = EnglishTextNormalizer()
    return _normalizer(text).split()


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions, insertions, deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, h in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


def score(reference: str, hypothesis: str) -> dict[str, int]:
    """Word errors and reference length, normalised and raw."""
    ref, hyp = normalized_words(reference), normalized_words(hypothesis)
    raw_ref, raw_hyp = raw_words(reference), raw_words(hypothesis)
    return {
        "errors": edit_distance(ref, hyp),
        "words": len(ref),
        "errors_raw": edit_distance(raw_ref, raw_hyp),
        "words_raw": len(raw_ref),
    }


def word_error_rate(scored: list[dict[str, Any]], *, raw: bool = False) -> float:
    """Errors over reference words, summed over utterances (not a mean of per-utterance rates)."""
    suffix = "_raw" if raw else ""
    return sum(s["errors" + suffix] for s in scored) / max(1, sum(s["words" + suffix] for s in scored))


# --- transcription recipes ---------------------------------------------------------------


def transcribe_stock(model: Any, pcm: bytes) -> tuple[str, float]:
    audio = np.frombuffer(pcm + bytes(SAMPLE_RATE), dtype=np.int16).astype(np.float32) / 32768.0
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, language="en")
    text = " ".join(s.text for s in segments if s.no_speech_prob < 0.4)
    return text.strip(), 1000 * (time.perf_counter() - started)


def vad_filter(audio: np.ndarray) -> np.ndarray:
    """faster-whisper's ``vad_filter=True`` with its default options: only Silero's speech chunks."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    chunks, _ = collect_chunks(audio, get_speech_timestamps(audio, VadOptions()))
    return np.concatenate(chunks, axis=0)


def transcribe_engine(
    engine: Any, pcm: bytes, lead_secs: float = 0.0, vad: bool = False
) -> tuple[str, float]:
    """The engine on the utterance plus 0.3 s of trailing silence (and ``lead_secs`` before it).

    ``vad``: faster-whisper's VAD filter first (its time counts in the decode's).
    """
    from voice_runtime.services.whisper_stt import pcm16_to_float

    lead = bytes(int(lead_secs * SAMPLE_RATE) * 2)
    started = time.perf_counter()
    audio = pcm16_to_float(lead + pcm + bytes(int(0.3 * SAMPLE_RATE) * 2))
    result = engine.transcribe(vad_filter(audio) if vad else audio)
    return result.text, 1000 * (time.perf_counter() - started)


async def incremental_latency(engine: Any, pcm: bytes, vad_stop_secs: float) -> tuple[str, float, bool]:
    """Drive the real service in real time; return (text, stop->transcript ms, speculative hit)."""
    from pipecat.frames.frames import (
        InputAudioRawFrame,
        VADUserStartedSpeakingFrame,
        VADUserStoppedSpeakingFrame,
    )
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams
    from pipecat.tests.utils import SleepFrame, run_test

    from voice_runtime.services.whisper_stt import IncrementalWhisperSTTService

    service = IncrementalWhisperSTTService(engine=engine)
    chunk = SAMPLE_RATE // 50 * 2  # 20 ms
    silence = bytes(int(vad_stop_secs * SAMPLE_RATE) * 2)
    audio = pcm + silence
    frames: list[Any] = [VADUserStartedSpeakingFrame(start_secs=0.2)]
    for offset in range(0, len(audio), chunk):
        frames.append(
            InputAudioRawFrame(audio=audio[offset : offset + chunk], sample_rate=SAMPLE_RATE, num_channels=1)
        )
        frames.append(SleepFrame(0.02))
    frames.append(VADUserStoppedSpeakingFrame(stop_secs=vad_stop_secs))
    frames.append(SleepFrame(1.5))
    await run_test(
        Pipeline([service]),
        frames_to_send=frames,
        pipeline_params=PipelineParams(audio_in_sample_rate=SAMPLE_RATE),
    )
    stats = service.last_utterance
    if stats is None:
        return "", float("nan"), False
    return stats.text, stats.stop_to_transcript_ms, stats.speculative_hit


# Decoding experiments on the tight window, each a change from ``tuned_tight`` (measured in the
# same run, on the same audio, utterance by utterance, so machine load falls on all alike).
# HOTWORDS are everyday shopping words, not the brands or products of the dev utterances.
HOTWORDS = "price, dollars, cheaper, reviews, stars, size, colour, brand, wireless, headphones, laptop"
GENERIC_PROMPT = (
    "Show me cheaper ones. Save the first one. Find me a pair of jeans under 40 dollars, "
    "in dark blue, from Levi's. What do I usually like?"
)
VARIANTS: dict[str, dict[str, Any]] = {
    "beam3": {"beam_size": 3},
    "beam5": {"beam_size": 5},
    "no_prompt": {"prompt": ""},
    "generic_prompt": {"prompt": GENERIC_PROMPT},
    "hotwords": {"hotwords": HOTWORDS},
    "fallback": {"fallback_temperatures": (0.2, 0.4, 0.6)},
    "timestamps": {"timestamps": True},
    "lead_silence": {"lead_secs": 0.3},
    # faster-whisper's vad_filter (Silero, default options) before the window, without and with
    # the 0.3 s of leading silence that lead_silence showed hurts.
    "vad_filter": {"vad": True},
    "lead_silence_vad": {"lead_secs": 0.3, "vad": True},
    # The prompt's sentences as fragments, so there is no whole sentence to copy out of it.
    "fragment_prompt": {
        "prompt": "bluetooth speaker under 50 dollars, cheaper ones in black, save the second one, "
        "noise cancelling headphones from Sony, running shoes, a laptop backpack, what do I usually like?"
    },
    "window_short": {"min_window_secs": 3.0, "margin_secs": 0.5},
    "window_long": {"min_window_secs": 8.0, "margin_secs": 2.0},
}
BASE_RECIPES = ["stock", "tuned_full", "tuned_tight"]


def recipe_runners(model: Any, names: list[str], beam_size: int, label: str = "") -> dict[str, Any]:
    """name -> run(pcm) -> (text, ms) for the base recipes and the VARIANTS asked for.

    ``label`` (a model other than the default) prefixes each name: ``small:tuned_tight``.
    """
    from voice_runtime.services.whisper_stt import WhisperEngine

    prefix = f"{label}:" if label else ""
    runners: dict[str, Any] = {}
    for name in names:
        if name == "stock":
            runners[prefix + name] = lambda p: transcribe_stock(model, p)
        elif name in ("tuned_full", "tuned_tight"):
            engine = WhisperEngine(model, tight_window=name == "tuned_tight", beam_size=beam_size)
            runners[prefix + name] = lambda p, e=engine: transcribe_engine(e, p)
        elif name in VARIANTS:
            options = {"beam_size": beam_size, **VARIANTS[name]}
            lead = options.pop("lead_secs", 0.0)
            vad = options.pop("vad", False)
            engine = WhisperEngine(model, tight_window=True, **options)
            runners[prefix + name] = lambda p, e=engine, lead=lead, vad=vad: transcribe_engine(
                e, p, lead, vad
            )
        else:
            raise SystemExit(f"unknown recipe {name!r}; known: {BASE_RECIPES + list(VARIANTS)}")
    return runners


def parse_model(spec: str) -> tuple[str, Path | None]:
    """``label=DIR`` (a CTranslate2 Whisper folder) or ``base`` (the packaged model)."""
    label, _, folder = spec.partition("=")
    if not folder and label != "base":
        raise SystemExit(f"--models {spec!r}: give label=DIR for any model but the packaged base")
    return label, Path(folder).expanduser() if folder else None


def row_split(row: dict[str, Any]) -> str:
    """A row's split (results written before the held-out set existed are all dev)."""
    return row.get("split", "dev")


def summarize(rows: list[dict[str, Any]], recipes: list[str], voices: list[str]) -> dict[str, Any]:
    """WER (normalised and raw, overall and per voice) and inference p50/p95 per recipe."""
    summary: dict[str, Any] = {}
    splits = [s for s in SPLITS if any(row_split(r) == s for r in rows)]
    for recipe in recipes:
        scored = [r[recipe] for r in rows if recipe in r]
        if not scored:
            continue
        by_voice = {v: [r[recipe] for r in rows if r["voice"] == v and recipe in r] for v in voices}
        by_split_voice = {
            s: {
                v: [r[recipe] for r in rows if recipe in r and r["voice"] == v and row_split(r) == s]
                for v in voices
            }
            for s in splits
        }
        times = [s["ms"] for s in scored if "ms" in s]
        summary[recipe] = {
            "wer": round(word_error_rate(scored), 4),
            "wer_raw": round(word_error_rate(scored, raw=True), 4),
            "wer_by_voice": {v: round(word_error_rate(x), 4) for v, x in by_voice.items()},
            "wer_raw_by_voice": {v: round(word_error_rate(x, raw=True), 4) for v, x in by_voice.items()},
            "wer_by_split": {
                s: round(word_error_rate([x for group in by_v.values() for x in group]), 4)
                for s, by_v in by_split_voice.items()
            },
            "wer_by_split_voice": {
                s: {v: round(word_error_rate(x), 4) for v, x in by_v.items()}
                for s, by_v in by_split_voice.items()
            },
            "utterances_with_errors": sum(1 for s in scored if s["errors"]),
            "inference_ms_p50": round(statistics.median(times), 1) if times else None,
            "inference_ms_p95": round(percentile(times, 0.95), 1) if times else None,
        }
    return summary


def error_lines(rows: list[dict[str, Any]], recipe: str) -> list[str]:
    """Reference against hypothesis for each utterance the recipe got wrong (raw or normalised)."""
    lines = []
    for row in rows:
        result = row.get(recipe)
        if result and (result["errors"] or result["errors_raw"]):
            lines.append(
                f"{recipe} {row['voice']} norm {result['errors']} raw {result['errors_raw']}: "
                f"{row['reference']!r} -> {result['text']!r}"
            )
    return lines


def rescore(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a results file scored again with the current scorer."""
    for row in rows:
        for value in row.values():
            if isinstance(value, dict) and "text" in value and "ms" in value:
                value.update(score(row["reference"], value["text"]))
    return rows


def recipe_table(summary: dict[str, Any], voices: list[str]) -> list[str]:
    """One row per recipe: WER overall, per split and per voice, and inference time."""
    splits = list(next(iter(summary.values()), {}).get("wer_by_split", {}))
    lines = [
        "| recipe | WER | raw WER | "
        + "".join(f"{s} WER | " for s in splits)
        + " | ".join(f"{v} WER (raw)" for v in voices)
        + " | utterances with errors | inference p50 ms | p95 ms |",
        "|---|---|---|" + "---|" * (len(splits) + len(voices)) + "---|---|---|",
    ]
    for recipe, data in summary.items():
        lines.append(
            f"| {recipe} | {data['wer']:.3f} | {data['wer_raw']:.3f} | "
            + "".join(f"{data['wer_by_split'][s]:.3f} | " for s in splits)
            + " | ".join(f"{data['wer_by_voice'][v]:.3f} ({data['wer_raw_by_voice'][v]:.3f})" for v in voices)
            + f" | {data['utterances_with_errors']}"
            + f" | {data['inference_ms_p50']} | {data['inference_ms_p95']} |"
        )
    return lines


def split_voice_table(summary: dict[str, Any], voices: list[str]) -> list[str]:
    """One row per recipe: normalised WER of each split on each voice."""
    splits = list(next(iter(summary.values()), {}).get("wer_by_split", {}))
    columns = [(s, v) for s in splits for v in voices]
    lines = [
        "| recipe | " + " | ".join(f"{s} {v}" for s, v in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for recipe, data in summary.items():
        by = data["wer_by_split_voice"]
        lines.append(f"| {recipe} | " + " | ".join(f"{by[s][v]:.3f}" for s, v in columns) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", nargs="+", default=VOICES)
    parser.add_argument("--split", choices=["all", *SPLITS], default="all", help="which utterances to decode")
    parser.add_argument("--limit", type=int, default=None, help="first N utterances of each split")
    parser.add_argument("--realtime", type=int, default=8, help="utterances per voice driven in real time")
    parser.add_argument("--vad-stop-secs", type=float, default=0.3)
    parser.add_argument(
        "--recipes",
        nargs="+",
        default=BASE_RECIPES,
        help=f"of {BASE_RECIPES} and the variants {list(VARIANTS)}",
    )
    parser.add_argument("--beam-size", type=int, default=2, help="beam of the tuned recipes")
    parser.add_argument(
        "--models",
        nargs="+",
        default=["base"],
        help="base (the packaged model) and/or label=DIR (CTranslate2 Whisper folders); every recipe "
        "runs on each, utterance by utterance; recipes of a model other than the first are label:recipe",
    )
    parser.add_argument("--errors", action="store_true", help="print reference and hypothesis of each error")
    parser.add_argument(
        "--rescore",
        type=Path,
        help="score the hypotheses of a results JSON again (no decoding, writes nothing)",
    )
    args = parser.parse_args(argv)

    if args.rescore:
        data = json.loads(args.rescore.read_text())
        rows = rescore(data["rows"])
        voices = list(dict.fromkeys(r["voice"] for r in rows))
        recipes = list(
            dict.fromkeys(k for r in rows for k, v in r.items() if isinstance(v, dict) and "ms" in v)
        )
        summary = summarize(rows, recipes, voices)
        out = [*recipe_table(summary, voices), "", *split_voice_table(summary, voices)]
        if args.errors:
            out += [line for recipe in recipes for line in error_lines(rows, recipe)]
        print("\n".join(out))  # noqa: T201 - a bench prints its table
        return 0

    from voice_runtime.models import get_whisper_model
    from voice_runtime.services.whisper_stt import WhisperEngine

    seed_synthesis()
    runners: dict[str, Any] = {}
    models = [parse_model(spec) for spec in args.models]
    for index, (label, folder) in enumerate(models):
        try:
            model = get_whisper_model(folder)
        except (RuntimeError, ValueError, OSError) as error:
            raise SystemExit(f"model {label} ({folder or 'packaged'}) does not load: {error}") from error
        runners |= recipe_runners(model, args.recipes, args.beam_size, label if index else "")
        if index == 0:
            realtime_engine = WhisperEngine(model, tight_window=True, beam_size=args.beam_size)
    utterances = [
        u for s in SPLITS for u in [u for u in load_utterances(split=args.split) if u[0] == s][: args.limit]
    ]
    rows: list[dict[str, Any]] = []
    for voice in args.voices:
        for index, (split, text) in enumerate(utterances):
            pcm = synthesize(text, voice)
            row: dict[str, Any] = {
                "voice": voice,
                "split": split,
                "reference": text,
                "audio_ms": round(len(pcm) / 32, 1),
            }
            for recipe, run in runners.items():
                hypothesis, ms = run(pcm)
                row[recipe] = {"text": hypothesis, **score(text, hypothesis), "ms": round(ms, 1)}
            if index < args.realtime:
                hyp, ms, hit = asyncio.run(incremental_latency(realtime_engine, pcm, args.vad_stop_secs))
                row["incremental"] = {
                    "text": hyp,
                    "stop_to_transcript_ms": round(ms, 1),
                    "speculative_hit": hit,
                }
            rows.append(row)

    summary: dict[str, Any] = {
        "recipes": summarize(rows, list(runners), args.voices),
        "voices": args.voices,
        "utterances": len(utterances),
        "utterances_by_split": {s: sum(1 for u in utterances if u[0] == s) for s in SPLITS},
        "scoring": "wer: both sides through Whisper's English text normaliser (whisper-normalizer); "
        "wer_raw: lower case, edge punctuation dropped",
    }
    live = [r["incremental"] for r in rows if "incremental" in r]
    live_ms = [
        x["stop_to_transcript_ms"] for x in live if x["stop_to_transcript_ms"] == x["stop_to_transcript_ms"]
    ]
    stock = summary["recipes"].get("stock", {})
    summary["stop_to_transcript_ms"] = {
        "stock_p50": stock.get("inference_ms_p50"),
        "stock_p95": stock.get("inference_ms_p95"),
        "incremental_p50": round(statistics.median(live_ms), 1) if live_ms else None,
        "incremental_p95": round(percentile(live_ms, 0.95), 1) if live_ms else None,
        "incremental_samples": len(live_ms),
        "speculative_hit_rate": round(sum(x["speculative_hit"] for x in live) / max(1, len(live)), 3),
        "vad_stop_secs": args.vad_stop_secs,
    }
    summary["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    summary["beam_size"] = args.beam_size
    summary["models"] = {label: str(folder or "packaged base") for label, folder in models}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "voice_wer.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    command_args = " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"# STT word error rate and latency (Whisper {', '.join(label for label, _ in models)}, int8)",
        "",
        f"{len(utterances)} shopping utterances ("
        + ", ".join(f"{n} {s}" for s, n in summary["utterances_by_split"].items() if n)
        + f", bench/data/voice_wer_utterances.csv) x {len(args.voices)} voices ({', '.join(args.voices)}); "
        f"{summary['machine']['cpus']} CPUs (shared; load average at the end "
        f"{summary['machine']['load_average']}), tuned recipes at beam {args.beam_size}. "
        f"Command: `.venv/bin/python -m bench.voice_wer {command_args}`.",
        "",
        "WER: reference and hypothesis both through Whisper's English text normaliser "
        "(`whisper-normalizer`); raw WER: lower case and edge punctuation only.",
        "",
        *recipe_table(summary["recipes"], args.voices),
        "",
        "Normalised WER by split and voice:",
        "",
        *split_voice_table(summary["recipes"], args.voices),
    ]
    lat = summary["stop_to_transcript_ms"]
    lines += [
        "",
        f"VAD stop to final transcript (VAD stop_secs {lat['vad_stop_secs']}):",
        "",
        "| path | p50 ms | p95 ms |",
        "|---|---|---|",
        f"| stock (whole utterance after stop) | {lat['stock_p50']} | {lat['stock_p95']} |",
        f"| incremental (real service, real time, n={lat['incremental_samples']}, "
        f"speculative hits {lat['speculative_hit_rate']:.0%}) | "
        f"{lat['incremental_p50']} | {lat['incremental_p95']} |",
        "",
    ]
    (RESULTS / "voice_wer.md").write_text("\n".join(lines))
    if args.errors:
        lines += [line for recipe in runners for line in error_lines(rows, recipe)]
    print("\n".join(lines))  # noqa: T201 - a bench prints its table
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
