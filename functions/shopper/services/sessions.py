"""Voice sessions: create (with the WebSocket ticket), end, list the active ones, check ownership.

A ticket connects once: its id (`jti`) is stored on the session when it is minted, and the
voice runtime consumes it (`use_ticket`) before it runs the session. A reconnect asks
POST /sessions for a new ticket (for the same session, while it is active); an ended
session accepts no connection and no writes (`active_session` -> 409).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from shopper.errors import Conflict, Forbidden, NotFound
from shopper.models import SessionStatus, VoiceSession
from shopper.repository import Repository
from shopper.settings import Settings
from shopper_core.dialogue import DialogueState
from shopper_core.log import get_logger, log_event
from shopper_core.tickets import mint_ticket, new_ticket_id

logger = get_logger(__name__)


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


def start_session(
    repo: Repository, settings: Settings, user_id: str, now_ms: int, resume: str | None = None
) -> StartedSession:
    """A new session with its ticket, or (`resume`) a new ticket for the user's active
    session, which replaces any earlier ticket of it."""
    ticket_id = new_ticket_id()
    if resume is not None:
        active_session(repo, resume, user_id)
        session = repo.issue_ticket(resume, ticket_id)
        if session is None:
            raise Conflict(f"session {resume} has ended")
    else:
        end_oldest_beyond(repo, user_id, settings.max_active_sessions_per_user - 1, now_ms)
        session = VoiceSession(
            sessionId=uuid.uuid4().hex, userId=user_id, startTime=now_ms, ticketId=ticket_id
        )
        repo.create_session(session)
    ticket = mint_ticket(
        settings.session_ticket_key.get_secret_value(),
        session.sessionId,
        user_id,
        settings.session_ticket_ttl_s,
        now=now_ms / 1000,
        ticket_id=ticket_id,
    )
    ws_url = ws_url_for(settings.voice_ws_url, session.sessionId, user_id, ticket)
    return StartedSession(session, ws_url, ticket)


_TICKET_REFUSALS = {
    "ended": "the session has ended; start a new one",
    "replaced": "this ticket was replaced by a newer one",
    "used": "this ticket was already used; ask POST /sessions for a new one",
}


def use_ticket(repo: Repository, session_id: str, user_id: str, ticket_id: str, now_ms: int) -> VoiceSession:
    """Consume the ticket the voice runtime was handed (once). 404/403 as `owned_session`,
    409 when the session ended or the ticket was used or replaced."""
    owned_session(repo, session_id, user_id)
    session, outcome = repo.use_ticket(session_id, ticket_id, now_ms)
    if session is None:
        raise NotFound(f"no session {session_id}")
    if outcome != "ok":
        raise Conflict(_TICKET_REFUSALS[outcome])
    return session


def end_session(
    repo: Repository, session_id: str, user_id: str, status: SessionStatus, now_ms: int
) -> VoiceSession:
    """End the user's session; ending it again keeps the first end (idempotent)."""
    owned_session(repo, session_id, user_id)
    ended = repo.end_session(session_id, status, now_ms)
    if ended is None:  # deleted between the two reads
        raise NotFound(f"no session {session_id}")
    return ended


def end_oldest_beyond(repo: Repository, user_id: str, keep: int, now_ms: int) -> int:
    """Per-user cap on concurrent sessions: end the user's oldest active sessions so at
    most `keep` stay (a new one is about to start). Ending, not refusing, because a tab
    that crashed leaves its session active and the user must still be able to talk."""
    active = repo.list_active_sessions(user_id, limit=keep + 20)  # newest first
    ended = 0
    for session in active[keep:]:
        if repo.end_session(session.sessionId, SessionStatus.completed, now_ms) is not None:
            ended += 1
    if ended:
        log_event(logger, "oldest voice sessions ended (per-user cap)", ended=ended)
    return ended


def sweep_stuck_sessions(repo: Repository, now_ms: int, max_age_s: int, limit: int = 200) -> int:
    """End (status `error`) every session still `active` after `max_age_s`: its end call
    failed or its runtime died. Idempotent: ending an ended session keeps its first end."""
    ended = 0
    for session in repo.list_sessions_started_before(now_ms - max_age_s * 1000, limit):
        if repo.end_session(session.sessionId, SessionStatus.error, now_ms) is not None:
            ended += 1
    if ended:
        log_event(logger, "stuck voice sessions ended", ended=ended)
    return ended


def save_dialogue(repo: Repository, session_id: str, user_id: str, dialogue: DialogueState) -> None:
    """Store the dialogue state of the user's session; an ended session takes no writes (409)."""
    active_session(repo, session_id, user_id)
    repo.set_dialogue(session_id, dialogue)


def list_active(repo: Repository, user_id: str) -> list[VoiceSession]:
    return repo.list_active_sessions(user_id)
