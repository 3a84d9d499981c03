"""Frame-level tests of the offline dialogue engine, in pipecat's run_test style.

The engine runs between pipecat's real context aggregators with the real tools
(`voice_runtime.tools.ShoppingTools`) registered exactly as bot.py registers them, over
a local stand-in of the functions API that speaks its wire format. Each test sees the
requests a shopper's words produce, what was written, the dialogue state after the
turn, and the replies spoken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipecat.frames.frames import LLMMessagesAppendFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frameworks.rtvi import RTVIServerMessageFrame
from pipecat.tests.utils import SleepFrame, run_test

from devstack.fake_functions import SECRET, FakeFunctions, FakeState
from shopper_core.dialogue import ShownProduct
from voice_runtime.dialogue_store import DialogueStore
from voice_runtime.functions_client import FunctionsClient
from voice_runtime.services.dialogue_engine import similar_query
from voice_runtime.services.dialogue_llm import ShoppingDialogueLLMService
from voice_runtime.services.tool_schemas import SHOPPING_SYSTEM_PROMPT, SHOPPING_TOOLS
from voice_runtime.tool_registration import register_tools
from voice_runtime.tools import ShoppingTools


@dataclass
class Conversation:
    state: FakeState
    spoken: list[str]
    store: DialogueStore
    intents: list[str]

    def queries(self) -> list[dict[str, Any]]:
        return list(self.state.queries.values())

    def saved_titles(self) -> list[str]:
        return [item["productName"] for item in self.state.saved]

    def first_shown(self) -> list[dict[str, Any]]:
        """The products of the conversation's first search, in the order shown."""
        first_id = next(iter(self.state.queries))
        found = (p for p in self.state.products.values() if p["queryId"] == first_id)
        return sorted(found, key=lambda p: p["systemRank"])


async def converse(
    utterances: list[str], fake: FakeFunctions | None = None, settle_s: float = 0.0
) -> Conversation:
    """Say each utterance into a real aggregator pair around the engine and the real tools."""
    own = fake is None
    fake = fake or FakeFunctions().__enter__()
    client = FunctionsClient(fake.url, SECRET)
    try:
        store = DialogueStore()
        tools = ShoppingTools(client=client, session_id="s1", user_id="u1", store=store)
        llm = ShoppingDialogueLLMService(store=store)

        async def say(_text: str) -> None:
            return None

        register_tools(llm, tools, say, filler_after_s=5)
        context = LLMContext(
            messages=[{"role": "system", "content": SHOPPING_SYSTEM_PROMPT}], tools=SHOPPING_TOOLS
        )
        aggregators = LLMContextAggregatorPair(context)
        pipeline = Pipeline([aggregators.user(), llm, aggregators.assistant()])
        frames = []
        for text in utterances:
            frames.append(LLMMessagesAppendFrame([{"role": "user", "content": text}], run_llm=True))
            frames.append(SleepFrame(0.3))
        frames.append(SleepFrame(settle_s))
        down, _ = await run_test(pipeline, frames_to_send=frames)
        intents = [
            f.data["intent"]
            for f in down
            if isinstance(f, RTVIServerMessageFrame)
            and f.data.get("type") == "dialogue-turn"
            and f.data["intent"] != "tool_reply"
        ]
        spoken = [
            m["content"]
            for m in context.get_messages()
            if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), str)
        ]
        return Conversation(fake.state, spoken, store, intents)
    finally:
        await client.aclose()
        if own:
            fake.__exit__(None, None, None)


async def test_a_spoken_price_limit_is_applied_and_the_search_is_echoed_as_understood() -> None:
    talk = await converse(["I need a bluetooth speaker, nothing over 45 bucks"])
    [query] = talk.queries()
    assert query["preferences"]["maxPrice"] == 45
    assert "speaker" in query["searchText"].lower()
    assert talk.spoken[0].startswith("Sure. Looking for bluetooth speaker under $45")
    assert "I found 3 options" in talk.spoken[-1]
    assert all(p.price is not None and p.price <= 45 for p in talk.store.state.results)


async def test_brand_from_the_catalog_and_relative_refinements_reuse_the_search() -> None:
    talk = await converse(
        ["got any speakers from Sony?", "show me cheaper ones", "what about something pricier"]
    )
    first, cheaper, pricier = talk.queries()
    assert "sony" in first["searchText"].lower()
    assert cheaper["preferences"]["maxPrice"] < 48
    assert "sony" in cheaper["searchText"].lower()
    assert "minPrice" in pricier["preferences"]
    assert talk.intents == ["search", "refine", "refine"]


