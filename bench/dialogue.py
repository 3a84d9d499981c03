"""Dialogue accuracy: scripted conversations through the real WebSocket, judged by their effects.

    .venv/bin/python bench/dialogue.py [--split dev|heldout|all] [--limit N] [--out bench/results]
    .venv/bin/python bench/dialogue.py --data bench/data/dialogue/conversations_final.jsonl \
        --name dialogue_final

Starts the local stack once (Firestore, Pub/Sub, Auth and Cloud Tasks emulators, the
functions servers and the voice runtime, on free ports) and runs the conversations of
bench/data/dialogue/conversations.jsonl (format: bench/data/dialogue/FORMAT.md) one
after another. Each conversation is a fresh user (signed up in the Auth emulator) in a
fresh voice session (POST /sessions, then the ticketed wsUrl) driven by the Python
client that speaks the browser's protocol: every turn is an RTVI ``send-text`` exactly
as the web client sends it (``sendText(text, {run_immediately: true, audio_response:
true})``).

A turn ends when the server's ``dialogue-turn`` message arrives (and the bot's text has
stopped), or, without that message, when no LLM output or tool call has been active for
a short quiet gap; a turn that has not ended after --turn-timeout seconds fails. The
turn is judged by what it did, read from Firestore before and after it: the new
``queries`` documents of the user (search text and price / rating / retailer filters),
``saved_items``, ``cart_items``, and the products on screen (those of the user's newest
completed query, by systemRank, which is what the page shows), plus whether the bot's
text for the turn names the products asked about. Nothing here reads engine internals.

Writes <out>/<name>.json (every turn) and <out>/<name>.md (accuracy per intent, for
dev, heldout and all); the name is "dialogue" unless --name says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "core", ROOT / "functions", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

DATA = ROOT / "bench" / "data" / "dialogue" / "conversations.jsonl"
RESULTS = ROOT / "bench" / "results"
EMULATORS = ["firestore", "pubsub", "auth", "tasks"]
PARTS = [*EMULATORS, "functions", "voice"]
SPLITS = ("dev", "heldout")
PRICE_KEYS = {"max_price": "maxPrice", "min_price": "minPrice", "min_rating": "minRating"}
TOL = 0.01  # numbers equal within 1%

# ---------------------------------------------------------------------------- state


@dataclass
class State:
    """What Firestore holds for one user at one moment (plain dicts, each with its "id")."""

    queries: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    saved: list[dict[str, Any]] = field(default_factory=list)  # newest first
    cart: list[dict[str, Any]] = field(default_factory=list)
    shown: list[dict[str, Any]] = field(default_factory=list)  # products on screen, by systemRank

    def query_ids(self) -> set[str]:
        return {q["id"] for q in self.queries}

    def saved_products(self) -> set[str]:
        return {str(s.get("productId")) for s in self.saved}

    def cart_products(self) -> set[str]:
        return {str(c.get("productId") or c.get("id")) for c in self.cart}

    def shown_ids(self) -> list[str]:
        return [str(p["id"]) for p in self.shown]

    def latest_query(self) -> dict[str, Any] | None:
        return self.queries[-1] if self.queries else None


@dataclass
class Memory:
    """What the bench remembers across the turns of one conversation."""

    saved_at: dict[str, int] = field(default_factory=dict)  # productId -> position shown when saved
    saved_order: list[str] = field(default_factory=list)  # productIds in the order they were saved
    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # every product seen on screen
    read_out: list[str] | None = None  # saved list (newest first) when last read out

    def observe(self, before: State, after: State, intent: str) -> None:
        """Update after a turn: where newly saved products were shown, what was read out."""
        for product in [*before.shown, *after.shown]:
            self.products.setdefault(str(product["id"]), product)
        positions = {pid: i + 1 for i, pid in enumerate(before.shown_ids())}
        for pid in after.saved_products() - before.saved_products():
            if pid in positions:
                self.saved_at[pid] = positions[pid]
            self.saved_order.append(pid)
        if intent == "list_saved":
            self.read_out = [str(s.get("productId")) for s in after.saved]


# ---------------------------------------------------------------------------- judging

STOPWORDS = frozenset(
    {"a", "an", "and", "the", "with", "for", "of", "in", "on", "by", "to", "from", "at", "or"}
    | {"new", "pack", "set", "inch", "cm", "mm"}
)
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _contains_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def product_name_words(product: dict[str, Any]) -> list[str]:
    """The first two significant words of a product's title (no stopwords, numbers or brand)."""
    brand = set(_words(str(product.get("brand") or "")))
    title = str(product.get("title") or product.get("productName") or "")
    significant = [w for w in _words(title) if _significant(w) and w not in brand]
    return significant[:2]


def names_product(reply: str, product: dict[str, Any]) -> bool:
    """Whether the reply names the product: its brand, or its first two significant title words."""
    words = _words(reply)
    brand = _words(str(product.get("brand") or ""))
    if brand and _contains_phrase(words, brand):
        return True
    title_words = product_name_words(product)
    return bool(title_words) and all(w in words for w in title_words)


def _close(value: Any, expected: float) -> bool:
    if not isinstance(value, int | float):
        return False
    if expected == 0:
        return value == 0
    return abs(value - expected) <= TOL * abs(expected)


