"""The merge rule (pure): how a learner's proposal lands on stored preferences.

- A field in `manualFields` (the user set it with PATCH /preferences) is never overwritten.
- Every other field takes the learned value: learned fields replace learned fields.
  A proposal with nothing in it at all (too little evidence) keeps what was learned before.
- `dislikedBrands` keeps earlier dislikes, adds the window's new ones, and drops a brand
  the user has clearly come back to or names in their own brand list; a disliked brand
  never appears among the learned brands.
- `lastUpdated` moves only when the preferences a user sees change; `learnedThrough`
  is the newest signal consumed, so a redelivered message finds nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shopper.models import PREFERENCE_FIELDS, PREFERENCE_LIST_FIELDS, LearnedPreferences, UserPreferences

MAX_DISLIKED_BRANDS = 30
CONTENT_FIELDS = (*PREFERENCE_FIELDS, "dislikedBrands")


@dataclass(frozen=True)
class MergeResult:
    preferences: UserPreferences
    changed: bool  # what the user sees changed (lastUpdated moved)
    dirty: bool  # something must be written (content or learnedThrough)


def unique(values: Iterable[str], exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Values in order without case-insensitive duplicates or excluded (case-folded) ones."""
    seen: set[str] = set(exclude)
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _content(prefs: UserPreferences) -> dict[str, Any]:
    return prefs.model_dump(include=set(CONTENT_FIELDS), mode="json")


def merge(
    current: UserPreferences | None,
    user_id: str,
    learned: LearnedPreferences,
    *,
    disliked: Sequence[str] = (),
    liked: Sequence[str] = (),
    learned_through: int,
    now_ms: int,
) -> MergeResult:
    """Fold `learned` (and the window's disliked / clearly liked brands) into `current`."""
    base = current or UserPreferences(userId=user_id)
    manual = set(base.manualFields)
    manual_brands = {b.casefold() for b in base.brands} if "brands" in manual else set()
    lifted = {b.casefold() for b in liked} | manual_brands

    # The window's dislikes first (they win over a "liked" of the same brand), then earlier ones.
    kept = (b for b in base.dislikedBrands if b.casefold() not in lifted)
    disliked_brands = unique([*disliked, *kept], manual_brands)[:MAX_DISLIKED_BRANDS]
    disliked_keys = {b.casefold() for b in disliked_brands}

    update: dict[str, Any] = {"dislikedBrands": disliked_brands}
    if learned != LearnedPreferences():
        for name in PREFERENCE_FIELDS:
            if name in manual:
                continue
            value = getattr(learned, name)
            if name in PREFERENCE_LIST_FIELDS:
                value = unique(value, disliked_keys if name == "brands" else frozenset())
            update[name] = value
    if "brands" not in manual:
        update["brands"] = unique(update.get("brands", base.brands), disliked_keys)

    merged = base.model_copy(update=update)
    changed = _content(merged) != _content(base)
    through = max(base.learnedThrough, learned_through)
    merged = merged.model_copy(
        update={"lastUpdated": now_ms if changed else base.lastUpdated, "learnedThrough": through}
    )
    return MergeResult(merged, changed, changed or through != base.learnedThrough)
