"""Voice-to-voice latency of one session, per turn kind, on the real local stack and beside stock.

    .venv/bin/python bench/voice_latency.py [--turns 12] [--backend real|fake|both]

Backends:
- real (the headline): devstack's LocalStack with the emulators (Firestore,
  Pub/Sub, Auth, Cloud Tasks), the functions API and the research worker, on
  free ports. A user signs up in the Auth emulator and each session is minted
  by POST /sessions, so every tool turn waits for the real API, Firestore and
  the research worker.
- fake (labelled second column): devstack/fake_functions.py,
  an in-memory stand-in; only the voice path is timed.

Both configurations run the real voice server and pipeline over the real
WebSocket (in-process uvicorn, one session at a time) with the offline
providers. Each turn is a Piper-spoken utterance streamed in real time as
16 kHz PCM16; voice-to-voice is measured at the client, from the last sample
of speech sent to the first bot audio received (so it includes the VAD's stop
wait). The conversation cycles through search, refine, save, answer from the
dialogue state, preferences and chit-chat turns; percentiles are reported per
kind and overall. The server's turn-metrics (per stage, and per tool call) are
collected beside it, and on the real stack the functions' own request logs
give the time per route and per research job.

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
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "core"), str(ROOT / "functions")]

from pipecat.audio.vad.vad_analyzer import VADParams  # noqa: E402
from pipecat.turns.user_turn_strategies import UserTurnStrategies  # noqa: E402

from bench.whisper_stock import create_stock_stt  # noqa: E402
from devstack.accounts import sign_up, start_session  # noqa: E402
from devstack.fake_functions import SECRET, FakeFunctions  # noqa: E402
from devstack.voice_harness import ServerThread, free_port  # noqa: E402
from devstack.ws_client import VoiceClient, synthesize_speech  # noqa: E402
from shopper_core.tickets import mint_ticket  # noqa: E402
from voice_runtime.bot import BotDeps  # noqa: E402
from voice_runtime.functions_client import FunctionsClient  # noqa: E402
from voice_runtime.log import configure_logging  # noqa: E402
from voice_runtime.server import create_app  # noqa: E402
from voice_runtime.settings import LOCAL_SECRET_PREFIX, VoiceSettings  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FAKE_TICKET_KEY = "bench-ticket-key"
# The local stack's functions and the voice server share devstack's local secrets.
STACK_SECRET = LOCAL_SECRET_PREFIX + "pipecat-secret"
STACK_TICKET_KEY = LOCAL_SECRET_PREFIX + "ticket-key"

# One conversation, cycled: (what the shopper says, the kind of turn it is).
SCRIPT: tuple[tuple[str, str], ...] = (
    ("Find a bluetooth speaker under 50 dollars.", "search"),
    ("Show me cheaper ones.", "refine"),
    ("Save the second one.", "save"),
    ("Tell me about the first one.", "answer_from_state"),
    ("Thank you.", "chit_chat"),
    ("Find running shoes in blue.", "search"),
    ("What do I usually like?", "preferences"),
    ("Save the first one.", "save"),
    ("Find noise cancelling headphones from Sony.", "search"),
    ("Show me cheaper ones.", "refine"),
    ("Describe the second one.", "answer_from_state"),
    ("What can you do?", "chit_chat"),
)
KINDS = ("search", "refine", "save", "answer_from_state", "preferences", "chit_chat")
TOOL_KINDS = ("search", "refine", "save", "preferences")


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


@dataclass
class Backend:
    """Where the functions API lives and how a session gets its ticket."""

    name: str
    functions_url: str
    secret: str
    ticket_key: str
    stack: Any = None

    def new_session(self) -> tuple[str, str, str]:
        """(sessionId, userId, ticket) for one benchmark session."""
        if self.stack is None:
            session_id, user_id = f"bench-{uuid.uuid4().hex[:10]}", "bench-user"
            return session_id, user_id, mint_ticket(self.ticket_key, session_id, user_id, 3600)
        user_id, id_token = sign_up(self.stack.url("auth"), timeout_s=60)
        session = start_session(self.functions_url, id_token)
        return session["sessionId"], user_id, session["ticket"]


@contextlib.contextmanager
def real_backend(log_dir: Path) -> Iterator[Backend]:
    from devstack.stack import LocalStack, Ports

    stack = LocalStack(
        ["functions"], ports=Ports.free(), log_dir=log_dir, extra_env={"RATE_LIMIT_PER_MINUTE": "10000"}
    )
    stack.start()
    try:
        yield Backend("real", stack.url("functions"), STACK_SECRET, STACK_TICKET_KEY, stack)
    finally:
        stack.stop()


@contextlib.contextmanager
def fake_backend() -> Iterator[Backend]:
    with FakeFunctions(SECRET) as fake:
        yield Backend("fake", fake.url, SECRET, FAKE_TICKET_KEY)


def config_deps(name: str, backend: Backend) -> BotDeps:
    common = {
        "functions_base_url": backend.functions_url,
        "pipecat_server_secret": backend.secret,
        "session_ticket_key": backend.ticket_key,
        "log_level": "WARNING",
    }
    client = FunctionsClient(backend.functions_url, backend.secret)
    if name == "tuned":
        return BotDeps(settings=VoiceSettings(**common), client=client)
    return BotDeps(
        settings=VoiceSettings(**common),
        client=client,
        create_stt=create_stock_stt,
        vad_params=VADParams(),
        turn_strategies=UserTurnStrategies,
    )


async def run_session(
    port: int, backend: Backend, turns: int, speech: dict[str, bytes]
) -> tuple[list[dict[str, Any]], list[dict]]:
    session_id, user_id, ticket = await asyncio.to_thread(backend.new_session)
    client = VoiceClient(f"ws://127.0.0.1:{port}/ws?sessionId={session_id}&userId={user_id}&ticket={ticket}")
    await client.connect()
    samples: list[dict[str, Any]] = []
    try:
        await client.wait_bot_audio(0.0, within=30)
        await client.wait_quiet(0.8)
        for index in range(turns):
            text, kind = SCRIPT[index % len(SCRIPT)]
            utterance = await client.speak(speech[text], text)
            first = await client.wait_bot_audio(utterance.ended_at, within=30)
            await client.wait_quiet(0.8, within=60)
            samples.append(
                {
                    "text": text,
                    "kind": kind,
                    "voice_to_voice_ms": round((first - utterance.ended_at) * 1000, 1),
                }
            )
    finally:
        await client.close()
    server_turns = [
        m["data"]
        for m in client.messages("server-message")
        if isinstance(m.get("data"), dict) and m["data"].get("type") == "turn-metrics"
    ]
    for sample, record in zip(samples, server_turns, strict=False):
        sample["server"] = {k: v for k, v in record.items() if k not in ("type", "session_id")}
    return samples, server_turns


def stage_medians(server_turns: list[dict]) -> dict[str, float]:
    stages = ("vad_stop_ms", "stt_ms", "llm_first_token_ms", "tts_first_audio_ms", "voice_to_voice_ms")
    medians = {}
    for stage in stages:
        values = [t[stage] for t in server_turns if isinstance(t.get(stage), int | float)]
        if values:
            medians[stage] = round(statistics.median(values), 1)
    return medians


def tool_medians(server_turns: list[dict]) -> dict[str, dict[str, float]]:
    by_tool: dict[str, list[float]] = {}
    for turn in server_turns:
        for tool, value in (turn.get("tool_ms") or {}).items():
            by_tool.setdefault(tool, []).append(value)
    return {tool: summarize(values) for tool, values in sorted(by_tool.items())}


def by_kind(samples: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out = {kind: summarize([s["voice_to_voice_ms"] for s in samples if s["kind"] == kind]) for kind in KINDS}
    out["tool_turns"] = summarize([s["voice_to_voice_ms"] for s in samples if s["kind"] in TOOL_KINDS])
    out["overall"] = summarize([s["voice_to_voice_ms"] for s in samples])
    return {k: v for k, v in out.items() if v["n"]}


def functions_breakdown(log_dir: Path) -> dict[str, Any]:
    """Per-route request latency (functions.log) and research job latency (worker.log)."""
    routes: dict[str, list[float]] = {}
    jobs: list[float] = []
    for name in ("functions", "worker"):
        path = log_dir / f"{name}.log"
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            latency = record.get("latency_ms")
            if not isinstance(latency, int | float):
                continue
            if record.get("event") == "request" and name == "functions":
                routes.setdefault(f"{record.get('method')} {record.get('route')}", []).append(latency)
            elif record.get("status") == "completed" and record.get("queryId"):
                jobs.append(latency)
    return {
        "routes": {route: summarize(values) for route, values in sorted(routes.items())},
        "research_job": summarize(jobs) if jobs else {},
    }


def bench_config(name: str, backend: Backend, turns: int, speech: dict[str, bytes]) -> dict[str, Any]:
    port = free_port()
    server = ServerThread(create_app(config_deps(name, backend)), port)
    server.start()
    try:
        samples, server_turns = asyncio.run(run_session(port, backend, turns, speech))
    finally:
        server.stop()
    return {
        "client_voice_to_voice": summarize([s["voice_to_voice_ms"] for s in samples]),
        "by_kind": by_kind(samples),
        "server_stage_medians": stage_medians(server_turns),
        "tool_call_ms": tool_medians(server_turns),
        "samples": samples,
    }


def _cell(result: dict[str, Any] | None, kind: str) -> str:
    if result is None or kind not in result["by_kind"]:
        return "-"
    row = result["by_kind"][kind]
    return f"{row['p50_ms']:.0f} / {row['p95_ms']:.0f}"


def write_results(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "voice_latency.json").write_text(json.dumps(report, indent=2) + "\n")
    runs = report["runs"]
    columns = [key for key in ("real/tuned", "real/stock", "fake/tuned", "fake/stock") if key in runs]
    labels = {
        "real/tuned": "real stack, tuned",
        "real/stock": "real stack, stock",
        "fake/tuned": "fake functions, tuned",
        "fake/stock": "fake functions, stock",
    }
    rows = [
        "# Voice-to-voice latency per turn kind, 1 session",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['cpus']} CPUs shared with other work, load average at start "
        f"{report['load_average']}, at end {report['load_average_end']}  ",
        "Measured at the client: last sample of user speech sent -> first bot audio received. "
        'Cells are p50 / p95 ms. "real stack" is devstack (emulators, functions, research worker); '
        '"fake functions" is the in-memory stand-in (voice path only).',
        "",
        "| turn kind | " + " | ".join(labels[c] for c in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for kind in (*KINDS, "tool_turns", "overall"):
        n = next((runs[c]["by_kind"][kind]["n"] for c in columns if kind in runs[c]["by_kind"]), 0)
        rows.append(f"| {kind} (n={n}) | " + " | ".join(_cell(runs[c], kind) for c in columns) + " |")
    rows += ["", "Server stage medians (ms) and tool call durations (p50 / p95 ms):", ""]
    rows += [
        "| run | VAD stop | STT | LLM first token | TTS first audio | tools |",
        "|---|---|---|---|---|---|",
    ]
    for c in columns:
        s = runs[c]["server_stage_medians"]
        tools = ", ".join(
            f"{t} {v['p50_ms']:.0f}/{v['p95_ms']:.0f}" for t, v in runs[c]["tool_call_ms"].items()
        )
        rows.append(
            f"| {labels[c]} | {s.get('vad_stop_ms', '-')} | {s.get('stt_ms', '-')} | "
            f"{s.get('llm_first_token_ms', '-')} | {s.get('tts_first_audio_ms', '-')} | {tools or '-'} |"
        )
    breakdown = report.get("functions_breakdown")
    if breakdown:
        rows += [
            "",
            "Real stack, where tool time goes (functions' own request logs, both configurations):",
            "",
        ]
        rows += ["| route / job | n | p50 ms | p95 ms |", "|---|---|---|---|"]
        for route, v in breakdown["routes"].items():
            rows.append(f"| {route} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} |")
        if breakdown.get("research_job"):
            v = breakdown["research_job"]
            rows.append(
                "| research worker job (catalog + Firestore writes) | "
                f"{v['n']} | {v['p50_ms']} | {v['p95_ms']} |"
            )
    if report.get("targets"):
        t = report["targets"]
        rows += [
            "",
            "Target on the real stack (tuned, all turns): "
            f"p50 <= 400 ms ({'met' if t['p50_met'] else 'missed'}), "
            f"p95 <= 700 ms ({'met' if t['p95_met'] else 'missed'}).",
        ]
    rows.append("")
    (out / "voice_latency.md").write_text("\n".join(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=len(SCRIPT))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--backend", choices=("real", "fake", "both"), default="both")
    parser.add_argument("--only", choices=("tuned", "stock"))
    parser.add_argument("--fake-stock", action="store_true", help="also run stock on the fake backend")
    args = parser.parse_args(argv)
    configure_logging("WARNING", pipecat_level="ERROR")
    speech = {text: synthesize_speech(text) for text, _ in SCRIPT}
    load = os.getloadavg()
    runs: dict[str, Any] = {}
    report: dict[str, Any] = {}
    names = [n for n in ("tuned", "stock") if not args.only or n == args.only]
    if args.backend in ("real", "both"):
        log_dir = Path(tempfile.mkdtemp(prefix="voice-latency-stack-"))
        with real_backend(log_dir) as backend:
            for name in names:
                runs[f"real/{name}"] = bench_config(name, backend, args.turns, speech)
                sys.stdout.write(f"real/{name}: {json.dumps(runs[f'real/{name}']['by_kind']['overall'])}\n")
        report["functions_breakdown"] = functions_breakdown(log_dir)
    if args.backend in ("fake", "both"):
        with fake_backend() as backend:
            for name in names if args.fake_stock or args.backend == "fake" else ["tuned"]:
                runs[f"fake/{name}"] = bench_config(name, backend, args.turns, speech)
                sys.stdout.write(f"fake/{name}: {json.dumps(runs[f'fake/{name}']['by_kind']['overall'])}\n")
    report = {
        "command": "python bench/voice_latency.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in load],
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": runs,
        **report,
    }
    headline = runs.get("real/tuned") or runs.get("fake/tuned")
    if headline is not None:
        overall = headline["by_kind"]["overall"]
        report["targets"] = {"p50_met": overall["p50_ms"] <= 400, "p95_met": overall["p95_ms"] <= 700}
    write_results(report, args.out)
    sys.stdout.write((args.out / "voice_latency.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