def _prefs(query: dict[str, Any] | None) -> dict[str, Any]:
    return dict((query or {}).get("preferences") or {})


def _filter_texts(query: dict[str, Any]) -> list[str]:
    """The query's search text and every text value of its filters, lower case."""
    texts = [str(query.get("searchText") or "")]
    for value in _prefs(query).values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list | tuple):
            texts.extend(str(v) for v in value)
    return [t.lower() for t in texts]


def _position(shown: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    index = n - 1 if n > 0 else len(shown) + n
    return shown[index] if 0 <= index < len(shown) else None


def _top_prices(shown: list[dict[str, Any]]) -> list[float]:
    return [float(p["price"]) for p in shown[:3] if isinstance(p.get("price"), int | float)]


def _text_words(text: str) -> list[str]:
    return [w for w in (part.strip(".,;:!?\"'()[]") for part in text.lower().split()) if w]


def has_word(text: str, word: str) -> bool:
    """FORMAT.md's rule: each word of `word` is a prefix of some word of `text`, case-insensitive
    ("phone" matches "phones", not "iphone"; "1.7" matches "1.7l")."""
    words = _text_words(text)
    wanted = _text_words(word)
    return bool(wanted) and all(any(w.startswith(part) for w in words) for part in wanted)


def _sort_of(query: dict[str, Any]) -> str | None:
    """'low' / 'high' when the query document says its results are sorted by price that way."""
    prefs = _prefs(query)
    if prefs.get("pricePreference") in ("low", "high"):
        return str(prefs["pricePreference"])  # "cheap" / "high end" as a structured preference
    for value in (query.get("sort"), query.get("sortBy"), prefs.get("sort"), prefs.get("sortBy")):
        text = str(value or "").lower()
        if "price" in text:
            if any(k in text for k in ("asc", "low", "cheap")):
                return "low"
            if any(k in text for k in ("desc", "high")):
                return "high"
    return None


def in_order(products: list[dict[str, Any]], order: str) -> bool:
    """Whether products are in `order`: price_asc / price_desc / rating_desc (unrated last)."""
    if order in ("price_asc", "price_desc"):
        prices = [float(p.get("price") or 0) for p in products]
        pairs = list(itertools.pairwise(prices))
        return all(a <= b for a, b in pairs) if order == "price_asc" else all(a >= b for a, b in pairs)
    if order == "rating_desc":
        ratings = [p.get("rating") for p in products]
        rated = [r for r in ratings if isinstance(r, int | float)]
        first_unrated = next(
            (i for i, r in enumerate(ratings) if not isinstance(r, int | float)), len(ratings)
        )
        return len(rated) == first_unrated and all(a >= b for a, b in itertools.pairwise(rated))
    raise ValueError(f"unknown order {order!r}")


def judge_search(
    spec: dict[str, Any],
    query: dict[str, Any],
    previous: dict[str, Any] | None,
    shown_before: list[dict[str, Any]],
    shown_after: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Failures of one new search against the turn's `search` expectation."""
    failures: list[str] = []
    text = str(query.get("searchText") or "")
    prefs, earlier = _prefs(query), _prefs(previous)
    for word in spec.get("query_has", []):
        if not has_word(text, word):
            failures.append(f"search text {text!r} lacks {word!r}")
    for word in spec.get("query_lacks", []):
        if has_word(text, word):
            failures.append(f"search text {text!r} has {word!r}")
    allowed: set[str] = set()
    for key, field_name in PRICE_KEYS.items():
        if key in spec:
            allowed.add(key)
            if not _close(prefs.get(field_name), float(spec[key])):
                failures.append(f"{key} {prefs.get(field_name)} != {spec[key]}")
    for key in spec.get("keep", []):
        if key in PRICE_KEYS and key not in spec:
            allowed.add(key)
            field_name = PRICE_KEYS[key]
            want = earlier.get(field_name)
            if want is None or not _close(prefs.get(field_name), float(want)):
                failures.append(f"{key} not kept: {prefs.get(field_name)} (earlier {want})")
        elif (
            key == "retailers"
            and "retailers" not in spec
            and _lower_set(prefs.get("targetRetailers")) != _lower_set(earlier.get("targetRetailers"))
        ):
            failures.append(f"retailers not kept: {prefs.get('targetRetailers')}")
    low, high = prefs.get("minPrice"), prefs.get("maxPrice")
    if "price_around" in spec:
        allowed |= {"min_price", "max_price"}
        n = float(spec["price_around"])
        if not (isinstance(high, int | float) and n * (1 - TOL) <= high <= 1.5 * n * (1 + TOL)):
            failures.append(f"price_around {n:g}: max_price {high} not in [{n:g}, {1.5 * n:g}]")
        if low is not None and not (
            isinstance(low, int | float) and 0.5 * n * (1 - TOL) <= low <= n * (1 + TOL)
        ):
            failures.append(f"price_around {n:g}: min_price {low} not in [{0.5 * n:g}, {n:g}]")
    if "price_hint" in spec:
        hint, sort = spec["price_hint"], _sort_of(query)
        if sort is None and shown_after and len(shown_after) >= 2:
            # The sort as the page shows it: results ranked by price.
            sort = "low" if in_order(shown_after, "price_asc") else None
            sort = sort or ("high" if in_order(shown_after, "price_desc") else None)
        if hint == "low":
            allowed.add("max_price")
            if high is None and sort != "low":
                failures.append("price_hint low: no max_price and not sorted by lowest price")
            if low is not None:
                failures.append(f"price_hint low: min_price set to {low}")
        else:
            allowed.add("min_price")
            if low is None and sort != "high":
                failures.append("price_hint high: no min_price and not sorted by highest price")
            if high is not None:
                failures.append(f"price_hint high: max_price set to {high}")
    top = _top_prices(shown_before)
    if spec.get("cheaper"):
        allowed.add("max_price")
        value = prefs.get("maxPrice")
        if not isinstance(value, int | float):
            failures.append("cheaper: max_price unset")
        elif top and not value < min(top):
            failures.append(f"cheaper: max_price {value} not below the cheapest shown ({min(top)})")
    if spec.get("pricier"):
        allowed.add("min_price")
        value = prefs.get("minPrice")
        bounds = [b for b in (earlier.get("maxPrice"), max(top) if top else None) if b is not None]
        if not isinstance(value, int | float):
            failures.append("pricier: min_price unset")
        elif bounds and not any(value > b for b in bounds):
            failures.append(f"pricier: min_price {value} not above {bounds}")
    if spec.get("better_rated"):
        allowed.add("min_rating")
        value, was = prefs.get("minRating"), earlier.get("minRating")
        if not isinstance(value, int | float):
            failures.append("better_rated: min_rating unset")
        elif not (value >= 4 or (isinstance(was, int | float) and value > was)):
            failures.append(f"better_rated: min_rating {value} (earlier {was})")
    if spec.get("price_hint") == "low":
        allowed.add("min_price")  # reported above
    if spec.get("price_hint") == "high":
        allowed.add("max_price")
    for key, field_name in PRICE_KEYS.items():
        if key not in allowed and prefs.get(field_name) is not None:
            failures.append(f"{key} set to {prefs.get(field_name)} but not asked for")
    texts = _filter_texts(query)
    for key in ("color", "brand"):
        if key in spec and not any(str(spec[key]).lower() in t for t in texts):
            failures.append(f"{key} {spec[key]!r} not in the search ({text!r}, {prefs})")
    if "retailers" in spec and _lower_set(prefs.get("targetRetailers")) != _lower_set(spec["retailers"]):
        failures.append(f"retailers {prefs.get('targetRetailers')} != {spec['retailers']}")
    return failures


def _lower_set(values: Any) -> set[str]:
    return {str(v).lower() for v in (values or [])}


def _as_list(value: Any) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)]


