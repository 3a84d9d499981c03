"""One voice session: the pipecat pipeline behind one WebSocket, from ticket-checked accept to end.

    transport in -> Silero VAD -> STT -> user aggregator -> LLM (+ tools) -> TTS
                 -> transport out -> assistant aggregator

The session's durable state lives in functions/ (conversation_logs,
voice_sessions): every user and agent turn is logged as it completes, a
reconnect with the same sessionId rebuilds the LLM context from that log, and
the session is closed `completed` (goodbye, disconnect, idle) or `error` (crash).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import TTSSpeakFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frameworks.rtvi import RTVIObserverParams
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.turns.user_start import TranscriptionUserTurnStartStrategy, VADUserTurnStartStrategy
from pipecat.turns.user_stop import SpeechTimeoutUserTurnStopStrategy, TurnAnalyzerUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies
from pipecat.workers.runner import WorkerRunner

from voice_runtime import metrics
from voice_runtime.functions_client import FunctionsClient, FunctionsError, SessionEndStatus, Speaker
from voice_runtime.log import get_logger, log_event
from voice_runtime.serializer import InboundFrameSerializer
from voice_runtime.settings import VoiceSettings
from voice_runtime.tools import (
    SEARCH_PRODUCTS,
    LoggedSearch,
    ShoppingTools,
    parse_results_log,
    register_tools,
)
from voice_runtime.vad import SharedSileroVADAnalyzer

logger = get_logger(__name__)

GREETING = "Hi! I'm your shopping assistant. What are you looking for today?"
WELCOME_BACK = "Welcome back! Shall we carry on? Ask me to search, or to save one of the results."


def history_to_messages(turns: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], LoggedSearch | None]:
    """Conversation log turns -> LLM messages, plus the last search the log recorded.

    A logged search becomes the tool call and result it was, so the LLM (Gemini
    or the dialogue engine) knows the results again: "save the second one"
    still works after a reconnect.
    """
    messages: list[dict[str, Any]] = []
    last_search: LoggedSearch | None = None
    for turn in sorted(turns, key=lambda t: t.get("timestamp") or 0):
        text = str(turn.get("text") or "").strip()
        speaker = turn.get("speaker")
        if not text:
            continue
        if speaker == "user":
            messages.append({"role": "user", "content": text})
        elif speaker == "agent":
            messages.append({"role": "assistant", "content": text})
        elif speaker == "system" and (search := parse_results_log(text)) is not None:
            last_search = search
            call_id = f"resume-{len(messages)}"
            result = {
                "ok": True,
                "status": "completed",
                "queryId": search.query_id,
                "query": search.query,
                "count": len(search.products),
                "products": search.products,
            }
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {
                                "name": SEARCH_PRODUCTS,
                                "arguments": json.dumps({"query": search.query}),
                            },
                        }
                    ],
                }
            )
            messages.append({"role": "tool", "tool_call_id": call_id, "content": json.dumps(result)})
    return messages, last_search


class ConversationLog:
    """Ordered, non-blocking writes of turns to /pipecat/log-conversation."""

    def __init__(self, client: FunctionsClient, session_id: str, user_id: str) -> None:
        self._client = client
        self._session_id = session_id
        self._user_id = user_id
        self._queue: asyncio.Queue[tuple[Speaker, str] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.failures = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._drain(), name=f"conversation-log-{self._session_id}")

    def add(self, speaker: Speaker, text: str) -> None:
        text = text.strip()
        if text:
            self._queue.put_nowait((speaker, text[:4000]))

    async def _drain(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            speaker, text = item
            try:
                await self._client.log_conversation(self._session_id, self._user_id, speaker, text)
            except FunctionsError as exc:
                self.failures += 1
                log_event(logger, "conversation log failed", event="conversation_log_failed", code=exc.code)

    async def close(self, timeout_s: float) -> None:
        """Write what is queued (bounded by timeout_s), then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(self._task, timeout_s)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
            log_event(logger, "conversation log flush timed out", event="conversation_log_timeout")


ServiceFactory = Callable[..., Any]  # (settings, **service kwargs) -> a pipecat service


def _default_factory(name: str) -> ServiceFactory:
    def create(settings: VoiceSettings, **kwargs: Any) -> Any:
        from voice_runtime import services

        return getattr(services, name)(settings, **kwargs)

    return create


@dataclass
class BotDeps:
    """What a session needs from the process: settings, the shared HTTP client, provider factories."""

    settings: VoiceSettings
    client: FunctionsClient
    create_stt: ServiceFactory = field(default_factory=lambda: _default_factory("create_stt"))
    create_tts: ServiceFactory = field(default_factory=lambda: _default_factory("create_tts"))
    create_llm: ServiceFactory = field(default_factory=lambda: _default_factory("create_llm"))
    tools_schema: Any = None
    # Benchmarks swap in pipecat's stock VAD and turn settings through these.
    vad_params: VADParams | None = None
    turn_strategies: Callable[[], UserTurnStrategies] | None = None


