"""Pure parsing and reply helpers of the dialogue engine, the Whisper window maths and the model join."""

from __future__ import annotations

import pytest

from voice_runtime.models import prepare_whisper_model
from voice_runtime.services.dialogue_grammar import (
    SearchArgs,
    normalize,
    parse_position,
    parse_price,
    understand,
    words_to_number,
)
from voice_runtime.services.dialogue_replies import say_price, search_reply, short_name
from voice_runtime.services.whisper_stt import collapse_repeats, window_frames


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("fifty", 50),
        ("one hundred fifty", 150),
        ("a hundred", 100),
        ("twenty five", 25),
        ("two thousand", 2000),
    ],
)
def test_words_to_number(words, value):
    assert words_to_number(words) == value


def test_normalize_turns_currency_and_number_words_into_digits():
    assert normalize("Under $1,299.99!") == "under 1299.99 dollars"
    assert normalize("under fifty bucks") == "under 50 bucks"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("speaker under 50 dollars", (None, 50.0)),
        ("speaker between 20 and 40 dollars", (20.0, 40.0)),
        ("speaker over 100 dollars", (100.0, None)),
        ("speaker for 30 bucks", (None, 30.0)),
        ("speaker around 100 dollars", (80.0, 120.0)),
    ],
)
def test_parse_price(text, expected):
    low, high, rest = parse_price(text)
    assert (low, high) == expected and rest == "speaker"


@pytest.mark.parametrize(
    ("text", "position"),
    [("save the second one", 2), ("number 3", 3), ("the last one", -1), ("that one", 0), ("the 4th", 4)],
)
def test_parse_position(text, position):
    assert parse_position(text) == position


def test_question_that_is_not_shopping_is_not_a_search():
    assert understand("what time is it").kind == "unknown"


def test_constraints_without_product_or_history_ask_for_a_product():
    intent = understand("under 50 dollars")
    assert intent.kind == "unknown" and intent.extra == {"needs": "product"}


def test_refine_cheaper_without_shown_prices_lowers_the_last_ceiling():
    intent = understand("cheaper", SearchArgs("headphones", max_price=100.0), [])
    assert intent.search == SearchArgs("headphones", max_price=80.0)


def test_say_price_and_short_name():
    assert say_price(39.99) == "39 dollars 99"
    assert say_price(45) == "45 dollars"
    assert say_price(10.5, "EUR") == "10 euros 50"
    assert (
        short_name("Sony WH-1000XM5 Wireless Noise Cancelling Headphones, Black")
        == "Sony WH-1000XM5 Wireless Noise Cancelling"
    )
    assert short_name("JBL Go 3 - Portable Speaker") == "JBL Go 3"


def test_whisper_window_and_loop_guard():
    assert window_frames(250, tight=True, min_frames=500, margin_frames=100) == 500
    assert window_frames(720, tight=True, min_frames=500, margin_frames=100) == 900
    assert window_frames(720, tight=False, min_frames=500, margin_frames=100) == 3000
    assert collapse_repeats("Save the last one. Save  the last one. Save the") == "Save the last one."
    assert collapse_repeats("Find shoes. Show me black ones.") == "Find shoes. Show me black ones."


def test_prepare_whisper_model_joins_parts_once(tmp_path):
    folder = prepare_whisper_model(tmp_path / "whisper")
    model_bin = folder / "model.bin"
    assert {p.name for p in folder.iterdir()} >= {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    }
    stamp = model_bin.stat().st_mtime_ns
    assert prepare_whisper_model(folder) == folder
    assert model_bin.stat().st_mtime_ns == stamp


def test_colour_variants_with_the_same_name_are_told_apart_when_spoken() -> None:
    def product(title: str, color: str | None) -> dict:
        return {"title": title, "brand": "NGS", "price": 40.95, "currency": "USD", "color": color}

    reply = search_reply(
        None,
        {
            "status": "completed",
            "products": [
                product("Sony Portable Bluetooth Speaker MBS-100", "Black"),
                product("NGS Roller Coaster 10 W Stereo portable speaker", "Red"),
                product("NGS Roller Coaster 10 W Stereo portable speaker", "Blue"),
            ],
        },
    )
    assert "NGS Roller Coaster 10 W in red for" in reply
    assert "NGS Roller Coaster 10 W in blue for" in reply
    assert "Sony Portable Bluetooth Speaker MBS-100 for" in reply  # unique names stay as they were
