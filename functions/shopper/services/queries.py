"""Research queries from the API: validate, hand to the research service, optionally wait for results.

The research service (shopper.research.service, its own issue) stores the query
`pending` and enqueues the worker job; this module adds what the API promises on
top: the session belongs to the user and is still active, and the voice agent
can wait a bounded time for the ranked products so it can speak about them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from shopper.models import Product, QueryCreate, QueryStatus, now_ms
from shopper.repository import Repository
from shopper.research.service import Submitted, recover_if_stale, submit_query
from shopper.services.sessions import active_session

POLL_INTERVAL_S = 0.025  # the voice agent is waiting: a search lands up to this much sooner
# The agent is told about every product the page shows, so "I found N" and "the last one"
# mean what the shopper sees.
SPOKEN_PRODUCTS = 20
_DESCRIPTION_CHARS = 300
_DONE = (QueryStatus.completed, QueryStatus.failed)


@dataclass
class ResearchOutcome:
    query_id: str
    status: QueryStatus
    products: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    # The filters the query ran with (as stored: minPrice, maxPrice, minRating, targetRetailers).
    filters: dict[str, Any] = field(default_factory=dict)


def submit(repo: Repository, user_id: str, create: QueryCreate) -> Submitted:
    """Store the query `pending` and enqueue its research job; returns its id (and notes
    on filters from the text that could not be used)."""
    if create.sessionId is not None:
        active_session(repo, create.sessionId, user_id)
    return submit_query(repo, user_id, create)


def compact_product(product_id: str, product: Product) -> dict[str, Any]:
    """What the voice agent needs to talk about a product card (and to save it by id)."""
    return {
        "id": product_id,
        "title": product.title,
        "price": product.price,
        "currency": product.currency,
        "brand": product.brand,
        "color": product.color,
        "category": product.category,
        "rating": product.rating,
        "reviewsCount": product.reviewsCount,
        "availability": product.availability.value,
        "source": product.source,
        "systemRank": product.systemRank,
        "rankReasons": product.rankReasons,
        "description": (product.description or "")[:_DESCRIPTION_CHARS] or None,
        "imageUrl": product.imageUrl,
        "productUrl": product.productUrl,
    }


def wait_for_results(
    repo: Repository, query_id: str, user_id: str, wait_s: float, limit: int = SPOKEN_PRODUCTS
) -> ResearchOutcome:
    """Poll the query until it completes or fails, or `wait_s` passes; then its ranked products."""
    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        query = repo.get_query(query_id)
        status = query.status if query is not None else QueryStatus.pending
        if status in _DONE or time.monotonic() >= deadline:
            break
        time.sleep(min(POLL_INTERVAL_S, max(0.0, deadline - time.monotonic())))
    if status not in _DONE:
        # A job whose worker died is re-enqueued (or failed) here rather than waiting for the sweep.
        recover_if_stale(repo, query_id, now_ms())
    products = [compact_product(pid, p) for pid, p in repo.list_products(query_id, user_id, limit)]
    filters = query.preferences.model_dump(mode="json", exclude_defaults=True) if query is not None else {}
    return ResearchOutcome(query_id, status, products, query.error if query is not None else None, filters)
