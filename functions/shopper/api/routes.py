"""The route table and its handlers: parse the request, call a service, shape the reply.

Rules live in shopper.services; each handler here is a few lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from flask import Request
from pydantic import BaseModel

from shopper.api import auth as auth_
from shopper.api import body as parse
from shopper.api.schemas import (
    AddToCart,
    ClaimTicket,
    EndSession,
    LogConversation,
    NoFields,
    RemoveCartItem,
    RemoveSavedItem,
    SaveDialogue,
    SaveProduct,
    SessionCreate,
    TriggerResearch,
)
from shopper.models import (
    CartItemCreate,
    CartItemUpdate,
    ClientEventBatch,
    ConversationLog,
    ConversationLogCreate,
    PreferencesUpdate,
    QueryCreate,
    SavedItemCreate,
    SessionStatus,
    SignalCreate,
    UserPreferences,
    VoiceSession,
    to_document,
)
from shopper.repository import Repository
from shopper.services import (
    cart,
    client_events,
    conversation,
    preferences,
    queries,
    saved_items,
    sessions,
    signals,
)
from shopper.settings import Settings

M = TypeVar("M", bound=BaseModel)


class Access(Enum):
    CLIENT = "client"  # Firebase ID token; rate limited per user
    SERVER = "server"  # X-Pipecat-Secret
    PUBLIC = "public"


@dataclass
class Call:
    """One request as the handlers see it."""

    request: Request
    settings: Settings
    repo: Repository
    now_ms: int
    params: dict[str, str] = field(default_factory=dict)
    user_id: str | None = None

    @property
    def uid(self) -> str:
        assert self.user_id is not None, "client routes run after authentication"
        return self.user_id

    def body(self, model: type[M], *, required: bool = True) -> M:
        data = parse.json_object(self.request, self.settings.max_body_bytes, required=required)
        return parse.validate(model, data)

    def path_id(self, name: str) -> str:
        return parse.doc_id(self.params[name], name)


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    access: Access
    handler: Callable[[Call], Reply]


def _session(session: VoiceSession) -> dict[str, Any]:
    return to_document(session)


def _preferences(prefs: UserPreferences) -> dict[str, Any]:
    return to_document(prefs)


# ------------------------------------------------------------------ client routes


def create_session(call: Call) -> Reply:
    create = call.body(SessionCreate, required=False)
    resume = parse.doc_id(create.sessionId, "sessionId") if create.sessionId is not None else None
    started = sessions.start_session(call.repo, call.settings, call.uid, call.now_ms, resume=resume)
    return Reply(
        201,
        {
            "sessionId": started.session.sessionId,
            "wsUrl": started.ws_url,
            "ticket": started.ticket,
            "expiresIn": call.settings.session_ticket_ttl_s,
        },
    )


def end_session(call: Call) -> Reply:
    call.body(NoFields, required=False)
    ended = sessions.end_session(
        call.repo, call.path_id("session_id"), call.uid, SessionStatus.completed, call.now_ms
    )
    return Reply(200, {"session": _session(ended)})


def active_sessions(call: Call) -> Reply:
    return Reply(200, {"sessions": [_session(s) for s in sessions.list_active(call.repo, call.uid)]})


def create_query(call: Call) -> Reply:
    create = call.body(QueryCreate)
    if create.sessionId is not None:
        parse.doc_id(create.sessionId, "sessionId")
    submitted = queries.submit(call.repo, call.uid, create)
    return Reply(202, _with_notes({"queryId": submitted.query_id}, submitted.notes))


def _with_notes(reply: dict[str, Any], notes: tuple[str, ...]) -> dict[str, Any]:
    """A reply that says which filters of the search text were not used (and why)."""
    if notes:
        reply["notes"] = list(notes)
    return reply


def save_item(call: Call) -> Reply:
    create = call.body(SavedItemCreate)
    if create.sessionId is not None:
        parse.doc_id(create.sessionId, "sessionId")
    result = saved_items.save(call.repo, call.uid, create, call.now_ms)
    return Reply(201 if result.created else 200, {"id": result.id})


def delete_saved_item(call: Call) -> Reply:
    saved_items.delete(call.repo, call.uid, call.path_id("item_id"))
    return Reply(204)


def list_saved_items(call: Call) -> Reply:
    limit = parse.int_param(call.request, "limit", saved_items.DEFAULT_LIMIT, 1, saved_items.MAX_LIMIT)
    items = saved_items.list_items(call.repo, call.uid, limit)
    return Reply(200, {"items": [item.model_dump(mode="json") for item in items]})


def create_signal(call: Call) -> Reply:
    create = call.body(SignalCreate)
    return Reply(201, {"id": signals.record(call.repo, call.uid, create, call.now_ms)})


def get_preferences(call: Call) -> Reply:
    return Reply(200, {"preferences": _preferences(preferences.get(call.repo, call.uid))})


def patch_preferences(call: Call) -> Reply:
    patch = call.body(PreferencesUpdate)
    updated = preferences.update(call.repo, call.uid, patch, call.now_ms)
    return Reply(200, {"preferences": _preferences(updated)})


def learn_preferences(call: Call) -> Reply:
    call.body(NoFields, required=False)
    prefs, changed = preferences.learn(call.repo, call.uid, call.now_ms)
    return Reply(200, {"preferences": _preferences(prefs), "changed": changed})


# ------------------------------------------------------------------ client routes: cart and page health


def add_cart_item(call: Call) -> Reply:
    create = call.body(CartItemCreate)
    if create.sessionId is not None:
        parse.doc_id(create.sessionId, "sessionId")
    result = cart.add(
        call.repo,
        call.uid,
        create.productId,
        call.now_ms,
        quantity=create.quantity,
        session_id=create.sessionId,
    )
    return Reply(201 if result.created else 200, {"id": result.id, "quantity": result.item.quantity})


def update_cart_item(call: Call) -> Reply:
    update = call.body(CartItemUpdate)
    item = cart.set_quantity(call.repo, call.uid, call.path_id("item_id"), update.quantity, call.now_ms)
    return Reply(200, {"item": item.model_dump(mode="json")})


def delete_cart_item(call: Call) -> Reply:
    cart.remove(call.repo, call.uid, call.path_id("item_id"))
    return Reply(204)


def list_cart_items(call: Call) -> Reply:
    return Reply(200, {"items": [i.model_dump(mode="json") for i in cart.list_items(call.repo, call.uid)]})


def client_event(call: Call) -> Reply:
    batch = call.body(ClientEventBatch)
    return Reply(202, {"logged": client_events.record(batch.events, auth_.user_hash(call.uid))})


# ------------------------------------------------------------------ server routes (voice runtime)


def _server_ids(call: Call, body: Any) -> None:
    """Check the ids a server body names; the request's user (for the log line) is its userId."""
    parse.doc_id(body.sessionId, "sessionId")
    call.user_id = parse.doc_id(body.userId, "userId")


