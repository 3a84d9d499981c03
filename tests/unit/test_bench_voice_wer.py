"""The STT bench's scorer, and the decoder prompt and fallback rule of the Whisper engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.voice_wer import (
    edit_distance,
    error_lines,
    load_utterances,
    normalized_words,
    parse_model,
    raw_words,
    rescore,
    score,
    summarize,
    word_error_rate,
)
from voice_runtime.services.whisper_stt import decoder_prompt, needs_fallback


@pytest.mark.parametrize(
    ("reference", "hypothesis"),
    [
        ("Find a tablet under 400 dollars.", "Find a tablet under $400."),
        ("Save number three.", "Save number 3."),
        ("Save the second one.", "Save the 2nd one."),
        ("Noise cancelling headphones in grey", "noise-canceling headphones in gray"),
        ("I'd like a robot vacuum.", "I would like a robot vacuum."),
    ],
)
def test_forms_of_the_same_words_are_no_error_once_normalised_but_count_raw(reference, hypothesis) -> None:
    scored = score(reference, hypothesis)
    assert scored["errors"] == 0
    assert scored["errors_raw"] > 0


def test_a_misheard_word_is_an_error_both_ways() -> None:
    scored = score("Show me wool socks.", "Show me well socks.")
    assert (scored["errors"], scored["words"]) == (1, 4)
    assert (scored["errors_raw"], scored["words_raw"]) == (1, 4)


def test_raw_words_drop_only_case_and_edge_punctuation() -> None:
    assert raw_words('Find me sunglasses from Ray-Ban, "now"?') == [
        "find",
        "me",
        "sunglasses",
        "from",
        "ray-ban",
        "now",
    ]


def test_normalised_words_spell_numbers_and_currency_as_digits() -> None:
    assert normalized_words("Find me a speaker under fifty dollars.") == [
        "find",
        "me",
        "a",
        "speaker",
        "under",
        "$50",
    ]


def test_edit_distance_counts_substitutions_insertions_and_deletions() -> None:
    assert edit_distance(["a", "b", "c"], ["a", "x", "c", "d"]) == 2
    assert edit_distance([], ["a"]) == 1
    assert edit_distance(["a"], []) == 1


def test_word_error_rate_sums_errors_over_words_not_a_mean_of_rates() -> None:
    scored = [
        {"errors": 1, "words": 1, "errors_raw": 1, "words_raw": 1},
        {"errors": 0, "words": 9, "errors_raw": 2, "words_raw": 9},
    ]
    assert word_error_rate(scored) == pytest.approx(0.1)
    assert word_error_rate(scored, raw=True) == pytest.approx(0.3)


def test_rescore_and_error_lines_show_each_wrong_utterance() -> None:
    rows = rescore(
        [
            {
                "voice": "v",
                "reference": "Show me wool socks.",
                "r": {"text": "Show me well socks.", "ms": 1.0},
            },
            {"voice": "v", "reference": "Save that one.", "r": {"text": "Save that one.", "ms": 1.0}},
        ]
    )
    assert rows[0]["r"]["errors"] == 1
    assert error_lines(rows, "r") == ["r v norm 1 raw 1: 'Show me wool socks.' -> 'Show me well socks.'"]


def test_the_held_out_utterances_are_new_and_at_least_40() -> None:
    dev = [text for _, text in load_utterances(split="dev")]
    heldout = [text for _, text in load_utterances(split="heldout")]
    assert len(dev) == 54 and len(heldout) >= 40
    assert not {t.lower() for t in dev} & {t.lower() for t in heldout}
    assert len(load_utterances()) == len(dev) + len(heldout)


def test_summary_scores_each_split_apart_and_old_rows_count_as_dev() -> None:
    rows = rescore(
        [
            {
                "voice": "v",
                "reference": "Show me wool socks.",
                "r": {"text": "Show me well socks.", "ms": 1.0},
            },
            {
                "voice": "v",
                "split": "heldout",
                "reference": "Save the third one.",
                "r": {"text": "Save the third one.", "ms": 1.0},
            },
        ]
    )
    summary = summarize(rows, ["r"], ["v"])["r"]
    assert summary["wer_by_split"] == {"dev": 0.25, "heldout": 0.0}
    assert summary["wer_by_split_voice"] == {"dev": {"v": 0.25}, "heldout": {"v": 0.0}}
    assert summary["wer"] == pytest.approx(1 / 8, abs=1e-4)


def test_a_model_is_the_packaged_base_or_a_labelled_folder() -> None:
    assert parse_model("base") == ("base", None)
    assert parse_model("small=/models/small") == ("small", Path("/models/small"))
    with pytest.raises(SystemExit):
        parse_model("small")


class FakeTokenizer:
    sot_prev, sot_sequence, no_timestamps = 1, (2, 3, 4), 5

    def encode(self, text: str) -> list[int]:
        return [100 + len(word) for word in text.split()]


def test_decoder_prompt_puts_hotwords_before_the_prompt_as_faster_whisper_does() -> None:
    prompt = decoder_prompt(FakeTokenizer(), prompt="ab abc", hotwords="a")
    assert prompt == [1, 101, 102, 103, 2, 3, 4, 5]


def test_decoder_prompt_without_text_or_with_timestamps() -> None:
    assert decoder_prompt(FakeTokenizer()) == [2, 3, 4, 5]
    assert decoder_prompt(FakeTokenizer(), prompt="ab", timestamps=True) == [1, 102, 2, 3, 4]


def test_decoder_prompt_keeps_the_newest_223_tokens() -> None:
    prompt = decoder_prompt(FakeTokenizer(), prompt=" ".join(["abc"] * 300), hotwords="a")
    assert prompt[:2] == [1, 103] and len(prompt) == 1 + 223 + 4


def test_fallback_on_an_unsure_or_repeating_decoding_only() -> None:
    assert not needs_fallback("Show me wool socks.", -0.3)
    assert needs_fallback("Show me wool socks.", -1.2)
    assert needs_fallback("Save it. " * 20, -0.2)
    assert not needs_fallback("", -0.5)
