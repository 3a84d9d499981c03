"""Voice sessions: create (with the WebSocket ticket), end, list the active ones, check ownership."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from shopper.errors import Conflict, Forbidden, NotFound
from shopper.models import SessionStatus, VoiceSession
from shopper.repository import Repository
from shopper.settings import Settings
from shopper_core.dialogue import DialogueState
from shopper_core.tickets import mint_ticket


@dataclass(frozen=True)
class StartedSession:
    session: VoiceSession
    ws_url: str
    ticket: str


def ws_url_for(base_url: str, session_id: str, user_id: str, ticket: str) -> str:
    """The voice WebSocket URL with the session, user and ticket already in its query string."""
    parts = urlsplit(base_url)
    query = urlencode({"sessionId": session_id, "userId": user_id, "ticket": ticket})
    if parts.query:
        query = f"{parts.query}&{query}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def owned_session(repo: Repository, session_id: str, user_id: str) -> VoiceSession:
    """The session, if it exists (404) and belongs to `user_id` (403)."""
    session = repo.get_session(session_id)
    if session is None:
        raise NotFound(f"no session {session_id}")
    if session.userId != user_id:
        raise Forbidden("this session belongs to another user")
    return session


def active_session(repo: Repository, session_id: str, user_id: str) -> VoiceSession:
    session = owned_session(repo, session_id, user_id)
    if session.status != SessionStatus.active:
        raise Conflict(f"session {session_id} has ended ({session.status.value})")
    return session


def start_session(repo: Repository, settings: Settings, user_id: str, now_ms: int) -> StartedSession:
    session = VoiceSession(sessionId=uuid.uuid4().hex, userId=user_id, startTime=now_ms)
    repo.create_session(session)
    ticket = mint_ticket(
        settings.session_ticket_key.get_secret_value(),
        session.sessionId,
        user_id,
        settings.session_ticket_ttl_s,
        now=now_ms / 1000,
    )
    ws_url = ws_url_for(settings.voice_ws_url, session.sessionId, user_id, ticket)
    return StartedSession(session, ws_url, ticket)


def end_session(
    repo: Repository, session_id: str, user_id: str, status: SessionStatus, now_ms: int
) -> VoiceSession:
    """End the user's session; ending it again keeps the first end (idempotent)."""
    owned_session(repo, session_id, user_id)
    ended = repo.end_session(session_id, status, now_ms)
    if ended is None:  # deleted between the two reads
        raise NotFound(f"no session {session_id}")
    return ended


def save_dialogue(repo: Repository, session_id: str, user_id: str, dialogue: DialogueState) -> None:
    """Store the dialogue state of the user's session; an ended session takes no writes (409)."""
    active_session(repo, session_id, user_id)
    repo.set_dialogue(session_id, dialogue)


def list_active(repo: Repository, user_id: str) -> list[VoiceSession]:
    return repo.list_active_sessions(user_id)
