"""The catalog and its search engine, over the bundled product data."""

from __future__ import annotations

import pytest

from shopper.research.catalog_data import (
    CatalogItem,
    derive_category,
    load_catalog,
    split_colors,
)
from shopper.research.engine import SearchEngine
from shopper.research.text import analyze, replaced_stems
from shopper.research.types import ParsedQuery, SearchFilters, SortHint, parse_text


@pytest.fixture(scope="module")
def items() -> list[CatalogItem]:
    return load_catalog()


@pytest.fixture(scope="module")
def engine(items: list[CatalogItem]) -> SearchEngine:
    return SearchEngine(items)


def item(id: str, title: str, **kw) -> CatalogItem:
    base = dict(id=id, retailer="icecat", title=title, brand=None, description="", price=10.0, currency="USD",
                rating=None, reviewsCount=None, availability="unknown", imageUrl=None,
                productUrl=f"https://icecat.biz/p/{id}", colors=(), category=None)  # fmt: skip
    base.update(kw)
    return CatalogItem(**base)


def test_both_files_load_into_one_record_type(items: list[CatalogItem]) -> None:
    retailers = {i.retailer for i in items}
    assert retailers == {"icecat", "dummyjson"}
    assert sum(i.retailer == "icecat" for i in items) == 19406
    assert sum(i.retailer == "dummyjson" for i in items) == 194
    dummy = next(i for i in items if i.retailer == "dummyjson")
    assert dummy.productUrl == f"https://dummyjson.com/products/{dummy.id}"
    assert dummy.rating is not None and dummy.reviewsCount is not None
    assert dummy.availability in {"in_stock", "limited", "out_of_stock"}
    ice = next(i for i in items if i.retailer == "icecat")
    assert ice.productUrl == f"https://icecat.biz/p/{ice.id}"
    assert all(i.price >= 0 for i in items)
    assert sum(i.category is not None for i in items) / len(items) > 0.75


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Lexmark 08A0476 toner cartridge Original Black 1 pc(s)", "toner cartridge"),
        ("HP Compaq nc6400 Notebook PC", "notebook"),
        ("Kensington Smartfit® Single Monitor Arm", "arm"),
        ('Kensington SP Sleeve for iPad - 9"/22cm', "sleeve"),
    ],
)
def test_category_from_title(title: str, category: str) -> None:
    assert derive_category(title) == category


def test_product_type_wins_over_title() -> None:
    assert derive_category("Sony MDR-222KD/PIN Pink", "Headphones") == "headphones"
    assert derive_category("Something toner cartridge", "1") == "toner cartridge"


def test_colours() -> None:
    assert split_colors("Black,Silver") == ("black", "silver")
    assert split_colors("Gray") == ("grey",)
    assert split_colors(None) == ()


def test_synonyms_meet_in_the_middle() -> None:
    assert analyze("head set") == analyze("headset")
    assert analyze("Television") == analyze("TV")
    assert analyze("laptops") == analyze("notebook")
    assert analyze("Bluetooth speakers") == ["bluetooth", "speaker"]


def test_gaming_is_not_a_game() -> None:
    assert analyze("gaming mouse") == ["gaming", "mous"]
    assert analyze("board games") == ["board", "game"]
    engine = SearchEngine(
        [
            item("1", "Spin Master Games Perplexus Beast, 3D Maze Game", category="game"),
            item("2", "ASUS ROG STRIX Z490-A Gaming LGA 1200 ATX", category=None),
        ]
    )
    assert [h.item.id for h in engine.search("gaming pc")] == ["2"]


def test_replaced_stems_are_the_words_a_synonym_swallowed() -> None:
    assert replaced_stems("smart watch") == ["smart", "watch"]
    assert replaced_stems("head set for the car") == ["head", "set"]
    assert replaced_stems("smartwatch") == [] and replaced_stems("bluetooth speaker") == []


def test_the_query_s_own_spelling_breaks_synonym_ties() -> None:
    engine = SearchEngine(
        [
            item("1", "Denver SW-350 smartwatch Black", category="smartwatch"),
            item("2", "Huawei WATCH GT 2e smartwatch Black", category="smartwatch"),
        ]
    )
    assert [h.item.id for h in engine.search("smart watch")] == ["2", "1"]
    assert [h.item.id for h in engine.search("smartwatch")] == ["1", "2"]  # shorter title


