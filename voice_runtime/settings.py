"""Configuration of the voice runtime, read once from the environment.

Every knob the voice container has lives in this one class. Production values
arrive as environment variables (Secret Manager secrets are mounted as env vars
by Terraform); the defaults run fully offline beside the local functions.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_SECRET_PREFIX = "local-dev-"


class VoiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["local", "production"] = "local"
    project_id: str = Field("demo-voice-shopper", validation_alias="GOOGLE_CLOUD_PROJECT")
    port: int = 8000
    # Prometheus /metrics on its own port, never on the public one (Cloud Run routes only
    # PORT): a sidecar collector scrapes it on localhost. None serves /metrics on the app
    # (local runs and tests); production requires it.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    log_level: str = "INFO"

    # Providers: offline defaults, Google/Gemini in production.
    stt_provider: Literal["whisper", "google"] = "whisper"
    tts_provider: Literal["piper", "espeak", "google"] = "piper"
    llm_provider: Literal["dialogue", "gemini"] = "dialogue"

    # Offline models (baked into the image by `python -m voice_runtime.models`).
    whisper_model_dir: str | None = None
    whisper_compute_type: str = "int8"
    # Whisper decodes at once (the width of the process's inference queue, voice_runtime/inference.py)
    # and CTranslate2 threads per decode (0: faster-whisper's default, 4). Two single-thread decoders
    # on a 2-core instance, with Piper on the same queue: back to back on a loaded machine they held
    # 8 offline sessions in one run of three, one 4-thread decoder in none; weak evidence, see
    # bench/results/voice_concurrency_offline.md.
    whisper_decoders: int = Field(default=2, ge=1, le=8)
    whisper_cpu_threads: int = Field(default=1, ge=0, le=16)
    # Piper's syntheses on that queue, in one priority order with the decodes (a reply's first piece
    # beside the finals, ahead of speculative decodes); False: on their own executor beside them.
    tts_shares_inference_queue: bool = True
    # Beam 2 over greedy: WER 9.0% -> 6.6% on bench/voice_wer.py's dev set (held-out: 14.7%; beam 3 and 5
    # no better on dev, bench/results/voice_wer.md).
    whisper_beam_size: int = Field(default=2, ge=1, le=5)
    piper_voice_dir: str | None = None
    piper_voice: str = "en_US-joe-medium"
    # Synthesise the fixed phrases (greeting, fillers, thanks) at start, so they play at once.
    tts_warm_phrases: bool = True
    # A reply's long opening clause is cut before a preposition within this many words (0: never).
    tts_first_piece_words: int = Field(default=6, ge=0, le=20)

    # Gemini and Google speech (endpoints are overridable so tests can point them at fakes).
    gemini_api_key: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash"
    google_api_base: str | None = None
    google_speech_endpoint: str | None = None

    # Turn taking.
    # Stop: the silence that ends a turn (latency floor). Start: how fast barge-in reacts;
    # 0.1 s at confidence 0.6 stops the bot within about 200 ms of the user's first sound.
    vad_stop_secs: float = 0.25
    vad_start_secs: float = 0.1
    vad_confidence: float = 0.6
    vad_min_volume: float = 0.4
    user_speech_timeout_s: float = 0.0
    smart_turn: bool = False
    audio_in_sample_rate: int = 16000
    audio_out_sample_rate: int = 24000

    # Tools and the functions API.
    functions_base_url: str = "http://127.0.0.1:5001"
    functions_timeout_s: float = 10.0
    research_wait_ms: int = 6000
    filler_after_ms: int = 700

    # Secrets (Secret Manager in production).
    pipecat_server_secret: SecretStr = SecretStr(LOCAL_SECRET_PREFIX + "pipecat-secret")
    session_ticket_key: SecretStr = SecretStr(LOCAL_SECRET_PREFIX + "ticket-key")

    # WebSocket sessions.
    allowed_origins: list[str] = []
    # Server processes, one per CPU: a session's pipeline runs on one asyncio loop, and one
    # Python process uses about one core.
    workers: int = Field(default=1, ge=1, le=16)
    max_sessions: int = 60  # per process
    session_timeout_s: int = 30 * 60
    idle_timeout_s: float = 5 * 60
    end_flush_timeout_s: float = 3.0

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("vad_stop_secs", "vad_start_secs")
    @classmethod
    def _sane_vad_window(cls, value: float) -> float:
        if not 0.05 <= value <= 2.0:
            raise ValueError("VAD windows must be between 0.05 and 2 seconds")
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> VoiceSettings:
        if self.environment != "production":
            return self
        for name in ("pipecat_server_secret", "session_ticket_key"):
            if getattr(self, name).get_secret_value().startswith(LOCAL_SECRET_PREFIX):
                raise ValueError(f"{name.upper()} must be set to a real secret in production")
        if self.llm_provider == "gemini" and self.gemini_api_key is None:
            raise ValueError("GEMINI_API_KEY is required when LLM_PROVIDER=gemini")
        if self.metrics_port is None or self.metrics_port == self.port:
            raise ValueError(
                "METRICS_PORT must be set (and differ from PORT) in production: /metrics is not public"
            )
        return self


@lru_cache
def get_settings() -> VoiceSettings:
    return VoiceSettings()
