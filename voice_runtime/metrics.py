"""Per-turn latency of each stage, as one JSON log line per turn and Prometheus histograms.

`TurnLatencyObserver` watches a session's pipeline (a pipecat observer, so no
processor is added to the audio path) and times each user turn:

- vad_stop: the silence the VAD waited out before calling the speech over
  (the configured stop_secs, as reported on `VADUserStoppedSpeakingFrame`);
- stt: VAD stop -> the final transcript;
- llm_first_token: the user aggregator asking the LLM -> its first text or tool call;
- tts_first_audio: the first text handed to speech -> the first synthesized audio;
- voice_to_voice: the end of the user's speech (VAD stop minus stop_secs) ->
  the bot's first audio leaving the output transport.

Tool calls are timed (function call in progress -> its result, per tool;
the histogram ``voice_tool_latency_seconds`` is observed by the tools through
:func:`observe_tool`), and voice-to-voice is also
kept by turn kind (``voice_turn_first_audio_seconds{turn="tool"|"no_tool"}``),
so a slow tool turn is visible apart from the chit-chat that hides it in the
overall figure. A turn record carries ``tool_ms`` (each call that finished
before the bot started speaking) and ``tool_pending`` (calls still running
when the first audio left: the acknowledgement was spoken while they ran).

Process-wide gauges and counters (sessions, tool calls, rejections) live here
too so /metrics is one registry. With several server processes (`workers`),
prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by
`python -m voice_runtime.server` before the workers start) writes every
process's values to shared files, and /metrics adds them up, whichever
process answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    FunctionCallCancelFrame,
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMTextFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)

STAGES = ("vad_stop", "stt", "llm_first_token", "tts_first_audio", "voice_to_voice")
_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

REGISTRY = CollectorRegistry()
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
STAGE_LATENCY = Histogram(
    "voice_stage_latency_seconds",
    "Per-turn latency of each voice pipeline stage.",
    ["stage"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)
ACTIVE_SESSIONS = Gauge(
    "voice_sessions_active",
    "WebSocket voice sessions now running.",
    registry=REGISTRY,
    multiprocess_mode="livesum",  # the sum over the live processes
)
SESSIONS = Counter(
    "voice_sessions_total", "Voice sessions ended, by final status.", ["status"], registry=REGISTRY
)
REJECTED = Counter(
    "voice_ws_rejected_total",
    "WebSocket connections refused before any audio.",
    ["reason"],
    registry=REGISTRY,
)
TURNS = Counter("voice_turns_total", "User turns answered by the bot.", registry=REGISTRY)
INTERRUPTIONS = Counter("voice_interruptions_total", "Bot speech interrupted by the user.", registry=REGISTRY)
TOOL_CALLS = Counter(
    "voice_tool_calls_total", "Tool calls, by tool and outcome.", ["tool", "ok"], registry=REGISTRY
)
STT_DECODES = Counter(
    "voice_stt_decodes_total",
    "Offline Whisper transcriptions run (speculative ones included); divide by turns for the cost.",
    registry=REGISTRY,
)
TURN_FIRST_AUDIO = Histogram(
    "voice_turn_first_audio_seconds",
    "End of user speech -> first bot audio, by whether the turn called a tool.",
    ["turn"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)
TOOL_LATENCY = Histogram(
    "voice_tool_latency_seconds",
    "Time a tool call takes, functions API included, by tool and outcome.",
    ["tool", "ok"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)


def observe_tool(tool: str, ok: bool, seconds: float) -> None:
    TOOL_LATENCY.labels(tool=tool, ok=str(ok).lower()).observe(seconds)


if not MULTIPROCESS:
    ProcessCollector(registry=REGISTRY)  # one process: its CPU and memory too


def exposition() -> bytes:
    """The Prometheus text of every metric, summed over the server's processes."""
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


@dataclass
class TurnTimes:
    """Wall-clock moments of one user turn (seconds since the epoch)."""

    vad_stopped_at: float
    stop_secs: float
    transcript_at: float | None = None
    llm_request_at: float | None = None
    llm_first_at: float | None = None
    tts_request_at: float | None = None
    tts_first_audio_at: float | None = None
    bot_started_at: float | None = None
    tool_calls: list[str] = field(default_factory=list)
    tool_ms: dict[str, float] = field(default_factory=dict)

    @property
    def speech_ended_at(self) -> float:
        return self.vad_stopped_at - self.stop_secs

    def stages(self) -> dict[str, float | None]:
        """Seconds per stage; None for a stage this turn did not reach."""

        def span(start: float | None, end: float | None) -> float | None:
            if start is None or end is None:
                return None
            return max(0.0, end - start)

        return {
            "vad_stop": self.stop_secs,
            "stt": span(self.vad_stopped_at, self.transcript_at),
            "llm_first_token": span(self.llm_request_at, self.llm_first_at),
            "tts_first_audio": span(self.tts_request_at, self.tts_first_audio_at),
            "voice_to_voice": span(self.speech_ended_at, self.bot_started_at),
        }


