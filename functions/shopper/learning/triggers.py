"""Pub/Sub side of preference learning (CloudEvents from functions-framework / Eventarc).

Returning acknowledges the message; raising asks Pub/Sub to deliver it again, which
we do only for errors a retry can fix (Firestore or Pub/Sub unavailable, Gemini
overloaded). A message that can never succeed (bad payload) is logged and acknowledged.
Delivery is at least once, so both handlers are idempotent: the learner does nothing
new for a user whose learnedThrough already covers their newest signal.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from typing import Any

from cloudevents.http import CloudEvent
from google.api_core import exceptions as gexc
from pydantic import TypeAdapter, ValidationError

from shopper.learning.learners import LearnerUnavailable
from shopper.learning.service import learn_for_user, run_scheduled_pass
from shopper.models import Id, now_ms
from shopper.repository import Repository, make_client
from shopper.research.service import sweep_stale_queries
from shopper.settings import get_settings
from shopper_core.log import configure_logging, get_logger, log_event

logger = get_logger(__name__)

TRANSIENT = (
    LearnerUnavailable,
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.TooManyRequests,
    gexc.Aborted,
    gexc.GatewayTimeout,
    gexc.RetryError,
    TimeoutError,
    ConnectionError,
)
_USER_ID = TypeAdapter(Id)


class BadMessage(ValueError):
    """A Pub/Sub message that no retry can make valid."""


_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _repo() -> Repository:
    with _lock:
        if "repo" not in _clients:
            _clients["repo"] = Repository(make_client())
        return _clients["repo"]


def _publisher() -> Any:
    with _lock:
        if "publisher" not in _clients:
            from google.cloud import pubsub_v1

            _clients["publisher"] = pubsub_v1.PublisherClient()
        return _clients["publisher"]


def decode_user_message(event_data: Any) -> str:
    """The userId of a learning message: CloudEvent data {"message": {"data": base64(JSON)}}."""
    if not isinstance(event_data, dict) or not isinstance(event_data.get("message"), dict):
        raise BadMessage("event data is not a Pub/Sub message")
    raw = event_data["message"].get("data")
    if not isinstance(raw, str) or not raw:
        raise BadMessage("message has no data")
    try:
        payload = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError) as err:
        raise BadMessage(f"message data is not base64 JSON: {err}") from err
    if not isinstance(payload, dict):
        raise BadMessage("message data is not a JSON object")
    try:
        return _USER_ID.validate_python(payload.get("userId"))
    except ValidationError as err:
        raise BadMessage(f"invalid userId: {err.errors()[0]['msg']}") from err


def _message_id(event: CloudEvent) -> str | None:
    data = event.get_data()
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        return data["message"].get("messageId") or data["message"].get("message_id")
    return None


def handle_schedule_event(event: CloudEvent) -> None:
    """Cloud Scheduler's hourly tick: fan out one learning message per user with new signals,
    then re-enqueue or fail research queries left stuck."""
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        repo = _repo()
        run_scheduled_pass(repo, _publisher(), now_ms(), settings=settings)
        # The same hourly tick finishes research queries a dead worker left behind.
        sweep_stale_queries(repo, now_ms(), settings=settings)
    except TRANSIENT as err:
        log_event(logger, "learning pass failed; will retry", level=logging.WARNING, error=repr(err))
        raise
    except Exception:
        # Not transient: a retry would fail the same way, so acknowledge and leave it to the next tick.
        logger.exception("learning pass failed", extra={"fields": {"retry": False}})


def handle_user_event(event: CloudEvent) -> None:
    """One user's learning message: learn and store, or do nothing if nothing is new."""
    settings = get_settings()
    configure_logging(settings.log_level)
    message_id = _message_id(event)
    try:
        user_id = decode_user_message(event.get_data())
    except BadMessage as err:
        log_event(
            logger, "bad learning message dropped", level=logging.ERROR, messageId=message_id, reason=str(err)
        )
        return
    try:
        prefs = learn_for_user(_repo(), user_id, now_ms(), settings=settings)
    except TRANSIENT as err:
        log_event(
            logger, "learning failed; will retry", level=logging.WARNING, userId=user_id, error=repr(err)
        )
        raise
    except Exception:
        logger.exception("learning failed", extra={"fields": {"userId": user_id, "retry": False}})
        return
    log_event(
        logger,
        "learning message handled",
        userId=user_id,
        messageId=message_id,
        lastUpdated=prefs.lastUpdated if prefs else None,
    )
