"""Learning while the shopper shops: a save, dislike or cart signal asks for one learning run.

`request_learning` is called on the request path right after the signal is stored; it only
publishes one small message to the per-user topic (the same one the hourly pass fans out
to), and the learner function does the work off the request path.

Debounced: while a message for the user is queued and not yet picked up, further signals
publish nothing (a Firestore transaction on learning_triggers/{userId}); the learner marks
the trigger released *before* it reads the signals, so a signal stored before the release is
in that run's read, and one stored after publishes a new message. A message lost in transit
stops blocking after PENDING_FOR_MS. Idempotent: the learner skips a user whose
learnedThrough already covers their newest signal, so a redelivery changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from shopper.models import SignalType
from shopper.repository import Repository
from shopper.settings import Settings, get_settings
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

LEARNING_SIGNALS = frozenset({SignalType.save, SignalType.dislike, SignalType.purchase})
PENDING_FOR_MS = 30_000
PUBLISH_TIMEOUT_S = 5.0

_publisher: Any = None


def publisher() -> Any:
    global _publisher
    if _publisher is None:
        from google.cloud import pubsub_v1

        _publisher = pubsub_v1.PublisherClient()
    return _publisher


def request_learning(
    repo: Repository,
    user_id: str,
    signal_type: SignalType,
    now_ms: int,
    *,
    settings: Settings | None = None,
    client: Any = None,
) -> bool:
    """Queue a learning run for the user after a taste signal; True when a message was published.

    Never raises: the signal is stored either way, and the hourly pass is the fallback."""
    settings = settings or get_settings()
    if not settings.learn_on_signal or signal_type not in LEARNING_SIGNALS:
        return False
    try:
        if not repo.claim_learning_trigger(user_id, now_ms, PENDING_FOR_MS):
            log_event(logger, "learning already queued", userId=user_id, signal=signal_type.value)
            return False
        client = client or publisher()
        topic = client.topic_path(settings.project_id, settings.learning_user_topic)
        client.publish(topic, json.dumps({"userId": user_id}).encode()).result(timeout=PUBLISH_TIMEOUT_S)
    except Exception as err:
        log_event(
            logger,
            "learning request not published",
            level=logging.WARNING,
            userId=user_id,
            error=repr(err)[:300],
        )
        # Let the next signal try again rather than wait out PENDING_FOR_MS.
        try:
            repo.release_learning_trigger(user_id)
        except Exception:
            logger.exception("could not release the learning trigger")
        return False
    log_event(logger, "learning requested", userId=user_id, signal=signal_type.value, topic=topic)
    return True
