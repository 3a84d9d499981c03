"""The stored documents and the API payloads, one pydantic family per collection.

Field names follow the design contract (camelCase, epoch milliseconds). Stored
models (`VoiceSession`, `SavedItem`, ...) are what the repository writes;
`...Create`/`...Update` are what a client may send (no userId: the user is the
token's uid); `...Public` adds the document id for API responses.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    model_validator,
)

from shopper_core.dialogue import DialogueState

# ---------------------------------------------------------------- shared types


def _document_id(value: str) -> str:
    # Firestore reserves "." and ".." and ids of the form __x__.
    if value in (".", "..") or (value.startswith("__") and value.endswith("__")):
        raise ValueError("is not a valid id")
    return value


Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$"),
    AfterValidator(_document_id),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
EpochMs = Annotated[int, Field(ge=0, le=10**14)]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Price = Annotated[float, Field(ge=0, le=10_000_000), AfterValidator(_finite)]
Rating = Annotated[float, Field(ge=0, le=5), AfterValidator(_finite)]


def _url(value: str) -> str:
    HttpUrl(value)  # raises a readable error for anything but an http(s) URL
    return value


Url = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_url)]


def now_ms() -> int:
    return int(time.time() * 1000)


class Model(BaseModel):
    """Base: unknown fields are rejected, strings are not coerced from numbers."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class StoredModel(Model):
    """Documents read back from Firestore may carry fields a newer version added."""

    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- enums


class SessionStatus(StrEnum):
    active = "active"
    completed = "completed"
    error = "error"


class Speaker(StrEnum):
    user = "user"
    agent = "agent"
    system = "system"


class QueryStatus(StrEnum):
    pending = "pending"
    searching = "searching"
    completed = "completed"
    failed = "failed"


class SignalType(StrEnum):
    view = "view"
    click = "click"
    save = "save"
    purchase = "purchase"
    dislike = "dislike"
    voice_query = "voice_query"


class Availability(StrEnum):
    in_stock = "in_stock"
    limited = "limited"
    out_of_stock = "out_of_stock"
    unknown = "unknown"


# ---------------------------------------------------------------- voice_sessions


class VoiceSession(StoredModel):
    sessionId: Id
    userId: Id
    startTime: EpochMs
    endTime: EpochMs | None = None
    status: SessionStatus = SessionStatus.active
    # What the assistant showed, the product in focus and the current search (typed data,
    # written by the voice runtime through /pipecat/dialogue-state; read back on reconnect).
    dialogue: DialogueState | None = None


# ---------------------------------------------------------------- conversation_logs


class ConversationLogCreate(Model):
    sessionId: Id
    speaker: Speaker
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class ConversationLog(StoredModel):
    sessionId: Id
    userId: Id
    speaker: Speaker
    text: str
    timestamp: EpochMs


# ---------------------------------------------------------------- saved_items


class SavedItemBase(Model):
    productId: Id
    productName: ShortText
    description: LongText | None = None
    imageUrl: Url | None = None
    productUrl: Url | None = None
    price: Price | None = None


class SavedItemCreate(SavedItemBase):
    sessionId: Id | None = None


class SavedItem(SavedItemBase, StoredModel):
    userId: Id
    sessionId: Id | None = None
    savedAt: EpochMs


class SavedItemPublic(SavedItem):
    id: str


# ---------------------------------------------------------------- queries


class QueryPreferences(Model):
    minPrice: Price | None = None
    maxPrice: Price | None = None
    minRating: Rating | None = None
    targetRetailers: Annotated[list[Tag], Field(max_length=10)] = []
    # "Cheap" / "budget" (low) and "high end" (high): the low or high end of the prices of
    # the products that answer the query, a preference the ranking weighs, not a filter.
    pricePreference: Literal["low", "high"] | None = None
    # The order the shopper asked for ("sort them by price"); None: our ranking's order.
    sort: Literal["price_low", "price_high", "rating"] | None = None

    @model_validator(mode="after")
    def _price_range(self) -> QueryPreferences:
        if self.minPrice is not None and self.maxPrice is not None and self.minPrice > self.maxPrice:
            raise ValueError("minPrice must not exceed maxPrice")
        return self


