"""Voice session tickets: short-lived HMAC tokens binding a WebSocket to a session and a user.

Minted by POST /sessions (functions) and verified by the voice runtime before it
processes any audio. Standard library only, so both workloads can import it.

Format: base64url(json payload) "." base64url(HMAC-SHA256(key, payload)); the payload
carries the session (`sid`), the user (`uid`), the expiry (`exp`) and a random ticket id
(`jti`). A ticket connects once: the voice runtime asks the functions to consume its `jti`
(POST /pipecat/claim-ticket, a Firestore transaction on the session document) before it
runs the session, so a copied or replayed ticket is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from typing import Any


class TicketError(Exception):
    """The ticket is malformed, tampered with, expired, or bound to something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, payload: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).digest()


def new_ticket_id() -> str:
    return secrets.token_urlsafe(16)


def mint_ticket(
    key: str,
    session_id: str,
    user_id: str,
    ttl_s: int,
    now: float | None = None,
    ticket_id: str | None = None,
) -> str:
    issued = time.time() if now is None else now
    claims = {
        "sid": session_id,
        "uid": user_id,
        "exp": int(issued + ttl_s),
        "jti": ticket_id or new_ticket_id(),
    }
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_sign(key, payload))}"


def verify_ticket(
    key: str, ticket: str, session_id: str, user_id: str, now: float | None = None
) -> dict[str, Any]:
    """The ticket's claims; raise TicketError unless `ticket` is valid now for exactly this
    session and user (whether it was already used is the functions' to say)."""
    if not ticket or ticket.count(".") != 1 or len(ticket) > 1024:
        raise TicketError("malformed ticket")
    encoded_payload, encoded_sig = ticket.split(".")
    try:
        payload = _unb64(encoded_payload)
        signature = _unb64(encoded_sig)
    except (binascii.Error, ValueError) as exc:
        raise TicketError("malformed ticket") from exc
    if not hmac.compare_digest(signature, _sign(key, payload)):
        raise TicketError("bad ticket signature")
    try:
        claims = json.loads(payload)
    except ValueError as exc:
        raise TicketError("malformed ticket") from exc
    if not isinstance(claims, dict):
        raise TicketError("malformed ticket")
    if claims.get("sid") != session_id or claims.get("uid") != user_id:
        raise TicketError("ticket is bound to another session or user")
    current = time.time() if now is None else now
    if not isinstance(claims.get("exp"), int) or claims["exp"] < current:
        raise TicketError("ticket expired")
    if not isinstance(claims.get("jti"), str) or not 8 <= len(claims["jti"]) <= 64:
        raise TicketError("malformed ticket")
    return dict(claims)
