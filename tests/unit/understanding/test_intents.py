"""Intents: every form the shopper uses, read mid-conversation (results shown, a focus)."""

from __future__ import annotations

import pytest

from shopper_core.understanding import Context, Reference, understand

SHOWN = Context(has_results=True, has_search=True, has_focus=True)
FRESH = Context()

CASES = {
    "search": [
        "I need a laptop for college, nothing over 800 bucks",
        "got any wireless earbuds from Sony?",
        "can you find me a coffee maker",
        "I'm looking for running shoes",
        "do you have bluetooth speakers",
        "show me some monitors",
        "find me noise-cancelling headphones under 150 dollars",
        "headphones",
        "any JBL speakers?",
        "um okay so I want a keyboard",
        "labtop under 500",
        "hedphones",
        "earrings under twenty five dollars",
        "perfume",
        "a smartphone under 300",
    ],
    "refine": [
        "cheaper",
        "cheeper",
        "show me cheaper ones in black",
        "something more expensive",
        "better rated ones",
        "only from Sony",
        "under 50 instead",
        "what about in blue",
        "in black",
        "any in red?",
        "less expensive please",
        "make it under 100",
        "those are too pricey",
        "i want to spend less",
        "what if my budget is up to a thousand dollars",
        "ok I can stretch to 1.2k",
        "actually make that over 150",
    ],
    "save": [
        "save it",
        "save the second one",
        "keep that",
        "add it to my list",
        "I'll take the Sony one",
        "bookmark the third one",
        "save number 2",
        "put it on my list",
    ],
    "remove": [
        "remove that",
        "delete the second one from my list",
        "take it off my list",
        "remove it",
        "get rid of the first one",
        "i dont want the second one anymore",
    ],
    "list_saved": [
        "what's in my list?",
        "what have I saved",
        "show my saved items",
        "wat's in my list",
        "what's on my list",
        "my list",
        "read me my saved items",
    ],
    "add_to_cart": [
        "add it to my cart",
        "put the first one in the cart",
        "add the sony one to my basket",
        "buy it",
        "add the first one to cart",
        "ad it to cart",
        "buy number two",
    ],
    "list_cart": [
        "what's in my cart?",
        "whats in my cart right now",
        "show me my cart",
        "what did I put in my cart",
        "how much is my cart",
    ],
    "remove_from_cart": [
        "take the calvin klein perfume out of my cart",
        "remove it from my cart",
        "remove the second one from the cart",
        "delete the first item in my cart",
    ],
    "describe": [
        "tell me more about the third one",
        "what about the second one?",
        "the third one",
        "tell me about it",
        "describe the first one",
        "number 2",
    ],
    "price": [
        "how much is it",
        "what does the second one cost",
        "how much is the sony one",
        "what's the price",
    ],
    "retailer": [
        "where is it sold",
        "which store has that",
        "where can i buy it",
        "who sells the second one",
    ],
    "compare": [
        "compare the first two",
        "how do the first and third compare",
        "what's the difference between them",
        "compare them",
        "which is better, the first or the second",
        "which of these two is better",
    ],
    "superlative": [
        "which one is cheapest",
        "which is the best rated",
        "the most expensive one?",
        "what's the cheapest",
        "which one has the best reviews",
        "ok and which one's the cheapest overall?",
        "and which is the most expensive",
        "which one would you recommend",
        "which of these costs the least",
    ],
    "sort": ["sort them by price", "lowest price first", "sort by rating", "cheapest first"],
    "more_like": [
        "more like this one",
        "show me similar ones",
        "anything similar",
        "more like the second one",
        "more like number 2",
        "more like 2",
    ],
    "go_back": ["never mind, go back to the previous results", "go back", "show me the previous results"],
    "preferences": ["what do I usually like?", "what do you know about my taste", "what are my preferences"],
    "help": ["help", "what can you do", "how does this work", "what can I say"],
    "greeting": ["hi", "hello", "hey there", "good morning", "evening!"],
    "thanks": ["thanks", "thank you so much", "cheers", "great, thanks"],
    "goodbye": [
        "bye",
        "goodbye",
        "that's all",
        "see you later",
        "thats all thanks",
        "ok im done",
        "goodbye and thanks",
    ],
    "smalltalk": ["how are you", "who are you", "tell me a joke", "are you a robot"],
    "unknown": [
        "what's the weather",
        "asdf",
        "what is the capital of France",
        "play some music",
        "qwerty uiop",
        "what time is it",
        "who won the game last night",
        "whats 2 plus 2",
        "",
    ],
}


