"""Tool arguments (from Gemini or the dialogue engine) -> the requests functions/ takes.

LLM arguments arrive loosely typed ("50", 50, "$50", ["icecat"], "icecat"); these pure
functions coerce them once, so the tools and their tests see one shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shopper_core.dialogue import SearchState

MAX_SEARCH_TEXT = 200
SORTS = ("price_low", "price_high", "rating")


def number(value: Any) -> float | None:
    """A number from an LLM argument: 50, 50.5, "50", "$1,200"; None otherwise."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = re.search(r"-?\d+(?:\.\d+)?", value.replace(",", ""))
        return float(match.group()) if match else None
    return None


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def text_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return []


def _words(value: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", value.lower()))


def build_search_request(arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any], SearchState]:
    """search_products arguments -> (searchText, preferences, the search as the state records it).

    Colour, brand and size are folded into the search text (the research worker reads
    them from the text with the same reader); price, rating and retailer limits become
    structured preferences. Raises ValueError when there is nothing to search for or the
    limits contradict each other.
    """
    query = text(arguments.get("query"))
    color = text(arguments.get("color") or arguments.get("colour"))
    brand = text(arguments.get("brand"))
    size = text(arguments.get("size"))
    words = [query]
    present = _words(query)
    if color and not _words(color) <= present:
        words.insert(0, color)
    if brand and not _words(brand) <= present:
        words.insert(0, brand)
    if size and not {"size", *_words(size)} <= present:
        words.append(f"size {size}")
    not_brands = [b for b in text_list(arguments.get("not_brands"))[:10] if b.lower() != brand.lower()]
    if not_brands:
        words.append("not " + " or ".join(not_brands))  # read back by the same reader
    search_text = " ".join(word for word in words if word).strip()
    if not search_text:
        raise ValueError("nothing to search for")
    if len(search_text) > MAX_SEARCH_TEXT:
        search_text = search_text[:MAX_SEARCH_TEXT].rsplit(" ", 1)[0]

    preferences: dict[str, Any] = {}
    min_price = number(arguments.get("min_price"))
    max_price = number(arguments.get("max_price"))
    min_rating = number(arguments.get("min_rating"))
    if min_price is not None and 0 < min_price <= 10_000_000:
        preferences["minPrice"] = min_price
    if max_price is not None and 0 < max_price <= 10_000_000:
        preferences["maxPrice"] = max_price
    if (
        "minPrice" in preferences
        and "maxPrice" in preferences
        and preferences["maxPrice"] < preferences["minPrice"]
    ):
        raise ValueError("the lowest price is above the highest price")
    if min_rating is not None and 0 < min_rating <= 5:
        preferences["minRating"] = min_rating
    preference = text(arguments.get("price_preference"))
    if preference in ("low", "high"):
        preferences["pricePreference"] = preference
    sort = text(arguments.get("sort"))
    if sort in SORTS:
        preferences["sort"] = sort
    retailers = text_list(arguments.get("retailers"))[:10]
    if retailers:
        preferences["targetRetailers"] = retailers
    state = SearchState(
        query=query or search_text,
        minPrice=preferences.get("minPrice"),
        maxPrice=preferences.get("maxPrice"),
        minRating=preferences.get("minRating"),
        color=color or None,
        brand=brand or None,
        size=size or None,
        pricePreference=preferences.get("pricePreference"),
        retailers=retailers,
        notBrands=not_brands,
    )
    return search_text, preferences, state


def summarize_product(position: int, product: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a product the LLM may speak about, with its 1-based position."""
    summary = {
        "position": position,
        "id": product.get("id"),
        "title": product.get("title"),
        "price": product.get("price"),
        "currency": product.get("currency", "USD"),
        "brand": product.get("brand"),
        "color": product.get("color"),
        "rating": product.get("rating"),
        "source": product.get("source"),
    }
    reasons = product.get("rankReasons")
    if isinstance(reasons, list) and reasons:
        summary["reasons"] = [str(reason) for reason in reasons[:3]]
    return {key: value for key, value in summary.items() if value is not None}