TurnCallback = Callable[[dict[str, Any]], Awaitable[None]]


class TurnLatencyObserver(BaseObserver):
    """Times each user turn of one session; reports it when the bot's answer starts playing."""

    def __init__(self, session_id: str, on_turn: TurnCallback | None = None, **kwargs: Any) -> None:
        super().__init__(observe_every_push=False, **kwargs)
        self._session_id = session_id
        self._on_turn = on_turn
        self._turn: TurnTimes | None = None
        self._turn_index = 0
        self._bot_speaking = False
        self._tool_started: dict[str, tuple[str, float]] = {}  # tool_call_id -> (name, start)
        self.turns: list[dict[str, Any]] = []
        self.tool_calls: list[dict[str, Any]] = []

    async def on_push_frame(self, data: FramePushed) -> None:
        frame = data.frame
        now = time.time()
        turn = self._turn
        if isinstance(frame, VADUserStartedSpeakingFrame):
            self._turn = None
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._turn = TurnTimes(vad_stopped_at=frame.timestamp or now, stop_secs=frame.stop_secs)
        elif isinstance(frame, InterruptionFrame):
            if self._bot_speaking:
                INTERRUPTIONS.inc()
        elif isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
            if turn is not None and turn.bot_started_at is None:
                turn.bot_started_at = now
                await self._report(turn)
                self._turn = None
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
        elif isinstance(frame, FunctionCallResultFrame):
            result = frame.result if isinstance(frame.result, dict) else {}
            ok = bool(result.get("ok", True))
            TOOL_CALLS.labels(tool=frame.function_name, ok=str(ok).lower()).inc()
            started = self._tool_started.pop(frame.tool_call_id, None)
            if started is not None:
                seconds = max(0.0, now - started[1])  # the histogram is observe_tool's (tools.py)
                call = {"session_id": self._session_id, "tool": frame.function_name, "ok": ok}
                call["duration_ms"] = ms(seconds)
                self.tool_calls.append(call)
                log_event(logger, "tool call", event="tool_call", **call)
                if turn is not None:
                    turn.tool_ms[frame.function_name] = ms(seconds) or 0.0
        elif isinstance(frame, FunctionCallCancelFrame):
            self._tool_started.pop(frame.tool_call_id, None)
        elif isinstance(frame, FunctionCallInProgressFrame) and frame.tool_call_id not in self._tool_started:
            self._tool_started[frame.tool_call_id] = (frame.function_name, now)
            if turn is not None:
                if turn.llm_first_at is None and turn.llm_request_at is not None:
                    turn.llm_first_at = now
                if frame.function_name not in turn.tool_calls:
                    turn.tool_calls.append(frame.function_name)
        elif turn is None:
            return
        elif isinstance(frame, TranscriptionFrame):
            if turn.transcript_at is None:
                turn.transcript_at = now
        elif isinstance(frame, LLMContextFrame):
            if turn.llm_request_at is None:
                turn.llm_request_at = now
        elif isinstance(frame, LLMTextFrame):
            if turn.llm_first_at is None and turn.llm_request_at is not None:
                turn.llm_first_at = now
            if turn.tts_request_at is None:
                turn.tts_request_at = now
        elif isinstance(frame, TTSSpeakFrame | TTSTextFrame):
            if turn.tts_request_at is None:
                turn.tts_request_at = now
        elif isinstance(frame, TTSAudioRawFrame) and turn.tts_first_audio_at is None:
            turn.tts_first_audio_at = now

    async def _report(self, turn: TurnTimes) -> None:
        self._turn_index += 1
        stages = turn.stages()
        for stage, seconds in stages.items():
            if seconds is not None:
                STAGE_LATENCY.labels(stage=stage).observe(seconds)
        TURNS.inc()
        if stages["voice_to_voice"] is not None:
            kind = "tool" if turn.tool_calls else "no_tool"
            TURN_FIRST_AUDIO.labels(turn=kind).observe(stages["voice_to_voice"])
        record: dict[str, Any] = {
            "session_id": self._session_id,
            "turn": self._turn_index,
            **{f"{stage}_ms": ms(seconds) for stage, seconds in stages.items()},
            "tool_calls": turn.tool_calls,
            "tool_ms": dict(turn.tool_ms),
            # Calls of this turn still running (a call from an earlier turn is not this turn's wait).
            "tool_pending": [name for name, at in self._tool_started.values() if at >= turn.speech_ended_at],
        }
        self.turns.append(record)
        log_event(logger, "turn latency", event="turn_latency", **record)
        if self._on_turn is not None:
            try:
                await self._on_turn(record)
            except Exception as exc:
                log_event(logger, "turn callback failed", event="turn_callback_failed", error=str(exc))
