"""Voice-to-voice latency of one session, offline stack: our tuned pipeline against a stock one.

    .venv/bin/python bench/voice_latency.py [--turns 20]

Both configurations run the real server and pipeline over the real WebSocket
(in-process uvicorn, one session at a time) with the offline providers; the
functions API is the local fake, so only the voice path is timed. Each turn is
a Piper-spoken utterance streamed in real time as 16 kHz PCM16; voice-to-voice
is measured at the client, from the last sample of speech sent to the first
bot audio received (so it includes the VAD's stop wait). The server's own
per-stage figures (turn-metrics) are collected beside it.

- tuned: Silero VAD stop 0.25 s / start 0.1 s (confidence 0.6), stop as soon as VAD stop and the
  final transcript agree, incremental faster-whisper (tight window, speculative
  transcription), Piper with clause splitting, the dialogue engine.
- stock: pipecat's default Silero VAD params and default turn strategies
  (smart-turn v3), faster-whisper base int8 on the whole utterance after the
  VAD stop (pipecat's WhisperSTTService), Piper, the same dialogue engine.

Writes bench/results/voice_latency.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from pipecat.audio.vad.vad_analyzer import VADParams  # noqa: E402
from pipecat.turns.user_turn_strategies import UserTurnStrategies  # noqa: E402

from bench.whisper_stock import create_stock_stt  # noqa: E402
from devstack.fake_functions import SECRET, FakeFunctions  # noqa: E402
from devstack.voice_harness import ServerThread, free_port  # noqa: E402
from devstack.ws_client import VoiceClient, synthesize_speech  # noqa: E402
from shopper_core.tickets import mint_ticket  # noqa: E402
from voice_runtime.bot import BotDeps  # noqa: E402
from voice_runtime.functions_client import FunctionsClient  # noqa: E402
from voice_runtime.log import configure_logging  # noqa: E402
from voice_runtime.server import create_app  # noqa: E402
from voice_runtime.settings import VoiceSettings  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TICKET_KEY = "bench-ticket-key"
UTTERANCES = (
    "Find a bluetooth speaker under 50 dollars.",
    "Save the second one.",
    "Thank you.",
    "Find running shoes in blue.",
    "What do I usually like?",
    "Save the first one.",
    "Find noise cancelling headphones from Sony.",
    "Show me cheaper ones.",
    "Save the last one.",
    "Find a laptop backpack.",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarize(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1) if values else float("nan"),
        "min_ms": round(min(values), 1) if values else float("nan"),
        "max_ms": round(max(values), 1) if values else float("nan"),
    }


def config_deps(name: str, fake_url: str) -> BotDeps:
    common = {
        "functions_base_url": fake_url,
        "pipecat_server_secret": SECRET,
        "session_ticket_key": TICKET_KEY,
        "log_level": "WARNING",
    }
    client = FunctionsClient(fake_url, SECRET)
    if name == "tuned":
        return BotDeps(settings=VoiceSettings(**common), client=client)
    return BotDeps(
        settings=VoiceSettings(**common),
        client=client,
        create_stt=create_stock_stt,
        vad_params=VADParams(),
        turn_strategies=UserTurnStrategies,
    )


async def run_session(port: int, turns: int, speech: dict[str, bytes]) -> tuple[list[float], list[dict]]:
    session_id, user_id = f"bench-{uuid.uuid4().hex[:10]}", "bench-user"
    ticket = mint_ticket(TICKET_KEY, session_id, user_id, 3600)
    client = VoiceClient(f"ws://127.0.0.1:{port}/ws?sessionId={session_id}&userId={user_id}&ticket={ticket}")
    await client.connect()
    latencies: list[float] = []
    try:
        await client.wait_bot_audio(0.0, within=30)
        await client.wait_quiet(0.8)
        for index in range(turns):
            text = UTTERANCES[index % len(UTTERANCES)]
            utterance = await client.speak(speech[text], text)
            first = await client.wait_bot_audio(utterance.ended_at, within=30)
            latencies.append((first - utterance.ended_at) * 1000)
            await client.wait_quiet(0.8, within=60)
    finally:
        await client.close()
    server_turns = [
        m["data"]
        for m in client.messages("server-message")
        if isinstance(m.get("data"), dict) and m["data"].get("type") == "turn-metrics"
    ]
    return latencies, server_turns


def stage_medians(server_turns: list[dict]) -> dict[str, float]:
    stages = ("vad_stop_ms", "stt_ms", "llm_first_token_ms", "tts_first_audio_ms", "voice_to_voice_ms")
    medians = {}
    for stage in stages:
        values = [t[stage] for t in server_turns if isinstance(t.get(stage), int | float)]
        if values:
            medians[stage] = round(statistics.median(values), 1)
    return medians


def bench_config(name: str, fake: FakeFunctions, turns: int, speech: dict[str, bytes]) -> dict[str, Any]:
    port = free_port()
    server = ServerThread(create_app(config_deps(name, fake.url)), port)
    server.start()
    try:
        latencies, server_turns = asyncio.run(run_session(port, turns, speech))
    finally:
        server.stop()
    return {
        "client_voice_to_voice": summarize(latencies),
        "server_stage_medians": stage_medians(server_turns),
        "samples_ms": [round(v, 1) for v in latencies],
    }


def write_results(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "voice_latency.json").write_text(json.dumps(report, indent=2) + "\n")
    tuned, stock = report["configs"]["tuned"], report["configs"]["stock"]
    rows = [
        "# Voice-to-voice latency, 1 session, offline stack",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['cpus']} CPUs, load average at start {report['load_average']}  ",
        "Measured at the client: last sample of user speech sent -> first bot audio received.",
        "",
        "| configuration | turns | p50 ms | p95 ms | mean ms | server: VAD stop | STT | LLM first token "
        "| TTS first audio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in (("tuned (ours)", tuned), ("stock pipecat", stock)):
        c, s = result["client_voice_to_voice"], result["server_stage_medians"]
        rows.append(
            f"| {name} | {c['n']} | {c['p50_ms']} | {c['p95_ms']} | {c['mean_ms']} | "
            f"{s.get('vad_stop_ms', '-')} | {s.get('stt_ms', '-')} | {s.get('llm_first_token_ms', '-')} | "
            f"{s.get('tts_first_audio_ms', '-')} |"
        )
    rows += [
        "",
        f"Stock / tuned p50 ratio: **{report['ratio_p50']}x**, p95 ratio: **{report['ratio_p95']}x**. "
        f"Targets: p50 <= 500 ms ({'met' if report['targets']['p50_met'] else 'missed'}), "
        f"p95 <= 800 ms ({'met' if report['targets']['p95_met'] else 'missed'}).",
        "",
    ]
    (out / "voice_latency.md").write_text("\n".join(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", choices=("tuned", "stock"))
    args = parser.parse_args(argv)
    configure_logging("WARNING", pipecat_level="ERROR")
    speech = {text: synthesize_speech(text) for text in UTTERANCES}
    load = os.getloadavg()
    configs: dict[str, Any] = {}
    with FakeFunctions(SECRET) as fake:
        for name in ("tuned", "stock"):
            if args.only and name != args.only:
                continue
            configs[name] = bench_config(name, fake, args.turns, speech)
            sys.stdout.write(f"{name}: {json.dumps(configs[name]['client_voice_to_voice'])}\n")
    if len(configs) < 2:
        return 0
    tuned = configs["tuned"]["client_voice_to_voice"]
    stock = configs["stock"]["client_voice_to_voice"]
    report = {
        "command": "python bench/voice_latency.py " + " ".join(argv or sys.argv[1:]),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in load],
        "configs": configs,
        "ratio_p50": round(stock["p50_ms"] / tuned["p50_ms"], 2),
        "ratio_p95": round(stock["p95_ms"] / tuned["p95_ms"], 2),
        "targets": {"p50_met": tuned["p50_ms"] <= 500, "p95_met": tuned["p95_ms"] <= 800},
    }
    write_results(report, args.out)
    sys.stdout.write((args.out / "voice_latency.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
