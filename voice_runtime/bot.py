"""One voice session: the pipecat pipeline behind one WebSocket, from ticket-checked accept to end.

    transport in -> Silero VAD -> STT -> user aggregator -> LLM (+ tools)
                 -> interrupted-turn guard -> TTS -> transport out -> assistant aggregator

`run_session` builds the session (`build_session`: context, dialogue state, services,
pipeline, tools), wires its events (`wire_events`), runs it, and finishes it
(`finish_session`). The session's durable state lives in functions/: every user and
agent turn goes to conversation_logs as it completes, and the dialogue state (what was
shown, the product in focus, the current search) to its voice_sessions document; a
reconnect with the same sessionId starts from both. The session is closed `completed`
(goodbye, disconnect, idle) or `error` (crash).
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

from shopper_core.dialogue import DialogueState
from voice_runtime import metrics
from voice_runtime.conversation_log import ConversationLog, TypedTurnObserver
from voice_runtime.dialogue_store import DialogueStore
from voice_runtime.functions_client import FunctionsClient, FunctionsError, SessionEndStatus
from voice_runtime.log import get_logger, log_event
from voice_runtime.serializer import InboundFrameSerializer
from voice_runtime.services.tool_schemas import SEARCH_PRODUCTS
from voice_runtime.settings import VoiceSettings
from voice_runtime.tool_registration import register_tools
from voice_runtime.tool_requests import summarize_product
from voice_runtime.tools import SPOKEN_RESULTS, ShoppingTools
from voice_runtime.turn_guard import InterruptedTurnGuard
from voice_runtime.vad import SharedSileroVADAnalyzer

logger = get_logger(__name__)

GREETING = "Hi! I'm your shopping assistant. What are you looking for today?"
WELCOME_BACK = "Welcome back! Shall we carry on? Ask me to search, or about the products on screen."


def history_to_messages(turns: list[dict[str, Any]], dialogue: DialogueState) -> list[dict[str, Any]]:
    """Conversation log turns -> LLM messages, with the results on screen put back as data.

    The shopper's and the agent's turns are replayed as they were said. When the stored
    dialogue state has results, they follow as the search_products call and result they
    came from, so an LLM (Gemini) knows them again; the offline engine reads the state
    itself. Nothing is parsed back out of chat text.
    """
    messages: list[dict[str, Any]] = []
    for turn in sorted(turns, key=lambda t: t.get("timestamp") or 0):
        text = str(turn.get("text") or "").strip()
        role = {"user": "user", "agent": "assistant"}.get(str(turn.get("speaker")))
        if text and role:
            messages.append({"role": role, "content": text})
    if dialogue.search is not None and dialogue.results:
        products = [p.model_dump(exclude_none=True) for p in dialogue.results]
        result = {
            "ok": True,
            "status": "completed",
            "query": dialogue.search.query,
            "count": len(products),
            "products": [summarize_product(p["rank"], p) for p in products[:SPOKEN_RESULTS]],
        }
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "resume-search",
                        "type": "function",
                        "function": {
                            "name": SEARCH_PRODUCTS,
                            "arguments": json.dumps({"query": dialogue.search.query}),
                        },
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": "resume-search", "content": json.dumps(result)})
    return messages


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
    user_id: str = ""
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


@dataclass
class SessionRun:
    """How the session is going: read by the event handlers, reported when it ends."""

    status: SessionEndStatus = "completed"
    reason: str = "ended"


@dataclass
class Session:
    """The parts of one built session."""

    transport: FastAPIWebsocketTransport
    worker: PipelineWorker
    llm: Any
    user_aggregator: Any
    assistant_aggregator: Any
    tools: ShoppingTools
    store: DialogueStore
    conversation: ConversationLog
    turn_observer: metrics.TurnLatencyObserver
    resumed: bool


async def build_session(websocket: WebSocket, session_id: str, user_id: str, deps: BotDeps) -> Session:
    """Read what the session already has (turns, dialogue state), then build its pipeline and tools."""
    settings = deps.settings
    client = deps.client
    try:
        saved = await client.get_conversation(session_id, user_id)
        turns, stored_dialogue = saved.turns, saved.dialogue
    except FunctionsError as exc:
        log_event(logger, "conversation history unavailable", event="resume_failed", code=exc.code)
        turns, stored_dialogue = [], None

    async def persist(dialogue: dict[str, Any]) -> None:
        await client.save_dialogue(session_id, user_id, dialogue)

    store = DialogueStore.from_stored(stored_dialogue, persist)
    messages = history_to_messages(turns, store.state)
    tools_schema, system_prompt = _tools_and_prompt(deps)
    context = LLMContext(
        messages=[{"role": "system", "content": system_prompt}, *messages], tools=tools_schema
    )
    llm = deps.create_llm(settings, store=store)
    tts = deps.create_tts(settings)

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
            serializer=InboundFrameSerializer(settings.audio_in_sample_rate),
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
    # Between LLM and TTS: an interrupted tool turn's results are never spoken after the cut.
    guard = InterruptedTurnGuard(session_id)
    pipeline = Pipeline(
        [
            transport.input(),
            vad,
            stt,
            user_aggregator,
            llm,
            guard,
            tts,
            transport.output(),
            assistant_aggregator,
        ]
    )
    turn_observer = metrics.TurnLatencyObserver(session_id)
    conversation = ConversationLog(client, session_id, user_id)
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(
            audio_in_sample_rate=settings.audio_in_sample_rate,
            audio_out_sample_rate=settings.audio_out_sample_rate,
            enable_metrics=True,
        ),
        observers=[turn_observer, TypedTurnObserver(conversation)],
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

    tools = ShoppingTools(
        client=client,
        session_id=session_id,
        user_id=user_id,
        store=store,
        research_wait_ms=settings.research_wait_ms,
        on_hint=send_hint,
    )
    return Session(
        transport=transport,
        worker=worker,
        llm=llm,
        user_aggregator=user_aggregator,
        assistant_aggregator=assistant_aggregator,
        tools=tools,
        store=store,
        conversation=conversation,
        turn_observer=turn_observer,
        resumed=bool(messages),
    )


def wire_events(session: Session, run: SessionRun, handle: SessionHandle, settings: VoiceSettings) -> None:
    """Connect the session's events: tools, turn logging, disconnects, errors and timeouts."""
    worker, llm = session.worker, session.llm

    async def on_turn(record: dict[str, Any]) -> None:
        if worker.rtvi is not None:
            await worker.rtvi.send_server_message({"type": "turn-metrics", **record})

    session.turn_observer._on_turn = on_turn

    async def say(text: str) -> None:
        await llm.push_frame(TTSSpeakFrame(text))

    async def on_goodbye() -> None:
        run.reason = "goodbye"

    register_tools(
        llm, session.tools, say, filler_after_s=settings.filler_after_ms / 1000, on_goodbye=on_goodbye
    )

    @session.transport.event_handler("on_client_disconnected")
    async def on_client_disconnected(_transport: Any, _ws: Any) -> None:
        run.reason = "disconnected"
        await worker.cancel(reason="client disconnected")

    @session.transport.event_handler("on_session_timeout")
    async def on_session_timeout(_transport: Any, _ws: Any) -> None:
        run.reason = "session_timeout"
        await worker.cancel(reason="session timeout")

    if worker.rtvi is not None:

        @worker.rtvi.event_handler("on_client_ready")
        async def on_client_ready(_rtvi: Any) -> None:
            await worker.queue_frame(TTSSpeakFrame(WELCOME_BACK if session.resumed else GREETING))

    @session.user_aggregator.event_handler("on_user_turn_stopped")
    async def on_user_turn_stopped(_aggregator: Any, _strategy: Any, message: Any) -> None:
        if message.content:
            session.conversation.add("user", message.content)

    @session.assistant_aggregator.event_handler("on_assistant_turn_stopped")
    async def on_assistant_turn_stopped(_aggregator: Any, message: Any) -> None:
        if message.content:
            session.conversation.add("agent", message.content)

    @worker.event_handler("on_pipeline_error")
    async def on_pipeline_error(_worker: Any, frame: Any) -> None:
        fatal = bool(getattr(frame, "fatal", False))
        processor = getattr(frame, "processor", None)
        unusable = processor is not None and not getattr(processor, "is_usable", True)
        log_event(
            logger,
            "pipeline error",
            event="pipeline_error",
            session_id=handle.session_id,
            error=str(getattr(frame, "error", frame)),
            fatal=fatal,
            unusable=unusable,
        )
        if fatal or unusable:
            run.status = "error"
            run.reason = "pipeline_error"
            await worker.cancel(reason="pipeline error")

    @worker.event_handler("on_idle_timeout")
    async def on_idle_timeout(_worker: Any) -> None:
        run.reason = "idle_timeout"

    async def stop() -> None:
        run.reason = "superseded"
        await worker.cancel(reason="superseded by a reconnect")

    handle.stop = stop


