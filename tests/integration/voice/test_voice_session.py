"""The voice runtime over its real WebSocket, with the real offline STT/TTS/dialogue pipeline.

Speech is synthesized with Piper, streamed in real time as 16 kHz PCM16
protobuf frames (as the browser does), and the bot's 24 kHz audio and RTVI
messages are read back. The functions API is the local fake (real HTTP).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
import websockets

from devstack.fake_functions import SECRET
from devstack.voice_harness import ServerThread, free_port
from devstack.ws_client import VoiceClient, audio_frame, client_ready_message, is_speech, message_frame
from tests.integration.voice.conftest import VoiceServer
from voice_runtime.bot import BotDeps
from voice_runtime.functions_client import FunctionsClient
from voice_runtime.server import create_app

pytestmark = pytest.mark.integration


async def _say(client: VoiceClient, speech, text: str, *, within: float = 20.0) -> float:
    """Speak, wait for the bot's answer to start and finish; return voice-to-voice seconds."""
    utterance = await client.speak(speech(text), text)
    first_audio = await client.wait_bot_audio(utterance.ended_at, within=within)
    await client.wait_quiet(0.8)
    return first_audio - utterance.ended_at


async def _rejected_before_audio(voice: VoiceServer, url: str) -> int | None:
    client = VoiceClient(url)
    try:
        await client.connect(ready=True, stream_mic=False)
        # Audio sent after the handshake must never be processed.
        await client.send_raw(audio_frame(bytes(640)))
    except websockets.ConnectionClosed:
        pass
    code = await client.wait_closed(5)
    await client.close()
    assert not [e for e in client.events if e.kind == "audio"]
    return code


async def _quiet_requests(voice: VoiceServer, gap_s: float = 1.0, within_s: float = 15.0) -> int:
    """How many requests the fake has seen, once an earlier test's sessions have finished
    writing (their last turns and dialogue state are flushed after their sockets close)."""
    deadline = time.monotonic() + within_s
    seen = len(voice.fake.state.requests)
    while time.monotonic() < deadline:
        await asyncio.sleep(gap_s)
        now = len(voice.fake.state.requests)
        if now == seen:
            return now
        seen = now
    return seen


async def test_bad_ticket_is_refused_with_policy_violation(voice: VoiceServer) -> None:
    requests_before = await _quiet_requests(voice)
    url = voice.socket_url("s-bad", "u-bad", ticket=voice.ticket("s-other", "u-bad"))
    assert await _rejected_before_audio(voice, url) == 1008
    forged = voice.ticket("s-bad", "u-bad")[:-4] + "AAAA"
    assert await _rejected_before_audio(voice, voice.socket_url("s-bad", "u-bad", ticket=forged)) == 1008
    expired = voice.ticket("s-bad", "u-bad", ttl_s=-5)
    assert await _rejected_before_audio(voice, voice.socket_url("s-bad", "u-bad", ticket=expired)) == 1008
    # Nothing reached the functions API for a refused socket (no session was started or ended).
    assert len(voice.fake.state.requests) == requests_before
    assert 'voice_ws_rejected_total{reason="bad_ticket"}' in voice.metrics_text()


async def test_a_ticket_connects_once_and_an_ended_session_not_at_all(voice: VoiceServer, connect) -> None:
    url = voice.socket_url("s-once", "u-once")
    first = await connect("s-once", "u-once", url=url)
    assert await _rejected_before_audio(voice, url) == 1008  # the same ticket again
    await first.close()
    await voice.fake.until(lambda s: s.sessions.get("s-once") == "completed")
    # A fresh, valid ticket for the ended session is refused too.
    assert await _rejected_before_audio(voice, voice.socket_url("s-once", "u-once")) == 1008
    assert 'voice_ws_rejected_total{reason="ticket_refused"}' in voice.metrics_text()


async def test_missing_or_malformed_params_are_refused(voice: VoiceServer) -> None:
    assert await _rejected_before_audio(voice, voice.ws_url) == 1008
    assert await _rejected_before_audio(voice, f"{voice.ws_url}?sessionId=s1&userId=u1") == 1008
    for session_id in ("s..%2Fx", "s" * 200):
        bad_id = voice.socket_url(session_id, "u1", ticket=voice.ticket(session_id, "u1"))
        assert await _rejected_before_audio(voice, bad_id) == 1008


async def _agent_said(voice: VoiceServer, session_id: str, words: str, within: float = 15.0) -> bool:
    """The agent's logged turns come to contain `words` (the log is written in the background)."""

    def said(state: Any) -> bool:
        return any(
            words in t["text"] for t in state.logs if t["sessionId"] == session_id and t["speaker"] == "agent"
        )

    return bool(await voice.fake.until(said, within=within))


