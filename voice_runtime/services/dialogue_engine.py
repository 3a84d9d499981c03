"""The offline dialogue engine's decisions: one understood turn + the dialogue state -> speech and tool calls.

Pure functions. The shopper's words are read by ``shopper_core.understanding`` (the
same reader the typed search uses); what was shown, what is in focus and the current
search come from the session's ``DialogueState``. Describing, comparing, prices,
superlatives and sorting are answered from the state without a tool; searches, saves,
removals, the saved list, the cart and preferences are tool calls, announced first so
the shopper hears something at once. A turn that is not understood never searches
and never writes: the engine says what it can do.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, get_args

from shopper_core.dialogue import DialogueState, SearchState, ShownProduct
from shopper_core.understanding import Context, IntentKind, Understanding, parse_search, understand
from shopper_core.understanding.lexicon import Lexicon
from shopper_core.understanding.references import UnclearReference, resolve
from shopper_core.understanding.search import says_only_how
from shopper_core.understanding.types import Filters, Reference
from voice_runtime.services import dialogue_replies as replies
from voice_runtime.services.tool_schemas import (
    ADD_TO_CART,
    END_SESSION,
    FILLERS,
    GET_USER_PREFERENCES,
    LIST_CART_ITEMS,
    LIST_SAVED_ITEMS,
    REMOVE_CART_ITEM,
    REMOVE_SAVED_ITEM,
    SAVE_ITEM,
    SEARCH_PRODUCTS,
)

KEEP = "keep"  # Decision.focus: leave the focus as it is
_FILLER_TEXTS = frozenset(FILLERS.values())
INTENTS = frozenset(get_args(IntentKind))
# Understanding below this confidence is asked about, not acted on.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Decision:
    """The engine's response: text to speak now, calls to make, and the focus after the turn."""

    text: str = ""
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    intent: str = ""
    focus: str | None = KEEP


@dataclass(frozen=True)
class ToolExchange:
    """One tool call the assistant made this turn and its result (None while in progress)."""

    name: str
    arguments: dict[str, Any]
    result: Any
    done: bool


@dataclass
class Turn:
    """What the context says about the current turn."""

    user_text: str | None = None
    exchanges: list[ToolExchange] | None = None
    answered: bool = False
    previous_tools: tuple[str, ...] = ()  # tools called in the turn before this one
    has_user_turn: bool = False
    last_said: str = ""  # what the assistant said in the turn before this one ("say that again")


# ------------------------------------------------------------------ reading the context


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


def _decode(content: Any) -> Any:
    text = _text_of(content) if not isinstance(content, dict) else content
    if isinstance(text, str):
        if text in ("IN_PROGRESS", ""):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def read_turn(messages: Sequence[Any]) -> Turn:
    """The last user turn and the tool exchanges since it, from OpenAI-style context messages."""
    turn = Turn(exchanges=[])
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    current: list[ToolExchange] = []
    previous: list[str] = []
    said_since_user: list[str] = []
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        if role == "user":
            previous = [e.name for e in current] or previous
            turn.last_said = " ".join(said_since_user) or turn.last_said
            said_since_user = []
            turn.user_text = _text_of(message.get("content"))
            turn.has_user_turn = True
            current = []
            turn.answered = False
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                try:
                    arguments = json.loads(function.get("arguments") or "{}")
                except ValueError:
                    arguments = {}
                calls[str(call.get("id"))] = (str(function.get("name")), arguments)
            said = _text_of(message.get("content")).strip()
            if said:
                said_since_user.append(said)
            if said and current and said not in _FILLER_TEXTS:  # "Let me look that up." is not the answer
                turn.answered = True
        elif role == "tool":
            name, arguments = calls.get(str(message.get("tool_call_id")), ("", {}))
            raw = message.get("content")
            done = not (isinstance(raw, str) and raw == "IN_PROGRESS")
            current.append(ToolExchange(name, arguments, _decode(raw), done))
            turn.answered = False
    turn.exchanges = current
    turn.previous_tools = tuple(previous)
    return turn


# ------------------------------------------------------------------ searches


