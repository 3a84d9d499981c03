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