def log_conversation(call: Call) -> Reply:
    body = call.body(LogConversation)
    _server_ids(call, body)
    turn = ConversationLogCreate(sessionId=body.sessionId, speaker=body.speaker, text=body.text)
    return Reply(201, {"id": conversation.log_turn(call.repo, body.userId, turn, call.now_ms)})


def trigger_research(call: Call) -> Reply:
    body = call.body(TriggerResearch)
    _server_ids(call, body)
    create = QueryCreate(searchText=body.searchText, preferences=body.preferences, sessionId=body.sessionId)
    submitted = queries.submit(call.repo, body.userId, create)
    query_id = submitted.query_id
    if not body.wait:
        return Reply(202, _with_notes({"queryId": query_id, "status": "pending"}, submitted.notes))
    max_s = call.settings.research_wait_max_s
    wait_s = max_s if body.waitMs is None else min(body.waitMs / 1000, max_s)
    outcome = queries.wait_for_results(call.repo, query_id, body.userId, wait_s)
    reply: dict[str, Any] = {
        "queryId": outcome.query_id,
        "status": outcome.status.value,
        "products": outcome.products,
        "filters": outcome.filters,
    }
    if outcome.error:
        reply["error"] = outcome.error
    return Reply(200, _with_notes(reply, submitted.notes))


def save_product(call: Call) -> Reply:
    body = call.body(SaveProduct)
    _server_ids(call, body)
    parse.doc_id(body.productId, "productId")
    result = saved_items.save_product(call.repo, body.userId, body.sessionId, body.productId, call.now_ms)
    return Reply(201 if result.created else 200, {"id": result.id, "productName": result.item.productName})


def server_remove_saved_item(call: Call) -> Reply:
    body = call.body(RemoveSavedItem)
    _server_ids(call, body)
    removed = saved_items.delete(call.repo, body.userId, body.savedItemId)
    return Reply(200, {"id": body.savedItemId, "productName": removed.productName})


def server_saved_items(call: Call) -> Reply:
    user_id = call.user_id = parse.doc_id(parse.query_param(call.request, "userId"), "userId")
    limit = parse.int_param(call.request, "limit", saved_items.DEFAULT_LIMIT, 1, saved_items.MAX_LIMIT)
    items = saved_items.list_items(call.repo, user_id, limit)
    return Reply(200, {"items": [item.model_dump(mode="json") for item in items]})


def server_dialogue(call: Call) -> Reply:
    body = call.body(SaveDialogue)
    _server_ids(call, body)
    sessions.save_dialogue(call.repo, body.sessionId, body.userId, body.dialogue)
    return Reply(200, {"ok": True})


def server_add_to_cart(call: Call) -> Reply:
    body = call.body(AddToCart)
    _server_ids(call, body)
    parse.doc_id(body.productId, "productId")
    result = cart.add(
        call.repo, body.userId, body.productId, call.now_ms, quantity=body.quantity, session_id=body.sessionId
    )
    return Reply(
        201 if result.created else 200,
        {"id": result.id, "productName": result.item.productName, "quantity": result.item.quantity},
    )


