"""The agent's tools: search_products, save_item, get_user_preferences.

`ShoppingTools` holds one session's tool state (the last search results, so
"the second one" means something) and calls functions/ over HTTP. It knows
nothing about pipecat; `register_tools` adapts it to an LLM service's
function-calling interface and adds the spoken filler for slow calls.

Every tool returns a JSON-able dict. A failure never raises into the pipeline:
it returns `{"ok": false, "error": code, "message": <an apology to speak>}` so
the LLM (Gemini or the dialogue engine) says sorry and the session goes on.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from voice_runtime.functions_client import FunctionsClient, FunctionsError
from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)

SEARCH_PRODUCTS = "search_products"
SAVE_ITEM = "save_item"
GET_USER_PREFERENCES = "get_user_preferences"
END_SESSION = "end_session"
TOOL_NAMES = (SEARCH_PRODUCTS, SAVE_ITEM, GET_USER_PREFERENCES)

# How many results the agent is told about (positions beyond it still resolve from the full list).
SPOKEN_RESULTS = 10

FILLERS = {
    SEARCH_PRODUCTS: "Let me look that up.",
    SAVE_ITEM: "One moment.",
    GET_USER_PREFERENCES: "Let me check.",
}

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "top": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "fourth": 4,
    "4th": 4,
    "four": 4,
    "fifth": 5,
    "5th": 5,
    "five": 5,
    "sixth": 6,
    "6th": 6,
    "six": 6,
    "seventh": 7,
    "7th": 7,
    "seven": 7,
    "eighth": 8,
    "8th": 8,
    "eight": 8,
    "ninth": 9,
    "9th": 9,
    "nine": 9,
    "tenth": 10,
    "10th": 10,
    "ten": 10,
}
_DEICTIC = {"that", "this", "it", "that one", "this one", "the one", "same", "the same one"}
_STOPWORDS = {"the", "a", "an", "one", "item", "product", "please", "save", "that", "this"}


# A system line in the conversation log records each completed search, so a reconnect
# can put the results back ("save the second one" still works after a network blip).
_RESULT_ITEM = re.compile(r"(\d+)\. (.+?) \[id:([A-Za-z0-9_.:-]+)\]")
_RESULT_QUERY = re.compile(r"for “(.*?)” \(query ([A-Za-z0-9_.:-]+)\)")


def format_results_log(query: str, query_id: str, products: list[Mapping[str, Any]]) -> str:
    """The system line logged when a search completes: readable on the page, parseable on resume."""
    items = "; ".join(
        f"{i}. {str(p.get('title', 'item')).replace('[', '(').replace(']', ')')} [id:{p.get('id')}]"
        for i, p in enumerate(products, start=1)
    )
    if not items:
        return f"No results for “{query}” (query {query_id})."
    return f"Search results for “{query}” (query {query_id}): {items}"


@dataclass(frozen=True)
class LoggedSearch:
    """A completed search as recorded in the conversation log."""

    query: str
    query_id: str | None
    products: list[dict[str, Any]]


def parse_results_log(text: str) -> LoggedSearch | None:
    """Inverse of format_results_log; None when `text` is not a search-results line."""
    if not text.startswith(("Search results for", "No results for")):
        return None
    head = _RESULT_QUERY.search(text)
    products = [
        {"position": int(m.group(1)), "id": m.group(3), "title": m.group(2)}
        for m in _RESULT_ITEM.finditer(text)
    ]
    return LoggedSearch(
        query=head.group(1) if head else "", query_id=head.group(2) if head else None, products=products
    )


class ProductReferenceError(ValueError):
    """A spoken product reference does not pick exactly one product from the last results."""


ToolResult = dict[str, Any]


def _apology(code: str, reason: str, message: str | None = None) -> ToolResult:
    """A failed tool result: `error` is a short spoken reason, `message` the whole apology."""
    return {"ok": False, "code": code, "error": reason, "message": message or f"Sorry, {reason}."}


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = re.search(r"-?\d+(?:\.\d+)?", value.replace(",", ""))
        return float(match.group()) if match else None
    return None


def _clean_str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return []


def build_search_request(arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Turn search_products arguments into (searchText, preferences) for trigger-research.

    Colour and brand are folded into the search text (the research worker ranks
    by text); price, rating and retailer limits become structured preferences.
    Raises ValueError when there is nothing to search for or the limits contradict.
    """
    query = _clean_str(arguments.get("query"))
    color = _clean_str(arguments.get("color") or arguments.get("colour"))
    brand = _clean_str(arguments.get("brand"))
    words = [query]
    present = set(re.findall(r"[a-z0-9]+", query.lower()))
    if color and not set(re.findall(r"[a-z0-9]+", color.lower())) <= present:
        words.insert(0, color)
    if brand and not set(re.findall(r"[a-z0-9]+", brand.lower())) <= present:
        words.insert(0, brand)
    search_text = " ".join(word for word in words if word).strip()
    if not search_text:
        raise ValueError("nothing to search for")
    if len(search_text) > 200:
        search_text = search_text[:200].rsplit(" ", 1)[0]

    preferences: dict[str, Any] = {}
    min_price = _number(arguments.get("min_price"))
    max_price = _number(arguments.get("max_price"))
    min_rating = _number(arguments.get("min_rating"))
    if min_price is not None and min_price > 0:
        preferences["minPrice"] = min_price
    if max_price is not None and max_price > 0:
        preferences["maxPrice"] = max_price
    if min_price is not None and max_price is not None and 0 < max_price < min_price:
        raise ValueError("the lowest price is above the highest price")
    if min_rating is not None and 0 < min_rating <= 5:
        preferences["minRating"] = min_rating
    retailers = _str_list(arguments.get("retailers"))
    if retailers:
        preferences["targetRetailers"] = retailers
    return search_text, preferences


