"""The dialogue bench's judge: a turn's expectation against Firestore before/after and the reply."""

from __future__ import annotations

from typing import Any

import pytest

from bench.dialogue import (
    Memory,
    Observed,
    State,
    TurnTracker,
    accuracy,
    has_word,
    in_order,
    judge_turn,
    names_product,
    observation_failures,
    reply_text,
)

SHOWN = [
    {"id": "p1", "title": "JBL Go 3 Portable Speaker", "brand": "JBL", "price": 39.95, "systemRank": 1},
    {"id": "p2", "title": "Anker Soundcore 2 Speaker", "brand": "Anker", "price": 45.0, "systemRank": 2},
    {"id": "p3", "title": "NGS Roller Coaster speaker Blue", "brand": "NGS", "price": 40.95, "systemRank": 3},
    {"id": "p4", "title": "Sony SRS-XB13 Extra Bass", "brand": "Sony", "price": 48.0, "systemRank": 4},
]


def query(qid: str, text: str, at: int, **prefs: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "searchText": text,
        "status": "completed",
        "createdAt": at,
        "preferences": {
            "minPrice": None,
            "maxPrice": None,
            "minRating": None,
            "targetRetailers": [],
            **prefs,
        },
    }


def saved(*pids: str) -> list[dict[str, Any]]:
    return [{"id": f"s-{pid}", "productId": pid, "savedAt": 100 - i} for i, pid in enumerate(pids)]


Q1 = query("q1", "bluetooth speaker", 1, maxPrice=50.0)
BEFORE = State(queries=[Q1], saved=[], shown=SHOWN)


def after_search(q: dict[str, Any], shown: list[dict[str, Any]] | None = None) -> State:
    return State(queries=[Q1, q], saved=[], shown=shown if shown is not None else SHOWN)


# ------------------------------------------------------------------ search


def test_a_search_with_the_filters_asked_passes() -> None:
    spec = {"search": {"query_has": ["laptop"], "query_lacks": ["bucks", "college"], "max_price": 800}}
    after = after_search(query("q2", "laptop", 2, maxPrice=800.0))
    assert judge_turn(spec, BEFORE, after, "Laptops under 800 dollars.") == []


@pytest.mark.parametrize(
    ("q", "needle"),
    [
        (query("q2", "laptop for college", 2, maxPrice=800.0), "has 'college'"),
        (query("q2", "notebook", 2, maxPrice=800.0), "lacks 'laptop'"),
        (query("q2", "laptop", 2, minPrice=800.0), "max_price None != 800"),
        (query("q2", "laptop", 2, maxPrice=800.0, minRating=4.0), "min_rating set"),
        (query("q2", "laptop", 2, maxPrice=850.0), "max_price 850.0 != 800"),
    ],
)
def test_a_search_with_wrong_text_or_filters_fails(q: dict[str, Any], needle: str) -> None:
    spec = {"search": {"query_has": ["laptop"], "query_lacks": ["college"], "max_price": 800}}
    failures = judge_turn(spec, BEFORE, after_search(q), "")
    assert any(needle in f for f in failures), failures


def test_prices_are_equal_within_one_percent() -> None:
    spec = {"search": {"query_has": ["tv"], "min_price": 100, "max_price": 200}}
    after = after_search(query("q2", "tv", 2, minPrice=100.5, maxPrice=199.0))
    assert judge_turn(spec, BEFORE, after, "") == []


@pytest.mark.parametrize(
    ("text", "word", "has"),
    [
        ("phones", "phone", True),
        ("iphone", "phone", False),
        ("kettle 1.7l", "1.7", True),
        ("Bluetooth speakers", "bluetooth speaker", True),
        ("speaker", "bluetooth speaker", False),
        ("tv tomorrow", "to", True),  # the prefix rule of FORMAT.md
    ],
)
def test_query_words_match_as_prefixes_of_words(text: str, word: str, has: bool) -> None:
    assert has_word(text, word) is has


def test_no_search_or_two_searches_fail_a_search_turn() -> None:
    spec = {"search": {"query_has": ["speaker"]}}
    assert judge_turn(spec, BEFORE, BEFORE, "") == ["search: 0 new searches, expected 1"]
    two = State(queries=[Q1, query("q2", "speaker", 2), query("q3", "speaker", 3)], shown=SHOWN)
    assert judge_turn(spec, BEFORE, two, "") == ["search: 2 new searches, expected 1"]


