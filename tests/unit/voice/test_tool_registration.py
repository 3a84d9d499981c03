"""Tool registration: fillers while a slow call runs, one per turn however many calls it makes."""

from __future__ import annotations

import asyncio
from typing import Any

from voice_runtime.tool_registration import register_tools


class _Llm:
    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}

    def register_function(self, name: str, handler: Any) -> None:
        self.handlers[name] = handler


class _SlowTools:
    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {"ok": True, "name": name}


class _Params:
    def __init__(self, arguments: dict[str, Any]) -> None:
        self.arguments = arguments
        self.results: list[Any] = []

    async def result_callback(self, result: Any, **_: Any) -> None:
        self.results.append(result)


async def test_calls_of_one_turn_share_one_filler_and_each_gets_its_result() -> None:
    llm, said = _Llm(), []

    async def say(text: str) -> None:
        said.append(text)

    register_tools(llm, _SlowTools(), say, filler_after_s=0.05)  # type: ignore[arg-type]
    first, second = _Params({"product_id": "a"}), _Params({"product_id": "b"})
    await asyncio.gather(llm.handlers["save_item"](first), llm.handlers["save_item"](second))
    assert len(said) == 1  # "save both of them": one "One moment.", not two
    assert first.results == [{"ok": True, "name": "save_item"}] and second.results == first.results
    fast = _Params({})
    register_tools(llm, _SlowTools(), say, filler_after_s=1.0)  # type: ignore[arg-type]
    await llm.handlers["list_saved_items"](fast)
    assert len(said) == 1 and fast.results  # a call done before the filler is due says nothing