@pytest.mark.parametrize(("said", "intent"), [(s, i) for i, ss in CASES.items() for s in ss])
def test_intent(said: str, intent: str) -> None:
    assert understand(said, SHOWN).intent == intent


def test_unknown_is_never_a_search_and_is_unsure() -> None:
    for said in CASES["unknown"]:
        got = understand(said, SHOWN)
        assert got.search is None and got.intent == "unknown", said


def test_a_search_with_nothing_on_screen() -> None:
    got = understand("headphones under 100", FRESH)
    assert got.intent == "search" and got.search is not None and got.search.filters.max_price == 100


def test_list_saved_is_neither_a_search_nor_a_save() -> None:
    for said in CASES["list_saved"]:
        got = understand(said, SHOWN)
        assert got.search is None and got.reference is None, said


def test_bare_reference_with_nothing_shown_is_not_sure() -> None:
    assert understand("the third one", FRESH).confidence < 0.8


@pytest.mark.parametrize(("said", "reference"), [
    ("save the second one", Reference(positions=(2,))),
    ("keep that", Reference(focus=True)),
    ("save it", Reference(focus=True)),
    ("I'll take the Sony one", Reference(name="sony")),
    ("delete the second one from my list", Reference(positions=(2,), saved=True)),
    ("compare the first two", Reference(positions=(1, 2))),
    ("how do the first and third compare", Reference(positions=(1, 3))),
    ("tell me more about the third one", Reference(positions=(3,))),
    ("put the first one in the cart", Reference(positions=(1,))),
    ("more like this one", Reference(focus=True)),
    ("the second one on my list", Reference(positions=(2,), saved=True)),
    ("tell me about the first item on my list", Reference(positions=(1,), saved=True)),
    ("save the sony", Reference(name="sony")),
    ("remove the logitech from my list", Reference(name="logitech", saved=True)),
    ("and the second", Reference(positions=(2,))),
    ("save the cheapest one", Reference(extreme="cheapest")),
    ("add the best rated one to my cart", Reference(extreme="best_rated")),
    ("save the cheapest sony one", Reference(name="sony", extreme="cheapest")),
    ("remove the most expensive one", Reference(extreme="most_expensive")),
    ("empty my cart", Reference(every=True)),
    ("clear my saved list", Reference(saved=True, every=True)),
    ("remove all of them from my cart", Reference(cart=True, every=True)),
    ("remove the last one i saved", Reference(positions=(1,), saved=True)),  # the newest
    ("ok grab the cheapest one for me", Reference(extreme="cheapest")),
    ("clear that", Reference(focus=True)),  # one product, not the whole list
    ("wipe my list", Reference(every=True)),
])  # fmt: skip
def test_references_of_commands(said: str, reference: Reference) -> None:
    assert understand(said, SHOWN).reference == reference


NAMED = Context(
    has_results=True,
    has_search=True,
    shown_names=(
        "Sony WH-1000XM4 Headphones",
        "Bose QuietComfort 45",
        "JBL Tune 510BT",
        "Sennheiser HD 450BT",
    ),
)


@pytest.mark.parametrize(("said", "names"), [
    ("compare the sony and the bose", ("sony", "bose")),
    ("how does the jbl stack up against the sennheiser", ("jbl", "sennheiser")),
    ("which is better, the bose or the sony", ("bose", "sony")),
    ("sony vs jbl", ("sony", "jbl")),
    ("which is cheaper, the jbl or the sony", ("jbl", "sony")),
])  # fmt: skip
def test_compare_two_products_named_by_their_names(said: str, names: tuple[str, ...]) -> None:
    u = understand(said, NAMED)
    assert u.intent == "compare"
    assert u.reference is not None and (u.reference.name, *u.reference.also) == names


