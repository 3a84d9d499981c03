"""Voice session tickets: valid only for their session, their user, their key and until they expire."""

from __future__ import annotations

import base64
import json

import pytest

from shopper_core.tickets import TicketError, mint_ticket, verify_ticket

KEY = "test-key-0123456789"


def test_a_fresh_ticket_verifies() -> None:
    ticket = mint_ticket(KEY, "s1", "alice", ttl_s=300, now=1000)
    verify_ticket(KEY, ticket, "s1", "alice", now=1200)


def test_an_expired_ticket_is_rejected() -> None:
    ticket = mint_ticket(KEY, "s1", "alice", ttl_s=300, now=1000)
    with pytest.raises(TicketError, match="expired"):
        verify_ticket(KEY, ticket, "s1", "alice", now=1301)


@pytest.mark.parametrize("session_id,user_id", [("s2", "alice"), ("s1", "bob"), ("s2", "bob")])
def test_a_ticket_for_another_session_or_user_is_rejected(session_id, user_id) -> None:
    ticket = mint_ticket(KEY, "s1", "alice", ttl_s=300, now=1000)
    with pytest.raises(TicketError, match="another session or user"):
        verify_ticket(KEY, ticket, session_id, user_id, now=1000)


def test_a_tampered_ticket_is_rejected() -> None:
    ticket = mint_ticket(KEY, "s1", "alice", ttl_s=300, now=1000)
    payload, signature = ticket.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = 10**10  # extend the expiry ...
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TicketError, match="signature"):
        verify_ticket(KEY, f"{forged}.{signature}", "s1", "alice", now=1000)
    # ... or flip one character of the signature.
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(TicketError):
        verify_ticket(KEY, f"{payload}.{flipped}", "s1", "alice", now=1000)


def test_a_ticket_signed_with_another_key_is_rejected() -> None:
    ticket = mint_ticket("another-key-987654321", "s1", "alice", ttl_s=300, now=1000)
    with pytest.raises(TicketError, match="signature"):
        verify_ticket(KEY, ticket, "s1", "alice", now=1000)


@pytest.mark.parametrize("ticket", ["", "abc", "a.b.c", "!!!.???", "x" * 2000 + "." + "y", "e30.e30"])
def test_malformed_tickets_are_rejected(ticket) -> None:
    with pytest.raises(TicketError):
        verify_ticket(KEY, ticket, "s1", "alice", now=1000)
