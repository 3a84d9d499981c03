"""Ordered, non-blocking writes of a session's turns to /pipecat/log-conversation."""

from __future__ import annotations

import asyncio

from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.processors.frameworks.rtvi.frames import RTVISendTextFrame

from voice_runtime.functions_client import FunctionsClient, FunctionsError, Speaker
from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)


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


class TypedTurnObserver(BaseObserver):
    """Logs what the shopper typed (RTVI send-text) as a user turn, as spoken turns are logged.

    A typed message reaches the context as an appended message, not as a user turn of the
    aggregator, so the turn events never see it; the RTVISendTextFrame the RTVI processor
    pushes with it is what marks it. Observers see a frame at every hop: each is logged once.
    """

    def __init__(self, log: ConversationLog) -> None:
        super().__init__()
        self._log = log
        self._seen: set[int] = set()

    async def on_push_frame(self, data: FramePushed) -> None:
        frame = data.frame
        if isinstance(frame, RTVISendTextFrame) and frame.id not in self._seen:
            self._seen.add(frame.id)
            self._log.add("user", frame.text)
