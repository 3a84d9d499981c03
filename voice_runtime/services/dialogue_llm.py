"""The offline "LLM": a deterministic shopping dialogue engine behind pipecat's LLMService.

It plays exactly the part a real LLM plays in the pipeline. On each
``LLMContextFrame`` it reads the context (OpenAI-style messages), and either

- answers in text (help, greetings, small talk, thanks, describing a listed
  product), or
- emits function calls through ``run_function_calls`` so the handlers
  registered with ``llm.register_function(name, handler)`` run, their results
  land in the context (pipecat's assistant aggregator), and the aggregator
  runs this service again; it then speaks a reply built from the result.

All state is read from the context (the last ``search_products`` call, its
arguments and its products), so a context rebuilt on reconnect works the
same and two sessions never share anything.

Contract for the pipeline (voice_runtime/bot.py):
- Register handlers for ``search_products``, ``save_item``,
  ``get_user_preferences`` and ``end_session`` (names and schemas in
  :mod:`voice_runtime.services.tool_schemas`; put ``SHOPPING_TOOLS`` in the
  ``LLMContext``).
- Goodbye: the engine speaks the goodbye text and, in the same response,
  calls ``end_session`` (no arguments). The handler should end the session
  after the goodbye audio, e.g. ``await params.result_callback({"ended": True},
  properties=FunctionCallResultProperties(run_llm=False))`` then push
  ``EndTaskFrame`` upstream. If it runs the LLM again, the engine says nothing.
- Searches: with ``announce_searches`` (default) the engine says "Looking for
  X." before the call, like an LLM that narrates, so audio starts at once;
  a filler from bot.py is then only needed if the tool runs long.
- A tool result with ``error`` (or pipecat's "function failed" message)
  becomes a spoken apology; the session goes on.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from pipecat.services.llm_service import LLMService
from pipecat.services.settings import LLMSettings

from voice_runtime.services import dialogue_replies as replies
from voice_runtime.services.dialogue_grammar import Intent, SearchArgs, understand
from voice_runtime.services.tool_schemas import (
    END_SESSION,
    GET_USER_PREFERENCES,
    SAVE_ITEM,
    SEARCH_PRODUCTS,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToolExchange:
    """One tool call the assistant made and its result (None while in progress)."""

    name: str
    arguments: dict[str, Any]
    result: Any
    done: bool


@dataclass
class ConversationState:
    """What the engine needs from the context."""

    last_user_text: str | None = None
    pending: list[ToolExchange] = field(default_factory=list)
    answered: bool = False
    last_search: SearchArgs | None = None
    last_products: list[dict[str, Any]] = field(default_factory=list)
    has_user_turn: bool = False


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


def _decode(content: Any) -> Any:
    text = (
        _text_of(content) if not isinstance(content, (dict, list)) or isinstance(content, list) else content
    )
    if isinstance(text, str):
        if text in ("IN_PROGRESS", ""):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def read_state(messages: Sequence[Any]) -> ConversationState:
    """Walk the context once: last user turn, tool exchanges since, last search and products."""
    state = ConversationState()
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        if role == "user":
            state.last_user_text = _text_of(message.get("content"))
            state.pending = []
            state.answered = False
            state.has_user_turn = True
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                try:
                    arguments = json.loads(function.get("arguments") or "{}")
                except ValueError:
                    arguments = {}
                calls[str(call.get("id"))] = (str(function.get("name")), arguments)
            if _text_of(message.get("content")).strip() and state.pending:
                state.answered = True
        elif role == "tool":
            call_id = str(message.get("tool_call_id"))
            name, arguments = calls.get(call_id, ("", {}))
            raw = message.get("content")
            result = _decode(raw)
            done = not (isinstance(raw, str) and raw == "IN_PROGRESS")
            state.pending.append(ToolExchange(name, arguments, result, done))
            state.answered = False
            if name == SEARCH_PRODUCTS and done:
                state.last_search = SearchArgs.from_arguments(arguments)
                products = result.get("products") if isinstance(result, Mapping) else None
                state.last_products = [p for p in products or [] if isinstance(p, dict)]
    return state


@dataclass(frozen=True)
class Decision:
    """The engine's response: text to speak and calls to make (either may be empty)."""

    text: str = ""
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    intent: str = ""


def _product_at(
    products: Sequence[Mapping[str, Any]], position: int | None, product_id: str | None
) -> Mapping[str, Any] | None:
    if product_id:
        return next((p for p in products if str(p.get("id")) == product_id), None)
    if position is None or not products:
        return None
    index = len(products) - 1 if position == -1 else max(position, 1) - 1
    return products[index] if 0 <= index < len(products) else None


