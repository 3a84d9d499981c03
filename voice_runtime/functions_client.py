"""HTTP client for the server routes of functions/ (`/pipecat/*`, X-Pipecat-Secret).

One `httpx.AsyncClient` (connection pool) is shared by every session in the
process; each call maps a JSON error body `{"error": {"code", "message"}}` or a
transport failure to `FunctionsError`, so callers handle one exception type.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)

Speaker = Literal["user", "agent", "system"]
SessionEndStatus = Literal["completed", "error"]


@dataclass(frozen=True)
class SavedConversation:
    turns: list[dict[str, Any]]
    dialogue: dict[str, Any] | None


class FunctionsError(Exception):
    """A /pipecat/* call failed: HTTP error status, bad body, timeout or connection failure."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class FunctionsClient:
    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"X-Pipecat-Secret": secret, "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        extra: dict[str, Any] = {}
        if timeout_s is not None:
            extra["timeout"] = httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0))
        try:
            response = await self._http.request(method, path, json=json, params=params, **extra)
        except httpx.TimeoutException as exc:
            raise FunctionsError("timeout", f"{method} {path} timed out") from exc
        except httpx.HTTPError as exc:
            raise FunctionsError("unavailable", f"{method} {path} failed: {exc}") from exc
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else None
            code = str(error.get("code", "http_error")) if isinstance(error, dict) else "http_error"
            message = (
                str(error.get("message", response.reason_phrase))
                if isinstance(error, dict)
                else response.reason_phrase
            )
            log_event(
                logger,
                "functions call failed",
                event="functions_call_failed",
                path=path,
                status=response.status_code,
                code=code,
                latency_ms=latency_ms,
            )
            raise FunctionsError(code, message, response.status_code)
        if not isinstance(body, dict):
            raise FunctionsError("bad_response", f"{method} {path} returned a non-object body")
        return body

    async def log_conversation(self, session_id: str, user_id: str, speaker: Speaker, text: str) -> str:
        body = await self._call(
            "POST",
            "/pipecat/log-conversation",
            json={"sessionId": session_id, "userId": user_id, "speaker": speaker, "text": text},
        )
        return str(body.get("id", ""))

    async def trigger_research(
        self,
        session_id: str,
        user_id: str,
        search_text: str,
        preferences: dict[str, Any] | None = None,
        *,
        wait_ms: int = 6000,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "sessionId": session_id,
            "userId": user_id,
            "searchText": search_text,
            "wait": True,
            "waitMs": wait_ms,
        }
        if preferences:
            payload["preferences"] = preferences
        # The server waits up to wait_ms for results; give the HTTP call a little more.
        return await self._call(
            "POST", "/pipecat/trigger-research", json=payload, timeout_s=wait_ms / 1000 + 3.0
        )

    async def save_item(self, session_id: str, user_id: str, product_id: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/pipecat/save-item",
            json={"sessionId": session_id, "userId": user_id, "productId": product_id},
        )

    async def get_preferences(self, user_id: str) -> dict[str, Any]:
        body = await self._call("GET", "/pipecat/preferences", params={"userId": user_id})
        preferences = body.get("preferences")
        return preferences if isinstance(preferences, dict) else {}

    async def claim_ticket(self, session_id: str, user_id: str, ticket_id: str) -> None:
        """Consume the connection's ticket (once); FunctionsError 409 when it was used or
        replaced or the session has ended, 403/404 when it is not this user's session."""
        await self._call(
            "POST",
            "/pipecat/claim-ticket",
            json={"sessionId": session_id, "userId": user_id, "ticketId": ticket_id},
        )

    async def end_session(self, session_id: str, user_id: str, status: SessionEndStatus) -> None:
        await self._call(
            "POST",
            "/pipecat/end-session",
            json={"sessionId": session_id, "userId": user_id, "status": status},
        )

    async def remove_saved_item(self, session_id: str, user_id: str, saved_item_id: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/pipecat/remove-saved-item",
            json={"sessionId": session_id, "userId": user_id, "savedItemId": saved_item_id},
        )

    async def list_saved_items(self, user_id: str, limit: int = 20) -> list[dict[str, Any]]:
        body = await self._call(
            "GET", "/pipecat/saved-items", params={"userId": user_id, "limit": str(limit)}
        )
        items = body.get("items")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    async def add_to_cart(
        self, session_id: str, user_id: str, product_id: str, quantity: int = 1
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/pipecat/cart-items",
            json={"sessionId": session_id, "userId": user_id, "productId": product_id, "quantity": quantity},
        )

    async def list_cart_items(self, user_id: str) -> list[dict[str, Any]]:
        body = await self._call("GET", "/pipecat/cart-items", params={"userId": user_id})
        items = body.get("items")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    async def remove_cart_item(self, session_id: str, user_id: str, cart_item_id: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/pipecat/remove-cart-item",
            json={"sessionId": session_id, "userId": user_id, "cartItemId": cart_item_id},
        )

    async def save_dialogue(self, session_id: str, user_id: str, dialogue: dict[str, Any]) -> None:
        await self._call(
            "POST",
            "/pipecat/dialogue-state",
            json={"sessionId": session_id, "userId": user_id, "dialogue": dialogue},
        )

    async def get_conversation(self, session_id: str, user_id: str) -> SavedConversation:
        """The session's logged turns (oldest first) and its stored dialogue state."""
        body = await self._call(
            "GET", "/pipecat/conversation", params={"sessionId": session_id, "userId": user_id}
        )
        turns = body.get("turns")
        dialogue = body.get("dialogue")
        return SavedConversation(
            turns=[turn for turn in turns if isinstance(turn, dict)] if isinstance(turns, list) else [],
            dialogue=dialogue if isinstance(dialogue, dict) else None,
        )