class QueryCreate(Model):
    searchText: ShortText
    preferences: QueryPreferences = QueryPreferences()
    sessionId: Id | None = None


class Query(StoredModel):
    userId: Id
    sessionId: Id | None = None
    searchText: str
    status: QueryStatus = QueryStatus.pending
    preferences: QueryPreferences = QueryPreferences()
    error: str | None = None
    createdAt: EpochMs
    updatedAt: EpochMs


class QueryPublic(Query):
    id: str


# ---------------------------------------------------------------- products


class Product(StoredModel):
    queryId: Id
    userId: Id
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    imageUrl: str | None = None
    productUrl: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    price: Price
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    description: str | None = None
    reviewsCount: Annotated[int, Field(ge=0)] | None = None
    rating: Rating | None = None
    availability: Availability = Availability.unknown
    source: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    searchRank: Annotated[int, Field(ge=1)]
    systemRank: Annotated[int, Field(ge=1)]
    rankReasons: list[str] = []
    # Not in the original table; kept so ranking and learning can use them.
    brand: str | None = None
    color: str | None = None
    category: str | None = None
    createdAt: EpochMs


class ProductPublic(Product):
    id: str


# ---------------------------------------------------------------- user_preferences

PREFERENCE_LIST_FIELDS = ("style", "size", "productCategories", "brands", "colors")
PREFERENCE_FIELDS = (*PREFERENCE_LIST_FIELDS, "budget")

TagList = Annotated[list[Tag], Field(max_length=30)]


class Budget(Model):
    min: Price | None = None
    max: Price | None = None

    @model_validator(mode="after")
    def _range(self) -> Budget:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("budget.min must not exceed budget.max")
        return self


class PreferencesUpdate(Model):
    """PATCH body: every field optional; a field sent is the user's own from then on."""

    style: TagList | None = None
    budget: Budget | None = None
    size: TagList | None = None
    productCategories: TagList | None = None
    brands: TagList | None = None
    colors: TagList | None = None


class LearnedPreferences(Model):
    """What a learner proposes; merged under the user's manual fields."""

    style: TagList = []
    budget: Budget | None = None
    size: TagList = []
    productCategories: TagList = []
    brands: TagList = []
    colors: TagList = []


class UserPreferences(StoredModel):
    userId: Id
    style: list[str] = []
    budget: Budget | None = None
    size: list[str] = []
    productCategories: list[str] = []
    brands: list[str] = []
    colors: list[str] = []
    dislikedBrands: list[str] = []
    lastUpdated: EpochMs = 0
    manualFields: list[str] = []
    # Newest signal timestamp the learner has consumed: makes a redelivered pass a no-op.
    learnedThrough: EpochMs = 0


# ---------------------------------------------------------------- interaction_signals


class SignalCreate(Model):
    type: SignalType
    itemId: Id | None = None
    queryText: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    category: Tag | None = None

    @model_validator(mode="after")
    def _has_subject(self) -> SignalCreate:
        if self.type == SignalType.voice_query and not self.queryText:
            raise ValueError("a voice_query signal needs queryText")
        if self.type != SignalType.voice_query and not (self.itemId or self.queryText or self.category):
            raise ValueError("a signal needs itemId, queryText or category")
        return self


class InteractionSignal(StoredModel):
    userId: Id
    type: SignalType
    itemId: str | None = None
    queryText: str | None = None
    category: str | None = None
    timestamp: EpochMs
    extractedKeywords: list[str] = []
    # Denormalised from the product the signal is about, when known.
    brand: str | None = None
    color: str | None = None
    price: Price | None = None
    productName: str | None = None


def to_document(model: BaseModel) -> dict[str, Any]:
    """The dict a model is stored as (enums as their values)."""
    return model.model_dump(mode="json")
