"""The Gemini learner through google-genai's real client against a local fake Gemini server,
storing into the Firestore emulator: good, malformed and refused answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from devstack.fakes.fake_gemini import (
    FakeGemini,
    blocked_prompt,
    error_body,
    json_response,
    safety_refusal,
    text_response,
)
from shopper.learning.learners import LearnerUnavailable, make_learner
from shopper.learning.learners.gemini import GeminiLearner
from shopper.learning.service import learn_for_user
from shopper.models import Budget, InteractionSignal, SignalType, UserPreferences, now_ms
from shopper.repository import Repository
from shopper.settings import Settings, get_settings

pytestmark = pytest.mark.integration

HOUR_MS = 60 * 60 * 1000
GOOD = {
    "style": ["wireless", "ergonomic"],
    "budget": {"min": 30, "max": 50},
    "size": [],
    "productCategories": ["computer mice"],
    "brands": ["logitech", "Apple"],  # Apple never appeared in the user's signals
    "colors": ["Black"],
}
OLD = UserPreferences(userId="alice", brands=["Sony"], colors=["red"], lastUpdated=111, learnedThrough=1)


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake


@pytest.fixture
def learner(gemini: FakeGemini) -> GeminiLearner:
    settings = get_settings().model_copy(
        update={
            "learner": "gemini",
            "gemini_api_key": SecretStr("test-key"),
            "gemini_base_url": gemini.url,
            "gemini_timeout_s": 5.0,
        }
    )
    built = make_learner(settings)
    assert isinstance(built, GeminiLearner)
    return built


@pytest.fixture
def alice(repo: Repository) -> Repository:
    now = now_ms()
    for i, price in enumerate((37.99, 39.99, 44.5)):
        repo.add_signal(
            InteractionSignal(
                userId="alice",
                type=SignalType.save,
                itemId=f"m{i}",
                productName=f"Logitech M{700 + i} Wireless Mouse",
                brand="Logitech",
                color="black",
                category="mice",
                price=price,
                timestamp=now - (i + 1) * HOUR_MS,
            )
        )
    repo.put_preferences(OLD)
    return repo


def test_a_good_answer_is_validated_and_stored(
    alice: Repository, gemini: FakeGemini, learner: GeminiLearner
) -> None:
    gemini.push(json_response(GOOD))
    prefs = learn_for_user(alice, "alice", now_ms(), learner=learner)
    assert prefs is not None and prefs == alice.get_preferences("alice")
    assert prefs.brands == ["Logitech"]  # grounded in the signals, spelled as the items spell it
    assert prefs.colors == ["black"] and prefs.style == ["wireless", "ergonomic"]
    assert prefs.budget == Budget(min=30, max=50) and prefs.productCategories == ["computer mice"]
    assert prefs.lastUpdated > OLD.lastUpdated

    (request,) = gemini.requests
    assert request.model == "gemini-2.5-flash" and request.api_key == "test-key"
    config = request.body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config["responseSchema"]["properties"]) == {
        "style",
        "budget",
        "size",
        "productCategories",
        "brands",
        "colors",
    }
    prompt = request.body["contents"][0]["parts"][0]["text"]
    assert "Logitech" in prompt and "39.99" in prompt


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (text_response("Sure! The user likes Logitech mice."), "malformed: not JSON"),
        (text_response('{"style": ["wireless"], "brands": "Logitech"}'), "malformed: wrong shape"),
        (json_response({**GOOD, "budget": {"min": 80, "max": 20}}), "malformed: invalid values"),
        (json_response({**GOOD, "budget": {"min": -5, "max": 20}}), "malformed: invalid values"),
        (text_response('{"style": ["wire', finish_reason="MAX_TOKENS"), "refused: finishReason MAX_TOKENS"),
        (text_response(""), "malformed: empty answer"),
        (safety_refusal(), "refused: finishReason SAFETY"),
        (blocked_prompt(), "refused: prompt blocked"),
        (error_body(400, "Request contains an invalid argument."), "gemini 400"),
    ],
)
def test_malformed_or_refused_answers_leave_preferences_untouched(
    alice: Repository,
    gemini: FakeGemini,
    learner: GeminiLearner,
    caplog: pytest.LogCaptureFixture,
    answer: dict,
    reason: str,
) -> None:
    gemini.push(answer, status=answer["error"]["code"] if "error" in answer else 200)
    with caplog.at_level(logging.WARNING):
        prefs = learn_for_user(alice, "alice", now_ms(), learner=learner)
    assert prefs == OLD and alice.get_preferences("alice") == OLD
    (record,) = [r for r in caplog.records if r.getMessage().startswith("learner answer rejected")]
    assert record.fields["userId"] == "alice" and record.fields["reason"].startswith(reason)

    # The next run is not blocked by the bad answer: learnedThrough did not move.
    gemini.push(json_response(GOOD))
    assert learn_for_user(alice, "alice", now_ms(), learner=learner).brands == ["Logitech"]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_overload_and_server_errors_ask_for_a_retry(
    alice: Repository, gemini: FakeGemini, learner: GeminiLearner, status: int
) -> None:
    gemini.push(error_body(status, "try again later"), status=status)
    with pytest.raises(LearnerUnavailable, match=str(status)):
        learn_for_user(alice, "alice", now_ms(), learner=learner)
    assert alice.get_preferences("alice") == OLD


def test_gemini_needs_an_api_key() -> None:
    with pytest.raises(ValueError, match="GEMINI_API_KEY"):
        make_learner(Settings(learner="gemini", gemini_api_key=None))
