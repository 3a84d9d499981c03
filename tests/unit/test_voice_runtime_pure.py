"""Pure parts of the voice runtime: tool arguments, product references, resume, handshake, metrics."""

from __future__ import annotations

import json

import pytest

from shopper_core.tickets import mint_ticket
from voice_runtime.bot import history_to_messages
from voice_runtime.metrics import TurnTimes
from voice_runtime.server import HandshakeRejected, check_handshake
from voice_runtime.settings import VoiceSettings
from voice_runtime.tools import (
    ProductReferenceError,
    build_search_request,
    format_results_log,
    parse_position,
    parse_results_log,
    resolve_product_reference,
)

PRODUCTS = [
    {"id": "p1", "title": "JBL Go 3 Speaker", "brand": "JBL"},
    {"id": "p2", "title": "Anker Soundcore 2", "brand": "Anker"},
    {"id": "p3", "title": "Sony SRS-XB13", "brand": "Sony"},
]


def test_search_request_folds_colour_and_brand_into_text_and_keeps_limits() -> None:
    text, prefs = build_search_request(
        {"query": "bluetooth speaker", "color": "blue", "brand": "Sony", "max_price": "50 dollars",
         "min_rating": 4, "retailers": "bestbuy, amazon"}
    )  # fmt: skip
    assert text == "Sony blue bluetooth speaker"
    assert prefs == {"maxPrice": 50.0, "minRating": 4.0, "targetRetailers": ["bestbuy", "amazon"]}


def test_search_request_does_not_repeat_words_already_in_the_query() -> None:
    text, _ = build_search_request({"query": "blue Sony headphones", "color": "Blue", "brand": "sony"})
    assert text == "blue Sony headphones"


@pytest.mark.parametrize(
    "arguments",
    [{}, {"query": "  "}, {"query": "tv", "min_price": 100, "max_price": 50}],
)
def test_search_request_rejects_nothing_or_contradictions(arguments: dict) -> None:
    with pytest.raises(ValueError):
        build_search_request(arguments)


@pytest.mark.parametrize(
    ("words", "position"),
    [
        ("the second one", 2),
        ("2nd", 2),
        ("number 3", 3),
        ("#1", 1),
        ("the last one", -1),
        ("second to last", -2),
        ("the top one", 1),
        ("two", 2),
        ("that one", None),
        ("the JBL", None),
    ],
)
def test_parse_position(words: str, position: int | None) -> None:
    assert parse_position(words) == position


@pytest.mark.parametrize(
    ("reference", "expected"),
    [(2, "p2"), (-1, "p3"), ("the second one", "p2"), ("last", "p3"), ("p3", "p3"), ("the Sony one", "p3"),
     ("that one", "p1"), (None, "p1")],
)  # fmt: skip
def test_resolve_product_reference(reference: object, expected: str) -> None:
    _, product = resolve_product_reference(reference, PRODUCTS)
    assert product["id"] == expected


def test_that_one_means_the_product_in_focus() -> None:
    assert resolve_product_reference("that one", PRODUCTS, focus=2)[1]["id"] == "p3"


@pytest.mark.parametrize("reference", [0, 4, -4, "the tenth one", "the Bose one", "speaker"])
def test_unresolvable_references_explain_themselves(reference: object) -> None:
    products = [*PRODUCTS, {"id": "p4", "title": "Tribit Speaker", "brand": "Tribit"}]
    with pytest.raises(ProductReferenceError) as error:
        resolve_product_reference(reference, products if reference == "speaker" else PRODUCTS)
    assert str(error.value).endswith("?")


def test_no_results_yet() -> None:
    with pytest.raises(ProductReferenceError, match="don't have any search results"):
        resolve_product_reference(1, [])


def test_results_log_round_trips_and_survives_brackets_in_titles() -> None:
    products = [{"id": "a1", "title": "Speaker [2024 model]"}, {"id": "b2", "title": "Other"}]
    line = format_results_log("bluetooth speaker", "q42", products)
    parsed = parse_results_log(line)
    assert parsed is not None
    assert parsed.query == "bluetooth speaker" and parsed.query_id == "q42"
    assert [(p["position"], p["id"]) for p in parsed.products] == [(1, "a1"), (2, "b2")]
    assert parse_results_log("The user said hi") is None


