"""A local fake of Google Cloud Speech-to-Text v2 and Text-to-Speech v1 streaming over gRPC.

One plain-text gRPC server on 127.0.0.1 (a free port) serves the two RPCs pipecat's
Google services call, under their real method names and with the real request and
response messages of google-cloud-speech / google-cloud-texttospeech:

- ``/google.cloud.speech.v2.Speech/StreamingRecognize``: the first request must carry
  the recognizer and a StreamingRecognitionConfig, every later one only audio. The fake
  endpoints the LINEAR16 audio by energy (speech, then ``endpoint_secs`` of silence) and
  answers each utterance with interim results that reveal the scripted transcript word by
  word, then a final result, as Google's endpointing does.
- ``/google.cloud.texttospeech.v1.TextToSpeech/StreamingSynthesize``: the first request
  must carry a StreamingSynthesizeConfig (a Chirp 3 HD or Journey voice, PCM audio), the
  later ones text. Each text is answered with :func:`synthesized_pcm` in 100 ms chunks.

Bad requests are refused with the status the real service uses (INVALID_ARGUMENT), and a
test can make the next calls fail with any status. Every call is recorded for the test.

    with FakeGoogleSpeech(transcripts=["find a bluetooth speaker"]) as speech:
        stt = create_stt(settings_with(google_speech_endpoint=speech.endpoint))
"""

from __future__ import annotations

import math
import re
import struct
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud import texttospeech_v1 as tts
from google.cloud.speech_v2.types import cloud_speech
from google.protobuf import duration_pb2

RECOGNIZE_METHOD = "/google.cloud.speech.v2.Speech/StreamingRecognize"
SYNTHESIZE_METHOD = "/google.cloud.texttospeech.v1.TextToSpeech/StreamingSynthesize"

_RECOGNIZER_RE = re.compile(r"^projects/([^/]+)/locations/([^/]+)/recognizers/([^/]+)$")
_STREAMING_VOICE_RE = re.compile(r"^([a-z]{2,3}-[A-Z]{2})-(Chirp3-HD|Journey)-[A-Za-z]+$")
MAX_AUDIO_BYTES_PER_REQUEST = 25 * 1024  # Speech v2 streaming quota: 25 KB of audio per request
DEFAULT_TTS_SAMPLE_RATE = 24000  # what Google uses when sample_rate_hertz is unset
TTS_SECONDS_PER_CHARACTER = 0.05
TTS_CHUNK_SECONDS = 0.1


class _Refusal(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RecognizeCall:
    """One StreamingRecognize stream as the fake saw it."""

    recognizer: str
    config: cloud_speech.StreamingRecognitionConfig
    metadata: dict[str, str]
    audio: bytearray = field(default_factory=bytearray)
    results: list[cloud_speech.StreamingRecognitionResult] = field(default_factory=list)

    @property
    def sample_rate(self) -> int:
        return self.config.config.explicit_decoding_config.sample_rate_hertz


@dataclass
class SynthesizeCall:
    """One StreamingSynthesize stream as the fake saw it."""

    config: tts.StreamingSynthesizeConfig
    metadata: dict[str, str]
    texts: list[str] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)

    @property
    def sample_rate(self) -> int:
        return self.config.streaming_audio_config.sample_rate_hertz or DEFAULT_TTS_SAMPLE_RATE


def pcm_rms(pcm: bytes) -> float:
    """Root mean square of little-endian 16-bit mono PCM (0.0 for no samples)."""
    count = len(pcm) // 2
    if count == 0:
        return 0.0
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    return math.sqrt(sum(s * s for s in samples) / count)


def synthesized_pcm(text: str, sample_rate: int) -> bytes:
    """The fake's speech for ``text``: a 220 Hz tone, 50 ms per character, 16-bit mono PCM.

    Deterministic, so a test can compare the audio a TTS service delivers byte for byte.
    """
    count = max(1, round(len(text.strip()) * TTS_SECONDS_PER_CHARACTER * sample_rate))
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / sample_rate))) for i in range(count)
    )


def _offset(seconds: float) -> duration_pb2.Duration:
    whole = int(seconds)
    return duration_pb2.Duration(seconds=whole, nanos=round((seconds - whole) * 1e9))