async def test_tell_me_about_the_third_one_then_save_it_saves_the_third() -> None:
    talk = await converse(["find me a bluetooth speaker", "tell me more about the third one", "save it"])
    third = talk.store.state.results[2]
    assert third.title.split()[0] in talk.spoken[2]
    assert talk.saved_titles() == [third.title]
    assert talk.store.state.focus == third.id


async def test_how_much_is_it_answers_about_the_focus_without_a_tool() -> None:
    talk = await converse(["bluetooth speakers", "the second one", "how much is it"])
    second = talk.store.state.results[1]
    assert f"${second.price:.2f}" in talk.spoken[-1]
    assert len(talk.queries()) == 1


async def test_whats_in_my_list_lists_without_searching_or_saving() -> None:
    talk = await converse(["bluetooth speaker", "save the first one", "what's in my list?"])
    assert len(talk.queries()) == 1
    assert len(talk.state.saved) == 1
    assert "one saved item" in talk.spoken[-1]
    assert talk.intents[-1] == "list_saved"


async def test_remove_that_takes_the_saved_focus_off_the_list_and_keeps_the_results() -> None:
    talk = await converse(["running shoes", "save the second one", "remove that"])
    assert talk.state.saved == []
    assert len(talk.queries()) == 1
    assert len(talk.store.state.results) == 2
    assert "off your list" in talk.spoken[-1]


async def test_compare_the_first_two_answers_from_what_is_shown() -> None:
    talk = await converse(["bluetooth speaker", "compare the first two"])
    first, second = talk.store.state.results[:2]
    assert len(talk.queries()) == 1
    assert first.brand in talk.spoken[-1] or first.title.split()[0] in talk.spoken[-1]
    assert "cheaper" in talk.spoken[-1]
    assert second.title.split()[0] in talk.spoken[-1]


async def test_which_one_is_cheapest_names_it_and_puts_it_in_focus() -> None:
    talk = await converse(["bluetooth speaker", "which one is cheapest?", "save it"])
    cheapest = min(talk.store.state.results, key=lambda p: p.price or 0)
    assert "cheapest" in talk.spoken[2].lower()
    assert talk.saved_titles() == [cheapest.title]


async def test_save_before_any_search_asks_and_writes_nothing() -> None:
    talk = await converse(["save it"])
    assert talk.state.saved == []
    assert talk.queries() == []
    assert talk.spoken[-1].endswith("?")


async def test_what_is_not_understood_never_searches_and_never_writes() -> None:
    talk = await converse(["bluetooth speaker", "what's the weather like in Paris tomorrow?", "asdf qwerty"])
    assert len(talk.queries()) == 1
    assert talk.state.saved == [] and talk.state.cart == []
    assert talk.intents[1:] == ["unknown", "unknown"]


async def test_add_it_to_my_cart_uses_the_same_references_as_save() -> None:
    talk = await converse(["running shoes", "tell me about the first one", "add it to my cart"])
    assert [item["productId"] for item in talk.state.cart] == [talk.store.state.results[0].id]
    assert "cart" in talk.spoken[-1]


async def test_preferences_greeting_help_thanks_and_goodbye() -> None:
    talk = await converse(["hello", "what can you do?", "what do I usually like?", "thanks!", "bye"])
    assert talk.intents == ["greeting", "help", "preferences", "thanks", "goodbye"]
    assert "Sony" in " ".join(talk.spoken)
    assert talk.queries() == []


async def test_a_failed_search_is_an_apology_and_the_session_goes_on() -> None:
    with FakeFunctions() as fake:
        fake.state.fail_routes.add("/pipecat/trigger-research")
        talk = await converse(["find me a bluetooth speaker", "hello"], fake)
    assert "Sorry" in talk.spoken[1]
    assert talk.intents == ["search", "greeting"]


async def test_no_chat_reply_carries_an_internal_id() -> None:
    talk = await converse(["bluetooth speaker", "save the first one", "what's in my list"])
    ids = {p.id for p in talk.store.state.results} | {item["id"] for item in talk.state.saved}
    assert not any(i in reply for reply in talk.spoken for i in ids)


