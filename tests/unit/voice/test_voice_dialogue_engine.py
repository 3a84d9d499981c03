"""Frame-level tests of the offline dialogue engine, in pipecat's run_test style.

The engine runs between pipecat's real context aggregators, with handlers
registered through ``llm.register_function`` exactly as bot.py does, so each
test sees the tool calls a user's utterance produces, the results flowing
back into the context, and the reply spoken from them.
"""

from __future__ import annotations

from typing import Any

from pipecat.frames.frames import (
    LLMMessagesAppendFrame,
    LLMTextFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.services.llm_service import FunctionCallParams
from pipecat.tests.utils import SleepFrame, run_test

from voice_runtime.services.dialogue_llm import ShoppingDialogueLLMService
from voice_runtime.services.tool_schemas import SHOPPING_SYSTEM_PROMPT, SHOPPING_TOOLS

SPEAKERS = [
    {"id": "p-jbl", "title": "JBL Go 3 Portable Bluetooth Speaker, Black", "price": 39.95,
     "currency": "USD", "brand": "JBL", "rating": 4.7, "source": "catalog", "systemRank": 1,
     "rankReasons": []},
    {"id": "p-anker", "title": "Anker Soundcore 2 - 12W Stereo", "price": 44.99, "currency": "USD",
     "brand": "Anker", "rating": 4.5, "source": "catalog", "systemRank": 2, "rankReasons": []},
    {"id": "p-sony", "title": "Sony SRS-XB13 Extra Bass", "price": 48.0, "currency": "USD",
     "brand": "Sony", "rating": 4.4, "source": "catalog", "systemRank": 3, "rankReasons": []},
]  # fmt: skip


class FakeTools:
    """Tool handlers standing in for voice_runtime/tools.py; they record every call."""

    def __init__(self, products: list[dict[str, Any]] | None = None, fail_search: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.products = SPEAKERS if products is None else products
        self.fail_search = fail_search

    async def search_products(self, params: FunctionCallParams) -> None:
        self.calls.append(("search_products", dict(params.arguments)))
        if self.fail_search:
            await params.result_callback({"error": "research service unavailable", "products": []})
            return
        await params.result_callback(
            {"queryId": f"q{len(self.calls)}", "status": "completed", "products": self.products}
        )

    async def save_item(self, params: FunctionCallParams) -> None:
        self.calls.append(("save_item", dict(params.arguments)))
        args = params.arguments
        if "product_id" in args:
            product = next(p for p in self.products if p["id"] == args["product_id"])
        else:
            position = args["position"]
            product = self.products[-1] if position == -1 else self.products[position - 1]
        await params.result_callback({"saved": True, "productName": product["title"]})

    async def get_user_preferences(self, params: FunctionCallParams) -> None:
        self.calls.append(("get_user_preferences", dict(params.arguments)))
        await params.result_callback(
            {
                "preferences": {
                    "style": ["minimal"],
                    "budget": {"min": 20, "max": 80},
                    "size": [],
                    "productCategories": ["speakers"],
                    "brands": ["Sony", "JBL"],
                    "colors": ["black"],
                }
            }
        )

    async def end_session(self, params: FunctionCallParams) -> None:
        from pipecat.frames.frames import FunctionCallResultProperties

        self.calls.append(("end_session", dict(params.arguments)))
        await params.result_callback({"ended": True}, properties=FunctionCallResultProperties(run_llm=False))


async def converse(
    utterances: list[str], tools: FakeTools | None = None
) -> tuple[FakeTools, list[str], LLMContext]:
    """Speak each utterance into a real aggregator pair around the engine; return calls and replies."""
    tools = tools or FakeTools()
    llm = ShoppingDialogueLLMService(announce_searches=False)
    for name in ("search_products", "save_item", "get_user_preferences", "end_session"):
        llm.register_function(name, getattr(tools, name))
    context = LLMContext(
        messages=[{"role": "system", "content": SHOPPING_SYSTEM_PROMPT}], tools=SHOPPING_TOOLS
    )
    aggregators = LLMContextAggregatorPair(context)
    pipeline = Pipeline([aggregators.user(), llm, aggregators.assistant()])
    frames = []
    for text in utterances:
        frames.append(LLMMessagesAppendFrame([{"role": "user", "content": text}], run_llm=True))
        frames.append(SleepFrame(0.15))
    await run_test(pipeline, frames_to_send=frames)
    # The assistant aggregator writes each spoken reply into the context, as it would for Gemini.
    spoken = [
        m["content"]
        for m in context.get_messages()
        if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), str)
    ]
    return tools, spoken, context


async def test_search_with_price_constraint_calls_search_products_and_speaks_top_products():
    tools, spoken, _ = await converse(["Find me a bluetooth speaker under 50 dollars."])
    assert tools.calls == [("search_products", {"query": "bluetooth speaker", "max_price": 50.0})]
    assert "the JBL Go 3 Portable Bluetooth for 39 dollars 95" in spoken[-1]
    assert "Anker Soundcore 2 for 44 dollars 99" in spoken[-1]


