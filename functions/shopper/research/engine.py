"""An in-memory product search engine: BM25F with phrase, brand and product-type signals.

Scoring of a document d for query terms q1..qn:

    bm25f(d) = sum_i qw_i * idf(q_i) * tf~(q_i, d) * (k1 + 1) / (tf~(q_i, d) + k1)
    tf~(t, d) = sum_field  weight_field * tf_field(t, d) / (1 - b_field + b_field * len_field / avglen_field)

`tf~` does not depend on the query, so each posting stores its finished term score and
search is a sum over postings. On top of it, multiplicative signals a shopper expects:
- coordination: documents matching every query concept beat those matching some;
- phrase: adjacent query terms adjacent in the title;
- brand: the query names a brand and the product is that brand (not "for Lenovo");
- product type: the query's head noun ("notebook") is the product's type, not a
  modifier of an accessory ("notebook case"), unless the query asks for that accessory.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopper.research.catalog_data import CatalogItem, normalise_color
from shopper.research.text import STOPWORDS, analyze, expansions
from shopper.research.types import ParsedQuery, SearchFilters, SortHint

FIELD_WEIGHTS = {"title": 3.0, "brand": 1.5, "category": 2.0, "description": 1.2}
FIELD_B = {"title": 0.6, "brand": 0.0, "category": 0.3, "description": 0.75}
K1 = 1.2

COORDINATION_POWER = 2.0
PHRASE_BOOST = 0.35
BRAND_BOOST = 0.6
TYPE_BOOST = 0.8
MODIFIER_PENALTY = 0.3

# Nouns that turn the word before them into a modifier ("notebook case", "projector lamp").
ACCESSORY_TERMS = frozenset(
    analyze(
        "case cases bag sleeve mount mounts stand arm lamp cable cord charger adapter cover holder "
        "filter protector bracket kit lock cooler backpack dock skin strap replacement part parts "
        "accessory accessories tray cartridge toner ink drum battery pen stylus sticker film pouch "
        "enclosure lens cleaning spare remote controller keyboard screen wall ceiling desk pole "
        "fuser belt roller"
    )
)
# "for X" / "compatible with X": X names what the product fits, not what it is.
FITS_MARKERS = frozenset({"for", "compat", "fit", "fits"})


@dataclass(slots=True)
class SearchHit:
    item: CatalogItem
    score: float


@dataclass(slots=True)
class _DocMeta:
    type_terms: frozenset[str]
    type_head: str | None
    modifier_terms: frozenset[str]
    brand_terms: tuple[str, ...]
    colors: frozenset[str]
    brand_lower: str


def _type_terms(item: CatalogItem) -> list[str]:
    return analyze(item.category or "")


class SearchEngine:
    """Build once per process (`SearchEngine.build(items)`), then `search` many times."""

    def __init__(self, items: Sequence[CatalogItem]) -> None:
        started = time.perf_counter()
        self.items = list(items)
        self._meta: list[_DocMeta] = []
        self._postings: dict[str, dict[int, float]] = {}
        self._title_bigrams: dict[str, set[int]] = defaultdict(set)
        self._brands: dict[tuple[str, ...], str] = {}
        self._build()
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def build(cls, items: Iterable[CatalogItem]) -> SearchEngine:
        return cls(list(items))

    # ------------------------------------------------------------------ indexing

    def _build(self) -> None:
        field_terms: dict[str, list[list[str]]] = {f: [] for f in FIELD_WEIGHTS}
        for doc, item in enumerate(self.items):
            title = analyze(item.title)
            brand = analyze(item.brand or "")
            category = _type_terms(item)
            description = analyze(item.description) if item.description != item.title else []
            field_terms["title"].append(title)
            field_terms["brand"].append(brand)
            field_terms["category"].append(category)
            field_terms["description"].append(description)
            for left, right in itertools.pairwise(title):
                self._title_bigrams[f"{left} {right}"].add(doc)
            if brand and len(brand) <= 3:
                self._brands.setdefault(tuple(brand), (item.brand or "").lower())
            self._meta.append(
                _DocMeta(
                    type_terms=frozenset(category),
                    type_head=category[-1] if category else None,
                    modifier_terms=frozenset(_modifier_terms(title)),
                    brand_terms=tuple(brand),
                    colors=frozenset(item.colors),
                    brand_lower=(item.brand or "").lower(),
                )
            )
        n_docs = max(len(self.items), 1)
        avg_len = {f: (sum(len(t) for t in terms) / n_docs) or 1.0 for f, terms in field_terms.items()}
        pseudo_tf: dict[str, dict[int, float]] = defaultdict(dict)
        for field, per_doc in field_terms.items():
            weight, b, avg = FIELD_WEIGHTS[field], FIELD_B[field], avg_len[field]
            for doc, terms in enumerate(per_doc):
                if not terms:
                    continue
                norm = 1.0 - b + b * len(terms) / avg
                counts: dict[str, int] = {}
                for term in terms:
                    counts[term] = counts.get(term, 0) + 1
                for term, tf in counts.items():
                    postings = pseudo_tf[term]
                    postings[doc] = postings.get(doc, 0.0) + weight * tf / norm
        for term, postings in pseudo_tf.items():
            df = len(postings)
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            self._postings[term] = {doc: idf * tf * (K1 + 1) / (tf + K1) for doc, tf in postings.items()}

    # ------------------------------------------------------------------ querying

    def idf_weight(self, term: str) -> float:
        postings = self._postings.get(term)
        if not postings:
            return 0.0
        n_docs = max(len(self.items), 1)
        return math.log(1.0 + (n_docs - len(postings) + 0.5) / (len(postings) + 0.5))

    def detect_brand(self, terms: Sequence[str]) -> tuple[str | None, list[str]]:
        """The brand named in the query (longest match) and the remaining terms."""
        for size in (3, 2, 1):
            for i in range(len(terms) - size + 1):
                brand = self._brands.get(tuple(terms[i : i + size]))
                if brand:
                    return brand, [*terms[:i], *terms[i + size :]]
        return None, list(terms)

    def search(self, query: ParsedQuery | str, limit: int = 20) -> list[SearchHit]:
        parsed = query if isinstance(query, ParsedQuery) else ParsedQuery(text=query, raw_text=query)
        terms = [t for t in analyze(parsed.text) if t not in STOPWORDS]
        if not terms:
            return self._browse(parsed.filters, parsed.sort, limit)
        terms = list(dict.fromkeys(terms))
        brand, rest = self.detect_brand(terms)
        head = rest[-1] if rest else None

        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        concept_weight = [self.idf_weight(t) or 1.0 for t in terms]
        total_weight = sum(concept_weight)
        for index, term in enumerate(terms):
            bit = 1 << index
            for related, qw in ((term, 1.0), *expansions(term)):
                postings = self._postings.get(related)
                if not postings:
                    continue
                for doc, weight in postings.items():
                    scores[doc] += qw * weight
                    matched[doc] |= bit

        phrase_docs: set[int] = set()
        for left, right in itertools.pairwise(terms):
            phrase_docs |= self._title_bigrams.get(f"{left} {right}", set())

        head_related = {head, *(r for r, w in expansions(head) if w >= 0.5)} if head else set()
        filters = parsed.filters
        hits: list[tuple[float, int]] = []
        for doc, score in scores.items():
            item = self.items[doc]
            if not _passes(item, self._meta[doc], filters):
                continue
            mask = matched[doc]
            covered = sum(w for i, w in enumerate(concept_weight) if mask >> i & 1)
            score *= (covered / total_weight) ** COORDINATION_POWER
            if doc in phrase_docs:
                score *= 1.0 + PHRASE_BOOST
            meta = self._meta[doc]
            if brand and meta.brand_lower == brand:
                score *= 1.0 + BRAND_BOOST
            if head:
                if meta.type_head in head_related:
                    score *= 1.0 + TYPE_BOOST
                elif (head in meta.modifier_terms or head in meta.type_terms) and meta.type_head not in terms:
                    score *= 1.0 - MODIFIER_PENALTY
            hits.append((score, doc))
        hits.sort(key=lambda pair: (-pair[0], pair[1]))
        if parsed.sort != SortHint.relevance:
            hits = _resort(hits[: max(limit * 3, 30)], self.items, parsed.sort)
        return [SearchHit(self.items[doc], score) for score, doc in hits[:limit]]

    def _browse(self, filters: SearchFilters, sort: SortHint, limit: int) -> list[SearchHit]:
        """No search words (e.g. "anything from Sony under $50"): filtered, best rated first."""
        docs = [d for d, item in enumerate(self.items) if _passes(item, self._meta[d], filters)]
        if not docs or (filters == SearchFilters()):
            return []
        hits = [(float(self.items[d].rating or 0.0), d) for d in docs]
        hits.sort(key=lambda pair: (-pair[0], pair[1]))
        if sort != SortHint.relevance:
            hits = _resort(hits, self.items, sort)
        return [SearchHit(self.items[d], s) for s, d in hits[:limit]]


def _modifier_terms(title: list[str]) -> list[str]:
    """Title terms that describe what a product fits rather than what it is."""
    out = []
    for i, term in enumerate(title):
        if i + 1 < len(title) and title[i + 1] in ACCESSORY_TERMS and term not in ACCESSORY_TERMS:
            out.append(term)
        if i > 0 and title[i - 1] in FITS_MARKERS:
            out.append(term)
    return out


def _passes(item: CatalogItem, meta: _DocMeta, filters: SearchFilters) -> bool:
    if filters.min_price is not None and item.price < filters.min_price:
        return False
    if filters.max_price is not None and item.price > filters.max_price:
        return False
    if filters.min_rating is not None and (item.rating is None or item.rating < filters.min_rating):
        return False
    if filters.retailers and item.retailer not in filters.retailers:
        return False
    if filters.brand and meta.brand_lower != filters.brand.lower():
        return False
    return not (filters.color and normalise_color(filters.color) not in meta.colors)


def _resort(
    hits: list[tuple[float, int]], items: list[CatalogItem], sort: SortHint
) -> list[tuple[float, int]]:
    if sort == SortHint.price_low:
        return sorted(hits, key=lambda pair: (items[pair[1]].price, -pair[0]))
    if sort == SortHint.rating_high:
        return sorted(hits, key=lambda pair: (-(items[pair[1]].rating or 0.0), -pair[0]))
    return hits