def search_arguments(state: SearchState, sort: str | None = None) -> dict[str, Any]:
    """The search_products arguments that run `state` (in the order `sort` asks for)."""
    args: dict[str, Any] = {"query": state.query}
    if sort:
        args["sort"] = sort
    for name, value in (
        ("max_price", state.maxPrice),
        ("min_price", state.minPrice),
        ("min_rating", state.minRating),
        ("color", state.color),
        ("brand", state.brand),
        ("size", state.size),
        ("price_preference", state.pricePreference),
    ):
        if value is not None:
            args[name] = value
    if state.retailers:
        args["retailers"] = list(state.retailers)
    if state.notBrands:
        args["not_brands"] = list(state.notBrands)
    return args


def search_from(query: str, filters: Filters) -> SearchState:
    return SearchState(
        query=query,
        minPrice=filters.min_price,
        maxPrice=filters.max_price,
        minRating=filters.min_rating,
        color=filters.color,
        brand=filters.brand,
        size=filters.size,
        pricePreference=filters.price_preference,
        retailers=list(filters.retailers),
        notBrands=list(filters.not_brands),
    )


def _top_prices(results: Sequence[ShownProduct], top: int = 3) -> list[float]:
    return [p.price for p in results[:top] if p.price is not None and p.price > 0]


def refine(state: DialogueState, understanding: Understanding) -> SearchState | None:
    """The current search with this turn's changes (None when there is no current search).

    Said values replace the old ones. "Cheaper": the ceiling drops below the cheapest of
    the top three shown, and a floor said before goes. "More expensive": the floor rises to
    the dearest of the top three and the ceiling goes. "Cheaper than the dell" measures from
    that product instead. "Better rated": at least 4 stars, or half a star more than asked.
    """
    current = state.search
    if current is None:
        return None
    refinement = understanding.refinement
    filters = refinement.filters if refinement else Filters()
    relative = set(refinement.relative if refinement else ())
    if filters.price_preference == "low":
        relative.add("cheaper")
    elif filters.price_preference == "high":
        relative.add("pricier")
    changes: dict[str, Any] = {}
    # A new ceiling near or under the old floor replaces the whole range ("around 1.5k",
    # then "under twelve hundred"); a floor well below it stays ("100 to 200", "under 150").
    floor = current.minPrice
    if filters.max_price is not None and filters.min_price is None and floor is not None:
        changes["minPrice"] = floor if floor < 0.8 * filters.max_price else None
    if refinement and refinement.query and says_only_how(refinement.query):
        # "a wireless one" after "mouse": a wireless mouse, not a search for "wireless"
        kept = [w for w in current.query.split() if w.lower() not in refinement.query.lower().split()]
        changes["query"] = " ".join([refinement.query, *kept])
    elif refinement and refinement.query:
        changes["query"] = refinement.query
    for field, value in (
        ("minPrice", filters.min_price),
        ("maxPrice", filters.max_price),
        ("minRating", filters.min_rating),
        ("color", filters.color),
        ("brand", filters.brand),
        ("size", filters.size),
    ):
        if value is not None:
            changes[field] = value
    if filters.retailers:
        changes["retailers"] = list(filters.retailers)
    if filters.not_brands:
        # "no apple" adds to the brands ruled out; a brand asked for again is back in.
        changes["notBrands"] = list(dict.fromkeys([*current.notBrands, *filters.not_brands]))
        if current.brand and current.brand.lower() in {b.lower() for b in filters.not_brands}:
            changes["brand"] = None
    if filters.brand:
        kept = [b for b in changes.get("notBrands", current.notBrands) if b.lower() != filters.brand.lower()]
        changes["notBrands"] = kept
    prices = _top_prices(state.results)
    than = None
    if understanding.reference is not None and relative & {"cheaper", "pricier"}:
        # "cheaper than the dell": beyond that product's price, not the top three's
        than = _one(state, understanding.reference).price
        prices = [than] if than else prices
    if "cheaper" in relative and filters.max_price is None:
        ceiling = math.floor(min(prices) * 0.95) if prices else None
        if current.maxPrice is not None and not than:
            ceiling = (
                min(ceiling, math.floor(current.maxPrice * 0.8))
                if ceiling
                else math.floor(current.maxPrice * 0.8)
            )
        if ceiling is not None:
            changes["maxPrice"] = float(max(ceiling, 1))
            if filters.min_price is None:
                changes["minPrice"] = None  # "over 500", then "something cheaper": the floor goes too
    if "pricier" in relative and filters.min_price is None:
        floor = max(prices) if prices else current.maxPrice
        if floor is not None:
            changes["minPrice"] = float(math.ceil(floor))
            changes["maxPrice"] = filters.max_price
    if "better_rated" in relative and filters.min_rating is None:
        before = current.minRating
        changes["minRating"] = 4.0 if before is None or before < 4 else min(before + 0.5, 4.8)
    updated = current.model_copy(update={**changes, "queryId": None})
    if updated.minPrice is not None and updated.maxPrice is not None and updated.minPrice > updated.maxPrice:
        updated = updated.model_copy(update={"minPrice": None})
    return updated


