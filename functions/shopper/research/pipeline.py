"""From provider answers to ranked offers: pure steps plus one concurrent aggregator.

    raw results --normalise--> offers --dedupe--> --apply_filters--> --merge--> --rank_by_preferences-->

`search_products` runs the whole chain; the research worker and the relevance benchmark
both call it, so what is measured is what ships.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shopper.models import UserPreferences
from shopper.research.catalog_data import COLOR_WORDS, normalise_color
from shopper.research.providers.base import Provider
from shopper.research.types import (
    Offer,
    ParsedQuery,
    RankedOffer,
    RawResult,
    SearchFilters,
    SortHint,
    parse_text,
)
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

# Approximate reference rates (USD per unit), enough to compare offers across currencies.
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66, "JPY": 0.0067, "INR": 0.012}
_SYMBOLS = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "C$": "CAD",
    "A$": "AUD",
    "US$": "USD",
}
TRACKING_PARAMS = frozenset(
    {"gclid", "gclsrc", "dclid", "fbclid", "msclkid", "yclid", "mc_cid", "mc_eid", "srsltid",
     "ref", "ref_", "referrer", "tag", "affid", "aff_id", "clickid", "_encoding", "psc", "spm"}
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pf_rd_", "pd_rd_", "_hs", "mkt_")


class NoResultsError(Exception):
    """Every provider failed; the message says why, for people."""


# ---------------------------------------------------------------- normalising


def parse_price(value: float | int | str | None) -> tuple[float, str | None] | None:
    """A number, or a display price ("$1,299.99", "1.299,99 €", "EUR 12") -> (amount, currency)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (float(value), None) if value >= 0 and value == value and value != float("inf") else None
    text = value.strip()
    currency = None
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            currency = _SYMBOLS[symbol]
            break
    if currency is None and (code := re.search(r"\b([A-Z]{3})\b", text)):
        currency = code.group(1)
    match = re.search(r"\d[\d.,\s]*", text)
    if not match:
        return None
    number = match.group(0).strip().replace(" ", "")
    if "," in number and "." in number:
        decimal = "," if number.rfind(",") > number.rfind(".") else "."
        number = number.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in number:
        head, _, tail = number.rpartition(",")
        number = head.replace(",", "") + ("." + tail if len(tail) != 3 else tail)
    try:
        amount = float(number)
    except ValueError:
        return None
    return amount, currency


def convert_price(amount: float, from_currency: str, to_currency: str) -> float | None:
    if from_currency == to_currency:
        return round(amount, 2)
    if from_currency not in USD_PER_UNIT or to_currency not in USD_PER_UNIT:
        return None
    return round(amount * USD_PER_UNIT[from_currency] / USD_PER_UNIT[to_currency], 2)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no "www.", default port, fragment or tracking parameters;
    remaining parameters sorted; no trailing slash. Raises ValueError for a non-http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower().removeprefix("www.")
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def normalise_availability(value: str | None) -> str:
    text = (value or "").strip().lower().replace("_", " ").replace("-", " ")
    if not text:
        return "unknown"
    if "out of stock" in text or "sold out" in text or "unavailable" in text:
        return "out_of_stock"
    if any(word in text for word in ("low stock", "limited", "only", "few left", "pre order", "backorder")):
        return "limited"
    if "in stock" in text or text in ("available", "instock"):
        return "in_stock"
    return "unknown"


def normalise(raw: RawResult, currency: str = "USD") -> Offer | None:
    """A provider's result in the query's terms, or None when it cannot be used
    (no price, unknown currency, not an http(s) link)."""
    parsed = parse_price(raw.price)
    if parsed is None:
        return None
    amount, price_currency = parsed
    source_currency = (raw.currency or price_currency or currency).upper()
    price = convert_price(amount, source_currency, currency)
    if price is None:
        return None
    try:
        canonical = canonical_url(raw.url)
    except ValueError:
        return None
    color = normalise_color(raw.color) if raw.color else _color_in(raw.title)
    return Offer(
        provider=raw.provider,
        source=raw.source,
        title=raw.title.strip()[:500],
        url=raw.url.strip(),
        canonical_url=canonical,
        price=price,
        currency=currency,
        search_rank=raw.position,
        description=raw.description,
        brand=raw.brand,
        rating=raw.rating if raw.rating is not None and 0 <= raw.rating <= 5 else None,
        reviews_count=raw.reviews_count if raw.reviews_count is not None and raw.reviews_count >= 0 else None,
        availability=normalise_availability(raw.availability),
        image_url=raw.image_url,
        color=color,
        category=raw.category,
        relevance=raw.relevance,
        matched=tuple(raw.matched),
    )


def _color_in(text: str) -> str | None:
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in COLOR_WORDS:
            return normalise_color(word)
    return None


