"""Aggregation of signals and the offline learner, on hand-built histories."""

from __future__ import annotations

import pytest

from shopper.learning.aggregate import (
    DAY_MS,
    aggregate,
    decay,
    keywords,
    parse_colors,
    parse_price_cap,
    parse_sizes,
    parse_styles,
    weighted_quantile,
)
from shopper.learning.learners.offline import OfflineLearner, learn_budget
from shopper.models import Budget, InteractionSignal, SignalType

NOW = 1_750_000_000_000
HOUR_MS = 60 * 60 * 1000


def sig(kind: str, hours_ago: float = 1, **fields: object) -> InteractionSignal:
    return InteractionSignal(
        userId="alice", type=SignalType(kind), timestamp=int(NOW - hours_ago * HOUR_MS), **fields
    )


def mouse(kind: str, price: float, name: str, hours_ago: float = 2, **fields: object) -> InteractionSignal:
    defaults = {"brand": "Logitech", "color": "black", "category": "mice"}
    return sig(
        kind, hours_ago, itemId=name[:8].replace(" ", "-"), productName=name, price=price, **defaults | fields
    )


THREE_BLACK_MICE = [
    mouse("save", 37.99, "Logitech M705 Wireless Mouse Black", hours_ago=30),
    mouse("save", 39.99, "Logitech Pebble M350 Wireless Mouse", hours_ago=20),
    mouse("save", 44.50, "Logitech Signature M650 Mouse Graphite Black", hours_ago=5),
]


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("Hoodie XL navy", ["XL"]),
        ("Nike Pegasus 40 running shoe, size 42", ["42"]),
        ("MacBook Air 13 inch 256GB", ["13 inch", "256GB"]),
        ('Dell 15.6" laptop with 1 TB SSD', ["15.6 inch", "1TB"]),
        ("13-inch tablet", ["13 inch"]),
        ("a 2XL shirt, or size M", ["M", "2XL"]),
        ("shoes in size 10.5 in black", ["10.5"]),
        ("Logitech M705 mouse", []),  # a model number is not a size
        ("", []),
    ],
)
def test_sizes_are_parsed_from_names_and_queries(text: str, sizes: list[str]) -> None:
    assert parse_sizes(text) == sizes


def test_colours_styles_keywords_and_price_caps_from_text() -> None:
    assert parse_colors("Rose Gold watch with a grey strap") == ["rose gold", "gray"]
    assert parse_styles("Noise cancelling wireless headphones, bluetooth") == ["noise-cancelling", "wireless"]
    assert keywords("find me black wireless headphones under 150 dollars") == [
        "black",
        "wireless",
        "headphones",
    ]
    assert parse_price_cap("headphones under $150, maybe less than 120") == 120.0
    assert parse_price_cap("something nice") is None


def test_recency_decay_halves_every_three_days() -> None:
    assert decay(0) == 1.0
    assert decay(3 * DAY_MS) == pytest.approx(0.5)
    assert decay(6 * DAY_MS) == pytest.approx(0.25)
    assert decay(-DAY_MS) == 1.0  # a clock a little ahead counts as now


def test_weights_by_type_and_recency() -> None:
    agg = aggregate(
        [
            sig("view", brand="A"),
            sig("click", brand="B"),
            sig("save", brand="C"),
            sig("purchase", brand="D"),
            sig("purchase", hours_ago=6 * 24, brand="E"),  # old purchase: a quarter of a new one
        ],
        NOW,
    )
    order = [label for label, _ in agg.brands.ranked()]
    assert order == ["D", "C", "E", "B", "A"]
    assert agg.brands.score("e") == pytest.approx(agg.brands.score("D") * 0.25, rel=0.02)


def test_signals_outside_the_window_are_ignored() -> None:
    agg = aggregate([sig("purchase", hours_ago=8 * 24, brand="Old"), sig("click", brand="New")], NOW)
    assert [label for label, _ in agg.brands.ranked()] == ["New"]
    assert agg.newest_timestamp == NOW - HOUR_MS
    assert agg.counts == {"click": 1}