def judge_turn(
    expect: dict[str, Any], before: State, after: State, reply: str, memory: Memory | None = None
) -> list[str]:
    """Every expectation of the turn that did not hold (empty: the turn is right).

    `before` / `after` are the user's Firestore state around the turn; `memory` what the
    bench remembers of earlier turns (where saved products were shown, the saved list as
    last read out); `reply` the bot's text for the turn.
    """
    memory = memory or Memory()
    failures: list[str] = [f"cannot judge {key!r}" for key in unknown_keys(expect)]
    new_queries = [q for q in after.queries if q["id"] not in before.query_ids()]
    new_saved = after.saved_products() - before.saved_products()
    removed = before.saved_products() - after.saved_products()
    new_cart = after.cart_products() - before.cart_products()
    wrote = bool(new_saved or removed or new_cart or after.cart_products() != before.cart_products())
    shown = before.shown

    if "search" in expect:
        if len(new_queries) != 1:
            failures.append(f"search: {len(new_queries)} new searches, expected 1")
        else:
            failures += judge_search(
                expect["search"] or {}, new_queries[0], before.latest_query(), shown, after.shown
            )
    if expect.get("no_search") or expect.get("asks"):
        if new_queries:
            failures.append(f"searched: {[q.get('searchText') for q in new_queries]}")
        elif after.shown_ids() != before.shown_ids():
            failures.append("the products on screen changed")
    if (expect.get("no_write") or expect.get("asks")) and wrote:
        failures.append(
            f"wrote: saved {sorted(new_saved)}, removed {sorted(removed)}, cart {sorted(new_cart)}"
        )
    if expect.get("asks") and not reply.strip().endswith("?"):
        failures.append("reply is not a question")
    if "saved" in expect:
        target = _position(shown, int(expect["saved"]))
        if target is None:
            failures.append(f"saved: no product at position {expect['saved']} ({len(shown)} shown)")
        else:
            if str(target["id"]) not in after.saved_products():
                failures.append(f"saved: product {expect['saved']} ({target.get('title')!r}) not saved")
            others = new_saved - {str(target["id"])}
            if others:
                failures.append(f"saved: also saved {sorted(others)}")
    if "removed" in expect:
        target = _position(shown, int(expect["removed"]))
        if target is None:
            failures.append(f"removed: no product at position {expect['removed']} ({len(shown)} shown)")
        else:
            pid = str(target["id"])
            if pid not in before.saved_products():
                failures.append(f"removed: product {expect['removed']} was not saved before the turn")
            elif pid in after.saved_products():
                failures.append(f"removed: product {expect['removed']} ({target.get('title')!r}) still saved")
            if removed - {pid}:
                failures.append(f"removed: also removed {sorted(removed - {pid})}")
    if "removed_saved" in expect:
        listing = (
            memory.read_out
            if memory.read_out is not None
            else [str(s.get("productId")) for s in before.saved]
        )
        k = int(expect["removed_saved"])
        index = k - 1 if k > 0 else len(listing) + k
        if not 0 <= index < len(listing):
            failures.append(f"removed_saved: no item {k} in the saved list as read out ({len(listing)})")
        else:
            pid = listing[index]
            if pid in after.saved_products():
                failures.append(f"removed_saved: item {k} still saved")
            if removed - {pid}:
                failures.append(f"removed_saved: also removed {sorted(removed - {pid})}")
    if "cart" in expect:
        target = _position(shown, int(expect["cart"]))
        if target is None:
            failures.append(f"cart: no product at position {expect['cart']} ({len(shown)} shown)")
        elif str(target["id"]) not in after.cart_products():
            failures.append(f"cart: product {expect['cart']} not in the cart")
    if "mentions" in expect:
        # The products asked about are those on screen before the turn (after it, if it searched).
        on_screen = after.shown if new_queries else shown
        for n in _as_list(expect["mentions"]):
            target = _position(on_screen, n)
            if target is None:
                failures.append(f"mentions: no product at position {n}")
            elif not names_product(reply, target):
                failures.append(f"mentions: reply does not name product {n} ({target.get('title')!r})")
    if "mentions_saved" in expect:
        for n in _as_list(expect["mentions_saved"]):
            # The most recently saved product that was shown at position n when saved.
            candidates = [pid for pid in reversed(memory.saved_order) if memory.saved_at.get(pid) == n]
            if not candidates:
                failures.append(f"mentions_saved: nothing was saved from position {n}")
                continue
            pid = candidates[0]
            product = memory.products.get(pid) or next(
                (s for s in before.saved if str(s.get("productId")) == pid), {}
            )
            if not names_product(reply, product):
                failures.append(f"mentions_saved: reply does not name {product.get('title')!r}")
    if "mentions_extreme" in expect:
        failures += _judge_extreme(
            str(expect["mentions_extreme"]), after.shown if new_queries else shown, reply
        )
    if "order" in expect:
        if not after.shown:
            failures.append(f"order {expect['order']}: nothing on screen")
        elif not in_order(after.shown, str(expect["order"])):
            failures.append(f"order {expect['order']}: results on screen are not in that order")
    if "more_like" in expect:
        failures += _judge_more_like(int(expect["more_like"]), shown, new_queries)
    if "saved_brand" in expect:
        brand = str(expect["saved_brand"]).lower()
        by_id = {str(p["id"]): p for p in shown}
        if len(new_saved) != 1:
            failures.append(f"saved_brand: {len(new_saved)} products saved, expected 1")
        else:
            (pid,) = new_saved
            product = by_id.get(pid)
            if product is None:
                failures.append("saved_brand: the saved product was not on screen")
            elif str(product.get("brand") or "").lower() != brand:
                failures.append(
                    f"saved_brand: saved {product.get('title')!r} (brand {product.get('brand')!r})"
                )
    if "reply_has_any" in expect:
        lower = reply.lower()
        if not any(str(w).lower() in lower for w in expect["reply_has_any"]):
            failures.append(f"reply has none of {expect['reply_has_any']}")
    return failures


