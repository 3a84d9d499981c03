"""Conversation turns of a voice session: logged by the voice runtime, read back to resume."""

from __future__ import annotations

from shopper.models import ConversationLog, ConversationLogCreate
from shopper.repository import Repository
from shopper.services.sessions import active_session, owned_session


def log_turn(repo: Repository, user_id: str, turn: ConversationLogCreate, now_ms: int) -> str:
    active_session(repo, turn.sessionId, user_id)  # an ended session takes no turns
    log = ConversationLog(
        sessionId=turn.sessionId, userId=user_id, speaker=turn.speaker, text=turn.text, timestamp=now_ms
    )
    return repo.add_log(log)


def list_turns(repo: Repository, session_id: str, user_id: str) -> list[ConversationLog]:
    owned_session(repo, session_id, user_id)
    return repo.list_logs(session_id, user_id)
