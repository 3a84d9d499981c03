"""What the reader of the shopper's words returns: plain, immutable data.

``understand(text, context)`` gives an :class:`Understanding`: the intent of one
turn and its slots (a search with its filters, a refinement of the current search,
a reference to a product the shopper was shown or saved). ``parse_search(text)``
gives the :class:`Search` a typed search box or POST /queries means. Nothing here
does I/O; resolving a reference against the products actually shown is
``shopper_core.understanding.references.resolve``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

IntentKind = Literal[
    "search",  # a new product search ("I need a laptop for college under 800 bucks")
    "refine",  # change the current search ("cheaper", "in black", "from Sony", "under 50")
    "save",  # save a shown product ("save it", "keep the third one")
    "remove",  # take a product off the saved list ("remove that", "delete the second one from my list")
    "list_saved",  # "what's in my list?"
    "add_to_cart",  # "add it to my cart"
    "list_cart",  # "what's in my cart?"
    "remove_from_cart",  # "take it out of my cart", "remove the second one from the cart"
    "describe",  # "tell me more about the third one"
    "price",  # "how much is it?"
    "retailer",  # "where is it sold?", "which store is that from?"
    "compare",  # "compare the first two"
    "superlative",  # "which one is cheapest?", "which is best rated?"
    "sort",  # "sort them by price"
    "more_like",  # "more like this one"
    "go_back",  # "go back to the previous results": the search before this one, again
    "preferences",  # "what do I usually like?"
    "help",
    "greeting",
    "thanks",
    "goodbye",
    "smalltalk",
    "unknown",  # never searched, never written: the assistant says what it can do
]

PricePreference = Literal["low", "high"]  # "cheap", "budget" / "high end", "premium"
Relative = Literal["cheaper", "pricier", "better_rated"]
Superlative = Literal["cheapest", "most_expensive", "best_rated"]
SortKey = Literal["price_low", "price_high", "rating"]


@dataclass(frozen=True)
class Filters:
    """Constraints the shopper said; ``None`` / empty means "not said"."""

    min_price: float | None = None
    max_price: float | None = None
    min_rating: float | None = None
    color: str | None = None  # canonical colour word ("black", "grey")
    brand: str | None = None  # the catalog's own spelling ("Sony", "Hewlett Packard Enterprise")
    size: str | None = None  # "10", "medium", "xl"
    retailers: tuple[str, ...] = ()  # provider retailer ids the lexicon knows ("icecat", "serpapi")
    unknown_retailer: str | None = None  # a store named that no provider serves ("best buy")
    currency: str | None = None  # "USD" / "EUR" / "GBP" when the shopper named one
    price_preference: PricePreference | None = None
    not_brands: tuple[str, ...] = ()  # "no apple", "anything but samsung": the catalog's spelling

    def any(self) -> bool:
        return any(
            (
                self.min_price is not None,
                self.max_price is not None,
                self.min_rating is not None,
                self.color,
                self.brand,
                self.size,
                self.retailers,
                self.unknown_retailer,
                self.price_preference,
                self.not_brands,
            )
        )


@dataclass(frozen=True)
class Search:
    """A search: the product words left after filler ("laptop") and the filters said."""

    query: str
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class Refinement:
    """Changes to the current search: new filter values replace old ones; relative moves."""

    filters: Filters = field(default_factory=Filters)
    relative: tuple[Relative, ...] = ()
    query: str | None = None  # new product words, when the shopper changed the product too


@dataclass(frozen=True)
class Reference:
    """Which product(s) the shopper means.

    ``positions`` are 1-based, negative from the end (-1 the last, -2 second to last);
    "the first two" is (1, 2). ``name`` holds words that name a product ("sony",
    "black"); ``focus`` is "it" / "that one" / "this"; ``saved`` says the positions or
    name are in the saved list ("the second one on my list"), ``cart`` that they are in
    the cart ("the first one in my cart"), not the results shown.
    An empty Reference (nothing set) means the product in focus too.
    """

    positions: tuple[int, ...] = ()
    name: str | None = None
    focus: bool = False
    saved: bool = False
    cart: bool = False
    # "the cheapest one", "the best rated sony one": picked by price or rating among the
    # products the name leaves (all shown when no name is said).
    extreme: Superlative | None = None
    # More products named beside ``name`` ("compare the sony and the bose": name "sony",
    # also ("bose",)); each picks its own product.
    also: tuple[str, ...] = ()
    every: bool = False  # "everything on my list", "empty my cart"

    def is_empty(self) -> bool:
        return not self.positions and not self.name and not self.extreme


@dataclass(frozen=True)
class Context:
    """What the dialogue can tell the reader to settle ambiguous turns."""

    has_results: bool = False  # products are on screen
    has_search: bool = False  # a current search exists (refinements apply to it)
    has_focus: bool = False  # a product is in focus ("it" means something)
    shown_names: tuple[str, ...] = ()  # brand + title of each product shown, in order
    # The intent of the shopper's previous turn: "and the second" / "the sony one too" after
    # a save (or a price question) repeats it on another product. Added by the reader.
    last_intent: IntentKind | None = None


@dataclass(frozen=True)
class Understanding:
    """One turn, understood."""

    intent: IntentKind
    search: Search | None = None  # for "search"
    refinement: Refinement | None = None  # for "refine"
    reference: Reference | None = (
        None  # for save/remove/add_to_cart/describe/price/retailer/compare/more_like
    )
    superlative: Superlative | None = None  # for "superlative"
    sort: SortKey | None = None  # for "sort"
    topic: str | None = None  # for "smalltalk": "how_are_you", "who_are_you", "joke", "repeat", "chat"
    confidence: float = 1.0  # 0..1; below ~0.5 the engine asks instead of acting
    source: Literal["rules", "model"] = "rules"  # which layer decided the intent