def dedupe(offers: Iterable[Offer]) -> list[Offer]:
    """First offer per canonical URL wins (callers pass the better-ranked first)."""
    seen: set[str] = set()
    out = []
    for offer in offers:
        if offer.canonical_url not in seen:
            seen.add(offer.canonical_url)
            out.append(offer)
    return out


def apply_filters(offers: Iterable[Offer], filters: SearchFilters) -> list[Offer]:
    """Keep offers within the price range, at or above the rating, from the retailers asked for,
    and of the colour/brand asked for (by field, or by the title when the field is unknown)."""
    retailers = {r.lower() for r in filters.retailers}
    out = []
    for offer in offers:
        if filters.min_price is not None and offer.price < filters.min_price:
            continue
        if filters.max_price is not None and offer.price > filters.max_price:
            continue
        if filters.min_rating is not None and (offer.rating is None or offer.rating < filters.min_rating):
            continue
        if retailers and offer.provider.lower() not in retailers and offer.source.lower() not in retailers:
            continue
        if filters.brand and not _has_brand(offer, filters.brand):
            continue
        if any(_has_brand(offer, ruled_out) for ruled_out in filters.not_brands):
            continue
        if filters.color and not _has_color(offer, filters.color):
            continue
        out.append(offer)
    return out


def _has_brand(offer: Offer, brand: str) -> bool:
    wanted = brand.strip().lower()
    if offer.brand:
        return offer.brand.strip().lower() == wanted
    return re.search(rf"\b{re.escape(wanted)}\b", offer.title.lower()) is not None


def _has_color(offer: Offer, color: str) -> bool:
    wanted = normalise_color(color)
    if offer.color == wanted:
        return True
    return re.search(rf"\b{re.escape(wanted)}\b", offer.title.lower()) is not None


def merge_order(offers: Sequence[Offer]) -> list[Offer]:
    """One list across providers: by relevance when providers report it (a provider that
    only ranks gets a score from its position), ties by position then provider."""

    def relevance(offer: Offer) -> float:
        if offer.relevance is not None:
            return offer.relevance
        return 1.0 / (1.0 + 0.08 * (offer.search_rank - 1))

    return sorted(offers, key=lambda o: (-relevance(o), o.search_rank, o.provider))


# ---------------------------------------------------------------- preferences

LIKED_BRAND = 0.35
DISLIKED_BRAND = -0.6
LIKED_COLOR = 0.15
LIKED_CATEGORY = 0.15
OVER_BUDGET = -0.3
WITHIN_BUDGET = 0.05
CHEAP_FIRST = 0.3


def _matches(word: str, *texts: str | None) -> bool:
    pattern = re.compile(rf"\b{re.escape(word.strip().lower())}s?\b")
    return any(text and pattern.search(text.lower()) for text in texts)


