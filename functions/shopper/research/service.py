"""The research service: what the API and the worker call.

    submit_query(repo, user_id, create, enqueue=enqueue_research) -> query_id
        Store the query `pending` (natural-language constraints lifted into its
        preferences when the client sent none) and enqueue its research job.
    run_research(query_id, repo, providers=None, settings=None) -> ResearchResult
        The job: claim the query (`searching`), search every provider concurrently,
        normalise, dedupe, filter, rank by the user's preferences, write the products in
        one batch with deterministic ids, mark `completed` (or `failed` with a reason).

    sweep_stale_queries(repo, now_ms, settings) -> int
        No query stays `pending`/`searching` forever: one not updated for
        settings.research_stale_after_s is re-enqueued once (back to `pending`), and
        failed with a readable error once it has outlived two stale periods.
        `recover_if_stale` does the same for one query (for a waiting caller).

Waiting for results (POST /pipecat/trigger-research) is shopper.services.queries.wait_for_results.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from shopper.errors import Unavailable
from shopper.models import Product, Query, QueryCreate, QueryPreferences, QueryStatus, SignalType, now_ms
from shopper.repository import Repository
from shopper.research.pipeline import NoResultsError, canonical_url, product_key, run_search
from shopper.research.providers.base import Provider
from shopper.research.providers.registry import build_providers
from shopper.research.tasks import enqueue_research
from shopper.research.types import ParsedQuery, RankedOffer, SortHint, parse_text
from shopper.settings import Settings, get_settings
from shopper_core.log import get_logger, log_event
from shopper_core.understanding import parse_search

logger = get_logger(__name__)

PRODUCTS_PER_QUERY = 20
DESCRIPTION_MAX = 2000


# ---------------------------------------------------------------- submitting


def preferences_from_text(text: str, given: QueryPreferences) -> QueryPreferences:
    """The client's own filters win; when it sent none, those said in the text are used."""
    try:
        said = parse_search(text).filters
    except ValueError:
        return given
    if given.pricePreference is None and said.price_preference:
        given = given.model_copy(update={"pricePreference": said.price_preference})
    if given.minPrice is not None or given.maxPrice is not None or given.minRating is not None:
        return given
    low, high = said.min_price, said.max_price
    if low is not None and high is not None and low > high:
        low = None
    return given.model_copy(update={"minPrice": low, "maxPrice": high, "minRating": said.min_rating})


def submit_query(
    repo: Repository,
    user_id: str,
    create: QueryCreate,
    enqueue: Callable[[str], bool] = enqueue_research,
) -> str:
    """Store the query `pending` and enqueue its job; returns the query id.

    Raises Unavailable (503) when the queue cannot be reached; the query is then marked
    `failed` so nothing waits for it.
    """
    now = now_ms()
    query = Query(
        userId=user_id,
        sessionId=create.sessionId,
        searchText=create.searchText,
        status=QueryStatus.pending,
        preferences=preferences_from_text(create.searchText, create.preferences),
        createdAt=now,
        updatedAt=now,
    )
    query_id = repo.create_query(query)
    try:
        enqueue(query_id)
    except Exception as exc:
        log_event(logger, "research enqueue failed", queryId=query_id, error=str(exc))
        repo.update_query(
            query_id, status=QueryStatus.failed, error="the search could not be started", updatedAt=now_ms()
        )
        raise Unavailable("the search could not be started; please try again") from exc
    log_event(logger, "query submitted", queryId=query_id, userId=user_id)
    return query_id


# ---------------------------------------------------------------- the job


class QueryBusy(Exception):
    """Another run is searching this query right now (and is not stale yet)."""


@dataclass
class ResearchResult:
    query_id: str
    status: str  # completed | failed | already_done | not_found
    products: int = 0
    error: str | None = None
    partial_errors: dict[str, str] | None = None


def product_id(query_id: str, canonical_url: str) -> str:
    """Same query + same product = same document, however often the job runs."""
    return f"{query_id}_{hashlib.sha1(canonical_url.encode('utf-8')).hexdigest()[:16]}"


def parsed_for(query: Query) -> ParsedQuery:
    """The stored query as providers search it: its text parsed, its stored filters applied."""
    parsed = parse_text(query.searchText)
    prefs = query.preferences
    filters = replace(
        parsed.filters,
        min_price=prefs.minPrice,
        max_price=prefs.maxPrice,
        min_rating=prefs.minRating,
        retailers=tuple(prefs.targetRetailers),
    )
    text = parsed.text or query.searchText
    sort = {"low": SortHint.price_low, "high": SortHint.price_high}.get(
        prefs.pricePreference or "", parsed.sort
    )
    return replace(parsed, text=text, filters=filters, sort=sort)


