"""Pure parts of the voice runtime: tool arguments, product references, resume, handshake, metrics."""

from __future__ import annotations

import json

import pytest

from shopper_core.dialogue import DialogueState, SavedEntry, SearchState, ShownProduct
from shopper_core.tickets import mint_ticket
from shopper_core.understanding import understand
from voice_runtime.bot import history_to_messages
from voice_runtime.dialogue_store import DialogueStore
from voice_runtime.metrics import TurnTimes
from voice_runtime.server import HandshakeRejected, check_handshake
from voice_runtime.services.dialogue_engine import context_for, decide_for
from voice_runtime.services.dialogue_replies import describe_search, say_rating
from voice_runtime.settings import VoiceSettings
from voice_runtime.tool_requests import build_search_request
from voice_runtime.tools import ProductReferenceError, pick_shown

PRODUCTS = [
    {"id": "p1", "title": "JBL Go 3 Speaker", "brand": "JBL", "price": 39.95},
    {"id": "p2", "title": "Anker Soundcore 2", "brand": "Anker", "price": 44.99},
    {"id": "p3", "title": "Sony SRS-XB13", "brand": "Sony", "price": 48.0},
]


def _store(focus: str | None = None) -> DialogueStore:
    store = DialogueStore()
    store.show_results(SearchState(query="speaker"), PRODUCTS)
    store.set_focus(focus)
    return store


def test_search_request_folds_colour_brand_and_size_into_text_and_keeps_limits() -> None:
    text, prefs, state = build_search_request(
        {"query": "bluetooth speaker", "color": "blue", "brand": "Sony", "max_price": "50 dollars",
         "min_rating": 4, "retailers": "icecat, dummyjson", "size": "10"}
    )  # fmt: skip
    assert text == "Sony blue bluetooth speaker size 10"
    assert prefs == {"maxPrice": 50.0, "minRating": 4.0, "targetRetailers": ["icecat", "dummyjson"]}
    assert (state.query, state.brand, state.color, state.maxPrice) == (
        "bluetooth speaker",
        "Sony",
        "blue",
        50.0,
    )


def test_search_request_does_not_repeat_words_already_in_the_query() -> None:
    text, _, _ = build_search_request({"query": "blue Sony headphones", "color": "Blue", "brand": "sony"})
    assert text == "blue Sony headphones"


def test_search_request_drops_prices_past_the_api_limit() -> None:
    _, prefs, _ = build_search_request({"query": "speaker", "max_price": 99_999_999_999})
    assert "maxPrice" not in prefs


@pytest.mark.parametrize(
    "arguments",
    [{}, {"query": "  "}, {"query": "tv", "min_price": 100, "max_price": 50}],
)
def test_search_request_rejects_nothing_or_contradictions(arguments: dict) -> None:
    with pytest.raises(ValueError):
        build_search_request(arguments)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"position": 2}, "p2"),
        ({"position": -1}, "p3"),
        ({"product_id": "p3"}, "p3"),
        ({"position": "2"}, "p2"),
    ],
)
def test_tool_arguments_pick_a_shown_product(arguments: dict, expected: str) -> None:
    assert pick_shown(_store(), arguments)[1].id == expected


def test_no_product_named_means_the_product_in_focus() -> None:
    assert pick_shown(_store(focus="p3"), {})[1].id == "p3"


@pytest.mark.parametrize("arguments", [{}, {"position": 4}, {"position": -4}, {"product_id": "elsewhere"}])
def test_unresolvable_tool_references_explain_themselves(arguments: dict) -> None:
    with pytest.raises(ProductReferenceError) as error:
        pick_shown(_store(), arguments)
    assert str(error.value).endswith("?")


def test_no_results_yet() -> None:
    with pytest.raises(ProductReferenceError, match="don't have any results"):
        pick_shown(DialogueStore(), {"position": 1})


def test_dialogue_store_keeps_saved_entries_newest_first_and_focuses_the_saved_product() -> None:
    store = _store()
    store.add_saved(SavedEntry(id="s1", productId="p1", title="JBL Go 3 Speaker"))
    store.add_saved(SavedEntry(id="s2", productId="p2", title="Anker Soundcore 2"))
    assert [e.id for e in store.state.saved] == ["s2", "s1"]
    assert store.state.focus == "p2"
    store.remove_saved("s2")
    assert [e.id for e in store.state.saved] == ["s1"]


def test_history_rebuilds_turns_and_puts_the_shown_results_back_as_data() -> None:
    turns = [
        {"speaker": "agent", "text": "Hi!", "timestamp": 1},
        {"speaker": "user", "text": "find a speaker", "timestamp": 2},
        {"speaker": "agent", "text": "I found 3.", "timestamp": 4},
        {"speaker": "system", "text": "session note", "timestamp": 5},
    ]
    dialogue = DialogueState(
        search=SearchState(query="speaker", queryId="q1"),
        results=[ShownProduct(id=p["id"], rank=i, title=p["title"]) for i, p in enumerate(PRODUCTS, start=1)],
    )
    messages = history_to_messages(list(reversed(turns)), dialogue)
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant", "assistant", "tool"]
    call = messages[3]["tool_calls"][0]
    assert call["function"]["name"] == "search_products"
    assert json.loads(call["function"]["arguments"]) == {"query": "speaker"}
    result = json.loads(messages[4]["content"])
    assert [p["id"] for p in result["products"]] == ["p1", "p2", "p3"]
    assert history_to_messages(turns, DialogueState())[-1]["role"] == "assistant"


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


def test_the_understood_search_is_said_with_every_filter_it_has() -> None:
    blue = SearchState(query="bluetooth speaker", color="blue", maxPrice=38)
    assert describe_search(blue) == "blue bluetooth speaker under $38"
    sony = SearchState(query="sony headphones", brand="Sony", color="black")
    assert describe_search(sony) == "black sony headphones"


def test_a_rating_is_said_as_the_card_shows_it() -> None:
    assert [say_rating(r) for r in (4.25, 4.2, 4.0, 4.349)] == ["4.3", "4.2", "4.0", "4.3"]


def _watches(brand_in_text: bool) -> DialogueState:
    shown = [
        ShownProduct(id=f"w{i}", rank=i, title=f"Rolex Watch {i}", brand="Rolex", price=9000.0 + i)
        for i in range(1, 4)
    ]
    search = SearchState(
        query="rolex watches" if brand_in_text else "watches", brand=None if brand_in_text else "Rolex"
    )
    return DialogueState(search=search, results=shown)


@pytest.mark.parametrize("brand_in_text", [True, False])
def test_a_ceiling_no_shown_product_of_the_brand_comes_near_drops_the_brand(brand_in_text: bool) -> None:
    state = _watches(brand_in_text)
    said = "way too expensive. something under two hundred then"
    decision = decide_for(understand(said, context_for(state)), state)
    ((name, arguments),) = decision.calls
    assert name == "search_products" and arguments["query"] == "watches" and arguments["max_price"] == 200
    assert "brand" not in arguments and "every brand" in decision.text


def test_a_brand_said_again_or_a_ceiling_within_reach_keeps_the_brand() -> None:
    state = _watches(brand_in_text=False)
    for said in ("rolex under 200", "under 9000"):
        decision = decide_for(understand(said, context_for(state)), state)
        ((_, arguments),) = decision.calls
        assert arguments.get("brand") == "Rolex", said
