"""The voice runtime's HTTP entry point (Cloud Run): /healthz, /metrics and the /ws voice socket.

    python -m voice_runtime.server --host 0.0.0.0 --port ${PORT:-8080}

A WebSocket is accepted, its `sessionId`/`userId`/`ticket` query checked, and
only then handed to `bot.run_session`; anything wrong closes it with 1008
(policy violation) before a single audio frame is read.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from fastapi import FastAPI, WebSocket
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.websockets import WebSocketState

from shopper_core.tickets import TicketError, verify_ticket
from voice_runtime import metrics
from voice_runtime.bot import BotDeps, SessionHandle, run_session
from voice_runtime.functions_client import FunctionsClient
from voice_runtime.log import configure_logging, get_logger, log_event
from voice_runtime.settings import VoiceSettings, get_settings
from voice_runtime.vad import warm_up as warm_up_vad

logger = get_logger(__name__)

WS_POLICY_VIOLATION = 1008
WS_TRY_AGAIN_LATER = 1013
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class HandshakeRejected(Exception):
    def __init__(self, reason: str, detail: str, code: int = WS_POLICY_VIOLATION) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.code = code


def check_handshake(
    settings: VoiceSettings,
    session_id: str | None,
    user_id: str | None,
    ticket: str | None,
    origin: str | None,
) -> tuple[str, str]:
    """Validate the WebSocket query; return (sessionId, userId) or raise HandshakeRejected."""
    if settings.allowed_origins and origin not in settings.allowed_origins:
        raise HandshakeRejected("origin", "origin not allowed")
    if not session_id or not user_id or not ticket:
        raise HandshakeRejected("missing_params", "sessionId, userId and ticket are required")
    if not _ID.match(session_id) or not _ID.match(user_id):
        raise HandshakeRejected("bad_params", "malformed sessionId or userId")
    try:
        verify_ticket(settings.session_ticket_key.get_secret_value(), ticket, session_id, user_id)
    except TicketError as exc:
        raise HandshakeRejected("bad_ticket", str(exc)) from exc
    return session_id, user_id


@dataclass
class Sessions:
    """The sessions this process runs, by sessionId."""

    active: dict[str, SessionHandle] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def create_app(deps: BotDeps | None = None) -> FastAPI:
    """Build the app; tests and benchmarks pass their own deps (providers, settings, client)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_client = deps is None
        configure_logging((deps.settings if deps else get_settings()).log_level)
        if deps is None:
            settings = get_settings()
            client = FunctionsClient(
                settings.functions_base_url,
                settings.pipecat_server_secret.get_secret_value(),
                timeout_s=settings.functions_timeout_s,
            )
            app.state.deps = BotDeps(settings=settings, client=client)
        else:
            app.state.deps = deps
        app.state.sessions = Sessions()
        warm_up_vad()
        await asyncio.to_thread(_warm_up_services, app.state.deps)
        log_event(logger, "voice runtime ready", event="voice_ready")
        try:
            yield
        finally:
            for task in list(app.state.sessions.tasks):
                task.cancel()
            if app.state.sessions.tasks:
                await asyncio.gather(*app.state.sessions.tasks, return_exceptions=True)
            if own_client:
                await app.state.deps.client.aclose()

    app = FastAPI(title="Voice Shopper voice runtime", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "sessions": len(app.state.sessions.active),
                "tasks": len(asyncio.all_tasks()),
            }
        )

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.websocket("/ws")
    async def voice_socket(websocket: WebSocket) -> None:
        bot_deps: BotDeps = app.state.deps
        sessions: Sessions = app.state.sessions
        await websocket.accept()
        query = websocket.query_params
        try:
            session_id, user_id = check_handshake(
                bot_deps.settings,
                query.get("sessionId"),
                query.get("userId"),
                query.get("ticket"),
                websocket.headers.get("origin"),
            )
            if len(sessions.active) >= bot_deps.settings.max_sessions:
                raise HandshakeRejected("capacity", "instance at capacity", WS_TRY_AGAIN_LATER)
        except HandshakeRejected as rejected:
            metrics.REJECTED.labels(reason=rejected.reason).inc()
            log_event(logger, "websocket rejected", event="ws_rejected", reason=rejected.reason)
            await websocket.close(code=rejected.code, reason=rejected.detail[:120])
            return

        previous = sessions.active.get(session_id)
        if previous is not None:
            # The same session reconnected here before its old socket was noticed dead.
            await previous.supersede()
        handle = SessionHandle(session_id)
        sessions.active[session_id] = handle
        task = asyncio.current_task()
        if task is not None:
            sessions.tasks.add(task)
        try:
            await run_session(websocket, session_id, user_id, bot_deps, handle)
        finally:
            if sessions.active.get(session_id) is handle:
                del sessions.active[session_id]
            if task is not None:
                sessions.tasks.discard(task)
            if websocket.client_state == WebSocketState.CONNECTED:
                with suppress(RuntimeError):
                    await websocket.close()

    return app


def _warm_up_services(deps: BotDeps) -> None:
    """Load the shared models (STT, TTS, the reader's tables) once at start, not on the first turn."""
    from shopper_core import understanding
    from voice_runtime import services

    services.preload_models(deps.settings)
    understanding.warm_up()


app = create_app()

# How uvicorn serves the app, wherever it runs (container, `make dev`, tests, benchmarks).
# Per-message deflate is off: the socket carries PCM audio, which compression barely
# shrinks, and deflating 50 frames a second per session costs CPU on both ends.
UVICORN_OPTIONS = {"ws": "websockets-sansio", "ws_per_message_deflate": False}


def main(argv: list[str] | None = None) -> None:
    """`python -m voice_runtime.server`: serve the app (on $PORT, all interfaces, by default)."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the voice runtime.")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=get_settings().port)
    parser.add_argument(
        "--workers", type=int, default=get_settings().workers, help="processes, each with its own sessions"
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Must be set before the workers import prometheus_client: they inherit it.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="voice-metrics-")
    uvicorn.run(
        "voice_runtime.server:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        timeout_graceful_shutdown=10,
        **UVICORN_OPTIONS,
    )


if __name__ == "__main__":
    main()