def server_cart_items(call: Call) -> Reply:
    user_id = call.user_id = parse.doc_id(parse.query_param(call.request, "userId"), "userId")
    return Reply(200, {"items": [i.model_dump(mode="json") for i in cart.list_items(call.repo, user_id)]})


def server_remove_cart_item(call: Call) -> Reply:
    body = call.body(RemoveCartItem)
    _server_ids(call, body)
    removed = cart.remove(call.repo, body.userId, body.cartItemId)
    return Reply(200, {"id": body.cartItemId, "productName": removed.productName})


def server_preferences(call: Call) -> Reply:
    user_id = call.user_id = parse.doc_id(parse.query_param(call.request, "userId"), "userId")
    return Reply(200, {"preferences": _preferences(preferences.get(call.repo, user_id))})


def claim_ticket(call: Call) -> Reply:
    body = call.body(ClaimTicket)
    _server_ids(call, body)
    sessions.use_ticket(call.repo, body.sessionId, body.userId, body.ticketId, call.now_ms)
    return Reply(200, {"sessionId": body.sessionId, "status": "connected"})


def server_end_session(call: Call) -> Reply:
    body = call.body(EndSession)
    _server_ids(call, body)
    status = SessionStatus(body.status)
    ended = sessions.end_session(call.repo, body.sessionId, body.userId, status, call.now_ms)
    return Reply(200, {"session": _session(ended)})


def server_conversation(call: Call) -> Reply:
    session_id = parse.doc_id(parse.query_param(call.request, "sessionId"), "sessionId")
    user_id = call.user_id = parse.doc_id(parse.query_param(call.request, "userId"), "userId")
    turns = conversation.list_turns(call.repo, session_id, user_id)
    dialogue = sessions.owned_session(call.repo, session_id, user_id).dialogue
    return Reply(
        200,
        {"turns": [_turn(t) for t in turns], "dialogue": to_document(dialogue) if dialogue else None},
    )


def _turn(log: ConversationLog) -> dict[str, Any]:
    return {"speaker": log.speaker.value, "text": log.text, "timestamp": log.timestamp}


def health(call: Call) -> Reply:
    return Reply(200, {"status": "ok"})


ROUTES: tuple[Route, ...] = (
    Route("/sessions", "POST", Access.CLIENT, create_session),
    Route("/sessions/active", "GET", Access.CLIENT, active_sessions),
    Route("/sessions/<session_id>/end", "POST", Access.CLIENT, end_session),
    Route("/queries", "POST", Access.CLIENT, create_query),
    Route("/saved-items", "POST", Access.CLIENT, save_item),
    Route("/saved-items", "GET", Access.CLIENT, list_saved_items),
    Route("/saved-items/<item_id>", "DELETE", Access.CLIENT, delete_saved_item),
    Route("/signals", "POST", Access.CLIENT, create_signal),
    Route("/preferences", "GET", Access.CLIENT, get_preferences),
    Route("/preferences", "PATCH", Access.CLIENT, patch_preferences),
    Route("/preferences/learn", "POST", Access.CLIENT, learn_preferences),
    Route("/cart-items", "POST", Access.CLIENT, add_cart_item),
    Route("/cart-items", "GET", Access.CLIENT, list_cart_items),
    Route("/cart-items/<item_id>", "PATCH", Access.CLIENT, update_cart_item),
    Route("/cart-items/<item_id>", "DELETE", Access.CLIENT, delete_cart_item),
    Route("/client-events", "POST", Access.CLIENT, client_event),
    Route("/pipecat/log-conversation", "POST", Access.SERVER, log_conversation),
    Route("/pipecat/trigger-research", "POST", Access.SERVER, trigger_research),
    Route("/pipecat/save-item", "POST", Access.SERVER, save_product),
    Route("/pipecat/remove-saved-item", "POST", Access.SERVER, server_remove_saved_item),
    Route("/pipecat/saved-items", "GET", Access.SERVER, server_saved_items),
    Route("/pipecat/dialogue-state", "POST", Access.SERVER, server_dialogue),
    Route("/pipecat/cart-items", "POST", Access.SERVER, server_add_to_cart),
    Route("/pipecat/cart-items", "GET", Access.SERVER, server_cart_items),
    Route("/pipecat/remove-cart-item", "POST", Access.SERVER, server_remove_cart_item),
    Route("/pipecat/preferences", "GET", Access.SERVER, server_preferences),
    Route("/pipecat/claim-ticket", "POST", Access.SERVER, claim_ticket),
    Route("/pipecat/end-session", "POST", Access.SERVER, server_end_session),
    Route("/pipecat/conversation", "GET", Access.SERVER, server_conversation),
    Route("/health", "GET", Access.PUBLIC, health),
)
