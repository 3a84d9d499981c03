"""The agent's tools: search, save, remove, list saved, add to / list / take out of the cart, preferences.

`ShoppingTools` runs one session's tool calls against functions/ over HTTP and keeps the
session's dialogue state (`DialogueStore`) true to what happened: a finished search is
what the shopper sees, a saved product is in focus, the saved list and the cart are
as last read out. Gemini and the offline dialogue engine call the same tools with the same
arguments (`services/tool_schemas.py`). It knows nothing about pipecat
(`tool_registration.py` adapts it).

Every tool returns a JSON-able dict. A failure never raises into the pipeline: it
returns `{"ok": false, "error": <short spoken reason>, "message": <an apology>}` so the
LLM says sorry and the session goes on.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from shopper_core.dialogue import CartEntry, SavedEntry, ShownProduct
from voice_runtime import metrics
from voice_runtime.dialogue_store import DialogueStore
from voice_runtime.functions_client import FunctionsClient, FunctionsError
from voice_runtime.log import get_logger, log_event
from voice_runtime.services.tool_schemas import (
    ADD_TO_CART,
    GET_USER_PREFERENCES,
    LIST_CART_ITEMS,
    LIST_SAVED_ITEMS,
    REMOVE_CART_ITEM,
    REMOVE_SAVED_ITEM,
    SAVE_ITEM,
    SEARCH_PRODUCTS,
)
from voice_runtime.tool_requests import build_search_request, number, summarize_product, text

logger = get_logger(__name__)

# How many results the LLM is told about (positions beyond it still resolve from the state).
SPOKEN_RESULTS = 10

ToolResult = dict[str, Any]


class ProductReferenceError(ValueError):
    """The arguments pick no product, or not exactly one (the message can be spoken)."""


def _apology(code: str, reason: str, message: str | None = None) -> ToolResult:
    """A failed tool result: `error` is a short spoken reason, `message` the whole apology."""
    return {"ok": False, "code": code, "error": reason, "message": message or f"Sorry, {reason}."}


def _unavailable(tool: str, exc: FunctionsError, what: str) -> ToolResult:
    log_event(logger, f"{tool} failed", event="tool_error", tool=tool, code=exc.code, status=exc.status)
    if exc.status == 409:
        return _apology("session_ended", "this conversation has ended")
    return _apology(
        f"{tool}_unavailable", f"{what} isn't answering", f"Sorry, {what} isn't answering. Please try again."
    )


@dataclass(frozen=True)
class ListWords:
    """How a list the shopper keeps is spoken of when an item of it cannot be picked."""

    name: str  # "list", "cart"
    where: str  # "on your saved list", "in your cart"
    verb: str  # "remove", "take out"


SAVED_LIST = ListWords("list", "on your saved list", "remove")
CART = ListWords("cart", "in your cart", "take out")


Entry = TypeVar("Entry", bound=SavedEntry)


def pick_entry(
    entries: Sequence[Entry],
    entry_id: str | None,
    position: float | None,
    product_id: str | None,
    words: ListWords,
) -> Entry:
    """The entry named by its id, else its 1-based place (negative from the end), else its
    product id (the focus when none was given). Raises ProductReferenceError with a sentence."""
    if entry_id:
        match = [e for e in entries if e.id == entry_id]
    elif position is not None and int(position) != 0:
        index = int(position) - 1 if position > 0 else len(entries) + int(position)
        match = [entries[index]] if 0 <= index < len(entries) else []
        if not match:
            raise ProductReferenceError(
                f"Your {words.name} has {len(entries)} items. Which one should I {words.verb}?"
            )
    elif product_id:
        match = [e for e in entries if e.productId == product_id]
        if not match:
            raise ProductReferenceError(f"That one isn't {words.where}.")
    else:
        raise ProductReferenceError(
            f"You can say the first one {words.where}. Which one should I {words.verb}?"
        )
    if not match:
        raise ProductReferenceError(f"I can't find that {words.where}.")
    return match[0]


def pick_shown(store: DialogueStore, arguments: Mapping[str, Any]) -> tuple[int, ShownProduct]:
    """The shown product the arguments name: product_id, position, or (neither) the focus."""
    results = store.state.results
    if not results:
        raise ProductReferenceError("I don't have any results on screen yet. What should I look for?")
    product_id = text(arguments.get("product_id") or arguments.get("productId"))
    if product_id:
        for index, product in enumerate(results):
            if product.id == product_id:
                return index, product
        raise ProductReferenceError("That product isn't in the results on screen. Which number do you mean?")
    position = number(arguments.get("position"))
    if position is not None and int(position) != 0:
        index = int(position) - 1 if position > 0 else len(results) + int(position)
        if not 0 <= index < len(results):
            raise ProductReferenceError(f"I only have {len(results)} results. Which one do you mean?")
        return index, results[index]
    focus = store.state.focus_index()
    if focus is not None:
        return focus, results[focus]
    if len(results) == 1:
        return 0, results[0]
    raise ProductReferenceError("You can say the first one, or its brand. Which one do you mean?")


@dataclass
class ShoppingTools:
    """One session's tools, over its dialogue state."""

    client: FunctionsClient
    session_id: str
    user_id: str
    store: DialogueStore
    research_wait_ms: int = 6000
    # Called with {"type": "search-results", "queryId": ..., ...} when a search finishes.
    on_hint: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    async def _hint(self, message: dict[str, Any]) -> None:
        if self.on_hint is None:
            return
        try:
            await self.on_hint(message)
        except Exception as exc:  # a hint is best effort; never fail a tool over it
            log_event(logger, "hint failed", event="hint_failed", error=str(exc))

    async def search_products(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            search_text, preferences, search = build_search_request(arguments)
        except ValueError as exc:
            return _apology("bad_request", str(exc), f"Sorry, I couldn't search for that: {exc}.")
        number = self.store.begin_search(search)
        try:
            body = await self.client.trigger_research(
                self.session_id, self.user_id, search_text, preferences or None, wait_ms=self.research_wait_ms
            )
        except FunctionsError as exc:
            if exc.status == 400:
                return _apology(
                    "bad_request", exc.message, f"Sorry, I couldn't search for that: {exc.message}."
                )
            return _unavailable(SEARCH_PRODUCTS, exc, "the product search")
        query_id = str(body.get("queryId", ""))
        status = str(body.get("status", ""))
        products = [p for p in body.get("products") or [] if isinstance(p, dict) and p.get("id")]
        if query_id:
            await self._hint(
                {"type": "search-results", "queryId": query_id, "status": status, "count": len(products)}
            )
        if status == "failed":
            reason = str(body.get("error") or f"the search for {search_text} didn't work")
            return _apology("search_failed", reason, f"Sorry, {reason}. Want to try different words?")
        if status != "completed" and not products:
            # Still running past the wait bound: the page will fill in as results land.
            if query_id:
                self.store.set_pending(number, query_id)
            return {
                "ok": True,
                "status": status or "pending",
                "queryId": query_id,
                "query": search.query,
                "count": 0,
                "products": [],
                "message": "The search is still running; results will appear on your screen shortly.",
            }
        if not self.store.is_current(number):
            # The shopper asked for another search meanwhile: this one's results are not shown.
            return {
                "ok": True,
                "status": "superseded",
                "queryId": query_id,
                "query": search.query,
                "count": 0,
                "products": [],
                "message": "A newer search replaced this one.",
            }
        self.store.show_results(search.model_copy(update={"queryId": query_id or None}), products, number)
        return {
            "ok": True,
            "status": status,
            "queryId": query_id,
            "query": search.query,
            "filters": preferences,
            "count": len(products),
            # Why nothing matched, when nothing did ("none of the matching products has a rating yet").
            "reason": body.get("error") if not products else None,
            "products": [summarize_product(i + 1, p) for i, p in enumerate(products[:SPOKEN_RESULTS])],
        }

    async def save_item(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            index, product = pick_shown(self.store, arguments)
        except ProductReferenceError as exc:
            return _apology("unknown_product", str(exc), str(exc))
        self.store.set_focus(product.id)
        try:
            body = await self.client.save_item(self.session_id, self.user_id, product.id)
        except FunctionsError as exc:
            if exc.status == 404:
                return _apology("unknown_product", "I can't find that product any more")
            return _unavailable(SAVE_ITEM, exc, "the saved list")
        name = str(body.get("productName") or product.title)
        self.store.add_saved(
            SavedEntry(id=str(body["id"]), productId=product.id, title=name, price=product.price)
        )
        await self._hint({"type": "item-saved", "savedItemId": body.get("id"), "productId": product.id})
        return {
            "ok": True,
            "saved": True,
            "savedItemId": body.get("id"),
            "productId": product.id,
            "position": index + 1,
            "productName": name,
        }

    async def _saved_entry(self, arguments: Mapping[str, Any]) -> SavedEntry:
        """The saved item the arguments name: its id, its place in the list, a product id, or the focus."""
        product_id = text(arguments.get("product_id") or arguments.get("productId")) or self.store.state.focus
        entries = self.store.state.saved
        if not entries or (product_id and all(e.productId != product_id for e in entries)):
            entries = await self._fetch_saved()
        entry_id = text(arguments.get("saved_item_id") or arguments.get("savedItemId"))
        return pick_entry(entries, entry_id, number(arguments.get("saved_position")), product_id, SAVED_LIST)

    async def _fetch_saved(self) -> list[SavedEntry]:
        items = await self.client.list_saved_items(self.user_id)
        entries = [
            SavedEntry(
                id=str(item["id"]),
                productId=str(item.get("productId")),
                title=str(item.get("productName") or "")[:500],
                price=item.get("price"),
            )
            for item in items
            if item.get("id") and item.get("productId")
        ]
        self.store.set_saved(entries)
        return entries

    async def remove_saved_item(self, arguments: Mapping[str, Any]) -> ToolResult:
        if arguments.get("all") is True:
            return await self._empty_saved()
        try:
            entry = await self._saved_entry(arguments)
        except ProductReferenceError as exc:
            return _apology("unknown_saved_item", str(exc), str(exc))
        except FunctionsError as exc:
            return _unavailable(REMOVE_SAVED_ITEM, exc, "the saved list")
        try:
            await self.client.remove_saved_item(self.session_id, self.user_id, entry.id)
        except FunctionsError as exc:
            if exc.status == 404:
                self.store.remove_saved(entry.id)
                return _apology("unknown_saved_item", "that one was already off your list")
            return _unavailable(REMOVE_SAVED_ITEM, exc, "the saved list")
        self.store.remove_saved(entry.id)
        await self._hint({"type": "item-removed", "savedItemId": entry.id, "productId": entry.productId})
        return {
            "ok": True,
            "removed": True,
            "savedItemId": entry.id,
            "productId": entry.productId,
            "productName": entry.title,
        }

    async def list_saved_items(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            entries = await self._fetch_saved()
        except FunctionsError as exc:
            return _unavailable(LIST_SAVED_ITEMS, exc, "the saved list")
        return {
            "ok": True,
            "count": len(entries),
            "items": [
                {
                    "position": i,
                    "savedItemId": e.id,
                    "productId": e.productId,
                    "productName": e.title,
                    "price": e.price,
                }
                for i, e in enumerate(entries, start=1)
            ],
        }

    async def add_to_cart(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            index, product = pick_shown(self.store, arguments)
        except ProductReferenceError as exc:
            return _apology("unknown_product", str(exc), str(exc))
        self.store.set_focus(product.id)
        quantity = int(number(arguments.get("quantity")) or 1)
        try:
            body = await self.client.add_to_cart(
                self.session_id, self.user_id, product.id, max(1, min(quantity, 99))
            )
        except FunctionsError as exc:
            return _unavailable(ADD_TO_CART, exc, "the cart")
        await self._hint({"type": "cart-added", "cartItemId": body.get("id"), "productId": product.id})
        return {
            "ok": True,
            "added": True,
            "productId": product.id,
            "position": index + 1,
            "productName": product.title,
        }

    async def _fetch_cart(self) -> list[CartEntry]:
        items = await self.client.list_cart_items(self.user_id)
        entries = [
            CartEntry(
                id=str(item["id"]),
                productId=str(item.get("productId")),
                title=str(item.get("productName") or "")[:500],
                price=item.get("price"),
                quantity=int(item.get("quantity") or 1),
            )
            for item in items
            if item.get("id") and item.get("productId")
        ]
        self.store.set_cart(entries)
        return entries

    async def list_cart_items(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            entries = await self._fetch_cart()
        except FunctionsError as exc:
            return _unavailable(LIST_CART_ITEMS, exc, "the cart")
        total = sum((e.price or 0) * e.quantity for e in entries)
        return {
            "ok": True,
            "count": len(entries),
            "total": round(total, 2),
            "items": [
                {
                    "position": i,
                    "cartItemId": e.id,
                    "productId": e.productId,
                    "productName": e.title,
                    "price": e.price,
                    "quantity": e.quantity,
                }
                for i, e in enumerate(entries, start=1)
            ],
        }

    async def _cart_entry(self, arguments: Mapping[str, Any]) -> CartEntry:
        """The cart item the arguments name: its id, its place in the cart, a product id, or the focus."""
        product_id = text(arguments.get("product_id") or arguments.get("productId")) or self.store.state.focus
        position = number(arguments.get("cart_position"))
        entries = self.store.state.cart
        if not entries or position is None:
            entries = await self._fetch_cart()  # the cart may have changed on the page meanwhile
        entry_id = text(arguments.get("cart_item_id") or arguments.get("cartItemId"))
        return pick_entry(entries, entry_id, position, product_id, CART)

    async def remove_cart_item(self, arguments: Mapping[str, Any]) -> ToolResult:
        if arguments.get("all") is True:
            return await self._empty_cart()
        try:
            entry = await self._cart_entry(arguments)
        except ProductReferenceError as exc:
            return _apology("unknown_cart_item", str(exc), str(exc))
        except FunctionsError as exc:
            return _unavailable(REMOVE_CART_ITEM, exc, "the cart")
        try:
            await self.client.remove_cart_item(self.session_id, self.user_id, entry.id)
        except FunctionsError as exc:
            if exc.status == 404:
                self.store.remove_cart(entry.id)
                return _apology("unknown_cart_item", "that one was already out of your cart")
            return _unavailable(REMOVE_CART_ITEM, exc, "the cart")
        self.store.remove_cart(entry.id)
        await self._hint({"type": "cart-removed", "cartItemId": entry.id, "productId": entry.productId})
        return {
            "ok": True,
            "removed": True,
            "cartItemId": entry.id,
            "productId": entry.productId,
            "productName": entry.title,
        }

    async def _empty_saved(self) -> ToolResult:
        """Every saved item off the list, as the server has it now (the page may have added some)."""
        return await self._empty(
            self._fetch_saved, self.client.remove_saved_item, self.store.remove_saved,
            ("item-removed", "savedItemId"), REMOVE_SAVED_ITEM, "the saved list",
        )  # fmt: skip

    async def _empty_cart(self) -> ToolResult:
        """Every item out of the cart, as the server has it now."""
        return await self._empty(
            self._fetch_cart, self.client.remove_cart_item, self.store.remove_cart,
            ("cart-removed", "cartItemId"), REMOVE_CART_ITEM, "the cart",
        )  # fmt: skip

    async def _empty(
        self,
        fetch: Callable[[], Awaitable[Sequence[SavedEntry]]],
        remove: Callable[[str, str, str], Awaitable[Any]],
        forget: Callable[[str], None],
        hint: tuple[str, str],
        tool: str,
        what: str,
    ) -> ToolResult:
        try:
            entries = await fetch()
            for entry in entries:
                await remove(self.session_id, self.user_id, entry.id)
                forget(entry.id)
                await self._hint({"type": hint[0], hint[1]: entry.id, "productId": entry.productId})
        except FunctionsError as exc:
            return _unavailable(tool, exc, what)
        return {"ok": True, "removed": bool(entries), "all": True, "count": len(entries)}

    async def get_user_preferences(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            preferences = await self.client.get_preferences(self.user_id)
        except FunctionsError as exc:
            return _unavailable(GET_USER_PREFERENCES, exc, "the preferences service")
        return {"ok": True, "preferences": preferences}

    async def call(self, name: str, arguments: Mapping[str, Any]) -> ToolResult:
        """Run one tool by name; unknown names and unexpected errors become an apology."""
        handlers = {
            SEARCH_PRODUCTS: self.search_products,
            SAVE_ITEM: self.save_item,
            REMOVE_SAVED_ITEM: self.remove_saved_item,
            LIST_SAVED_ITEMS: self.list_saved_items,
            ADD_TO_CART: self.add_to_cart,
            LIST_CART_ITEMS: self.list_cart_items,
            REMOVE_CART_ITEM: self.remove_cart_item,
            GET_USER_PREFERENCES: self.get_user_preferences,
        }
        handler = handlers.get(name)
        if handler is None:
            return _apology("unknown_tool", "I can't do that")
        started = time.perf_counter()
        try:
            result = await handler(arguments or {})
        except Exception as exc:
            log_event(logger, "tool crashed", event="tool_error", tool=name, error=repr(exc))
            result = _apology(
                "tool_error",
                "something went wrong on my side",
                "Sorry, something went wrong on my side. Let's try that again.",
            )
        latency_s = time.perf_counter() - started
        metrics.observe_tool(name, bool(result.get("ok")), latency_s)
        log_event(
            logger,
            "tool call",
            event="tool_call",
            tool=name,
            session_id=self.session_id,
            ok=result.get("ok"),
            latency_ms=round(latency_s * 1000, 1),
        )
        return result
