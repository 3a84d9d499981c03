"""learn_for_user and the scheduled pass on the Firestore and Pub/Sub emulators (offline learner)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from google.cloud import pubsub_v1

from shopper.learning.aggregate import DAY_MS
from shopper.learning.service import learn_for_user, run_scheduled_pass
from shopper.models import InteractionSignal, PreferencesUpdate, SignalType, UserPreferences, now_ms
from shopper.repository import Repository
from shopper.settings import get_settings

pytestmark = pytest.mark.integration

HOUR_MS = 60 * 60 * 1000


def add_mice(repo: Repository, user: str, now: int, prices: tuple[float, ...] = (37.99, 39.99, 44.5)) -> None:
    for i, price in enumerate(prices):
        repo.add_signal(
            InteractionSignal(
                userId=user,
                type=SignalType.save,
                itemId=f"mouse-{i}",
                productName=f"Logitech M{700 + i} Wireless Mouse",
                brand="Logitech",
                color="black",
                category="mice",
                price=price,
                timestamp=now - (i + 1) * HOUR_MS,
            )
        )


def test_learns_from_signals_and_keeps_manual_fields(repo: Repository) -> None:
    now = now_ms()
    add_mice(repo, "alice", now)
    repo.put_preferences(
        UserPreferences(
            userId="alice", colors=["white"], manualFields=["colors"], lastUpdated=1, learnedThrough=0
        )
    )

    prefs = learn_for_user(repo, "alice", now)
    assert prefs is not None and prefs == repo.get_preferences("alice")
    assert prefs.brands == ["Logitech"] and prefs.productCategories == ["mice"]
    assert prefs.colors == ["white"]  # set by hand, survives
    assert prefs.budget is not None and prefs.budget.min < 40 < prefs.budget.max
    assert prefs.lastUpdated == now and prefs.learnedThrough == now - HOUR_MS


def test_on_demand_twice_changes_nothing_the_second_time(repo: Repository) -> None:
    now = now_ms()
    add_mice(repo, "alice", now)
    first = learn_for_user(repo, "alice", now)
    second = learn_for_user(repo, "alice", now + 60_000)
    assert first is not None and second == first
    assert repo.get_preferences("alice").lastUpdated == now


def test_new_signals_move_learned_through_but_last_updated_only_on_change(repo: Repository) -> None:
    now = now_ms()
    add_mice(repo, "alice", now - 2 * HOUR_MS)
    first = learn_for_user(repo, "alice", now)
    # One more black Logitech mouse view: the same taste, newer evidence.
    repo.add_signal(
        InteractionSignal(
            userId="alice", type=SignalType.view, itemId="m9", brand="Logitech", color="black", timestamp=now
        )
    )
    second = learn_for_user(repo, "alice", now + 1000)
    assert second is not None and first is not None
    assert second.learnedThrough == now and second.lastUpdated == first.lastUpdated


def test_users_without_signals_get_nothing(repo: Repository) -> None:
    now = now_ms()
    assert learn_for_user(repo, "nobody", now) is None
    repo.add_signal(
        InteractionSignal(
            userId="old", type=SignalType.save, itemId="x", brand="Sony", timestamp=now - 9 * DAY_MS
        )
    )
    assert learn_for_user(repo, "old", now) is None
    assert repo.get_preferences("old") is None


def test_a_manual_patch_during_learning_is_not_lost(repo: Repository) -> None:
    """The merge re-reads inside its transaction: a PATCH between read and write survives."""
    now = now_ms()
    add_mice(repo, "alice", now)

    from shopper.learning.learners.offline import OfflineLearner

    class PatchingLearner(OfflineLearner):
        def learn(self, aggregates):  # type: ignore[no-untyped-def]
            patch = PreferencesUpdate(brands=["Apple"])
            repo.put_preferences(
                UserPreferences(userId="alice", brands=patch.brands, manualFields=["brands"])
            )
            return super().learn(aggregates)

    prefs = learn_for_user(repo, "alice", now, learner=PatchingLearner())
    assert prefs is not None and prefs.brands == ["Apple"] and prefs.manualFields == ["brands"]
    assert prefs.colors == ["black"]


@pytest.fixture
def user_topic(emulators) -> Iterator[tuple[pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient, str]]:
    """A fresh topic for per-user messages with a pull subscription to read them back."""
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    settings = get_settings()
    name = f"learning-user-{uuid.uuid4().hex[:8]}"
    topic = publisher.topic_path(settings.project_id, name)
    publisher.create_topic(name=topic)
    sub = subscriber.subscription_path(settings.project_id, name + "-pull")
    subscriber.create_subscription(request={"name": sub, "topic": topic})
    try:
        yield publisher, subscriber, name
    finally:
        subscriber.delete_subscription(subscription=sub)
        publisher.delete_topic(topic=topic)
        subscriber.close()


def pull_all(subscriber: pubsub_v1.SubscriberClient, sub: str, expected: int) -> list[dict]:
    messages: list[dict] = []
    for _ in range(20):
        response = subscriber.pull(request={"subscription": sub, "max_messages": 100}, timeout=5)
        if response.received_messages:
            subscriber.acknowledge(
                request={"subscription": sub, "ack_ids": [m.ack_id for m in response.received_messages]}
            )
        messages.extend(json.loads(m.message.data) for m in response.received_messages)
        if len(messages) >= expected and not response.received_messages:
            break
    return messages


def test_scheduled_pass_publishes_one_message_per_user_with_new_signals(repo: Repository, user_topic) -> None:
    publisher, subscriber, topic_name = user_topic
    settings = get_settings().model_copy(update={"learning_user_topic": topic_name})
    now = now_ms()
    for user in ("alice", "bob", "carol"):
        add_mice(repo, user, now)
    learn_for_user(repo, "carol", now)  # carol is up to date
    repo.add_signal(
        InteractionSignal(userId="dave", type=SignalType.click, itemId="x", timestamp=now - 8 * DAY_MS)
    )

    result = run_scheduled_pass(repo, publisher, now, settings=settings)
    assert (result.users_with_signals, result.published, result.up_to_date) == (3, 2, 1)
    sub = subscriber.subscription_path(settings.project_id, topic_name + "-pull")
    messages = pull_all(subscriber, sub, expected=2)
    assert sorted(m["userId"] for m in messages) == ["alice", "bob"]