def tuned_turn_strategies(settings: VoiceSettings) -> UserTurnStrategies:
    """Start on VAD (barge-in) or a transcript; stop as soon as VAD stop and the final transcript agree."""
    stop: list[Any]
    if settings.smart_turn:
        from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

        stop = [TurnAnalyzerUserTurnStopStrategy(turn_analyzer=LocalSmartTurnAnalyzerV3())]
    else:
        stop = [SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=settings.user_speech_timeout_s)]
    return UserTurnStrategies(
        start=[VADUserTurnStartStrategy(), TranscriptionUserTurnStartStrategy()],
        stop=stop,
    )


def _tools_and_prompt(deps: BotDeps) -> tuple[Any, str]:
    from voice_runtime.services.tool_schemas import SHOPPING_SYSTEM_PROMPT, SHOPPING_TOOLS

    return (deps.tools_schema or SHOPPING_TOOLS), SHOPPING_SYSTEM_PROMPT


@dataclass
class SessionHandle:
    """The server's grip on a running session: lets a reconnect with the same id replace it."""

    session_id: str
    superseded: bool = False
    stop: Callable[[], Awaitable[None]] | None = None

    async def supersede(self) -> None:
        """End this run without closing the session: a newer socket carries it on."""
        self.superseded = True
        if self.stop is not None:
            await self.stop()


@dataclass
class SessionOutcome:
    status: SessionEndStatus
    reason: str
    turns: list[dict[str, Any]]