# A search for only these words names no product: the shopper is asked who it is for.
_VAGUE = frozenset({"gift", "gifts", "present", "presents", "idea", "ideas", "something", "stuff"})
# A new ceiling below this share of the cheapest product shown is out of reach of what was shown.
OUT_OF_REACH = 0.5


def _without_unreachable_brand(
    state: DialogueState, refined: SearchState, said_brand: str | None
) -> tuple[SearchState, str | None]:
    """ "Rolex watches", then "way too expensive, something under 200": no product of the brand
    shown comes near the new ceiling, so the brand kept from before is dropped (and said so)
    rather than searching for what cannot exist. A brand said in this turn stays."""
    prices = [p.price for p in state.results if p.price]
    ceiling = refined.maxPrice
    if said_brand or ceiling is None or not prices or ceiling >= OUT_OF_REACH * min(prices):
        return refined, None
    read = parse_search(refined.query)  # the brand folded into the text, read by the one reader
    brand = refined.brand or read.filters.brand
    if brand is None:
        return refined, None
    query = read.query if read.filters.brand else refined.query
    return refined.model_copy(update={"brand": None, "query": query or refined.query}), brand


def _stem(word: str) -> str:
    return re.sub(r"(?:es|s)$", "", word) if len(word) > 4 else word


def _kind_words(text: str, asked: set[str], lexicon: Lexicon) -> list[str]:
    """The words of `text`'s head (before "for", "with", a dash) that say what it is (no brand)."""
    head = re.split(r"\s(?:for|with|compatible)\s|\s[-|–]\s|,|\(|\.\s", text.lower(), maxsplit=1)[0]
    words = [w for w in re.findall(r"[a-z][a-z-]{2,}", head) if w not in lexicon.brands]
    kinds = lexicon.product_words
    return [w for w in words if _stem(w) in asked or w in kinds or _stem(w) in kinds]


def similar_query(product: ShownProduct, current_query: str) -> str:
    """What "more like this one" searches for: the kind of product it is.

    The words of the current search and the product-type words (from the catalog's
    lexicon) that its title names, in title order, at most three (a lens found by
    "camera" searches lenses, not cameras); where the title names none (a bare model
    number), those of its description's first phrase; else its category, the current
    search or its short name.
    """
    asked = {_stem(w) for w in current_query.lower().split()}
    lexicon = Lexicon.default()
    picked = _kind_words(product.title, asked, lexicon)
    if not picked and product.description:
        picked = _kind_words(product.description[:200], set(), lexicon)
    if picked:
        return " ".join(dict.fromkeys(picked[-3:]))
    return product.category or current_query or replies.short_name(product.title)


# ------------------------------------------------------------------ references


def _items(state: DialogueState) -> list[dict[str, Any]]:
    return [p.model_dump() for p in state.results]


def pick(
    state: DialogueState,
    reference: Reference | None,
    *,
    default_first: int = 0,
    first_of_several: bool = False,
) -> list[ShownProduct]:
    """The shown products a reference names (the focus when it names none). Raises UnclearReference."""
    if not state.results:
        raise UnclearReference(replies.NO_RESULTS_TEXT)
    reference = reference or Reference(focus=True)
    focus = state.focus_index()
    if reference.is_empty() and focus is None and default_first:
        return list(state.results[:default_first])
    plain = reference.focus or reference.is_empty()
    plain = plain and not (reference.saved or reference.every or reference.also)
    if focus is None and plain:
        focus = 0  # right after a search nothing is in focus: "that one" is the top pick, said first
    indices = resolve(reference, _items(state), focus, first_of_several=first_of_several)
    return [state.results[i] for i in indices]


