"""The bundled product files, loaded into one normalised record type.

Two sources ship in functions/data/catalog (see NOTICE.md there):
- icecat_products.jsonl.gz: 19,406 consumer-electronics products (no ratings, no stock);
- dummyjson_products.json: 194 products in 24 categories (ratings, reviews, stock).

Icecat rarely fills `product_type`, so a category is derived from the title: Icecat
titles carry the category name in lower case ("... toner cartridge Original Black"),
and a list of common product nouns catches the rest ("HP Compaq nc6400 Notebook PC").
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parents[2] / "data" / "catalog"
ICECAT_FILE = "icecat_products.jsonl.gz"
DUMMYJSON_FILE = "dummyjson_products.json"

RETAILER_ICECAT = "icecat"
RETAILER_DUMMYJSON = "dummyjson"

COLOR_ALIASES = {"gray": "grey", "multicolor": "multicolour", "colour": "", "color": ""}
COLOR_WORDS = frozenset(
    {
        "black", "white", "grey", "gray", "silver", "blue", "red", "green", "yellow", "pink",
        "purple", "orange", "brown", "gold", "beige", "navy", "violet", "cyan", "magenta",
        "turquoise", "bronze", "rose", "ivory", "cream", "teal", "graphite", "titanium",
    }
)  # fmt: skip

# Lower-case runs in Icecat titles that are units, colours or filler, not product types.
_NOT_A_TYPE = frozenset(
    [
        "pc",
        "pcs",
        "com",
        "ft",
        "cm",
        "mm",
        "m",
        "to",
        "with",
        "pixels",
        "for",
        "in",
        "and",
        "gen",
        "pages",
        "outlet",
        "outlets",
        "sheets",
        "ppm",
        "pin",
        "ml",
        "over",
        "inch",
        "inches",
        "w",
        "w/",
        "w/o",
        "of",
        "on",
        "or",
        "kg",
        "g",
        "lb",
        "born",
        "pieces",
        "piece",
        "pack",
        "series",
        "nm",
        "port",
        "ports",
        "year",
        "years",
        "steel",
        "gray",
        "grey",
        "color",
        "colour",
        "colours",
        "black",
        "white",
        "magenta",
        "cyan",
        "yellow",
        "blue",
        "red",
        "green",
        "gloss",
        "type",
        "hand",
        "cps",
        "mini",
        "slim",
        "replacement",
        "power",
        "the",
        "a",
        "an",
        "by",
        "up",
        "up",
        "to",
        "and",
        "up",
        "at",
        "x",
        "per",
        "sided",
        "ohm",
        "rpm",
        "lumens",
        "channels",
        "channel",
        "mode",
        "class",
        "speed",
        "auto",
        "dry",
        "quality",
        "inc",
        "en",
        "van",
        "de",
        "luxe",
        "de",
        "luxe",
        "sht",
        "business",
        "day",
        "metre",
        "liter",
        "mbit/s",
        "gbit/s",
        "gb",
        "mb",
        "tb",
        "ghz",
        "mhz",
        "v",
        "a",
        "f/",
        "n'",
        "i-tec",
        "pil",
        "moto",
        "site",
        "license",
        "optic",
        "ray",
        "load",
        "thermal",
        "blank",
        "outdoor",
        "portable",
        "integrated",
        "component",
        "module",
        "display",
        "card",
        "board",
        "mounting",
        "female",
        "male",
        "buttons",
        "plug",
        "kit",
        "digital",
        "cell",
        "cells",
    ]
)

# Product nouns found case-insensitively when the title has no lower-case type phrase.
_TYPE_NOUNS = (
    "notebook", "laptop", "chromebook", "netbook", "ultrabook", "tablet", "smartphone", "phone",
    "smartwatch", "watch", "tv", "television", "monitor", "projector", "camera", "camcorder",
    "printer", "scanner", "copier", "speakers", "speaker", "soundbar", "headphones", "headphone",
    "headset", "earphones", "earbuds", "microphone", "mouse", "keyboard", "toner", "ink",
    "cartridge", "drum", "cable", "adapter", "charger", "battery", "batteries", "case", "bag",
    "backpack", "sleeve", "mount", "stand", "switch", "router", "hub", "drive", "ssd", "memory",
    "radio", "calculator", "fan", "desk", "chair", "lamp", "server", "workstation", "desktop",
    "processor", "motherboard", "labels", "label", "paper", "player", "receiver", "amplifier",
    "shaver", "toothbrush", "coffee maker", "kettle", "iron", "console", "controller", "gamepad",
    "webcam", "ups", "software", "game", "toy", "doll", "puzzle",
    # accessories: when one follows a product noun it is what the item is ("Monitor Arm")
    "arm", "mount", "holder", "pillow", "pad", "mat", "dock", "quickdock", "docking station",
    "station", "filter", "lock", "converter", "extender", "splitter", "cover", "skin", "strap",
    "protector", "enclosure", "bracket", "tray", "kit", "lamp", "bulb", "pen", "stylus", "cooler",
    # what an accessory for a product is, when its title names the product first
    # ("Laptop Power Cord", "Keyboard Drawer", "Notebook 1 AC outlet(s)")
    "cord", "drawer", "kbd", "outlet", "outlets", "privacy screen", "shelf", "cart", "trolley", "roller",
    "organizer", "clip", "wallet", "rest", "cleaner", "cleaning kit", "power supply", "surge protector",
    "oven", "blender", "microwave", "sneakers", "shoes", "earphones", "earbuds", "folio", "shell",
)  # fmt: skip
_TYPE_NOUN_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(n) for n in _TYPE_NOUNS) + r")(?![a-z0-9])")
_LOWER_RUN_RE = re.compile(r"(?<![A-Za-z0-9®™])([a-z][a-z/\-']*(?: [a-z][a-z/\-']*)*)(?![A-Za-z0-9])")
_FITS_SPLIT_RE = re.compile(r"\s(?:for|with|w/|compatible with)\s|\s[-–]\s|,|\(")
# Printer lines whose name is also an accessory noun ("Epson Stylus Pro 3880" is no stylus pen).
_PRINTER_LINE_RE = re.compile(r"\bEpson Stylus\b")
_ACCESSORY_OF_LINE_RE = re.compile(r"\b(?:for|blade|cutter|cartridge|ink|paper|roll)\b", re.IGNORECASE)
_JUNK_PRODUCT_TYPES = frozenset({"1", "16", "number", "renewal"})

_DUMMY_AVAILABILITY = {"in stock": "in_stock", "low stock": "limited", "out of stock": "out_of_stock"}


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One product of the bundled catalog, the same shape whichever file it came from."""

    id: str
    retailer: str
    title: str
    brand: str | None
    description: str
    price: float
    currency: str
    rating: float | None
    reviewsCount: int | None
    availability: str
    imageUrl: str | None
    productUrl: str
    colors: tuple[str, ...]
    category: str | None
    product_type: str | None = None
    released: str | None = None  # ISO date the data gives (Icecat), None when unknown

    @property
    def key(self) -> str:
        """Unique across retailers (ids of the two files overlap)."""
        return f"{self.retailer}:{self.id}"

    @property
    def color(self) -> str | None:
        return self.colors[0] if self.colors else None


