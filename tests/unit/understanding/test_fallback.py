"""The learned fallback earns its keep on paraphrases it was never trained on, within budget."""

from __future__ import annotations

import statistics
import time

from shopper_core.understanding import parse_search, understand, warm_up
from shopper_core.understanding.classifier import IntentClassifier, read_examples
from shopper_core.understanding.evaluate import score


def test_the_fallback_beats_rules_alone_on_held_out_paraphrases() -> None:
    examples = read_examples("intent_heldout_b.jsonl")
    rules_only, _, _ = score(False, examples)
    with_model, _, _ = score(True, examples)
    assert with_model > rules_only
    assert with_model >= 0.9


def test_no_training_paraphrase_is_a_held_out_one() -> None:
    train = {text.lower() for text, _ in read_examples("intent_paraphrases.jsonl")}
    for name in ("intent_heldout.jsonl", "intent_heldout_b.jsonl"):
        assert not train & {text.lower() for text, _ in read_examples(name)}


def test_typos_share_their_neighbours() -> None:
    model = IntentClassifier([("what's in my list", "list_saved"), ("compare the first two", "compare")])
    assert model.predict("wat's in my lst").intent == "list_saved"


def test_a_turn_is_read_well_under_20_ms() -> None:
    warm_up()
    examples = read_examples("intent_heldout.jsonl") + read_examples("intent_heldout_b.jsonl")
    _, _, timings = score(True, examples * 3)
    assert statistics.quantiles(timings, n=20)[18] < 20


def test_odd_and_long_input_is_read_quickly_without_errors() -> None:
    warm_up()
    odd = ["under " * 1000, "1" * 5000, "\x00\n\t", "$$$$", "....", "🙂 headphones", "é" * 100]
    for said in odd:
        start = time.perf_counter()
        understand(said)
        parse_search(said)
        assert time.perf_counter() - start < 0.2, said[:20]