async def run_session(
    websocket: WebSocket,
    session_id: str,
    user_id: str,
    deps: BotDeps,
    handle: SessionHandle | None = None,
) -> SessionOutcome:
    """Run the pipeline for one accepted, ticket-checked WebSocket until it ends; close the session."""
    settings = deps.settings
    client = deps.client
    started = time.perf_counter()
    state: dict[str, Any] = {"status": "completed", "reason": "ended"}
    conversation = ConversationLog(client, session_id, user_id)
    turn_observer = metrics.TurnLatencyObserver(session_id)
    runner: WorkerRunner | None = None
    handle = handle or SessionHandle(session_id)

    try:
        try:
            history = await client.get_conversation(session_id, user_id)
        except FunctionsError as exc:
            log_event(logger, "conversation history unavailable", event="resume_failed", code=exc.code)
            history = []
        messages, last_search = history_to_messages(history)
        resumed = bool(messages)

        tools_schema, system_prompt = _tools_and_prompt(deps)
        context = LLMContext(
            messages=[{"role": "system", "content": system_prompt}, *messages], tools=tools_schema
        )
        llm = deps.create_llm(settings)
        tts = deps.create_tts(settings)

        serializer = InboundFrameSerializer(settings.audio_in_sample_rate)
        transport = FastAPIWebsocketTransport(
            websocket,
            FastAPIWebsocketParams(
                audio_in_enabled=True,
                audio_in_sample_rate=settings.audio_in_sample_rate,
                audio_out_enabled=True,
                audio_out_sample_rate=settings.audio_out_sample_rate,
                audio_out_auto_silence=False,
                audio_out_end_silence_secs=0,
                add_wav_header=False,
                serializer=serializer,
                session_timeout=settings.session_timeout_s,
                allowed_origins=[],  # checked by the server before accept
            ),
        )
        vad_params = deps.vad_params or VADParams(
            confidence=settings.vad_confidence,
            start_secs=settings.vad_start_secs,
            stop_secs=settings.vad_stop_secs,
            min_volume=settings.vad_min_volume,
        )
        vad = VADProcessor(vad_analyzer=SharedSileroVADAnalyzer(params=vad_params))
        strategies = deps.turn_strategies() if deps.turn_strategies else tuned_turn_strategies(settings)
        # Nothing after the STT reads the microphone audio unless a turn analyzer (smart-turn)
        # does, in the user aggregator. Otherwise the STT keeps it: every audio frame that
        # went on through the aggregators, LLM, TTS and output would cost CPU at each hop.
        turn_reads_audio = any(
            isinstance(strategy, TurnAnalyzerUserTurnStopStrategy) for strategy in strategies.stop or []
        )
        stt = deps.create_stt(settings, audio_passthrough=turn_reads_audio)
        user_aggregator, assistant_aggregator = LLMContextAggregatorPair(
            context, user_params=LLMUserAggregatorParams(user_turn_strategies=strategies)
        )

        pipeline = Pipeline(
            [
                transport.input(),
                vad,
                stt,
                user_aggregator,
                llm,
                tts,
                transport.output(),
                assistant_aggregator,
            ]
        )
        worker = PipelineWorker(
            pipeline,
            params=PipelineParams(
                audio_in_sample_rate=settings.audio_in_sample_rate,
                audio_out_sample_rate=settings.audio_out_sample_rate,
                enable_metrics=True,
            ),
            observers=[turn_observer],
            rtvi_observer_params=RTVIObserverParams(metrics_enabled=False),
            idle_timeout_secs=settings.idle_timeout_s,
            conversation_id=session_id,
            check_dangling_tasks=True,
            # Every observer sees every frame at every hop; turns are timed by turn_observer
            # and tracing is off, so pipecat's own turn tracker would only cost CPU.
            enable_turn_tracking=False,
        )

        async def send_hint(data: dict[str, Any]) -> None:
            if worker.rtvi is not None:
                await worker.rtvi.send_server_message(data)

        async def on_turn(record: dict[str, Any]) -> None:
            await send_hint({"type": "turn-metrics", **record})

        turn_observer._on_turn = on_turn

        async def on_search_hint(data: dict[str, Any]) -> None:
            await send_hint(data)

        tools = ShoppingTools(
            client=client,
            session_id=session_id,
            user_id=user_id,
            research_wait_ms=settings.research_wait_ms,
            on_hint=on_search_hint,
            record=lambda line: conversation.add("system", line),
        )
        if last_search is not None:
            tools.restore_results(last_search.query_id, last_search.products)

        async def say(text: str) -> None:
            await llm.push_frame(TTSSpeakFrame(text))

        async def on_goodbye() -> None:
            state["reason"] = "goodbye"

        register_tools(llm, tools, say, filler_after_s=settings.filler_after_ms / 1000, on_goodbye=on_goodbye)

        @transport.event_handler("on_client_disconnected")
        async def on_client_disconnected(_transport: Any, _ws: Any) -> None:
            state["reason"] = "disconnected"
            await worker.cancel(reason="client disconnected")

        @transport.event_handler("on_session_timeout")
        async def on_session_timeout(_transport: Any, _ws: Any) -> None:
            state["reason"] = "session_timeout"
            await worker.cancel(reason="session timeout")

        if worker.rtvi is not None:

            @worker.rtvi.event_handler("on_client_ready")
            async def on_client_ready(_rtvi: Any) -> None:
                await worker.queue_frame(TTSSpeakFrame(WELCOME_BACK if resumed else GREETING))

        @user_aggregator.event_handler("on_user_turn_stopped")
        async def on_user_turn_stopped(_aggregator: Any, _strategy: Any, message: Any) -> None:
            if message.content:
                conversation.add("user", message.content)

        @assistant_aggregator.event_handler("on_assistant_turn_stopped")
        async def on_assistant_turn_stopped(_aggregator: Any, message: Any) -> None:
            if message.content:
                conversation.add("agent", message.content)

        @worker.event_handler("on_pipeline_error")
        async def on_pipeline_error(_worker: Any, frame: Any) -> None:
            fatal = bool(getattr(frame, "fatal", False))
            processor = getattr(frame, "processor", None)
            unusable = processor is not None and not getattr(processor, "is_usable", True)
            log_event(
                logger,
                "pipeline error",
                event="pipeline_error",
                session_id=session_id,
                error=str(getattr(frame, "error", frame)),
                fatal=fatal,
                unusable=unusable,
            )
            if fatal or unusable:
                state["status"] = "error"
                state["reason"] = "pipeline_error"
                await worker.cancel(reason="pipeline error")

        @worker.event_handler("on_idle_timeout")
        async def on_idle_timeout(_worker: Any) -> None:
            state["reason"] = "idle_timeout"

        async def stop() -> None:
            state["reason"] = "superseded"
            await worker.cancel(reason="superseded by a reconnect")

        handle.stop = stop
        conversation.start()
        metrics.ACTIVE_SESSIONS.inc()
        try:
            runner = WorkerRunner(handle_sigint=False)
            await runner.add_workers(worker)
            log_event(
                logger, "session started", event="session_started", session_id=session_id, resumed=resumed
            )
            await runner.run()
        finally:
            metrics.ACTIVE_SESSIONS.dec()
    except asyncio.CancelledError:
        state["reason"] = "server_shutdown"
        if runner is not None:
            await runner.cancel(reason="server shutdown")
        raise
    except Exception as exc:
        state["status"] = "error"
        state["reason"] = f"crash: {type(exc).__name__}"
        log_event(logger, "session crashed", event="session_crashed", session_id=session_id, error=repr(exc))
    finally:
        await conversation.close(settings.end_flush_timeout_s)
        status: SessionEndStatus = state["status"]
        if not handle.superseded:
            try:
                await asyncio.wait_for(
                    client.end_session(session_id, user_id, status), settings.end_flush_timeout_s
                )
            except (FunctionsError, TimeoutError) as exc:
                log_event(logger, "end-session failed", event="end_session_failed", error=str(exc))
        metrics.SESSIONS.labels(status=status).inc()
        log_event(
            logger,
            "session ended",
            event="session_ended",
            session_id=session_id,
            status=status,
            reason=state["reason"],
            turns=len(turn_observer.turns),
            duration_s=round(time.perf_counter() - started, 2),
        )
    return SessionOutcome(status=state["status"], reason=state["reason"], turns=turn_observer.turns)
