"""One session's dialogue state, shared by the tools and the dialogue engine, persisted as data.

The state (``shopper_core.dialogue.DialogueState``: results shown, product in focus,
current search, saved list as read out) lives in memory for the turn that needs it at
once, and is written to the session's voice_sessions document through functions/ in
the background: the latest state wins, so a burst of changes is one write. A
reconnect (on any instance) starts from the stored copy.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from shopper_core.dialogue import MAX_SHOWN, CartEntry, DialogueState, SavedEntry, SearchState, ShownProduct
from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)

Persist = Callable[[dict[str, Any]], Awaitable[None]]


def shown_product(rank: int, product: Mapping[str, Any]) -> ShownProduct | None:
    """A product from a search result as the state records it (None when it cannot be kept)."""
    fields = {
        "id": product.get("id"),
        "rank": rank,
        "title": str(product.get("title") or "")[:500],
        "price": product.get("price"),
        "currency": product.get("currency") or "USD",
        "brand": product.get("brand"),
        "color": product.get("color"),
        "category": product.get("category"),
        "rating": product.get("rating"),
        "source": product.get("source"),
        "description": (str(product.get("description"))[:600] if product.get("description") else None),
    }
    try:
        return ShownProduct.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError:
        return None


class DialogueStore:
    """The state of one session and its background writer."""

    def __init__(self, state: DialogueState | None = None, persist: Persist | None = None) -> None:
        self._state = state or DialogueState()
        self._persist = persist
        self._dirty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._searches = 0  # searches begun; a search's number says whether a newer one replaced it
        self.failures = 0

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None, persist: Persist | None = None) -> DialogueStore:
        """The store for a session whose stored state is `stored` (ignored when unreadable)."""
        state = None
        if stored:
            try:
                state = DialogueState.model_validate(stored)
            except ValidationError as exc:
                log_event(
                    logger, "stored dialogue state unreadable", event="dialogue_state_bad", error=str(exc)
                )
        return cls(state, persist)

    @property
    def state(self) -> DialogueState:
        return self._state

    # ------------------------------------------------------------------ changes

    def _set(self, **changes: Any) -> None:
        self._state = self._state.model_copy(update=changes)
        self._dirty.set()

    def show_results(
        self, search: SearchState, products: Sequence[Mapping[str, Any]], number: int | None = None
    ) -> None:
        """A search finished: its products are what the shopper sees now; nothing is in focus.
        A search a newer one replaced (`number` no longer current) changes nothing."""
        if number is not None and not self.is_current(number):
            return
        shown = [
            p for rank, raw in enumerate(products[:MAX_SHOWN], start=1) if (p := shown_product(rank, raw))
        ]
        self._set(search=search, results=shown, focus=None)

    def begin_search(self, search: SearchState) -> int:
        """A search was asked for: it is the current search at once, while the products on
        screen stay until it lands. A refinement said before the results arrive ("a
        bluetooth speaker ... nothing over 50 bucks", split by a pause) refines this one.
        Returns the search's number for ``show_results`` and ``set_pending``."""
        self._searches += 1
        current = self._state.search
        previous = current if current is not None and current != search else self._state.previous
        self._set(search=search.model_copy(update={"queryId": None}), previous=previous)
        return self._searches

    def is_current(self, number: int) -> bool:
        """Whether search `number` is still the latest one begun."""
        return number == self._searches

    def set_pending(self, number: int, query_id: str) -> None:
        """Search `number` runs on past the wait: its query id lets a reload show it later."""
        if self.is_current(number) and self._state.search is not None:
            self._set(search=self._state.search.model_copy(update={"queryId": query_id}))

    def set_focus(self, product_id: str | None) -> None:
        if product_id != self._state.focus:
            self._set(focus=product_id)

    def add_saved(self, entry: SavedEntry) -> None:
        kept = [e for e in self._state.saved if e.id != entry.id]
        self._set(saved=[entry, *kept][:50], focus=entry.productId)

    def remove_saved(self, saved_item_id: str) -> None:
        self._set(saved=[e for e in self._state.saved if e.id != saved_item_id])

    def set_cart(self, entries: Sequence[CartEntry]) -> None:
        self._set(cart=list(entries)[:100])

    def remove_cart(self, cart_item_id: str) -> None:
        self._set(cart=[e for e in self._state.cart if e.id != cart_item_id])

    def set_saved(self, entries: Sequence[SavedEntry]) -> None:
        self._set(saved=list(entries)[:50])

    # ------------------------------------------------------------------ persistence

    def start(self) -> None:
        if self._persist is not None and self._task is None:
            self._task = asyncio.create_task(self._write_loop(), name="dialogue-state-writer")

    async def _write_loop(self) -> None:
        while True:
            await self._dirty.wait()
            await self._write_once()

    async def _write_once(self) -> None:
        assert self._persist is not None
        self._dirty.clear()
        try:
            await self._persist(self._state.model_dump(mode="json"))
        except Exception as exc:  # the in-memory state still serves this connection
            self.failures += 1
            log_event(
                logger, "dialogue state write failed", event="dialogue_state_write_failed", error=str(exc)
            )

    async def close(self, timeout_s: float) -> None:
        """Write what changed since the last write (bounded by timeout_s), then stop."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._dirty.is_set():
            try:
                await asyncio.wait_for(self._write_once(), timeout_s)
            except TimeoutError:
                log_event(logger, "dialogue state flush timed out", event="dialogue_state_timeout")