def test_brand_and_color_match_the_text_or_the_filters() -> None:
    spec = {"search": {"query_has": ["headphones"], "brand": "sony", "color": "black"}}
    in_text = after_search(query("q2", "Sony black headphones", 2))
    assert judge_turn(spec, BEFORE, in_text, "") == []
    in_filters = after_search(query("q2", "headphones", 2, brand="Sony", colors=["Black"]))
    assert judge_turn(spec, BEFORE, in_filters, "") == []
    missing = judge_turn(spec, BEFORE, after_search(query("q2", "headphones", 2)), "")
    assert len(missing) == 2


def test_retailers_compare_as_sets() -> None:
    spec = {"search": {"query_has": ["toner"], "retailers": ["icecat"]}}
    ok = after_search(query("q2", "toner", 2, targetRetailers=["Icecat"]))
    assert judge_turn(spec, BEFORE, ok, "") == []
    wrong = after_search(query("q2", "toner", 2, targetRetailers=["best-buy"]))
    assert judge_turn(spec, BEFORE, wrong, "") != []


def test_keep_requires_the_earlier_filter_still_there() -> None:
    spec = {"search": {"query_has": ["speaker"], "color": "blue", "keep": ["max_price"]}}
    kept = after_search(query("q2", "blue bluetooth speaker", 2, maxPrice=50.0))
    assert judge_turn(spec, BEFORE, kept, "") == []
    dropped = after_search(query("q2", "blue bluetooth speaker", 2))
    assert judge_turn(spec, BEFORE, dropped, "") == ["max_price not kept: None (earlier 50.0)"]
    # Without keep, the earlier limit carried over is a filter nobody asked for.
    failures = judge_turn({"search": {"query_has": ["speaker"]}}, BEFORE, kept, "")
    assert failures == ["max_price set to 50.0 but not asked for"]


def test_cheaper_needs_a_max_below_the_cheapest_of_the_top_three() -> None:
    spec = {"search": {"query_has": ["speaker"], "cheaper": True}}
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, maxPrice=35.0)), "") == []
    failures = judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, maxPrice=40.0)), "")
    assert failures == ["cheaper: max_price 40.0 not below the cheapest shown (39.95)"]
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2)), "") == [
        "cheaper: max_price unset"
    ]


def test_pricier_needs_a_min_above_the_earlier_max_or_the_top_three() -> None:
    spec = {"search": {"query_has": ["speaker"], "pricier": True}}
    # Earlier max 50, top three up to 45: a minimum above either bound counts.
    failures = judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, minPrice=44.0)), "")
    assert failures == ["pricier: min_price 44.0 not above [50.0, 45.0]"]
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, minPrice=46.0)), "") == []
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, minPrice=60.0)), "") == []
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2)), "") == [
        "pricier: min_price unset"
    ]


def test_better_rated_needs_a_higher_or_a_four_star_minimum() -> None:
    spec = {"search": {"query_has": ["speaker"], "better_rated": True}}
    assert judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, minRating=4.0)), "") == []
    failures = judge_turn(spec, BEFORE, after_search(query("q2", "speaker", 2, minRating=3.0)), "")
    assert failures == ["better_rated: min_rating 3.0 (earlier None)"]


def test_price_around_allows_a_band_around_the_target() -> None:
    spec = {"search": {"query_has": ["tv"], "price_around": 500}}
    assert judge_turn(spec, BEFORE, after_search(query("q2", "tv", 2, maxPrice=600.0)), "") == []
    ok = after_search(query("q2", "tv", 2, minPrice=400.0, maxPrice=600.0))
    assert judge_turn(spec, BEFORE, ok, "") == []
    assert judge_turn(spec, BEFORE, after_search(query("q2", "tv", 2, maxPrice=800.0)), "") == [
        "price_around 500: max_price 800.0 not in [500, 750]"
    ]
    low = after_search(query("q2", "tv", 2, minPrice=100.0, maxPrice=600.0))
    assert judge_turn(spec, BEFORE, low, "") == ["price_around 500: min_price 100.0 not in [250, 500]"]