def summarize_product(position: int, product: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a product the agent may speak about, with its 1-based position."""
    summary = {
        "position": position,
        "id": product.get("id"),
        "title": product.get("title"),
        "price": product.get("price"),
        "currency": product.get("currency", "USD"),
        "brand": product.get("brand"),
        "rating": product.get("rating"),
        "source": product.get("source"),
    }
    reasons = product.get("rankReasons")
    if isinstance(reasons, list) and reasons:
        summary["reasons"] = [str(reason) for reason in reasons[:3]]
    return {key: value for key, value in summary.items() if value is not None}


def parse_position(reference: str) -> int | None:
    """A 1-based position (negative counts from the end) from words like "second", "#3", "last".

    Returns None when the words name no position.
    """
    text = reference.lower().strip()
    if re.search(r"\b(second|2nd)[\s-]+(to|from)[\s-]+(the\s+)?last\b", text) or "penultimate" in text:
        return -2
    if re.search(r"\b(last|final|bottom)\b", text):
        return -1
    match = re.search(r"(?:number|no\.?|#|item|option|position)?\s*(-?\d+)\b", text)
    if match:
        return int(match.group(1))
    for word in re.findall(r"[a-z0-9]+", text):
        if word in _ORDINALS and word not in {"one"}:
            return _ORDINALS[word]
    # A bare "one"/"two"... only counts when it is the whole reference ("two").
    bare = re.sub(r"^(the|number)\s+", "", text)
    if bare in _ORDINALS:
        return _ORDINALS[bare]
    return None


def resolve_product_reference(
    reference: Any, products: list[Mapping[str, Any]], focus: int = 0
) -> tuple[int, Mapping[str, Any]]:
    """Pick one product from the last results: by id, position, "that one", or words of its title.

    Returns (zero-based index, product). Raises ProductReferenceError with a
    sentence that can be spoken when nothing (or more than one thing) matches.
    """
    if not products:
        raise ProductReferenceError("I don't have any search results yet. What should I look for?")
    count = len(products)

    def at(position: int) -> tuple[int, Mapping[str, Any]]:
        index = position - 1 if position > 0 else count + position
        if position == 0 or not 0 <= index < count:
            raise ProductReferenceError(f"I only have {count} results. Which one do you mean?")
        return index, products[index]

    if isinstance(reference, bool):
        reference = None
    if isinstance(reference, int | float):
        return at(int(reference))
    text = _clean_str(reference)
    if not text or text.lower() in _DEICTIC:
        return at(focus + 1 if 0 <= focus < count else 1)
    for index, product in enumerate(products):
        if str(product.get("id", "")) == text:
            return index, product
    position = parse_position(text)
    if position is not None:
        return at(position)
    wanted = [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOPWORDS]
    if wanted:
        matches = [
            index
            for index, product in enumerate(products)
            if all(
                word in f"{product.get('title', '')} {product.get('brand', '')}".lower() for word in wanted
            )
        ]
        if len(matches) == 1:
            return matches[0], products[matches[0]]
        if len(matches) > 1:
            raise ProductReferenceError(
                f"Several results match {text}. Could you say which number, like the second one?"
            )
    raise ProductReferenceError(f"I'm not sure which product you mean by {text}. Could you say its number?")


@dataclass
class ShoppingTools:
    """One session's tools and their state."""

    client: FunctionsClient
    session_id: str
    user_id: str
    research_wait_ms: int = 6000
    # Called with {"type": "search-results", "queryId": ..., ...} when a search finishes.
    on_hint: Callable[[dict[str, Any]], Awaitable[None]] | None = None
    # Called with a line for the conversation log (speaker "system") when a search completes.
    record: Callable[[str], None] | None = None
    last_results: list[dict[str, Any]] = field(default_factory=list)
    last_query_id: str | None = None
    last_search_text: str | None = None
    focus: int = 0

    async def _hint(self, message: dict[str, Any]) -> None:
        if self.on_hint is None:
            return
        try:
            await self.on_hint(message)
        except Exception as exc:  # a hint is best effort; never fail a tool over it
            log_event(logger, "hint failed", event="hint_failed", error=str(exc))

    async def search_products(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            search_text, preferences = build_search_request(arguments)
        except ValueError as exc:
            return _apology("bad_request", str(exc), f"Sorry, I couldn't search for that: {exc}.")
        try:
            body = await self.client.trigger_research(
                self.session_id,
                self.user_id,
                search_text,
                preferences or None,
                wait_ms=self.research_wait_ms,
            )
        except FunctionsError as exc:
            log_event(logger, "search failed", event="tool_error", tool=SEARCH_PRODUCTS, code=exc.code)
            return _apology(
                "search_unavailable",
                "the product search isn't answering",
                "Sorry, I couldn't reach the product search just now. Please try again in a moment.",
            )
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
            return {
                "ok": True,
                "status": status or "pending",
                "queryId": query_id,
                "query": search_text,
                "count": 0,
                "products": [],
                "message": "The search is still running; results will appear on your screen shortly.",
            }
        self.last_results = products
        self.last_query_id = query_id
        self.last_search_text = search_text
        self.focus = 0
        if self.record is not None:
            self.record(format_results_log(search_text, query_id, products))
        return {
            "ok": True,
            "status": status,
            "queryId": query_id,
            "query": search_text,
            "filters": preferences,
            "count": len(products),
            "products": [summarize_product(i + 1, p) for i, p in enumerate(products[:SPOKEN_RESULTS])],
        }

    async def save_item(self, arguments: Mapping[str, Any]) -> ToolResult:
        reference: Any = arguments.get("product_id") or arguments.get("productId")
        if not reference:
            reference = arguments.get("position")
        if reference is None or reference == "":
            reference = arguments.get("reference")
        try:
            index, product = resolve_product_reference(reference, self.last_results, self.focus)
        except ProductReferenceError as exc:
            return _apology("unknown_product", str(exc), str(exc))
        product_id = str(product.get("id"))
        try:
            body = await self.client.save_item(self.session_id, self.user_id, product_id)
        except FunctionsError as exc:
            log_event(logger, "save failed", event="tool_error", tool=SAVE_ITEM, code=exc.code)
            if exc.status == 404:
                return _apology("unknown_product", "I can't find that product any more")
            return _apology(
                "save_unavailable",
                "the saved list isn't answering",
                "Sorry, I couldn't save that just now. Please try again.",
            )
        self.focus = index
        await self._hint(
            {
                "type": "item-saved",
                "savedItemId": body.get("id"),
                "productId": product_id,
                "queryId": self.last_query_id,
            }
        )
        return {
            "ok": True,
            "saved": True,
            "savedItemId": body.get("id"),
            "productId": product_id,
            "position": index + 1,
            "productName": body.get("productName") or product.get("title"),
        }

    async def get_user_preferences(self, arguments: Mapping[str, Any]) -> ToolResult:
        try:
            preferences = await self.client.get_preferences(self.user_id)
        except FunctionsError as exc:
            log_event(
                logger, "preferences failed", event="tool_error", tool=GET_USER_PREFERENCES, code=exc.code
            )
            return _apology("preferences_unavailable", "the preferences service isn't answering")
        return {"ok": True, "preferences": preferences}

    async def call(self, name: str, arguments: Mapping[str, Any]) -> ToolResult:
        """Run one tool by name; unknown names and unexpected errors become an apology."""
        handlers = {
            SEARCH_PRODUCTS: self.search_products,
            SAVE_ITEM: self.save_item,
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
        log_event(
            logger,
            "tool call",
            event="tool_call",
            tool=name,
            session_id=self.session_id,
            ok=result.get("ok"),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return result

    def restore_results(self, query_id: str | None, products: list[dict[str, Any]]) -> None:
        """Put back the last results after a reconnect (from the conversation log)."""
        self.last_query_id = query_id
        self.last_results = products
        self.focus = 0


async def run_with_filler(
    work: Awaitable[ToolResult],
    say: Callable[[str], Awaitable[None]],
    filler: str,
    after_s: float,
) -> ToolResult:
    """Await `work`; if it is still running after `after_s`, speak `filler` once meanwhile."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=after_s)
        if not done:
            await say(filler)
        return await task
    finally:
        if not task.done():
            task.cancel()


def register_tools(
    llm: Any,
    tools: ShoppingTools,
    say: Callable[[str], Awaitable[None]],
    *,
    filler_after_s: float = 0.7,
    on_goodbye: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Register the tools on a pipecat LLMService (`llm.register_function`).

    `end_session` answers without asking the LLM for more words, then ends the
    pipeline gracefully: the goodbye already queued ahead of it is still spoken.
    """
    from pipecat.frames.frames import EndWorkerFrame, FunctionCallResultProperties

    def make_handler(name: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(params: Any) -> None:
            result = await run_with_filler(
                tools.call(name, dict(params.arguments or {})), say, FILLERS[name], filler_after_s
            )
            await params.result_callback(result)

        return handler

    async def end_session(params: Any) -> None:
        if on_goodbye is not None:
            await on_goodbye()
        await params.result_callback({"ok": True}, properties=FunctionCallResultProperties(run_llm=False))
        await params.llm.push_frame(EndWorkerFrame(reason="goodbye"))

    for name in TOOL_NAMES:
        llm.register_function(name, make_handler(name))
    llm.register_function(END_SESSION, end_session)
