"""User preferences: read, edit by hand (remembered as manual), and learn on demand.

A field the user sets with PATCH joins `manualFields`, and learning never
overwrites it. Setting a field to null clears it and hands it back to learning.
"""

from __future__ import annotations

import importlib
from typing import Any

from google.cloud import firestore

from shopper.errors import Invalid, Unavailable
from shopper.models import PREFERENCE_FIELDS, PreferencesUpdate, UserPreferences, to_document
from shopper.repository import USER_PREFERENCES, Repository


def empty(user_id: str) -> UserPreferences:
    return UserPreferences(userId=user_id)


def get(repo: Repository, user_id: str) -> UserPreferences:
    return repo.get_preferences(user_id) or empty(user_id)


def apply_update(current: UserPreferences, update: PreferencesUpdate, now_ms: int) -> UserPreferences:
    """Pure: `current` with the fields `update` sets, and those fields marked manual (null: unmarked)."""
    sent = [name for name in PREFERENCE_FIELDS if name in update.model_fields_set]
    if not sent:
        raise Invalid("body", f"set at least one of {', '.join(PREFERENCE_FIELDS)}")
    changes: dict[str, Any] = {}
    manual = list(current.manualFields)
    for name in sent:
        value = getattr(update, name)
        if value is None:
            changes[name] = None if name == "budget" else []
            manual = [field for field in manual if field != name]
        else:
            changes[name] = _dedupe(value) if isinstance(value, list) else value
            if name not in manual:
                manual.append(name)
    return current.model_copy(update={**changes, "manualFields": manual, "lastUpdated": now_ms})


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            kept.append(value)
    return kept


def update(repo: Repository, user_id: str, patch: PreferencesUpdate, now_ms: int) -> UserPreferences:
    """Apply a PATCH in a transaction, so a learning pass running at the same time cannot undo it."""
    ref = repo.client.collection(USER_PREFERENCES).document(user_id)

    @firestore.transactional
    def run(txn: firestore.Transaction) -> UserPreferences:
        snap = ref.get(transaction=txn)
        current = UserPreferences.model_validate(snap.to_dict()) if snap.exists else empty(user_id)
        updated = apply_update(current, patch, now_ms)
        txn.set(ref, to_document(updated))
        return updated

    return run(repo.client.transaction())


def learn(repo: Repository, user_id: str, now_ms: int) -> tuple[UserPreferences, bool]:
    """Run the learner for this user now; returns (preferences, whether this run changed them)."""
    try:
        service = importlib.import_module("shopper.learning.service")
        learners = importlib.import_module("shopper.learning.learners")
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("shopper.learning"):
            raise
        raise Unavailable("preference learning is not available") from exc
    before = repo.get_preferences(user_id)
    try:
        learned = service.learn_for_user(repo, user_id, now_ms)
    except learners.LearnerUnavailable as exc:
        raise Unavailable("the preference learner is unavailable; try again later") from exc
    if learned is None:
        return before or empty(user_id), False
    return learned, learned != before