def test_price_hint_low_wants_a_max_or_a_price_sort_and_no_min() -> None:
    spec = {"search": {"query_has": ["laptop"], "query_lacks": ["cheap"], "price_hint": "low"}}
    assert judge_turn(spec, BEFORE, after_search(query("q2", "laptop", 2, maxPrice=400.0)), "") == []
    sorted_doc = {**query("q2", "laptop", 2), "sort": "price_low"}
    assert judge_turn(spec, BEFORE, after_search(sorted_doc, [SHOWN[1], SHOWN[0]]), "") == []
    by_page = after_search(query("q2", "laptop", 2), [SHOWN[0], SHOWN[2], SHOWN[1]])
    assert judge_turn(spec, BEFORE, by_page, "") == []  # results ranked cheapest first
    failures = judge_turn(spec, BEFORE, after_search(query("q2", "cheap laptop", 2, minPrice=10.0)), "")
    assert failures == [
        "search text 'cheap laptop' has 'cheap'",
        "price_hint low: no max_price and not sorted by lowest price",
        "price_hint low: min_price set to 10.0",
    ]


def test_price_hint_counts_a_structured_price_preference_as_the_sort() -> None:
    low = {"search": {"query_has": ["laptop"], "price_hint": "low"}}
    doc = query("q2", "laptop", 2, pricePreference="low")
    assert judge_turn(low, BEFORE, after_search(doc, [SHOWN[1], SHOWN[0]]), "") == []
    high = {"search": {"query_has": ["laptop"], "price_hint": "high"}}
    assert judge_turn(high, BEFORE, after_search(query("q2", "laptop", 2, pricePreference="high")), "") == []


def test_price_hint_high() -> None:
    spec = {"search": {"query_has": ["laptop"], "price_hint": "high"}}
    assert judge_turn(spec, BEFORE, after_search(query("q2", "laptop", 2, minPrice=1000.0)), "") == []
    assert judge_turn(spec, BEFORE, after_search(query("q2", "laptop", 2, maxPrice=1000.0)), "") == [
        "price_hint high: no min_price and not sorted by highest price",
        "price_hint high: max_price set to 1000.0",
    ]


def test_more_like_needs_one_search_sharing_a_title_word_or_the_brand() -> None:
    assert judge_turn({"more_like": 3}, BEFORE, after_search(query("q2", "roller speakers", 2)), "") == []
    by_brand = after_search(query("q2", "portable audio", 2, brand="NGS", maxPrice=10.0))
    assert judge_turn({"more_like": 3}, BEFORE, by_brand, "") == []
    # Any shared title word counts, even a colour (the set's rule: 3+ letters, not a stopword).
    assert judge_turn({"more_like": 3}, BEFORE, after_search(query("q2", "blue lamp", 2)), "") == []
    assert judge_turn({"more_like": 3}, BEFORE, after_search(query("q2", "desk lamp", 2)), "") == [
        "more_like: search 'desk lamp' shares no word with 'NGS Roller Coaster speaker Blue'"
    ]
    assert judge_turn({"more_like": 3}, BEFORE, BEFORE, "") == ["more_like: 0 new searches, expected 1"]


# ------------------------------------------------------------------ no_search / no_write / asks


def test_no_search_and_no_write_hold_when_nothing_changes() -> None:
    spec = {"no_search": True, "no_write": True, "mentions": 3}
    assert judge_turn(spec, BEFORE, BEFORE, "That's the NGS Roller Coaster for $40.95.") == []


def test_a_command_run_as_a_search_and_a_stray_save_fail() -> None:
    spec = {"no_search": True, "no_write": True}
    after = State(queries=[Q1, query("q2", "what is in my list", 2)], saved=saved("x1"), shown=[SHOWN[0]])
    failures = judge_turn(spec, BEFORE, after, "")
    assert failures[0] == "searched: ['what is in my list']"
    assert failures[1].startswith("wrote: saved ['x1']")


def test_the_products_on_screen_must_stay_without_a_search() -> None:
    after = State(queries=[Q1], shown=list(reversed(SHOWN)))
    assert judge_turn({"no_search": True}, BEFORE, after, "") == ["the products on screen changed"]


def test_asks_needs_a_question_and_no_effects() -> None:
    assert judge_turn({"asks": True}, BEFORE, BEFORE, "Which one do you mean, the first or the second?") == []
    assert judge_turn({"asks": True}, BEFORE, BEFORE, "I can search, save and compare.") == [
        "reply is not a question"
    ]