def test_history_rebuilds_turns_and_the_last_search_as_a_tool_exchange() -> None:
    turns = [
        {"speaker": "agent", "text": "Hi!", "timestamp": 1},
        {"speaker": "user", "text": "find a speaker", "timestamp": 2},
        {"speaker": "system", "text": format_results_log("speaker", "q1", PRODUCTS), "timestamp": 3},
        {"speaker": "agent", "text": "I found 3.", "timestamp": 4},
        {"speaker": "system", "text": "session note", "timestamp": 5},
    ]
    messages, search = history_to_messages(list(reversed(turns)))
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant", "tool", "assistant"]
    call = messages[2]["tool_calls"][0]
    assert call["function"]["name"] == "search_products"
    assert json.loads(call["function"]["arguments"]) == {"query": "speaker"}
    result = json.loads(messages[3]["content"])
    assert messages[3]["tool_call_id"] == call["id"]
    assert [p["id"] for p in result["products"]] == ["p1", "p2", "p3"]
    assert search is not None and search.query_id == "q1"


def _settings(**overrides: object) -> VoiceSettings:
    return VoiceSettings(session_ticket_key="k", **overrides)


def test_handshake_accepts_a_valid_ticket() -> None:
    ticket = mint_ticket("k", "s1", "u1", 60)
    assert check_handshake(_settings(), "s1", "u1", ticket, None)[:2] == ("s1", "u1")


@pytest.mark.parametrize(
    ("session_id", "user_id", "ticket_for", "reason"),
    [
        (None, "u1", ("s1", "u1"), "missing_params"),
        ("s1", "u1", None, "missing_params"),
        ("s1", "u2", ("s1", "u1"), "bad_ticket"),
        ("s2", "u1", ("s1", "u1"), "bad_ticket"),
        ("s/1", "u1", ("s/1", "u1"), "bad_params"),
    ],
)
def test_handshake_rejections(session_id, user_id, ticket_for, reason) -> None:
    ticket = mint_ticket("k", *ticket_for, 60) if ticket_for else None
    with pytest.raises(HandshakeRejected) as rejected:
        check_handshake(_settings(), session_id, user_id, ticket, None)
    assert rejected.value.reason == reason and rejected.value.code == 1008


def test_handshake_rejects_expired_tickets_and_foreign_origins() -> None:
    expired = mint_ticket("k", "s1", "u1", -1)
    with pytest.raises(HandshakeRejected, match="expired"):
        check_handshake(_settings(), "s1", "u1", expired, None)
    valid = mint_ticket("k", "s1", "u1", 60)
    settings = _settings(allowed_origins="http://127.0.0.1:5000")
    with pytest.raises(HandshakeRejected) as rejected:
        check_handshake(settings, "s1", "u1", valid, "https://evil.example")
    assert rejected.value.reason == "origin"
    assert check_handshake(settings, "s1", "u1", valid, "http://127.0.0.1:5000")[:2] == ("s1", "u1")


def test_turn_stages_from_moments() -> None:
    turn = TurnTimes(vad_stopped_at=10.25, stop_secs=0.25)
    turn.transcript_at, turn.llm_request_at, turn.llm_first_at = 10.30, 10.31, 10.32
    turn.tts_request_at, turn.tts_first_audio_at, turn.bot_started_at = 10.32, 10.42, 10.45
    stages = turn.stages()
    assert stages["vad_stop"] == 0.25
    assert round(stages["stt"], 3) == 0.05
    assert round(stages["llm_first_token"], 3) == 0.01
    assert round(stages["tts_first_audio"], 3) == 0.1
    assert round(stages["voice_to_voice"], 3) == 0.45


def test_production_settings_refuse_local_secrets() -> None:
    with pytest.raises(ValueError, match="PIPECAT_SERVER_SECRET"):
        VoiceSettings(environment="production")
