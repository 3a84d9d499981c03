"""The merge rule: manual fields survive, dislikes win, timestamps move only on change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shopper.learning.merge import merge
from shopper.models import PREFERENCE_FIELDS, Budget, LearnedPreferences, UserPreferences

LEARNED = LearnedPreferences(
    style=["wireless"],
    budget=Budget(min=30, max=50),
    size=["XL"],
    productCategories=["mice"],
    brands=["Logitech"],
    colors=["black"],
)


def test_first_learning_creates_preferences() -> None:
    result = merge(None, "alice", LEARNED, learned_through=900, now_ms=1000)
    prefs = result.preferences
    assert result.changed and result.dirty
    assert prefs.userId == "alice" and prefs.brands == ["Logitech"] and prefs.budget == Budget(min=30, max=50)
    assert prefs.lastUpdated == 1000 and prefs.learnedThrough == 900


def test_manual_fields_survive_and_learned_fields_are_replaced() -> None:
    current = UserPreferences(
        userId="alice",
        brands=["Apple"],
        colors=["white"],
        style=["vintage"],
        manualFields=["brands"],
        lastUpdated=5,
        learnedThrough=100,
    )
    prefs = merge(current, "alice", LEARNED, learned_through=900, now_ms=1000).preferences
    assert prefs.brands == ["Apple"]  # the user's own
    assert prefs.colors == ["black"] and prefs.style == ["wireless"]  # learned replaced learned
    assert prefs.manualFields == ["brands"]


def test_disliked_brands_never_appear_in_brands() -> None:
    current = UserPreferences(userId="alice", dislikedBrands=["Razer"], learnedThrough=1)
    learned = LEARNED.model_copy(update={"brands": ["razer", "Logitech"]})
    prefs = merge(current, "alice", learned, disliked=["HyperX"], learned_through=5, now_ms=10).preferences
    assert prefs.brands == ["Logitech"]
    assert prefs.dislikedBrands == ["HyperX", "Razer"]


def test_a_brand_the_user_came_back_to_or_chose_by_hand_is_no_longer_disliked() -> None:
    current = UserPreferences(userId="alice", dislikedBrands=["Razer", "Sony"], learnedThrough=1)
    prefs = merge(current, "alice", LEARNED, liked=["Razer"], learned_through=5, now_ms=10).preferences
    assert prefs.dislikedBrands == ["Sony"]

    manual = UserPreferences(userId="bob", brands=["Sony"], manualFields=["brands"], dislikedBrands=["Sony"])
    prefs = merge(manual, "bob", LEARNED, disliked=["Sony"], learned_through=5, now_ms=10).preferences
    assert prefs.brands == ["Sony"] and prefs.dislikedBrands == []


def test_last_updated_moves_only_on_change() -> None:
    first = merge(None, "alice", LEARNED, learned_through=900, now_ms=1000)
    same = merge(first.preferences, "alice", LEARNED, learned_through=950, now_ms=2000)
    assert not same.changed and same.dirty  # new signals consumed, nothing a user sees changed
    assert same.preferences.lastUpdated == 1000 and same.preferences.learnedThrough == 950

    again = merge(same.preferences, "alice", LEARNED, learned_through=950, now_ms=3000)
    assert not again.changed and not again.dirty  # a redelivery: nothing to write
    assert again.preferences == same.preferences


def test_an_empty_proposal_keeps_what_was_learned() -> None:
    first = merge(None, "alice", LEARNED, learned_through=900, now_ms=1000).preferences
    result = merge(first, "alice", LearnedPreferences(), learned_through=990, now_ms=2000)
    assert not result.changed and result.preferences.brands == ["Logitech"]
    assert result.preferences.learnedThrough == 990


tags = st.lists(st.sampled_from(["Sony", "sony", "Bose", "Apple", "Razer", "black", "XL"]), max_size=5)


@given(
    manual=st.lists(st.sampled_from(PREFERENCE_FIELDS), unique=True),
    current_brands=tags,
    learned_brands=tags,
    disliked_before=tags,
    disliked_now=tags,
    liked=tags,
)
def test_properties_of_any_merge(
    manual: list[str],
    current_brands: list[str],
    learned_brands: list[str],
    disliked_before: list[str],
    disliked_now: list[str],
    liked: list[str],
) -> None:
    current = UserPreferences(
        userId="u",
        brands=current_brands,
        colors=["red"],
        budget=Budget(max=10),
        manualFields=manual,
        dislikedBrands=disliked_before,
        lastUpdated=7,
        learnedThrough=3,
    )
    learned = LEARNED.model_copy(update={"brands": learned_brands})
    result = merge(current, "u", learned, disliked=disliked_now, liked=liked, learned_through=5, now_ms=99)
    prefs = result.preferences
    for name in manual:
        assert getattr(prefs, name) == getattr(current, name)
    disliked = {b.casefold() for b in prefs.dislikedBrands}
    if "brands" not in manual:
        assert not disliked & {b.casefold() for b in prefs.brands}
    else:
        assert not disliked & {b.casefold() for b in current_brands}
    assert prefs.lastUpdated == (99 if result.changed else 7)
    assert prefs.learnedThrough == 5
    # Merging the same proposal again changes nothing.
    again = merge(prefs, "u", learned, disliked=disliked_now, liked=liked, learned_through=5, now_ms=200)
    assert not again.dirty and again.preferences == prefs