async def test_and_the_second_repeats_the_last_save_on_another_product() -> None:
    talk = await converse(["bluetooth speaker", "save the first one", "and the third one too"])
    first, third = talk.store.state.results[0], talk.store.state.results[2]
    assert talk.saved_titles() == [first.title, third.title]


async def test_sort_them_by_price_reorders_what_is_on_screen_with_a_new_search() -> None:
    talk = await converse(["bluetooth speaker", "sort them by price, lowest first"])
    first, sorted_search = talk.queries()
    assert sorted_search["preferences"].get("sort") == "price_low"
    assert sorted_search["searchText"] == first["searchText"]


async def test_right_after_a_search_that_one_is_the_top_pick() -> None:
    talk = await converse(["bluetooth speaker", "what's that one like", "nice ok save that one"])
    top = talk.first_shown()[0]
    assert talk.intents == ["search", "describe", "save"]
    assert talk.saved_titles() == [top["title"]]


async def test_cheaper_after_a_floor_drops_the_floor() -> None:
    talk = await converse(["bluetooth speaker over 40", "oof ok maybe something cheaper"])
    _, cheaper = talk.queries()
    assert cheaper["preferences"].get("minPrice") is None and cheaper["preferences"]["maxPrice"] > 0


async def test_a_wireless_one_keeps_the_product_and_adds_the_word() -> None:
    talk = await converse(["noise cancelling headphones", "a wireless one"])
    _, refined = talk.queries()
    assert talk.intents == ["search", "refine"]
    assert refined["searchText"].lower() == "wireless noise cancelling headphones"


async def test_a_gift_with_nothing_else_said_asks_who_it_is_for() -> None:
    talk = await converse(["i need a gift"])
    assert talk.queries() == [] and talk.spoken[-1].endswith("?")


async def test_both_of_them_and_each_other_compare_the_two_shown_first() -> None:
    talk = await converse(
        ["bluetooth speaker", "tell me about the third one", "how do they stack up against each other",
         "tell me about both of them"]
    )  # fmt: skip
    shown = talk.first_shown()
    for reply in talk.spoken[-2:]:
        assert shown[0]["brand"] in reply and shown[1]["brand"] in reply, reply
    assert len(talk.queries()) == 1


async def test_a_yes_or_no_question_about_a_feature_is_answered_from_the_listing() -> None:
    talk = await converse(
        ["bluetooth speaker", "does the first one have bluetooth?", "is it noise cancelling?"]
    )
    assert talk.intents == ["search", "describe", "describe"] and len(talk.queries()) == 1
    assert "Yes, it has bluetooth." in talk.spoken[-2]
    assert "Its listing doesn't mention noise cancelling." in talk.spoken[-1]
    assert talk.saved_titles() == []


async def test_say_that_again_repeats_the_last_answer_and_does_nothing_else() -> None:
    talk = await converse(["bluetooth speaker", "sorry, can you say that again?"])
    assert talk.intents == ["search", "smalltalk"] and len(talk.queries()) == 1
    first_answer = [s for s in talk.spoken if s.startswith("I found")]
    assert first_answer and first_answer[0] in talk.spoken[-1]


async def test_sort_high_to_low_says_the_products_dearest_first() -> None:
    talk = await converse(["bluetooth speaker", "sort by price high to low"])
    shown = talk.store.state.results
    prices = [p.price for p in shown]
    assert prices == sorted(prices, reverse=True) and len(prices) > 2
    reply = talk.spoken[-1]
    named = [reply.find(p.brand or "") for p in shown[:3]]
    assert reply.startswith("From the highest price") and named == sorted(named) and -1 not in named


async def test_a_limit_said_while_the_search_runs_refines_that_search() -> None:
    # "I need a bluetooth speaker ... nothing over 30 bucks": a pause splits it into two turns,
    # the second said before the first search has landed.
    with FakeFunctions() as fake:
        fake.state.research_delay_s = 0.6
        talk = await converse(["bluetooth speaker", "nothing over 30 bucks"], fake, settle_s=1.5)
    first, refined = talk.queries()
    assert refined["preferences"]["maxPrice"] == 30
    assert refined["searchText"] == first["searchText"]
    assert talk.intents == ["search", "refine"]
    assert talk.store.state.search is not None and talk.store.state.search.maxPrice == 30
    assert talk.store.state.results and all((p.price or 0) <= 30 for p in talk.store.state.results)


