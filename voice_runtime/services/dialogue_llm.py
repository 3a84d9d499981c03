"""The offline "LLM": the deterministic shopping dialogue engine behind pipecat's LLMService.

It plays exactly the part a real LLM plays in the pipeline. On each
``LLMContextFrame`` it reads the context (OpenAI-style messages) and the session's
dialogue state, and either answers in text (describe, compare, prices, help ...) or
speaks an acknowledgement and emits function calls through ``run_function_calls``,
so the handlers registered by ``voice_runtime.tool_registration.register_tools`` run,
their results land in the context and the aggregator runs this service again; it then
speaks a reply built from the result and the updated state.

Every decision is also sent to the client as an RTVI server message
``{"type": "dialogue-turn", "intent": ..., "tools": [...]}`` (the page and the dialogue
benchmark read it; it carries no ids). Goodbye speaks the goodbye and calls
``end_session`` in the same response.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from pipecat.frames.frames import (
    Frame,
    FunctionCallFromLLM,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.processors.frameworks.rtvi import RTVIServerMessageFrame
from pipecat.services.llm_service import LLMService
from pipecat.services.settings import LLMSettings

from voice_runtime.dialogue_store import DialogueStore
from voice_runtime.services.dialogue_engine import KEEP, decide

logger = logging.getLogger(__name__)


class ShoppingDialogueLLMService(LLMService):
    """Deterministic shopping dialogue engine speaking pipecat's LLM protocol."""

    def __init__(self, *, store: DialogueStore | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "settings",
            LLMSettings(
                model="shopping-dialogue",
                system_instruction=None,
                temperature=None,
                max_tokens=None,
                top_p=None,
                top_k=None,
                frequency_penalty=None,
                presence_penalty=None,
                seed=None,
                filter_incomplete_user_turns=False,
                user_turn_completion_config=None,
            ),
        )
        super().__init__(**kwargs)
        self._store = store or DialogueStore()
        self._last_intent: str | None = None

    @property
    def store(self) -> DialogueStore:
        return self._store

    def can_generate_metrics(self) -> bool:
        return True

    async def run_inference(self, context: LLMContext, **kwargs: Any) -> str | None:
        """One-shot text answer (no tool calls), e.g. for summaries."""
        return decide(context.get_messages(), self._store.state).text or None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._process_context(frame.context)
        else:
            await self.push_frame(frame, direction)

    async def _process_context(self, context: LLMContext) -> None:
        started = time.perf_counter()
        try:
            decision = decide(context.get_messages(), self._store.state, self._last_intent)
        except Exception as error:  # never take the session down for a parsing bug
            await self.push_error(error_msg=f"dialogue engine failed: {error}", exception=error)
            return
        if decision.focus != KEEP:
            self._store.set_focus(decision.focus)
        if decision.intent not in ("wait", "tool_reply"):
            self._last_intent = decision.intent
        if decision.intent != "wait":
            hint = {
                "type": "dialogue-turn",
                "intent": decision.intent,
                "tools": [n for n, _ in decision.calls],
            }
            await self.push_frame(RTVIServerMessageFrame(data=hint))
        logger.info(
            "dialogue decision",
            extra={
                "fields": {
                    "event": "dialogue_decision",
                    "intent": decision.intent,
                    "tools": [name for name, _ in decision.calls],
                    "latency_ms": round(1000 * (time.perf_counter() - started), 2),
                }
            },
        )
        # A response with nothing to say is not framed as one: the TTS would open an audio
        # context for it and report it as a turn that produced no speech.
        if decision.text:
            await self.push_frame(LLMFullResponseStartFrame())
            await self.start_processing_metrics()
            await self.start_ttfb_metrics()
            await self.stop_ttfb_metrics()
            await self._push_llm_text(decision.text)
            await self.stop_processing_metrics()
        calls = [
            FunctionCallFromLLM(
                function_name=name,
                tool_call_id=f"call_{uuid.uuid4().hex[:16]}",
                arguments=arguments,
                context=context,
            )
            for name, arguments in decision.calls
        ]
        if calls:
            await self.run_function_calls(calls)
        if decision.text:
            await self.push_frame(LLMFullResponseEndFrame())
