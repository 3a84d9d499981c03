"""Offline STT and TTS on real audio: Whisper hears Piper/espeak-ng speech; Piper/espeak speak.

The WAVs in tests/fixtures/audio were made by Piper (en_US-joe-medium) and
espeak-ng (tests/fixtures/audio/make_fixtures.py). The STT test drives the
real IncrementalWhisperSTTService with 20 ms audio frames and VAD frames, as
the transport would.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest
from pipecat.frames.frames import (
    InputAudioRawFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.worker import PipelineParams
from pipecat.tests.utils import SleepFrame, run_test

from shopper_core.understanding import understand
from voice_runtime.services import create_stt, create_tts

AUDIO = Path(__file__).resolve().parents[2] / "fixtures" / "audio"


def read_pcm(name: str) -> bytes:
    with wave.open(str(AUDIO / name)) as reader:
        assert reader.getframerate() == 16000 and reader.getnchannels() == 1
        return reader.readframes(reader.getnframes())


def utterance_frames(pcm: bytes, *, realtime: bool) -> list:
    chunk = 640  # 20 ms at 16 kHz
    audio = pcm + bytes(int(0.3 * 16000) * 2)
    frames: list = [VADUserStartedSpeakingFrame(start_secs=0.2)]
    for offset in range(0, len(audio), chunk):
        frames.append(
            InputAudioRawFrame(audio=audio[offset : offset + chunk], sample_rate=16000, num_channels=1)
        )
        if realtime:
            frames.append(SleepFrame(0.02))
    frames += [VADUserStoppedSpeakingFrame(stop_secs=0.3), SleepFrame(3.0)]
    return frames


class Offline:
    stt_provider = "whisper"
    tts_provider = "piper"
    llm_provider = "dialogue"
    whisper_model_dir = None
    piper_voice_dir = None


@pytest.mark.parametrize("name", ["find_speaker_under_50_joe.wav", "find_speaker_under_50_espeak.wav"])
async def test_whisper_transcribes_a_spoken_search_that_the_engine_understands(name):
    stt = create_stt(Offline())
    down, _ = await run_test(
        stt,
        frames_to_send=utterance_frames(read_pcm(name), realtime=False),
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )
    transcripts = [f for f in down if isinstance(f, TranscriptionFrame)]
    assert len(transcripts) == 1 and transcripts[0].finalized
    text = transcripts[0].text.lower()
    for word in ("find", "bluetooth", "speaker", "under", "50"):
        assert word in text
    understood = understand(transcripts[0].text)
    assert understood.intent == "search" and understood.search is not None
    assert understood.search.query == "bluetooth speaker" and understood.search.filters.max_price == 50.0


async def test_whisper_in_real_time_finishes_from_its_speculation():
    stt = create_stt(Offline())
    down, _ = await run_test(
        stt,
        frames_to_send=utterance_frames(read_pcm("save_second_one_joe.wav"), realtime=True),
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )
    transcripts = [f.text for f in down if isinstance(f, TranscriptionFrame)]
    assert transcripts and "second one" in transcripts[0].lower()
    assert stt.last_utterance is not None and stt.last_utterance.speculative_hit


async def test_silence_gives_no_transcript():
    stt = create_stt(Offline())
    down, _ = await run_test(
        stt,
        frames_to_send=utterance_frames(bytes(16000 * 2), realtime=False),
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )
    assert not [f for f in down if isinstance(f, TranscriptionFrame)]


@pytest.mark.parametrize("provider", ["piper", "espeak"])
async def test_tts_speaks_24khz_audio(provider):
    if provider == "espeak" and not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng not installed")

    class Settings(Offline):
        tts_provider = provider

    tts = create_tts(Settings())
    down, _ = await run_test(
        tts,
        frames_to_send=[TTSSpeakFrame("I found three speakers. The top one is the JBL Go 3.")],
        pipeline_params=PipelineParams(audio_out_sample_rate=24000),
    )
    audio = [f for f in down if isinstance(f, TTSAudioRawFrame)]
    assert audio and all(f.sample_rate == 24000 for f in audio)
    seconds = sum(len(f.audio) for f in audio) / 2 / 24000
    assert 1.5 < seconds < 8.0


def test_piper_falls_back_to_espeak_when_the_voice_is_missing(tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng not installed")

    class Broken(Offline):
        piper_voice_dir = str(tmp_path)

    from voice_runtime.services.espeak_tts import EspeakTTSService

    assert isinstance(create_tts(Broken()), EspeakTTSService)


def test_the_opening_of_a_long_reply_is_cut_short_before_a_preposition():
    from voice_runtime.services.piper_tts import split_first_piece

    assert split_first_piece("Looking for bluetooth speakers under 50 dollars.") == [
        "Looking for bluetooth speakers",
        "under 50 dollars.",
    ]
    assert split_first_piece("I found 5 options.") == ["I found 5 options."]
    # No natural place to cut within the first words: the clause stays whole.
    whole = "Saved the JBL Go 3 Portable Bluetooth Speaker to your list."
    assert split_first_piece(whole) == [whole]


def test_phrase_cache_keeps_recent_phrases_within_its_byte_bound():
    from voice_runtime.services.piper_tts import PhraseCache

    voice = object()
    cache = PhraseCache(max_bytes=10, max_words=3)
    cache.put(voice, "One moment.", b"x" * 6)
    cache.put(voice, "Let me check.", b"y" * 6)  # pushes the older phrase out
    cache.put(voice, "This sentence is too long to keep.", b"z")
    assert cache.get(voice, "One moment.") is None
    assert cache.get(voice, "Let  me check.") == b"y" * 6  # spacing does not matter
    assert cache.get(voice, "This sentence is too long to keep.") is None
    assert cache.size_bytes == 6 and len(cache) == 1


async def test_piper_says_a_phrase_said_before_from_ready_audio(monkeypatch):
    import voice_runtime.services.piper_tts as piper_module
    from voice_runtime.models import get_piper_voice

    voice = get_piper_voice()
    cache = piper_module.PhraseCache()
    assert piper_module.warm_phrases(voice, ["One moment."], cache) == 1
    synthesised: list[str] = []
    real = piper_module.synthesize_pcm

    def counting(v, text):
        synthesised.append(text)
        return real(v, text)

    monkeypatch.setattr(piper_module, "synthesize_pcm", counting)
    down, _ = await run_test(
        piper_module.PiperTTSService(voice=voice, cache=cache),
        frames_to_send=[TTSSpeakFrame("One moment.")],
        pipeline_params=PipelineParams(audio_out_sample_rate=24000),
    )
    assert synthesised == []  # the audio was ready
    audio = [f for f in down if isinstance(f, TTSAudioRawFrame)]
    assert audio and sum(len(f.audio) for f in audio) / 2 / 24000 > 0.4


def test_the_fixed_phrases_warmed_at_start_include_the_greeting_and_fillers():
    from voice_runtime.bot import GREETING
    from voice_runtime.services import fixed_phrases
    from voice_runtime.services.tool_schemas import FILLERS

    phrases = fixed_phrases()
    assert GREETING in phrases
    assert set(FILLERS.values()) <= set(phrases)
    assert not [p for p in phrases if "{" in p or not p.endswith((".", "!", "?"))]


def _job(name: str, order: list[str], release=None):
    def run() -> str:
        if release is not None:
            release.wait(5)
        order.append(name)
        return name

    return run


def _wait_running(queue, count: int) -> None:
    import time

    deadline = time.monotonic() + 5
    while queue._running < count:
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_the_inference_queue_runs_one_at_a_time_finals_first_and_declines_guesses_when_busy():
    import threading

    from voice_runtime.inference import AHEAD, FINAL, SPECULATIVE, InferenceQueue

    queue = InferenceQueue(1)
    release = threading.Event()
    order: list[str] = []
    running = queue.submit(_job("first", order, release), FINAL)
    _wait_running(queue, 1)
    # Busy: a speculation is declined; a stale guess that was queued is cancelled unrun.
    assert queue.submit(_job("guess", order), SPECULATIVE) is None
    rest_of_reply = queue.submit(_job("rest of a reply", order), AHEAD)
    later = queue.submit(_job("second", order), FINAL)
    stale = queue.submit(_job("third", order), FINAL)
    assert stale is not None and stale.cancel()
    release.set()
    assert rest_of_reply.result(5) and later.result(5) == "second" and running.result(5) == "first"
    # A final that came later still went before the reply's later audio.
    assert order == ["first", "second", "rest of a reply"]
    # Idle again: a speculation is queued and runs.
    idle_guess = queue.submit(_job("guess", order), SPECULATIVE)
    assert idle_guess is not None and idle_guess.result(5) == "guess"


def test_a_two_wide_queue_runs_two_at_once_and_guesses_only_while_a_worker_is_free():
    import threading

    from voice_runtime.inference import FINAL, SPECULATIVE, InferenceQueue

    queue = InferenceQueue(2)
    release = threading.Event()
    order: list[str] = []
    one = queue.submit(_job("one", order, release), FINAL)
    _wait_running(queue, 1)
    # One worker free: a guess is taken, and runs beside the first decode.
    guess = queue.submit(_job("guess", order, release), SPECULATIVE)
    assert guess is not None
    _wait_running(queue, 2)
    assert queue.depth == 2
    # Both taken: the next guess is declined, a final waits for the first free worker.
    assert queue.submit(_job("late guess", order), SPECULATIVE) is None
    final = queue.submit(_job("final", order), FINAL)
    assert queue.depth == 3 and not final.running()
    release.set()
    assert one.result(5) == "one" and guess.result(5) == "guess" and final.result(5) == "final"
    assert queue.declined == 1


async def test_piper_on_the_shared_queue_puts_a_reply_first_piece_beside_the_finals():
    from voice_runtime.inference import AHEAD, FINAL, InferenceQueue
    from voice_runtime.models import get_piper_voice
    from voice_runtime.services.piper_tts import PiperTTSService

    class Recording(InferenceQueue):
        def __init__(self) -> None:
            super().__init__(2)
            self.priorities: list[int] = []

        def submit(self, work, priority=FINAL):
            self.priorities.append(priority)
            return super().submit(work, priority)

    queue = Recording()
    tts = PiperTTSService(voice=get_piper_voice(), cache=None, queue=queue)
    text = "I found three speakers under fifty dollars, the top one is the JBL Go 3 in black."
    assert len(tts.plan(text)) >= 2
    down, _ = await run_test(
        tts, frames_to_send=[TTSSpeakFrame(text)], pipeline_params=PipelineParams(audio_out_sample_rate=24000)
    )
    assert queue.priorities[0] == FINAL and set(queue.priorities[1:]) == {AHEAD}
    seconds = sum(len(f.audio) for f in down if isinstance(f, TTSAudioRawFrame)) / 2 / 24000
    assert seconds > 2.0


async def test_two_sessions_finals_decode_at_once_on_two_single_thread_decoders():
    import asyncio

    from voice_runtime.services.whisper_stt import pcm16_to_float

    class TwoDecoders(Offline):
        whisper_cpu_threads = 1
        whisper_decoders = 2

    stt = create_stt(TwoDecoders())
    engine = stt._engine
    assert engine.queue.width == 2
    audio = [pcm16_to_float(read_pcm(n)) for n in ("save_second_one_joe.wav", "cheaper_in_black_joe.wav")]
    futures = [engine.decode(a) for a in audio]
    assert engine.queue.depth == 2  # neither waits for the other
    texts = [r.text.lower() for r in await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))]
    assert "second one" in texts[0] and "black" in texts[1]
