"""Issue 15 through the API on the emulators: user input never gets a 500, a voice ticket
connects once, and an ended session accepts no connection and no writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from shopper.models import Product, SessionStatus, VoiceSession, now_ms
from shopper.repository import RATE_LIMITS, Repository
from shopper.services.sessions import sweep_stuck_sessions
from shopper.settings import get_settings
from shopper_core.tickets import verify_ticket
from tests.integration.api_helpers import SERVER_HEADERS, api_app_fixture, api_fixture  # noqa: F401

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HUGE_PRICE_TEXTS = ["speaker under 99999999999 dollars", "speaker over 99999999999 dollars"]


def start(api, user, **body) -> dict:
    response = api.post("/sessions", headers=user.headers, json=body or None)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ticket_id(started: dict, user) -> str:
    key = get_settings().session_ticket_key.get_secret_value()
    return verify_ticket(key, started["ticket"], started["sessionId"], user.uid)["jti"]


def claim(api, session_id: str, user_id: str, jti: str):
    return api.post(
        "/pipecat/claim-ticket",
        headers=SERVER_HEADERS,
        json={"sessionId": session_id, "userId": user_id, "ticketId": jti},
    )


# ------------------------------------------------------------------ finding 3: no 500 for any input


@pytest.mark.parametrize("text", HUGE_PRICE_TEXTS)
def test_a_huge_price_in_the_text_is_no_500_and_no_filter(
    api, make_user, repo: Repository, text: str
) -> None:
    response = api.post("/queries", headers=make_user().headers, json={"searchText": text})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    query = repo.get_query(body["queryId"])
    assert query.preferences.maxPrice is None and query.preferences.minPrice is None


@pytest.mark.parametrize("text", HUGE_PRICE_TEXTS)
def test_a_huge_price_said_to_the_agent_is_no_500(api, make_user, text: str) -> None:
    user = make_user()
    session_id = start(api, user)["sessionId"]
    response = api.post(
        "/pipecat/trigger-research",
        headers=SERVER_HEADERS,
        json={"sessionId": session_id, "userId": user.uid, "searchText": text},
    )
    assert response.status_code == 202, response.get_json()


# ------------------------------------------------------------------ finding 4: single-use tickets


def test_a_ticket_connects_once(api, make_user) -> None:
    user = make_user()
    started = start(api, user)
    jti = ticket_id(started, user)
    assert claim(api, started["sessionId"], user.uid, jti).status_code == 200
    second = claim(api, started["sessionId"], user.uid, jti)
    assert second.status_code == 409 and "already used" in second.get_json()["error"]["message"]


def test_a_ticket_names_its_session_and_user(api, make_user) -> None:
    alice, bob = make_user(), make_user()
    started = start(api, alice)
    assert claim(api, started["sessionId"], bob.uid, ticket_id(started, alice)).status_code == 403
    assert claim(api, "no-such-session", alice.uid, ticket_id(started, alice)).status_code == 404
    assert claim(api, started["sessionId"], alice.uid, "forged-ticket-id").status_code == 409


def test_a_reconnect_gets_a_new_ticket_that_replaces_the_old(api, make_user) -> None:
    user = make_user()
    first = start(api, user)
    assert claim(api, first["sessionId"], user.uid, ticket_id(first, user)).status_code == 200
    again = start(api, user, sessionId=first["sessionId"])
    assert again["sessionId"] == first["sessionId"] and again["ticket"] != first["ticket"]
    assert parse_qs(urlsplit(again["wsUrl"]).query)["ticket"] == [again["ticket"]]
    assert claim(api, first["sessionId"], user.uid, ticket_id(again, user)).status_code == 200
    stranger = make_user()
    assert (
        api.post("/sessions", headers=stranger.headers, json={"sessionId": first["sessionId"]}).status_code
        == 403
    )


def test_an_ended_session_accepts_no_connection_and_no_writes(api, make_user, repo: Repository) -> None:
    user = make_user()
    started = start(api, user)
    session_id = started["sessionId"]
    product_id = "p-ended-1"
    repo.write_products(
        [
            (
                product_id,
                Product(
                    queryId="q1", userId=user.uid, title="JBL Flip 6", productUrl="https://shop.example/jbl",
                    price=99.0, source="Best Buy", searchRank=1, systemRank=1, createdAt=1,
                ),
            )
        ]
    )  # fmt: skip
    assert api.post(f"/sessions/{session_id}/end", headers=user.headers).status_code == 200

    assert claim(api, session_id, user.uid, ticket_id(started, user)).status_code == 409
    assert api.post("/sessions", headers=user.headers, json={"sessionId": session_id}).status_code == 409
    ids = {"sessionId": session_id, "userId": user.uid}
    saved = api.post("/pipecat/save-item", headers=SERVER_HEADERS, json={**ids, "productId": product_id})
    logged = api.post(
        "/pipecat/log-conversation", headers=SERVER_HEADERS, json={**ids, "speaker": "user", "text": "hello"}
    )
    client_save = api.post(
        "/saved-items",
        headers=user.headers,
        json={"productId": product_id, "productName": "JBL", "sessionId": session_id},
    )
    assert (saved.status_code, logged.status_code, client_save.status_code) == (409, 409, 409)
    assert repo.list_saved_items(user.uid) == [] and repo.list_logs(session_id, user.uid) == []


# ------------------------------------------------------------------ finding 6: sessions and rate limits


def test_a_user_keeps_at_most_the_cap_of_active_sessions_and_the_oldest_ends(api, make_user, repo) -> None:
    user = make_user()
    cap = get_settings().max_active_sessions_per_user
    ids = [start(api, user)["sessionId"] for _ in range(cap + 1)]
    active = {s.sessionId for s in repo.list_active_sessions(user.uid)}
    assert active == set(ids[1:])
    assert repo.get_session(ids[0]).status == SessionStatus.completed
    other = make_user()
    start(api, other)  # another user's sessions do not count
    assert {s.sessionId for s in repo.list_active_sessions(user.uid)} == set(ids[1:])


def test_sessions_stuck_active_are_ended_by_the_hourly_sweep(repo: Repository) -> None:
    now = now_ms()
    max_age_s = get_settings().voice_session_max_age_s
    old = VoiceSession(sessionId="s-stuck", userId="u1", startTime=now - max_age_s * 1000 - 1)
    recent = VoiceSession(sessionId="s-live", userId="u1", startTime=now - 60_000)
    for session in (old, recent):
        repo.create_session(session)
    assert sweep_stuck_sessions(repo, now, max_age_s) == 1
    assert repo.get_session("s-stuck").status == SessionStatus.error
    assert repo.get_session("s-live").status == SessionStatus.active
    assert sweep_stuck_sessions(repo, now, max_age_s) == 0  # idempotent


def test_rate_limit_counters_carry_the_ttl_field(api, make_user, firestore_client) -> None:
    api.get("/preferences", headers=make_user().headers)
    docs = [d.to_dict() for d in firestore_client.collection(RATE_LIMITS).stream()]
    assert docs and all(isinstance(d["expiresAt"], dt.datetime) for d in docs)
    overrides = json.loads((ROOT / "firestore.indexes.json").read_text())["fieldOverrides"]
    assert {"collectionGroup": RATE_LIMITS, "fieldPath": "expiresAt", "ttl": True, "indexes": []} in overrides
