"""Preference learning for one user (on demand or per Pub/Sub message) and the scheduled pass.

`learn_for_user` reads the user's signals of the learning window, skips the work when
none is newer than `learnedThrough` (a redelivered message, a second click on "learn"),
asks the configured learner for a proposal and merges it under the user's manual fields
inside a Firestore transaction, so a PATCH /preferences landing meanwhile is never lost.

`run_scheduled_pass` finds the users whose newest signal is newer than what was learned
and publishes one message per user, so one slow user (a slow Gemini answer) never holds
up the others and each is retried on its own.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from shopper.learning.aggregate import aggregate, window_start
from shopper.learning.learners import Learner, LearnerRejected, make_learner
from shopper.learning.merge import MergeResult, merge
from shopper.models import UserPreferences
from shopper.repository import Repository
from shopper.settings import Settings, get_settings
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

# Enough for a very active week; more is logged as truncated (oldest first, so the newest may be cut).
MAX_SIGNALS = 5000
# Net brand evidence (about one recent save) that lifts an older dislike of that brand.
LIKED_BRAND_SCORE = 2.5
PUBLISH_TIMEOUT_S = 60.0


class Publisher(Protocol):
    """The part of google.cloud.pubsub_v1.PublisherClient the pass uses."""

    def topic_path(self, project: str, topic: str) -> str: ...

    def publish(self, topic: str, data: bytes, **attrs: str) -> Future: ...


@dataclass(frozen=True)
class PassResult:
    users_with_signals: int
    published: int
    up_to_date: int
    latency_ms: float


_learners: dict[tuple[object, ...], Learner] = {}


def default_learner(settings: Settings) -> Learner:
    """The learner settings name, built once per process (a Gemini client holds a connection pool)."""
    key = (settings.learner, settings.gemini_model, settings.gemini_base_url, settings.gemini_api_key)
    if key not in _learners:
        _learners[key] = make_learner(settings)
    return _learners[key]


def learn_for_user(
    repo: Repository,
    user_id: str,
    now_ms: int,
    *,
    learner: Learner | None = None,
    settings: Settings | None = None,
) -> UserPreferences | None:
    """Learn one user's preferences from their recent signals and store them.

    Returns the stored preferences after the run (unchanged when there was nothing new or the
    learner's answer was refused or malformed), or None when the user has neither preferences
    nor signals in the window. Raises LearnerUnavailable (and Firestore's transient errors)
    when trying again later may help.
    """
    settings = settings or get_settings()
    started = time.perf_counter()
    current = repo.get_preferences(user_id)
    since = window_start(now_ms, settings.learning_window_days)
    signals = repo.list_signals(user_id, since, limit=MAX_SIGNALS)
    newest = max((s.timestamp for s in signals), default=0)
    if not signals or (current is not None and newest <= current.learnedThrough):
        log_event(logger, "learning skipped: no new signals", userId=user_id, signals=len(signals))
        return current
    if len(signals) >= MAX_SIGNALS:
        log_event(logger, "learning window truncated", userId=user_id, signals=len(signals))

    learner = learner or default_learner(settings)
    aggregates = aggregate(signals, now_ms, settings.learning_window_days)
    try:
        learned = learner.learn(aggregates)
    except LearnerRejected as err:
        log_event(
            logger,
            "learner answer rejected; preferences left untouched",
            level=logging.WARNING,
            userId=user_id,
            learner=learner.name,
            reason=str(err),
        )
        return current

    def apply(fresh: UserPreferences | None) -> MergeResult:
        return merge(
            fresh,
            user_id,
            learned,
            disliked=aggregates.disliked_brands(),
            liked=aggregates.liked_brands(LIKED_BRAND_SCORE),
            learned_through=newest,
            now_ms=now_ms,
        )

    def change(fresh: UserPreferences | None) -> tuple[UserPreferences | None, MergeResult]:
        merged = apply(fresh)
        return (merged.preferences if merged.dirty else None), merged

    result = repo.update_preferences(user_id, change)
    log_event(
        logger,
        "preferences learned" if result.changed else "preferences unchanged",
        userId=user_id,
        learner=learner.name,
        signals=len(signals),
        changed=result.changed,
        learnedThrough=result.preferences.learnedThrough,
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return result.preferences


def run_scheduled_pass(
    repo: Repository, publisher: Publisher, now_ms: int, *, settings: Settings | None = None
) -> PassResult:
    """Publish one learning message per user with signals newer than their learnedThrough."""
    settings = settings or get_settings()
    started = time.perf_counter()
    newest = repo.newest_signal_by_user(window_start(now_ms, settings.learning_window_days))
    learned = repo.learned_through_by_user(newest)
    due = sorted(user for user, ts in newest.items() if ts > learned.get(user, 0))

    topic = publisher.topic_path(settings.project_id, settings.learning_user_topic)
    futures = [publisher.publish(topic, json.dumps({"userId": user}).encode()) for user in due]
    for future in futures:
        future.result(timeout=PUBLISH_TIMEOUT_S)

    result = PassResult(
        users_with_signals=len(newest),
        published=len(due),
        up_to_date=len(newest) - len(due),
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    log_event(logger, "learning pass fanned out", topic=topic, **result.__dict__)
    return result