# ------------------------------------------------------------------ saved / removed / cart


def test_saved_is_the_product_at_that_position_and_nothing_else() -> None:
    after = State(queries=[Q1], saved=saved("p3"), shown=SHOWN)
    assert judge_turn({"saved": 3}, BEFORE, after, "") == []
    wrong = State(queries=[Q1], saved=saved("p1"), shown=SHOWN)
    failures = judge_turn({"saved": 3}, BEFORE, wrong, "")
    assert len(failures) == 2 and "not saved" in failures[0] and "also saved ['p1']" in failures[1]
    last = State(queries=[Q1], saved=saved("p4"), shown=SHOWN)
    assert judge_turn({"saved": -1}, BEFORE, last, "") == []


def test_saved_beyond_what_is_shown_fails() -> None:
    assert judge_turn({"saved": 7}, BEFORE, BEFORE, "") == ["saved: no product at position 7 (4 shown)"]


def test_removed_by_position_shown() -> None:
    before = State(queries=[Q1], saved=saved("p2", "p3"), shown=SHOWN)
    after = State(queries=[Q1], saved=saved("p3"), shown=SHOWN)
    assert judge_turn({"removed": 2, "no_search": True}, before, after, "") == []
    failures = judge_turn({"removed": 3}, before, after, "")
    assert failures == [
        "removed: product 3 ('NGS Roller Coaster speaker Blue') still saved",
        "removed: also removed ['p2']",
    ]
    assert judge_turn({"removed": 1}, before, before, "") == [
        "removed: product 1 was not saved before the turn"
    ]


def test_removed_saved_counts_in_the_list_as_last_read_out() -> None:
    before = State(queries=[Q1], saved=saved("p4", "p2", "p1"), shown=SHOWN)
    after = State(queries=[Q1], saved=saved("p4", "p1"), shown=SHOWN)
    assert judge_turn({"removed_saved": 2}, before, after, "") == []  # newest first: p4, p2, p1
    memory = Memory(read_out=["p2", "p1"])  # what the assistant read out before p4 was saved
    assert judge_turn({"removed_saved": 1}, before, after, "", memory) == []
    assert judge_turn({"removed_saved": 2}, before, after, "", memory) != []


def test_cart_checks_the_cart_items() -> None:
    after = State(queries=[Q1], cart=[{"id": "c1", "productId": "p2"}], shown=SHOWN)
    assert judge_turn({"cart": 2}, BEFORE, after, "") == []
    assert judge_turn({"cart": 1}, BEFORE, after, "") == ["cart: product 1 not in the cart"]
    assert judge_turn({"no_write": True}, BEFORE, after, "")[0].startswith("wrote:")


# ------------------------------------------------------------------ replies


@pytest.mark.parametrize(
    ("reply", "product", "named"),
    [
        ("That's the JBL one for forty dollars.", SHOWN[0], True),
        ("the jbl go is small", SHOWN[0], True),
        ("The Soundcore speaker is louder.", {**SHOWN[1], "brand": None}, False),  # needs two words
        ("The Anker Soundcore 2 is louder.", {**SHOWN[1], "brand": None}, True),
        ("It is a speaker.", SHOWN[1], False),
        ("the roller coaster one", {"title": "NGS Roller Coaster speaker", "brand": "NGS"}, True),
        ("the roller coaster one", {"title": "NGS Roller Coaster speaker"}, False),  # "ngs roller"
        ("A Sonyish speaker", SHOWN[3], False),  # brand as a whole word
    ],
)
def test_names_product(reply: str, product: dict[str, Any], named: bool) -> None:
    assert names_product(reply, product) is named


def test_mentions_one_or_several_positions() -> None:
    reply = "The JBL is 39.95 and the Anker Soundcore is 45."
    assert judge_turn({"mentions": [1, 2]}, BEFORE, BEFORE, reply) == []
    failures = judge_turn({"mentions": [1, 3]}, BEFORE, BEFORE, reply)
    assert failures == ["mentions: reply does not name product 3 ('NGS Roller Coaster speaker Blue')"]


