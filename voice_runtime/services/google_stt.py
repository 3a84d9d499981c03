"""Production STT: Google Cloud Speech-to-Text v2 streaming (pipecat's GoogleSTTService).

Streaming recognition with interim results; Google's endpointing finalises
each utterance, so the STT adds no wait after the VAD stop. Credentials come from the Cloud Run
service account (application default credentials) unless a path is given;
``api_endpoint`` swaps the gRPC endpoint (plain-text on 127.0.0.1, for fakes).
"""

from __future__ import annotations

from typing import Any

from pipecat.services.google.stt import GoogleSTTService
from pipecat.transcriptions.language import Language


def _is_local(endpoint: str) -> bool:
    return endpoint.rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]")


class ShopperGoogleSTTService(GoogleSTTService):
    """GoogleSTTService with an optional endpoint override (used by tests with a fake server)."""

    def __init__(self, *, api_endpoint: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if api_endpoint:
            import grpc
            from google.api_core.client_options import ClientOptions
            from google.cloud import speech_v2
            from google.cloud.speech_v2.services.speech.transports import SpeechGrpcAsyncIOTransport

            if _is_local(api_endpoint):
                transport = SpeechGrpcAsyncIOTransport(channel=grpc.aio.insecure_channel(api_endpoint))
                self._client = speech_v2.SpeechAsyncClient(transport=transport)
            else:
                self._client = speech_v2.SpeechAsyncClient(
                    client_options=ClientOptions(api_endpoint=api_endpoint)
                )


def create_google_stt(
    *,
    location: str = "global",
    model: str = "latest_short",
    credentials: str | None = None,
    credentials_path: str | None = None,
    api_endpoint: str | None = None,
    **kwargs: Any,
) -> GoogleSTTService:
    """The production STT service, English (US), short-utterance model, automatic punctuation."""
    return ShopperGoogleSTTService(
        api_endpoint=api_endpoint,
        credentials=credentials,
        credentials_path=credentials_path,
        location=location,
        settings=GoogleSTTService.Settings(
            languages=[Language.EN_US],
            model=model,
            enable_automatic_punctuation=True,
            enable_interim_results=True,
        ),
        **kwargs,
    )
