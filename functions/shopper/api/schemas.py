"""Bodies of the server routes (/pipecat/*): the voice runtime names the user explicitly.

Client bodies are the `...Create`/`...Update` models of shopper.models (no userId:
the user is the token's uid).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from shopper.models import Id, Model, Quantity, QueryPreferences, ShortText, Speaker
from shopper_core.dialogue import DialogueState

TurnText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class SessionCreate(Model):
    """POST /sessions: an empty body or {} starts a session; {"sessionId"} asks a new ticket
    for the user's active session (a reconnect: each ticket connects once)."""

    sessionId: Id | None = None


class NoFields(Model):
    """A body with no fields (an empty body or {})."""


class ServerCall(Model):
    sessionId: Id
    userId: Id


class LogConversation(ServerCall):
    speaker: Speaker
    text: TurnText


class TriggerResearch(ServerCall):
    searchText: ShortText
    preferences: QueryPreferences = QueryPreferences()
    wait: StrictBool = False
    # Capped at settings.research_wait_max_s by the handler; this bound only rejects nonsense.
    waitMs: Annotated[int, Field(ge=0, le=600_000)] | None = None


class SaveProduct(ServerCall):
    productId: Id


class ClaimTicket(ServerCall):
    ticketId: Annotated[str, StringConstraints(min_length=8, max_length=64)]


class AddToCart(ServerCall):
    productId: Id
    quantity: Quantity = 1


class EndSession(ServerCall):
    status: Literal["completed", "error"]


class SaveDialogue(ServerCall):
    dialogue: DialogueState


class RemoveSavedItem(ServerCall):
    savedItemId: Id


class RemoveCartItem(ServerCall):
    cartItemId: Id