async def test_search_then_save_by_position(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    v2v_search = await _say(client, speech, "find a bluetooth speaker under 50 dollars")
    hint = await client.wait_server_message("search-results")
    query = voice.fake.state.queries[hint["queryId"]]
    assert query["userId"] == client.user_id
    assert query["preferences"].get("maxPrice") == 50
    assert "speaker" in query["searchText"]
    products = [p for p in voice.fake.state.products.values() if p["queryId"] == hint["queryId"]]
    products.sort(key=lambda p: p["systemRank"])
    assert len(products) >= 2 and all(p["price"] <= 50 for p in products)

    await _say(client, speech, "save the second one")
    saved = await voice.fake.until(
        lambda s: [i for i in s.saved if i["sessionId"] == client.session_id], within=10
    )
    assert [item["productId"] for item in saved] == [products[1]["id"]]

    # Every turn was logged: user words (transcribed) and agent answers; the results are
    # kept as data in the dialogue state, never as a chat line.
    user_turns = [t["text"].lower() for t in voice.fake.turns(client.session_id, "user")]
    assert any("speaker" in t and "50" in t for t in user_turns)
    assert any("second" in t for t in user_turns)
    assert await _agent_said(voice, client.session_id, products[1]["title"].split(" Bluetooth")[0])
    assert not voice.fake.turns(client.session_id, "system")
    dialogue = await voice.fake.until(lambda s: s.dialogue.get(client.session_id))
    assert [p["id"] for p in dialogue["results"]] == [p["id"] for p in products]
    assert dialogue["focus"] == products[1]["id"]

    # The server measured the turn and exported it.
    turn_metrics = await client.wait_server_message("turn-metrics")
    assert turn_metrics["voice_to_voice_ms"] > 0
    assert 0 < v2v_search < 3.0
    exported = voice.metrics_text()
    assert 'voice_stage_latency_seconds_count{stage="voice_to_voice"}' in exported
    assert "voice_sessions_active 1.0" in exported

    await client.close()
    assert await voice.fake.until(lambda s: s.sessions.get(client.session_id) == "completed")


async def test_goodbye_ends_the_session_completed(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    utterance = await client.speak(speech("goodbye"), "goodbye")
    await client.wait_bot_audio(utterance.ended_at)
    assert await client.wait_closed(15) == 1000
    assert await voice.fake.until(lambda s: s.sessions.get(client.session_id) == "completed")
    assert any("bye" in t["text"].lower() for t in voice.fake.turns(client.session_id, "agent"))


async def test_barge_in_stops_bot_audio_within_300_ms(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    # A long answer: the search results read out.
    utterance = await client.speak(speech("find noise cancelling headphones"), "search")
    await client.wait_bot_audio(utterance.ended_at)
    await asyncio.sleep(1.0)  # the bot is mid-answer (on a busy machine its audio comes in bursts)
    await client.wait_bot_audio(time.monotonic(), within=5.0)  # audio is arriving right now
    assert time.monotonic() - (client.last_audio_at() or 0) < 0.3, "bot should still be talking"

    interrupt = await client.speak(speech("hold on please"), "hold on please")
    interruption = await client.wait_for(lambda e: e.kind == "interruption", since=interrupt.started_at)
    # Measured from the first audible sample the user sent.
    barge_in = interruption.at - interrupt.voiced_at
    assert barge_in <= 0.3, f"bot audio stopped {barge_in * 1000:.0f} ms after the user spoke"
    # No bot speech after the interruption until the user has finished speaking.
    late = [
        e
        for e in client.events
        if e.kind == "audio" and interruption.at + 0.05 < e.at < interrupt.ended_at and is_speech(e.data)
    ]
    assert not late
    await client.wait_quiet(0.8)
    assert "voice_interruptions_total" in voice.metrics_text()


async def test_malformed_frames_do_not_break_the_session(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    await client.send_raw(b"\x00\xffnot a protobuf at all")
    await client.send_raw("a text websocket message")
    await client.send_raw(message_frame({"label": "rtvi-ai", "type": "no-such-type", "id": "x"}))
    await client.send_raw(message_frame({"not": "rtvi"}))
    await client.send_raw(audio_frame(b"\x01" * 3, sample_rate=16000))  # odd byte count
    await client.send_raw(audio_frame(bytes(640), sample_rate=44100))  # wrong rate
    # The session still hears and answers.
    assert await _say(client, speech, "find a bluetooth speaker") < 3.0
    assert voice.health()["sessions"] == 1


async def test_abrupt_disconnect_mid_turn_closes_session_cleanly(voice: VoiceServer, connect, speech) -> None:
    baseline = (await voice.idle())["tasks"]
    client = await connect()
    await client.speak(speech("find a bluetooth speaker under 50 dollars"), "search")
    await client.abort()  # gone without a close handshake while the bot works on the turn
    assert await voice.fake.until(lambda s: s.sessions.get(client.session_id) == "completed", within=15)
    health = await voice.idle()
    assert health["sessions"] == 0
    await asyncio.sleep(0.5)
    assert voice.health()["tasks"] <= baseline, "session tasks leaked"


async def test_tool_failure_is_spoken_and_session_goes_on(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    voice.fake.state.fail_routes.add("/pipecat/trigger-research")
    await _say(client, speech, "find a bluetooth speaker under 50 dollars")
    # The apology follows the announcement; under load it may start after the quiet gap.
    assert await voice.fake.until(
        lambda s: [
            t
            for t in s.logs
            if t["sessionId"] == client.session_id and t["speaker"] == "agent" and "Sorry" in t["text"]
        ]
    )
    voice.fake.state.fail_routes.clear()
    await _say(client, speech, "find a bluetooth speaker under 50 dollars")
    assert await voice.fake.until(
        lambda s: [q for q in s.queries.values() if q["sessionId"] == client.session_id]
    )


async def test_slow_search_gets_a_filler(voice: VoiceServer, connect, speech) -> None:
    client = await connect()
    voice.fake.state.research_delay_s = 2.0
    utterance = await client.speak(speech("find running shoes"), "search")
    await client.wait_bot_audio(utterance.ended_at)
    await client.wait_server_message("search-results", since=utterance.ended_at, within=10)
    await client.wait_quiet(0.8)
    assert await _agent_said(voice, client.session_id, "Let me look that up.")
    # The line was never silent for more than a second while the search ran.
    audio = [e.at for e in client.events if e.kind == "audio" and e.at > utterance.ended_at]
    gaps = [b - a for a, b in itertools.pairwise(audio)]
    assert max(gaps) < 1.0


async def test_reconnect_resumes_the_conversation(voice: VoiceServer, connect, speech) -> None:
    first = await connect()
    await _say(first, speech, "find a bluetooth speaker under 50 dollars")
    hint = await first.wait_server_message("search-results")

    # The socket dropped (not yet noticed here); the client reconnects with a new ticket.
    again = await connect(first.session_id, first.user_id)
    assert await first.wait_closed(10) is not None
    assert await voice.fake.until(
        lambda s: [t for t in s.logs if t["sessionId"] == first.session_id and "Welcome back" in t["text"]]
    )
    await _say(again, speech, "save the first one")
    products = sorted(
        (p for p in voice.fake.state.products.values() if p["queryId"] == hint["queryId"]),
        key=lambda p: p["systemRank"],
    )
    saved = await voice.fake.until(lambda s: [i for i in s.saved if i["sessionId"] == first.session_id])
    assert saved[0]["productId"] == products[0]["id"]


async def test_a_crashing_pipeline_ends_the_session_in_error(voice: VoiceServer) -> None:
    def broken_llm(_settings: object) -> object:
        raise RuntimeError("LLM provider misconfigured")

    deps = BotDeps(
        settings=voice.settings,
        client=FunctionsClient(voice.fake.url, SECRET),
        create_llm=broken_llm,
    )
    port = free_port()
    server = ServerThread(create_app(deps), port)
    await asyncio.to_thread(server.start)
    try:
        session_id, user_id = "s-crash", "u-crash"
        ticket = voice.ticket(session_id, user_id)
        client = VoiceClient(
            f"ws://127.0.0.1:{port}/ws?sessionId={session_id}&userId={user_id}&ticket={ticket}"
        )
        await client.connect()
        await client.wait_closed(10)
        await client.close()
        assert await voice.fake.until(lambda s: s.sessions.get(session_id) == "error")
    finally:
        await asyncio.to_thread(server.stop)


async def test_audio_is_heard_before_client_ready_and_bot_ready_follows_it(
    voice: VoiceServer, connect, speech
) -> None:
    client = await connect(ready=False, greet=False)
    await client.speak(speech("find a bluetooth speaker"), "search")
    turns = await voice.fake.until(lambda s: [t for t in s.logs if t["sessionId"] == client.session_id])
    assert any("speaker" in t["text"].lower() for t in turns if t["speaker"] == "user")
    assert not client.messages("bot-ready")
    await client.send_message(client_ready_message())
    ready = await client.wait_for(lambda e: e.kind == "message" and e.data.get("type") == "bot-ready")
    assert ready.data["data"]["version"]


async def test_a_reconnect_replaces_the_old_socket_without_closing_the_session(
    voice: VoiceServer, connect
) -> None:
    old = await connect()
    new = await connect(old.session_id, old.user_id)
    assert await old.wait_closed(10) is not None
    await asyncio.sleep(0.5)
    assert old.session_id not in voice.fake.state.sessions or (
        voice.fake.state.sessions[old.session_id] == "active"
    ), "the replaced socket must not end the session the new one carries on"
    assert (await voice.idle(within=0.1))["sessions"] == 1
    await new.close()
    assert await voice.fake.until(lambda s: s.sessions.get(old.session_id) == "completed")


async def test_a_typed_message_is_logged_as_the_shoppers_turn(voice: VoiceServer, connect) -> None:
    """The page sends typed text as RTVI send-text; it is a user turn like a spoken one."""
    from devstack.ws_client import rtvi

    client = await connect()
    await client.send_message(
        rtvi(
            "send-text",
            {"content": "find running shoes", "options": {"run_immediately": True, "audio_response": True}},
        )
    )
    await client.wait_server_message("search-results", within=20)
    typed = await voice.fake.until(
        lambda s: [t for t in s.logs if t["sessionId"] == client.session_id and t["speaker"] == "user"],
        within=10,
    )
    assert [t["text"] for t in typed] == ["find running shoes"]
