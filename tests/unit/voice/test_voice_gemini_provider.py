"""Gemini (GoogleLLMService via google-genai) against a local fake speaking the real wire format.

The fake answers ``POST /v1beta/models/{model}:streamGenerateContent?alt=sse``
with Server-Sent Events carrying GenerateContentResponse JSON, as Gemini does:
first a ``functionCall`` part, then (once the tool result comes back as a
``functionResponse``) a text answer. The real google-genai client and
pipecat's function-calling path run unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from pipecat.frames.frames import LLMMessagesAppendFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.services.llm_service import FunctionCallParams
from pipecat.tests.utils import SleepFrame, run_test

from devstack.fakes.fake_gemini import candidate, sse
from voice_runtime.services import create_llm
from voice_runtime.services.tool_schemas import SHOPPING_TOOLS


class FakeGemini(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeGemini.requests.append((self.path, body))
        last_parts = body["contents"][-1]["parts"]
        if any("functionResponse" in part for part in last_parts):
            chunks = [
                candidate([{"text": "I found the JBL Go 3 "}], finish=None),
                candidate([{"text": "for 39 dollars 95."}]),
            ]
        else:
            chunks = [
                candidate(
                    [
                        {
                            "functionCall": {
                                "id": "fc-1",
                                "name": "search_products",
                                "args": {"query": "bluetooth speaker", "max_price": 50},
                            }
                        }
                    ]
                )
            ]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(sse(chunk))
            self.wfile.flush()


@pytest.fixture
def fake_gemini() -> Iterator[str]:
    FakeGemini.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGemini)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def production(base_url: str) -> Any:
    class Production:
        llm_provider = "gemini"
        gemini_api_key = "test-key"
        gemini_model = "gemini-2.5-flash"
        google_api_base = base_url

    return Production()


async def converse(llm: Any) -> tuple[list[dict[str, Any]], LLMContext]:
    """One spoken search through the LLM with a search tool answering; the tool calls and context."""
    calls: list[dict[str, Any]] = []

    async def search_products(params: FunctionCallParams) -> None:
        calls.append(dict(params.arguments))
        await params.result_callback(
            {
                "queryId": "q1",
                "status": "completed",
                "products": [{"id": "p1", "title": "JBL Go 3", "price": 39.95}],
            }
        )

    llm.register_function("search_products", search_products)
    context = LLMContext(tools=SHOPPING_TOOLS)
    aggregators = LLMContextAggregatorPair(context)
    await run_test(
        Pipeline([aggregators.user(), llm, aggregators.assistant()]),
        frames_to_send=[
            LLMMessagesAppendFrame(
                [{"role": "user", "content": "find me a bluetooth speaker under 50 dollars"}], run_llm=True
            ),
            SleepFrame(1.5),
        ],
    )
    return calls, context


def spoken(context: LLMContext) -> list[str | None]:
    return [m.get("content") for m in context.get_messages() if m.get("role") == "assistant"]


async def test_gemini_calls_search_products_and_speaks_the_result(fake_gemini):
    calls, context = await converse(create_llm(production(fake_gemini)))
    assert calls == [{"query": "bluetooth speaker", "max_price": 50}]
    assert len(FakeGemini.requests) == 2
    path, first = FakeGemini.requests[0]
    assert path.startswith("/v1beta/models/gemini-2.5-flash:streamGenerateContent")
    declared = {f["name"] for tool in first["tools"] for f in tool["functionDeclarations"]}
    assert declared == {
        "search_products",
        "save_item",
        "remove_saved_item",
        "list_saved_items",
        "add_to_cart",
        "list_cart_items",
        "remove_cart_item",
        "get_user_preferences",
        "end_session",
    }
    assert "voice shopping assistant" in first["systemInstruction"]["parts"][0]["text"]
    response_part = FakeGemini.requests[1][1]["contents"][-1]["parts"][0]["functionResponse"]
    assert response_part["name"] == "search_products"
    assert "I found the JBL Go 3 for 39 dollars 95." in spoken(context)


async def test_sessions_share_one_client_and_one_ending_leaves_it_open_for_the_others(fake_gemini):
    first, second = create_llm(production(fake_gemini)), create_llm(production(fake_gemini))
    shared = first._client
    assert shared is not None and second._client is shared

    await converse(first)  # the pipeline ends: the first session's service is cleaned up
    assert first._client is None

    calls, context = await converse(second)
    assert calls == [{"query": "bluetooth speaker", "max_price": 50}]
    assert "I found the JBL Go 3 for 39 dollars 95." in spoken(context)
    assert create_llm(production(fake_gemini))._client is shared
    other_endpoint = create_llm(production(fake_gemini + "/"))._client
    assert other_endpoint is not shared
