"""`make demo`: a scripted voice conversation through the real WebSocket and pipeline on the local stack.

    .venv/bin/python -m devstack.demo                 # starts its own local stack on free ports
    .venv/bin/python -m devstack.demo --functions-url http://127.0.0.1:5001   # use `make dev`'s

The script's lines are spoken with Piper into WAV files (16 kHz PCM16, what the
browser sends), a user is signed up in the Auth emulator, POST /sessions
returns the ticketed wsUrl, and each WAV is streamed in real time. For every
turn it prints what the bot heard, what it answered, the tools it called, the
products it found (read back from Firestore) and the turn's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import uuid
import wave
from pathlib import Path
from typing import Any

from devstack.accounts import sign_up, start_session
from devstack.ws_client import MIC_RATE, Received, VoiceClient, synthesize_speech

SCRIPT = (
    "Find a bluetooth speaker under 50 dollars.",
    "Save the second one.",
    "What do I usually like?",
    "Goodbye.",
)
WAV_DIR = Path(".cache/demo-wav")


def write_wav(path: Path, pcm: bytes, rate: int = MIC_RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


def read_wav(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        if wav.getframerate() != MIC_RATE or wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ValueError(f"{path} must be 16 kHz mono 16-bit PCM")
        return wav.readframes(wav.getnframes())


def script_wavs(lines: tuple[str, ...], folder: Path = WAV_DIR) -> list[tuple[str, Path]]:
    """One WAV per line (made with Piper once, then reused)."""
    wavs = []
    for index, line in enumerate(lines, start=1):
        path = folder / f"{index:02d}-{uuid.uuid5(uuid.NAMESPACE_URL, line).hex[:8]}.wav"
        if not path.exists():
            write_wav(path, synthesize_speech(line))
        wavs.append((line, path))
    return wavs


def products_of_query(query_id: str) -> list[dict[str, Any]]:
    """The products the research stored for a query, in our ranking order (Firestore emulator)."""
    from google.cloud import firestore

    client = firestore.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-voice-shopper"))
    try:
        docs = client.collection("products").where(filter=firestore.FieldFilter("queryId", "==", query_id))
        rows = [{"id": doc.id, **(doc.to_dict() or {})} for doc in docs.stream()]
    finally:
        client.close()
    return sorted(rows, key=lambda p: p.get("systemRank") or 0)


def saved_items_of(user_id: str) -> list[dict[str, Any]]:
    from google.cloud import firestore

    client = firestore.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-voice-shopper"))
    try:
        docs = client.collection("saved_items").where(filter=firestore.FieldFilter("userId", "==", user_id))
        return [{"id": doc.id, **(doc.to_dict() or {})} for doc in docs.stream()]
    finally:
        client.close()


def _texts(events: list[Received], rtvi_type: str, since: float) -> list[str]:
    """Texts of RTVI messages of one type; for bot-output, only sentences that were spoken."""
    found = []
    for event in events:
        message = event.data if event.kind == "message" else None
        if event.at < since or not isinstance(message, dict) or message.get("type") != rtvi_type:
            continue
        data = message.get("data") or {}
        if rtvi_type == "bot-output" and data.get("spoken_status") != "completed":
            continue
        if data.get("text"):
            found.append(str(data["text"]))
    return found


def _server_messages(events: list[Received], kind: str, since: float) -> list[dict[str, Any]]:
    found = []
    for event in events:
        message = event.data if event.kind == "message" else None
        if (
            event.at >= since
            and isinstance(message, dict)
            and message.get("type") == "server-message"
            and (message.get("data") or {}).get("type") == kind
        ):
            found.append(message["data"])
    return found


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def converse(
    ws_url: str, wavs: list[tuple[str, Path]], *, read_firestore: bool
) -> list[dict[str, Any]]:
    """Speak every WAV into the session; print and return one record per turn."""
    client = VoiceClient(ws_url)
    await client.connect()
    records = []
    try:
        await client.wait_bot_audio(0.0, within=30)
        await client.wait_quiet(0.8)
        _say(f"bot   > {' '.join(_texts(client.events, 'bot-output', 0.0))}")
        for line, path in wavs:
            utterance = await client.speak(read_wav(path), line)
            first_audio = await client.wait_bot_audio(utterance.ended_at, within=30)
            with contextlib.suppress(TimeoutError):
                await client.wait_quiet(1.0, within=60)
            since = utterance.started_at
            heard = " ".join(_texts(client.events, "user-transcription", since))
            answer = " ".join(_texts(client.events, "bot-output", since))
            metrics = _server_messages(client.events, "turn-metrics", since)
            searches = _server_messages(client.events, "search-results", since)
            record: dict[str, Any] = {
                "said": line,
                "heard": heard,
                "answer": answer,
                "voice_to_voice_ms": round((first_audio - utterance.ended_at) * 1000),
                "server": metrics[-1] if metrics else {},
                "tool_calls": metrics[-1].get("tool_calls", []) if metrics else [],
            }
            _say(f"user  > {line}")
            _say(f"heard > {heard}")
            _say(f"bot   > {answer}")
            if record["tool_calls"]:
                _say(f"tools > {', '.join(record['tool_calls'])}")
            stages = record["server"]
            _say(
                f"time  > voice-to-voice {record['voice_to_voice_ms']} ms (client); server: "
                + ", ".join(
                    f"{k[:-3]} {stages[k]:.0f} ms"
                    for k in ("vad_stop_ms", "stt_ms", "llm_first_token_ms", "tts_first_audio_ms")
                    if isinstance(stages.get(k), int | float)
                )
            )
            for search in searches:
                record["queryId"] = search.get("queryId")
                if read_firestore and search.get("queryId"):
                    products = products_of_query(search["queryId"])
                    record["products"] = products
                    _say(f"found > {len(products)} products for query {search['queryId']}:")
                    for product in products[:5]:
                        _say(
                            f"        {product.get('systemRank')}. {product.get('title')} "
                            f"{product.get('price')} {product.get('currency', '')}"
                        )
            _say("")
            records.append(record)
            if client.closed_code is not None:
                break
    finally:
        await client.close()
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted voice conversation against the local stack.")
    parser.add_argument("--functions-url", help="use a running stack (make dev) instead of starting one")
    parser.add_argument("--auth-url", default="http://127.0.0.1:9099")
    parser.add_argument("--line", action="append", help="say this instead of the built-in script")
    args = parser.parse_args(argv)
    lines = tuple(args.line) if args.line else SCRIPT
    _say("Preparing the spoken script with Piper ...")
    wavs = script_wavs(lines)

    if args.functions_url:
        from devstack.stack import PROJECT_ID, Ports

        # make dev's Firestore emulator, at its port (FIRESTORE_PORT overrides, as for make dev).
        os.environ.setdefault("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{Ports.from_env().firestore}")
        os.environ.setdefault("GOOGLE_CLOUD_PROJECT", PROJECT_ID)
        uid, token = sign_up(args.auth_url)
        session = start_session(args.functions_url, token)
        _say(f"user {uid}, session {session['sessionId']}\n")
        records = asyncio.run(converse(session["wsUrl"], wavs, read_firestore=True))
    else:
        from devstack.stack import LocalStack, Ports

        _say("Starting the local stack (emulators, functions, voice runtime) ...")
        with LocalStack(["firestore", "auth", "tasks", "functions", "voice"], ports=Ports.free()) as stack:
            os.environ.update(stack.env)
            uid, token = sign_up(stack.url("auth"))
            session = start_session(stack.url("functions"), token)
            _say(f"user {uid}, session {session['sessionId']}\n")
            records = asyncio.run(converse(session["wsUrl"], wavs, read_firestore=True))
            saved = saved_items_of(uid)
            _say(f"saved items for the user: {[item.get('productName') for item in saved]}")
    latencies = sorted(r["voice_to_voice_ms"] for r in records)
    if latencies:
        _say(f"voice-to-voice: median {latencies[len(latencies) // 2]} ms, worst {latencies[-1]} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
