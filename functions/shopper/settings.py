"""Configuration of the functions, read once from the environment.

Every knob the functions have lives here. Production values arrive as environment
variables (Secret Manager secrets are mounted as env vars by Terraform); the local
defaults run the whole product on the emulators with no cloud account.
"""

from __future__ import annotations

import json
import os
import secrets
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

Workload = Literal["api", "research_worker", "preference_scheduler", "preference_learner"]

# The secrets each deployed function may read (terraform/secrets.tf secret_readers gives it
# exactly these): the API checks the voice runtime's secret, mints tickets and learns on
# demand; the worker calls SerpApi; the learner calls Gemini; the scheduler needs none.
WORKLOAD_SECRETS: dict[str, tuple[str, ...]] = {
    "api": ("PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "GEMINI_API_KEY"),
    "research_worker": ("SERPAPI_API_KEY",),
    "preference_scheduler": (),
    "preference_learner": ("GEMINI_API_KEY",),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["local", "production"] = "local"
    # Which function this process is (Terraform sets it); production needs it.
    workload: Workload | None = None
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
    # Behind Google's front end the client is the X-Forwarded-For hop it appended, this many
    # from the end (1: Cloud Functions / Cloud Run; 2: behind an external load balancer).
    # Used as the per-IP limit's key; production sets TRUST_FORWARDED_FOR (terraform).
    trust_forwarded_for: bool = False
    forwarded_for_hops: int = Field(1, ge=1, le=5)
    max_body_bytes: int = 64 * 1024
    session_ticket_ttl_s: int = 300
    # Concurrent active voice sessions per user; POST /sessions ends the oldest beyond it.
    max_active_sessions_per_user: int = Field(3, ge=1)
    # A session still `active` this long after it started is ended by the hourly sweep
    # (its end call failed); Cloud Run's request timeout caps a socket at 3600 s anyway.
    voice_session_max_age_s: int = 2 * 3600
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

    def secrets_needed(self) -> list[str]:
        """The secrets this workload cannot run without, as configured."""
        if self.workload is None:
            return []
        given = WORKLOAD_SECRETS[self.workload]
        needed = [name for name in ("PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY") if name in given]
        if "SERPAPI_API_KEY" in given and "serpapi" in self.research_providers:
            needed.append("SERPAPI_API_KEY")
        if "GEMINI_API_KEY" in given and self.learner == "gemini":
            needed.append("GEMINI_API_KEY")
        return needed

    @model_validator(mode="after")
    def _production_is_production(self) -> Settings:
        """Production runs on real services, as one named workload, with its own secrets.

        A workload that is not given the server secret or the ticket key gets a random one,
        so the local defaults can never authenticate anything in production.
        """
        if self.environment != "production":
            return self
        emulators = sorted(name for name in os.environ if name.upper().endswith("_EMULATOR_HOST"))
        if emulators or self.tasks_emulator_host:
            raise ValueError(
                f"production mode refuses emulator settings: {', '.join(emulators) or 'TASKS_EMULATOR_HOST'}"
            )
        if self.workload is None:
            raise ValueError(f"production mode needs WORKLOAD set to one of {', '.join(WORKLOAD_SECRETS)}")
        values = {
            "PIPECAT_SERVER_SECRET": self.pipecat_server_secret,
            "SESSION_TICKET_KEY": self.session_ticket_key,
            "SERPAPI_API_KEY": self.serpapi_api_key,
            "GEMINI_API_KEY": self.gemini_api_key,
        }
        missing = []
        for name in self.secrets_needed():
            value = values[name]
            text = value.get_secret_value() if value is not None else ""
            if not text or text.startswith(LOCAL_SECRET_PREFIX) or (name in _KEYS and len(text) < 16):
                missing.append(name)
        if missing:
            raise ValueError(f"production mode needs these secrets set: {', '.join(missing)}")
        if "PIPECAT_SERVER_SECRET" not in WORKLOAD_SECRETS[self.workload]:
            self.pipecat_server_secret = SecretStr(secrets.token_urlsafe(32))
        if "SESSION_TICKET_KEY" not in WORKLOAD_SECRETS[self.workload]:
            self.session_ticket_key = SecretStr(secrets.token_urlsafe(32))
        return self


_KEYS = ("PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY")  # ours: at least 16 characters


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