EXPECT_KEYS = frozenset(
    {"search", "no_search", "no_write", "saved", "removed", "removed_saved", "cart", "mentions"}
    | {"mentions_saved", "reply_has_any", "asks", "mentions_extreme", "order", "more_like", "saved_brand"}
)
SEARCH_KEYS = frozenset(
    {"query_has", "query_lacks", "max_price", "min_price", "min_rating", "color", "brand", "retailers"}
    | {"keep", "cheaper", "pricier", "better_rated", "price_around", "price_hint"}
)


def unknown_keys(expect: dict[str, Any]) -> list[str]:
    """Expectation keys this judge does not know (such a turn cannot be judged)."""
    unknown = sorted(set(expect) - EXPECT_KEYS)
    unknown += [f"search.{k}" for k in sorted(set(expect.get("search") or {}) - SEARCH_KEYS)]
    return unknown


def _judge_extreme(which: str, on_screen: list[dict[str, Any]], reply: str) -> list[str]:
    """The reply names a product with the lowest / highest price or the highest rating on screen."""
    key = "rating" if which == "best_rated" else "price"
    candidates = [p for p in on_screen if isinstance(p.get(key), int | float)]
    if not candidates:
        return [f"mentions_extreme {which}: no product on screen has a {key}"]
    best = (min if which == "cheapest" else max)(float(p[key]) for p in candidates)
    winners = [p for p in candidates if float(p[key]) == best]
    if any(names_product(reply, p) for p in winners):
        return []
    return [f"mentions_extreme {which}: reply does not name {winners[0].get('title')!r} ({key} {best:g})"]


