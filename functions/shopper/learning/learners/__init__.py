"""Learners: one file per way of turning aggregates into preferences.

`make_learner(settings)` picks the one settings.learner names.
"""

from __future__ import annotations

from shopper.learning.learners.base import Learner, LearnerError, LearnerRejected, LearnerUnavailable
from shopper.settings import Settings

__all__ = ["Learner", "LearnerError", "LearnerRejected", "LearnerUnavailable", "make_learner"]


def make_learner(settings: Settings) -> Learner:
    if settings.learner == "gemini":
        from shopper.learning.learners.gemini import GeminiLearner

        return GeminiLearner.from_settings(settings)
    from shopper.learning.learners.offline import OfflineLearner

    return OfflineLearner()