class Endpointer:
    """Splits a LINEAR16 stream into utterances: speech, then ``endpoint_secs`` of silence.

    Audio is judged in 20 ms windows whatever the chunk size; a window is speech when its
    RMS exceeds ``threshold``. ``feed`` returns the events the new audio caused, in order:
    ``("progress", voiced_seconds, audio_seconds)`` each time another window of speech is
    heard, and ``("end", voiced_seconds, audio_seconds)`` when an utterance is over.
    """

    def __init__(self, sample_rate: int, *, endpoint_secs: float = 0.4, threshold: float = 300.0) -> None:
        self.window_bytes = max(2, int(sample_rate * 0.02) * 2)
        self.window_secs = self.window_bytes / 2 / sample_rate
        self.endpoint_secs = endpoint_secs
        self.threshold = threshold
        self._pending = b""
        self._audio_secs = 0.0
        self._voiced_secs = 0.0
        self._silence_secs = 0.0

    @property
    def in_utterance(self) -> bool:
        return self._voiced_secs > 0

    def feed(self, pcm: bytes) -> list[tuple[str, float, float]]:
        events: list[tuple[str, float, float]] = []
        self._pending += pcm
        while len(self._pending) >= self.window_bytes:
            window, self._pending = self._pending[: self.window_bytes], self._pending[self.window_bytes :]
            self._audio_secs += self.window_secs
            if pcm_rms(window) > self.threshold:
                self._voiced_secs += self.window_secs
                self._silence_secs = 0.0
                events.append(("progress", self._voiced_secs, self._audio_secs))
            elif self.in_utterance:
                self._silence_secs += self.window_secs
                if self._silence_secs >= self.endpoint_secs:
                    events.append(self.finish())
        return events

    def finish(self) -> tuple[str, float, float]:
        """End the current utterance now (the client closed its side of the stream)."""
        event = ("end", self._voiced_secs, self._audio_secs)
        self._voiced_secs = 0.0
        self._silence_secs = 0.0
        return event


def validate_recognize_config(request: cloud_speech.StreamingRecognizeRequest) -> None:
    """Refuse a first StreamingRecognize request the real service would refuse."""
    if not _RECOGNIZER_RE.match(request.recognizer):
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid recognizer name {request.recognizer!r}.")
    if "streaming_config" not in request or request.audio:
        raise _Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            "The first StreamingRecognizeRequest must contain streaming_config and no audio.",
        )
    config = request.streaming_config.config
    if request.recognizer.endswith("/recognizers/_"):
        if not config.model:
            raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "Recognizer `_` requires config.model.")
        if not config.language_codes:
            raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "Recognizer `_` requires config.language_codes.")
    decoding = config.explicit_decoding_config
    if "explicit_decoding_config" not in config:
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "The fake only decodes explicit LINEAR16 audio.")
    if decoding.encoding != cloud_speech.ExplicitDecodingConfig.AudioEncoding.LINEAR16:
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, f"Unsupported encoding {decoding.encoding.name}.")
    if not 8000 <= decoding.sample_rate_hertz <= 48000:
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "sample_rate_hertz must be within [8000, 48000].")
    if decoding.audio_channel_count not in (0, 1):
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "The fake only decodes mono audio.")


def validate_synthesize_config(request: tts.StreamingSynthesizeRequest) -> None:
    """Refuse a first StreamingSynthesize request the real service would refuse."""
    if "streaming_config" not in request:
        raise _Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            "The first StreamingSynthesizeRequest must contain streaming_config.",
        )
    voice = request.streaming_config.voice
    match = _STREAMING_VOICE_RE.match(voice.name)
    if not match:
        raise _Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"Voice {voice.name!r} does not support streaming synthesis (Chirp 3 HD and Journey only).",
        )
    if voice.language_code and voice.language_code.lower() != match.group(1).lower():
        raise _Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"Voice {voice.name!r} does not speak language {voice.language_code!r}.",
        )
    audio = request.streaming_config.streaming_audio_config
    if audio.audio_encoding != tts.AudioEncoding.PCM:
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "The fake only streams PCM audio.")
    if audio.sample_rate_hertz and not 8000 <= audio.sample_rate_hertz <= 48000:
        raise _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "sample_rate_hertz must be within [8000, 48000].")


