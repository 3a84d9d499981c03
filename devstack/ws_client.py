"""A Python client that speaks the browser's protocol: Pipecat protobuf frames and RTVI messages.

It behaves like @pipecat-ai/client-js with the websocket transport: it sends
`client-ready`, streams the microphone as 16 kHz PCM16 in 32 ms frames at real
time (silence between utterances, as a live mic does), and records every bot
audio frame, interruption and RTVI message with its arrival time. The demo,
the benchmarks and the end-to-end tests drive the real server through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pipecat.frames.protobufs.frames_pb2 as frame_protos
import websockets

MIC_RATE = 16000
CHUNK_MS = 32  # what the web client sends: one Silero VAD window per message
CHUNK_BYTES = MIC_RATE * 2 * CHUNK_MS // 1000
SILENCE = bytes(CHUNK_BYTES)


@dataclass
class Received:
    at: float
    kind: str  # "audio" | "message" | "interruption" | "text" | "transcription"
    data: Any
    sample_rate: int = 0


@dataclass
class Utterance:
    text: str
    started_at: float
    ended_at: float  # when the last sample of speech left the client
    voiced_at: float = 0.0  # when the first audible chunk (past any leading silence) left the client


def audio_frame(pcm: bytes, sample_rate: int = MIC_RATE) -> bytes:
    """A serialized Pipecat `AudioRawFrame` carrying mono PCM16."""
    frame = frame_protos.Frame()
    frame.audio.audio = pcm
    frame.audio.sample_rate = sample_rate
    frame.audio.num_channels = 1
    return frame.SerializeToString()


def message_frame(message: dict[str, Any]) -> bytes:
    """A serialized Pipecat `MessageFrame` (how RTVI messages travel on the websocket transport)."""
    frame = frame_protos.Frame()
    frame.message.data = json.dumps(message)
    return frame.SerializeToString()


def rtvi(type_: str, data: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"label": "rtvi-ai", "type": type_, "id": uuid.uuid4().hex[:8]}
    if data is not None:
        message["data"] = data
    return message


def client_ready_message() -> dict[str, Any]:
    return rtvi("client-ready", {"version": "1.0.0", "about": {"library": "voice-shopper-py"}})


def is_speech(pcm: bytes, threshold: int = 300) -> bool:
    """Whether a PCM16 chunk carries sound (bot audio frames of pure silence do not count)."""
    if not pcm:
        return False
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype=np.int16)
    return bool(samples.size) and int(np.abs(samples).max()) > threshold


def synthesize_speech(text: str, *, sample_rate: int = MIC_RATE) -> bytes:
    """Speak `text` with the offline Piper voice, as 16 kHz PCM16 (what the browser sends)."""
    import soxr

    from voice_runtime.models import get_piper_voice
    from voice_runtime.services.piper_tts import synthesize_pcm

    pcm, rate = synthesize_pcm(get_piper_voice(), text)
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
    resampled = soxr.resample(samples, rate, sample_rate) * 0.8
    return (np.clip(resampled, -1, 1) * 32767).astype(np.int16).tobytes()


def noise_floor(level_dbfs: float, seconds: float = 5.0, seed: int = 0) -> np.ndarray:
    """A loop of white noise at `level_dbfs` RMS: a real microphone is never digitally silent."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 32768 * 10 ** (level_dbfs / 20), int(MIC_RATE * seconds)).astype(np.float32)


