"""The words the reader knows: brands, colours, retailers and product words.

Brands, colours, product words and the catalog's vocabulary come from
``data/lexicon.json``, which ``python -m shopper.research.lexicon --write`` derives
from the bundled catalog (a test keeps it in step). Stores no provider serves are
listed here: naming one ("at best buy") must not filter every result away, so it is
reported as ``Filters.unknown_retailer`` instead of a retailer id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

# Stores a shopper may name that no provider of ours serves.
OTHER_STORES = (
    "best buy", "bestbuy", "amazon", "walmart", "target", "ebay", "costco", "newegg",
    "home depot", "ikea", "argos", "currys", "john lewis", "aliexpress", "etsy", "macy's",
    "macys", "kohl's", "b&h", "staples", "apple store", "the apple store", "sam's club",
    "wayfair", "zalando", "temu", "shein", "lowe's", "lowes", "kmart", "micro center",
)  # fmt: skip

# Other ways a shopper names the retailers the providers serve.
_RETAILER_ALIASES = {"google": "serpapi", "dummy json": "dummyjson", "ice cat": "icecat"}


def brand_key(name: str) -> str:
    """How a brand is matched: lower case, no "!" ("be quiet!"), one space between words."""
    return re.sub(r"\s+", " ", name.lower().replace("!", "")).strip()


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Known words, keyed by their lower-case spoken form (hashed by identity, so caches can key on it)."""

    brands: dict[str, str] = field(default_factory=dict)  # key -> catalog spelling
    ordinary_word_brands: frozenset[str] = frozenset()  # keys that need a cue ("from brother")
    colors: dict[str, str] = field(default_factory=dict)  # spoken -> canonical ("gray" -> "grey")
    retailers: dict[str, str] = field(default_factory=dict)  # spoken name -> retailer id
    retailer_names: dict[str, str] = field(default_factory=dict)  # id -> provider's name
    other_stores: tuple[str, ...] = OTHER_STORES
    product_words: frozenset[str] = frozenset()
    vocabulary: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Lexicon:
        """Build from the JSON layout ``shopper.research.lexicon`` writes."""
        brands: dict[str, str] = {}
        for name in data.get("brands", ()):
            for key in {brand_key(name), brand_key(name).replace("-", " "), brand_key(name).replace("-", "")}:
                brands.setdefault(key, name)
        names = dict(data.get("retailers", {}))
        retailers = {rid.lower(): rid for rid in names}
        retailers.update({name.lower(): rid for rid, name in names.items()})
        retailers.update({alias: rid for alias, rid in _RETAILER_ALIASES.items() if rid in names})
        return cls(
            brands=brands,
            ordinary_word_brands=frozenset(brand_key(b) for b in data.get("ordinary_word_brands", ())),
            colors=dict(data.get("colors", {})),
            retailers=retailers,
            retailer_names=names,
            product_words=frozenset(data.get("product_words", ())),
            vocabulary=frozenset(data.get("vocabulary", ())),
        )

    @classmethod
    def default(cls) -> Lexicon:
        """The lexicon of the bundled catalog, read once per process."""
        return _default()


@cache
def _default() -> Lexicon:
    text = resources.files("shopper_core.understanding").joinpath("data/lexicon.json").read_text("utf-8")
    return Lexicon.from_data(json.loads(text))
