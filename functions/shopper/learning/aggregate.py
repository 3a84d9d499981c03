"""Pure aggregation of a user's interaction signals into weighted taste tallies.

Each signal carries a weight by type (a purchase says more than a view; a dislike
counts against what it is about) times a recency decay (half-life of a few days),
and contributes that weight to the features it mentions: category, brand, colour,
style words and sizes (parsed from product names and spoken queries). Saved and
purchased items also contribute their price to the price evidence a budget is
learned from. Nothing here touches the network or the clock: `now_ms` is passed in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shopper.models import InteractionSignal, SignalType

DAY_MS = 24 * 60 * 60 * 1000

# How much one signal of each type says about taste, before recency decay.
SIGNAL_WEIGHTS: dict[SignalType, float] = {
    SignalType.purchase: 5.0,
    SignalType.save: 3.0,
    SignalType.click: 1.0,
    SignalType.view: 0.3,
    SignalType.voice_query: 0.8,
    SignalType.dislike: -4.0,
}
# A dislike is mostly about the item's brand; its colour or category only a little.
DISLIKE_SPILLOVER = 0.25
HALF_LIFE_DAYS = 3.0
# Signals whose price says what the user is willing to pay.
PRICED_TYPES = frozenset({SignalType.save, SignalType.purchase})

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STOPWORD_TEXT = (
    "a an the and or for of to in on with by from at is are be it this that these those my me i you "
    "some any find show get want need looking look buy please can could would like something one "
    "under below over above less more than about around between up dollars dollar bucks usd price "
    "cheap cheaper new best good great really very just also size inch inches gb tb"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

COLORS: dict[str, str] = {
    "black": "black",
    "white": "white",
    "gray": "gray",
    "grey": "gray",
    "silver": "silver",
    "gold": "gold",
    "red": "red",
    "blue": "blue",
    "navy": "navy",
    "green": "green",
    "olive": "olive",
    "yellow": "yellow",
    "orange": "orange",
    "purple": "purple",
    "violet": "purple",
    "pink": "pink",
    "brown": "brown",
    "beige": "beige",
    "tan": "tan",
    "cream": "cream",
    "ivory": "ivory",
    "teal": "teal",
    "turquoise": "turquoise",
    "burgundy": "burgundy",
    "maroon": "burgundy",
    "khaki": "khaki",
    "charcoal": "charcoal",
    "graphite": "graphite",
    "midnight": "midnight",
}
MULTIWORD_COLORS: dict[tuple[str, ...], str] = {
    ("rose", "gold"): "rose gold",
    ("space", "gray"): "space gray",
    ("space", "grey"): "space gray",
    ("navy", "blue"): "navy",
    ("off", "white"): "off-white",
}

# Words that describe a style rather than a product: what "style" is learned from.
STYLE_WORDS: dict[str, str] = {
    "wireless": "wireless",
    "bluetooth": "wireless",
    "cordless": "wireless",
    "ergonomic": "ergonomic",
    "minimalist": "minimalist",
    "minimal": "minimalist",
    "vintage": "vintage",
    "retro": "retro",
    "classic": "classic",
    "modern": "modern",
    "casual": "casual",
    "formal": "formal",
    "elegant": "elegant",
    "sporty": "sporty",
    "sport": "sporty",
    "athletic": "sporty",
    "outdoor": "outdoor",
    "rugged": "rugged",
    "waterproof": "waterproof",
    "gaming": "gaming",
    "mechanical": "mechanical",
    "portable": "portable",
    "compact": "compact",
    "slim": "slim",
    "lightweight": "lightweight",
    "premium": "premium",
    "luxury": "luxury",
    "leather": "leather",
    "wooden": "wood",
    "wood": "wood",
    "cotton": "cotton",
    "wool": "wool",
    "silent": "silent",
    "quiet": "silent",
    "rgb": "rgb",
    "smart": "smart",
    "organic": "organic",
    "eco": "eco-friendly",
    "recycled": "eco-friendly",
    "oversized": "oversized",
    "fitted": "fitted",
}
MULTIWORD_STYLES: dict[tuple[str, ...], str] = {
    ("noise", "cancelling"): "noise-cancelling",
    ("noise", "canceling"): "noise-cancelling",
    ("noise", "cancellation"): "noise-cancelling",
    ("eco", "friendly"): "eco-friendly",
    ("stainless", "steel"): "stainless steel",
}

# Sizes: letter sizes, "size 42" / "EU 42" / "US 10.5", "13 inch" / '13"', "256GB" / "1 TB".
_LETTER_SIZE_RE = re.compile(r"(?<![\w.])(xxs|xs|xl|xxl|xxxl|[2-5]xl)(?![\w.])", re.IGNORECASE)
_NAMED_SIZE_RE = re.compile(
    r"\b(?:size|sz|eu)\s*[:#]?\s*(xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl|\d{1,2}(?:\.5)?)(?![\w.])",
    re.IGNORECASE,
)
_INCH_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d)?)(?:\s*-?\s*inch(?:es)?\b|in\b|\s*[\"”]|'')", re.IGNORECASE
)
_STORAGE_RE = re.compile(r"(?<![\w.])(\d{1,4})\s*(gb|tb)\b", re.IGNORECASE)
_PRICE_CAP_RE = re.compile(
    r"\b(?:under|below|less than|cheaper than|up to|max(?:imum)?|no more than|within)\s*\$?\s*"
    r"(\d{1,7}(?:\.\d{1,2})?)",
    re.IGNORECASE,
)


def tokenize(text: str | None) -> list[str]:
    """Lower-case word tokens ("13.3", "o'neill" stay whole)."""
    return _TOKEN_RE.findall(text.casefold()) if text else []


def keywords(text: str | None) -> list[str]:
    """Content words of a query or name: tokens minus stop words and bare numbers, in order, unique."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token in STOPWORDS or len(token) < 2 or token.replace(".", "").isdigit():
            continue
        seen.setdefault(token, None)
    return list(seen)