def test_mentions_saved_uses_where_the_product_was_shown_when_saved() -> None:
    memory = Memory()
    after_save = State(queries=[Q1], saved=saved("p3"), shown=SHOWN)
    memory.observe(BEFORE, after_save, "save")
    assert memory.saved_at == {"p3": 3}
    # A new search replaced the screen; the saved product is still named by its old position.
    later = State(queries=[Q1, query("q2", "laptop", 2)], saved=saved("p3"), shown=[])
    assert judge_turn({"mentions_saved": [3]}, later, later, "You saved the NGS speaker.", memory) == []
    assert judge_turn({"mentions_saved": [3]}, later, later, "Your list is empty.", memory) != []
    assert judge_turn({"mentions_saved": [1]}, later, later, "NGS", memory) == [
        "mentions_saved: nothing was saved from position 1"
    ]


def test_mentions_last_and_extremes() -> None:
    assert judge_turn({"mentions": -1}, BEFORE, BEFORE, "The Sony one.") == []
    assert judge_turn({"mentions_extreme": "cheapest"}, BEFORE, BEFORE, "The JBL Go at 39.95.") == []
    assert judge_turn({"mentions_extreme": "priciest"}, BEFORE, BEFORE, "The Sony, 48 dollars.") == []
    failures = judge_turn({"mentions_extreme": "cheapest"}, BEFORE, BEFORE, "The NGS at 40.95.")
    assert failures == [
        "mentions_extreme cheapest: reply does not name 'JBL Go 3 Portable Speaker' (price 39.95)"
    ]
    rated = [{**SHOWN[0], "rating": 4.1}, {**SHOWN[1], "rating": 4.8}, SHOWN[2], {**SHOWN[3], "rating": 4.8}]
    state = State(queries=[Q1], shown=rated)
    assert judge_turn({"mentions_extreme": "best_rated"}, state, state, "The Sony has 4.8.") == []  # tie
    assert judge_turn({"mentions_extreme": "best_rated"}, BEFORE, BEFORE, "") == [
        "mentions_extreme best_rated: no product on screen has a rating"
    ]


def test_order_of_the_results_on_screen_after_the_turn() -> None:
    by_price = sorted(SHOWN, key=lambda p: p["price"])
    after = State(queries=[Q1], shown=by_price)
    assert judge_turn({"order": "price_asc"}, BEFORE, after, "") == []
    assert judge_turn({"order": "price_desc"}, BEFORE, after, "") == [
        "order price_desc: results on screen are not in that order"
    ]
    assert in_order([{"rating": 5}, {"rating": 4.5}, {"rating": None}, {}], "rating_desc")
    assert not in_order([{"rating": 4}, {"rating": None}, {"rating": 5}], "rating_desc")


def test_saved_brand_is_one_save_of_a_shown_product_of_that_brand() -> None:
    assert (
        judge_turn({"saved_brand": "sony"}, BEFORE, State(queries=[Q1], saved=saved("p4"), shown=SHOWN), "")
        == []
    )
    wrong = State(queries=[Q1], saved=saved("p1"), shown=SHOWN)
    assert judge_turn({"saved_brand": "Sony"}, BEFORE, wrong, "") == [
        "saved_brand: saved 'JBL Go 3 Portable Speaker' (brand 'JBL')"
    ]
    two = State(queries=[Q1], saved=saved("p4", "p1"), shown=SHOWN)
    assert judge_turn({"saved_brand": "Sony"}, BEFORE, two, "") == [
        "saved_brand: 2 products saved, expected 1"
    ]


def test_an_unknown_key_fails_the_turn_instead_of_passing_it() -> None:
    assert judge_turn(
        {"no_write": True, "sorted": 1, "search": {"query_has": ["tv"], "colour": "red"}},
        BEFORE,
        after_search(query("q2", "tv", 2)),
        "",
    ) == ["cannot judge 'sorted'", "cannot judge 'search.colour'"]


def test_reply_has_any() -> None:
    assert judge_turn({"reply_has_any": ["help", "can"]}, BEFORE, BEFORE, "I CAN search.") == []
    assert judge_turn({"reply_has_any": ["bye"]}, BEFORE, BEFORE, "Hello") == ["reply has none of ['bye']"]


