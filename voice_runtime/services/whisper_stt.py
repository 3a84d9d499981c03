"""Offline speech-to-text: faster-whisper base (int8) that transcribes while the user speaks.

Two things make this faster than pipecat's stock ``WhisperSTTService``
(which pads every utterance to Whisper's 30 s window and starts transcribing
only after the VAD reports the end of speech):

1. A tight encoder window. CTranslate2's Whisper encoder accepts fewer than
   3000 mel frames, so an utterance of a few seconds is encoded over its own
   length (rounded up, at least ``min_window_secs``) instead of 30 s: the
   encoder, which is most of the cost, gets 5 to 10 times cheaper. Word error
   rate is checked against the full window in ``bench/voice_wer.py``.
2. Speculative transcription. The service watches the energy of incoming
   audio; once the user has been quiet for ``speculate_after_secs`` (shorter
   than the VAD's stop time) it transcribes the utterance so far in the
   background. When the VAD then reports the stop and no speech came after
   the speculation began, that result is the final transcript, so only the
   remainder of the inference (often nothing) is left after the stop. If the
   user spoke again, the speculation is dropped and the whole utterance is
   transcribed at the stop.

Decoding is beam 2 (``WHISPER_BEAM_SIZE``), without timestamps, English, with a
shopping vocabulary prompt, no VAD filter and no conditioning on previous text.
The model is loaded once per process (:func:`get_whisper_engine`) and every
session decodes through the process's :class:`~voice_runtime.inference.InferenceQueue`
(never on the event loop): ``WHISPER_DECODERS`` decodes at once, a turn's final
transcript before any speculation, no speculation while every decoder is taken,
and, with ``TTS_SHARES_INFERENCE_QUEUE``, in one priority order with Piper's
syntheses.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
import zlib
from collections.abc import AsyncGenerator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pipecat.frames.frames import (
    ErrorFrame,
    Frame,
    InputAudioRawFrame,
    TranscriptionFrame,
    UserAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.stt_service import STTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from voice_runtime import metrics
from voice_runtime.inference import FINAL, SPECULATIVE, InferenceQueue, get_inference_queue
from voice_runtime.models import get_whisper_model

logger = logging.getLogger(__name__)

WHISPER_SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # Whisper's mel hop is 10 ms
FULL_WINDOW_FRAMES = 3000

SHOPPING_PROMPT = (
    "Find me a bluetooth speaker under 50 dollars. Show me cheaper ones in black. "
    "Save the second one. Noise cancelling headphones from Sony, running shoes, "
    "a laptop backpack, what do I usually like?"
)


@dataclass(frozen=True)
class Transcript:
    """One transcription: the text, how sure Whisper is there was no speech, and its cost."""

    text: str
    no_speech_prob: float
    inference_ms: float
    audio_ms: float


def window_frames(content_frames: int, *, tight: bool, min_frames: int, margin_frames: int) -> int:
    """Mel frames the encoder sees for ``content_frames`` of audio.

    Full window: Whisper's 3000. Tight: the content plus a margin, rounded up
    to a multiple of 100 frames (1 s), at least ``min_frames``, at most 3000.
    """
    if not tight:
        return FULL_WINDOW_FRAMES
    wanted = max(min_frames, content_frames + margin_frames)
    rounded = -(-wanted // FRAMES_PER_SECOND) * FRAMES_PER_SECOND
    return min(FULL_WINDOW_FRAMES, rounded)


def pcm16_to_float(pcm: bytes | bytearray) -> np.ndarray:
    """16-bit little-endian PCM to float32 in [-1, 1]."""
    return np.frombuffer(bytes(pcm), dtype=np.int16).astype(np.float32) / 32768.0


def frame_rms(pcm: bytes | bytearray) -> float:
    """Root mean square of a 16-bit PCM chunk, in sample units (0 to 32768)."""
    samples = np.frombuffer(bytes(pcm), dtype=np.int16)
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float32) ** 2)))


def collapse_repeats(text: str) -> str:
    """Cut a decoding loop: 'Save it. Save it. Save' -> 'Save it.' (a repeated opening sentence)."""
    sentences = re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text.strip()))
    if len(sentences) >= 2 and sentences[0] and sentences[1].startswith(sentences[0].rstrip(".!?")[:12]):
        return sentences[0]
    return text


LOGPROB_THRESHOLD = -1.0  # Whisper's: below it a decoding is unsure
COMPRESSION_RATIO_THRESHOLD = 2.4  # Whisper's: above it a decoding is repeating itself


def needs_fallback(text: str, avg_logprob: float) -> bool:
    """Whisper's rule for decoding again at a higher temperature: unsure or repetitive text."""
    encoded = text.encode("utf-8")
    ratio = len(encoded) / len(zlib.compress(encoded)) if encoded else 0.0
    return avg_logprob < LOGPROB_THRESHOLD or ratio > COMPRESSION_RATIO_THRESHOLD