@pytest.mark.parametrize(("said", "query"), [
    ("need a mechanical keyboard thats not too expensive", "mechanical keyboard"),
    ("whats the best rated perfume", "perfume"),
    ("whats the cheapest laptop", "laptop"),
    ("do you guys have any samsung phones under 500 bucks", "phones"),
    ("can i get some groceries like apples", "groceries like apples"),
    ("hiya, my brother wants some headphones but no sony, under a hundred", "headphones"),
    ("grab me some headphones under 50", "headphones"),
    ("do you have any of those robot vacuums", "robot vacuums"),  # "those" points at nothing shown
    ("what do you have in the way of coffee machines", "coffee machines"),
    ("show me more headphones", "headphones"),
    ("evening, my wife needs a new phone, nothing crazy expensive", "phone"),
    ("morning! i need a kettle", "kettle"),
    # a clause keeps the words the catalog uses and drops the rest
    ("a smartwatch that's waterproof with good battery", "smartwatch waterproof battery"),
    ("i'm looking for a laptop bag that fits a 15 inch laptop", "laptop bag 15 inch"),
    ("hair dryer that's not too loud", "hair dryer"),
    ("i want a black leather jacket nothing crazy expensive", "leather jacket"),
])  # fmt: skip
def test_a_first_request_with_nothing_shown_is_a_search(said: str, query: str) -> None:
    u = understand(said, FRESH)
    assert u.intent == "search" and u.search is not None and u.search.query == query


@pytest.mark.parametrize(("said", "intent"), [
    ("is the first one waterproof", "describe"),
    ("how many stars does the jbl have", "describe"),
    ("what's the rating on the first one", "describe"),
    ("how big is the screen on the second one", "describe"),
    ("what's the warranty on number 3", "describe"),
    ("is the sony one wireless", "describe"),
    ("does the first one come in black", "refine"),  # asks for it in black
    ("how big is the earth", "unknown"),
    ("is there a cheaper one", "refine"),
    ("empty my cart", "remove_from_cart"),
    ("clear the cart", "remove_from_cart"),
    ("remove everything from my list", "remove"),
    ("clear the filters", "unknown"),  # a search setting: never a removal
    ("remove the price limit", "unknown"),
    ("drop it to under 300", "refine"),
    ("do i have anything saved", "list_saved"),
    ("how much is everything in my cart", "list_cart"),
    ("show me the first results again", "go_back"),
    ("please go back to the shirts from before", "go_back"),
    ("go back to the ones you showed me before", "go_back"),
    ("can you track my order from last week?", "unknown"),
    ("the second one, where's it sold?", "retailer"),
    ("which one should i get", "superlative"),
    ("which one should she get", "superlative"),
    ("anything better", "refine"),
    ("do you have the same in a bigger size", "unknown"),  # nothing to filter on: never a search
    ("show me some like the second but cheaper", "more_like"),
    ("more options like the sony", "more_like"),
    ("hows the battery on that one", "describe"),
    ("can you go a bit lower", "refine"),
    ("on sale only", "unknown"),  # nothing the search can change
    ("show me the rest", "unknown"),  # every result is on the page: not a search for "rest"
    ("what else do you have", "unknown"),
    ("next page", "unknown"),
    ("can you repeat that", "smalltalk"),  # topic "repeat": the last answer again
    ("say that again please", "smalltalk"),
    ("what did you just say", "smalltalk"),
    ("show me top rated perfume", "search"),  # a kind not shown: a new search, rated
    ("which of the jbl is best rated", "superlative"),
])  # fmt: skip
def test_mid_conversation_turns_with_named_products_shown(said: str, intent: str) -> None:
    u = understand(said, NAMED)
    assert u.intent == intent
    if intent == "refine":
        assert u.refinement is not None and u.refinement.query is None  # "first" is not a product word