def normalise_color(value: str) -> str:
    word = value.strip().lower()
    return COLOR_ALIASES.get(word, word)


def split_colors(value: str | None) -> tuple[str, ...]:
    """ "Black,Silver" -> ("black", "silver")."""
    if not value:
        return ()
    out = [normalise_color(part) for part in re.split(r"[,/&]| and ", value)]
    return tuple(dict.fromkeys(c for c in out if c))


def colors_in_text(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z]+", text.lower())
    return tuple(dict.fromkeys(normalise_color(w) for w in words if w in COLOR_WORDS))


def derive_category(title: str, product_type: str | None = None) -> str | None:
    """The product's type in lower case: the data's own type, else one read from the title."""
    if product_type and product_type.strip().lower() not in _JUNK_PRODUCT_TYPES:
        return product_type.strip().lower()
    if _PRINTER_LINE_RE.search(title) and not _ACCESSORY_OF_LINE_RE.search(title):
        return "printer"
    for match in _LOWER_RUN_RE.finditer(title):
        words = match.group(1).split()
        while words and words[0] in _NOT_A_TYPE:
            words.pop(0)
        while words and words[-1] in _NOT_A_TYPE:
            words.pop()
        if words and len(words) <= 5 and any(len(w) > 2 for w in words):
            return " ".join(words)
    # What the item is comes before what it fits: "Sleeve for iPad", "Charger - 15W, USB-C".
    # A noun only after "for" names what the item fits ("FireWire for Laptop"): no type.
    head = _FITS_SPLIT_RE.split(title.lower(), maxsplit=1)[0]
    nouns = _TYPE_NOUN_RE.findall(head)
    if not nouns and not re.search(r"\sfor\s", title.lower()):
        nouns = _TYPE_NOUN_RE.findall(title.lower())
    return nouns[-1] if nouns else None


