"""The interrupted-turn guard drops the LLM run that would speak an interrupted turn's tool results."""

from __future__ import annotations

import json

from pipecat.frames.frames import Frame, FunctionCallInProgressFrame, InterruptionFrame, LLMContextFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test

from voice_runtime.turn_guard import InterruptedTurnGuard, trailing_tool_results


class Bounce(FrameProcessor):
    """Sends a downstream context frame back upstream, as the assistant aggregator does."""

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, FrameDirection.UPSTREAM)
        else:
            await self.push_frame(frame, direction)


def _context(*, typed_after: bool = False) -> LLMContext:
    messages = [
        {"role": "user", "content": "find a bluetooth speaker"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "search_products", "arguments": json.dumps({"query": "speaker"})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"ok": True, "count": 4})},
    ]
    if typed_after:
        messages.append({"role": "user", "content": "save the first one"})
    return LLMContext(messages=messages)


def _started() -> FunctionCallInProgressFrame:
    return FunctionCallInProgressFrame(function_name="search_products", tool_call_id="call_1", arguments={})


async def _runs_reaching_the_llm(frames: list[Frame]) -> int:
    _, up = await run_test(Pipeline([InterruptedTurnGuard("s1"), Bounce()]), frames_to_send=frames)
    return sum(isinstance(frame, LLMContextFrame) for frame in up)


async def test_a_tool_result_of_the_current_turn_runs_the_llm() -> None:
    frames = [_started(), SleepFrame(0.05), LLMContextFrame(_context())]
    assert await _runs_reaching_the_llm(frames) == 1


async def test_after_an_interruption_the_cut_turns_results_do_not_run_the_llm() -> None:
    frames = [
        _started(),
        SleepFrame(0.05),
        InterruptionFrame(),
        SleepFrame(0.05),
        LLMContextFrame(_context()),
    ]
    assert await _runs_reaching_the_llm(frames) == 0


async def test_the_message_that_interrupted_runs_the_llm_as_usual() -> None:
    frames = [
        _started(),
        SleepFrame(0.05),
        InterruptionFrame(),
        SleepFrame(0.05),
        LLMContextFrame(_context(typed_after=True)),
    ]
    assert await _runs_reaching_the_llm(frames) == 1


def test_trailing_tool_results_stop_at_the_last_user_message() -> None:
    assert trailing_tool_results(_context().get_messages()) == ["call_1"]
    assert trailing_tool_results(_context(typed_after=True).get_messages()) == []