def to_product(query_id: str, query: Query, ranked: RankedOffer, created_at: int) -> tuple[str, Product]:
    offer = ranked.offer
    description = offer.description[:DESCRIPTION_MAX] if offer.description else None
    return product_id(query_id, offer.canonical_url), Product(
        queryId=query_id,
        userId=query.userId,
        title=offer.title,
        imageUrl=offer.image_url,
        productUrl=offer.url,
        price=offer.price,
        currency=offer.currency,
        description=description,
        reviewsCount=offer.reviews_count,
        rating=offer.rating,
        availability=offer.availability,
        source=offer.source,
        searchRank=offer.search_rank,
        systemRank=ranked.system_rank,
        rankReasons=list(ranked.reasons),
        brand=offer.brand,
        color=offer.color,
        category=offer.category,
        createdAt=created_at,
    )


def sorted_as_asked(ranked: Sequence[RankedOffer], sort: str | None) -> list[RankedOffer]:
    """The ranked offers in the order the shopper asked for ("sort them by price"), renumbered.

    The ranking chose which products answer the query; an explicit sort only changes
    their order on screen (ties keep the ranking's order; unrated products go last)."""
    if not sort:
        return list(ranked)
    keys = {
        "price_low": lambda r: r.offer.price,
        "price_high": lambda r: -r.offer.price,
        "rating": lambda r: -(r.offer.rating or -1.0),
    }
    ordered = sorted(ranked, key=keys[sort])
    return [replace(r, system_rank=i) for i, r in enumerate(ordered, start=1)]


def run_research(
    query_id: str,
    repo: Repository,
    providers: Sequence[Provider] | None = None,
    settings: Settings | None = None,
) -> ResearchResult:
    """Run one research job. Idempotent: a finished query is left alone, and products have
    deterministic ids. Raises QueryBusy when another live run owns the query; any other
    exception (Firestore unreachable ...) is transient: the query goes back to `pending`
    so a retry can claim it."""
    settings = settings or get_settings()
    started = time.perf_counter()
    claimed = repo.claim_query(query_id, now_ms(), settings.research_stale_after_s * 1000)
    if claimed is None:
        current = repo.get_query(query_id)
        if current is None:
            return ResearchResult(query_id, "not_found", error="no such query")
        if current.status in (QueryStatus.completed, QueryStatus.failed):
            return ResearchResult(query_id, "already_done", error=current.error)
        raise QueryBusy(query_id)
    try:
        return _search_and_store(query_id, claimed, repo, providers, settings, started)
    except Exception:
        try:
            repo.update_query(query_id, status=QueryStatus.pending, updatedAt=now_ms())
        except Exception as exc:  # the stale-claim rule still recovers it
            log_event(logger, "could not release query", queryId=query_id, error=str(exc))
        raise


