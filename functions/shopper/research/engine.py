"""An in-memory product search engine: BM25F with phrase, brand and product-type signals.

Scoring of a document d for query terms q1..qn:

    bm25f(d) = sum_i qw_i * idf(q_i) * tf~(q_i, d) * (k1 + 1) / (tf~(q_i, d) + k1)
    tf~(t, d) = sum_f  weight_f * tf_f(t, d) / (1 - b_f + b_f * len_f / avglen_f,r)

`avglen_f,r` is the average length of that field among the products of the
document's retailer r: each source writes titles and descriptions its own way (Icecat
titles are long model strings, DummyJSON titles three words), and a short title should
only earn a bonus against titles written the same way.

`tf~` does not depend on the query, so each posting stores its finished term score and
search is a sum over postings. On top of it, multiplicative signals a shopper expects:
- coordination: documents matching every query concept beat those matching some;
- phrase: adjacent query terms adjacent in the title;
- brand: the query names a brand and the product is that brand (not "for Lenovo");
- product type: the query's head noun ("notebook") is the product's type, not a
  modifier of an accessory ("notebook case"), unless the query asks for that accessory.

The index is a handful of numpy arrays (postings in CSR form: term -> documents and
scores), so a search is a few vector operations and the whole index can be written to
a cache file and loaded in a few tens of milliseconds (`save` / `load`,
`python -m shopper.research.engine --build`).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import pickle
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from shopper.research.attributes import (
    TERM_ATTRIBUTES,
    close_values,
    product_attributes,
    query_attributes,
    read_intent,
)
from shopper.research.catalog_data import CatalogItem, normalise_color
from shopper.research.product_types import (
    ACCESSORY_TYPES,
    canonical_type,
    category_says_type,
    is_accessory,
    is_main_product,
    product_type,
    query_type,
    related_types,
    type_words,
)
from shopper.research.text import STOPWORDS, analyze, expansions, replaced_stems
from shopper.research.types import ParsedQuery, SearchFilters, SortHint

FIELD_WEIGHTS = {"title": 3.0, "brand": 1.5, "category": 2.0, "description": 1.2}
FIELD_B = {"title": 0.6, "brand": 0.0, "category": 0.3, "description": 0.75}
K1 = 1.2


@dataclass(frozen=True, slots=True)
class RankParams:
    """The multiplicative signals on top of BM25F (tuned by cross-validation in
    bench/relevance.py; the defaults are the chosen values)."""

    coordination_power: float = 2.0
    phrase_boost: float = 0.35
    brand_boost: float = 0.6
    # the product is the type the query asks for (x 1 + boost * how closely)
    type_boost: float = 0.5
    # it is another known type / an accessory of the asked type / its type is unknown
    type_mismatch: float = 0.35
    accessory: float = 0.2
    unknown_type: float = 0.8
    modifier_penalty: float = 0.15
    # the product's type phrase has the query's word before the type ("hard" drive)
    type_phrase_boost: float = 0.3
    # a stated attribute: has it / contradicts it / does not say
    attr_boost: float = 0.4
    attr_conflict: float = 0.3
    attr_missing: float = 0.6
    # "cheap" / "high end": x exp(+-price * (0.5 - price percentile among comparable matches))
    price_pref: float = 0.8


DEFAULT_PARAMS = RankParams()
# A browsed product's score falls with its place (as a provider's position does in merging).
BROWSE_DECAY = 0.08
# When nothing of the asked type matches, how close what is made for that type counts (type = 1).
MADE_FOR_WEIGHT = 0.5
# Fewer products of the asked type than this: rank by the words alone ("desk" finds desk mounts).
MIN_TYPE_DOCS = 3
# Query weight of the words a synonym replaced ("smart watch" -> smartwatch, and "watch").
SURFACE_WEIGHT = 0.5

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
# Words of a request that say who it is for or how it is meant, not what it is.
_INTENT_WORDS = frozenset(analyze("gift present idea ideas who likes loves enjoys something anything"))
_RUN_RE = re.compile(r"[a-z]+|[0-9]+")
# "for X" / "compatible with X": X names what the product fits, not what it is.
FITS_MARKERS = frozenset({"for", "compat", "fit", "fits"})

# Bump when the index layout or the scoring-time fields change (invalidates cache files).
INDEX_FORMAT = 7
_SOURCE_FILES = ("engine.py", "text.py", "catalog_data.py", "product_types.py", "attributes.py")
_ITEM_FIELDS = tuple(f.name for f in fields(CatalogItem))


@dataclass(slots=True)
class SearchHit:
    item: CatalogItem
    score: float
    # what the shopper asked for that this product has, in words ("bluetooth", "55 inch")
    matched: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Csr:
    """key id -> documents (ascending) and, optionally, one value per document."""

    indptr: np.ndarray
    docs: np.ndarray
    values: np.ndarray | None = None

    def docs_of(self, key: int) -> np.ndarray:
        return self.docs[self.indptr[key] : self.indptr[key + 1]]

    def values_of(self, key: int) -> np.ndarray:
        assert self.values is not None
        return self.values[self.indptr[key] : self.indptr[key + 1]]

    @classmethod
    def from_pairs(
        cls,
        keys: Sequence[int] | np.ndarray,
        docs: Sequence[int] | np.ndarray,
        n_keys: int,
        values: Sequence[float] | np.ndarray | None = None,
    ) -> _Csr:
        key_arr = np.asarray(keys, dtype=np.int64)
        doc_arr = np.asarray(docs, dtype=np.int64)
        order = np.lexsort((doc_arr, key_arr))
        key_arr, doc_arr = key_arr[order], doc_arr[order]
        val_arr = None if values is None else np.asarray(values, dtype=np.float64)[order]
        if len(key_arr):  # merge duplicate (key, doc) pairs
            first = np.ones(len(key_arr), dtype=bool)
            first[1:] = (key_arr[1:] != key_arr[:-1]) | (doc_arr[1:] != doc_arr[:-1])
            starts = np.flatnonzero(first)
            if val_arr is not None:
                val_arr = np.add.reduceat(val_arr, starts)
            key_arr, doc_arr = key_arr[starts], doc_arr[starts]
        indptr = np.zeros(n_keys + 1, dtype=np.int64)
        np.cumsum(np.bincount(key_arr, minlength=n_keys), out=indptr[1:])
        return cls(indptr, doc_arr.astype(np.int32), val_arr)


class _LazyItems(Sequence[CatalogItem]):
    """Items of a loaded index, made into CatalogItem records only when a search returns them."""

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows
        self._made: list[CatalogItem | None] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._made[index]
        if item is None:
            item = self._made[index] = CatalogItem(*self._rows[index])
        return item


@functools.lru_cache(maxsize=8192)
def _analyzed(text: str) -> tuple[str, ...]:
    """`analyze` for the short strings many products share (brands, categories)."""
    return tuple(analyze(text))


class SearchEngine:
    """Build once per process (`SearchEngine(items)`, or `load` a saved index), then `search`."""

    def __init__(self, items: Sequence[CatalogItem]) -> None:
        started = time.perf_counter()
        self.items: Sequence[CatalogItem] = list(items)
        self.params = DEFAULT_PARAMS
        self._build()
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def build(cls, items: Iterable[CatalogItem]) -> SearchEngine:
        return cls(list(items))

    # ------------------------------------------------------------------ indexing

    def _build(self) -> None:
        n_docs = len(self.items)
        vocab: dict[str, int] = {}
        bigrams: dict[tuple[int, int], int] = {}
        colors: dict[str, int] = {}
        brands: dict[str, int] = {"": 0}
        retailers: dict[str, int] = {}
        self._brands: dict[tuple[str, ...], str] = {}

        def tid(term: str) -> int:
            return vocab.setdefault(term, len(vocab))

        retailer_of = np.empty(n_docs, dtype=np.int32)
        per_field: dict[str, list[list[str]]] = {f: [] for f in FIELD_WEIGHTS}
        type_head = np.full(n_docs, -1, dtype=np.int64)
        brand_of = np.zeros(n_docs, dtype=np.int32)
        pair_keys: dict[str, tuple[list[int], list[int]]] = {
            n: ([], []) for n in ("bigram", "mod", "type", "color", "attr")
        }
        types: dict[str, int] = {}
        attr_keys: dict[str, int] = {}
        ptype = np.full(n_docs, -1, dtype=np.int32)
        main = np.zeros(n_docs, dtype=bool)
        for doc, item in enumerate(self.items):
            kind = product_type(item.category, item.title, item.description)
            if kind:
                ptype[doc] = types.setdefault(kind, len(types))
            attrs = product_attributes(item.title, item.description)
            title = analyze(item.title)
            brand = _analyzed(item.brand or "")
            category = list(_analyzed(item.category or ""))
            main[doc] = is_main_product(kind, category, item.title)
            if kind and not category_says_type(category):
                category = [*category, kind]  # what it is, when its category does not say
            description = analyze(item.description) if item.description != item.title else []
            per_field["title"].append(title)
            per_field["brand"].append(brand)
            per_field["category"].append(category)
            per_field["description"].append(description)
            retailer_of[doc] = retailers.setdefault(item.retailer, len(retailers))
            brand_lower = (item.brand or "").lower()
            brand_of[doc] = brands.setdefault(brand_lower, len(brands))
            if brand and len(brand) <= 3:
                self._brands.setdefault(tuple(brand), brand_lower)
            if category:
                type_head[doc] = tid(category[-1])
            for key, terms in (
                (
                    "bigram",
                    [
                        bigrams.setdefault((tid(a), tid(b)), len(bigrams))
                        for a, b in itertools.pairwise(title)
                    ],
                ),
                ("mod", [tid(t) for t in _modifier_terms(title, category)]),
                ("type", [tid(t) for t in category]),
                ("color", [colors.setdefault(c, len(colors)) for c in item.colors]),
                ("attr", [attr_keys.setdefault(a, len(attr_keys)) for a in sorted(attrs)]),
            ):
                pair_keys[key][0].extend(terms)
                pair_keys[key][1].extend([doc] * len(terms))

        # one posting per (field, document, term occurrence), built a field at a time
        post_terms: list[np.ndarray] = []
        post_docs: list[np.ndarray] = []
        post_tf: list[np.ndarray] = []
        n_retailers = max(len(retailers), 1)
        for name, per_doc in per_field.items():
            weight, b = FIELD_WEIGHTS[name], FIELD_B[name]
            counts_per_doc = np.fromiter((len(t) for t in per_doc), dtype=np.int64, count=n_docs)
            lengths = counts_per_doc.astype(np.float64)
            totals = np.bincount(retailer_of, weights=lengths, minlength=n_retailers)
            counts = np.bincount(retailer_of, minlength=n_retailers)
            avg = np.where(totals > 0, totals / np.maximum(counts, 1), 1.0)
            scale = weight / (1.0 - b + b * lengths / avg[retailer_of])
            flat = list(itertools.chain.from_iterable(per_doc))
            post_terms.append(
                np.fromiter((vocab.setdefault(t, len(vocab)) for t in flat), dtype=np.int64, count=len(flat))
            )
            post_docs.append(np.repeat(np.arange(n_docs, dtype=np.int64), counts_per_doc))
            post_tf.append(np.repeat(scale, counts_per_doc))
        n_terms = len(vocab)
        postings = _Csr.from_pairs(
            np.concatenate(post_terms), np.concatenate(post_docs), n_terms, np.concatenate(post_tf)
        )
        df = np.diff(postings.indptr).astype(np.float64)
        idf = np.log(1.0 + (max(n_docs, 1) - df + 0.5) / (df + 0.5))
        tf = postings.values
        assert tf is not None
        term_of_posting = np.repeat(np.arange(n_terms), np.diff(postings.indptr))
        scores = idf[term_of_posting] * tf * (K1 + 1) / (tf + K1)

        self._vocab = vocab
        # title bigram (left id, right id) as one sortable int key -> its row in _bigram_docs
        keys = np.fromiter((a * n_terms + b for a, b in bigrams), dtype=np.int64, count=len(bigrams))
        self._bigram_keys = keys[np.argsort(keys)]
        bigram_rank = np.empty(len(bigrams), dtype=np.int64)
        bigram_rank[np.argsort(keys)] = np.arange(len(bigrams))
        self._colors = colors
        self._brand_ids = brands
        self._retailer_ids = retailers
        self._idf = idf
        self._postings = _Csr(postings.indptr, postings.docs, scores)
        self._bigram_docs = _Csr.from_pairs(
            bigram_rank[np.asarray(pair_keys["bigram"][0], dtype=np.int64)].tolist(),
            pair_keys["bigram"][1],
            len(bigrams),
        )
        self._modifier_docs = _Csr.from_pairs(*pair_keys["mod"], n_terms)
        self._type_docs = _Csr.from_pairs(*pair_keys["type"], n_terms)
        self._color_docs = _Csr.from_pairs(*pair_keys["color"], len(colors))
        self._type_head = type_head
        self._types = types
        self._ptype = ptype
        type_names = list(types)
        self._accessory = np.isin(ptype, [types[t] for t in type_names if is_accessory(t)])
        self._main = main
        self._known_types = type_words(type_names)
        self._attr_keys = attr_keys
        self._attr_docs = _Csr.from_pairs(*pair_keys["attr"], len(attr_keys))
        self._has_prefix = {
            prefix: self._docs_with(lambda k, p=prefix: k.startswith(p), n_docs)
            for prefix in ("inch:", "gb:")
        }
        self._brand_of = brand_of
        self._retailer_of = retailer_of
        self._price = np.fromiter((i.price for i in self.items), dtype=np.float64, count=n_docs)
        self._rating = np.fromiter(
            (math.nan if i.rating is None else i.rating for i in self.items), dtype=np.float64, count=n_docs
        )
        self._released = np.fromiter((_day(i.released) for i in self.items), dtype=np.float64, count=n_docs)

    def _docs_with(self, wanted, n_docs: int) -> np.ndarray:
        out = np.zeros(n_docs, dtype=bool)
        for key, key_id in self._attr_keys.items():
            if wanted(key):
                out[self._attr_docs.docs_of(key_id)] = True
        return out

    # ------------------------------------------------------------------ persistence

    _STATE = (
        *("_vocab", "_bigram_keys", "_colors", "_brand_ids", "_retailer_ids", "_brands", "_idf", "_postings"),
        *("_bigram_docs", "_modifier_docs", "_type_docs", "_color_docs"),
        *("_type_head", "_brand_of", "_retailer_of", "_price", "_rating", "_released"),
        *(
            "_types",
            "_ptype",
            "_accessory",
            "_main",
            "_known_types",
            "_attr_keys",
            "_attr_docs",
            "_has_prefix",
        ),
    )

    def save(self, path: Path, source_hash: str) -> None:
        """Write the built index (atomically) for `load` with the same `source_hash`."""
        state = {name: getattr(self, name) for name in self._STATE}
        row_of = operator.attrgetter(*_ITEM_FIELDS)  # dataclasses.astuple deep-copies: 30x slower
        state["items"] = [row_of(item) for item in self.items]
        state["source_hash"] = source_hash
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + f".{time.monotonic_ns()}.tmp")
        partial.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)

    @classmethod
    def load(cls, path: Path, source_hash: str) -> SearchEngine | None:
        """The index saved at `path`, or None when it is missing, unreadable or stale.

        Only ever load files this process family wrote (pickle)."""
        started = time.perf_counter()
        try:
            state = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("source_hash") != source_hash:
            return None
        engine = cls.__new__(cls)
        engine.params = DEFAULT_PARAMS
        engine.items = _LazyItems(state.pop("items"))
        for name in cls._STATE:
            setattr(engine, name, state[name])
        engine.build_seconds = time.perf_counter() - started
        return engine

    # ------------------------------------------------------------------ querying

    def idf_weight(self, term: str) -> float:
        term_id = self._vocab.get(term)
        return float(self._idf[term_id]) if term_id is not None else 0.0

    def _bigram_row(self, left: str, right: str) -> int | None:
        a, b = self._vocab.get(left), self._vocab.get(right)
        if a is None or b is None:
            return None
        key = a * len(self._vocab) + b
        row = int(np.searchsorted(self._bigram_keys, key))
        return row if row < len(self._bigram_keys) and self._bigram_keys[row] == key else None

    def _model_codes(self, words: list[str]) -> list[str]:
        """A model number written without its hyphen ("tn2110", "mdr222kd") is split where
        the catalog writes it apart ("TN-2110" indexes as tn, 2110): an unknown word of
        letters and digits becomes the fewest known pieces of its letter and digit runs."""
        out: list[str] = []
        for word in words:
            runs = _RUN_RE.findall(word)
            if len(runs) < 2 or word in self._vocab or len(runs) > 8:
                out.append(word)
                continue
            best: list[str] | None = None
            for cuts in itertools.product((False, True), repeat=len(runs) - 1):
                pieces, current = [], runs[0]
                for cut, run in zip(cuts, runs[1:], strict=True):
                    if cut:
                        pieces.append(current)
                        current = run
                    else:
                        current += run
                pieces.append(current)
                if all(p in self._vocab for p in pieces) and (best is None or len(pieces) < len(best)):
                    best = pieces
            out.extend(best or runs)
        return out

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
        intent = read_intent(
            parsed.text,
            cheap_hint=parsed.sort == SortHint.price_low,
            high_end_hint=parsed.sort == SortHint.price_high,
        )
        stated = query_attributes(intent.text)
        words = self._model_codes(analyze(stated.rest))
        terms = [t for t in words if t not in STOPWORDS and t not in _INTENT_WORDS]
        if not terms:
            return self._browse(parsed.filters, parsed.sort, limit)
        terms = list(dict.fromkeys(terms))[:62]
        brand, rest = self.detect_brand(terms)
        wanted = query_type([w for w in words if w not in _INTENT_WORDS], self._known_types)
        head = rest[-1] if rest else None
        params = self.params

        n_docs = len(self.items)
        scores = np.zeros(n_docs, dtype=np.float64)
        matched = np.zeros(n_docs, dtype=np.int64)
        postings = self._postings
        # Words that stated an attribute count through the attribute factor, not coordination.
        attribute_words = set(analyze(" ".join(stated.flag_words)))
        concept_weight = [0.0 if t in attribute_words else (self.idf_weight(t) or 1.0) for t in terms]
        if not any(concept_weight):
            concept_weight = [self.idf_weight(t) or 1.0 for t in terms]
        for index, term in enumerate(terms):
            for related, qw in ((term, 1.0), *expansions(term)):
                term_id = self._vocab.get(related)
                if term_id is None:
                    continue
                docs = postings.docs_of(term_id)
                scores[docs] += qw * postings.values_of(term_id)
                matched[docs] |= 1 << index
        for index, term in enumerate(terms):  # "gaming" said by a ROG line or an RTX card
            key_id = self._attr_keys.get(TERM_ATTRIBUTES.get(term, ""))
            if key_id is not None:
                matched[self._attr_docs.docs_of(key_id)] |= 1 << index
        for related in replaced_stems(stated.rest):  # the query's own spelling, before synonyms
            term_id = self._vocab.get(related)
            if term_id is not None:
                scores[postings.docs_of(term_id)] += SURFACE_WEIGHT * postings.values_of(term_id)
        candidates = np.flatnonzero(scores)
        if not len(candidates):
            return []
        matching = candidates
        candidates = candidates[self._passes(candidates, parsed.filters)]
        if not len(candidates):
            return []
        score = scores[candidates]
        mask = matched[candidates]

        covered = np.zeros(len(candidates), dtype=np.float64)
        for index, weight in enumerate(concept_weight):
            covered += weight * ((mask >> index) & 1)
        score *= (covered / sum(concept_weight)) ** params.coordination_power

        boost = np.ones(n_docs, dtype=np.float64)
        phrase = np.zeros(n_docs, dtype=bool)
        for left, right in itertools.pairwise(terms):
            bigram = self._bigram_row(left, right)
            if bigram is not None:
                phrase[self._bigram_docs.docs_of(bigram)] = True
        boost[phrase] *= 1.0 + params.phrase_boost
        if brand:
            boost[self._brand_of == self._brand_ids.get(brand, -1)] *= 1.0 + params.brand_boost
        is_type = self._type_factor(boost, wanted, params, candidates)
        if is_type[matching].any() and not is_type[candidates].any() and not self._titled(candidates, wanted):
            # "perfume under $25": perfumes match, none within the filters. A scented toy
            # that does is not what was asked: nothing is, and the reply says which filter
            # emptied it. A product whose title names the kind stays (a "Summer Dress" the
            # source filed under tops).
            return []
        modifier = _modifier_of(words, wanted)
        if modifier and is_type.any():  # "hard drive": the type phrase, not just its head noun
            phrase_type = np.zeros(n_docs, dtype=bool)
            modifier_id = self._vocab.get(modifier)
            if modifier_id is not None:
                phrase_type[self._type_docs.docs_of(modifier_id)] = True
            boost[phrase_type & is_type] *= 1.0 + params.type_phrase_boost
        if head:
            related_ids = [
                self._vocab[t]
                for t in {head, *(r for r, w in expansions(head) if w >= 0.5)}
                if t in self._vocab
            ]
            if wanted is None and related_ids:
                is_type = np.isin(self._type_head, related_ids)
                boost[is_type] *= 1.0 + params.type_boost
            named = wanted or head
            fit_ids = [
                self._vocab[t]
                for t in {named, head, *(r for r, w in expansions(named) if w >= 0.5)}
                if t in self._vocab
            ]
            if fit_ids:
                fits = np.zeros(n_docs, dtype=bool)
                for fit_id in fit_ids:  # "computer" in "computer monitor" names what it serves
                    fits[self._modifier_docs.docs_of(fit_id)] = True
                    fits[self._type_docs.docs_of(fit_id)] = True
                term_ids = [self._vocab[t] for t in terms if t in self._vocab]
                fits &= ~is_type & ~np.isin(self._type_head, term_ids)
                boost[fits] *= 1.0 - params.modifier_penalty
        score *= boost[candidates]
        labels = self._attribute_factor(score, candidates, stated.attributes, params)
        if intent.price:
            self._price_factor(score, candidates, is_type, intent.price, params)

        order = _top(score, candidates, limit if parsed.sort != SortHint.rating_high else max(limit * 3, 30))
        hits = [(float(score[i]), int(candidates[i])) for i in order]
        if parsed.sort == SortHint.rating_high:
            hits = _resort(hits, self.items, parsed.sort)
        return [SearchHit(self.items[doc], s, labels(doc)) for s, doc in hits[:limit]]

    def _titled(self, docs: np.ndarray, wanted: str | None, most: int = 500) -> bool:
        """Whether the title of any of `docs` (the first `most`) names the kind `wanted`."""
        if wanted is None:
            return False
        return any(wanted in analyze(self.items[int(d)].title) for d in docs[:most])

    def _type_factor(
        self, boost: np.ndarray, wanted: str | None, params: RankParams, candidates: np.ndarray
    ) -> np.ndarray:
        """Multiply `boost` by how well each product's type fits the asked type; returns
        which products are of that type (all False when the query names no type).

        When no product of that type matches the words ("ipod": the catalog sells no
        iPod), what is made for that kind of product (an "MP3/MP4 player case") is the
        closest the catalog has, and is not put below other types and accessories."""
        n_docs = len(boost)
        if wanted is None:
            return np.zeros(n_docs, dtype=bool)
        weight = np.zeros(len(self._types) + 1, dtype=np.float64)  # last slot: unknown type
        for kind, w in related_types(wanted).items():
            type_id = self._types.get(kind)
            if type_id is not None:
                weight[type_id] = max(weight[type_id], w)
        doc_weight = weight[self._ptype]  # -1 (unknown) reads the last slot, 0
        is_type = doc_weight > 0
        if np.count_nonzero(is_type) < MIN_TYPE_DOCS:
            return np.zeros(n_docs, dtype=bool)  # the catalog barely has that type: words decide
        boost[is_type] *= 1.0 + params.type_boost * doc_weight[is_type]
        known = self._ptype >= 0
        other = known & ~is_type
        wanted_id = self._vocab.get(wanted)
        if wanted_id is not None and not is_type[candidates].any():
            made_for = np.zeros(n_docs, dtype=bool)
            made_for[self._type_docs.docs_of(wanted_id)] = True
            other &= ~made_for
            boost[made_for] *= 1.0 + params.type_boost * MADE_FOR_WEIGHT
        boost[other] *= params.type_mismatch
        if wanted not in ACCESSORY_TYPES:
            boost[other & self._accessory] *= params.accessory
        boost[~known] *= params.unknown_type
        return is_type

    def _attribute_factor(self, score: np.ndarray, candidates: np.ndarray, attributes, params: RankParams):
        """Prefer the products that have each stated attribute (in place on `score`);
        returns doc -> the labels of the attributes it has."""
        have: list[tuple[str, np.ndarray]] = []
        n_docs = len(self.items)
        for attribute in attributes:
            keys = (
                close_values(attribute.key, self._attr_keys.keys())
                if ":" in attribute.key
                else [attribute.key]
            )
            has = np.zeros(n_docs, dtype=bool)
            for key in keys:
                key_id = self._attr_keys.get(key)
                if key_id is not None:
                    has[self._attr_docs.docs_of(key_id)] = True
            cand_has = has[candidates]
            if not cand_has.any():
                continue  # nothing here says it (shoe sizes): no evidence either way
            conflict = np.zeros(n_docs, dtype=bool)
            for prefix in attribute.conflicts:
                if prefix.endswith(":"):
                    conflict |= self._has_prefix.get(prefix, conflict)
                else:
                    key_id = self._attr_keys.get(prefix)
                    if key_id is not None:
                        conflict[self._attr_docs.docs_of(key_id)] = True
            cand_conflict = conflict[candidates] & ~cand_has
            factor = np.full(len(candidates), params.attr_missing)
            factor[cand_has] = 1.0 + params.attr_boost
            factor[cand_conflict] = params.attr_conflict
            score *= factor
            have.append((attribute.label, has))

        def labels(doc: int) -> tuple[str, ...]:
            return tuple(label for label, has in have if has[doc])

        return labels

    def _price_factor(
        self,
        score: np.ndarray,
        candidates: np.ndarray,
        is_type: np.ndarray,
        direction: int,
        params: RankParams,
    ) -> None:
        """ "cheap" / "high end": among the comparable matches (of the asked type, scoring at
        least a third of the best), prefer the low (high) end of their price range."""
        if not len(score):
            return
        comparable = score >= score.max() / 3.0
        if is_type.any():
            comparable &= is_type[candidates]
        if comparable.sum() < 2:
            return
        prices = self._price[candidates[comparable]]
        ranks = prices.argsort().argsort() / max(len(prices) - 1, 1)  # 0 = cheapest
        position = ranks if direction > 0 else 1.0 - ranks
        score[comparable] *= np.exp(params.price_pref * (position - 0.5))

    def _passes(self, docs: np.ndarray, filters: SearchFilters) -> np.ndarray:
        keep = np.ones(len(docs), dtype=bool)
        if filters == SearchFilters():
            return keep
        if filters.min_price is not None:
            keep &= self._price[docs] >= filters.min_price
        if filters.max_price is not None:
            keep &= self._price[docs] <= filters.max_price
        if filters.min_rating is not None:
            keep &= self._rating[docs] >= filters.min_rating  # NaN (no rating) compares False
        if filters.retailers:
            ids = [self._retailer_ids[r] for r in filters.retailers if r in self._retailer_ids]
            keep &= np.isin(self._retailer_of[docs], ids)
        if filters.brand:
            keep &= self._brand_of[docs] == self._brand_ids.get(filters.brand.lower(), -1)
        if filters.not_brands:
            known = self._brand_ids
            ruled_out = [known[b.lower()] for b in filters.not_brands if b.lower() in known]
            keep &= ~np.isin(self._brand_of[docs], ruled_out)
        if filters.color:
            color = self._colors.get(normalise_color(filters.color))
            in_color = np.zeros(len(self.items), dtype=bool)
            if color is not None:
                in_color[self._color_docs.docs_of(color)] = True
            keep &= in_color[docs]
        return keep

    def _browse(self, filters: SearchFilters, sort: SortHint, limit: int) -> list[SearchHit]:
        """No search words ("sony", "anything from Sony under $50"): the products the
        filters keep, in `browse_order`."""
        if filters == SearchFilters():
            return []
        docs = np.arange(len(self.items))
        docs = docs[self._passes(docs, filters)]
        docs = docs[
            browse_order(self._ptype[docs], self._main[docs], self._rating[docs], self._released[docs])
        ]
        hits = [(1.0 / (1.0 + BROWSE_DECAY * rank), int(d)) for rank, d in enumerate(docs[: max(limit, 0)])]
        if sort != SortHint.relevance:
            hits = _resort(hits, self.items, sort)
        return [SearchHit(self.items[d], s) for s, d in hits[:limit]]


def browse_order(kind: np.ndarray, main: np.ndarray, rating: np.ndarray, released: np.ndarray) -> np.ndarray:
    """The order to show products no words were said for (a brand alone, a price alone).

    What the shopper means by "sony" is Sony's products, not its spare parts: main
    products first, then those of unknown type, then accessories, supplies and parts.
    Within each of those, the range in turn: one product of each type (the types with
    most products first), then the second of each, and so on; within a type, the best
    rated, then the newest. Inputs are per product (type id, -1 unknown; whether the type
    is a main product's; rating and release day, NaN unknown); returns positions into them."""
    n = len(kind)
    if not n:
        return np.arange(0)
    group = np.where(kind < 0, 1, np.where(main, 0, 2))
    slot_kind = np.where(kind < 0, -1, kind).astype(np.int64)
    by_type = np.lexsort(
        (np.arange(n), -np.nan_to_num(released, nan=-1e9), -np.nan_to_num(rating, nan=-1.0), slot_kind, group)
    )
    # position of each product within its (group, type) run of `by_type`
    g, k = group[by_type], slot_kind[by_type]
    starts = np.flatnonzero(np.r_[True, (g[1:] != g[:-1]) | (k[1:] != k[:-1])])
    run_length = np.diff(np.r_[starts, n])
    slot = np.arange(n) - np.repeat(starts, run_length)
    size = np.repeat(run_length, run_length)
    order = np.lexsort((np.arange(n), k, -size, slot, g))
    return by_type[order]


def _day(iso_date: str | None) -> float:
    """Days since 1970 of an ISO date ("2019-06-02"), NaN when there is none."""
    try:
        return float(np.datetime64(iso_date[:10], "D").astype(np.int64)) if iso_date else math.nan
    except ValueError:
        return math.nan


def _modifier_of(words: Sequence[str], wanted: str | None) -> str | None:
    """The query word right before its type word ("hard" in "external hard drive")."""
    if wanted is None:
        return None
    for i in range(len(words) - 1, 0, -1):
        if words[i] == wanted or canonical_type(words[i]) == wanted:
            before = words[i - 1]
            return None if before in STOPWORDS or before.isdigit() else before
    return None


def _top(score: np.ndarray, docs: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` best scores, best first, ties by document order."""
    if len(score) > limit:
        kth = np.partition(score, len(score) - limit)[len(score) - limit]
        keep = np.flatnonzero(score >= kth)
    else:
        keep = np.arange(len(score))
    return keep[np.lexsort((docs[keep], -score[keep]))][:limit]


def _modifier_terms(title: list[str], category: Sequence[str] = ()) -> list[str]:
    """Title terms that describe what a product fits rather than what it is: the word
    before an accessory noun, after "for", or before the product's own type phrase when
    that type is an accessory ("iPod audio cable")."""
    out = []
    if category and category[-1] in ACCESSORY_TERMS:
        size = len(category)
        for i in range(1, len(title) - size + 1):
            if title[i : i + size] == list(category):
                out.append(title[i - 1])
    for i, term in enumerate(title):
        if i + 1 < len(title) and title[i + 1] in ACCESSORY_TERMS and term not in ACCESSORY_TERMS:
            out.append(term)
        if i > 0 and title[i - 1] in FITS_MARKERS:
            out.append(term)
    return out


def _resort(
    hits: list[tuple[float, int]], items: list[CatalogItem], sort: SortHint
) -> list[tuple[float, int]]:
    if sort == SortHint.price_low:
        return sorted(hits, key=lambda pair: (items[pair[1]].price, -pair[0]))
    if sort == SortHint.rating_high:
        return sorted(hits, key=lambda pair: (-(items[pair[1]].rating or 0.0), -pair[0]))
    return hits


if __name__ == "__main__":  # `python -m shopper.research.engine --build`, kept for scripts
    from shopper.research.index_cache import main

    raise SystemExit(main())
