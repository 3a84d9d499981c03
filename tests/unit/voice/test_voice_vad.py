"""The shared Silero VAD decides exactly as pipecat's own analyzer, and skips the model on silence.

Real speech (the Piper and espeak-ng fixtures) with pauses between utterances
goes through pipecat's stock `SileroVADAnalyzer` and through ours in the
frames the transport delivers (32 ms from the web client, 20 ms from others);
the VAD state after every frame must be the same, under a quiet microphone and
a noisy one.
"""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest
from pipecat.audio.utils import calculate_audio_volume
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams, VADState

from voice_runtime.vad import SharedSileroVADAnalyzer, quiet_energy

AUDIO = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
PARAMS = VADParams(confidence=0.6, start_secs=0.1, stop_secs=0.25, min_volume=0.4)
PAUSE = bytes(16000 * 2)  # one second of listening


def conversation(noise_dbfs: float | None) -> bytes:
    pcm = PAUSE
    for name in ("find_speaker_under_50_joe.wav", "save_second_one_espeak.wav", "goodbye_joe.wav"):
        with wave.open(str(AUDIO / name)) as reader:
            pcm += reader.readframes(reader.getnframes()) + PAUSE
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    if noise_dbfs is not None:
        samples += np.random.default_rng(7).normal(0, 32768 * 10 ** (noise_dbfs / 20), len(samples))
    return np.clip(samples, -32768, 32767).astype(np.int16).tobytes()


async def states(analyzer: SileroVADAnalyzer, pcm: bytes, frame: int = 1024) -> list[VADState]:
    analyzer.set_sample_rate(16000)
    return [await analyzer.analyze_audio(pcm[i : i + frame]) for i in range(0, len(pcm), frame)]


@pytest.mark.parametrize("frame", [1024, 640])
@pytest.mark.parametrize("noise_dbfs", [None, -85.0, -60.0])
async def test_decisions_match_pipecats_analyzer_frame_by_frame(noise_dbfs, frame):
    pcm = conversation(noise_dbfs)
    stock = await states(SileroVADAnalyzer(params=PARAMS), pcm, frame)
    ours_analyzer = SharedSileroVADAnalyzer(params=PARAMS)
    ours = await states(ours_analyzer, pcm, frame)

    assert ours == stock
    pairs = itertools.pairwise(stock)
    assert sum(1 for a, b in pairs if a == VADState.STARTING and b == VADState.SPEAKING) == 3
    if noise_dbfs == -60.0:  # a noisy room: nothing is quiet enough to skip
        assert ours_analyzer.windows_skipped < ours_analyzer.windows * 0.1
    else:  # the pauses (a third of this audio) skip the model
        assert ours_analyzer.windows_skipped > ours_analyzer.windows * 0.25


async def test_min_volume_zero_never_skips_the_model():
    analyzer = SharedSileroVADAnalyzer(params=VADParams(min_volume=0.0))
    await states(analyzer, PAUSE)
    assert analyzer.windows > 0 and analyzer.windows_skipped == 0


@pytest.mark.parametrize("hz", [200, 1000, 3000, 6000, 7900])
def test_audio_just_under_the_skip_threshold_measures_as_silence_in_pipecat(hz):
    # K-weighting boosts high frequencies most; even there pipecat's loudness reads volume 0.
    samples = 6400  # the 400 ms loudness window
    tone = np.sin(np.arange(samples) * 2 * np.pi * hz / 16000)
    tone *= np.sqrt(0.99 * quiet_energy(samples) / float(np.dot(tone, tone)))
    pcm = np.round(tone).astype(np.int16).tobytes()
    assert calculate_audio_volume(pcm, 16000) == 0.0