def test_mobile_is_a_phone_word() -> None:
    engine = SearchEngine(
        [
            item("1", "Canon CB-2LAE Battery Charger", category="charger"),
            item("2", "Manhattan 130554 mobile device charger Black", category="mobile device charger"),
        ]
    )
    assert next(h.item.id for h in engine.search("phone charger")) == "2"


def test_product_type_beats_accessory() -> None:
    engine = SearchEngine(
        [
            item("1", "Targus Notebook Slip Case notebook case", category="notebook case"),
            item("2", "HP Compaq 615 Notebook PC", category="notebook"),
            item("3", "Newstar notebook desk mount", category="desk mount"),
        ]
    )
    assert next(h.item.id for h in engine.search("notebook")) == "2"
    assert next(h.item.id for h in engine.search("notebook case")) == "1"


def test_synonym_and_expansion_matches(engine: SearchEngine) -> None:
    top = engine.search("head set", limit=5)
    assert top and all("headset" in h.item.title.lower() or "headphone" in h.item.title.lower() for h in top)
    tv = engine.search("television", limit=5)
    assert tv and all("tv" in analyze(h.item.title) for h in tv)
    buds = engine.search("earbuds", limit=10)
    assert any("earphone" in h.item.title.lower() or "headphone" in h.item.title.lower() for h in buds)


def test_brand_query_prefers_the_brand(engine: SearchEngine) -> None:
    hits = engine.search("lenovo", limit=10)
    assert all((h.item.brand or "").lower() == "lenovo" for h in hits)


def test_filters_are_hard(engine: SearchEngine) -> None:
    query = ParsedQuery(
        text="headphones",
        filters=SearchFilters(max_price=30, min_price=5, color="black", retailers=("icecat",)),
    )
    hits = engine.search(query, limit=20)
    assert hits
    for h in hits:
        assert 5 <= h.item.price <= 30 and "black" in h.item.colors and h.item.retailer == "icecat"
    rated = engine.search(ParsedQuery(text="phone", filters=SearchFilters(min_rating=4.5)), limit=20)
    assert rated and all(h.item.rating is not None and h.item.rating >= 4.5 for h in rated)


def test_a_brand_ruled_out_is_never_shown(engine: SearchEngine) -> None:
    plain = engine.search("laptop", limit=10)
    assert any((h.item.brand or "").lower() == "hp" for h in plain)  # the test means something
    said = engine.search(parse_text("laptop but no hp or lenovo"), limit=10)
    assert said and all((h.item.brand or "").lower() not in ("hp", "lenovo") for h in said)
    assert all(h.item.category in ("notebook", "laptops") for h in said[:5])  # laptops, not their RAM


def test_a_robot_or_handheld_vacuum_is_a_vacuum_cleaner(engine: SearchEngine) -> None:
    rowenta = engine.search(parse_text("rowenta vacuum cleaner"), limit=10)
    assert rowenta and (rowenta[0].item.brand or "").lower() == "rowenta"
    assert "vacuum" in rowenta[0].item.title.lower()


def test_cheap_prefers_the_low_end_of_the_asked_type_not_the_cheapest_accessory(engine: SearchEngine) -> None:
    plain = engine.search(ParsedQuery(text="laptop"), limit=10)
    cheap = engine.search(ParsedQuery(text="laptop", sort=SortHint.price_low), limit=10)
    assert sum(h.item.price for h in cheap) < sum(h.item.price for h in plain)
    assert all(h.item.category in ("notebook", "laptops", "chromebook") for h in cheap[:5])
    high = engine.search("high end laptop", limit=10)
    assert sum(h.item.price for h in high) > sum(h.item.price for h in plain)


def test_no_match_and_empty_query(engine: SearchEngine) -> None:
    assert engine.search("qwzxv plorf") == []
    assert engine.search("") == []
    browse = engine.search(ParsedQuery(text="", filters=SearchFilters(brand="Apple")), limit=5)
    assert browse and all(h.item.brand == "Apple" for h in browse)


def test_gaming_pc_finds_gaming_pcs_that_never_say_gaming(engine: SearchEngine) -> None:
    top = engine.search("gaming pc", limit=5)
    assert any("ROG G35DX" in h.item.title for h in top)  # ROG line, GeForce RTX card
    assert sum("PC" in h.item.title or "Legion" in h.item.title for h in top[:3]) == 3