async def test_more_like_number_two_searches_the_kind_of_product_it_is() -> None:
    talk = await converse(["noise cancelling headphones", "more like number 2"])
    _, similar = talk.queries()
    assert talk.intents == ["search", "more_like"]
    assert "headphones" in similar["searchText"].lower()


async def test_more_like_number_two_but_cheaper_stays_below_its_price() -> None:
    talk = await converse(["noise cancelling headphones", "something like number 2 but cheaper"])
    shown = talk.first_shown()
    _, similar = talk.queries()
    assert talk.intents == ["search", "more_like"]
    assert similar["preferences"]["maxPrice"] < shown[1]["price"] and "minPrice" in similar["preferences"]


async def test_save_the_first_two_saves_both_and_confirms_once() -> None:
    talk = await converse(["bluetooth speaker", "save the first two", "add the first and third to my cart"])
    shown = talk.first_shown()
    assert talk.intents == ["search", "save", "add_to_cart"]
    assert sorted(talk.saved_titles()) == sorted(p["title"] for p in shown[:2])
    assert sorted(i["productName"] for i in talk.state.cart) == sorted(
        p["title"] for p in (shown[0], shown[2])
    )
    assert "They're both on your list." in talk.spoken and "They're both in your cart." in talk.spoken
    assert len(talk.queries()) == 1  # the results stayed


async def test_compare_a_named_product_with_a_position_compares_those_two() -> None:
    talk = await converse(["bluetooth speaker", "compare the jbl with the third one"])
    shown = talk.first_shown()
    assert talk.intents == ["search", "compare"] and len(talk.queries()) == 1
    reply = talk.spoken[-1]
    assert shown[0]["brand"] == "JBL" and "JBL" in reply and shown[2]["brand"] in reply
    assert shown[1]["brand"] not in reply


async def test_save_all_of_them_saves_every_product_shown() -> None:
    talk = await converse(["noise cancelling headphones", "save all of them"])
    shown = talk.first_shown()
    assert talk.intents == ["search", "save"] and len(talk.saved_titles()) == len(shown) > 1


async def test_cheaper_than_a_named_product_is_below_its_price_not_its_brand() -> None:
    talk = await converse(["noise cancelling headphones", "anything cheaper than the sony"])
    shown = talk.first_shown()
    _, cheaper = talk.queries()
    assert talk.intents == ["search", "refine"]
    # below the Sony (shown first), not below the cheapest shown (the Anker, far cheaper)
    assert shown[0]["brand"] == "Sony"
    assert shown[1]["price"] < cheaper["preferences"]["maxPrice"] < shown[0]["price"]
    assert "brand" not in cheaper["preferences"]
    assert cheaper["searchText"] == talk.queries()[0]["searchText"]


def test_more_like_this_searches_what_its_title_names_not_the_old_search() -> None:
    lens = ShownProduct(id="p1", rank=1, title="Canon EF 50mm f/1.8 STM Lens", category="camera lenses")
    assert similar_query(lens, "camera") == "lens"
    speaker = ShownProduct(id="p2", rank=1, title="JBL Go 3 Portable Bluetooth Speaker - Black")
    assert similar_query(speaker, "bluetooth speaker") == "portable bluetooth speaker"
    bare = ShownProduct(
        id="p4",
        rank=1,
        title="Sony SAL55200-2",
        description="SAL552002 55-200mm F4-5.6 SAM Telephoto Zoom Lens for Digital SLR Cameras",
    )
    assert similar_query(bare, "sony camera") == "zoom lens"  # from its description
    phone = ShownProduct(id="p3", rank=1, title="Apple iPhone 13 Pro", category="smartphones")
    assert similar_query(phone, "phone") == "smartphones"


async def test_the_cart_is_read_out_and_an_item_taken_out_without_a_search() -> None:
    talk = await converse(
        [
            "bluetooth speaker",
            "add the first one to my cart",
            "put the third one in the cart too",
            "what's in my cart?",
            "take the first one out of my cart",
            "what is in my cart",
        ]
    )
    first, third = talk.store.state.results[0], talk.store.state.results[2]
    assert talk.intents[3:] == ["list_cart", "remove_from_cart", "list_cart"]
    assert len(talk.queries()) == 1
    assert [i["productId"] for i in talk.state.cart] == [first.id]  # newest first: the third went
    assert any(f"Taking the {third.title.split()[0]}" in s for s in talk.spoken)
    assert "one item in your cart" in talk.spoken[-1]


