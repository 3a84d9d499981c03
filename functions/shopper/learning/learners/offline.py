"""The offline learner: deterministic thresholds and top-k over the aggregates.

A value is learned when its evidence reaches an absolute floor (about one recent
click, so a stray view is not taste) and a share of the strongest value of its
kind (so one odd item among many does not dilute the list). The budget is a band
around the weighted median price of saved and purchased items, widened to cover
their middle half; with no such items, the caps the user spoke ("under 50") give
the upper bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shopper.learning.aggregate import Aggregates, Tally, weighted_quantile
from shopper.learning.learners.base import Learner
from shopper.models import Budget, LearnedPreferences


@dataclass(frozen=True)
class Threshold:
    min_score: float
    min_share: float
    top_k: int


@dataclass(frozen=True)
class OfflineConfig:
    categories: Threshold = Threshold(min_score=1.0, min_share=0.3, top_k=5)
    brands: Threshold = Threshold(min_score=1.0, min_share=0.3, top_k=5)
    colors: Threshold = Threshold(min_score=1.0, min_share=0.3, top_k=4)
    styles: Threshold = Threshold(min_score=1.0, min_share=0.25, top_k=6)
    sizes: Threshold = Threshold(min_score=1.0, min_share=0.3, top_k=4)
    # The budget band: at least +/- this share of the median, and at least the middle half.
    band: float = 0.25
    min_price_weight: float = 0.5


def pick(tally: Tally, threshold: Threshold, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Labels whose score clears both floors, strongest first, at most top_k."""
    ranked = [(label, score) for label, score in tally.ranked() if label.casefold() not in exclude]
    if not ranked or ranked[0][1] <= 0:
        return []
    floor = max(threshold.min_score, threshold.min_share * ranked[0][1])
    return [label for label, score in ranked if score >= floor][: threshold.top_k]


def learn_budget(aggregates: Aggregates, band: float = 0.25, min_weight: float = 0.5) -> Budget | None:
    """A price band around what the user saves and buys; None when there is nothing to go on."""
    prices = [(p, w) for p, w in aggregates.prices if w > 0]
    if prices and sum(w for _, w in prices) >= min_weight:
        median = weighted_quantile(prices, 0.5)
        low = min(weighted_quantile(prices, 0.25), median * (1 - band))
        high = max(weighted_quantile(prices, 0.75), median * (1 + band))
        return Budget(min=math.floor(low * 100) / 100, max=math.ceil(high * 100) / 100)
    caps = [(c, w) for c, w in aggregates.price_caps if w > 0]
    if caps and sum(w for _, w in caps) >= min_weight:
        return Budget(max=weighted_quantile(caps, 0.5))
    return None


class OfflineLearner(Learner):
    name = "offline"

    def __init__(self, config: OfflineConfig | None = None) -> None:
        self.config = config or OfflineConfig()

    def learn(self, aggregates: Aggregates) -> LearnedPreferences:
        c = self.config
        disliked = {b.casefold() for b in aggregates.disliked_brands()}
        return LearnedPreferences(
            style=pick(aggregates.styles, c.styles),
            budget=learn_budget(aggregates, c.band, c.min_price_weight),
            size=pick(aggregates.sizes, c.sizes),
            productCategories=pick(aggregates.categories, c.categories),
            brands=pick(aggregates.brands, c.brands, exclude=disliked),
            colors=pick(aggregates.colors, c.colors),
        )
