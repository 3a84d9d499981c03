"""User preferences: read, edit by hand (remembered as manual), and learn on demand.

A field the user sets with PATCH joins `manualFields`, and learning never
overwrites it. Setting a field to null clears it and hands it back to learning.
"""

from __future__ import annotations

from typing import Any

from shopper.errors import Invalid, Unavailable
from shopper.learning.learners import LearnerUnavailable
from shopper.learning.service import learn_for_user
from shopper.models import PREFERENCE_FIELDS, PreferencesUpdate, UserPreferences
from shopper.repository import Repository


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

    def change(current: UserPreferences | None) -> tuple[UserPreferences, UserPreferences]:
        updated = apply_update(current or empty(user_id), patch, now_ms)
        return updated, updated

    return repo.update_preferences(user_id, change)


def learn(repo: Repository, user_id: str, now_ms: int) -> tuple[UserPreferences, bool]:
    """Run the learner for this user now; returns (preferences, whether this run changed them)."""
    before = repo.get_preferences(user_id)
    try:
        learned = learn_for_user(repo, user_id, now_ms)
    except LearnerUnavailable as exc:
        raise Unavailable("the preference learner is unavailable; try again later") from exc
    if learned is None:
        return before or empty(user_id), False
    return learned, learned != before