async def test_empty_my_cart_and_clear_my_list_take_everything_off_and_search_nothing() -> None:
    talk = await converse(
        [
            "bluetooth speaker",
            "add the first one to my cart",
            "put the second one in my basket too",
            "save the third one",
            "empty my cart",
            "clear my saved list",
            "what's in my cart",
        ]
    )
    assert talk.intents[4:] == ["remove_from_cart", "remove", "list_cart"]
    assert len(talk.queries()) == 1
    assert talk.state.cart == [] and talk.state.saved == []
    assert any("took 2 items off your cart" in s for s in talk.spoken)
    assert any("took 1 item off your list" in s for s in talk.spoken)


async def test_clear_the_filters_and_all_the_named_ones_never_empty_the_list() -> None:
    saves = ["bluetooth speaker", "save the first one", "save the second one"]
    talk = await converse([*saves, "clear the filters"])
    assert talk.intents[-1] == "unknown" and len(talk.state.saved) == 2
    first_brand = (talk.store.state.results[0].brand or "").lower()
    talk = await converse([*saves, f"remove all the {first_brand} ones"])
    assert len(talk.state.saved) >= 1  # a name said: one item named, never the whole list


async def test_the_cheapest_one_is_saved_not_the_one_in_focus() -> None:
    talk = await converse(["bluetooth speaker", "tell me about the second one", "save the cheapest one"])
    results = talk.store.state.results
    cheapest = min((p for p in results if p.price is not None), key=lambda p: p.price or 0)
    assert [i["productId"] for i in talk.state.saved] == [cheapest.id]


async def test_a_question_about_a_shown_product_describes_it_and_keeps_the_results() -> None:
    talk = await converse(["bluetooth speaker", "is the first one waterproof?"])
    first = talk.store.state.results[0]
    assert talk.intents == ["search", "describe"]
    assert len(talk.queries()) == 1
    assert talk.store.state.focus == first.id


async def test_compare_two_products_named_by_brand() -> None:
    talk = await converse(["bluetooth speaker"])
    brands = list(dict.fromkeys(p.brand for p in talk.store.state.results if p.brand))
    assert len(brands) >= 2, brands
    a, b = brands[:2]
    talk = await converse(["bluetooth speaker", f"compare the {a.lower()} and the {b.lower()}"])
    assert talk.intents == ["search", "compare"]
    assert a.split()[0] in talk.spoken[-1] and b.split()[0] in talk.spoken[-1]


async def test_a_brand_ruled_out_stays_out_of_the_refined_searches() -> None:
    talk = await converse(["bluetooth speaker from sony", "no sony, and under 60", "in black"])
    _, ruled_out, black = talk.queries()
    assert talk.intents == ["search", "refine", "refine"]
    for query in (ruled_out, black):
        text = query["searchText"]
        assert text.endswith("not Sony") and not text.lower().startswith("sony")
        assert query["preferences"]["maxPrice"] == 60
    assert talk.store.state.search is not None and talk.store.state.search.notBrands == ["Sony"]
    assert any("and not Sony" in s for s in talk.spoken)


async def test_go_back_runs_the_search_before_this_one_again() -> None:
    talk = await converse(
        ["bluetooth speaker under 45", "headphones", "never mind, go back to the previous results"]
    )
    first, _, again = talk.queries()
    assert talk.intents == ["search", "search", "go_back"]
    assert again["searchText"] == first["searchText"] and again["preferences"]["maxPrice"] == 45


def test_a_filler_said_while_the_search_ran_is_not_taken_for_its_answer() -> None:
    from shopper_core.dialogue import DialogueState
    from voice_runtime.services.dialogue_engine import decide

    call = {"id": "c1", "type": "function", "function": {"name": "search_products", "arguments": "{}"}}
    result = {"ok": True, "status": "completed", "count": 0, "products": []}
    messages = [
        {"role": "user", "content": "find me a coffee maker"},
        {"role": "assistant", "content": "Sure. Looking for coffee maker.", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps(result)},
        {"role": "assistant", "content": "Let me look that up."},
    ]
    decision = decide(messages, DialogueState())
    assert decision.intent == "tool_reply" and decision.text