@pytest.mark.parametrize(("said", "ceiling"), [
    ("lower the budget to 500", 500),
    ("raise the limit to 1200", 1200),
    ("set my budget to 300", 300),
    ("bump the max up to 2000", 2000),
])  # fmt: skip
def test_setting_the_limit_to_an_amount_is_the_new_ceiling(said: str, ceiling: float) -> None:
    u = understand(said, NAMED)
    assert u.intent == "refine" and u.refinement is not None
    assert u.refinement.filters.max_price == ceiling and u.refinement.filters.price_preference is None


@pytest.mark.parametrize(("said", "intent", "query"), [
    ("scratch that, show me tablets instead", "search", "tablets"),
    ("no wait, I meant under 300", "refine", None),
    ("on second thought, save the lenovo", "save", None),
    ("never mind that, what's in my cart", "list_cart", None),
])  # fmt: skip
def test_a_correction_marker_gives_way_to_what_follows(said: str, intent: str, query: str | None) -> None:
    u = understand(said, NAMED)
    assert u.intent == intent
    if query:
        assert u.search is not None and u.search.query == query


@pytest.mark.parametrize(("said", "reference", "relative"), [
    ("anything cheaper than the bose", Reference(name="bose"), "cheaper"),
    ("something cheaper than that", Reference(focus=True), "cheaper"),
    ("pricier than number 2", Reference(positions=(2,)), "pricier"),
])  # fmt: skip
def test_cheaper_than_a_shown_product_measures_from_it(
    said: str, reference: Reference, relative: str
) -> None:
    u = understand(said, NAMED)
    assert u.intent == "refine" and u.reference == reference
    assert u.refinement is not None and u.refinement.relative == (relative,)
    assert u.refinement.filters.brand is None  # the bose is the product, not a brand filter
    assert understand("cheaper than 500", NAMED).refinement.filters.max_price == 500  # type: ignore[union-attr]


def test_and_the_next_one_repeats_the_last_command() -> None:
    after_save = Context(has_results=True, has_search=True, has_focus=True, last_intent="save")
    assert understand("and the second", after_save).intent == "save"
    heels = understand("and the calvin klein heels too", after_save)
    assert heels.reference == Reference(name="calvin klein heels")
    after_price = Context(has_results=True, has_search=True, last_intent="price")
    assert understand("and the last one?", after_price).intent == "price"


def test_refinements() -> None:
    got = understand("show me cheaper ones in black", SHOWN)
    assert got.refinement is not None
    assert got.refinement.relative == ("cheaper",) and got.refinement.filters.color == "black"
    assert got.refinement.query is None
    assert understand("only from Sony", SHOWN).refinement.filters.brand == "Sony"  # type: ignore[union-attr]
    assert understand("under 50 instead", SHOWN).refinement.filters.max_price == 50  # type: ignore[union-attr]
    assert understand("better rated ones", SHOWN).refinement.relative == ("better_rated",)  # type: ignore[union-attr]
    assert understand("something more expensive", SHOWN).refinement.relative == ("pricier",)  # type: ignore[union-attr]


@pytest.mark.parametrize(("said", "kind"), [
    ("which one is cheapest", "cheapest"), ("which is the best rated", "best_rated"),
    ("the most expensive one?", "most_expensive"), ("which is most cheap?", "cheapest"),
])  # fmt: skip
def test_superlatives(said: str, kind: str) -> None:
    assert understand(said, SHOWN).superlative == kind


@pytest.mark.parametrize(("said", "key"), [
    ("sort them by price", "price_low"), ("lowest price first", "price_low"), ("sort by rating", "rating"),
    ("most expensive first", "price_high"),
    ("sort these from cheapest to most expensive", "price_low"),
    ("order them most expensive to cheapest", "price_high"), ("sort by price high to low", "price_high"),
    ("sort from low to high", "price_low"), ("sort by rating high to low", "rating"),
])  # fmt: skip
def test_sort_keys(said: str, key: str) -> None:
    assert understand(said, SHOWN).sort == key


def test_confidence_and_source_are_meaningful() -> None:
    sure = understand("save the second one", SHOWN)
    assert sure.confidence >= 0.8 and sure.source == "rules"
    unsure = understand("asdf", SHOWN)
    assert unsure.confidence < 0.8


