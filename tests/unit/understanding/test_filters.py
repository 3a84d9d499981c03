"""Ratings, colours, sizes, brands and retailers in a search."""

from __future__ import annotations

import pytest

from shopper_core.understanding import parse_search


@pytest.mark.parametrize(("said", "rating"), [
    ("mouse 4 stars and up", 4.0), ("mouse with at least 4 stars", 4.0), ("shoes 4+ stars", 4.0),
    ("headset rated 4 or higher", 4.0), ("headset rated 4.5 or higher", 4.5),
    ("highly rated coffee maker", 4.0), ("speaker with 4 stars", 4.0), ("a mouse", None),
])  # fmt: skip
def test_ratings(said: str, rating: float | None) -> None:
    search = parse_search(said)
    assert search.filters.min_rating == rating
    assert "star" not in search.query and "rated" not in search.query


@pytest.mark.parametrize(("said", "colour", "query"), [
    ("laptop in black", "black", "laptop"), ("black ones", "black", ""), ("gray mouse", "grey", "mouse"),
    ("a cheap bluetooth speaker under 30 dollars in black", "black", "bluetooth speaker"),
    ("face cream", None, "face cream"), ("rose gold watch", "rose gold", "watch"),
])  # fmt: skip
def test_colours(said: str, colour: str | None, query: str) -> None:
    search = parse_search(said)
    assert (search.filters.color, search.query) == (colour, query)


@pytest.mark.parametrize(("said", "size", "query"), [
    ("shoes size 10", "10", "shoes"), ("shirt size medium", "medium", "shirt"), ("xl jacket", "xl", "jacket"),
    ("running shoes size 9.5", "9.5", "running shoes"),
])  # fmt: skip
def test_sizes(said: str, size: str, query: str) -> None:
    search = parse_search(said)
    assert (search.filters.size, search.query) == (size, query)


@pytest.mark.parametrize(("said", "brand", "query"), [
    ("headphones from Sony", "Sony", "headphones"),
    ("got any wireless earbuds from Sony?", "Sony", "wireless earbuds"),
    ("mouse by Logitech", "Logitech", "mouse"),
    ("Sony's headphones", "Sony", "headphones"),
    ("SONY TV", "Sony", "tv"),
    ("dell laptop", "DELL", "laptop"),
    ("kingston technology memory", "Kingston Technology", "memory"),
    ("tp link router", "TP-LINK", "router"),
    ("a brother printer", "Brother", "printer"),
    ("printer from brother", "Brother", "printer"),
    ("apple watch", "Apple", "watch"),
    ("echo from amazon", "Amazon", "echo"),
])  # fmt: skip
def test_brands_from_the_catalog(said: str, brand: str, query: str) -> None:
    search = parse_search(said)
    assert (search.filters.brand, search.query) == (brand, query)


@pytest.mark.parametrize(("said", "not_brands", "brand", "query"), [
    ("headphones but not sony", ("Sony",), None, "headphones"),
    ("a laptop, no apple, under 700", ("Apple",), None, "laptop"),
    ("laptops except lenovo", ("Lenovo",), None, "laptops"),
    ("anything but dell or hp laptops", ("DELL", "HP"), None, "laptops"),
    ("phones, i don't want samsung", ("Samsung",), None, "phones"),
    ("sony headphones, not the philips ones", ("Philips",), "Sony", "headphones"),
    ("laptops, i hate hp", ("HP",), None, "laptops"),
    ("phones but i'm not a fan of samsung", ("Samsung",), None, "phones"),
    ("tablets, i'm done with apple", ("Apple",), None, "tablets"),
    ("perfume, she's not into chanel", ("Chanel",), None, "perfume"),
])  # fmt: skip
def test_brands_ruled_out(said: str, not_brands: tuple[str, ...], brand: str | None, query: str) -> None:
    search = parse_search(said)
    assert (search.filters.not_brands, search.filters.brand, search.query) == (not_brands, brand, query)