def _one(state: DialogueState, reference: Reference | None, *, asking: bool = False) -> ShownProduct:
    """The one product a reference names; `asking` (a question about it) takes the first shown
    of several a name matches, since the answer names it."""
    if reference is not None and reference.every and not reference.name:
        raise UnclearReference("I can do that one product at a time. Which one first?")
    products = pick(state, reference, first_of_several=asking)
    if len(products) != 1:
        raise UnclearReference("You can say the first one, or its brand. Which one do you mean?")
    return products[0]


def _some(state: DialogueState, reference: Reference | None) -> list[ShownProduct]:
    """The products a save or a cart add names: one, "the first two", or "all of them" shown."""
    if reference is not None and reference.every and not reference.name and not reference.positions:
        if not state.results:
            raise UnclearReference(replies.NO_RESULTS_TEXT)
        return list(state.results)
    if reference is not None and len(reference.positions) > 1:
        return pick(state, reference)
    return [_one(state, reference)]


# ------------------------------------------------------------------ decisions


def context_for(state: DialogueState, last_intent: str | None = None) -> Context:
    known = last_intent.split(":")[0] if last_intent else None
    return Context(
        has_results=bool(state.results),
        has_search=state.search is not None,
        has_focus=state.focus is not None,
        shown_names=tuple(f"{p.brand or ''} {p.title}".strip() for p in state.results),
        last_intent=known if known in INTENTS else None,  # type: ignore[arg-type]
    )


def decide_for(understanding: Understanding, state: DialogueState, turn: Turn | None = None) -> Decision:
    """Map an understood turn to speech, tool calls and focus (pure)."""
    kind = understanding.intent
    try:
        return acknowledged(_decide(kind, understanding, state, turn or Turn()))
    except UnclearReference as unclear:
        return Decision(str(unclear) or replies.UNKNOWN_TEXT, (), f"{kind}:unclear")


def acknowledged(decision: Decision) -> Decision:
    """The decision with its intent's fixed acknowledgement spoken first ("Sure. Looking for ...").

    A reply that names a product, a price or a search must be synthesised before it is
    heard; the acknowledgement's audio is ready, so the first sound of the turn waits for
    neither that synthesis nor the tool call behind it.
    """
    ack = replies.ACKNOWLEDGEMENTS.get(decision.intent)
    if ack is None or decision.text.startswith(ack):
        return decision
    return replace(decision, text=f"{ack} {decision.text}".strip())


