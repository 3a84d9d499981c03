"""Product references: reading them, and resolving them against what was shown or saved."""

from __future__ import annotations

import pytest

from shopper_core.understanding import (
    Context,
    Reference,
    UnclearReference,
    parse_reference,
    resolve,
    understand,
)
from shopper_core.understanding.normalize import normalise

ITEMS = [
    {"title": "WH-1000XM4 Wireless Headphones", "brand": "Sony", "color": "black", "price": 278.0},
    {"title": "MX Master 3 Mouse", "brand": "Logitech", "color": "grey", "price": 99.0},
    {"title": "SRS-XB13 Speaker", "brand": "Sony", "color": "blue", "price": 48.0},
    {"title": "K380 Keyboard", "brand": "Logitech", "color": "white", "price": 39.0},
]


@pytest.mark.parametrize(("said", "reference"), [
    ("the third one", Reference(positions=(3,))),
    ("number 2", Reference(positions=(2,))),
    ("#3", Reference(positions=(3,))),
    ("the last one", Reference(positions=(-1,))),
    ("second to last", Reference(positions=(-2,))),
    ("the second last one", Reference(positions=(-2,))),
    ("the top one", Reference(positions=(1,))),
    ("it", Reference(focus=True)),
    ("that one", Reference(focus=True)),
    ("this", Reference(focus=True)),
    ("the Sony one", Reference(name="sony")),
    ("the black one", Reference(name="black")),
    ("the one from logitech", Reference(name="logitech")),
    ("the first two", Reference(positions=(1, 2))),
    ("the first and third", Reference(positions=(1, 3))),
    ("the second one on my list", Reference(positions=(2,), saved=True)),
    ("the first item in my saved list", Reference(positions=(1,), saved=True)),
    ("the fourth", Reference(positions=(4,))),
    ("compare 1 and 3", Reference(positions=(1, 3))),
    ("number 2 vs number 4", Reference(positions=(2, 4))),
    ("how's the battery on that one", Reference(focus=True)),  # a part of that one, not a name
    ("the top result", Reference(positions=(1,))),  # "result" is no typo of "results"
    ("the one at the bottom", Reference(positions=(-1,))),
    ("the bottom one", Reference(positions=(-1,))),
])  # fmt: skip
def test_parse_reference(said: str, reference: Reference) -> None:
    assert parse_reference(normalise(said)) == reference


def test_no_reference() -> None:
    assert parse_reference(normalise("headphones under 100")) is None


@pytest.mark.parametrize(("reference", "focus", "indices"), [
    (Reference(positions=(3,)), None, [2]),
    (Reference(positions=(-1,)), None, [3]),
    (Reference(positions=(-2,)), None, [2]),
    (Reference(positions=(1, 2)), None, [0, 1]),
    (Reference(focus=True), 2, [2]),
    (Reference(), 1, [1]),
    (Reference(name="black"), None, [0]),
    (Reference(name="keyboard"), None, [3]),
    (Reference(name="logitech mouse"), None, [1]),
    (Reference(name="sony", positions=(2,)), None, [2]),
])  # fmt: skip
def test_resolve(reference: Reference, focus: int | None, indices: list[int]) -> None:
    assert resolve(reference, ITEMS, focus) == indices


@pytest.mark.parametrize(("reference", "focus", "sentence"), [
    (Reference(name="sony"), None, "Several products shown match sony. Which number?"),
    (Reference(name="bose"), None, "None of the products shown match bose. Which number?"),
    (Reference(positions=(7,)), None, "There are only 4 products shown. Which number?"),
    (Reference(focus=True), None, "Which one do you mean? Say its number, like the second one."),
])  # fmt: skip
def test_unclear_references_say_why(reference: Reference, focus: int | None, sentence: str) -> None:
    with pytest.raises(UnclearReference) as caught:
        resolve(reference, ITEMS, focus)
    assert str(caught.value) == sentence
    assert isinstance(caught.value, ReferenceError)


def test_nothing_to_pick_from() -> None:
    with pytest.raises(UnclearReference, match="list is empty"):
        resolve(Reference(positions=(1,), saved=True), [], None)


@pytest.mark.parametrize(
    ("said", "intent", "index"),
    [
        ("save the iphone 13 pro", "save", 0),
        ("save the iphone x", "save", 1),
        ("how much is the iphone x", "price", 1),
        ("tell me about the galaxy", "describe", 2),
        ("add the galaxy s21 to my cart", "add_to_cart", 2),
    ],
)
def test_a_product_is_named_by_the_words_of_its_name_on_screen(said: str, intent: str, index: int) -> None:
    names = ("Apple iPhone 13 Pro", "Apple iPhone X", "Samsung Galaxy S21")
    context = Context(has_results=True, has_search=True, shown_names=names)
    got = understand(said, context)
    assert got.intent == intent and got.reference is not None
    assert resolve(got.reference, [{"title": n} for n in names], None) == [index]


@pytest.mark.parametrize(("extreme", "index"), [("cheapest", 3), ("most_expensive", 0)])
def test_a_superlative_picks_by_price_among_what_the_name_leaves(extreme: str, index: int) -> None:
    assert resolve(Reference(extreme=extreme), ITEMS, None) == [index]  # type: ignore[arg-type]
    sony = resolve(Reference(name="sony", extreme=extreme), ITEMS, None)  # type: ignore[arg-type]
    assert sony == [2 if extreme == "cheapest" else 0]


def test_best_rated_without_ratings_asks_for_a_number() -> None:
    with pytest.raises(UnclearReference, match="ratings"):
        resolve(Reference(extreme="best_rated"), ITEMS, None)


def test_each_name_picks_its_own_product() -> None:
    assert resolve(Reference(name="logitech", also=("sony",)), ITEMS, None) == [1, 0]
    with pytest.raises(UnclearReference, match="bose"):
        resolve(Reference(name="sony", also=("bose",)), ITEMS, None)


def test_a_question_about_a_name_several_match_is_about_the_first_shown() -> None:
    with pytest.raises(UnclearReference, match="Several"):
        resolve(Reference(name="sony"), ITEMS, None)
    assert resolve(Reference(name="sony"), ITEMS, None, first_of_several=True) == [0]