def _interim_text(words: list[str], voiced_secs: float) -> str:
    """The words an interim result shows after ``voiced_secs`` of speech: one per 0.3 s, never all."""
    shown = min(len(words) - 1, int(voiced_secs / 0.3))
    return " ".join(words[:shown])


def _first_request(requests: Iterator[Any]) -> Any:
    """The stream's first request, or None when the client closed or cancelled before sending one."""
    try:
        return next(requests, None)
    except grpc.RpcError:
        return None


class FakeGoogleSpeech:
    """Google STT v2 StreamingRecognize and TTS v1 StreamingSynthesize on one local gRPC port."""

    def __init__(self, transcripts: Iterable[str] = (), *, endpoint_secs: float = 0.4) -> None:
        self.transcripts: deque[str] = deque(transcripts)
        self.endpoint_secs = endpoint_secs
        self.recognize_calls: list[RecognizeCall] = []
        self.synthesize_calls: list[SynthesizeCall] = []
        self.refusals: list[tuple[str, grpc.StatusCode, str]] = []
        self._failures: dict[str, deque[tuple[grpc.StatusCode, str]]] = {
            RECOGNIZE_METHOD: deque(),
            SYNTHESIZE_METHOD: deque(),
        }
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """``host:port`` to give the client as its api_endpoint."""
        return f"127.0.0.1:{self.port}"

    def fail_next(self, method: str, code: grpc.StatusCode, message: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``code`` once their config arrives."""
        with self._lock:
            self._failures[method].extend([(code, message)] * times)

    def start(self) -> FakeGoogleSpeech:
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="fake-google-speech")
        )
        recognize = grpc.stream_stream_rpc_method_handler(
            self._streaming_recognize,
            request_deserializer=cloud_speech.StreamingRecognizeRequest.deserialize,
            response_serializer=cloud_speech.StreamingRecognizeResponse.serialize,
        )
        synthesize = grpc.stream_stream_rpc_method_handler(
            self._streaming_synthesize,
            request_deserializer=tts.StreamingSynthesizeRequest.deserialize,
            response_serializer=tts.StreamingSynthesizeResponse.serialize,
        )
        server.add_generic_rpc_handlers(
            (
                grpc.method_handlers_generic_handler(
                    "google.cloud.speech.v2.Speech", {"StreamingRecognize": recognize}
                ),
                grpc.method_handlers_generic_handler(
                    "google.cloud.texttospeech.v1.TextToSpeech", {"StreamingSynthesize": synthesize}
                ),
            )
        )
        self.port = server.add_insecure_port("127.0.0.1:0")
        if not self.port:
            raise RuntimeError("could not bind the fake Google speech server to 127.0.0.1")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None

    def __enter__(self) -> FakeGoogleSpeech:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- handlers (run on the server's worker threads) --------------------------------------

    def _refuse(self, context: grpc.ServicerContext, method: str, refusal: _Refusal) -> None:
        with self._lock:
            self.refusals.append((method, refusal.code, refusal.message))
        context.abort(refusal.code, refusal.message)

    def _scripted_failure(self, method: str) -> _Refusal | None:
        with self._lock:
            queue = self._failures[method]
            return _Refusal(*queue.popleft()) if queue else None

    def _streaming_recognize(
        self, requests: Iterator[cloud_speech.StreamingRecognizeRequest], context: grpc.ServicerContext
    ) -> Iterator[cloud_speech.StreamingRecognizeResponse]:
        first = _first_request(requests)
        if first is None:
            return
        try:
            validate_recognize_config(first)
            failure = self._scripted_failure(RECOGNIZE_METHOD)
            if failure:
                raise failure
        except _Refusal as refusal:
            self._refuse(context, RECOGNIZE_METHOD, refusal)
            return
        call = RecognizeCall(first.recognizer, first.streaming_config, dict(context.invocation_metadata()))
        with self._lock:
            self.recognize_calls.append(call)
        endpointer = Endpointer(call.sample_rate, endpoint_secs=self.endpoint_secs)
        interim = call.config.streaming_features.interim_results
        language = (list(call.config.config.language_codes) or ["en-US"])[0].lower()
        words: list[str] = []
        last_interim = ""
        try:
            for request in requests:
                if "streaming_config" in request or not request.audio:
                    self._refuse(
                        context,
                        RECOGNIZE_METHOD,
                        _Refusal(
                            grpc.StatusCode.INVALID_ARGUMENT,
                            "Every StreamingRecognizeRequest after the first must contain only audio.",
                        ),
                    )
                    return
                if len(request.audio) > MAX_AUDIO_BYTES_PER_REQUEST:
                    self._refuse(
                        context,
                        RECOGNIZE_METHOD,
                        _Refusal(grpc.StatusCode.INVALID_ARGUMENT, "Audio chunk exceeds 25 KB per request."),
                    )
                    return
                call.audio += request.audio
                for kind, voiced, at in endpointer.feed(request.audio):
                    if not words:
                        words = self._next_transcript().split()
                    if not words:
                        continue  # speech nobody scripted: Google would hear noise and say nothing
                    if kind == "progress" and interim:
                        text = _interim_text(words, voiced)
                        if text and text != last_interim:
                            last_interim = text
                            yield self._result(call, text, False, at, language)
                    elif kind == "end":
                        yield self._result(call, " ".join(words), True, at, language)
                        words, last_interim = [], ""
        except grpc.RpcError:
            return  # the client cancelled the stream (pipecat does so when the pipeline ends)
        if words and endpointer.in_utterance:
            _, _, at = endpointer.finish()
            yield self._result(call, " ".join(words), True, at, language)

    def _next_transcript(self) -> str:
        with self._lock:
            return self.transcripts.popleft() if self.transcripts else ""

    def _result(
        self, call: RecognizeCall, text: str, is_final: bool, at_secs: float, language: str
    ) -> cloud_speech.StreamingRecognizeResponse:
        result = cloud_speech.StreamingRecognitionResult(
            alternatives=[
                cloud_speech.SpeechRecognitionAlternative(
                    transcript=text, confidence=0.93 if is_final else 0.0
                )
            ],
            is_final=is_final,
            stability=0.0 if is_final else 0.9,
            result_end_offset=_offset(at_secs),
            language_code=language,
        )
        with self._lock:
            call.results.append(result)
        response = cloud_speech.StreamingRecognizeResponse(results=[result])
        if is_final:
            response.metadata = cloud_speech.RecognitionResponseMetadata(
                total_billed_duration=_offset(math.ceil(at_secs))
            )
        return response

    def _streaming_synthesize(
        self, requests: Iterator[tts.StreamingSynthesizeRequest], context: grpc.ServicerContext
    ) -> Iterator[tts.StreamingSynthesizeResponse]:
        first = _first_request(requests)
        if first is None:
            return
        try:
            validate_synthesize_config(first)
            failure = self._scripted_failure(SYNTHESIZE_METHOD)
            if failure:
                raise failure
        except _Refusal as refusal:
            # Read the client's last requests first: grpc-aio clients may report a status that
            # arrives while they are still writing as INTERNAL (grpc/grpc#36066), and a TTS
            # client sends only a config and a text before it half-closes.
            for _ in requests:
                pass
            self._refuse(context, SYNTHESIZE_METHOD, refusal)
            return
        call = SynthesizeCall(first.streaming_config, dict(context.invocation_metadata()))
        with self._lock:
            self.synthesize_calls.append(call)
        chunk = int(call.sample_rate * TTS_CHUNK_SECONDS) * 2
        try:
            for request in requests:
                text = request.input.text or request.input.markup
                if "streaming_config" in request or not text.strip():
                    self._refuse(
                        context,
                        SYNTHESIZE_METHOD,
                        _Refusal(
                            grpc.StatusCode.INVALID_ARGUMENT,
                            "Every StreamingSynthesizeRequest after the first must contain non-empty input.",
                        ),
                    )
                    return
                audio = synthesized_pcm(text, call.sample_rate)
                with self._lock:
                    call.texts.append(text)
                    call.audio += audio
                for offset in range(0, len(audio), chunk):
                    yield tts.StreamingSynthesizeResponse(audio_content=audio[offset : offset + chunk])
        except grpc.RpcError:
            return


def fake_service_account_info(project_id: str = "demo-voice-shopper") -> dict[str, Any]:
    """A service-account key file's content, with a freshly generated RSA key Google never saw."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    email = f"voice-runtime@{project_id}.iam.gserviceaccount.com"
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "0" * 40,
        "private_key": pem,
        "client_email": email,
        "client_id": "100000000000000000000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