def _search_and_store(
    query_id: str,
    query: Query,
    repo: Repository,
    providers: Sequence[Provider] | None,
    settings: Settings,
    started: float,
) -> ResearchResult:
    try:
        active = list(providers) if providers is not None else build_providers(settings)
        parsed = parsed_for(query)
    except ValueError as exc:
        return _fail(repo, query_id, query.userId, f"the search could not run: {exc}")
    preferences = repo.get_preferences(query.userId)
    try:
        outcome = asyncio.run(
            run_search(
                parsed,
                active,
                preferences,
                limit=PRODUCTS_PER_QUERY,
                timeout_s=settings.provider_timeout_s,
                disliked=disliked_products(repo, query.userId),
            )
        )
    except NoResultsError as exc:
        return _fail(repo, query_id, query.userId, str(exc))
    created = now_ms()
    ranked_offers = sorted_as_asked(outcome.ranked, query.preferences.sort)
    products = [to_product(query_id, query, ranked, created) for ranked in ranked_offers]
    removed = repo.replace_products(query_id, query.userId, products)
    # A completed query with no products carries why in `error` (which filter removed everything).
    repo.update_query(query_id, status=QueryStatus.completed, error=outcome.empty_reason, updatedAt=now_ms())
    log_event(
        logger,
        "research completed",
        queryId=query_id,
        status="completed",
        userId=query.userId,
        products=len(products),
        earlier_products_removed=removed or None,
        provider_errors=outcome.errors or None,
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return ResearchResult(query_id, "completed", len(products), partial_errors=outcome.errors or None)


DISLIKES_READ = 500


def disliked_products(repo: Repository, user_id: str) -> frozenset[str]:
    """Product keys (pipeline.product_key) of everything the user disliked, whatever query
    showed it: a dislike signal's itemId is a product document id, `{queryId}_{key}`."""
    keys = set()
    for signal in repo.list_signals(user_id, 0, limit=DISLIKES_READ):
        if signal.type != SignalType.dislike or not signal.itemId:
            continue
        _, _, key = signal.itemId.rpartition("_")
        if re.fullmatch(r"[0-9a-f]{16}", key):
            keys.add(key)
            continue
        product = repo.get_product(signal.itemId)
        if product is not None:
            try:
                keys.add(product_key(canonical_url(product.productUrl)))
            except ValueError:
                continue
    return frozenset(keys)


def _fail(repo: Repository, query_id: str, user_id: str, reason: str) -> ResearchResult:
    """Mark the query failed; products an earlier run of it stored are removed."""
    repo.replace_products(query_id, user_id, [])
    repo.update_query(query_id, status=QueryStatus.failed, error=reason[:500], updatedAt=now_ms())
    log_event(logger, "research failed", queryId=query_id, status="failed", error=reason)
    return ResearchResult(query_id, "failed", error=reason)


# ---------------------------------------------------------------- stale queries

STALE_ERROR = "the search did not finish in time; please try again"
RETRY_TASK_SUFFIX = "-retry"


def stale_action(query: Query, now: int, stale_after_ms: int) -> str | None:
    """What to do with a query nobody has advanced lately: None (it is done, or recent),
    "requeue" (stale once: run it again) or "fail" (it has outlived two stale periods,
    so it was already given its second chance)."""
    if query.status not in (QueryStatus.pending, QueryStatus.searching):
        return None
    if now - query.updatedAt <= stale_after_ms:
        return None
    return "fail" if now - query.createdAt > 2 * stale_after_ms else "requeue"


def _recover(
    repo: Repository,
    query_id: str,
    query: Query,
    now: int,
    settings: Settings,
    enqueue: Callable[..., bool],
) -> str | None:
    action = stale_action(query, now, settings.research_stale_after_s * 1000)
    if action is None:
        return None
    if action == "fail":
        if not repo.transition_query(
            query_id,
            query.status,
            query.updatedAt,
            status=QueryStatus.failed,
            error=STALE_ERROR,
            updatedAt=now,
        ):
            return None  # someone advanced it meanwhile
        repo.replace_products(query_id, query.userId, [])
    else:
        if not repo.transition_query(
            query_id, query.status, query.updatedAt, status=QueryStatus.pending, updatedAt=now
        ):
            return None
        try:
            enqueue(query_id, settings, task_id=query_id + RETRY_TASK_SUFFIX)
        except Exception as exc:  # the next sweep fails it after the second stale period
            log_event(logger, "stale query requeue failed", queryId=query_id, error=str(exc))
    log_event(logger, f"stale query {action}", queryId=query_id, was=query.status.value, userId=query.userId)
    return action


def recover_if_stale(
    repo: Repository,
    query_id: str,
    now: int,
    settings: Settings | None = None,
    enqueue: Callable[..., bool] = enqueue_research,
) -> str | None:
    """The stale rule for one query (e.g. a caller whose wait ran out): "requeue", "fail" or None."""
    query = repo.get_query(query_id)
    if query is None:
        return None
    return _recover(repo, query_id, query, now, settings or get_settings(), enqueue)


def sweep_stale_queries(
    repo: Repository,
    now: int,
    settings: Settings | None = None,
    enqueue: Callable[..., bool] = enqueue_research,
    limit: int = 200,
) -> int:
    """Re-enqueue or fail every query stuck in `pending`/`searching` (see `stale_action`);
    returns how many were changed. Safe to run concurrently with workers and with itself:
    each change is a compare-and-set on the status and updatedAt it read."""
    settings = settings or get_settings()
    cutoff = now - settings.research_stale_after_s * 1000
    changed = 0
    for status in (QueryStatus.searching, QueryStatus.pending):
        for query_id, query in repo.list_stale_queries(status, cutoff, limit):
            if _recover(repo, query_id, query, now, settings, enqueue) is not None:
                changed += 1
    if changed:
        log_event(logger, "stale queries swept", changed=changed)
    return changed