def _decide(kind: str, u: Understanding, state: DialogueState, turn: Turn) -> Decision:
    if u.confidence < MIN_CONFIDENCE and kind not in ("unknown",):
        return Decision(replies.UNSURE_TEXT, (), f"{kind}:unsure")
    if kind == "search" and u.search is not None:
        if not u.search.query:
            if state.search is not None and u.search.filters.any():
                return _decide("refine", Understanding("refine", refinement=_as_refinement(u)), state, turn)
            return Decision(replies.NEEDS_PRODUCT_TEXT, (), "search:needs_product")
        filters = u.search.filters
        if set(u.search.query.lower().split()) <= _VAGUE:
            return Decision(replies.GIFT_QUESTION_TEXT, (), "search:needs_product")  # "i need a gift"
        return _search(search_from(u.search.query, filters), filters.unknown_retailer, kind)
    if kind == "refine":
        refined = refine(state, u)
        if refined is None:
            return Decision(replies.NEEDS_PRODUCT_TEXT, (), "refine:needs_product")
        unknown = u.refinement.filters.unknown_retailer if u.refinement else None
        said = u.refinement.filters.brand if u.refinement else None
        refined, brand = _without_unreachable_brand(state, refined, said)
        decision = _search(refined, unknown, kind)
        if brand:
            return replace(decision, text=f"{replies.brand_out_of_reach(brand)} {decision.text}")
        return decision
    if kind == "more_like":
        product = _one(state, u.reference)
        price = product.price
        relative = set(u.refinement.relative) if u.refinement else set()
        low = float(math.floor(price * 0.5)) if price else None
        high = float(math.ceil(price * 1.5)) if price else None
        if price and "cheaper" in relative:
            high = float(math.floor(price * 0.95))  # "like the lenovo but cheaper"
        elif price and "pricier" in relative:
            low, high = float(math.ceil(price * 1.05)), None
        similar = SearchState(
            query=similar_query(product, state.search.query if state.search else ""),
            minPrice=low,
            maxPrice=high,
        )
        text = f"Looking for more like the {replies.short_name(product.title, product.brand)}."
        return Decision(text, ((SEARCH_PRODUCTS, search_arguments(similar)),), kind, product.id)
    if kind == "save":
        products = _some(state, u.reference)
        calls = tuple((SAVE_ITEM, {"product_id": p.id}) for p in products)
        return Decision(replies.saving_announcement(*products), calls, kind, products[-1].id)
    if kind == "add_to_cart":
        products = _some(state, u.reference)
        calls = tuple((ADD_TO_CART, {"product_id": p.id}) for p in products)
        return Decision(replies.adding_to_cart_announcement(*products), calls, kind, products[-1].id)
    if kind == "remove":
        return _remove(u.reference, state, turn)
    if kind == "list_saved":
        return Decision(replies.CHECKING_LIST_TEXT, ((LIST_SAVED_ITEMS, {}),), kind)
    if kind == "list_cart":
        return Decision(replies.CHECKING_CART_TEXT, ((LIST_CART_ITEMS, {}),), kind)
    if kind == "remove_from_cart":
        return _remove_from_cart(u.reference, state, turn)
    if kind == "describe" and u.reference is not None and len(u.reference.positions) > 1:
        return Decision(replies.compare_reply(pick(state, u.reference)[:3]), (), "compare")  # "both of them"
    if kind in ("describe", "price", "retailer"):
        product = _one(state, u.reference, asking=True)
        position = next((i + 1 for i, p in enumerate(state.results) if p.id == product.id), None)
        answer = {
            "describe": lambda: replies.describe_product(
                product, position if u.reference and u.reference.positions else None
            ),
            "price": lambda: replies.price_reply(product),
            "retailer": lambda: replies.retailer_reply(product),
        }[kind]()
        if kind == "describe" and (yes_or_no := replies.feature_answer(product, turn.user_text or "")):
            answer = f"{yes_or_no} {answer}"
        return Decision(answer, (), kind, product.id)
    if kind == "compare":
        every = u.reference is not None and u.reference.every and not u.reference.name
        said = u.reference is not None and not u.reference.is_empty()
        # "how do they stack up against each other": no product named, the two shown first
        products = (
            list(state.results[:3])
            if every
            else pick(state, u.reference, default_first=2)
            if said
            else list(state.results[:2])
        )
        if len(products) < 2:
            products = _with_focus_pair(state, products)
        if len(products) < 2:
            return Decision(
                "Which two should I compare? For example: compare the first two.", (), "compare:unclear"
            )
        return Decision(replies.compare_reply(products[:3]), (), kind)
    if kind == "superlative":
        return _superlative(u.superlative or "cheapest", state)
    if kind == "go_back":
        if state.previous is None:
            return Decision("There's no earlier search to go back to.", (), "go_back:none")
        return _search(state.previous.model_copy(update={"queryId": None}), None, kind)
    if kind == "sort":
        if state.search is None:
            return Decision(replies.NO_RESULTS_TEXT, (), "sort:no_results")
        key = u.sort or "price_low"
        arguments = {**search_arguments(state.search), "sort": key}
        return Decision(replies.sorting_announcement(key), ((SEARCH_PRODUCTS, arguments),), kind, None)
    if kind == "preferences":
        return Decision(replies.CHECKING_PREFERENCES_TEXT, ((GET_USER_PREFERENCES, {}),), kind)
    if kind == "goodbye":
        return Decision(replies.GOODBYE_TEXT, ((END_SESSION, {}),), kind)
    if kind == "help":
        return Decision(replies.HELP_TEXT, (), kind)
    if kind == "greeting":
        return Decision(replies.GREETING_TEXT, (), kind)
    if kind == "thanks":
        return Decision(replies.THANKS_TEXT, (), kind)
    if kind == "smalltalk" and u.topic == "repeat":
        return Decision(turn.last_said or replies.NOTHING_TO_REPEAT_TEXT, (), kind)
    if kind == "smalltalk":
        return Decision(replies.SMALLTALK_TEXT.get(u.topic or "", replies.GREETING_TEXT), (), kind)
    return Decision(replies.UNKNOWN_TEXT, (), "unknown")


