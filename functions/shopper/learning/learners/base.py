"""The learner interface: aggregates in, proposed (learned) preferences out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shopper.learning.aggregate import Aggregates
from shopper.models import LearnedPreferences


class LearnerError(Exception):
    """A learner produced no usable answer; the stored preferences stay as they were."""


class LearnerRejected(LearnerError):
    """The answer was refused or malformed: retrying the same input will not help."""


class LearnerUnavailable(LearnerError):
    """The learner could not be reached or was overloaded: worth a retry later."""


class Learner(ABC):
    """Proposes a user's preferences from their aggregated recent signals."""

    name: str = "learner"

    @abstractmethod
    def learn(self, aggregates: Aggregates) -> LearnedPreferences:
        """Return the proposal (already validated), or raise LearnerRejected / LearnerUnavailable."""
