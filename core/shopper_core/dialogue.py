"""The dialogue state of one voice session, stored as data on its voice_sessions document.

What the assistant showed (ids, titles, prices, ranks), the product in focus ("tell me
about the third one" makes it the focus of "save it" / "how much is it"), the current
search and its filters, and the saved list and the cart as last read out. The voice runtime keeps it
in memory and writes it through functions/ (POST /pipecat/dialogue-state) whenever it
changes; a reconnect reads it back. Nothing here is ever parsed out of chat text.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_SHOWN = 20

_Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
_Text = Annotated[str, StringConstraints(max_length=500)]
_Short = Annotated[str, StringConstraints(max_length=120)]
_Price = Annotated[float, Field(ge=0, le=10_000_000)]


class _State(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ShownProduct(_State):
    """One product the shopper was shown, at its 1-based rank on screen."""

    id: _Id
    rank: Annotated[int, Field(ge=1, le=100)]
    title: _Text
    price: _Price | None = None
    currency: _Short = "USD"
    brand: _Short | None = None
    color: _Short | None = None
    category: _Short | None = None
    rating: Annotated[float, Field(ge=0, le=5)] | None = None
    source: _Short | None = None
    description: Annotated[str, StringConstraints(max_length=600)] | None = None


class SearchState(_State):
    """The current search: what it looked for and the filters it ran with."""

    query: _Text
    queryId: _Id | None = None
    minPrice: _Price | None = None
    maxPrice: _Price | None = None
    minRating: Annotated[float, Field(ge=0, le=5)] | None = None
    color: _Short | None = None
    brand: _Short | None = None
    size: _Short | None = None
    pricePreference: Literal["low", "high"] | None = None  # "cheap" / "high end"
    retailers: Annotated[list[_Short], Field(max_length=10)] = []
    notBrands: Annotated[list[_Short], Field(max_length=10)] = []  # "no apple"


class SavedEntry(_State):
    """One saved item as the assistant last read the list out (newest first)."""

    id: _Id  # the saved_items document id
    productId: _Id
    title: _Text
    price: _Price | None = None


class CartEntry(SavedEntry):
    """One cart item as the assistant last read the cart out (``id``: the cart_items document id)."""

    quantity: Annotated[int, Field(ge=1, le=99)] = 1


class DialogueState(_State):
    search: SearchState | None = None
    previous: SearchState | None = None  # the search before the current one ("go back")
    results: Annotated[list[ShownProduct], Field(max_length=MAX_SHOWN)] = []
    focus: _Id | None = None  # id of the product in focus (one of `results`, or a saved product)
    saved: Annotated[list[SavedEntry], Field(max_length=50)] = []
    cart: Annotated[list[CartEntry], Field(max_length=100)] = []

    def focus_index(self) -> int | None:
        """Zero-based index of the focused product among the results shown, if it is one."""
        if self.focus is None:
            return None
        return next((i for i, p in enumerate(self.results) if p.id == self.focus), None)