def _as_refinement(u: Understanding) -> Any:
    from shopper_core.understanding.types import Refinement

    return Refinement(filters=u.search.filters if u.search else Filters())


def _search(search: SearchState, unknown_retailer: str | None, kind: str) -> Decision:
    text = replies.search_announcement(search)
    if unknown_retailer:
        text = (
            f"I can't search {unknown_retailer.title()} from here, so I'll look in the stores I have. {text}"
        )
    return Decision(text, ((SEARCH_PRODUCTS, search_arguments(search)),), kind, None)


def _with_focus_pair(state: DialogueState, products: list[ShownProduct]) -> list[ShownProduct]:
    focus = state.focus_index()
    if focus is None:
        return products
    focused = state.results[focus]
    return [focused, *[p for p in products if p.id != focused.id]]


def _remove(reference: Reference | None, state: DialogueState, turn: Turn) -> Decision:
    reference = reference or Reference(focus=True)
    if reference.every and not reference.name and not reference.positions:  # "all the sony ones": named
        return Decision("", ((REMOVE_SAVED_ITEM, {"all": True}),), "remove")
    listed = LIST_SAVED_ITEMS in turn.previous_tools
    if reference.positions and (reference.saved or listed or not state.results):
        position = reference.positions[0]
        entries = state.saved
        index = position - 1 if position > 0 else len(entries) + position
        title = entries[index].title if 0 <= index < len(entries) else None
        text = replies.removing_announcement(title) if title else ""
        return Decision(text, ((REMOVE_SAVED_ITEM, {"saved_position": position}),), "remove")
    if reference.name and not state.results:
        match = [e for e in state.saved if reference.name.lower() in e.title.lower()]
        if len(match) == 1:
            return Decision(
                replies.removing_announcement(match[0].title),
                ((REMOVE_SAVED_ITEM, {"saved_item_id": match[0].id}),),
                "remove",
            )
    if reference.is_empty() and state.focus is None:
        return Decision("Which one should I take off your list?", (), "remove:unclear")
    if reference.is_empty():
        entry = next((e for e in state.saved if e.productId == state.focus), None)
        title = entry.title if entry else None
        return Decision(
            replies.removing_announcement(title) if title else "",
            ((REMOVE_SAVED_ITEM, {"product_id": state.focus}),),
            "remove",
        )
    product = _one(state, reference)
    return Decision(
        replies.removing_announcement(product.title),
        ((REMOVE_SAVED_ITEM, {"product_id": product.id}),),
        "remove",
    )


