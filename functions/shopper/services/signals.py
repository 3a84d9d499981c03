"""Interaction signals: what the user did, with keywords and the product's traits for learning."""

from __future__ import annotations

import re
from typing import Any

from shopper.learning.trigger import request_learning
from shopper.models import InteractionSignal, SignalCreate
from shopper.repository import Repository

MAX_KEYWORDS = 12

# Words that say nothing about taste: function words, shopping verbs, price talk.
_STOPWORD_TEXT = """
    a an the and or but of for to in on at by with without from into over under about as is are was were be
    been it its this that these those i me my we our you your he she they them their there here what which who
    whom how when where why can could would should will shall may might must do does did done have has had
    not no yes so very too just also more most less least than then only any some all each every other
    find search show get give buy want need looking look like please something thing things one ones some
    me show tell see let lets let's want wanted am im i'm cheap cheaper cheapest price prices priced dollar
    dollars usd bucks budget between around max min maximum minimum up below above less less than good best
    great nice new item items product products
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*", re.UNICODE)


def extract_keywords(text: str | None, limit: int = MAX_KEYWORDS) -> list[str]:
    """Distinct lowercase content words of `text`, in order of first appearance."""
    if not text:
        return []
    keywords: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).strip("'-")
        if len(word) < 2 or word in STOPWORDS or word.isdigit() or word in keywords:
            continue
        keywords.append(word[:40])
        if len(keywords) >= limit:
            break
    return keywords


def product_traits(repo: Repository, item_id: str, user_id: str) -> dict[str, Any]:
    """brand/color/price/productName/category of the user's product (or saved item) named by `item_id`."""
    if not _plausible_id(item_id):
        return {}
    product = repo.get_product(item_id)
    if product is not None and product.userId == user_id:
        return {
            "brand": product.brand,
            "color": product.color,
            "price": product.price,
            "productName": product.title,
            "category": product.category,
        }
    saved = repo.get_saved_item(item_id)
    if saved is not None and saved.userId == user_id:
        traits: dict[str, Any] = {"price": saved.price, "productName": saved.productName}
        product = repo.get_product(saved.productId) if _plausible_id(saved.productId) else None
        if product is not None and product.userId == user_id:
            traits.update(brand=product.brand, color=product.color, category=product.category)
        return traits
    return {}


def _plausible_id(value: str) -> bool:
    return value not in (".", "..") and not (value.startswith("__") and value.endswith("__"))


def build_signal(
    create: SignalCreate, user_id: str, now_ms: int, traits: dict[str, Any]
) -> InteractionSignal:
    """The stored signal: the client's fields win over the product's, keywords from the query text."""
    keywords = extract_keywords(create.queryText)
    return InteractionSignal(
        userId=user_id,
        type=create.type,
        itemId=create.itemId,
        queryText=create.queryText or None,
        category=create.category or traits.get("category"),
        timestamp=now_ms,
        extractedKeywords=keywords,
        brand=traits.get("brand"),
        color=traits.get("color"),
        price=traits.get("price"),
        productName=traits.get("productName"),
    )


def record(repo: Repository, user_id: str, create: SignalCreate, now_ms: int) -> str:
    traits = product_traits(repo, create.itemId, user_id) if create.itemId else {}
    signal_id = repo.add_signal(build_signal(create, user_id, now_ms, traits))
    # A save, dislike or purchase changes what we know of the user's taste: learn it now.
    request_learning(repo, user_id, create.type, now_ms)
    return signal_id
