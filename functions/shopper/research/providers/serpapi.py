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


def _result(row: Any, position: int) -> RawResult | None:
    if not isinstance(row, dict):
        return None
    title = str(row.get("title") or "").strip()
    url = row.get("link") or row.get("product_link")
    price = row.get("extracted_price")
    if price is None:
        price = row.get("price")
    if not title or not isinstance(url, str) or price is None:
        return None
    rating = row.get("rating")
    reviews = row.get("reviews")
    return RawResult(
        provider="serpapi",
        source=str(row.get("source") or "Google Shopping"),
        title=title,
        url=url,
        position=int(row.get("position") or position),
        price=price if isinstance(price, int | float) else str(price),
        currency=None,  # taken from the price string's symbol when normalised
        description=(row.get("snippet") or None),
        rating=float(rating) if isinstance(rating, int | float) else None,
        reviews_count=int(reviews) if isinstance(reviews, int | float) else None,
        availability=_availability(row),
        image_url=row.get("thumbnail"),
        external_id=str(row["product_id"]) if row.get("product_id") else None,
    )


def _availability(row: dict[str, Any]) -> str | None:
    texts = [str(row.get("delivery") or ""), *[str(e) for e in row.get("extensions") or []]]
    joined = " ".join(texts).lower()
    if "out of stock" in joined:
        return "out of stock"
    if "in stock" in joined:
        return "in stock"
    return None
