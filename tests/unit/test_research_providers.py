"""Providers and aggregation: the catalog views, SerpApi against a local fake server
speaking its real response shape, and failure isolation between providers."""

from __future__ import annotations

import asyncio
import json
import threading
import typing
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from shopper.research.pipeline import NoResultsError, aggregate, run_search
from shopper.research.providers.base import Provider, ProviderError
from shopper.research.providers.catalog import catalog_providers
from shopper.research.providers.serpapi import SerpApiProvider
from shopper.research.types import ParsedQuery, RawResult, parse_text

SHOPPING_RESPONSE = {
    "search_metadata": {"id": "abc", "status": "Success", "total_time_taken": 1.2},
    "search_parameters": {"engine": "google_shopping", "q": "bluetooth speaker", "gl": "us", "hl": "en"},
    "shopping_results": [
        {
            "position": 1,
            "title": "JBL Flip 6 Portable Bluetooth Speaker - Black",
            "link": "https://www.bestbuy.com/site/jbl-flip-6/6491373.p?skuId=6491373&utm_source=google",
            "product_link": "https://www.google.com/shopping/product/123",
            "product_id": "123",
            "source": "Best Buy",
            "price": "$99.95",
            "extracted_price": 99.95,
            "rating": 4.8,
            "reviews": 12456,
            "thumbnail": "https://encrypted-tbn0.gstatic.com/shopping?q=tbn:1",
            "delivery": "Free delivery",
        },
        {
            "position": 2,
            "title": "Anker Soundcore 2",
            "product_link": "https://www.google.com/shopping/product/456",
            "source": "Amazon.com",
            "price": "$39.99",
            "extracted_price": 39.99,
            "rating": 4.6,
            "reviews": 98000,
            "extensions": ["In stock online"],
        },
        {"position": 3, "title": "no price here", "link": "https://x.example/1", "source": "X"},
    ],
}


class FakeSerpApi(BaseHTTPRequestHandler):
    mode = "ok"
    requests: typing.ClassVar[list[dict]] = []

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        FakeSerpApi.requests.append(
            {"path": parts.path, **{k: v[0] for k, v in parse_qs(parts.query).items()}}
        )
        if self.mode == "slow":
            threading.Event().wait(1.0)
        if self.mode == "500":
            self._send(500, b'{"error": "Internal server error"}')
        elif self.mode == "malformed":
            self._send(200, b'{"shopping_results": [')
        elif self.mode == "bad_key":
            self._send(401, json.dumps({"error": "Invalid API key."}).encode())
        else:
            self._send(200, json.dumps(SHOPPING_RESPONSE).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serp() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSerpApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeSerpApi.mode = "ok"
    FakeSerpApi.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_serpapi_request_and_response_shape(serp: str) -> None:
    provider = SerpApiProvider("test-key", base_url=serp, timeout_s=2)
    query = parse_text("bluetooth speaker between 20 and 120 dollars")
    results = await provider.search(query, limit=10)
    sent = FakeSerpApi.requests[0]
    assert sent["path"] == "/search.json"
    assert (
        sent["engine"] == "google_shopping"
        and sent["q"] == "bluetooth speaker"
        and sent["api_key"] == "test-key"
    )
    assert sent["tbs"] == "mr:1,price:1,ppr_min:20,ppr_max:120"
    assert [r.title for r in results] == [
        "JBL Flip 6 Portable Bluetooth Speaker - Black",
        "Anker Soundcore 2",
    ]
    first, second = results
    assert (first.price, first.source, first.rating, first.reviews_count, first.position) == (
        99.95,
        "Best Buy",
        4.8,
        12456,
        1,
    )
    assert second.url == "https://www.google.com/shopping/product/456"
    assert second.availability == "in stock"


@pytest.mark.parametrize(
    ("mode", "message"),
    [("500", "Internal server error"), ("malformed", "malformed JSON"), ("bad_key", "Invalid API key")],
)
async def test_serpapi_errors_are_readable(serp: str, mode: str, message: str) -> None:
    FakeSerpApi.mode = mode
    with pytest.raises(ProviderError, match=message):
        await SerpApiProvider("k", base_url=serp).search(parse_text("speaker"), limit=5)


def test_serpapi_needs_a_key() -> None:
    with pytest.raises(ValueError, match="API key"):
        SerpApiProvider("")


async def test_one_failing_provider_leaves_the_others(serp: str) -> None:
    FakeSerpApi.mode = "slow"
    providers: list[Provider] = [*catalog_providers(), SerpApiProvider("k", base_url=serp, timeout_s=5)]
    outcome = await run_search("bluetooth speaker", providers, timeout_s=0.3)
    assert outcome.ranked
    assert "serpapi" in outcome.errors and "0.3 s" in outcome.errors["serpapi"]
    assert {r.offer.provider for r in outcome.ranked} <= {"icecat", "dummyjson"}


async def test_results_from_the_api_and_the_catalog_are_merged(serp: str) -> None:
    providers: list[Provider] = [*catalog_providers(), SerpApiProvider("k", base_url=serp)]
    outcome = await run_search("bluetooth speaker", providers, limit=20)
    assert {r.offer.provider for r in outcome.ranked} >= {"icecat", "serpapi"}
    urls = [r.offer.canonical_url for r in outcome.ranked]
    assert len(urls) == len(set(urls))
    assert "https://bestbuy.com/site/jbl-flip-6/6491373.p?skuId=6491373" in urls


async def test_all_providers_failing_is_a_readable_error(serp: str) -> None:
    FakeSerpApi.mode = "500"

    class Broken:
        name = "broken"

        async def search(self, query: ParsedQuery, limit: int) -> list[RawResult]:
            raise ConnectionError("connection refused")

    with pytest.raises(NoResultsError) as info:
        await aggregate([SerpApiProvider("k", base_url=serp), Broken()], parse_text("speaker"))
    assert "no product source answered" in str(info.value)
    assert "serpapi failed: SerpApi error: Internal server error" in str(info.value)
    assert "broken failed: connection refused" in str(info.value)


async def test_catalog_retailers_are_separate_providers() -> None:
    icecat, dummy = catalog_providers()
    query = parse_text("smartphone")
    a, b = await asyncio.gather(icecat.search(query, 10), dummy.search(query, 10))
    assert a and b
    assert {r.source for r in a} == {"Icecat"} and {r.source for r in b} == {"DummyJSON"}
    assert [r.position for r in b] == list(range(1, len(b) + 1))
    assert all(0 < (r.relevance or 0) <= 1 for r in a + b)
