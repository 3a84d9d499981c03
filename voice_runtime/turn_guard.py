"""Drops the follow-up of an interrupted tool turn, so its results are never spoken after the cut.

A tool turn speaks in two parts: the acknowledgement while the call runs, then, once the
result is in the context, a second LLM run that speaks about it. Pipecat holds that second
run while the bot is speaking and starts it when the bot stops. When the shopper cuts the
bot off (speech, or a typed message), the bot stops *because* of the interruption, and the
held run can still start: the answer to the turn the shopper just abandoned ("I found 4
options ...") is spoken before the new turn's. Pipecat cancels calls still running on an
interruption, but not a result that already landed.

`InterruptedTurnGuard` sits between the LLM and the TTS. It numbers the interruptions, notes
in which of those spans each tool call started, and refuses an LLM run (an upstream
``LLMContextFrame``) whose context ends in results of calls made before the latest
interruption with no newer user message: that run would only speak about a turn that was
cut off. The results stay in the context (the dialogue state the tools wrote stays true);
the next user message runs the LLM as usual. It works the same for Gemini and for the
offline dialogue engine, because it reads only the OpenAI-style context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipecat.frames.frames import Frame, FunctionCallInProgressFrame, InterruptionFrame, LLMContextFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)


def trailing_tool_results(messages: Sequence[Any]) -> list[str]:
    """The tool_call_ids of the tool results after the last user message (newest first)."""
    ids: list[str] = []
    for message in reversed(messages):
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        if role == "user":
            break
        if role == "tool":
            ids.append(str(message.get("tool_call_id")))
    return ids


class InterruptedTurnGuard(FrameProcessor):
    """Between LLM and TTS: drop LLM runs that would only answer an interrupted turn's tool results."""

    def __init__(self, session_id: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._session_id = session_id
        self._span = 0  # interruptions seen so far
        self._call_span: dict[str, int] = {}  # tool_call_id -> the span it started in
        self.dropped = 0

    def is_stale(self, messages: Sequence[Any]) -> bool:
        """Whether a run over `messages` would speak only about calls of an interrupted turn."""
        ids = trailing_tool_results(messages)
        return bool(ids) and all(self._call_span.get(i, self._span) < self._span for i in ids)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InterruptionFrame):
            self._span += 1
        elif isinstance(frame, FunctionCallInProgressFrame):
            self._call_span.setdefault(frame.tool_call_id, self._span)
        elif (
            isinstance(frame, LLMContextFrame)
            and direction == FrameDirection.UPSTREAM
            and self.is_stale(frame.context.get_messages())
        ):
            self.dropped += 1
            log_event(
                logger,
                "interrupted turn's follow-up dropped",
                event="tool_reply_dropped",
                session_id=self._session_id,
            )
            return
        await self.push_frame(frame, direction)
