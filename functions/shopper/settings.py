"""Configuration of the functions, read once from the environment.

Every knob the functions have lives here. Production values arrive as environment
variables (Secret Manager secrets are mounted as env vars by Terraform); the local
defaults run the whole product on the emulators with no cloud account.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_SECRET_PREFIX = "local-dev-"

# Secrets the functions read; Terraform creates one Secret Manager secret for each.
SECRET_ENV_VARS = (
    "PIPECAT_SERVER_SECRET",
    "SESSION_TICKET_KEY",
    "SERPAPI_API_KEY",
    "GEMINI_API_KEY",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["local", "production"] = "local"
    project_id: str = Field("demo-voice-shopper", validation_alias="GOOGLE_CLOUD_PROJECT")
    region: str = "us-central1"
    firestore_database: str = "(default)"

    # Secrets (Secret Manager in production).
    pipecat_server_secret: SecretStr = SecretStr(LOCAL_SECRET_PREFIX + "pipecat-secret")
    session_ticket_key: SecretStr = SecretStr(LOCAL_SECRET_PREFIX + "ticket-key")
    serpapi_api_key: SecretStr | None = None
    gemini_api_key: SecretStr | None = None

    # HTTP API.
    cors_origins: Annotated[list[str], NoDecode] = ["http://127.0.0.1:5000", "http://localhost:5000"]
    rate_limit_per_minute: int = 100
    # Behind Google's front end the last X-Forwarded-For hop is the client (for the per-IP limit).
    trust_forwarded_for: bool = False
    max_body_bytes: int = 64 * 1024
    session_ticket_ttl_s: int = 300
    voice_ws_url: str = "ws://127.0.0.1:8000/ws"

    # Research: providers, worker and queue.
    research_providers: Annotated[list[str], NoDecode] = ["catalog"]
    provider_timeout_s: float = 3.0
    serpapi_base_url: str = "https://serpapi.com"
    research_worker_url: str = "http://127.0.0.1:5002/"
    tasks_location: str = "us-central1"
    tasks_queue: str = "research"
    tasks_emulator_host: str | None = None
    tasks_invoker_service_account: str | None = None
    research_stale_after_s: int = 120
    research_wait_max_s: float = 8.0

    # Preference learning.
    learner: Literal["offline", "gemini"] = "offline"
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    gemini_timeout_s: float = 30.0
    learning_topic: str = "preference-learning"
    learning_user_topic: str = "preference-learning-user"
    learning_window_days: int = 7
    # A save, dislike or cart signal queues a learning run for its user (shopper.learning.trigger).
    learn_on_signal: bool = True

    log_level: str = "INFO"

    @field_validator("cors_origins", "research_providers", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        missing = [
            name
            for name, value in (
                ("PIPECAT_SERVER_SECRET", self.pipecat_server_secret),
                ("SESSION_TICKET_KEY", self.session_ticket_key),
            )
            if value.get_secret_value().startswith(LOCAL_SECRET_PREFIX) or len(value.get_secret_value()) < 16
        ]
        if "serpapi" in self.research_providers and self.serpapi_api_key is None:
            missing.append("SERPAPI_API_KEY")
        if self.learner == "gemini" and self.gemini_api_key is None:
            missing.append("GEMINI_API_KEY")
        if missing:
            raise ValueError(f"production mode needs these secrets set: {', '.join(missing)}")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
