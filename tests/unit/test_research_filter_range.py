"""A filter read from the text that no stored query can hold is dropped and said so,
whatever the reader lets through (issue 15, finding 3: never a 500)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shopper.models import QueryPreferences
from shopper.research import service
from shopper.research.types import parse_text


@pytest.fixture
def reader_passes(monkeypatch: pytest.MonkeyPatch):
    def with_filters(**filters: float):
        parsed = parse_text("speaker")
        monkeypatch.setattr(
            service, "parse_text", lambda _text: replace(parsed, filters=replace(parsed.filters, **filters))
        )

    return with_filters


def test_an_out_of_range_price_is_dropped_with_a_note(reader_passes) -> None:
    reader_passes(max_price=99999999999.0, min_price=5.0)
    prefs, notes = service.preferences_from_text("speaker under 99999999999 dollars", QueryPreferences())
    assert (prefs.minPrice, prefs.maxPrice) == (5.0, None)
    assert len(notes) == 1 and "99,999,999,999 is out of range" in notes[0]


def test_an_out_of_range_rating_is_dropped_with_a_note(reader_passes) -> None:
    reader_passes(min_rating=7.0)
    prefs, notes = service.preferences_from_text("speaker rated over 7 stars", QueryPreferences())
    assert prefs.minRating is None and "rating 7" in notes[0]


def test_the_clients_own_filters_win_and_need_no_note() -> None:
    given = QueryPreferences(maxPrice=50)
    assert service.preferences_from_text("speaker under 99999999999 dollars", given) == (given, [])
