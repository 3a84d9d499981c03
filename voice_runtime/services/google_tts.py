"""Production TTS: Google Cloud Text-to-Speech streaming (pipecat's GoogleTTSService, Chirp 3 HD).

Credentials come from the Cloud Run service account (application default
credentials) unless ``credentials_path`` is given. ``api_endpoint`` swaps the
gRPC endpoint, e.g. a local fake server in tests (plain-text channel when the
endpoint is on 127.0.0.1 or localhost).
"""

from __future__ import annotations

from typing import Any

from pipecat.services.google.tts import GoogleTTSService
from pipecat.transcriptions.language import Language

DEFAULT_VOICE = "en-US-Chirp3-HD-Charon"


def _is_local(endpoint: str) -> bool:
    host = endpoint.rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]")


class ShopperGoogleTTSService(GoogleTTSService):
    """GoogleTTSService with an optional endpoint override."""

    def __init__(self, *, api_endpoint: str | None = None, **kwargs: Any) -> None:
        self._api_endpoint = api_endpoint
        super().__init__(**kwargs)

    def _create_client(self, credentials: str | None, credentials_path: str | None) -> Any:
        if not self._api_endpoint:
            return super()._create_client(credentials, credentials_path)
        import grpc
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import texttospeech_v1
        from google.cloud.texttospeech_v1.services.text_to_speech.transports import (
            TextToSpeechGrpcAsyncIOTransport,
        )

        if _is_local(self._api_endpoint):
            channel = grpc.aio.insecure_channel(self._api_endpoint)
            transport = TextToSpeechGrpcAsyncIOTransport(channel=channel)
            return texttospeech_v1.TextToSpeechAsyncClient(transport=transport)
        from google.api_core.client_options import ClientOptions

        return texttospeech_v1.TextToSpeechAsyncClient(
            credentials=AnonymousCredentials() if credentials is None else None,
            client_options=ClientOptions(api_endpoint=self._api_endpoint),
        )


def create_google_tts(
    *,
    voice: str = DEFAULT_VOICE,
    credentials_path: str | None = None,
    api_endpoint: str | None = None,
    **kwargs: Any,
) -> GoogleTTSService:
    """The production TTS service (24 kHz output follows the pipeline's audio_out_sample_rate)."""
    return ShopperGoogleTTSService(
        api_endpoint=api_endpoint,
        credentials_path=credentials_path,
        settings=GoogleTTSService.Settings(voice=voice, language=Language.EN_US),
        **kwargs,
    )
