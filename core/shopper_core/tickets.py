"""Voice session tickets: short-lived HMAC tokens binding a WebSocket to a session and a user.

Minted by POST /sessions (functions) and verified by the voice runtime before it
processes any audio. Standard library only, so both workloads can import it.

Format: base64url(json payload) "." base64url(HMAC-SHA256(key, payload)).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time


class TicketError(Exception):
    """The ticket is malformed, tampered with, expired, or bound to something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, payload: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).digest()


def mint_ticket(key: str, session_id: str, user_id: str, ttl_s: int, now: float | None = None) -> str:
    issued = time.time() if now is None else now
    payload = json.dumps(
        {"sid": session_id, "uid": user_id, "exp": int(issued + ttl_s)}, separators=(",", ":")
    ).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_sign(key, payload))}"


def verify_ticket(key: str, ticket: str, session_id: str, user_id: str, now: float | None = None) -> None:
    """Raise TicketError unless `ticket` is valid now for exactly this session and user."""
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
    if claims.get("sid") != session_id or claims.get("uid") != user_id:
        raise TicketError("ticket is bound to another session or user")
    current = time.time() if now is None else now
    if not isinstance(claims.get("exp"), int) or claims["exp"] < current:
        raise TicketError("ticket expired")
