"""Fixtures for the voice runtime tests: the real server and pipeline, a fake functions API.

The voice server runs the real FastAPI app (real Silero VAD, faster-whisper,
Piper, dialogue engine) under uvicorn in a thread on a free port; the
functions API it calls is `FakeFunctions`, a real HTTP server speaking the
/pipecat/* contract. User speech is synthesized with Piper at test time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from devstack.fake_functions import SECRET, FakeFunctions
from devstack.voice_harness import ServerThread, free_port
from devstack.ws_client import VoiceClient, synthesize_speech
from shopper_core.tickets import mint_ticket
from voice_runtime.bot import BotDeps
from voice_runtime.functions_client import FunctionsClient
from voice_runtime.server import create_app
from voice_runtime.settings import VoiceSettings

TICKET_KEY = "test-ticket-key"


@dataclass
class VoiceServer:
    url: str
    ws_url: str
    settings: VoiceSettings
    fake: FakeFunctions

    def ticket(self, session_id: str, user_id: str, ttl_s: int = 300) -> str:
        return mint_ticket(TICKET_KEY, session_id, user_id, ttl_s)

    def socket_url(self, session_id: str, user_id: str, ticket: str | None = None) -> str:
        ticket = ticket if ticket is not None else self.ticket(session_id, user_id)
        return f"{self.ws_url}?sessionId={session_id}&userId={user_id}&ticket={ticket}"

    def health(self) -> dict:
        return httpx.get(f"{self.url}/healthz", timeout=5).json()

    def metrics_text(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=5).text

    async def idle(self, within: float = 15.0) -> dict:
        """Wait until no session runs on the server; return /healthz."""
        deadline = time.monotonic() + within
        while True:
            health = await asyncio.to_thread(self.health)
            if health["sessions"] == 0 or time.monotonic() > deadline:
                return health
            await asyncio.sleep(0.1)


@pytest.fixture(scope="session")
def fake_functions() -> Iterator[FakeFunctions]:
    with FakeFunctions(SECRET) as fake:
        yield fake


@pytest.fixture(scope="session")
def voice_server(fake_functions: FakeFunctions) -> Iterator[VoiceServer]:
    settings = VoiceSettings(
        functions_base_url=fake_functions.url,
        pipecat_server_secret=SECRET,
        session_ticket_key=TICKET_KEY,
        filler_after_ms=700,
        research_wait_ms=4000,
    )
    client = FunctionsClient(fake_functions.url, SECRET, timeout_s=10)
    port = free_port()
    server = ServerThread(create_app(BotDeps(settings=settings, client=client)), port)
    server.start()
    try:
        yield VoiceServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws", settings, fake_functions)
    finally:
        server.stop()


@pytest.fixture
def voice(voice_server: VoiceServer) -> VoiceServer:
    """The server, with the fake functions' state and failure switches reset."""
    fake = voice_server.fake
    with fake.lock:
        fake.state.research_delay_s = 0.0
        fake.state.fail_routes.clear()
    return voice_server


_speech_cache: dict[str, bytes] = {}


@pytest.fixture(scope="session")
def speech() -> Callable[[str], bytes]:
    """Text -> 16 kHz PCM16 spoken by Piper (cached per test session)."""

    def make(text: str) -> bytes:
        if text not in _speech_cache:
            _speech_cache[text] = synthesize_speech(text)
        return _speech_cache[text]

    return make


@pytest.fixture
async def connect(voice: VoiceServer) -> AsyncIterator[Callable[..., object]]:
    """Open voice clients (closed at the end of the test)."""
    clients: list[VoiceClient] = []

    async def open_client(
        session_id: str | None = None,
        user_id: str | None = None,
        *,
        url: str | None = None,
        ready: bool = True,
        greet: bool = True,
    ) -> VoiceClient:
        session_id = session_id or f"s-{uuid.uuid4().hex[:12]}"
        user_id = user_id or f"u-{uuid.uuid4().hex[:12]}"
        client = VoiceClient(url or voice.socket_url(session_id, user_id))
        client.session_id = session_id  # type: ignore[attr-defined]
        client.user_id = user_id  # type: ignore[attr-defined]
        clients.append(client)
        await client.connect(ready=ready)
        if greet and ready and url is None:
            await client.wait_bot_audio(0.0, within=20)
            await client.wait_quiet(0.8)
        return client

    yield open_client
    for client in clients:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), 5)
