"""The scheduled learning path end to end on the emulators.

Publish the Cloud Scheduler message to `preference-learning`; the Pub/Sub emulator pushes it to
the scheduler function (functions-framework, CloudEvent), which publishes one message per user to
`preference-learning-user`; that is pushed to the learner function, which writes user_preferences.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from google.cloud import pubsub_v1

from devstack.stack import LEARNING_TOPIC, LEARNING_USER_TOPIC, PROJECT_ID, LocalStack
from shopper.learning.aggregate import DAY_MS
from shopper.models import Budget, InteractionSignal, SignalType, UserPreferences, now_ms
from shopper.repository import Repository

pytestmark = pytest.mark.integration

HOUR_MS = 60 * 60 * 1000
WAIT_S = 60


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def publish(topic: str, payload: dict[str, Any]) -> None:
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(publisher.topic_path(PROJECT_ID, topic), json.dumps(payload).encode()).result(
        timeout=30
    )


def handled(stack: LocalStack, user: str) -> int:
    """How many learning messages the learner function has handled for `user` (from its JSON log)."""
    path = stack.log_dir / "learner.log"
    if not path.exists():
        return 0
    count = 0
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"learning message handled"' in line:
            event = json.loads(line)
            count += event.get("userId") == user
    return count


def saves(repo: Repository, user: str, brand: str, category: str, color: str, prices: list[float]) -> None:
    now = now_ms()
    for i, price in enumerate(prices):
        repo.add_signal(
            InteractionSignal(
                userId=user,
                type=SignalType.save,
                itemId=f"{brand}-{i}",
                productName=f"{brand} {category} {i}",
                brand=brand,
                category=category,
                color=color,
                price=price,
                timestamp=now - (i + 1) * HOUR_MS,
            )
        )


def test_scheduled_pass_updates_each_user_with_signals_once(stack: LocalStack, repo: Repository) -> None:
    tag = uuid.uuid4().hex[:6]
    alice, bob, carol, dave = (f"{name}-{tag}" for name in ("alice", "bob", "carol", "dave"))
    saves(repo, alice, "Logitech", "mice", "black", [37.99, 39.99, 44.5])
    saves(repo, bob, "Sony", "headphones", "silver", [129.0, 149.0])
    # carol's only signal is older than the learning window; dave is already up to date.
    repo.add_signal(
        InteractionSignal(
            userId=carol, type=SignalType.save, itemId="x", brand="Bose", timestamp=now_ms() - 9 * DAY_MS
        )
    )
    dave_signal_at = now_ms() - HOUR_MS
    repo.add_signal(
        InteractionSignal(
            userId=dave, type=SignalType.save, itemId="y", brand="Apple", timestamp=dave_signal_at
        )
    )
    dave_prefs = UserPreferences(
        userId=dave, brands=["Nikon"], manualFields=["brands"], lastUpdated=5, learnedThrough=dave_signal_at
    )
    repo.put_preferences(dave_prefs)

    publish(LEARNING_TOPIC, {"source": "cloud-scheduler"})

    alice_prefs = wait_for(lambda: repo.get_preferences(alice), "alice's preferences")
    bob_prefs = wait_for(lambda: repo.get_preferences(bob), "bob's preferences")
    assert alice_prefs.brands == ["Logitech"] and alice_prefs.colors == ["black"]
    assert alice_prefs.productCategories == ["mice"]
    assert alice_prefs.budget is not None and alice_prefs.budget.min < 40 < alice_prefs.budget.max
    assert bob_prefs.brands == ["Sony"] and bob_prefs.budget == Budget(min=96.75, max=161.25)  # 129 +/- 25 %
    assert repo.get_preferences(carol) is None
    assert repo.get_preferences(dave) == dave_prefs
    assert handled(stack, dave) == 0

    # At-least-once delivery: the scheduler tick again, and alice's own message twice.
    wait_for(lambda: handled(stack, alice) == 1, "alice's first message to be acknowledged")
    publish(LEARNING_TOPIC, {"source": "cloud-scheduler"})
    publish(LEARNING_USER_TOPIC, {"userId": alice})
    publish(LEARNING_USER_TOPIC, {"userId": alice})
    wait_for(lambda: handled(stack, alice) >= 3, "both redelivered messages to be handled")
    time.sleep(1.0)  # let a (wrong) extra fan-out from the second tick show up, if there were one
    assert handled(stack, alice) == 3  # the second tick found nothing new to fan out
    assert repo.get_preferences(alice) == alice_prefs  # one update: lastUpdated unchanged
    assert repo.get_preferences(bob) == bob_prefs
    assert repo.get_preferences(carol) is None
