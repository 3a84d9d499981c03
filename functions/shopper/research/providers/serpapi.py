"""Google Shopping through SerpApi (https://serpapi.com/google-shopping-api).

Request:  GET {base}/search.json?engine=google_shopping&q=...&api_key=...&gl=us&hl=en
          (+ tbs=mr:1,price:1,ppr_min:X,ppr_max:Y when the query has a price range)
Response: {"search_metadata": {"status": "Success", ...},
           "shopping_results": [{"position", "title", "link" | "product_link", "source",
             "price": "$29.99", "extracted_price": 29.99, "rating", "reviews", "thumbnail",
             "delivery", ...}], ...}
          or {"error": "..."} (bad key, quota, no results).
"""

from __future__ import annotations

from typing import Any

import httpx

from shopper.research.providers.base import ProviderError
from shopper.research.types import ParsedQuery, RawResult


class SerpApiProvider:
    name = "serpapi"

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://serpapi.com",
        timeout_s: float = 3.0,
        client: httpx.AsyncClient | None = None,
        country: str = "us",
        language: str = "en",
    ) -> None:
        if not api_key:
            raise ValueError("SerpApi needs an API key (SERPAPI_API_KEY)")
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_s
        self._client = client
        self._country = country
        self._language = language

    def request_params(self, query: ParsedQuery) -> dict[str, str]:
        params = {
            "engine": "google_shopping",
            "q": query.text or query.raw_text,
            "api_key": self._api_key,
            "gl": self._country,
            "hl": self._language,
        }
        price = []
        if query.filters.min_price is not None:
            price.append(f"ppr_min:{query.filters.min_price:g}")
        if query.filters.max_price is not None:
            price.append(f"ppr_max:{query.filters.max_price:g}")
        if price:
            params["tbs"] = ",".join(["mr:1", "price:1", *price])
        return params

    async def search(self, query: ParsedQuery, limit: int) -> list[RawResult]:
        url = f"{self._base_url}/search.json"
        params = self.request_params(query)
        if self._client is not None:
            response = await self._client.get(url, params=params, timeout=self._timeout)
        else:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(url, params=params)
        return parse_response(response, limit)


def parse_response(response: httpx.Response, limit: int) -> list[RawResult]:
    """SerpApi's JSON -> RawResults; readable ProviderError for every kind of failure."""
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderError(f"SerpApi returned malformed JSON (HTTP {response.status_code})") from exc
    if not isinstance(body, dict):
        raise ProviderError("SerpApi returned an unexpected response shape")
    if response.status_code >= 400 or body.get("error"):
        detail = body.get("error") or f"HTTP {response.status_code}"
        if "hasn't returned any results" in str(detail):
            return []
        raise ProviderError(f"SerpApi error: {detail}")
    rows = body.get("shopping_results") or []
    if not isinstance(rows, list):
        raise ProviderError("SerpApi returned an unexpected response shape")
    results: list[RawResult] = []
    for row in rows:
        result = _result(row, len(results) + 1)
        if result is not None:
            results.append(result)
        if len(results) >= limit:
            break
    return results


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None


def _result(row: Any, position: int) -> RawResult | None:
    """One shopping_results row, or None when it has no title, link or price. Every field is
    type-checked: one odd row is skipped, it never fails the provider's whole answer."""
    if not isinstance(row, dict):
        return None
    title = _text(row.get("title"))
    url = _text(row.get("link")) or _text(row.get("product_link"))
    price: float | str | None = _number(row.get("extracted_price"))
    if price is None:
        price = _text(row.get("price")) or _number(row.get("price"))
    if not title or not url or price is None:
        return None
    given_position = _number(row.get("position"))
    rating = _number(row.get("rating"))
    reviews = _number(row.get("reviews"))
    return RawResult(
        provider="serpapi",
        source=_text(row.get("source")) or "Google Shopping",
        title=title,
        url=url,
        position=int(given_position)
        if given_position is not None and 1 <= given_position < 10**6
        else position,
        price=price,
        currency=None,  # taken from the price string's symbol when normalised
        description=_text(row.get("snippet")),
        rating=rating,
        reviews_count=int(reviews) if reviews is not None and 0 <= reviews < 10**12 else None,
        availability=_availability(row),
        image_url=_text(row.get("thumbnail")),
        external_id=str(row["product_id"]) if isinstance(row.get("product_id"), str | int) else None,
    )


def _availability(row: dict[str, Any]) -> str | None:
    extensions = row.get("extensions")
    if not isinstance(extensions, list):
        extensions = []
    texts = [str(row.get("delivery") or ""), *(str(e) for e in extensions)]
    joined = " ".join(texts).lower()
    if "out of stock" in joined:
        return "out of stock"
    if "in stock" in joined:
        return "in stock"
    return None