def _phrases(tokens: Sequence[str], words: dict[str, str], multi: dict[tuple[str, ...], str]) -> list[str]:
    """Vocabulary hits in a token list; multi-word phrases win over their single words."""
    found: dict[str, None] = {}
    i = 0
    while i < len(tokens):
        for length in (3, 2):
            phrase = tuple(tokens[i : i + length])
            if len(phrase) == length and phrase in multi:
                found.setdefault(multi[phrase], None)
                i += length
                break
        else:
            if tokens[i] in words:
                found.setdefault(words[tokens[i]], None)
            i += 1
    return list(found)


def parse_colors(text: str | None) -> list[str]:
    return _phrases(tokenize(text), COLORS, MULTIWORD_COLORS)


def parse_styles(text: str | None) -> list[str]:
    return _phrases(tokenize(text), STYLE_WORDS, MULTIWORD_STYLES)


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else str(value)


def parse_sizes(text: str | None) -> list[str]:
    """Sizes named in a product name or query, normalised: "XL", "42", "13 inch", "256GB"."""
    if not text:
        return []
    found: dict[str, None] = {}
    for match in _NAMED_SIZE_RE.finditer(text):
        value = match.group(1)
        found.setdefault(value.upper() if value[0].isalpha() else _number(value), None)
    for match in _LETTER_SIZE_RE.finditer(text):
        found.setdefault(match.group(1).upper(), None)
    for match in _INCH_RE.finditer(text):
        found.setdefault(f"{_number(match.group(1))} inch", None)
    for match in _STORAGE_RE.finditer(text):
        found.setdefault(f"{int(match.group(1))}{match.group(2).upper()}", None)
    return list(found)


def parse_price_cap(text: str | None) -> float | None:
    """The most a spoken query says it will pay ("under 50 dollars" -> 50.0)."""
    if not text:
        return None
    caps = [float(m.group(1)) for m in _PRICE_CAP_RE.finditer(text)]
    return min(caps) if caps else None


