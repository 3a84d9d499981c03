"""The learned fallback for the intent: nearest paraphrases by character n-grams.

Rules know the phrasings someone wrote down; a shopper says others ("anything on my
wishlist yet?", "ditch the second one"). Where the rules are unsure, the turn is
compared with ``data/intent_paraphrases.jsonl`` (many phrasings per intent): TF-IDF
over word and character n-grams (so typos still share most of their grams), cosine
similarity, and a vote of the nearest neighbours. Pure Python with an inverted index,
built once per process from the packaged file (about 0.1 s), well under a millisecond
per turn. Scored on ``data/intent_heldout.jsonl``, which it is never trained or tuned on
(``python -m shopper_core.understanding.evaluate``).
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

NEIGHBOURS = 5
# Grams in more than this share of the paraphrases ("<th", "e>") say little and make the
# longest posting lists: left out of the index, they cut a turn's cost several times over.
MAX_DOCUMENT_SHARE = 0.1
_WORD_RE = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Prediction:
    intent: str
    probability: float  # share of the neighbours' similarity that voted for it
    similarity: float  # cosine of the nearest paraphrase, 0..1


def features(text: str) -> Counter[str]:
    """Word unigrams and bigrams, and character 3-4-grams of each padded word."""
    words = _WORD_RE.findall(text.lower())
    grams: Counter[str] = Counter()
    grams.update(f"w:{w}" for w in words)
    grams.update(f"b:{a}_{b}" for a, b in pairwise(words))
    for word in words:
        padded = f"<{word}>"
        for n in (3, 4):
            grams.update(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return grams


class IntentClassifier:
    """k-nearest paraphrases under TF-IDF cosine, with an inverted index."""

    def __init__(self, examples: Sequence[tuple[str, str]]) -> None:
        self._labels = [label for _, label in examples]
        counted = [features(text) for text, _ in examples]
        document_frequency: Counter[str] = Counter(g for grams in counted for g in grams)
        total = len(counted)
        self._idf = {g: math.log((1 + total) / (1 + df)) + 1 for g, df in document_frequency.items()}
        self._index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for row, grams in enumerate(counted):
            vector = self._weigh(grams)
            for gram, weight in vector.items():
                if document_frequency[gram] <= max(MAX_DOCUMENT_SHARE * total, 2):
                    self._index[gram].append((row, weight))

    def _weigh(self, grams: Counter[str]) -> dict[str, float]:
        vector = {g: (1 + math.log(n)) * self._idf[g] for g, n in grams.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {g: w / norm for g, w in vector.items()}

    def predict(self, text: str) -> Prediction:
        scores: dict[int, float] = defaultdict(float)
        for gram, weight in self._weigh(features(text)).items():
            for row, other in self._index.get(gram, ()):
                scores[row] += weight * other
        if not scores:
            return Prediction("unknown", 0.0, 0.0)
        nearest = heapq.nlargest(NEIGHBOURS, scores.items(), key=lambda kv: kv[1])
        votes: dict[str, float] = defaultdict(float)
        for row, score in nearest:
            votes[self._labels[row]] += score
        intent, vote = max(votes.items(), key=lambda kv: kv[1])
        return Prediction(intent, vote / (sum(votes.values()) or 1.0), nearest[0][1])


def read_examples(name: str) -> list[tuple[str, str]]:
    """(text, intent) pairs from a packaged JSONL file of {"text", "intent"} rows."""
    raw = resources.files("shopper_core.understanding").joinpath(f"data/{name}").read_text("utf-8")
    return list(parse_examples(raw.splitlines()))


def parse_examples(lines: Iterable[str]) -> Iterable[tuple[str, str]]:
    for line in lines:
        if line.strip():
            row = json.loads(line)
            yield str(row["text"]), str(row["intent"])


@cache
def default_classifier() -> IntentClassifier:
    """Trained once per process on the packaged paraphrases (normalised like live turns)."""
    from shopper_core.understanding.normalize import normalise

    return IntentClassifier(
        [(normalise(text), intent) for text, intent in read_examples("intent_paraphrases.jsonl")]
    )
