"""The learner entry point through functions-framework's own app (raw Pub/Sub push bodies in),
on the Firestore emulator: ack on success and on hopeless messages, 500 (retry) on transient errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import functions_framework
import pytest

from devstack.fakes.fake_gemini import FakeGemini, error_body
from shopper.models import InteractionSignal, SignalType, now_ms
from shopper.repository import Repository
from shopper.settings import get_settings

pytestmark = pytest.mark.integration

MAIN = str(Path(__file__).resolve().parents[2] / "functions" / "main.py")
PATH = "/projects/demo-voice-shopper/topics/preference-learning-user"


def push_body(data: bytes, message_id: str = "m-1") -> dict:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "messageId": message_id,
            "publishTime": "2025-06-01T12:00:00.000Z",
        },
        "subscription": "projects/demo-voice-shopper/subscriptions/preference-learning-user-push",
    }


@pytest.fixture
def learner_client(emulators):  # type: ignore[no-untyped-def]
    return functions_framework.create_app("preference_learner", MAIN, "cloudevent").test_client()


@pytest.fixture
def alice(repo: Repository) -> Repository:
    repo.add_signal(
        InteractionSignal(
            userId="alice",
            type=SignalType.purchase,
            itemId="kb",
            brand="Keychron",
            category="keyboards",
            price=99.0,
            timestamp=now_ms() - 1000,
        )
    )
    return repo


def test_a_user_message_learns_and_a_redelivery_changes_nothing(alice: Repository, learner_client) -> None:
    body = push_body(json.dumps({"userId": "alice"}).encode())
    assert learner_client.post(PATH, json=body).status_code == 200
    prefs = alice.get_preferences("alice")
    assert prefs is not None and prefs.brands == ["Keychron"]
    assert learner_client.post(PATH, json=body).status_code == 200
    assert alice.get_preferences("alice") == prefs


@pytest.mark.parametrize("data", [b"not json", b'{"userId": ""}', b"[]"])
def test_hopeless_messages_are_acknowledged(repo: Repository, learner_client, data: bytes) -> None:
    assert learner_client.post(PATH, json=push_body(data)).status_code == 200


@pytest.fixture
def overloaded_gemini(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        monkeypatch.setenv("LEARNER", "gemini")
        monkeypatch.setenv("GEMINI_API_KEY", "test-key")
        monkeypatch.setenv("GEMINI_BASE_URL", fake.url)
        get_settings.cache_clear()
        yield fake
    get_settings.cache_clear()


def test_an_overloaded_learner_asks_pubsub_to_retry(
    alice: Repository, overloaded_gemini: FakeGemini, learner_client
) -> None:
    overloaded_gemini.push(error_body(429, "Resource has been exhausted"), status=429)
    response = learner_client.post(PATH, json=push_body(json.dumps({"userId": "alice"}).encode()))
    assert response.status_code == 500
    assert len(overloaded_gemini.requests) == 1
    assert alice.get_preferences("alice") is None