def test_brand_spelling_follows_the_most_weighted_form() -> None:
    agg = aggregate([sig("save", brand="Logitech"), sig("view", brand="LOGITECH")], NOW)
    assert agg.brands.ranked()[0][0] == "Logitech"
    assert len(agg.brands.scores) == 1


def test_price_evidence_comes_from_saved_and_purchased_items_only() -> None:
    agg = aggregate(
        [
            sig("save", price=40, itemId="a"),
            sig("purchase", price=60, itemId="b"),
            sig("click", price=999, itemId="c"),
        ],
        NOW,
    )
    assert sorted(p for p, _ in agg.prices) == [40, 60]


def test_voice_queries_give_intent_keywords_caps_and_known_brands() -> None:
    agg = aggregate(
        [
            sig("click", brand="Sony", category="headphones", itemId="x"),
            sig("voice_query", queryText="sony wireless headphones in blue under 150 dollars"),
        ],
        NOW,
    )
    assert agg.keywords.score("wireless") > 0 and agg.keywords.score("headphones") > 0
    assert agg.colors.score("blue") > 0
    assert agg.styles.score("wireless") > 0
    assert [c for c, _ in agg.price_caps] == [150.0]
    assert agg.brands.score("sony") > 1.0  # the click plus the spoken mention


def test_weighted_quantile() -> None:
    assert weighted_quantile([(10, 1), (20, 1), (30, 1)], 0.5) == 20
    assert weighted_quantile([(10, 1), (100, 5)], 0.5) == 100
    with pytest.raises(ValueError):
        weighted_quantile([], 0.5)


def test_three_black_logitech_mice_around_40_dollars() -> None:
    history = [
        *THREE_BLACK_MICE,
        sig(
            "view",
            hours_ago=3,
            brand="Razer",
            color="green",
            category="keyboards",
            productName="Razer Keyboard",
        ),
        sig("voice_query", hours_ago=40, queryText="wireless mouse for my laptop"),
    ]
    learned = OfflineLearner().learn(aggregate(history, NOW))
    assert learned.brands == ["Logitech"]
    assert learned.colors == ["black"]
    assert learned.productCategories == ["mice"]
    assert "wireless" in learned.style
    assert learned.budget is not None
    assert 25 <= learned.budget.min <= 38 and 44.5 <= learned.budget.max <= 55
    assert learned.budget.min < 40 < learned.budget.max


def test_a_disliked_brand_never_shows_up_as_liked() -> None:
    history = [
        *THREE_BLACK_MICE,
        # Viewed and clicked a lot, but then disliked: net negative.
        *[sig("click", hours_ago=10 + i, brand="Razer", category="mice", itemId=f"r{i}") for i in range(2)],
        sig("dislike", hours_ago=1, brand="Razer", category="mice", itemId="r0"),
    ]
    agg = aggregate(history, NOW)
    learned = OfflineLearner().learn(agg)
    assert "Razer" not in learned.brands
    assert agg.disliked_brands() == ["Razer"]
    assert learned.productCategories == ["mice"]  # disliking one mouse is not disliking mice


def test_weak_evidence_learns_nothing() -> None:
    learned = OfflineLearner().learn(aggregate([sig("view", brand="Sony", color="red", category="tv")], NOW))
    assert learned.brands == [] and learned.colors == [] and learned.productCategories == []
    assert learned.budget is None


def test_budget_from_spoken_caps_when_nothing_was_saved() -> None:
    agg = aggregate([sig("voice_query", queryText="a blender under 80 dollars")], NOW)
    assert learn_budget(agg) == Budget(min=None, max=80.0)


def test_recent_taste_outweighs_last_week() -> None:
    history = [
        *[
            sig("save", hours_ago=6 * 24 + i, brand="Sony", category="headphones", itemId=f"s{i}")
            for i in range(3)
        ],
        *[
            sig("save", hours_ago=2 + i, brand="Bose", category="headphones", itemId=f"b{i}")
            for i in range(2)
        ],
    ]
    learned = OfflineLearner().learn(aggregate(history, NOW))
    assert learned.brands[0] == "Bose"