def normalize_color(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    parsed = parse_colors(value)
    return parsed[0] if parsed else value.strip().casefold()


def decay(age_ms: int, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """Weight of a signal `age_ms` old: 1 now, 1/2 after one half-life; future timestamps count as now."""
    return 0.5 ** (max(age_ms, 0) / (half_life_days * DAY_MS))


@dataclass
class Tally:
    """Weighted evidence per feature value; keys are case-folded, labels keep the usual spelling."""

    scores: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    _spellings: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def add(self, label: str, weight: float) -> None:
        label = " ".join(label.split())
        if not label or weight == 0:
            return
        key = label.casefold()
        self.scores[key] = self.scores.get(key, 0.0) + weight
        spellings = self._spellings.setdefault(key, {})
        spellings[label] = spellings.get(label, 0.0) + abs(weight)
        # The most used spelling names the value; ties keep the first seen.
        self.labels[key] = max(spellings, key=lambda s: (spellings[s], -list(spellings).index(s)))

    def ranked(self) -> list[tuple[str, float]]:
        """(label, score) from strongest to weakest; ties by label, so the order is deterministic."""
        return sorted(
            ((self.labels[k], s) for k, s in self.scores.items()),
            key=lambda item: (-item[1], item[0].casefold()),
        )

    def score(self, label: str) -> float:
        return self.scores.get(label.casefold(), 0.0)

    def label(self, key: str) -> str:
        return self.labels.get(key.casefold(), key)


@dataclass
class Aggregates:
    """What a user's recent signals say, ready for a learner."""

    categories: Tally = field(default_factory=Tally)
    brands: Tally = field(default_factory=Tally)
    colors: Tally = field(default_factory=Tally)
    styles: Tally = field(default_factory=Tally)
    sizes: Tally = field(default_factory=Tally)
    keywords: Tally = field(default_factory=Tally)
    # (price, weight) of saved and purchased items.
    prices: list[tuple[float, float]] = field(default_factory=list)
    # (cap, weight) from queries such as "under 50 dollars".
    price_caps: list[tuple[float, float]] = field(default_factory=list)
    # Brands the user disliked at least once in the window (case-folded keys).
    disliked: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    newest_timestamp: int = 0

    @property
    def signal_count(self) -> int:
        return sum(self.counts.values())

    def disliked_brands(self) -> list[str]:
        """Brands disliked in the window whose net evidence is still negative."""
        return sorted(
            (self.brands.label(k) for k in self.disliked if self.brands.scores.get(k, 0.0) < 0),
            key=str.casefold,
        )

    def liked_brands(self, min_score: float) -> list[str]:
        """Brands with clearly positive net evidence (enough to lift an older dislike)."""
        return [label for label, score in self.brands.ranked() if score >= min_score]


def window_start(now_ms: int, window_days: int) -> int:
    return now_ms - window_days * DAY_MS


def aggregate(
    signals: Iterable[InteractionSignal],
    now_ms: int,
    window_days: int = 7,
    half_life_days: float = HALF_LIFE_DAYS,
) -> Aggregates:
    """Fold the signals of the last `window_days` (older ones are ignored) into tallies."""
    signals = [s for s in signals if s.timestamp >= window_start(now_ms, window_days)]
    agg = Aggregates()
    # Brands and categories the user met on items: a spoken query that names one counts for it.
    known_brands = {s.brand.casefold(): s.brand for s in signals if s.brand and s.brand.strip()}
    known_categories = {
        s.category.casefold(): s.category for s in signals if s.category and s.category.strip()
    }

    for signal in signals:
        agg.counts[signal.type.value] = agg.counts.get(signal.type.value, 0) + 1
        agg.newest_timestamp = max(agg.newest_timestamp, signal.timestamp)
        weight = SIGNAL_WEIGHTS[signal.type] * decay(now_ms - signal.timestamp, half_life_days)
        side = weight * DISLIKE_SPILLOVER if signal.type == SignalType.dislike else weight
        text = " ".join(t for t in (signal.productName, signal.queryText) if t)

        if signal.category and signal.category.strip():
            agg.categories.add(signal.category.strip().casefold(), side)
        if signal.brand and signal.brand.strip():
            agg.brands.add(signal.brand.strip(), weight)
            if signal.type == SignalType.dislike:
                agg.disliked.add(signal.brand.strip().casefold())

        colors = [c for c in [normalize_color(signal.color)] if c] or parse_colors(text)
        for color in colors:
            agg.colors.add(color, side)
        for style in dict.fromkeys([*parse_styles(text), *parse_styles(" ".join(signal.extractedKeywords))]):
            agg.styles.add(style, side)
        for size in parse_sizes(text):
            agg.sizes.add(size, side)

        if signal.type == SignalType.voice_query:
            words = keywords(signal.queryText)
            for word in words:
                agg.keywords.add(word, weight)
            # Only what the query names that the user's own items already showed.
            for word in words:
                if word in known_brands and not signal.brand:
                    agg.brands.add(known_brands[word], weight)
                if word in known_categories and not signal.category:
                    agg.categories.add(known_categories[word].casefold(), weight)
            cap = parse_price_cap(signal.queryText)
            if cap is not None:
                agg.price_caps.append((cap, weight))
        if signal.type in PRICED_TYPES and signal.price is not None and signal.price > 0:
            agg.prices.append((float(signal.price), weight))
    return agg


def weighted_quantile(values: Sequence[tuple[float, float]], q: float) -> float:
    """The q-quantile of (value, weight) pairs with positive weights (lower value on a tie)."""
    pairs = sorted((v, w) for v, w in values if w > 0 and math.isfinite(v))
    if not pairs:
        raise ValueError("no values with positive weight")
    total = sum(w for _, w in pairs)
    running = 0.0
    for value, w in pairs:
        running += w
        if running >= q * total - 1e-12:
            return value
    return pairs[-1][0]