def test_a_product_line_the_catalog_does_not_sell_finds_what_is_made_for_its_kind(
    engine: SearchEngine,
) -> None:
    # no iPod (an MP3 player) in the catalog mentions "ipod": MP3 player cases come before
    # universal remotes, audio cables and holders
    top = engine.search("ipod", limit=10)
    assert sum("player" in (h.item.category or "") for h in top) >= 6
    assert not any((h.item.category or "") in ("remote", "audio cable", "holder") for h in top)


@pytest.mark.parametrize(
    ("query", "model"),
    [("tn2110", "TN-2110"), ("mdr222kd", "MDR-222KD"), ("brother tn2110 toner", "TN-2110")],
)
def test_a_model_number_without_its_hyphen_finds_the_product(
    engine: SearchEngine, query: str, model: str
) -> None:
    assert model in engine.search(query, limit=1)[0].item.title


def test_a_brand_alone_lists_its_main_products_before_accessories_and_parts(engine: SearchEngine) -> None:
    from shopper.research.product_types import is_main_product, product_type

    for brand in ("Sony", "Samsung", "Canon", "Lenovo"):
        hits = engine.search(ParsedQuery(text="", filters=SearchFilters(brand=brand)), limit=10)
        kinds = [product_type(h.item.category, h.item.title, h.item.description) for h in hits]
        assert len(hits) == 10 and all(h.item.brand.lower() == brand.lower() for h in hits)
        assert sum(is_main_product(k) for k in kinds) >= 8, (brand, kinds)
        assert len(set(kinds)) >= 6, (brand, kinds)  # the brand's range, not ten of one kind


def test_browse_order_takes_main_products_first_a_type_at_a_time() -> None:
    import numpy as np

    from shopper.research.engine import browse_order

    nan = float("nan")
    # types: 0 = tv (three of them), 1 = camera, 2 = toner (not a main product), -1 unknown
    kind = np.array([2, 0, 0, 1, -1, 0])
    main = np.array([False, True, True, True, False, True])
    rating = np.array([nan, nan, 4.5, nan, nan, nan])
    released = np.array([1.0, 10.0, 1.0, 5.0, 9.0, 20.0])
    # the best-rated tv, then the camera, then the other tvs newest first; unknown; toner
    assert browse_order(kind, main, rating, released).tolist() == [2, 3, 5, 1, 4, 0]


# ------------------------------------------------------------------ prebuilt index


def test_a_saved_index_loads_and_searches_the_same(engine: SearchEngine, tmp_path) -> None:
    path = tmp_path / "index.pkl"
    engine.save(path, "hash-1")
    loaded = SearchEngine.load(path, "hash-1")
    assert loaded is not None and len(loaded.items) == len(engine.items)
    for text in ("head set", "lenovo notebook", "toner cartridge black", "phone"):
        assert [(h.item, h.score) for h in loaded.search(text)] == [
            (h.item, h.score) for h in engine.search(text)
        ]
    assert SearchEngine.load(path, "hash-2") is None  # catalog or code changed
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle")
    assert SearchEngine.load(tmp_path / "junk.pkl", "hash-1") is None
    assert SearchEngine.load(tmp_path / "missing.pkl", "hash-1") is None


def test_load_or_build_caches_and_rebuilds_when_the_catalog_changes(tmp_path) -> None:
    import gzip
    import json
    import shutil

    from shopper.research.catalog_data import DEFAULT_CATALOG_DIR, DUMMYJSON_FILE, ICECAT_FILE
    from shopper.research.providers.catalog import load_or_build

    catalog, cache = tmp_path / "catalog", tmp_path / "cache"
    catalog.mkdir()
    shutil.copy(DEFAULT_CATALOG_DIR / DUMMYJSON_FILE, catalog / DUMMYJSON_FILE)
    with gzip.open(DEFAULT_CATALOG_DIR / ICECAT_FILE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(next(handle)) for _ in range(40)]

    def write_icecat(count: int) -> None:
        with gzip.open(catalog / ICECAT_FILE, "wt", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in rows[:count])

    write_icecat(30)
    first, how = load_or_build(catalog, cache)
    assert how == "built" and len(first.items) == 30 + 194
    again, how = load_or_build(catalog, cache)
    assert how == "loaded" and [h.item.id for h in again.search("phone")] == [
        h.item.id for h in first.search("phone")
    ]
    write_icecat(40)
    changed, how = load_or_build(catalog, cache)
    assert how == "built" and len(changed.items) == 40 + 194
    assert len(list(cache.glob("catalog-index-*.pkl"))) == 1  # the stale file is removed