@dataclass
class VoiceClient:
    url: str
    noise_dbfs: float | None = None  # a microphone noise floor mixed into everything sent
    events: list[Received] = field(default_factory=list)
    closed_code: int | None = None
    closed_reason: str = ""
    _ws: Any = None
    _mic: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _speech_sent: asyncio.Event = field(default_factory=asyncio.Event)
    _last_speech_sample_at: float = 0.0
    _speech_chunk_times: list[float] = field(default_factory=list)
    _closed: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    on_event: Callable[[Received], None] | None = None
    _noise: np.ndarray | None = None
    _noise_at: int = 0

    async def connect(self, *, ready: bool = True, stream_mic: bool = True) -> None:
        self._ws = await websockets.connect(self.url, max_size=None, open_timeout=10)
        self._tasks.append(asyncio.create_task(self._receive()))
        if ready:
            await self.send_message(client_ready_message())
        if stream_mic:
            if self.noise_dbfs is not None:
                self._noise = noise_floor(self.noise_dbfs)
            self._tasks.append(asyncio.create_task(self._stream_mic()))

    async def send_message(self, message: dict[str, Any]) -> None:
        await self._ws.send(message_frame(message))

    async def send_raw(self, data: bytes | str) -> None:
        await self._ws.send(data)

    async def _receive(self) -> None:
        try:
            async for data in self._ws:
                now = time.monotonic()
                if isinstance(data, str):
                    data = data.encode()
                try:
                    frame = frame_protos.Frame.FromString(data)
                except Exception:
                    continue
                which = frame.WhichOneof("frame")
                if which == "audio":
                    event = Received(now, "audio", frame.audio.audio, frame.audio.sample_rate)
                elif which == "message":
                    try:
                        event = Received(now, "message", json.loads(frame.message.data))
                    except ValueError:
                        continue
                elif which == "interruption":
                    event = Received(now, "interruption", None)
                elif which == "text":
                    event = Received(now, "text", frame.text.text)
                elif which == "transcription":
                    event = Received(now, "transcription", frame.transcription.text)
                else:
                    continue
                self.events.append(event)
                self._arrived.set()
                if self.on_event is not None:
                    self.on_event(event)
        except websockets.ConnectionClosed:
            pass
        finally:
            close = getattr(self._ws, "close_code", None)
            self.closed_code = close if close is not None else self.closed_code
            self.closed_reason = getattr(self._ws, "close_reason", "") or ""
            self._closed.set()
            self._arrived.set()

    async def _stream_mic(self) -> None:
        """Send one frame every CHUNK_MS: queued speech, else silence."""
        next_at = time.monotonic()
        while not self._closed.is_set():
            try:
                chunk = self._mic.get_nowait()
                speech = True
            except asyncio.QueueEmpty:
                chunk, speech = SILENCE, False
            try:
                await self._ws.send(audio_frame(self._add_noise(chunk)))
            except websockets.ConnectionClosed:
                return
            if speech:
                self._last_speech_sample_at = time.monotonic()
                self._speech_chunk_times.append(self._last_speech_sample_at)
                if self._mic.empty():
                    self._speech_sent.set()
            next_at += CHUNK_MS / 1000
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def _add_noise(self, chunk: bytes) -> bytes:
        if self._noise is None:
            return chunk
        samples = len(chunk) // 2
        if self._noise_at + samples > len(self._noise):
            self._noise_at = 0
        noise = self._noise[self._noise_at : self._noise_at + samples]
        self._noise_at += samples
        mixed = np.frombuffer(chunk, dtype=np.int16) + noise
        return np.clip(mixed, -32768, 32767).astype(np.int16).tobytes()

    async def speak(self, pcm: bytes, text: str = "") -> Utterance:
        """Queue an utterance on the live mic stream; return once its last sample has been sent."""
        self._speech_sent.clear()
        self._speech_chunk_times = []
        started = time.monotonic()
        chunks = [pcm[o : o + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\0") for o in range(0, len(pcm), CHUNK_BYTES)]
        onset = next((i for i, chunk in enumerate(chunks) if is_speech(chunk, threshold=1000)), 0)
        for chunk in chunks:
            self._mic.put_nowait(chunk)
        await self._speech_sent.wait()
        times = self._speech_chunk_times
        return Utterance(
            text=text,
            started_at=started,
            ended_at=self._last_speech_sample_at,
            voiced_at=times[onset] if onset < len(times) else started,
        )

    def first_audio_after(self, since: float) -> float | None:
        for event in self.events:
            if event.kind == "audio" and event.at >= since and is_speech(event.data):
                return event.at
        return None

    def last_audio_at(self) -> float | None:
        for event in reversed(self.events):
            if event.kind == "audio" and is_speech(event.data):
                return event.at
        return None

    async def wait_for(
        self, predicate: Callable[[Received], bool], *, since: float = 0.0, within: float = 15.0
    ) -> Received:
        deadline = time.monotonic() + within
        seen = 0
        while True:
            self._arrived.clear()
            for event in self.events[seen:]:
                if event.at >= since and predicate(event):
                    return event
            seen = len(self.events)
            if self._closed.is_set():
                raise ConnectionError(f"socket closed ({self.closed_code}) before the expected event")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("expected event did not arrive")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def wait_bot_audio(self, since: float, within: float = 15.0) -> float:
        event = await self.wait_for(
            lambda e: e.kind == "audio" and is_speech(e.data), since=since, within=within
        )
        return event.at

    async def wait_server_message(
        self, type_: str, *, since: float = 0.0, within: float = 15.0
    ) -> dict[str, Any]:
        def match(event: Received) -> bool:
            message = event.data if event.kind == "message" else None
            return (
                isinstance(message, dict)
                and message.get("type") == "server-message"
                and isinstance(message.get("data"), dict)
                and message["data"].get("type") == type_
            )

        event = await self.wait_for(match, since=since, within=within)
        return event.data["data"]

    async def wait_quiet(self, gap: float = 0.6, within: float = 30.0) -> None:
        """Wait until no bot audio has arrived for `gap` seconds (the bot finished its answer)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            last = self.last_audio_at() or 0.0
            if time.monotonic() - last >= gap:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("bot kept talking")

    def messages(self, rtvi_type: str | None = None) -> list[dict[str, Any]]:
        found = [e.data for e in self.events if e.kind == "message" and isinstance(e.data, dict)]
        return [m for m in found if rtvi_type is None or m.get("type") == rtvi_type]

    async def wait_closed(self, within: float = 10.0) -> int | None:
        await asyncio.wait_for(self._closed.wait(), within)
        return self.closed_code

    async def abort(self) -> None:
        """Drop the TCP connection without a WebSocket close handshake (a network failure)."""
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            self._ws.transport.abort()
            await asyncio.sleep(0)  # let the loop actually drop the connection

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
