"""Each function's settings load in production with only its own secrets (issue 15,
finding 5), and production refuses the emulators."""

from __future__ import annotations

import os

import pytest

from shopper.settings import LOCAL_SECRET_PREFIX, SECRET_ENV_VARS, WORKLOAD_SECRETS, Settings

PRODUCTION = {
    "ENVIRONMENT": "production",
    "GOOGLE_CLOUD_PROJECT": "voice-shopper-prod",
    "RESEARCH_PROVIDERS": "catalog,serpapi",
    "LEARNER": "gemini",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*SECRET_ENV_VARS, "WORKLOAD", "TASKS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.endswith("_EMULATOR_HOST"):
            monkeypatch.delenv(name)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def give(env: pytest.MonkeyPatch, *secrets: str) -> None:
    for name in secrets:
        env.setenv(name, f"{name.lower()}-from-secret-manager-0123456789")


@pytest.mark.parametrize("workload", sorted(WORKLOAD_SECRETS))
def test_each_function_starts_with_only_its_own_secrets(env: pytest.MonkeyPatch, workload: str) -> None:
    env.setenv("WORKLOAD", workload)
    give(env, *WORKLOAD_SECRETS[workload])
    settings = Settings()
    assert settings.workload == workload
    if "PIPECAT_SERVER_SECRET" not in WORKLOAD_SECRETS[workload]:
        # Not given: a random value, so the local default authenticates nothing.
        for value in (settings.pipecat_server_secret, settings.session_ticket_key):
            assert not value.get_secret_value().startswith(LOCAL_SECRET_PREFIX)
    for missing in WORKLOAD_SECRETS[workload]:
        env.delenv(missing)
        with pytest.raises(ValueError, match=missing):
            Settings()
        give(env, missing)


def test_the_worker_and_learners_do_not_need_the_server_secret_or_ticket_key(env: pytest.MonkeyPatch) -> None:
    for workload in ("research_worker", "preference_scheduler", "preference_learner"):
        assert "PIPECAT_SERVER_SECRET" not in WORKLOAD_SECRETS[workload]
        assert "SESSION_TICKET_KEY" not in WORKLOAD_SECRETS[workload]


def test_production_needs_a_workload(env: pytest.MonkeyPatch) -> None:
    give(env, *SECRET_ENV_VARS)
    with pytest.raises(ValueError, match="WORKLOAD"):
        Settings()


@pytest.mark.parametrize(
    "name",
    ["FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "TASKS_EMULATOR_HOST"],
)
def test_production_refuses_emulator_hosts(env: pytest.MonkeyPatch, name: str) -> None:
    env.setenv("WORKLOAD", "api")
    give(env, *WORKLOAD_SECRETS["api"])
    Settings()
    env.setenv(name, "127.0.0.1:8080")
    with pytest.raises(ValueError, match="emulator"):
        Settings()


def test_local_mode_still_runs_on_the_emulators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "local")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8080")
    assert Settings().pipecat_server_secret.get_secret_value().startswith(LOCAL_SECRET_PREFIX)