def _judge_more_like(n: int, shown: list[dict[str, Any]], new_queries: list[dict[str, Any]]) -> list[str]:
    target = _position(shown, n)
    if target is None:
        return [f"more_like: no product at position {n} ({len(shown)} shown)"]
    if len(new_queries) != 1:
        return [f"more_like: {len(new_queries)} new searches, expected 1"]
    query = new_queries[0]

    def stems(text: str, min_len: int = 1) -> set[str]:  # plural-blind words
        return {w[:-1] if w.endswith("s") else w for w in _words(text) if _significant(w, min_len)}

    shared = stems(str(target.get("title") or ""), 3) & stems(str(query.get("searchText") or ""))
    brand = str(target.get("brand") or "").lower()
    filters = _filter_texts(query)[1:]
    if shared or (brand and brand in filters):
        return []
    return [f"more_like: search {query.get('searchText')!r} shares no word with {target.get('title')!r}"]


def _significant(word: str, min_len: int = 2) -> bool:
    return len(word) >= min_len and word not in STOPWORDS and not word.replace(".", "").isdigit()


# ---------------------------------------------------------------------------- Firestore reads


class StateReader:
    """Reads one user's State from the Firestore emulator (raw documents, any schema version)."""

    def __init__(self, project: str) -> None:
        from google.cloud import firestore

        self._fs = firestore
        self.client = firestore.Client(project=project)

    def _where(self, collection: str, field_name: str, value: str) -> list[dict[str, Any]]:
        query = self.client.collection(collection).where(filter=self._fs.FieldFilter(field_name, "==", value))
        return [{**(doc.to_dict() or {}), "id": doc.id} for doc in query.stream()]

    def read(self, user_id: str) -> State:
        queries = sorted(self._where("queries", "userId", user_id), key=lambda q: q.get("createdAt") or 0)
        saved = sorted(self._where("saved_items", "userId", user_id), key=lambda s: -(s.get("savedAt") or 0))
        cart = self._where("cart_items", "userId", user_id)
        shown: list[dict[str, Any]] = []
        completed = [q for q in queries if q.get("status") == "completed"]
        if completed:
            products = [
                p
                for p in self._where("products", "queryId", completed[-1]["id"])
                if p.get("userId") == user_id
            ]
            shown = sorted(products, key=lambda p: p.get("systemRank") or 0)
        return State(queries=queries, saved=saved, cart=cart, shown=shown)

    def settled(self, state: State) -> bool:
        """No search of the user is still running."""
        return all(q.get("status") not in ("pending", "searching") for q in state.queries)

    def close(self) -> None:
        self.client.close()


# ---------------------------------------------------------------------------- one turn over the socket

QUIET_TYPES = {"bot-audio-level", "user-audio-level", "metrics"}
LLM_MESSAGES = {
    "bot-llm-started",
    "bot-llm-stopped",
    "bot-llm-text",
    "llm-function-call-started",
    "llm-function-call-in-progress",
    "llm-function-call-stopped",
}


@dataclass
class Observed:
    reply: str = ""
    intent: str | None = None
    tools: list[str] = field(default_factory=list)
    hint: dict[str, Any] | None = None
    timed_out: bool = False
    closed: bool = False  # the server closed the session during the turn (e.g. after goodbye)
    elapsed_ms: float = 0.0
    trace: list[str] = field(default_factory=list)  # the turn's RTVI messages, for --trace
    errors: list[str] = field(default_factory=list)  # RTVI error messages during the turn
    fatal: list[str] = field(default_factory=list)  # those marked fatal


def observation_failures(observed: Observed, turn_timeout: float) -> list[str]:
    """What is wrong with a turn whatever its expectation: it never ended, the server reported
    a fatal error, or the bot said nothing (a turn judged only by "nothing happened" must not
    pass because the engine is down). Non-fatal errors are recorded, not counted."""
    failures = []
    if observed.timed_out:
        failures.append(f"turn did not end within {turn_timeout:.0f} s")
    failures += [f"server error: {error}" for error in observed.fatal]
    if not observed.reply.strip():
        failures.append("no reply")
    return failures


NO_FOLLOWUP_TOOLS = frozenset({"end_session"})  # tools whose result does not run the LLM again
HINTED_FOLLOWUP_GRACE = 6.0  # the same when the turn's hint named a tool that answers
FOLLOWUP_GRACE = 3.0  # seconds of bot silence after a tool call before "no follow-up is coming"