def icecat_product_url(item_id: str) -> str:
    return f"https://icecat.biz/p/{item_id}"


def dummyjson_product_url(item_id: str) -> str:
    return f"https://dummyjson.com/products/{item_id}"


def _https(url: str | None) -> str | None:
    if not url:
        return None
    return "https://" + url[len("http://") :] if url.startswith("http://") else url


def icecat_item(row: dict[str, Any]) -> CatalogItem:
    item_id = str(row["id"])
    title = str(row["title"]).strip()
    return CatalogItem(
        id=item_id,
        retailer=RETAILER_ICECAT,
        title=title,
        brand=(row.get("brand") or None),
        description=(row.get("description") or "").strip(),
        price=round(float(row["price_usd"]), 2),
        currency="USD",
        rating=None,
        reviewsCount=None,
        availability="unknown",
        imageUrl=_https(row.get("image_url")),
        productUrl=icecat_product_url(item_id),
        colors=split_colors(row.get("colour")) or colors_in_text(title),
        category=derive_category(title, row.get("product_type")),
        product_type=row.get("product_type"),
        released=(row.get("released") or None),
    )


def dummyjson_item(row: dict[str, Any]) -> CatalogItem:
    item_id = str(row["id"])
    title = str(row["title"]).strip()
    category = str(row.get("category") or "").replace("-", " ").strip() or None
    status = str(row.get("availabilityStatus") or "").strip().lower()
    reviews = row.get("reviews")
    return CatalogItem(
        id=item_id,
        retailer=RETAILER_DUMMYJSON,
        title=title,
        brand=(row.get("brand") or None),
        description=(row.get("description") or "").strip(),
        price=round(float(row["price"]), 2),
        currency="USD",
        rating=float(row["rating"]) if row.get("rating") is not None else None,
        reviewsCount=len(reviews) if isinstance(reviews, list) else None,
        availability=_DUMMY_AVAILABILITY.get(status, "unknown"),
        imageUrl=row.get("thumbnail") or ((row.get("images") or [None])[0]),
        productUrl=dummyjson_product_url(item_id),
        colors=colors_in_text(title),
        category=category,
        product_type=category,
    )


def _icecat_rows(path: Path) -> Iterable[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_catalog(catalog_dir: Path | None = None) -> list[CatalogItem]:
    """Every product of both files, Icecat first. Raises FileNotFoundError if a file is missing."""
    directory = catalog_dir or DEFAULT_CATALOG_DIR
    items = [icecat_item(row) for row in _icecat_rows(directory / ICECAT_FILE)]
    with open(directory / DUMMYJSON_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    rows = data["products"] if isinstance(data, dict) else data
    items.extend(dummyjson_item(row) for row in rows)
    return items