def decide_for_intent(
    intent: Intent, state: ConversationState, *, announce_searches: bool = True
) -> Decision:
    """Map an understood utterance to speech and tool calls."""
    kind = intent.kind
    if kind in ("search", "refine") and intent.search is not None:
        text = replies.search_announcement(intent.search) if announce_searches else ""
        return Decision(text, ((SEARCH_PRODUCTS, intent.search.to_arguments()),), kind)
    if kind == "save":
        if not state.last_products:
            return Decision(replies.NOTHING_TO_SAVE_TEXT, (), kind)
        if intent.product_id:
            return Decision("", ((SAVE_ITEM, {"product_id": intent.product_id}),), kind)
        position = intent.position if intent.position not in (None, 0) else 1
        return Decision("", ((SAVE_ITEM, {"position": position}),), kind)
    if kind == "describe":
        product = _product_at(state.last_products, intent.position, intent.product_id)
        return Decision(replies.describe_product(product), (), kind)
    if kind == "preferences":
        return Decision("", ((GET_USER_PREFERENCES, {}),), kind)
    if kind == "goodbye":
        return Decision(replies.GOODBYE_TEXT, ((END_SESSION, {}),), kind)
    if kind == "help":
        return Decision(replies.HELP_TEXT, (), kind)
    if kind == "greeting":
        return Decision(replies.GREETING_TEXT, (), kind)
    if kind == "thanks":
        return Decision(replies.THANKS_TEXT, (), kind)
    if kind == "smalltalk":
        return Decision(replies.SMALLTALK_TEXT.get(intent.topic or "", replies.GREETING_TEXT), (), kind)
    if intent.extra.get("needs") == "product":
        return Decision(replies.NEEDS_PRODUCT_TEXT, (), kind)
    return Decision(replies.UNKNOWN_TEXT, (), "unknown")


def reply_to_results(exchanges: Sequence[ToolExchange]) -> str:
    """Speech for the finished tool calls of this turn ('' for end_session)."""
    sentences = []
    for exchange in exchanges:
        result = exchange.result
        if exchange.name == END_SESSION:
            continue
        if isinstance(result, str) or result is None:
            sentences.append(replies.tool_failure_reply(exchange.name))
        elif exchange.name == SEARCH_PRODUCTS:
            sentences.append(replies.search_reply(SearchArgs.from_arguments(exchange.arguments), result))
        elif exchange.name == SAVE_ITEM:
            sentences.append(replies.save_reply(result))
        elif exchange.name == GET_USER_PREFERENCES:
            sentences.append(replies.preferences_reply(result))
        else:
            sentences.append("Done.")
    return " ".join(sentences)


def decide(messages: Sequence[Any], *, announce_searches: bool = True) -> Decision:
    """The whole engine as a pure function of the context messages."""
    state = read_state(messages)
    if state.pending:
        if state.answered or not all(exchange.done for exchange in state.pending):
            return Decision(intent="wait")
        return Decision(reply_to_results(state.pending), (), "tool_reply")
    if state.last_user_text is None:
        return Decision(replies.GREETING_TEXT if not state.has_user_turn else "", (), "greeting")
    intent = understand(state.last_user_text, state.last_search, state.last_products)
    return decide_for_intent(intent, state, announce_searches=announce_searches)


class ShoppingDialogueLLMService(LLMService):
    """Deterministic shopping dialogue engine speaking pipecat's LLM protocol."""

    def __init__(self, *, announce_searches: bool = True, **kwargs: Any) -> None:
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
        self._announce_searches = announce_searches

    def can_generate_metrics(self) -> bool:
        return True

    async def run_inference(self, context: LLMContext, **kwargs: Any) -> str | None:
        """One-shot text answer (no tool calls), e.g. for summaries."""
        return decide(context.get_messages(), announce_searches=False).text or None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._process_context(frame.context)
        else:
            await self.push_frame(frame, direction)

    async def _process_context(self, context: LLMContext) -> None:
        started = time.perf_counter()
        await self.push_frame(LLMFullResponseStartFrame())
        await self.start_processing_metrics()
        await self.start_ttfb_metrics()
        try:
            decision = decide(context.get_messages(), announce_searches=self._announce_searches)
            await self.stop_ttfb_metrics()
            if decision.text:
                await self._push_llm_text(decision.text)
            calls = [
                FunctionCallFromLLM(
                    function_name=name,
                    tool_call_id=f"call_{uuid.uuid4().hex[:16]}",
                    arguments=arguments,
                    context=context,
                )
                for name, arguments in decision.calls
            ]
            logger.info(
                "dialogue decision",
                extra={
                    "fields": {
                        "event": "dialogue_decision",
                        "intent": decision.intent,
                        "tool_calls": [{"name": n, "arguments": a} for n, a in decision.calls],
                        "latency_ms": round(1000 * (time.perf_counter() - started), 2),
                    }
                },
            )
            await self.run_function_calls(calls)
        except Exception as error:  # never take the session down for a parsing bug
            await self.push_error(error_msg=f"dialogue engine failed: {error}", exception=error)
        finally:
            await self.stop_processing_metrics()
            await self.push_frame(LLMFullResponseEndFrame())
