"""Silero VAD with one ONNX session and one small thread pool shared by every session.

Pipecat's `SileroVADAnalyzer` loads its own ONNX session and starts its own
thread per stream. The model is stateless apart from the recurrent state, which
the analyzer passes in and out on every call, so one `InferenceSession` (thread
safe for `run`) serves every stream; that keeps a session's memory small.

Most of a conversation's audio is the user listening, and pipecat counts a
window as speech only when its loudness (ITU-R BS.1770 over the last 400 ms),
mapped to a volume, reaches `min_volume` *and* the model is confident. Audio
whose plain energy over those 400 ms is too low to pass BS.1770's absolute gate
(-70 LUFS; K-weighting adds at most 4 dB) measures as silence, volume 0, so it
is not speech whatever the model says: for such windows the model and the
loudness meter are skipped, and the audio is analysed on the event loop without
a hop to the inference threads. Everything louder goes through pipecat's
analysis unchanged; when sound returns, the model first runs over the quiet
400 ms before it, so its recurrent state is where it would have been
(tests/unit/voice/test_voice_vad.py checks the decisions frame by frame
against pipecat's own analyzer).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import numpy as np
import onnxruntime
from pipecat.audio.utils import exp_smoothing
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams, VADState
from pipecat.audio.volume import VOLUME_WINDOW_SECS

_lock = threading.Lock()
_session: onnxruntime.InferenceSession | None = None
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="voice-vad")

# A BS.1770 block is silent (-inf LUFS) below -70 LUFS = -0.691 + 10 log10(K-weighted mean
# square). K-weighting gains at most +4 dB, so a plain mean square below -73.3 dB is silent;
# -75 dB keeps a margin.
SILENT_MEAN_SQUARE_DB = -75.0


def energy_of(pcm: bytes) -> float:
    """Sum of squared PCM16 samples."""
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
    return float(np.dot(samples, samples))


def quiet_energy(samples: int) -> float:
    """Sum of squared PCM16 samples under which `samples` of audio measure as silence."""
    return samples * (32768.0**2) * 10 ** (SILENT_MEAN_SQUARE_DB / 10)


def _shared_session() -> onnxruntime.InferenceSession:
    global _session
    with _lock:
        if _session is None:
            options = onnxruntime.SessionOptions()
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = 1
            path = str(resources.files("pipecat.audio.vad.data").joinpath("silero_vad.onnx"))
            _session = onnxruntime.InferenceSession(
                path, providers=["CPUExecutionProvider"], sess_options=options
            )
        return _session


class _SharedSessionModel(SileroOnnxModel):
    def __init__(self) -> None:  # no super().__init__: it would load another session
        self.session = _shared_session()
        self.reset_states()
        self.sample_rates = [8000, 16000]


class SharedSileroVADAnalyzer(SileroVADAnalyzer):
    """A `SileroVADAnalyzer` whose model session and inference threads are process-wide."""

    def __init__(self, *, sample_rate: int | None = None, params: VADParams | None = None) -> None:
        VADAnalyzer.__init__(self, sample_rate=sample_rate, params=params)
        self._executor.shutdown(wait=False)
        self._executor = _executor
        self._model = _SharedSessionModel()
        self._windows_since_reset = 0
        self._low_confidence_windows = 0
        # The newest analysed windows with their energy, covering at least one loudness window.
        self._heard: deque[tuple[bytes, float]] = deque()
        self._quiet = False  # whether the last window analysed measured as silence
        self.windows = 0
        self.windows_skipped = 0

    def _span_bytes(self) -> int:
        return math.ceil(VOLUME_WINDOW_SECS * self.sample_rate) * 2

    def _silent(self, audio_bytes: int, energy: float) -> bool:
        """Whether the latest `audio_bytes` of audio, of this energy, must measure as silence.

        The audio spans at least one loudness window, so its energy spread over one window's
        length bounds every loudness window it contains. Until a full loudness window has
        been heard, pipecat's volume reads 0 too.
        """
        if self._params.min_volume <= 0:
            return False  # volume 0 would pass min_volume: only the model can tell
        span = self._span_bytes()
        return audio_bytes < span or energy < quiet_energy(span // 2)

    def _heard_so_far(self) -> tuple[int, float]:
        return sum(len(w) for w, _ in self._heard), sum(e for _, e in self._heard)

    async def analyze_audio(self, buffer: bytes) -> VADState:
        pending = self._vad_buffer + buffer
        if len(pending) >= self._vad_frames_num_bytes:
            heard_bytes, heard_energy = self._heard_so_far()
            if not self._silent(heard_bytes + len(pending), heard_energy + energy_of(pending)):
                return await super().analyze_audio(buffer)
        return self._run_analyzer(buffer)  # no model call: cheaper than a thread hop

    def voice_confidence(self, buffer: bytes) -> float:
        self.windows += 1
        before = list(self._heard)
        self._heard.append((buffer, energy_of(buffer)))
        span = self._span_bytes()
        while self._heard_so_far()[0] - len(self._heard[0][0]) >= span:
            self._heard.popleft()
        if self._silent(*self._heard_so_far()):
            self.windows_skipped += 1
            self._quiet = True
            return 0.0
        if self._quiet:
            # Sound after a quiet spell: bring the model's recurrent state where pipecat's
            # would be by running it over the quiet audio just before (from a fresh state).
            self._quiet = False
            self._model.reset_states()
            for window, _ in before[-(span // len(buffer)) :]:
                self._model(np.frombuffer(window, np.int16).astype(np.float32) / 32768.0, self.sample_rate)
        return super().voice_confidence(buffer)

    def _get_smoothed_volume(self, audio: bytes) -> float:
        if self._quiet:
            # pipecat would measure this window as silence (volume 0): keep its loudness
            # window and smoothing in step without measuring.
            self._volume_tracker.update(audio, self.sample_rate)
            return exp_smoothing(0.0, self._prev_volume, self._smoothing_factor)
        return super()._get_smoothed_volume(audio)

    async def cleanup(self) -> None:
        # The executor is shared: leave it running for the other sessions.
        return None


def warm_up() -> None:
    """Load the shared model now (at process start) rather than on the first call."""
    _shared_session()