@pytest.mark.parametrize(("said", "intent"), [
    ("actually show me keyboards", "search"), ("the best rated headphones", "search"),
    ("does it come in black", "refine"), ("is the second one waterproof", "describe"),
    ("no", "smalltalk"), ("never mind", "smalltalk"), ("show me more", "unknown"), ("next page", "unknown"),
    ("the cheapest", "superlative"),
])  # fmt: skip
def test_boundaries_between_intents(said: str, intent: str) -> None:
    assert understand(said, SHOWN).intent == intent


def test_the_model_never_writes_or_ends_the_session_on_a_loose_match() -> None:
    for said in ("next page", "no", "go back", "start over", "hmm okay then"):
        assert understand(said, SHOWN).intent not in ("save", "remove", "add_to_cart", "goodbye"), said


def test_filler_is_not_the_product() -> None:
    got = understand("actually show me keyboards", SHOWN)
    assert got.search is not None and got.search.query == "keyboards"


@pytest.mark.parametrize(("said", "intent"), [
    ("compair the first two", "compare"), ("sav it", "save"), ("whats in my lsit", "list_saved"),
    ("tel me about the thrid one", "describe"), ("how mutch is it", "price"),
    ("add it to my kart", "add_to_cart"),
    ("thnks", "thanks"), ("goodby", "goodbye"), ("which is cheapst", "superlative"), ("remoove it", "remove"),
])  # fmt: skip
def test_typos(said: str, intent: str) -> None:
    assert understand(said, SHOWN).intent == intent


@pytest.mark.parametrize(("said", "brand"), [
    ("hedphones from sonny", "Sony"), ("lenova laptop", "Lenovo"), ("cannon printer", "Canon"),
])  # fmt: skip
def test_misspelt_brands(said: str, brand: str) -> None:
    got = understand(said, SHOWN)
    assert got.search is not None and got.search.filters.brand == brand


@pytest.mark.parametrize("said", ["those are too pricey", "i want to spend less", "cheaper please"])
def test_a_relative_refinement_keeps_the_product_words_of_the_search(said: str) -> None:
    refinement = understand(said, SHOWN).refinement
    assert refinement is not None and refinement.relative == ("cheaper",) and refinement.query is None


@pytest.mark.parametrize(
    ("said", "intent", "query"),
    [
        ("nah go back to the philips ones. which one is the cheapest?", "refine", None),
        ("ok. which one is the cheapest?", "superlative", None),
        ("blenders under 150 then. is the first one any good?", "search", "blenders"),
        ("I need a laptop. Nothing over 800 bucks.", "search", "laptop"),
        ("Hi! I need a laptop.", "search", "laptop"),
        ("Thanks. Save it.", "save", None),
        ("ok. compare the first two. thanks", "compare", None),
        ("save it. now show me headphones", "save", None),
        ("Cool. Now, what's in my cart?", "list_cart", None),
    ],
)
def test_a_turn_of_several_sentences_does_one_thing(said: str, intent: str, query: str | None) -> None:
    got = understand(said, SHOWN)
    assert got.intent == intent
    if query is not None:
        assert got.search is not None and got.search.query == query


@pytest.mark.parametrize(
    ("said", "query", "filters"),
    [
        # as Whisper punctuates a first request: the sentence with only a filter belongs to the search
        ("Okay. Um, I need, uh, a laptop for college. Nothing over $800.", "laptop", {"max_price": 800}),
        ("Show me phones. Samsung, please.", "phones", {"brand": "Samsung"}),
        ("I want a TV. Something big. Like 65 inches.", "tv 65 inches", {}),
        ("Nike running shoes, size nine.", "running shoes", {"brand": "Nike", "size": "9"}),
        ("I need a laptop. What's the weather like?", "laptop", {}),  # off-topic stays out
    ],
)
def test_a_first_request_in_several_sentences_is_one_search(said: str, query: str, filters: dict) -> None:
    got = understand(said, FRESH)
    assert got.intent == "search" and got.search is not None and got.search.query == query
    assert {k: getattr(got.search.filters, k) for k in filters} == filters


