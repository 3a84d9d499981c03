"""Turn metrics: tool calls are timed per tool, and a tool turn's first audio is kept apart."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    LLMContextFrame,
    TranscriptionFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import FramePushed
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection

from voice_runtime import metrics


def _pushed(frame) -> FramePushed:
    return FramePushed(
        source=None, destination=None, frame=frame, direction=FrameDirection.DOWNSTREAM, timestamp=0
    )


async def _turn(observer: metrics.TurnLatencyObserver, *, tool_secs: float | None, speak_first: bool):
    await observer.on_push_frame(_pushed(VADUserStoppedSpeakingFrame(stop_secs=0.25)))
    await observer.on_push_frame(_pushed(TranscriptionFrame("find a speaker", "u", "now")))
    await observer.on_push_frame(_pushed(LLMContextFrame(LLMContext())))
    if tool_secs is None:
        await observer.on_push_frame(_pushed(BotStartedSpeakingFrame()))
        return
    await observer.on_push_frame(_pushed(FunctionCallInProgressFrame("search_products", "call-1", {})))
    if speak_first:  # the acknowledgement is spoken while the call runs
        await observer.on_push_frame(_pushed(BotStartedSpeakingFrame()))
    await asyncio.sleep(tool_secs)
    result = FunctionCallResultFrame("search_products", "call-1", {}, {"ok": True})
    await observer.on_push_frame(_pushed(result))
    if not speak_first:
        await observer.on_push_frame(_pushed(BotStartedSpeakingFrame()))


def _sample_count(text: str, name: str, label: str) -> float:
    for line in text.splitlines():
        if line.startswith(f"{name}_count{{") and label in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_a_tool_call_is_timed_and_its_turn_counted_as_a_tool_turn() -> None:
    before = metrics.exposition().decode()
    observer = metrics.TurnLatencyObserver("s-1")
    await _turn(observer, tool_secs=0.05, speak_first=False)
    await _turn(observer, tool_secs=None, speak_first=False)

    tool_turn, chat_turn = observer.turns
    assert tool_turn["tool_calls"] == ["search_products"]
    assert tool_turn["tool_ms"]["search_products"] >= 50
    assert tool_turn["tool_pending"] == []
    assert chat_turn["tool_calls"] == [] and chat_turn["tool_ms"] == {}
    assert observer.tool_calls[0]["tool"] == "search_products" and observer.tool_calls[0]["ok"] is True

    after = metrics.exposition().decode()
    for name, label, added in (
        ("voice_turn_first_audio_seconds", 'turn="tool"', 1),
        ("voice_turn_first_audio_seconds", 'turn="no_tool"', 1),
    ):
        assert _sample_count(after, name, label) - _sample_count(before, name, label) == added


async def test_speech_that_starts_before_the_tool_returns_shows_the_call_as_pending() -> None:
    observer = metrics.TurnLatencyObserver("s-2")
    await _turn(observer, tool_secs=0.01, speak_first=True)

    (turn,) = observer.turns
    assert turn["tool_pending"] == ["search_products"]
    assert turn["tool_ms"] == {}
    assert observer.tool_calls[0]["duration_ms"] >= 10  # still timed when it returns


async def test_a_call_left_over_from_an_earlier_turn_is_not_this_turns_wait() -> None:
    observer = metrics.TurnLatencyObserver("s-3")
    await _turn(observer, tool_secs=0.01, speak_first=True)  # its result is observed later
    await observer.on_push_frame(_pushed(FunctionCallInProgressFrame("save_item", "call-2", {})))
    await asyncio.sleep(0.3)  # the shopper speaks again later; VAD stop comes 0.25 s after
    await _turn(observer, tool_secs=None, speak_first=False)

    assert observer.turns[1]["tool_pending"] == []