@dataclass
class TurnTracker:
    """Decides from the RTVI messages of a turn when the turn is over.

    Over = the server's ``dialogue-turn`` hint has arrived (or, without hints, the LLM has
    answered), no LLM run or tool call is active, and nothing has come for `quiet` seconds
    (a third of that once the hint is in). A finished tool call makes pipecat run the LLM
    again on its result, and pipecat holds that follow-up until the bot has finished
    speaking what it already queued (and sometimes until the next input); the turn waits
    for it up to HINTED_FOLLOWUP_GRACE seconds of bot silence when the hint named a tool
    other than end_session, else (no hint, or only end_session) FOLLOWUP_GRACE seconds. Ending a turn before
    the follow-up would have the next turn's text wait behind it and the replies shift.
    """

    quiet: float = 0.8
    started: float = 0.0
    seen_input: bool = False
    llm_active: bool = False
    calls: int = 0
    answered: bool = False
    followup: bool = False
    speaking: bool = False
    synthesizing: bool = False
    last_activity: float = 0.0
    last_speech_change: float = 0.0
    hint: dict[str, Any] | None = None
    tools: list[str] = field(default_factory=list)  # every tool the turn's hints named

    def __post_init__(self) -> None:
        self.last_activity = self.started

    def feed(self, kind: str, data: dict[str, Any], at: float) -> None:
        if kind == "user-input":
            self.seen_input = True
        elif kind == "bot-llm-started":
            self.llm_active = True
        elif kind == "bot-llm-stopped":
            if self.llm_active:
                self.followup = False
            self.llm_active, self.answered = False, True
        elif kind == "llm-function-call-in-progress":
            self.calls += 1
        elif kind == "llm-function-call-stopped":
            self.calls = max(0, self.calls - 1)
            self.followup = not data.get("cancelled")
            self.last_speech_change = max(self.last_speech_change, at)
        elif kind in ("bot-started-speaking", "bot-stopped-speaking"):
            self.speaking = kind == "bot-started-speaking"
            self.last_speech_change = at
        elif kind in ("bot-tts-started", "bot-tts-stopped"):  # synthesis runs ahead of speech
            self.synthesizing = kind == "bot-tts-started"
            self.last_speech_change = at
        elif kind == "server-message" and data.get("type") == "dialogue-turn":
            # The first hint is the turn's own; a tool's follow-up answer sends another.
            self.hint = self.hint or data
            self.tools += [str(t) for t in data.get("tools") or []]
        if kind in LLM_MESSAGES or kind == "server-message":
            self.last_activity = at

    def done(self, now: float) -> bool:
        if not self.seen_input or self.llm_active or self.calls:
            return False
        if self.followup:
            # A hint naming a tool that answers: give its answer longer (the server may hold it
            # until the next input, so not forever).
            answers = self.hint is not None and bool(set(self.tools) - NO_FOLLOWUP_TOOLS)
            grace = HINTED_FOLLOWUP_GRACE if answers else FOLLOWUP_GRACE
            silent = not self.speaking and not self.synthesizing
            return silent and now - self.last_speech_change >= max(grace, self.quiet)
        gap = self.quiet / 3 if self.hint is not None else self.quiet
        return now - self.last_activity >= gap and (self.hint is not None or self.answered)


def send_text_message(text: str) -> dict[str, Any]:
    """What @pipecat-ai/client-js sends for sendText(text, {run_immediately, audio_response})."""
    from devstack.ws_client import rtvi

    return rtvi("send-text", {"content": text, "options": {"run_immediately": True, "audio_response": True}})


def reply_text(messages: list[dict[str, Any]]) -> str:
    """The bot's text for a turn: its LLM text, plus sentences spoken that the LLM text lacks
    (text pushed straight to TTS, such as a filler while a tool runs)."""
    runs: list[str] = []  # one text per LLM response (its tokens joined as they came)
    for message in messages:
        if message.get("type") == "bot-llm-started" or not runs:
            runs.append("")
        if message.get("type") == "bot-llm-text":
            runs[-1] += str((message.get("data") or {}).get("text") or "")
    text = " ".join(run.strip() for run in runs if run.strip())
    for message in messages:
        if message.get("type") not in ("bot-output", "bot-tts-text"):
            continue
        sentence = str((message.get("data") or {}).get("text") or "").strip()
        if sentence and sentence not in text:
            text = f"{text} {sentence}".strip()
    return text


async def run_turn(client: Any, text: str, *, turn_timeout: float, quiet: float) -> Observed:
    """Send one typed turn and wait until it is done; collect the bot's text and the turn hint."""
    start_index = len(client.events)
    started = time.monotonic()
    await client.send_message(send_text_message(text))
    tracker = TurnTracker(quiet=quiet, started=started)
    index = start_index
    observed = Observed()
    while True:
        for event in client.events[index:]:
            message = event.data if event.kind == "message" and isinstance(event.data, dict) else None
            if message is None:
                continue
            kind = str(message.get("type"))
            data = message.get("data") if isinstance(message.get("data"), dict) else {}
            tracker.feed(kind, data, event.at)
            if kind in ("error", "error-response"):
                error = str(data.get("error") or data.get("message") or message)[:200]
                observed.errors.append(error)
                if data.get("fatal"):
                    observed.fatal.append(error)
            if kind not in QUIET_TYPES:
                said = data.get("text") or (data.get("type") if kind == "server-message" else "")
                observed.trace.append(f"{event.at - started:6.2f} {kind} {str(said or '')[:80]}".rstrip())
        index = len(client.events)
        now = time.monotonic()
        if tracker.done(now):
            break
        if client.closed_code is not None or client._closed.is_set():
            observed.closed = True
            break
        if now - started > turn_timeout:
            observed.timed_out = True
            break
        await asyncio.sleep(0.05)
    messages = [
        e.data for e in client.events[start_index:] if e.kind == "message" and isinstance(e.data, dict)
    ]
    observed.reply = reply_text(messages)
    observed.hint = tracker.hint
    if tracker.hint:
        observed.intent = tracker.hint.get("intent")
        observed.tools = tracker.tools
    observed.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return observed


