"""Production LLM: Gemini through google-genai (pipecat's GoogleLLMService) with the shopping tools.

The tools schema and system prompt are the ones the offline dialogue engine
answers to (:mod:`voice_runtime.services.tool_schemas`), so bot.py registers
the same handlers whichever LLM runs. ``base_url`` points the google-genai
client at another endpoint (tests use a local fake speaking Gemini's
``streamGenerateContent`` SSE wire format).
"""

from __future__ import annotations

from typing import Any

from google.genai.types import HttpOptions
from pipecat.services.google.llm import GoogleLLMService

from voice_runtime.services.tool_schemas import SHOPPING_SYSTEM_PROMPT

DEFAULT_GEMINI_MODEL = "gemini-2.5-flash"


def create_gemini_llm(
    *,
    api_key: str,
    model: str | None = None,
    base_url: str | None = None,
    system_instruction: str = SHOPPING_SYSTEM_PROMPT,
    **kwargs: Any,
) -> GoogleLLMService:
    """A GoogleLLMService for the shopping assistant.

    Put ``SHOPPING_TOOLS`` in the ``LLMContext`` (pipecat sends the context's
    tools with every request) and register the tool handlers on the service.
    """
    if not api_key:
        raise ValueError("Gemini needs an API key (settings.gemini_api_key / GEMINI_API_KEY)")
    http_options = HttpOptions(base_url=base_url) if base_url else None
    return GoogleLLMService(
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