def _money(value: float, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{value:,.0f}" if symbol else f"{value:,.0f} {currency}"


def preference_adjustment(offer: Offer, prefs: UserPreferences | None) -> tuple[float, list[str]]:
    """How much the user's taste moves an offer (a multiplier offset) and why, in words."""
    if prefs is None:
        return 0.0, []
    delta = 0.0
    reasons: list[str] = []
    brand_text = offer.brand or ""
    disliked = next((b for b in prefs.dislikedBrands if _matches(b, brand_text, offer.title)), None)
    if disliked:
        delta += DISLIKED_BRAND
        reasons.append(f"a brand you avoid: {disliked}")
    else:
        liked = next((b for b in prefs.brands if _matches(b, brand_text, offer.title)), None)
        if liked:
            delta += LIKED_BRAND
            reasons.append(f"matches your brand {offer.brand or liked}")
    color = next(
        (c for c in prefs.colors if offer.color == normalise_color(c) or _matches(c, offer.title)), None
    )
    if color:
        delta += LIKED_COLOR
        reasons.append(f"in your colour {normalise_color(color)}")
    category = next(
        (c for c in prefs.productCategories if _matches(c, offer.category, offer.title)),
        None,
    )
    if category:
        delta += LIKED_CATEGORY
        reasons.append(f"in a category you like: {category}")
    budget = prefs.budget
    if budget is not None and budget.max is not None and offer.price > budget.max:
        delta += OVER_BUDGET
        reasons.append(f"over your budget of {_money(budget.max, offer.currency)}")
    elif (
        budget is not None
        and (budget.max is not None or budget.min is not None)
        and (budget.min is None or offer.price >= budget.min)
    ):
        delta += WITHIN_BUDGET
        reasons.append("within your budget")
    return delta, reasons


DISLIKED_PRODUCT = -0.85
DISLIKED_REASON = "you marked this product as not for you"


def product_key(canonical: str) -> str:
    """A product's identity across queries: a hash of its canonical URL (the same hash ends
    every product document id, `{queryId}_{key}`)."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def rank_by_preferences(
    offers: Sequence[Offer],
    prefs: UserPreferences | None = None,
    sort: SortHint = SortHint.relevance,
    disliked: frozenset[str] = frozenset(),
) -> list[RankedOffer]:
    """`offers` in merged order -> systemRank 1..n. The relevance order is the base score
    (1 for the first, decaying), multiplied by the user's preference adjustments, so taste
    re-orders comparable matches without promoting an unrelated product. A product the
    user disliked (`disliked`: product keys) sinks, with the reason."""
    if not offers:
        return []
    cheapest = min(o.price for o in offers)
    dearest = max(o.price for o in offers)
    scored = []
    for index, offer in enumerate(offers):
        base = offer.relevance if offer.relevance is not None else 1.0 / (1.0 + 0.08 * index)
        base = max(base, 1e-6) * (1.0 / (1.0 + 0.01 * index))
        delta, taste = preference_adjustment(offer, prefs)
        reasons = [*offer.matched, *taste]
        if disliked and product_key(offer.canonical_url) in disliked:
            delta += DISLIKED_PRODUCT
            reasons.append(DISLIKED_REASON)
        if sort == SortHint.price_low and dearest > cheapest:
            delta += CHEAP_FIRST * (dearest - offer.price) / (dearest - cheapest)
            if offer.price == cheapest:
                reasons.append("lowest price")
        elif sort == SortHint.price_high and dearest > cheapest:
            delta += CHEAP_FIRST * (offer.price - cheapest) / (dearest - cheapest)
        elif sort == SortHint.rating_high and offer.rating:
            delta += 0.1 * (offer.rating - 3.0)
        scored.append((base * max(1.0 + delta, 0.05), index, offer, reasons))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [
        RankedOffer(offer=offer, system_rank=rank, score=round(score, 6), reasons=tuple(reasons))
        for rank, (score, _, offer, reasons) in enumerate(scored, start=1)
    ]


# ---------------------------------------------------------------- aggregation


@dataclass
class Aggregate:
    results: list[RawResult] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)


async def aggregate(
    providers: Sequence[Provider], query: ParsedQuery, timeout_s: float = 3.0, limit: int = 20
) -> Aggregate:
    """Ask every provider at once, each with its own timeout. A failure is recorded by name;
    NoResultsError when no provider answered at all."""
    if not providers:
        raise NoResultsError("no product source is configured")

    async def one(provider: Provider) -> tuple[str, list[RawResult] | None, str | None, float]:
        started = time.perf_counter()
        try:
            results = await asyncio.wait_for(provider.search(query, limit), timeout=timeout_s)
            return provider.name, results, None, _ms(started)
        except TimeoutError:
            return provider.name, None, f"{provider.name} did not answer within {timeout_s:g} s", _ms(started)
        except Exception as exc:  # a provider's failure must never sink the others
            message = str(exc) or type(exc).__name__
            return provider.name, None, f"{provider.name} failed: {message}", _ms(started)

    outcome = Aggregate()
    for name, results, error, latency in await asyncio.gather(*(one(p) for p in providers)):
        outcome.latency_ms[name] = latency
        if error is not None:
            outcome.errors[name] = error
            log_event(logger, "provider failed", provider=name, error=error, latency_ms=latency)
        else:
            outcome.results.extend(results or [])
    if len(outcome.errors) == len(providers):
        raise NoResultsError("no product source answered: " + "; ".join(outcome.errors.values()))
    return outcome


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@dataclass
class SearchOutcome:
    query: ParsedQuery
    ranked: list[RankedOffer]
    errors: dict[str, str]
    # Why nothing is shown, in words a shopper reads ("none of the matching products has a
    # rating yet"); None when there are results.
    empty_reason: str | None = None


# What a shopper calls each retailer a provider serves (targetRetailers use the provider name).
RETAILER_LABELS = {"serpapi": "Google Shopping", "icecat": "the Icecat catalog", "dummyjson": "DummyJSON"}
_NOT_CONFIGURED = {"serpapi": "it needs a SerpApi key, and none is configured"}


def unserved_retailers(retailers: Sequence[str], providers: Sequence[Provider]) -> str | None:
    """When a query asks only for retailers that no configured provider serves, why (for
    people): "Google Shopping is not configured here (it needs a SerpApi key ...)"."""
    if not retailers:
        return None
    served = {p.name.lower() for p in providers}
    if any(r.lower() in served for r in retailers):
        return None
    named = [RETAILER_LABELS.get(r.lower(), r) for r in retailers]
    why = next((_NOT_CONFIGURED[r.lower()] for r in retailers if r.lower() in _NOT_CONFIGURED), None)
    which = " or ".join(dict.fromkeys(named))
    return f"{which[0].upper()}{which[1:]} is not configured here" + (f" ({why})" if why else "")


def _price_words(low: float | None, high: float | None, currency: str) -> str:
    if low is not None and high is not None:
        return f"between {_money(low, currency)} and {_money(high, currency)}"
    if high is not None:
        return f"at or under {_money(high, currency)}"
    return f"at or over {_money(low or 0.0, currency)}"


def explain_empty(offers: Sequence[Offer], query: ParsedQuery) -> str:
    """Why `query`'s filters leave nothing of `offers` (the matches found without them),
    naming the filter that did; never a filter the shopper did not set."""
    text = (query.raw_text or query.text).strip()
    if not offers:
        return f"nothing in the product sources matches “{text}”" if text else "nothing matched"
    # The kind the search ranks at the top is what was asked ("perfume"): the filters are
    # judged on those, not on the odds and ends that also matched a word (a $9 pet toy).
    top = Counter(o.category for o in offers[:5] if o.category).most_common(1)
    same_kind = [o for o in offers if top and o.category == top[0][0]]
    if len(same_kind) >= 2:
        offers = same_kind
    f = query.filters
    single: list[tuple[str, SearchFilters]] = []
    if f.min_rating is not None:
        single.append(("rating", SearchFilters(min_rating=f.min_rating)))
    if f.min_price is not None or f.max_price is not None:
        single.append(("price", SearchFilters(min_price=f.min_price, max_price=f.max_price)))
    if f.brand:
        single.append(("brand", SearchFilters(brand=f.brand)))
    if f.color:
        single.append(("color", SearchFilters(color=f.color)))
    reasons = []
    for name, only in single:
        if apply_filters(offers, only):
            continue
        if name == "rating":
            if all(o.rating is None for o in offers):
                reasons.append("none of the matching products has a rating yet")
            else:
                best = max(o.rating for o in offers if o.rating is not None)
                reasons.append(
                    f"none of the matching products is rated {f.min_rating:g} stars or more "
                    f"(the best has {best:g})"
                )
        elif name == "price":
            cheapest = min(o.price for o in offers)
            wanted = _price_words(f.min_price, f.max_price, query.currency)
            reasons.append(
                f"none of the matching products costs {wanted} "
                f"(the cheapest is {_money(cheapest, query.currency)})"
            )
        elif name == "brand":
            reasons.append(f"none of the matching products is from {f.brand}")
        else:
            reasons.append(f"none of the matching products comes in {f.color}")
    if reasons:
        return "; ".join(reasons)
    if single:
        return "none matches all of those at once; dropping one of them would show some"
    return f"nothing in the product sources matches “{text}”"


async def search_products(
    query: ParsedQuery | str,
    providers: Sequence[Provider],
    preferences: UserPreferences | None = None,
    limit: int = 20,
    timeout_s: float = 3.0,
    disliked: frozenset[str] = frozenset(),
) -> list[RankedOffer]:
    """The product's search path without errors detail (see `run_search`)."""
    return (await run_search(query, providers, preferences, limit, timeout_s, disliked)).ranked


def _filtered_offers(gathered: Aggregate, query: ParsedQuery) -> list[Offer]:
    offers = [o for o in (normalise(r, query.currency) for r in gathered.results) if o is not None]
    return apply_filters(dedupe(merge_order(offers)), query.filters)


async def run_search(
    query: ParsedQuery | str,
    providers: Sequence[Provider],
    preferences: UserPreferences | None = None,
    limit: int = 20,
    timeout_s: float = 3.0,
    disliked: frozenset[str] = frozenset(),
) -> SearchOutcome:
    """Parse (if text), aggregate, normalise, dedupe, filter, merge and rank; top `limit`.

    NoResultsError when no provider answered, or when the query asks only for retailers no
    configured provider serves. An empty result says which filter emptied it: the search
    runs once more without the price, rating, brand and colour filters (a provider may
    apply them itself), and `explain_empty` compares."""
    parsed = parse_text(query) if isinstance(query, str) else query
    unserved = unserved_retailers(parsed.filters.retailers, providers)
    if unserved:
        raise NoResultsError(unserved)
    gathered = await aggregate(providers, parsed, timeout_s=timeout_s, limit=limit)
    kept = _filtered_offers(gathered, parsed)
    ranked = rank_by_preferences(kept[: limit * 2], preferences, parsed.sort, disliked)[:limit]
    reason = None
    if not ranked:
        loose = replace(parsed, filters=SearchFilters(retailers=parsed.filters.retailers))
        try:
            again = await aggregate(providers, loose, timeout_s=timeout_s, limit=limit)
        except NoResultsError:
            again = Aggregate()
        reason = explain_empty(_filtered_offers(again, loose), parsed)
        log_event(logger, "search found nothing", reason=reason)
    return SearchOutcome(query=parsed, ranked=ranked, errors=gathered.errors, empty_reason=reason)