def test_memory_records_the_list_as_read_out_on_list_saved_turns() -> None:
    memory = Memory()
    state = State(queries=[Q1], saved=saved("p2", "p1"), shown=SHOWN)
    memory.observe(state, state, "describe")
    assert memory.read_out is None
    memory.observe(state, state, "list_saved")
    assert memory.read_out == ["p2", "p1"]


# ------------------------------------------------------------------ reply text and report


def test_reply_text_joins_llm_runs_and_adds_sentences_only_spoken() -> None:
    messages = [
        {"type": "bot-llm-started"},
        {"type": "bot-llm-text", "data": {"text": "Looking for "}},
        {"type": "bot-llm-text", "data": {"text": "speakers."}},
        {"type": "bot-llm-stopped"},
        {"type": "bot-output", "data": {"text": "Looking for speakers."}},
        {"type": "bot-output", "data": {"text": "Let me look that up."}},
        {"type": "bot-llm-started"},
        {"type": "bot-llm-text", "data": {"text": "I found 3."}},
    ]
    assert reply_text(messages) == "Looking for speakers. I found 3. Let me look that up."


def test_accuracy_per_intent() -> None:
    records = [
        {"intent": "save", "pass": True, "observed_intent": "save"},
        {"intent": "save", "pass": False, "observed_intent": "search"},
        {"intent": "search", "pass": True, "observed_intent": None},
    ]
    summary = accuracy(records)
    assert summary["accuracy"] == 0.667
    assert summary["per_intent"]["save"] == {"turns": 2, "right": 1, "accuracy": 0.5}
    assert summary["intent_agreement"] == 0.5


def test_a_turn_without_a_reply_or_with_a_fatal_error_fails_whatever_it_expects() -> None:
    assert observation_failures(Observed(reply="You're welcome!", errors=["TTS hiccup"]), 20) == []
    assert observation_failures(Observed(reply=""), 20) == ["no reply"]
    failed = Observed(reply="Sorry.", errors=["engine failed"], fatal=["engine failed"], timed_out=True)
    assert observation_failures(failed, 20) == [
        "turn did not end within 20 s",
        "server error: engine failed",
    ]


# ------------------------------------------------------------------ when a turn is over


def feed(tracker: TurnTracker, events: list[tuple[float, str, dict[str, Any]]]) -> list[float]:
    """Feed (time, type, data) events; return the times at which the tracker said "done"."""
    done_at = []
    for at, kind, data in events:
        tracker.feed(kind, data, at)
        if tracker.done(at + 0.01):
            done_at.append(at)
    return done_at


SEARCH_TURN = [  # the old engine, as seen on the stack: its follow-up waits for the speech to end
    (0.05, "user-input", {}),
    (0.10, "bot-llm-started", {}),
    (0.10, "bot-llm-text", {"text": "Looking for speakers."}),
    (0.10, "bot-llm-stopped", {}),
    (0.10, "llm-function-call-in-progress", {}),
    (0.27, "bot-tts-started", {}),
    (1.14, "server-message", {"type": "search-results"}),
    (1.16, "llm-function-call-stopped", {"cancelled": False}),
    (2.36, "bot-started-speaking", {}),  # synthesis took 2 s on a busy machine
    (2.38, "bot-tts-stopped", {}),
    (2.38, "bot-tts-started", {}),
    (3.12, "bot-tts-stopped", {}),
    (4.26, "bot-output", {"text": "Looking for speakers."}),
]


def test_a_tool_turn_waits_for_the_follow_up_answer() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    assert feed(tracker, SEARCH_TURN) == []
    assert not tracker.done(4.0)  # 2.8 s after the tool, the bot still speaking: its follow-up is held
    # The first sentence ends and the filler starts right away: not over in that gap.
    feed(tracker, [(4.95, "bot-stopped-speaking", {}), (4.99, "bot-started-speaking", {})])
    assert not tracker.done(5.5)
    feed(tracker, [(6.0, "bot-stopped-speaking", {}), (6.05, "bot-llm-started", {})])
    assert not tracker.done(7.0)
    feed(tracker, [(6.06, "bot-llm-text", {"text": "I found 10."}), (6.06, "bot-llm-stopped", {})])
    assert not tracker.done(6.3) and tracker.done(6.9)


