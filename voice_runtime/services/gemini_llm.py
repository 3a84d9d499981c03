"""Production LLM: Gemini through google-genai (pipecat's GoogleLLMService) with the shopping tools.

The tools schema and system prompt are the ones the offline dialogue engine
answers to (:mod:`voice_runtime.services.tool_schemas`), so bot.py registers
the same handlers whichever LLM runs. ``base_url`` points the google-genai
client at another endpoint (tests use a local fake speaking Gemini's
``streamGenerateContent`` SSE wire format).

Every session on an event loop shares one google-genai client: building one
loads the CA bundle into three SSL contexts (tens of milliseconds with the loop
blocked), and one client keeps one connection pool to Gemini for all sessions.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any

from google import genai
from google.genai.types import HttpOptions
from pipecat.services.google.llm import GoogleLLMService

from voice_runtime.services.tool_schemas import SHOPPING_SYSTEM_PROMPT

DEFAULT_GEMINI_MODEL = "gemini-2.5-flash"

# Per event loop (the client's async connection pool belongs to one loop), per key and options.
_shared_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, genai.Client]] = (
    weakref.WeakKeyDictionary()
)


def shared_client(api_key: str, http_options: HttpOptions | dict[str, Any] | None) -> genai.Client:
    """The google-genai client the sessions on the running loop share."""
    clients = _shared_clients.setdefault(asyncio.get_running_loop(), {})
    if isinstance(http_options, HttpOptions):
        options: Any = http_options.model_dump(mode="json", exclude_none=True)
    else:
        options = http_options or {}
    key = json.dumps([api_key, options], sort_keys=True, default=str)
    if key not in clients:
        clients[key] = genai.Client(api_key=api_key, http_options=http_options)
    return clients[key]


class SharedClientGoogleLLMService(GoogleLLMService):
    """GoogleLLMService on the loop's shared client, which a session's end leaves open."""

    def create_client(self) -> None:
        self._client = shared_client(self._api_key, self._http_options)

    async def _close_client(self) -> None:
        self._client = None


def create_gemini_llm(
    *,
    api_key: str,
    model: str | None = None,
    base_url: str | None = None,
    system_instruction: str = SHOPPING_SYSTEM_PROMPT,
    **kwargs: Any,
) -> GoogleLLMService:
    """A GoogleLLMService for the shopping assistant, on the loop's shared client.

    Put ``SHOPPING_TOOLS`` in the ``LLMContext`` (pipecat sends the context's
    tools with every request) and register the tool handlers on the service.
    """
    if not api_key:
        raise ValueError("Gemini needs an API key (settings.gemini_api_key / GEMINI_API_KEY)")
    http_options = HttpOptions(base_url=base_url) if base_url else None
    return SharedClientGoogleLLMService(
        api_key=api_key,
        http_options=http_options,
        settings=GoogleLLMService.Settings(
            model=model or DEFAULT_GEMINI_MODEL,
            system_instruction=system_instruction,
            temperature=0.3,
            max_tokens=300,
        ),
        **kwargs,
    )
