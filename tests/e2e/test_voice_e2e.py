"""Full voice path on the local stack: browser protocol -> voice runtime -> functions -> Firestore.

Real everything: the Auth emulator signs a user up, POST /sessions mints the
ticketed wsUrl, the voice runtime (uvicorn subprocess from devstack) runs the
offline pipeline, the research worker fills Firestore through Cloud Tasks.
User speech is Piper audio streamed in real time as 16 kHz PCM16 frames.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from google.cloud import firestore

from devstack.ws_client import VoiceClient, synthesize_speech

pytestmark = pytest.mark.e2e


def _docs(client: firestore.Client, collection: str, field: str, value: str) -> list[dict]:
    query = client.collection(collection).where(filter=firestore.FieldFilter(field, "==", value))
    return [{"id": doc.id, **(doc.to_dict() or {})} for doc in query.stream()]


async def _eventually(fetch, within: float = 20.0):
    deadline = time.monotonic() + within
    while True:
        value = await asyncio.to_thread(fetch)
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.2)


async def _turn(client: VoiceClient, text: str) -> float:
    utterance = await client.speak(synthesize_speech(text), text)
    first_audio = await client.wait_bot_audio(utterance.ended_at, within=30)
    await client.wait_quiet(1.0, within=60)
    return first_audio - utterance.ended_at


async def test_speak_search_and_save_on_the_local_stack(voice_stack, make_user, firestore_client) -> None:
    user = make_user()
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(f"{voice_stack.url('functions')}/sessions", headers=user.headers, json={})
    assert response.status_code in (200, 201), response.text
    session = response.json()
    assert session["wsUrl"].startswith(voice_stack.url("voice_ws"))

    client = VoiceClient(session["wsUrl"])
    await client.connect()
    try:
        await client.wait_bot_audio(0.0, within=30)
        await client.wait_quiet(0.8)

        assert await _turn(client, "find a bluetooth speaker under 50 dollars") < 5.0
        hint = await client.wait_server_message("search-results", within=20)
        query_id = hint["queryId"]
        query = await _eventually(
            lambda: firestore_client.collection("queries").document(query_id).get().to_dict()
        )
        assert query["userId"] == user.uid
        assert query["status"] == "completed"
        assert query["preferences"]["maxPrice"] == 50
        products = sorted(
            await _eventually(lambda: _docs(firestore_client, "products", "queryId", query_id)),
            key=lambda p: p["systemRank"],
        )
        assert len(products) >= 2
        assert all(p["userId"] == user.uid for p in products)

        await _turn(client, "save the second one")
        saved = await _eventually(lambda: _docs(firestore_client, "saved_items", "userId", user.uid))
        assert [item["productId"] for item in saved] == [products[1]["id"]]
        assert saved[0]["sessionId"] == session["sessionId"]

        logs = await _eventually(
            lambda: _docs(firestore_client, "conversation_logs", "sessionId", session["sessionId"])
        )
        speakers = {log["speaker"] for log in logs}
        assert {"user", "agent"} <= speakers
        assert all(log["userId"] == user.uid for log in logs)
    finally:
        await client.close()

    ended = await _eventually(
        lambda: (
            (
                firestore_client.collection("voice_sessions").document(session["sessionId"]).get().to_dict()
                or {}
            ).get("status")
            == "completed"
        )
    )
    assert ended


def _session_doc(client: firestore.Client, session_id: str) -> dict:
    return client.collection("voice_sessions").document(session_id).get().to_dict() or {}


def _queries(client: firestore.Client, user_id: str) -> list[dict]:
    return _docs(client, "queries", "userId", user_id)


async def test_spoken_conversation_keeps_focus_lists_removes_and_compares(
    voice_stack, make_user, firestore_client
) -> None:
    """A spoken price limit holds; "save it" saves the product talked about; commands are not searches."""
    user = make_user()
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(f"{voice_stack.url('functions')}/sessions", headers=user.headers, json={})
    session = response.json()
    client = VoiceClient(session["wsUrl"])
    await client.connect()
    try:
        await client.wait_bot_audio(0.0, within=30)
        await client.wait_quiet(0.8)

        await _turn(client, "I need a bluetooth speaker for under 50 bucks")
        hint = await client.wait_server_message("search-results", within=20)
        [query] = await _eventually(lambda: _queries(firestore_client, user.uid))
        assert query["preferences"]["maxPrice"] == 50
        products = sorted(
            await _eventually(lambda: _docs(firestore_client, "products", "queryId", hint["queryId"])),
            key=lambda p: p["systemRank"],
        )
        assert len(products) >= 3 and all(p["price"] <= 50 for p in products)

        await _turn(client, "tell me more about the third one")
        dialogue = await _eventually(
            lambda: _session_doc(firestore_client, session["sessionId"]).get("dialogue")
        )
        assert dialogue["focus"] == products[2]["id"]

        await _turn(client, "save it")
        saved = await _eventually(lambda: _docs(firestore_client, "saved_items", "userId", user.uid))
        assert [item["productId"] for item in saved] == [products[2]["id"]]

        await _turn(client, "what's in my list?")
        await _turn(client, "remove it")
        removed = await _eventually(lambda: not _docs(firestore_client, "saved_items", "userId", user.uid))
        assert removed

        await _turn(client, "compare the first two")
        assert len(_queries(firestore_client, user.uid)) == 1  # no command ran as a search
        dialogue = _session_doc(firestore_client, session["sessionId"])["dialogue"]
        assert [p["id"] for p in dialogue["results"]] == [p["id"] for p in products]

        logs = _docs(firestore_client, "conversation_logs", "sessionId", session["sessionId"])
        agent = [
            log["text"] for log in sorted(logs, key=lambda log: log["timestamp"]) if log["speaker"] == "agent"
        ]
        assert any("saved item" in text for text in agent)
        assert not any(p["id"] in text for p in products for text in agent)
        assert {log["speaker"] for log in logs} <= {"user", "agent"}
    finally:
        await client.close()