async def test_search_with_colour_brand_and_rating():
    tools, _, _ = await converse(
        ["I'm looking for black noise cancelling headphones from Sony with 4 stars and up"]
    )
    assert tools.calls == [
        (
            "search_products",
            {"query": "noise cancelling headphones", "color": "black", "brand": "Sony", "min_rating": 4.0},
        )
    ]


async def test_refinements_reuse_the_last_search():
    tools, _, _ = await converse(
        [
            "find me a bluetooth speaker under $50",
            "show me cheaper ones in black",
            "in blue",
            "from Sony",
            "more expensive",
        ]
    )
    searches = [args for name, args in tools.calls if name == "search_products"]
    assert searches[0] == {"query": "bluetooth speaker", "max_price": 50.0}
    # Cheaper: 80 % of the mean of the three prices shown (44.31) -> 35.
    assert searches[1] == {"query": "bluetooth speaker", "max_price": 35.0, "color": "black"}
    assert searches[2] == {"query": "bluetooth speaker", "max_price": 35.0, "color": "blue"}
    assert searches[3] == {"query": "bluetooth speaker", "max_price": 35.0, "color": "blue", "brand": "Sony"}
    assert searches[4] == {"query": "bluetooth speaker", "min_price": 48.0, "color": "blue", "brand": "Sony"}


async def test_under_a_price_refines_and_new_product_starts_fresh():
    tools, _, _ = await converse(["speakers in red", "under fifty", "what about headphones"])
    searches = [args for _, args in tools.calls]
    assert searches == [
        {"query": "speakers", "color": "red"},
        {"query": "speakers", "color": "red", "max_price": 50.0},
        {"query": "headphones"},
    ]


async def test_position_references_save_the_right_item():
    tools, spoken, _ = await converse(
        [
            "find me a bluetooth speaker",
            "save the second one",
            "save the last one",
            "number three",
            "I'll take that one",
        ]
    )
    saves = [args for name, args in tools.calls if name == "save_item"]
    assert saves == [{"position": 2}, {"position": -1}, {"position": 1}]
    assert "Saved the Anker Soundcore 2 to your list." in spoken
    # "number three" on its own has no save verb: the engine describes that product instead.
    assert "That's the Sony SRS-XB13 Extra Bass for 48 dollars. It's from Sony, rated 4.4 stars." in " ".join(
        spoken
    )


async def test_save_by_name_uses_the_product_id():
    tools, _, _ = await converse(["find me a bluetooth speaker", "save the Sony one"])
    assert tools.calls[-1] == ("save_item", {"product_id": "p-sony"})


async def test_save_before_any_search_asks_for_a_search_first():
    tools, spoken, _ = await converse(["save the second one"])
    assert tools.calls == []
    assert spoken == ["There's nothing to save yet. Tell me what to look for first."]


async def test_preference_question_calls_get_user_preferences():
    tools, spoken, _ = await converse(["What do I usually like?"])
    assert tools.calls == [("get_user_preferences", {})]
    assert "Sony and JBL" in spoken[-1] and "black" in spoken[-1]


async def test_help_greeting_small_talk_and_thanks_answer_without_tools():
    tools, spoken, _ = await converse(["hello", "what can you do?", "how are you?", "thanks!"])
    assert tools.calls == []
    assert spoken[0].startswith("Hi!")
    assert "bluetooth speaker under 50 dollars" in spoken[1]
    assert "doing great" in spoken[2]
    assert "welcome" in spoken[3]


async def test_goodbye_speaks_then_calls_end_session():
    tools, spoken, _ = await converse(["ok thanks, goodbye"])
    assert tools.calls == [("end_session", {})]
    assert spoken == ["Goodbye! Your saved items will be on your list."]


async def test_failed_search_is_an_apology_and_the_session_goes_on():
    _tools, spoken, _ = await converse(["find me headphones", "help"], FakeTools(fail_search=True))
    assert "Sorry, I couldn't search right now: research service unavailable" in spoken[0]
    assert "bluetooth speaker" in spoken[1]


async def test_empty_results_say_so():
    _, spoken, _ = await converse(["find me a purple toaster under 5 dollars"], FakeTools(products=[]))
    assert spoken[-1].startswith("I couldn't find any toaster under 5 dollars in purple")


async def test_announce_searches_speaks_before_the_call():
    tools = FakeTools()
    llm = ShoppingDialogueLLMService()
    llm.register_function("search_products", tools.search_products)
    context = LLMContext(messages=[{"role": "user", "content": "find me a speaker under 30 dollars"}])
    from pipecat.frames.frames import LLMContextFrame

    down, _ = await run_test(llm, frames_to_send=[LLMContextFrame(context)])
    texts = [f.text for f in down if isinstance(f, LLMTextFrame)]
    assert texts == ["Looking for speaker under 30 dollars."]
    assert tools.calls == [("search_products", {"query": "speaker", "max_price": 30.0})]