@pytest.mark.parametrize(
    ("said", "intent", "reference"),
    [
        ("Yeah, the Bose. Save that one.", "save", Reference(name="bose")),
        ("The JBL. Tell me more about it.", "describe", Reference(name="jbl")),
        ("no the sony. remove it", "remove", Reference(name="sony")),
        ("No. I meant the JBL. Save the JBL.", "save", Reference(name="jbl")),
        # a name and a position compared: the position is named by the title shown there
        ("compare the bose with the third one", "compare", Reference(name="bose", also=("jbl tune 510bt",))),
        ("is the sony cheaper than the bose?", "compare", Reference(name="sony", also=("bose",))),
        ("is the first one better than the second", "compare", Reference(positions=(1, 2))),
        ("alright, let's go with the jbl", "save", Reference(name="jbl")),
        ("i think i'll go for the sennheiser", "save", Reference(name="sennheiser")),
    ],
)
def test_products_named_then_pointed_at_or_compared(said: str, intent: str, reference: Reference) -> None:
    got = understand(said, NAMED)
    assert got.intent == intent and got.reference == reference


@pytest.mark.parametrize(
    ("said", "intent", "kind"),
    [
        # a comparative asked of what is shown is a superlative over it, not a new ceiling
        ("which ones cheaper", "superlative", "cheapest"),
        ("which of those is cheaper", "superlative", "cheapest"),
        ("which one costs less", "superlative", "cheapest"),
        ("which is more expensive", "superlative", "most_expensive"),
        ("which ones better rated", "superlative", "best_rated"),
        ("cheaper", "refine", None),
        ("is there a cheaper one", "refine", None),
    ],
)
def test_which_is_cheaper_picks_among_what_is_shown(said: str, intent: str, kind: str | None) -> None:
    got = understand(said, NAMED)
    assert got.intent == intent and got.superlative == kind


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("cart?", "list_cart"),
        ("my list?", "list_saved"),
        ("and whats left", "list_saved"),
        ("um how does this work, can i save stuff for later", "help"),
        ("more on that one", "describe"),
        ("what's the bose one like", "describe"),
        ("what's the weather like", "unknown"),
        ("lol sorry my cat just walked across the keyboard", "smalltalk"),
        ("which of those two is the better buy", "compare"),
        ("she's not into sony. what's the bose one like", "describe"),  # the aside is no refinement
        ("a wireless one", "refine"),
        ("any waterproof ones", "refine"),
        ("do any of them come in red he's obsessed with red", "refine"),
    ],
)
def test_blind_set_three_phrasings(said: str, intent: str) -> None:
    assert understand(said, NAMED).intent == intent


@pytest.mark.parametrize(
    ("said", "reference"),
    [
        ("how much is the cheaper of the two", Reference(extreme="cheapest")),
        ("tell me about both of them", Reference(positions=(1, 2))),
        ("put both of them in my cart", Reference(positions=(1, 2))),
    ],
)
def test_the_cheaper_of_the_two_and_both_of_them(said: str, reference: Reference) -> None:
    assert understand(said, NAMED).reference == reference


def test_going_back_to_a_brand_refines_the_search() -> None:
    for said in ("go back to the philips ones", "switch back to sony"):
        got = understand(said, SHOWN)
        assert got.intent == "refine" and got.refinement is not None and got.refinement.query is None


@pytest.mark.parametrize(("said", "filters"), [
    ("nothing over forty though", {"max_price": 40.0}),
    ("Samsung if possible", {"brand": "Samsung"}),
    ("oh and she's super picky, only stuff rated 4 stars and up", {"min_rating": 4.0}),
    ("only the really well rated ones, like four and a half stars or more", {"min_rating": 4.5}),
])  # fmt: skip
def test_a_refinement_without_a_product_keeps_the_search_words(said: str, filters: dict[str, object]) -> None:
    u = understand(said, SHOWN)
    assert u.intent == "refine" and u.refinement is not None and u.refinement.query is None
    assert {k: getattr(u.refinement.filters, k) for k in filters} == filters
