"""The words the understanding package knows, derived from the bundled catalog.

    python -m shopper.research.lexicon --write

writes core/shopper_core/understanding/data/lexicon.json: the catalog's own brand
spellings (so "from Sony" filters on the brand the data carries, and a brand is never
a hand-kept list that drifts from the data), its colour words, its product-type words
and the retailers as the providers name them. The file is committed; a unit test
regenerates it and compares, so it cannot drift from the catalog.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shopper.research.catalog_data import (
    _TYPE_NOUNS,
    COLOR_ALIASES,
    COLOR_WORDS,
    RETAILER_DUMMYJSON,
    RETAILER_ICECAT,
    CatalogItem,
    load_catalog,
)
from shopper.research.providers.serpapi import SerpApiProvider

LEXICON_PATH = Path(__file__).resolve().parents[3] / "core/shopper_core/understanding/data/lexicon.json"

# Retailer id -> the name its provider gives it (providers/catalog.py SOURCE_NAMES;
# serpapi.py reports "Google Shopping" as the source when a row names none).
RETAILERS = {
    RETAILER_ICECAT: "Icecat",
    RETAILER_DUMMYJSON: "DummyJSON",
    SerpApiProvider.name: "Google Shopping",
}

# Brands whose name is also an ordinary English word: they count as a brand only when
# the shopper marks them as one ("from Brother", "Brother's", "a brother printer"),
# never in "a gift for my brother". Checked against the catalog's brand list by hand.
ORDINARY_WORD_BRANDS = frozenset(
    {
        "act", "attitude", "brother", "buffalo", "chief", "denver", "dodge", "equip", "essence",
        "integral", "jumbo", "lena", "manhattan", "off white", "peach", "princess", "shuttle",
        "speck", "vivo", "knoll", "beats", "step2",
    }
)  # fmt: skip

# Colours the catalog carries that a shopper does not ask for by that name.
_NOT_SPOKEN_COLOURS = frozenset({"assorted colours", "black on transparent"})
_MIN_COLOUR_ITEMS = 3
_MIN_TYPE_ITEMS = 3
_TYPE_WORD_RE = re.compile(r"^[a-z][a-z-]{2,}$")
# Words of category names that do not say what a product is ("one", "free", "select").
_NOT_TYPE_WORDS = frozenset(
    {
        "and", "for", "use", "the", "with", "purpose", "unit", "accessory", "supply", "one", "not",
        "only", "free", "select", "view", "on-site", "included", "std", "nbd", "fcn", "exch", "deg",
        "replaces", "categorized", "continous", "skrivare", "modulaire", "arcitec", "iiyama",
        "colour", "gold", "silver", "transparent", "smart", "classic", "extra", "large", "single",
        "double", "side", "line", "point", "set", "part", "option", "heavy", "strong", "quiet",
        "deep", "hard", "solid", "state", "sub", "tab", "bit", "byte", "rest", "shot", "stick",
        "project", "skills", "numbers", "image", "page", "service", "support", "system",
        "warranty", "license", "management", "yield", "ratio", "capacity", "density", "design",
        "family", "format", "wide", "multi", "mini", "micro", "dot", "dots",
    }
)  # fmt: skip
_VOCABULARY_RE = re.compile(r"[a-z][a-z'-]+[a-z]")
_MIN_VOCABULARY_TITLES = 3


def brand_spellings(items: Iterable[CatalogItem]) -> list[str]:
    """One spelling per brand (the most common, "DELL" over "Dell"), sorted case-insensitively."""
    counts = Counter(item.brand.strip() for item in items if item.brand and item.brand.strip())
    best: dict[str, tuple[int, str]] = {}
    for name, count in counts.items():
        key = name.lower()
        if key not in best or (count, name) > best[key]:
            best[key] = (count, name)
    return sorted((name for _, name in best.values()), key=str.lower)


def colour_words(items: Iterable[CatalogItem]) -> dict[str, str]:
    """Spoken colour word -> the canonical word the catalog stores ("gray" -> "grey")."""
    counts = Counter(colour for item in items for colour in item.colors)
    colours = {c for c, n in counts.items() if n >= _MIN_COLOUR_ITEMS and c not in _NOT_SPOKEN_COLOURS}
    colours |= {w for w in COLOR_WORDS if w not in COLOR_ALIASES}
    table = {c: c for c in colours}
    table.update({alias: canon for alias, canon in COLOR_ALIASES.items() if canon})
    table.update({"multicolored": "multicolour", "multicoloured": "multicolour", "aluminum": "aluminium"})
    table.update({"rose gold": "rose gold", "space grey": "space grey", "space gray": "space grey"})
    return dict(sorted(table.items()))


# What shoppers call kinds the catalog names otherwise (its titles say "Eau de Parfum",
# "CK One", "Oppo K1"; its categories "fragrances", "smartphones"): the spoken side of
# product_types.TYPE_ALIASES and PRODUCT_LINES, so "perfume under 25 bucks" is a search.
SPOKEN_TYPE_WORDS = frozenset(
    {
        "perfume", "perfumes", "cologne", "fragrance", "smartphone", "cellphone", "sneakers",
        "trainers", "tv", "tvs", "television", "earbuds", "jewelry", "jewellery", "earrings",
        "necklace", "bracelet", "sunglasses", "shoes", "watch", "watches", "dress", "dresses",
        "lipstick", "mascara", "makeup", "skincare", "moisturizer", "furniture", "sofa", "bed",
        "motorcycle", "motorbike", "car", "groceries", "shirt", "shirts", "tops",
    }
)  # fmt: skip


def product_words(items: Iterable[CatalogItem]) -> list[str]:
    """Single words that name what a product is, from the catalog's categories and type nouns,
    and the words shoppers use for those kinds."""
    counts: Counter[str] = Counter()
    for item in items:
        if item.category:
            counts.update(set(re.split(r"[\s/]+", item.category.lower())))
    words = {w for w, n in counts.items() if n >= _MIN_TYPE_ITEMS and _TYPE_WORD_RE.match(w)}
    words |= {w for noun in _TYPE_NOUNS for w in noun.split()}
    words |= SPOKEN_TYPE_WORDS
    return sorted(words - _NOT_TYPE_WORDS)


def vocabulary(items: Iterable[CatalogItem]) -> list[str]:
    """Words of at least three titles: what the catalog can match, so never "corrected" as a typo."""
    counts: Counter[str] = Counter()
    for item in items:
        counts.update(set(_VOCABULARY_RE.findall(item.title.lower())))
    return sorted(w for w, n in counts.items() if n >= _MIN_VOCABULARY_TITLES)


def build_lexicon(items: list[CatalogItem]) -> dict[str, Any]:
    """The lexicon as JSON-ready data (deterministic: same catalog, same content)."""
    brands = brand_spellings(items)
    return {
        "brands": brands,
        "ordinary_word_brands": sorted(b for b in brands if b.lower() in ORDINARY_WORD_BRANDS),
        "colors": colour_words(items),
        "product_words": product_words(items),
        "retailers": RETAILERS,
        "vocabulary": vocabulary(items),
    }


def render(lexicon: dict[str, Any]) -> str:
    return json.dumps(lexicon, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {LEXICON_PATH}")
    args = parser.parse_args(argv)
    text = render(build_lexicon(load_catalog()))
    if args.write:
        LEXICON_PATH.parent.mkdir(parents=True, exist_ok=True)
        LEXICON_PATH.write_text(text, encoding="utf-8")
    else:
        import sys

        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