async def finish_session(
    session: Session | None, run: SessionRun, handle: SessionHandle, deps: BotDeps, started: float
) -> None:
    """Flush the turns and the dialogue state, then close the session in functions/ (unless superseded)."""
    settings = deps.settings
    if session is not None:
        await session.conversation.close(settings.end_flush_timeout_s)
        await session.store.close(settings.end_flush_timeout_s)
    if not handle.superseded:
        try:
            await asyncio.wait_for(
                deps.client.end_session(handle.session_id, _user_of(session, handle), run.status),
                settings.end_flush_timeout_s,
            )
        except (FunctionsError, TimeoutError) as exc:
            log_event(logger, "end-session failed", event="end_session_failed", error=str(exc))
    metrics.SESSIONS.labels(status=run.status).inc()
    log_event(
        logger,
        "session ended",
        event="session_ended",
        session_id=handle.session_id,
        status=run.status,
        reason=run.reason,
        turns=len(session.turn_observer.turns) if session else 0,
        duration_s=round(time.perf_counter() - started, 2),
    )


def _user_of(session: Session | None, handle: SessionHandle) -> str:
    return session.tools.user_id if session is not None else handle.user_id


async def run_session(
    websocket: WebSocket,
    session_id: str,
    user_id: str,
    deps: BotDeps,
    handle: SessionHandle | None = None,
) -> SessionOutcome:
    """Run the pipeline for one accepted, ticket-checked WebSocket until it ends; close the session."""
    started = time.perf_counter()
    run = SessionRun()
    handle = handle or SessionHandle(session_id)
    handle.user_id = user_id
    session: Session | None = None
    runner: WorkerRunner | None = None
    try:
        session = await build_session(websocket, session_id, user_id, deps)
        wire_events(session, run, handle, deps.settings)
        session.conversation.start()
        session.store.start()
        metrics.ACTIVE_SESSIONS.inc()
        try:
            runner = WorkerRunner(handle_sigint=False)
            await runner.add_workers(session.worker)
            log_event(
                logger,
                "session started",
                event="session_started",
                session_id=session_id,
                resumed=session.resumed,
            )
            await runner.run()
        finally:
            metrics.ACTIVE_SESSIONS.dec()
    except asyncio.CancelledError:
        run.reason = "server_shutdown"
        if runner is not None:
            await runner.cancel(reason="server shutdown")
        raise
    except Exception as exc:
        run.status = "error"
        run.reason = f"crash: {type(exc).__name__}"
        log_event(logger, "session crashed", event="session_crashed", session_id=session_id, error=repr(exc))
    finally:
        await finish_session(session, run, handle, deps, started)
    return SessionOutcome(
        status=run.status, reason=run.reason, turns=session.turn_observer.turns if session else []
    )