def _remove_from_cart(reference: Reference | None, state: DialogueState, turn: Turn) -> Decision:
    """A place in the cart as last read out, a name in it, or a shown product (the focus by default)."""
    reference = reference or Reference(focus=True)
    if reference.every and not reference.name and not reference.positions:
        return Decision("", ((REMOVE_CART_ITEM, {"all": True}),), "remove_from_cart")
    listed = LIST_CART_ITEMS in turn.previous_tools
    if reference.positions and (reference.cart or listed or not state.results):
        position = reference.positions[0]
        index = position - 1 if position > 0 else len(state.cart) + position
        title = state.cart[index].title if 0 <= index < len(state.cart) else None
        text = replies.taking_out_announcement(title) if title else ""
        return Decision(text, ((REMOVE_CART_ITEM, {"cart_position": position}),), "remove_from_cart")
    if reference.name and state.cart:
        try:
            [index] = resolve(Reference(name=reference.name), [{"title": e.title} for e in state.cart], None)
        except (UnclearReference, ValueError):
            index = None
        if index is not None:
            entry = state.cart[index]
            return Decision(
                replies.taking_out_announcement(entry.title),
                ((REMOVE_CART_ITEM, {"cart_item_id": entry.id}),),
                "remove_from_cart",
            )
    if reference.is_empty():
        # "take it out": the product in focus if it is in the cart, else the cart's only item.
        entry = next((e for e in state.cart if e.productId == state.focus), None)
        if entry is None and len(state.cart) == 1:
            entry = state.cart[0]
        if entry is not None:
            return Decision(
                replies.taking_out_announcement(entry.title),
                ((REMOVE_CART_ITEM, {"cart_item_id": entry.id}),),
                "remove_from_cart",
            )
        if state.focus is None:
            return Decision("Which one should I take out of your cart?", (), "remove_from_cart:unclear")
        return Decision("", ((REMOVE_CART_ITEM, {"product_id": state.focus}),), "remove_from_cart")
    product = _one(state, reference)
    return Decision(
        replies.taking_out_announcement(product.title),
        ((REMOVE_CART_ITEM, {"product_id": product.id}),),
        "remove_from_cart",
    )


def _superlative(kind: str, state: DialogueState) -> Decision:
    if not state.results:
        return Decision(replies.NO_RESULTS_TEXT, (), "superlative:no_results")
    try:
        [index] = resolve(Reference(extreme=kind), _items(state), None)  # type: ignore[arg-type]
    except UnclearReference:
        missing = replies.no_ratings_reply() if kind == "best_rated" else "I don't have prices for these."
        return Decision(missing, (), "superlative")
    best = state.results[index]
    return Decision(replies.superlative_reply(kind, best), (), "superlative", best.id)


# ------------------------------------------------------------------ after the tools


def reply_to_results(exchanges: Sequence[ToolExchange], state: DialogueState) -> str:
    """Speech for the finished tool calls of this turn ('' for end_session)."""
    sentences = []
    for exchange in exchanges:
        result = exchange.result
        if exchange.name == END_SESSION:
            continue
        if not isinstance(result, Mapping):
            sentences.append(replies.tool_failure_reply(exchange.name))
        elif result.get("ok") is False and exchange.name != SEARCH_PRODUCTS:
            sentences.append(str(result.get("message") or replies.tool_failure_reply(exchange.name)))
        elif exchange.name == SEARCH_PRODUCTS and exchange.arguments.get("sort") and state.results:
            sentences.append(replies.sorted_reply(state.results, str(exchange.arguments["sort"])))
        elif exchange.name == SEARCH_PRODUCTS:
            sentences.append(replies.search_reply(state.search, result, state.results))
        elif exchange.name == SAVE_ITEM:
            sentences.append(replies.save_reply(result))
        elif exchange.name == REMOVE_SAVED_ITEM:
            sentences.append(replies.remove_reply(result))
        elif exchange.name == LIST_SAVED_ITEMS:
            sentences.append(replies.list_reply(result))
        elif exchange.name == ADD_TO_CART:
            sentences.append(replies.cart_reply(result))
        elif exchange.name == LIST_CART_ITEMS:
            sentences.append(replies.cart_list_reply(result))
        elif exchange.name == REMOVE_CART_ITEM:
            sentences.append(replies.cart_remove_reply(result))
        elif exchange.name == GET_USER_PREFERENCES:
            sentences.append(replies.preferences_reply(result))
        else:
            sentences.append("Done.")
    return " ".join(s for s in replies.together(sentences) if s)


def decide(messages: Sequence[Any], state: DialogueState, last_intent: str | None = None) -> Decision:
    """The whole engine as a pure function of the context messages, the dialogue state and
    the intent of the turn before (so "and the second one" can repeat it)."""
    turn = read_turn(messages)
    if turn.exchanges:
        if turn.answered or not all(exchange.done for exchange in turn.exchanges):
            return Decision(intent="wait")
        return Decision(reply_to_results(turn.exchanges, state), (), "tool_reply")
    if turn.user_text is None:
        return Decision(replies.GREETING_TEXT if not turn.has_user_turn else "", (), "greeting")
    understanding = understand(turn.user_text, context_for(state, last_intent))
    return decide_for(understanding, state, turn)
