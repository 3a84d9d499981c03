"""The benchmark baseline: pipecat's stock Whisper STT service over the shared model.

Lives in bench/, not in the runtime image: the voice latency benchmark passes
`create_stock_stt` as BotDeps.create_stt to compare it with the shipped
IncrementalWhisperSTTService.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipecat.services.stt_service import STTService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language

from voice_runtime.models import get_whisper_model


class WholeUtteranceWhisperSTTService(WhisperSTTService):
    """Pipecat's stock Whisper service over the shared model: the baseline for benchmarks.

    Transcribes the whole utterance (padded to the 30 s window, default beam
    search) after the VAD stop, exactly as ``WhisperSTTService`` does; only
    the model loading is shared instead of per instance.
    """

    def __init__(self, *, model_dir: str | Path | None = None, **kwargs: Any) -> None:
        self._shared_model_dir = model_dir
        kwargs.setdefault("ttfs_p99_latency", 1.0)
        super().__init__(settings=WhisperSTTService.Settings(model="base", language=Language.EN), **kwargs)

    def _load(self) -> None:
        self._model = get_whisper_model(self._shared_model_dir)


def create_stock_stt(settings: Any, **kwargs: Any) -> STTService:
    """A BotDeps.create_stt factory for the baseline."""
    return WholeUtteranceWhisperSTTService(model_dir=getattr(settings, "whisper_model_dir", None), **kwargs)