async def wait_greeting(client: Any, within: float = 30.0) -> None:
    """Wait until the bot has started its greeting (its first text or audio)."""

    def greeting(event: Any) -> bool:
        if event.kind == "audio":
            return True
        message = event.data if event.kind == "message" and isinstance(event.data, dict) else {}
        return message.get("type") in ("bot-output", "bot-llm-text", "bot-tts-text", "bot-started-speaking")

    await client.wait_for(greeting, within=within)


# ---------------------------------------------------------------------------- one conversation


async def _settled_state(reader: StateReader, user_id: str, deadline: float) -> tuple[State, bool]:
    state = await asyncio.to_thread(reader.read, user_id)
    while not reader.settled(state) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        state = await asyncio.to_thread(reader.read, user_id)
    return state, reader.settled(state)


def _search_record(query: dict[str, Any]) -> dict[str, Any]:
    return {
        "searchText": query.get("searchText"),
        "preferences": query.get("preferences") or {},
        "status": query.get("status"),
    }


async def run_conversation(
    conversation: dict[str, Any],
    urls: dict[str, str],
    reader: StateReader,
    *,
    turn_timeout: float,
    quiet: float,
    trace: bool = False,
) -> list[dict[str, Any]]:
    import httpx

    from devstack.accounts import sign_up, start_session
    from devstack.ws_client import VoiceClient

    client: VoiceClient | None = None
    memory = Memory()
    records: list[dict[str, Any]] = []
    turns = conversation.get("turns") or []
    try:
        try:
            user_id, token = await asyncio.to_thread(sign_up, urls["auth"])
            session = await asyncio.to_thread(start_session, urls["functions"], token)
        except httpx.HTTPError as exc:
            raise ConnectionError(f"could not start a session: {exc!r}") from exc
        client = VoiceClient(session["wsUrl"])
        await client.connect(stream_mic=False)
        await wait_greeting(client)
        for number, turn in enumerate(turns, 1):
            before = await asyncio.to_thread(reader.read, user_id)
            observed = await run_turn(client, turn["say"], turn_timeout=turn_timeout, quiet=quiet)
            remaining = max(1.0, turn_timeout - observed.elapsed_ms / 1000)
            after, settled = await _settled_state(reader, user_id, time.monotonic() + remaining)
            failures = observation_failures(observed, turn_timeout)
            failures += judge_turn(turn.get("expect") or {}, before, after, observed.reply, memory)
            if not settled:
                failures.insert(0, "a search was still running at the end of the turn")
            memory.observe(before, after, turn.get("intent", ""))
            new_queries = [q for q in after.queries if q["id"] not in before.query_ids()]
            records.append(
                {
                    "id": f"{conversation['id']}.{number}",
                    "conversation": conversation["id"],
                    "split": conversation.get("split", "dev"),
                    "say": turn["say"],
                    "intent": turn.get("intent", "unknown"),
                    "observed_intent": observed.intent,
                    "tools": observed.tools,
                    "pass": not failures,
                    "failures": failures,
                    "reply": observed.reply,
                    "searches": [_search_record(q) for q in new_queries],
                    "elapsed_ms": observed.elapsed_ms,
                    "errors": observed.errors,
                    # What the server sent during a failed turn, to see why without a rerun.
                    "trace": observed.trace if failures or trace else [],
                }
            )
            if observed.closed:
                break
        if len(records) < len(turns):
            raise ConnectionError("the server closed the session")
    except (ConnectionError, TimeoutError, OSError) as exc:
        done = len(records)
        for number, turn in enumerate(turns[done:], done + 1):
            records.append(
                {
                    "id": f"{conversation['id']}.{number}",
                    "conversation": conversation["id"],
                    "split": conversation.get("split", "dev"),
                    "say": turn["say"],
                    "intent": turn.get("intent", "unknown"),
                    "observed_intent": None,
                    "tools": [],
                    "pass": False,
                    "failures": [f"session failed before this turn: {exc}"],
                    "reply": "",
                    "searches": [],
                    "elapsed_ms": 0.0,
                    "errors": [],
                    "trace": [],
                }
            )
    finally:
        if client is not None:
            await client.close()
    return records


# ---------------------------------------------------------------------------- report