def decoder_prompt(
    tokenizer: Any, *, prompt: str = "", hotwords: str = "", timestamps: bool = False
) -> list[int]:
    """The decoder's start tokens, laid out as faster-whisper does: hotwords, then the prompt text
    (together at most 223 tokens, the oldest cut), then English transcription, then no timestamps."""
    previous = tokenizer.encode(" " + hotwords.strip()) if hotwords.strip() else []
    previous += tokenizer.encode(" " + prompt.strip()) if prompt.strip() else []
    return (
        ([tokenizer.sot_prev, *previous[-223:]] if previous else [])
        + list(tokenizer.sot_sequence)
        + ([] if timestamps else [tokenizer.no_timestamps])
    )


class WhisperEngine:
    """A loaded Whisper model plus the decoding recipe; thread-safe, shared by sessions.

    Sessions decode through :meth:`decode`, on ``queue`` (the process-wide
    :class:`~voice_runtime.inference.InferenceQueue` by default); :meth:`transcribe`
    is the blocking decode itself (benchmarks call it directly). The model must hold
    as many CTranslate2 workers as the queue runs decodes at once.
    """

    def __init__(
        self,
        model: Any,
        *,
        prompt: str = SHOPPING_PROMPT,
        tight_window: bool = True,
        min_window_secs: float = 5.0,
        margin_secs: float = 1.0,
        no_speech_threshold: float = 0.6,
        beam_size: int = 2,
        hotwords: str = "",
        timestamps: bool = False,
        fallback_temperatures: tuple[float, ...] = (),
        queue: InferenceQueue | None = None,
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.beam_size = beam_size
        self._fallback_temperatures = fallback_temperatures
        self.tight_window = tight_window
        self._min_frames = int(min_window_secs * FRAMES_PER_SECOND)
        self._margin_frames = int(margin_secs * FRAMES_PER_SECOND)
        self._no_speech_threshold = no_speech_threshold
        self._tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        self._prompt = decoder_prompt(
            self._tokenizer, prompt=prompt, hotwords=hotwords, timestamps=timestamps
        )
        # The feature extractor keeps per-call state; serialise its use.
        self._features_lock = threading.Lock()
        self.queue = queue if queue is not None else get_inference_queue(1)

    def decode(self, audio: np.ndarray, *, speculative: bool = False) -> Future[Transcript] | None:
        """Transcribe `audio` on the decode queue (None: a speculation the busy queue declined)."""
        return self.queue.submit(lambda: self.transcribe(audio), SPECULATIVE if speculative else FINAL)

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Transcribe float32 mono 16 kHz audio (blocking; call it off the event loop)."""
        import ctranslate2

        started = time.perf_counter()
        audio_ms = 1000.0 * len(audio) / WHISPER_SAMPLE_RATE
        if len(audio) < WHISPER_SAMPLE_RATE // 10:
            return Transcript("", 1.0, 0.0, audio_ms)
        audio = audio[: 30 * WHISPER_SAMPLE_RATE]
        content = min(len(audio) // 160, FULL_WINDOW_FRAMES)
        frames = window_frames(
            content,
            tight=self.tight_window,
            min_frames=self._min_frames,
            margin_frames=self._margin_frames,
        )
        # Pad with real silence (not zero features) so the padded tail looks like
        # the end of speech Whisper saw in training, and the decoder stops there.
        padded = np.zeros(frames * 160, dtype=np.float32)
        padded[: len(audio)] = audio[: frames * 160]
        with self._features_lock:
            features = self.model.feature_extractor(padded)
        window = np.ascontiguousarray(features[:, :frames], dtype=np.float32)
        if window.shape[1] < frames:
            window = np.pad(window, ((0, 0), (0, frames - window.shape[1])), constant_values=window.min())
        encoded = self.model.model.encode(
            ctranslate2.StorageView.from_array(window[np.newaxis]), to_cpu=False
        )
        max_new = min(440 - len(self._prompt), 12 + int(6 * audio_ms / 1000.0))
        text, no_speech, avg_logprob = self._generate(encoded, max_new, temperature=0.0)
        for temperature in self._fallback_temperatures:
            # Whisper's fallback: an unsure or repetitive greedy/beam result is decoded again by
            # sampling, unless it looks like silence (then the silence rule below drops it).
            silent = no_speech > self._no_speech_threshold and avg_logprob < LOGPROB_THRESHOLD
            if silent or not needs_fallback(text, avg_logprob):
                break
            retry = self._generate(encoded, max_new, temperature=temperature)
            if retry[2] > avg_logprob:
                text, _, avg_logprob = retry
        # Whisper's own rule: likely no speech and an unsure decoding means silence. Beam search
        # finds a fluent sentence in silence ("You can use the speaker on your phone."), so a
        # long text alone does not prove speech; its average log probability does.
        if no_speech > self._no_speech_threshold and (
            len(text.split()) <= 2 or avg_logprob < LOGPROB_THRESHOLD
        ):
            text = ""
        return Transcript(text, no_speech, 1000.0 * (time.perf_counter() - started), audio_ms)

    def _generate(self, encoded: Any, max_new: int, *, temperature: float) -> tuple[str, float, float]:
        """One decoding of the encoded window: (text, no-speech probability, average log probability)."""
        search: dict[str, Any] = {"beam_size": self.beam_size}
        if temperature > 0:
            search = {
                "beam_size": 1,
                "num_hypotheses": 5,
                "sampling_topk": 0,
                "sampling_temperature": temperature,
            }
        result = self.model.model.generate(
            encoded,
            [self._prompt],
            max_length=len(self._prompt) + max_new,
            return_no_speech_prob=True,
            return_scores=True,
            suppress_blank=True,
            no_repeat_ngram_size=0,
            **search,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        text = collapse_repeats(self._tokenizer.decode(tokens).strip())
        scores = getattr(result, "scores", None) or [0.0]
        return text, float(getattr(result, "no_speech_prob", 0.0)), float(scores[0])


_engines: dict[tuple[Any, ...], WhisperEngine] = {}
_engines_lock = threading.Lock()


def get_whisper_engine(
    model_dir: str | Path | None = None,
    *,
    tight_window: bool = True,
    beam_size: int = 2,
    cpu_threads: int = 0,
    decoders: int = 1,
) -> WhisperEngine:
    """The process-wide engine over the shared model (one per recipe).

    ``decoders``: decodes at once, the width of the process's inference queue (and
    CTranslate2 workers to match); ``cpu_threads``: CTranslate2 threads per decode.
    """
    key = (str(model_dir or ""), tight_window, beam_size, cpu_threads, decoders)
    with _engines_lock:
        if key not in _engines:
            model = get_whisper_model(model_dir, cpu_threads=cpu_threads, num_workers=max(2, decoders))
            _engines[key] = WhisperEngine(
                model,
                tight_window=tight_window,
                beam_size=beam_size,
                queue=get_inference_queue(decoders),
            )
        return _engines[key]


@dataclass
class UtteranceStats:
    """What happened for the last utterance; read by metrics and the benchmark."""

    text: str
    stop_to_transcript_ms: float
    speculative_hit: bool
    inference_ms: float
    audio_ms: float
    decodes: int = 1


class IncrementalWhisperSTTService(STTService):
    """Whisper STT that starts transcribing during the user's trailing silence.

    Needs VAD frames upstream (``VADUserStartedSpeakingFrame`` /
    ``VADUserStoppedSpeakingFrame``), like pipecat's segmented services.
    Push one ``TranscriptionFrame`` (finalized) per utterance.
    """

    def __init__(
        self,
        *,
        engine: WhisperEngine,
        speculate_after_secs: float = 0.12,
        pre_roll_secs: float = 0.5,
        silence_floor: float = 200.0,
        silence_ratio: float = 0.08,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("ttfs_p99_latency", 0.35)
        super().__init__(**kwargs)
        self._engine = engine
        self._speculate_after = speculate_after_secs
        self._pre_roll_secs = pre_roll_secs
        self._silence_floor = silence_floor
        self._silence_ratio = silence_ratio
        self._buffer = bytearray()
        self._speaking = False
        self._peak_rms = 0.0
        self._trailing_silence_secs = 0.0
        self._speculation: asyncio.Future[Transcript] | None = None
        self._speculation_end = 0
        self._spoke_since_speculation = False
        self._decodes = 0  # transcriptions started for the utterance being heard
        self._finalize_tasks: set[asyncio.Task[None]] = set()
        self.last_utterance: UtteranceStats | None = None

    def can_generate_metrics(self) -> bool:
        return True

    def language_to_service_language(self, language: Language) -> str | None:
        return "en"

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame | None, None]:
        """Transcribe one complete utterance (16-bit PCM); used outside the VAD flow."""
        result = await self._transcribe(bytes(audio))
        if result.text:
            yield TranscriptionFrame(result.text, self._user_id, time_now_iso8601(), Language.EN)

    async def process_audio_frame(self, frame: InputAudioRawFrame, direction: FrameDirection) -> None:
        if self._muted or not frame.audio:
            return
        self._user_id = frame.user_id if isinstance(frame, UserAudioRawFrame) else ""
        audio = frame.audio
        if self.sample_rate and self.sample_rate != WHISPER_SAMPLE_RATE:
            audio = await self._resample(audio)
        self._buffer += audio
        if not self._speaking:
            keep = int(self._pre_roll_secs * WHISPER_SAMPLE_RATE) * 2
            if len(self._buffer) > keep:
                del self._buffer[: len(self._buffer) - keep]
            return
        self._track_energy(audio)
        if self._trailing_silence_secs >= self._speculate_after and (
            self._speculation is None or (self._spoke_since_speculation and self._speculation.done())
        ):
            self._start_speculation()

    async def _resample(self, audio: bytes) -> bytes:
        import soxr

        samples = np.frombuffer(audio, dtype=np.int16)
        out = soxr.resample(samples, self.sample_rate, WHISPER_SAMPLE_RATE)
        return out.astype(np.int16).tobytes()

    def _track_energy(self, audio: bytes) -> None:
        rms = frame_rms(audio)
        self._peak_rms = max(self._peak_rms, rms)
        threshold = max(self._silence_floor, self._silence_ratio * self._peak_rms)
        seconds = len(audio) / 2 / WHISPER_SAMPLE_RATE
        if rms < threshold:
            self._trailing_silence_secs += seconds
        else:
            self._trailing_silence_secs = 0.0
            if self._speculation is not None:
                self._spoke_since_speculation = True

    def _start_speculation(self) -> None:
        self._speculation_end = len(self._buffer)
        self._spoke_since_speculation = False
        future = self._engine.decode(pcm16_to_float(self._buffer), speculative=True)
        if future is None:  # the process is busy decoding: tried again on the next frame
            return
        self._decodes += 1
        self._speculation = asyncio.wrap_future(future)

    def _reset_utterance(self) -> None:
        self._buffer.clear()
        self._peak_rms = 0.0
        self._trailing_silence_secs = 0.0
        self._speculation = None
        self._spoke_since_speculation = False
        self._decodes = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, VADUserStartedSpeakingFrame):
            self._speaking = True
            self._trailing_silence_secs = 0.0
            if self._speculation is not None:
                # Speech resumed within the same buffer; the old guess is stale.
                self._spoke_since_speculation = True
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._speaking = False
            task = self.create_task(self._finalize(self._take_utterance()), name="whisper_finalize")
            self._finalize_tasks.add(task)
            task.add_done_callback(self._finalize_tasks.discard)

    def _take_utterance(self) -> tuple[bytes, Any, bool, int]:
        pcm = bytes(self._buffer)
        speculation = self._speculation
        reusable = speculation is not None and not self._spoke_since_speculation
        if speculation is not None and not reusable:
            speculation.cancel()  # a stale guess still waiting in the queue is not decoded
        decodes = self._decodes + (0 if reusable else 1)
        self._reset_utterance()
        return pcm, speculation, reusable, decodes

    async def _finalize(self, utterance: tuple[bytes, Any, bool, int]) -> None:
        pcm, speculation, reusable, decodes = utterance
        stopped = time.perf_counter()
        await self.start_processing_metrics()
        try:
            if reusable:
                result = await speculation
            else:
                result = await self._transcribe(pcm)
        except Exception as error:  # a model failure must not end the session
            await self.push_frame(ErrorFrame(error=f"transcription failed: {error}"))
            return
        finally:
            await self.stop_processing_metrics()
        latency_ms = 1000.0 * (time.perf_counter() - stopped)
        self.last_utterance = UtteranceStats(
            result.text, latency_ms, reusable, result.inference_ms, result.audio_ms, decodes
        )
        metrics.STT_DECODES.inc(decodes)
        logger.info(
            "stt final",
            extra={
                "fields": {
                    "event": "stt_final",
                    "stop_to_transcript_ms": round(latency_ms, 1),
                    "speculative_hit": reusable,
                    "decodes": decodes,
                    "inference_ms": round(result.inference_ms, 1),
                    "audio_ms": round(result.audio_ms, 1),
                    "chars": len(result.text),
                }
            },
        )
        if result.text:
            await self.push_frame(
                TranscriptionFrame(
                    result.text, self._user_id, time_now_iso8601(), Language.EN, finalized=True
                )
            )

    async def _transcribe(self, pcm: bytes) -> Transcript:
        future = self._engine.decode(pcm16_to_float(pcm))
        assert future is not None  # a final decode is always queued
        return await asyncio.wrap_future(future)
