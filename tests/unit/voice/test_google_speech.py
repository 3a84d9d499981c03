"""Production speech providers (pipecat's GoogleSTTService / GoogleTTSService) against a local fake.

The fake (devstack/fakes/fake_google_speech.py) is a gRPC server on 127.0.0.1 speaking
the real Speech-to-Text v2 StreamingRecognize and Text-to-Speech v1
StreamingSynthesize protocols, so the real google-cloud clients and pipecat's
streaming code run end to end. The services are built by the same factory the
runtime uses (``create_stt`` / ``create_tts`` with ``google_speech_endpoint``);
STT finds its project through application default credentials, here a service
account key file generated for the test.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from pipecat.frames.frames import (
    ErrorFrame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.worker import PipelineParams
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.transcriptions.language import Language

from devstack.fakes.fake_google_speech import (
    RECOGNIZE_METHOD,
    SYNTHESIZE_METHOD,
    FakeGoogleSpeech,
    fake_service_account_info,
    synthesized_pcm,
)
from voice_runtime.services import create_stt, create_tts
from voice_runtime.services.google_tts import create_google_tts

AUDIO = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
PROJECT = "demo-voice-shopper"
SPOKEN = "Find a Bluetooth speaker under 50 dollars."
CHUNK = 640  # 20 ms of 16 kHz 16-bit mono, the transport's frame size
# grpc-aio may report a status that ends a stream the client is still writing (pipecat's STT
# writes audio without pause) as INTERNAL "Internal error from Core" (grpc/grpc#36066).
GRPC_AIO_WRITE_RACE = "Internal error from Core"


@pytest.fixture(scope="module")
def service_account_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("google-credentials") / "service-account.json"
    path.write_text(json.dumps(fake_service_account_info(PROJECT)))
    return path


@pytest.fixture
def google_credentials(service_account_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Application default credentials, as Cloud Run gives them, from a generated key file."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_account_file))
    for name in ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "GOOGLE_CLOUD_QUOTA_PROJECT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def speech() -> Iterator[FakeGoogleSpeech]:
    fake = FakeGoogleSpeech(transcripts=[SPOKEN])
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


class Production:
    def __init__(self, endpoint: str) -> None:
        self.stt_provider = "google"
        self.tts_provider = "google"
        self.google_speech_endpoint = endpoint


def read_pcm(name: str) -> bytes:
    with wave.open(str(AUDIO / name)) as reader:
        assert reader.getframerate() == 16000 and reader.getnchannels() == 1
        return reader.readframes(reader.getnframes())


def audio_frames(pcm: bytes) -> list[InputAudioRawFrame]:
    return [
        InputAudioRawFrame(audio=pcm[offset : offset + CHUNK], sample_rate=16000, num_channels=1)
        for offset in range(0, len(pcm), CHUNK)
    ]


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * 16000) * 2)


def reports(error: ErrorFrame, details: str) -> bool:
    """Whether ``error`` carries the fake's status details (or the grpc-aio race's stand-in)."""
    return details in error.error or GRPC_AIO_WRITE_RACE in error.error


def spoken(name: str) -> bytes:
    """A fixture recording with the quiet a microphone hears around it."""
    return silence(0.2) + read_pcm(name) + silence(0.8)


def utterance(pcm: bytes) -> list:
    """What the transport sends while a user says ``pcm``: VAD edges around 20 ms frames."""
    return [
        VADUserStartedSpeakingFrame(start_secs=0.2),
        *audio_frames(pcm),
        VADUserStoppedSpeakingFrame(stop_secs=0.3),
    ]


async def test_google_stt_streams_16khz_audio_and_returns_the_transcript(google_credentials, speech):
    pcm = spoken("find_speaker_under_50_joe.wav")
    down, up = await run_test(
        create_stt(Production(speech.endpoint)),
        frames_to_send=[*utterance(pcm), SleepFrame(2.0)],
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )

    assert not [f for f in up if isinstance(f, ErrorFrame)]
    finals = [f for f in down if isinstance(f, TranscriptionFrame)]
    assert [(f.text, f.finalized, f.language) for f in finals] == [(SPOKEN, True, Language.EN_US)]
    interims = [f for f in down if isinstance(f, InterimTranscriptionFrame)]
    assert interims, "interim results were asked for and sent"
    assert all(SPOKEN.startswith(f.text) and f.text != SPOKEN for f in interims)
    assert down.index(interims[-1]) < down.index(finals[0])

    [call] = speech.recognize_calls
    assert call.recognizer == f"projects/{PROJECT}/locations/global/recognizers/_"
    config = call.config.config
    assert list(config.language_codes) == ["en-US"]
    assert config.model == "latest_short"
    assert config.explicit_decoding_config.encoding.name == "LINEAR16"
    assert config.explicit_decoding_config.sample_rate_hertz == 16000
    assert config.explicit_decoding_config.audio_channel_count == 1
    assert config.features.enable_automatic_punctuation
    assert call.config.streaming_features.interim_results
    assert call.audio == pcm, "every audio frame reached Google, in order, and nothing else"
    assert "gapic/" in call.metadata.get("x-goog-api-client", "")


async def test_google_stt_reports_a_failed_stream_and_recovers_on_the_next(google_credentials, speech):
    speech.fail_next(RECOGNIZE_METHOD, grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable.")
    down, up = await run_test(
        create_stt(Production(speech.endpoint)),
        frames_to_send=[
            *audio_frames(silence(0.1)),
            SleepFrame(1.6),  # pipecat waits 1 s before it opens a new stream
            *utterance(spoken("find_speaker_under_50_joe.wav")),
            SleepFrame(2.0),
        ],
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )

    errors = [f for f in up if isinstance(f, ErrorFrame)]
    assert errors and all(reports(f, "currently unavailable") for f in errors)
    assert not any(f.fatal for f in errors)
    assert [f.text for f in down if isinstance(f, TranscriptionFrame)] == [SPOKEN]
    assert [refusal[:2] for refusal in speech.refusals] == [(RECOGNIZE_METHOD, grpc.StatusCode.UNAVAILABLE)]
    assert len(speech.recognize_calls) == 1


async def test_google_stt_denied_access_is_an_error_frame_not_a_crash(google_credentials, speech):
    message = "Permission 'speech.recognizers.recognize' denied on resource."
    speech.fail_next(RECOGNIZE_METHOD, grpc.StatusCode.PERMISSION_DENIED, message, times=5)
    down, up = await run_test(
        create_stt(Production(speech.endpoint)),
        frames_to_send=[*utterance(spoken("save_second_one_joe.wav")), SleepFrame(0.6)],
        pipeline_params=PipelineParams(audio_in_sample_rate=16000),
    )

    errors = [f for f in up if isinstance(f, ErrorFrame)]
    assert errors and all(reports(f, message) for f in errors)
    assert not [f for f in down if isinstance(f, (TranscriptionFrame, InterimTranscriptionFrame))]
    assert speech.refusals and {r[1] for r in speech.refusals} == {grpc.StatusCode.PERMISSION_DENIED}
    assert speech.recognize_calls == []


@pytest.mark.parametrize("rate", [24000, 16000])
async def test_google_tts_streams_the_fakes_pcm_at_the_output_rate(speech, rate):
    text = "I found three speakers. The top one is the JBL Go 3."
    down, up = await run_test(
        create_tts(Production(speech.endpoint)),
        frames_to_send=[TTSSpeakFrame(text)],
        pipeline_params=PipelineParams(audio_out_sample_rate=rate),
    )

    assert not [f for f in up if isinstance(f, ErrorFrame)]
    audio = [f for f in down if isinstance(f, TTSAudioRawFrame)]
    assert audio and all(f.sample_rate == rate and f.num_channels == 1 for f in audio)
    kinds = [type(f) for f in down]
    assert kinds.index(TTSStartedFrame) < down.index(audio[0])
    assert len(kinds) - 1 - kinds[::-1].index(TTSStoppedFrame) > down.index(audio[-1])

    assert speech.synthesize_calls
    spoken = " ".join(t.strip() for call in speech.synthesize_calls for t in call.texts)
    assert spoken == text
    expected = b"".join(synthesized_pcm(t, rate) for call in speech.synthesize_calls for t in call.texts)
    assert b"".join(f.audio for f in audio) == expected
    for call in speech.synthesize_calls:
        assert call.config.voice.name == "en-US-Chirp3-HD-Charon"
        assert call.config.voice.language_code == "en-US"
        assert call.config.streaming_audio_config.audio_encoding.name == "PCM"
        assert call.config.streaming_audio_config.sample_rate_hertz == rate


async def test_google_tts_outage_is_an_error_frame_and_the_next_sentence_is_spoken(speech):
    speech.fail_next(SYNTHESIZE_METHOD, grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable.")
    down, up = await run_test(
        # pipecat closes a sentence that got no audio after stop_frame_timeout_s (3 s by default)
        create_tts(Production(speech.endpoint), stop_frame_timeout_s=0.5),
        frames_to_send=[TTSSpeakFrame("Sorry, one moment."), SleepFrame(0.3), TTSSpeakFrame("Here it is.")],
        pipeline_params=PipelineParams(audio_out_sample_rate=24000),
    )

    errors = [f for f in up if isinstance(f, ErrorFrame)]
    assert errors and "currently unavailable" in errors[0].error and not any(f.fatal for f in errors)
    assert [t for call in speech.synthesize_calls for t in call.texts] == ["Here it is."]
    audio = b"".join(f.audio for f in down if isinstance(f, TTSAudioRawFrame))
    assert audio == synthesized_pcm("Here it is.", 24000)


async def test_google_tts_with_a_voice_that_cannot_stream_is_an_error_frame(speech):
    tts = create_google_tts(voice="en-US-Standard-C", api_endpoint=speech.endpoint, stop_frame_timeout_s=0.5)
    down, up = await run_test(
        tts,
        frames_to_send=[TTSSpeakFrame("Hello there.")],
        pipeline_params=PipelineParams(audio_out_sample_rate=24000),
    )

    errors = [f for f in up if isinstance(f, ErrorFrame)]
    assert errors and "does not support streaming" in errors[0].error
    assert not [f for f in down if isinstance(f, TTSAudioRawFrame)]
    assert speech.refusals and speech.refusals[0][1] == grpc.StatusCode.INVALID_ARGUMENT