@pytest.mark.parametrize("said", [
    "a gift for my brother", "the best one", "one tv", "any JBL speakers?", "a gift from grandma",
    "3m hdmi cable", "princess costume",
])  # fmt: skip
def test_ordinary_words_are_not_brands(said: str) -> None:
    assert parse_search(said).filters.brand is None


def test_an_unknown_brand_stays_in_the_product_words() -> None:
    assert parse_search("any JBL speakers?").query == "jbl speakers"


@pytest.mark.parametrize(("said", "retailers", "unknown"), [
    ("printer from google shopping", ("serpapi",), None),
    ("speakers on icecat", ("icecat",), None),
    ("phones from dummyjson", ("dummyjson",), None),
    ("hp laptop at best buy", (), "best buy"),
    ("headphones on amazon", (), "amazon"),
    ("tv at walmart", (), "walmart"),
    ("a tv", (), None),
])  # fmt: skip
def test_retailers(said: str, retailers: tuple[str, ...], unknown: str | None) -> None:
    filters = parse_search(said).filters
    assert (filters.retailers, filters.unknown_retailer) == (retailers, unknown)


@pytest.mark.parametrize(("said", "query"), [
    ("can you find me a labtop", "laptop"), ("hedphones under fifty", "headphones"),
    ("I'm looking for a coffee maker", "coffee maker"),
    ("do you have bluetooth speakers", "bluetooth speakers"),
    ("show me some running shoes", "running shoes"), ("um okay so I need a keyboard please", "keyboard"),
    ("case for iphone", "case for iphone"), ("laptop for college", "laptop"),
    ("laptop for gaming", "laptop for gaming"),
    ("yo can u find me some running shoes under a hundred", "running shoes"),
    ("looking for a gaming mouse, budget is like 40 bucks", "gaming mouse"),
    ("whats a good monitor for under 300", "monitor"), ("need a toaster", "toaster"),
    ("id like a mechanical keyboard", "mechanical keyboard"),
    ("a gift for my mom, maybe a perfume under twenty five bucks", "gift perfume"),
    ("no, I said perfume", "perfume"),
    ("a gift for my dad who likes coffee", "gift for my dad who likes coffee"),
    # typed in a hurry
    ("helo im lookng for a wireles mouse", "wireless mouse"),
    ("cn u show me sum laptops", "laptops"),
    ("i ned a new fone", "phone"),
    ("wat tablets do u have", "tablets"),
    ("any gud deals on tvs", "tvs"),
    ("blutooth headphnes", "bluetooth headphones"),
    ("mechanicl keybord", "mechanical keyboard"),
    ("a coffe maker", "coffee maker"),
    # a purpose phrase keeps only the words the catalog uses
    ("a laptop for my online classes", "laptop for online"),
    ("a monitor for my home office setup", "monitor for home office"),
    ("headphones for working out at the gym", "headphones"),
    ("a case for my iphone", "case for iphone"),
    ("ok now i need a mouse to go with it", "mouse"),
    # the kind turned down goes
    ("actualy i want a toaster not a kettle", "toaster"),
    ("forget phones do you have tablets", "tablets"),
    # a story around the product: only the product's phrase stays
    ("my nephew turns twelve next week and he keeps asking for headphones", "headphones"),
    ("i need a new smartphone mine just died on me", "smartphone"),
    ("i wanna get my girlfriend some perfume for valentines day", "perfume"),
    ("my daughter broke her phone, need a new one with a good camera", "phone"),
    ("a charger for a macbook pro 16 inch please", "charger for macbook pro 16 inch"),
    ("gaming laptop with an rtx card", "gaming laptop with an rtx card"),
    ("a present for my dad, he's into photography, maybe a camera", "camera"),
    ("lets look at headphones now", "headphones"),
])  # fmt: skip
def test_product_words_after_filler(said: str, query: str) -> None:
    assert parse_search(said).query == query
