"""A local stand-in for the /pipecat/* routes of functions/, speaking their real wire format.

A real HTTP server on a free 127.0.0.1 port (standard library, own thread) that
implements the contract the voice runtime relies on: X-Pipecat-Secret, JSON
errors `{"error": {"code", "message"}}`, log-conversation, trigger-research
(waiting), save-item, preferences, end-session and conversation. It keeps what
it was told in memory so tests can assert on it, and can be told to be slow or
to fail, which the real stack cannot easily be made to do on cue.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

SECRET = "local-dev-pipecat-secret"

CATALOG: list[dict[str, Any]] = [
    {"title": "JBL Go 3 Portable Bluetooth Speaker", "price": 39.95, "brand": "JBL", "rating": 4.7},
    {"title": "Anker Soundcore 2 Bluetooth Speaker", "price": 44.99, "brand": "Anker", "rating": 4.6},
    {"title": "Sony SRS-XB13 Bluetooth Speaker, Blue", "price": 48.0, "brand": "Sony", "rating": 4.5},
    {"title": "Bose SoundLink Flex Bluetooth Speaker", "price": 149.0, "brand": "Bose", "rating": 4.8},
    {"title": "Tribit XSound Go Bluetooth Speaker, Black", "price": 29.99, "brand": "Tribit", "rating": 4.4},
    {"title": "Sony WH-1000XM5 Noise Cancelling Headphones", "price": 348.0, "brand": "Sony", "rating": 4.6},
    {
        "title": "Anker Soundcore Q20 Noise Cancelling Headphones",
        "price": 59.99,
        "brand": "Anker",
        "rating": 4.3,
    },
    {"title": "Nike Revolution 6 Running Shoes, Blue", "price": 65.0, "brand": "Nike", "rating": 4.5},
    {"title": "Adidas Duramo Running Shoes, Black", "price": 55.0, "brand": "Adidas", "rating": 4.4},
    {"title": "Samsonite Laptop Backpack, Black", "price": 89.0, "brand": "Samsonite", "rating": 4.6},
]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


@dataclass
class FakeState:
    logs: list[dict[str, Any]] = field(default_factory=list)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    saved: list[dict[str, Any]] = field(default_factory=list)
    cart: list[dict[str, Any]] = field(default_factory=list)
    dialogue: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    used_tickets: set[str] = field(default_factory=set)
    requests: list[tuple[str, str]] = field(default_factory=list)
    research_delay_s: float = 0.0
    fail_routes: set[str] = field(default_factory=set)
    preferences: dict[str, Any] = field(
        default_factory=lambda: {"brands": ["Sony"], "colors": ["black"], "budget": {"max": 100}}
    )


def search_catalog(text: str, preferences: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = _words(text)
    scored = []
    for index, item in enumerate(CATALOG):
        overlap = len(wanted & _words(f"{item['title']} {item['brand']}"))
        if overlap == 0:
            continue
        if preferences.get("maxPrice") is not None and item["price"] > float(preferences["maxPrice"]):
            continue
        if preferences.get("minPrice") is not None and item["price"] < float(preferences["minPrice"]):
            continue
        if preferences.get("minRating") is not None and item["rating"] < float(preferences["minRating"]):
            continue
        scored.append((-overlap, index, item))
    ranked = [item for _, _, item in sorted(scored, key=lambda row: (row[0], row[1]))]
    # preferences.sort, as the research worker orders it (a stable sort keeps relevance on ties)
    sort = preferences.get("sort")
    if sort == "price_low":
        ranked.sort(key=lambda item: item["price"])
    elif sort == "price_high":
        ranked.sort(key=lambda item: -item["price"])
    elif sort == "rating":
        ranked.sort(key=lambda item: -item["rating"])
    return ranked


class FakeFunctions:
    """`with FakeFunctions() as fake: fake.url`."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.state = FakeState()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeFunctions:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def turns(self, session_id: str, speaker: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                log
                for log in self.state.logs
                if log["sessionId"] == session_id and (speaker is None or log["speaker"] == speaker)
            ]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                value = predicate(self.state)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError("fake functions never saw the expected call")

    async def until(self, predicate: Any, within: float = 10.0) -> Any:
        """Async `wait_for`: poll without blocking the caller's event loop."""
        import asyncio

        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.lock:
                value = predicate(self.state)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise TimeoutError("fake functions never saw the expected call")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: str, message: str) -> None:
                self._send(status, {"error": {"code": code, "message": message}})

            def _body(self) -> dict[str, Any] | None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return None
                return body if isinstance(body, dict) else None

            def _route(self, method: str) -> None:
                parsed = urlparse(self.path)
                path = parsed.path
                body = self._body() if method == "POST" else {}
                with fake.lock:
                    fake.state.requests.append((method, path))
                    failing = path in fake.state.fail_routes
                if self.headers.get("X-Pipecat-Secret") != fake.secret:
                    return self._error(401, "unauthenticated", "bad or missing X-Pipecat-Secret")
                if failing:
                    return self._error(503, "unavailable", "injected failure")
                if body is None:
                    return self._error(400, "invalid_json", "body is not a JSON object")
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                handler = {
                    ("POST", "/pipecat/log-conversation"): self._log,
                    ("POST", "/pipecat/trigger-research"): self._research,
                    ("POST", "/pipecat/save-item"): self._save,
                    ("GET", "/pipecat/preferences"): self._preferences,
                    ("POST", "/pipecat/claim-ticket"): self._claim,
                    ("POST", "/pipecat/end-session"): self._end,
                    ("GET", "/pipecat/conversation"): self._conversation,
                    ("POST", "/pipecat/dialogue-state"): self._dialogue,
                    ("GET", "/pipecat/saved-items"): self._saved_items,
                    ("POST", "/pipecat/remove-saved-item"): self._remove,
                    ("POST", "/pipecat/cart-items"): self._cart,
                    ("GET", "/pipecat/cart-items"): self._cart_items,
                    ("POST", "/pipecat/remove-cart-item"): self._remove_cart,
                }.get((method, path))
                if handler is None:
                    return self._error(404, "not_found", f"no route {method} {path}")
                return handler(body, query)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def _require(self, body: dict[str, Any], *names: str) -> bool:
                missing = [n for n in names if not isinstance(body.get(n), str) or not body[n]]
                if missing:
                    self._error(400, "invalid_argument", f"missing {', '.join(missing)}")
                    return False
                return True

            def _log(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "speaker", "text"):
                    return
                if body["speaker"] not in ("user", "agent", "system"):
                    return self._error(400, "invalid_argument", "bad speaker")
                log_id = uuid.uuid4().hex
                with fake.lock:
                    fake.state.logs.append(
                        {**{k: body[k] for k in ("sessionId", "userId", "speaker", "text")}, "id": log_id,
                         "timestamp": int(time.time() * 1000) + len(fake.state.logs)}
                    )  # fmt: skip
                    fake.state.sessions.setdefault(body["sessionId"], "active")
                self._send(201, {"id": log_id})

            def _research(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "searchText"):
                    return
                preferences = body.get("preferences") or {}
                query_id = uuid.uuid4().hex[:20]
                time.sleep(fake.state.research_delay_s)
                products = []
                for rank, item in enumerate(search_catalog(body["searchText"], preferences), start=1):
                    product_id = uuid.uuid4().hex[:20]
                    products.append(
                        {
                            "id": product_id,
                            "title": item["title"],
                            "price": item["price"],
                            "currency": "USD",
                            "description": item.get("description"),
                            "brand": item["brand"],
                            "rating": item["rating"],
                            "source": "catalog",
                            "productUrl": f"https://example.com/p/{product_id}",
                            "imageUrl": None,
                            "systemRank": rank,
                            "rankReasons": [],
                        }
                    )
                with fake.lock:
                    fake.state.queries[query_id] = {
                        "userId": body["userId"],
                        "sessionId": body["sessionId"],
                        "searchText": body["searchText"],
                        "preferences": preferences,
                        "status": "completed",
                    }
                    for product in products:
                        fake.state.products[product["id"]] = {
                            **product,
                            "queryId": query_id,
                            "userId": body["userId"],
                        }
                self._send(200, {"queryId": query_id, "status": "completed", "products": products})

            def _save(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "productId"):
                    return
                with fake.lock:
                    product = fake.state.products.get(body["productId"])
                    if product is None or product["userId"] != body["userId"]:
                        return self._error(404, "not_found", "no such product")
                    saved_id = uuid.uuid4().hex[:20]
                    fake.state.saved.append(
                        {"id": saved_id, "userId": body["userId"], "productId": product["id"],
                         "productName": product["title"], "sessionId": body["sessionId"]}
                    )  # fmt: skip
                self._send(201, {"id": saved_id, "productName": product["title"]})

            def _preferences(self, _b: dict[str, Any], query: dict[str, str]) -> None:
                if not query.get("userId"):
                    return self._error(400, "invalid_argument", "missing userId")
                self._send(200, {"preferences": fake.state.preferences})

            def _claim(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                """A ticket connects once, and never to an ended session (as the real route)."""
                if not self._require(body, "sessionId", "userId", "ticketId"):
                    return
                with fake.lock:
                    if fake.state.sessions.get(body["sessionId"], "active") != "active":
                        return self._error(409, "conflict", "the session has ended; start a new one")
                    if body["ticketId"] in fake.state.used_tickets:
                        return self._error(409, "conflict", "this ticket was already used")
                    fake.state.used_tickets.add(body["ticketId"])
                    fake.state.sessions.setdefault(body["sessionId"], "active")
                self._send(200, {"sessionId": body["sessionId"], "status": "connected"})

            def _end(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "status"):
                    return
                with fake.lock:
                    fake.state.sessions[body["sessionId"]] = body["status"]
                self._send(200, {"sessionId": body["sessionId"], "status": body["status"]})

            def _conversation(self, _b: dict[str, Any], query: dict[str, str]) -> None:
                session_id, user_id = query.get("sessionId"), query.get("userId")
                if not session_id or not user_id:
                    return self._error(400, "invalid_argument", "missing sessionId or userId")
                turns = [
                    {"speaker": t["speaker"], "text": t["text"], "timestamp": t["timestamp"]}
                    for t in fake.turns(session_id)
                    if t["userId"] == user_id
                ]
                self._send(200, {"turns": turns, "dialogue": fake.state.dialogue.get(session_id)})

            def _dialogue(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId") or not isinstance(
                    body.get("dialogue"), dict
                ):
                    return self._error(400, "invalid_argument", "missing dialogue")
                with fake.lock:
                    fake.state.dialogue[body["sessionId"]] = body["dialogue"]
                self._send(200, {"ok": True})

            def _saved_items(self, _b: dict[str, Any], query: dict[str, str]) -> None:
                with fake.lock:
                    items = [
                        dict(i) for i in reversed(fake.state.saved) if i["userId"] == query.get("userId")
                    ]
                self._send(200, {"items": items})

            def _remove(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "savedItemId"):
                    return
                with fake.lock:
                    item = next((i for i in fake.state.saved if i["id"] == body["savedItemId"]), None)
                    if item is None or item["userId"] != body["userId"]:
                        return self._error(404, "not_found", "no such saved item")
                    fake.state.saved.remove(item)
                self._send(200, {"id": item["id"], "productName": item["productName"]})

            def _cart(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "productId"):
                    return
                with fake.lock:
                    product = fake.state.products.get(body["productId"])
                    if product is None or product["userId"] != body["userId"]:
                        return self._error(404, "not_found", "no such product")
                    cart_id = uuid.uuid4().hex[:20]
                    fake.state.cart.append(
                        {"id": cart_id, "userId": body["userId"], "productId": product["id"],
                         "productName": product["title"], "price": product.get("price"), "quantity": 1}
                    )  # fmt: skip
                self._send(201, {"id": cart_id, "productName": product["title"]})

            def _cart_items(self, _body: dict[str, Any], query: dict[str, str]) -> None:
                with fake.lock:
                    items = [dict(i) for i in fake.state.cart if i["userId"] == query.get("userId")]
                self._send(200, {"items": items[::-1]})

            def _remove_cart(self, body: dict[str, Any], _q: dict[str, str]) -> None:
                if not self._require(body, "sessionId", "userId", "cartItemId"):
                    return
                with fake.lock:
                    item = next((i for i in fake.state.cart if i["id"] == body["cartItemId"]), None)
                    if item is None or item["userId"] != body["userId"]:
                        return self._error(404, "not_found", "no such cart item")
                    fake.state.cart.remove(item)
                self._send(200, {"id": item["id"], "productName": item["productName"]})

        return Handler
