"""Typed and spoken: the same sentence gives the same search, whichever door it came in by."""

from __future__ import annotations

import pytest

from shopper_core.understanding import Context, parse_search, understand

SENTENCES = [
    "I need a laptop for college, nothing over 800 bucks",
    "got any wireless earbuds from Sony?",
    "speaker for 30 bucks",
    "tv 100 to 200 dollars",
    "not more than 30 dollars for a speaker",
    "headphones at best buy",
    "a cheap bluetooth speaker under 30 dollars in black",
    "Eight hundred dollars laptop.",
    "um find me hedphones around 50 dollars",
    "highly rated coffee maker by philips",
    "4k tv between 300 and 500 euros",
    "running shoes size 10 in white",
    "speaker under 99999999999 dollars",
]


@pytest.mark.parametrize("said", SENTENCES)
@pytest.mark.parametrize("context", [Context(), Context(has_results=True, has_search=True)])
def test_spoken_search_has_the_typed_filters(said: str, context: Context) -> None:
    got = understand(said, context)
    assert got.intent == "search", said
    assert got.search == parse_search(said)
