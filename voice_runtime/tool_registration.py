"""Registers the shopping tools on a pipecat LLM service (Gemini or the dialogue engine).

Each handler runs the tool and hands its result back through pipecat's function
calling; a call still running after `filler_after_s` speaks a short filler once, so
a slow API never leaves the shopper in silence (calls of one turn share it).
`end_session` answers without asking the LLM for more words and then ends the pipeline
gracefully: the goodbye queued ahead of it is still spoken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from voice_runtime.services.tool_schemas import END_SESSION, FILLERS
from voice_runtime.tools import ShoppingTools, ToolResult

TOOL_NAMES = tuple(FILLERS)
# Calls started together ("save both of them": one save per product) share one filler.
FILLER_GAP_S = 3.0


async def run_with_filler(
    work: Awaitable[ToolResult],
    say: Callable[[str], Awaitable[None]],
    filler: str,
    after_s: float,
) -> ToolResult:
    """Await `work`; if it is still running after `after_s`, speak `filler` once meanwhile."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=after_s)
        if not done:
            await say(filler)
        return await task
    finally:
        if not task.done():
            task.cancel()


def register_tools(
    llm: Any,
    tools: ShoppingTools,
    say: Callable[[str], Awaitable[None]],
    *,
    filler_after_s: float = 0.7,
    on_goodbye: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Register every tool on `llm` (`llm.register_function(name, handler)`)."""
    from pipecat.frames.frames import EndWorkerFrame, FunctionCallResultProperties

    said_at = [float("-inf")]

    async def say_once(text: str) -> None:
        now = asyncio.get_running_loop().time()
        if now - said_at[0] >= FILLER_GAP_S:
            said_at[0] = now
            await say(text)

    def make_handler(name: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(params: Any) -> None:
            result = await run_with_filler(
                tools.call(name, dict(params.arguments or {})), say_once, FILLERS[name], filler_after_s
            )
            await params.result_callback(result)

        return handler

    async def end_session(params: Any) -> None:
        if on_goodbye is not None:
            await on_goodbye()
        await params.result_callback({"ok": True}, properties=FunctionCallResultProperties(run_llm=False))
        await params.llm.push_frame(EndWorkerFrame(reason="goodbye"))

    for name in TOOL_NAMES:
        llm.register_function(name, make_handler(name))
    llm.register_function(END_SESSION, end_session)