def accuracy(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Turns right per expected intent and overall."""
    by_intent: dict[str, dict[str, Any]] = {}
    for record in records:
        row = by_intent.setdefault(record["intent"], {"turns": 0, "right": 0})
        row["turns"] += 1
        row["right"] += int(record["pass"])
    for row in by_intent.values():
        row["accuracy"] = round(row["right"] / row["turns"], 3)
    right = sum(int(r["pass"]) for r in records)
    return {
        "turns": len(records),
        "right": right,
        "accuracy": round(right / len(records), 3) if records else None,
        "intent_agreement": _agreement(records),
        "per_intent": dict(sorted(by_intent.items())),
    }


def _agreement(records: list[dict[str, Any]]) -> float | None:
    hinted = [r for r in records if r.get("observed_intent")]
    if not hinted:
        return None
    return round(sum(r["observed_intent"] == r["intent"] for r in hinted) / len(hinted), 3)


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        name: accuracy([r for r in records if name == "all" or r["split"] == name])
        for name in (*SPLITS, "all")
    }


def _cell(summary: dict[str, Any], intent: str | None) -> str:
    row = summary if intent is None else summary["per_intent"].get(intent)
    if not row or not row["turns"]:
        return "-"
    return f"{row['right']}/{row['turns']} ({row['accuracy'] * 100:.0f}%)"


def markdown(report: dict[str, Any]) -> str:
    summary = report["summary"]
    intents = sorted({i for s in summary.values() for i in s["per_intent"]})
    lines = [
        "# Dialogue accuracy (typed turns over the real WebSocket, judged by effects)",
        "",
        f"{report['date']}, commit {report['commit']}. Command: `{report['command']}`.",
        f"{report['conversations']} conversations, {summary['all']['turns']} turns; "
        f"set {report['data']}; per-turn timeout {report['turn_timeout_s']} s; "
        f"wall {report['wall_s']} s.",
        "",
        "| intent | dev | heldout | all |",
        "|---|---|---|---|",
    ]
    for intent in intents:
        lines.append(
            f"| {intent} | " + " | ".join(_cell(summary[s], intent) for s in (*SPLITS, "all")) + " |"
        )
    lines.append("| **overall** | " + " | ".join(_cell(summary[s], None) for s in (*SPLITS, "all")) + " |")
    agreement = summary["all"].get("intent_agreement")
    if agreement is not None:
        lines += [
            "",
            f"Intent named by the server's dialogue-turn hint = expected intent: {agreement * 100:.0f}%.",
        ]
    failed = [r for r in report["turns"] if not r["pass"]]
    if failed:
        lines += ["", f"Failed turns ({len(failed)}; details in {report.get('name', 'dialogue')}.json):", ""]
        for record in failed[:40]:
            lines.append(
                f"- {record['id']} ({record['split']}, {record['intent']}) "
                f'"{record["say"]}": {record["failures"][0]}'
            )
        if len(failed) > 40:
            lines.append(f"- ... {len(failed) - 40} more")
    return "\n".join(lines) + "\n"


def load(path: Path, split: str, limit: int | None) -> list[dict[str, Any]]:
    conversations = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if split != "all":
        conversations = [c for c in conversations if c.get("split", "dev") == split]
    return conversations[:limit] if limit else conversations


def _commit() -> str:
    """HEAD's short hash, with "+changes" when the work tree differs from it (what actually ran)."""
    with contextlib.suppress(Exception):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return f"{head}+changes" if status else head
    return "unknown"


async def run_all(
    conversations: list[dict[str, Any]],
    urls: dict[str, str],
    project: str,
    *,
    turn_timeout: float,
    quiet: float,
    trace: bool = False,
) -> list[dict[str, Any]]:
    reader = StateReader(project)
    records: list[dict[str, Any]] = []
    try:
        for conversation in conversations:
            turns = await run_conversation(
                conversation, urls, reader, turn_timeout=turn_timeout, quiet=quiet, trace=trace
            )
            records += turns
            right = sum(int(t["pass"]) for t in turns)
            sys.stderr.write(f"{conversation['id']} ({conversation.get('split')}): {right}/{len(turns)}\n")
    finally:
        reader.close()
    return records


def _raise_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--limit", type=int, help="run only the first N conversations")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--name", default="dialogue", help="file name of the results, without extension")
    parser.add_argument("--turn-timeout", type=float, default=20.0)
    parser.add_argument("--quiet", type=float, default=0.8, help="seconds without bot text that end a turn")
    parser.add_argument("--trace", action="store_true", help="keep every turn's RTVI messages in the JSON")
    args = parser.parse_args(argv)

    from devstack.stack import PROJECT_ID, LocalStack, Ports

    conversations = load(args.data, args.split, args.limit)
    if not conversations:
        sys.stderr.write(f"no conversations in {args.data} for split {args.split}\n")
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stack = LocalStack(
        PARTS,
        ports=Ports.free(),
        log_dir=ROOT / ".stack" / "bench-dialogue-logs",
        extra_env={"RATE_LIMIT_PER_MINUTE": "1000"},
    )
    saved_env = dict(os.environ)
    started = time.monotonic()
    try:
        sys.stderr.write("starting the local stack ...\n")
        stack.start()
        os.environ.update(stack.env)
        urls = {"auth": stack.url("auth"), "functions": stack.url("functions")}
        records = asyncio.run(
            run_all(
                conversations,
                urls,
                PROJECT_ID,
                turn_timeout=args.turn_timeout,
                quiet=args.quiet,
                trace=args.trace,
            )
        )
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved_env)
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "command": shlex.join(["python", "bench/dialogue.py", *(sys.argv[1:] if argv is None else argv)]),
        "data": str(args.data.resolve().relative_to(ROOT))
        if args.data.resolve().is_relative_to(ROOT)
        else str(args.data),
        "split": args.split,
        "name": args.name,
        "conversations": len(conversations),
        "turn_timeout_s": args.turn_timeout,
        "wall_s": round(time.monotonic() - started, 1),
        "summary": summarize(records),
        "turns": records,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (args.out / f"{args.name}.md").write_text(table)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