def test_a_tool_without_a_follow_up_ends_after_a_silence() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    feed(
        tracker,
        [
            (0.1, "user-input", {}),
            (0.2, "bot-llm-started", {}),
            (0.2, "bot-llm-text", {"text": "Goodbye!"}),
            (0.2, "bot-llm-stopped", {}),
            (0.25, "llm-function-call-in-progress", {}),
            (0.26, "llm-function-call-stopped", {}),
            (0.9, "bot-started-speaking", {}),
        ],
    )
    assert not tracker.done(3.0)
    feed(tracker, [(4.09, "bot-stopped-speaking", {})])
    assert not tracker.done(6.5) and tracker.done(7.1)


def test_a_plain_answer_ends_after_the_quiet_gap_and_the_hint_shortens_it() -> None:
    tracker = TurnTracker(quiet=0.9, started=0.0)
    feed(tracker, [(0.1, "user-input", {}), (0.1, "bot-llm-started", {}), (0.1, "bot-llm-stopped", {})])
    assert not tracker.done(0.5) and tracker.done(1.05)
    hinted = TurnTracker(quiet=0.9, started=0.0)
    feed(hinted, [(0.1, "user-input", {}), (0.2, "server-message", {"type": "dialogue-turn", "intent": "x"})])
    assert hinted.done(0.55)
    assert hinted.hint == {"type": "dialogue-turn", "intent": "x"}


def test_the_first_hint_names_the_intent_and_every_hint_adds_its_tools() -> None:
    tracker = TurnTracker(quiet=0.9, started=0.0)
    feed(
        tracker,
        [
            (0.1, "user-input", {}),
            (
                0.1,
                "server-message",
                {"type": "dialogue-turn", "intent": "search", "tools": ["search_products"]},
            ),
            (0.2, "server-message", {"type": "dialogue-turn", "intent": "tool_reply", "tools": []}),
        ],
    )
    assert tracker.hint is not None and tracker.hint["intent"] == "search"
    assert tracker.tools == ["search_products"]


def test_nothing_is_over_before_the_server_saw_the_text() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    feed(tracker, [(0.1, "bot-llm-started", {}), (0.1, "bot-llm-stopped", {})])  # the previous turn's
    assert not tracker.done(5.0)


def test_speech_still_being_synthesized_holds_the_follow_up() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    feed(
        tracker,
        [
            (0.1, "user-input", {}),
            (0.1, "bot-llm-started", {}),
            (0.1, "bot-llm-stopped", {}),
            (0.1, "llm-function-call-in-progress", {}),
            (0.2, "llm-function-call-stopped", {}),
            (0.3, "bot-tts-started", {}),
        ],
    )
    assert not tracker.done(3.0)  # nothing spoken yet, but the voice is being synthesized


def test_a_hinted_tool_turn_waits_longer_for_the_answer() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    feed(
        tracker,
        [
            (0.1, "user-input", {}),
            (0.1, "server-message", {"type": "dialogue-turn", "intent": "save", "tools": ["save_item"]}),
            (0.1, "bot-llm-started", {}),
            (0.1, "bot-llm-stopped", {}),
            (0.1, "llm-function-call-in-progress", {}),
            (0.2, "llm-function-call-stopped", {}),
        ],
    )
    assert not tracker.done(5.0)  # 4.8 s of silence: the answer may still come
    feed(tracker, [(5.1, "bot-llm-started", {}), (5.1, "bot-llm-stopped", {})])
    assert tracker.done(5.5)
    held = TurnTracker(quiet=0.8, started=0.0)
    feed(held, [(0.1, "user-input", {}), (0.1, "server-message", {"type": "dialogue-turn", "tools": ["x"]})])
    feed(held, [(0.1, "llm-function-call-in-progress", {}), (0.2, "llm-function-call-stopped", {})])
    assert not held.done(6.0) and held.done(6.3)  # held by the server: give up after 6 s


def test_a_hinted_end_session_needs_no_answer() -> None:
    tracker = TurnTracker(quiet=0.8, started=0.0)
    feed(
        tracker,
        [
            (0.1, "user-input", {}),
            (0.1, "server-message", {"type": "dialogue-turn", "intent": "goodbye", "tools": ["end_session"]}),
            (0.1, "bot-llm-started", {}),
            (0.1, "bot-llm-stopped", {}),
            (0.1, "llm-function-call-in-progress", {}),
            (0.2, "llm-function-call-stopped", {}),
        ],
    )
    assert tracker.done(3.5)