# ---------------------------------------------------------------- the kind of product meant


def test_the_asked_type_ranks_above_accessories_and_lookalikes(engine: SearchEngine) -> None:
    phones = engine.search("iphone 8", limit=3)
    assert all(h.item.category == "smartphones" for h in phones)
    cases = engine.search("iphone case", limit=5)
    assert all("case" in (h.item.category or "") or "Case" in h.item.title for h in cases)
    tvs = engine.search("55 inch tv", limit=4)
    assert all(h.item.category == "tv" and "55 inch" in h.matched for h in tvs)
    keyboards = engine.search(
        ParsedQuery(text="mechanical keyboard", filters=SearchFilters(50, 100)), limit=5
    )
    assert all(h.item.category == "keyboard" for h in keyboards)


@pytest.mark.parametrize(
    ("query", "kind_words", "other_kind"),
    [
        # a disc drive is asked for: an external hard disk is another kind of drive
        ("external dvd drive", ("dvd", "cd"), "hard drive"),
        ("cd drive", ("dvd", "cd"), "hard drive"),
    ],
)
def test_a_type_phrase_ranks_its_kind_above_other_kinds_of_its_head_noun(
    engine: SearchEngine, query: str, kind_words: tuple[str, ...], other_kind: str
) -> None:
    titles = [h.item.title.lower() for h in engine.search(query, limit=12)]
    assert not any(other_kind in t for t in titles)
    assert sum(any(w in t for w in kind_words) for t in titles) >= 10


def test_stated_attributes_are_preferred_and_named(engine: SearchEngine) -> None:
    speakers = engine.search("bluetooth speaker", limit=3)
    assert speakers and all("bluetooth" in h.matched for h in speakers)
    drives = engine.search("1tb external hard drive", limit=5)
    assert any("1 TB" in h.matched for h in drives)
    quiet = engine.search("noise cancelling headphones", limit=5)
    assert all("noise cancelling" in h.matched for h in quiet)


def test_a_product_saying_the_opposite_of_a_stated_attribute_ranks_below_the_rest(
    engine: SearchEngine,
) -> None:
    titles = [h.item.title.lower() for h in engine.search("external hard drive", limit=10)]
    assert all("external hard drive" in t for t in titles[:4])
    assert not any("internal" in t for t in titles)


def test_a_gift_request_searches_what_the_person_likes(engine: SearchEngine) -> None:
    hits = engine.search("a gift for my dad who likes coffee", limit=5)
    assert all("coffee" in (h.item.title + (h.item.category or "")).lower() for h in hits)


def test_the_engine_does_not_import_the_provider_or_the_cache() -> None:
    """The index cache is its own module: engine <- index_cache <- providers.catalog, no circle."""
    import subprocess
    import sys

    code = (
        "import sys, shopper.research.engine; "
        "assert 'shopper.research.providers.catalog' not in sys.modules; "
        "assert 'shopper.research.index_cache' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": ":".join(sys.path)})


@pytest.mark.parametrize(
    ("query", "title_has"),
    [("32PFL7603D", "32PFL7603D"), ("samsung UN55TU8000", "UN55TU8000"), ("hp c8754a", "C8754A")],
)
def test_a_model_number_finds_that_model_first(engine: SearchEngine, query: str, title_has: str) -> None:
    assert title_has in engine.search(query, limit=1)[0].item.title


def test_filters_that_leave_none_of_the_asked_kind_leave_nothing(engine: SearchEngine) -> None:
    # Perfumes match, none is under $25: cheap things of other kinds are not what was asked.
    cheap = ParsedQuery(text="perfume", raw_text="perfume under 25", filters=SearchFilters(max_price=25.0))
    assert engine.search(cheap) == []
    anyprice = engine.search(ParsedQuery(text="perfume", raw_text="perfume"))
    assert anyprice and all(h.item.category == "fragrances" for h in anyprice[:5])


def test_a_product_whose_title_names_the_kind_is_kept_though_filed_elsewhere(engine: SearchEngine) -> None:
    # DummyJSON files "Girl Summer Dress" under tops; a dress under $40 rated 4+ is still it.
    query = ParsedQuery(text="dress", filters=SearchFilters(max_price=40.0, min_rating=4.0))
    titles = [h.item.title for h in engine.search(query)]
    assert "Girl Summer Dress" in titles
