"""The lexicon is derived from the catalog and cannot drift from it."""

from __future__ import annotations

from shopper.research.catalog_data import load_catalog
from shopper.research.lexicon import LEXICON_PATH, build_lexicon, render
from shopper_core.understanding import Lexicon


def test_the_committed_lexicon_is_what_the_catalog_gives() -> None:
    assert LEXICON_PATH.read_text(encoding="utf-8") == render(build_lexicon(load_catalog())), (
        "regenerate with: cd functions && python -m shopper.research.lexicon --write"
    )


def test_default_lexicon() -> None:
    lexicon = Lexicon.default()
    assert lexicon is Lexicon.default()
    assert lexicon.brands["sony"] == "Sony"
    assert lexicon.colors["gray"] == "grey"
    assert lexicon.retailers["google shopping"] == "serpapi"
    assert lexicon.retailer_names == {
        "icecat": "Icecat",
        "dummyjson": "DummyJSON",
        "serpapi": "Google Shopping",
    }
    assert "best buy" not in lexicon.retailers
