"""Silero VAD with one ONNX session and one small thread pool shared by every session.

Pipecat's `SileroVADAnalyzer` loads its own ONNX session and starts its own
thread per stream. The model is stateless apart from the recurrent state, which
the analyzer passes in and out on every call, so one `InferenceSession` (thread
safe for `run`) serves every stream; that keeps a session's memory small.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import onnxruntime
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams

_lock = threading.Lock()
_session: onnxruntime.InferenceSession | None = None
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="voice-vad")


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

    async def cleanup(self) -> None:
        # The executor is shared: leave it running for the other sessions.
        return None


def warm_up() -> None:
    """Load the shared model now (at process start) rather than on the first call."""
    _shared_session()
