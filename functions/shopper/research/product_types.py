"""What kind of product an item is, and what kind a shopper asks for.

Both sides end as one stemmed head noun ("smartphon", "case", "tv", "notebook") so they
compare directly:

- a product's type comes from its category (Icecat's product_type or the type phrase read
  from its title, DummyJSON's category), corrected where that is wrong: a product line the
  title names ("iPhone X" is a phone, "Apple AirPods" earphones), a few heads that are
  not types at all ("cell" in "8 cell battery", "1" in "hybrid (2-in-1)", "shot" of
  "Cyber-shot"), a service contract filed under the product it covers, a drive the
  catalog left uncategorised (read from "NVMe", "SSD", "7200rpm") and what holds one;
- a query's type is the last type noun before any "for" ("iphone case" wants a case,
  "case for iphone" too, "iphone" a phone through its product line, "55 inch tv" a tv),
  or the type phrase it ends ("external hard drive": a hard disk, "cd drive" a disc
  drive, `TYPE_PHRASES`).

`RELATED_TYPES` says which product types satisfy a query type ("notebook" accepts
chromebooks, "headphon" accepts headsets); `is_accessory` which types are parts and
add-ons of another product (cases, chargers, mounts, service contracts), ranked below
the product itself unless the query asks for one; `is_main_product` what a brand alone
lists first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shopper.research.catalog_data import _TYPE_NOUN_RE, derive_category
from shopper.research.text import STOPWORDS, analyze

# Product lines whose name says what the product is (stems, as `analyze` makes them).
PRODUCT_LINES: dict[str, str] = {
    "iphon": "smartphon",
    "ipad": "tablet",
    "ipod": "player",  # an MP3 player
    "macbook": "notebook",
    "thinkpad": "notebook",
    "ideapad": "notebook",
    "elitebook": "notebook",
    "probook": "notebook",
    "zenbook": "notebook",
    "matebook": "notebook",
    "chromebook": "notebook",
    "airpod": "earphon",
    "homepod": "speaker",
    "echo": "speaker",
    "playstat": "consol",
    "xbox": "consol",
    "rolex": "watch",
}

# A product type head -> the type it is ("smartphones" and "phone" are one kind of thing).
TYPE_ALIASES: dict[str, str] = {
    "1": "notebook",  # "hybrid (2-in-1)"
    "chromebook": "notebook",
    "netbook": "notebook",
    "ultrabook": "notebook",
    "laptop": "notebook",
    "soundbar": "speaker",
    "earbud": "earphon",
    "sneaker": "shoe",
    "trainer": "shoe",
    "cleat": "shoe",
    "fragranc": "perfum",
    "parfum": "perfum",
    "desktop": "pc",
    "gamepad": "control",
    "televis": "tv",
    "handbag": "bag",
    "oven": "microwav",
    "kbd": "keyboard",
    "warranti": "servic",
    "svc": "servic",
}

# Type phrases whose head noun alone would say another kind (stems, as `analyze` makes them):
# a "writing notebook" is stationery, not a laptop; a "hard drive" is no SSD. Read the same
# way from a product's category and from a query ("external hard drive" -> hdd).
TYPE_PHRASES: dict[tuple[str, ...], str] = {
    ("write", "notebook"): "notepad",
    ("hard", "drive"): "hdd",
    # a drive that reads discs is no storage drive ("external cd drive" wants no hard disk)
    ("disc", "drive"): "optical",
    ("cd", "drive"): "optical",
    ("dvd", "drive"): "optical",
    ("ray", "drive"): "optical",
}

# Query type -> product types that satisfy it, with a weight (1 = the same kind of thing).
RELATED_TYPES: dict[str, dict[str, float]] = {
    "headphon": {"headset": 0.9, "earphon": 0.8},
    "phone": {"smartphon": 1.0},
    "smartphon": {"phone": 0.3},
    "headset": {"headphon": 0.9, "earphon": 0.7},
    "earphon": {"headphon": 0.7, "headset": 0.6},
    "smartwatch": {"tracker": 0.6, "watch": 0.7},
    "watch": {"smartwatch": 0.8},
    "pc": {"workstat": 0.8, "comput": 0.6},
    "videogam": {"game": 0.3},
    "comput": {"pc": 1.0, "notebook": 0.8, "workstat": 0.7},
    "stylus": {"pen": 1.0},
    "ssd": {"drive": 0.3},
    "hdd": {"drive": 0.6, "ssd": 0.4},
    "speaker": {"speakers": 1.0},
    "fan": {"cooler": 0.7},
    "monitor": {"display": 0.8},
    "drive": {"hdd": 0.6, "ssd": 0.5, "optical": 0.6},
    "cartridg": {"ink": 0.9, "toner": 0.8},
    "ink": {"cartridg": 0.9},
    "toner": {"cartridg": 0.9},
    "printer": {"multifunct": 0.8},
    "control": {"gamepad": 1.0, "joystick": 0.7},
    "game": {},
    "camera": {"kit": 0.6, "camcord": 0.5},
    "bag": {"backpack": 0.6, "case": 0.6},
    "case": {"sleev": 0.8, "folio": 0.8, "shell": 0.8, "cover": 0.7, "skin": 0.6, "bag": 0.5},
    # "vacuum cleaner" reads as a cleaner; a "robot vacuum" or "handheld vacuum" is one
    "cleaner": {"vacuum": 0.9},
    "vacuum": {"cleaner": 0.9},
}

# Types that are parts or add-ons of another product.
ACCESSORY_TYPES = frozenset(
    analyze(
        "case cases bag sleeve mount mounts stand arm lamp cable cord charger adapter cover holder "
        "filter protector bracket kit lock cooler dock skin strap replacement part parts accessory "
        "accessories tray cartridge toner ink drum battery pen stylus sticker film pouch enclosure "
        "lens cleaning spare remote fuser belt roller converter extender splitter drawer pad mat "
        "pillow rest shell folio inverter supply podholder wire coupler connector interposer outlet "
        "paper label ribbon tape hood tank bulb refill blade head service warranty tripod staples housing"
    )
)

# Parts that go inside another product: a brand's own, but not what "sony" or "lenovo" means.
PART_TYPES = frozenset([*analyze("memory processor motherboard card module transceiver ssd drive"), "hdd"])

# Nouns that name a product type in a query even when no catalog category ends in them.
_QUERY_TYPE_WORDS = frozenset(analyze("perfume laptop phone smartphone earbuds oven sneakers trainers"))


# Accessory words that say how a main product works, not what it serves ("docking speaker").
_FEATURE_WORDS = frozenset(analyze("docking"))
_ACCESSORY_TITLE_RE = re.compile(r"\baccessory\b|\baccessories\b", re.IGNORECASE)

_CONSOLE_WORDS = frozenset(analyze("nintendo switch playstation ps4 ps5 xbox wii console video"))


def canonical_type(head: str | None) -> str | None:
    if not head:
        return None
    return TYPE_ALIASES.get(head, head)


def category_says_type(category_terms: Sequence[str]) -> bool:
    """Whether a category's head noun is a product type (not "accessories", "8 cell", ...)."""
    head = category_terms[-1] if category_terms else None
    return head is not None and head not in _NOT_TYPES and not head.isdigit()


def is_accessory(type_head: str | None) -> bool:
    return type_head is not None and type_head in ACCESSORY_TYPES


def is_main_product(type_head: str | None, category_terms: Sequence[str] = (), title: str = "") -> bool:
    """A product bought for itself: its type is known and is no accessory, supply or part,
    and its category does not name one it serves ("card reader", "camera remote control",
    "toner collector": a control, but a camera's) nor its title call it an accessory
    ("Samsung ... flat panel accessory Frame")."""
    if type_head is None or type_head in ACCESSORY_TYPES or type_head in PART_TYPES:
        return False
    served = [t for t in category_terms[:-1] if t not in _FEATURE_WORDS]
    if any(t in ACCESSORY_TYPES or t in PART_TYPES for t in served):
        return False
    return not _ACCESSORY_TITLE_RE.search(title)


# A service contract or warranty extension, whatever product its category names ("HP 2y
# Pickup Return Notebook Only SVC" is filed under "notebook"): a term and a kind of cover,
# or a word only services use.
_SERVICE_RE = re.compile(
    r"\b(?:svc|warranty|warranties|care ?pack)\b"
    r"|\b\d+\s?-?\s?(?:y|yr|yrs|years?)\b.*\b(?:service|supp|support|on-?site|nbd|next business day|"
    r"pick ?up|exch|renewal|repair)\b",
    re.IGNORECASE,
)
# What a drive without a category is, from its title or description ("KC2500 M.2 500 GB ...
# NVMe", "BarraCuda Fast SSD, 500 GB").
_SSD_RE = re.compile(r"\bssd\b|\bnvme\b|solid[- ]state", re.IGNORECASE)
# a spindle speed beside a capacity is a hard disk's ("Fujitsu 1TB SATA 7200rpm 3.5\"")
_HDD_RE = re.compile(
    r"\bhdd\b|hard (?:disk|drive)|(?=.*\b\d+\s?[gt]b\b)(?:.*\b\d+(?:\.\d)?k?\s?rpm\b)", re.IGNORECASE
)
# A drive that reads discs, said in its title ("HP External MultiBay II DVD-ROM Drive").
_OPTICAL_RE = re.compile(r"\b(?:cd|dvd|blu-?ray|supermulti|optical)\b", re.IGNORECASE)
# What is made to hold or connect a drive, said after it ("Hard Disk Box", "HDD Caddy").
_DRIVE_HOUSING_RE = re.compile(r"\b(?:enclosure|box|caddy|carrier|cage|rack|frame)\b", re.IGNORECASE)
_DRIVE_ACCESSORY_RE = re.compile(r"\b(?:adapter|link|dock|docking|cable|bracket|kit|tray)\b", re.IGNORECASE)
# A console's title says its storage or that it is one; a game's names only the platform.
_CONSOLE_RE = re.compile(r"\b\d+\s?(?:gb|tb)\b|console|\bslim\b", re.IGNORECASE)
_SCREEN_SPEC_RE = re.compile(r'cm \(\d+(?:\.\d)?"\)\s+\d{3,4} x \d{3,4} pixels')
_COMPUTER_SPEC_RE = re.compile(r"\b(?:Intel|AMD|Core|Ryzen|DDR\d|GB)\b")
_PC_RE = re.compile(r"\b(?:PC|Tower|SFF|Mini PC|All-in-One)\b")
_NOT_TYPES = frozenset({"accessori", "1", "cell", "ssd", "hdd"})
_PLACE_WORDS = frozenset(analyze("indoor outdoor auto"))
# Heads that name a collection of the kind before them ("speaker set": speakers).
_COLLECTIVE_HEADS = frozenset({"set"})
_FITS = frozenset({"for", "with", "compat", "your", "fit", "fits", "to"})
# Nouns that say what a product is when its category and title do not (from its description).
_DESCRIBED_TYPES = frozenset(
    analyze(
        "notebook smartphone tablet monitor tv printer camera headphones speaker keyboard mouse projector"
    )
    + analyze("router smartwatch scanner server")
)


def product_type(category: str | None, title: str, description: str = "") -> str | None:
    """The canonical type head of a product: its category's head noun, unless that is no
    type (a catch-all such as "mobile accessories", a spec word such as "8 cell" or "SSD" in
    a PC's spec list, a word the title says only after its "for" or inside a hyphenated
    word), when the title's product line, its spec pattern or its description says what
    it is. A service contract is a service whatever its category."""
    if _SERVICE_RE.search(title):
        return "servic"
    fits_at = re.search(r"\s(?:for|compatible with)\s", title, re.IGNORECASE)
    if category and fits_at and _named_only_after(category, title, fits_at):
        # "AC Adapter for IBM - Lenovo laptops" filed as "laptops": an accessory for one
        before = analyze(derive_category(title[: fits_at.start()]) or "")
        filed = analyze(category)
        if before and filed and is_accessory(canonical_type(before[-1])) and is_main_product(filed[-1]):
            category = " ".join(before)
    fragment = re.search(rf"\w-{re.escape(category)}\b", title, re.IGNORECASE) if category else None
    if fragment and " " not in category.strip() and not _TYPE_NOUN_RE.fullmatch(category.lower()):
        # "shot" read from "Cyber-shot", "sheet" from "500-sheet": what follows says the type
        category = derive_category(title[fragment.end() :]) or category
    if category and (served := _serves(category, title)):
        # "LAPTOP RAM MODULE" filed as "laptop": the category word only says what it serves
        return served
    terms = analyze(category or "")
    while len(terms) > 1 and (terms[-1] in _PLACE_WORDS or _is_spec(terms[-1])):
        terms.pop()  # "power adapter/inverter indoor", "mini pc (<= 3l)"
    if len(terms) > 1 and terms[-1] in _COLLECTIVE_HEADS and terms[-2].isalpha() and len(terms[-2]) > 2:
        terms.pop()  # "speaker set", "pan set": what the set is of
    head = terms[-1] if terms else None
    if phrased := phrase_type(terms):
        return phrased
    if head == "drive":  # "drive": a hard disk, an SSD, an optical or a flash drive
        return _drive_type(title) or ("optical" if _OPTICAL_RE.search(title) else head)
    if terms[-2:] == ["video", "game"]:
        return "videogam"
    if "doll" in terms:  # "doll shoes", "doll chair": toys
        return "toy"
    if head is not None and head not in _NOT_TYPES and not head.isdigit():
        return canonical_type(head)
    if head == "1":
        return "notebook"
    if head in ("accessori", None):
        named = analyze(derive_category(title) or "")
        if named and named[-1] not in _NOT_TYPES and not named[-1].isdigit():
            return canonical_type(named[-1])
    title_terms = analyze(title[: fits_at.start()] if fits_at else title)
    if "galaxi" in title_terms:
        return "tablet" if "tab" in title_terms else "smartwatch" if "watch" in title_terms else "smartphon"
    line = next((PRODUCT_LINES[t] for t in title_terms if t in PRODUCT_LINES), None)
    if line == "consol" and not _CONSOLE_RE.search(title):
        return "videogam"  # "Days Gone - Special Edition PlayStation 4": a game for it
    if line and head != "cell":
        return line
    if head == "cell":
        return "batteri"
    if _SCREEN_SPEC_RE.search(title):
        if _PC_RE.search(title):
            return "pc"
        if "TV" in title:
            return "tv"
        return "notebook" if _COMPUTER_SPEC_RE.search(title.split("pixels", 1)[1]) else "monitor"
    if _PC_RE.search(title) and _COMPUTER_SPEC_RE.search(title):
        return "pc"
    if head in ("ssd", "hdd"):
        return head
    if head is None:  # a drive's title or the start of its description (not what it fits)
        said = f"{title[: fits_at.start()] if fits_at else title}\n{description[:60]}"
        if drive := _drive_type(said):
            return drive
    if head is None and description:
        described = re.split(r"\s(?:for|compatible with)\s", description[:160], maxsplit=1)[0]
        words = analyze(described)  # what it is, not the "... for Digital SLR Cameras" it fits
        named = (
            i for i, t in enumerate(words) if t in _DESCRIBED_TYPES and (i == 0 or words[i - 1] not in _FITS)
        )
        at = next(named, None)
        if at is not None:
            after = [t for t in words[at + 1 : at + 3] if t in _ADD_ONS]  # "laptop stand": a stand
            return canonical_type(after[-1] if after and words[at] in _DEVICES else words[at])
    return canonical_type(head) if head else None


# Portable devices that sources file their add-ons under ("laptop" for a laptop's RAM), and the
# add-ons a title names right after the device's word.
_DEVICES = frozenset(analyze("laptop notebook tablet phone smartphone"))
_ADD_ONS = frozenset(
    analyze("ram memory module stand bag case sleeve charger adapter battery cooler dock lock skin")
)


def _serves(category: str, title: str) -> str | None:
    """The add-on a title names right after its one-word device category ("LAPTOP RAM
    MODULE", "notebook stand" filed as laptops), or None when the title is the device."""
    filed = analyze(category)
    if len(filed) != 1 or filed[0] not in _DEVICES:
        return None
    words = analyze(title)
    for i, word in enumerate(words[:-1]):
        if canonical_type(word) == canonical_type(filed[0]):
            after = [t for t in words[i + 1 : i + 3] if t in _ADD_ONS]
            return canonical_type(after[-1]) if after else None
    return None


def _drive_type(text: str) -> str | None:
    """ "hdd" or "ssd" when `text` names a drive, or what holds or connects one when that
    is said after it ("Multi Hard Disk Box" is an enclosure, "Hard Disk Link" an adapter)."""
    said = _HDD_RE.search(text) or _SSD_RE.search(text)
    if said is None:
        return None
    after = text[said.end() :]
    if _DRIVE_HOUSING_RE.search(after):
        return "enclosur"
    if accessory := _DRIVE_ACCESSORY_RE.search(after):
        word = "adapter" if accessory.group(0).lower() == "link" else accessory.group(0)
        return canonical_type(analyze(word)[-1])
    return "hdd" if _HDD_RE.search(text) else "ssd"


def _named_only_after(category: str, title: str, fits_at: re.Match[str]) -> bool:
    """Whether the title says the category only after its "for": what the product fits."""
    lowered, said = title.lower(), category.lower()
    return said in lowered[fits_at.end() :] and said not in lowered[: fits_at.start()]


def _is_spec(term: str) -> bool:
    """A category word that is a size or a spec, not a type ("3l" in "mini pc (<= 3l)");
    "1" of "hybrid (2-in-1)" stays, for it is read as a notebook."""
    return term != "1" and any(ch.isdigit() for ch in term)


def phrase_type(terms: Sequence[str]) -> str | None:
    """The type a phrase at the end of `terms` names ("writing notebook" -> notepad)."""
    for phrase, kind in TYPE_PHRASES.items():
        if tuple(terms[-len(phrase) :]) == phrase:
            return kind
    return None


def type_words(heads: Sequence[str]) -> frozenset[str]:
    """The query words that name a type: every product type head seen in the catalog."""
    return frozenset(heads) | frozenset(TYPE_ALIASES) | _QUERY_TYPE_WORDS | ACCESSORY_TYPES


def query_type(terms: Sequence[str], known_types: frozenset[str]) -> str | None:
    """The type a query asks for (canonical head), from its analyzed terms in order.

    Words after "for" / "compatible with" name what the product fits, so the type is read
    before them; the last type word wins ("iphone case" -> case, "gaming pc" -> pc); a
    product line stands for its type when no type word is said ("iphone 8" -> smartphon)."""
    cut = next((i for i, t in enumerate(terms) if t in ("for", "compat", "fit", "fits")), len(terms))
    before = [t for t in terms[:cut] if t not in STOPWORDS]
    for at in range(len(before) - 1, -1, -1):
        term = before[at]
        if term in known_types and not term.isdigit():
            if phrased := phrase_type(before[: at + 1]):
                return phrased  # "external hard drive" -> hdd
            if term == "game" and not _CONSOLE_WORDS.isdisjoint(terms):
                return "videogam"  # "nintendo switch games" are video games, not board games
            return canonical_type(term)
    for term in reversed([t for t in terms if t not in STOPWORDS]):
        if term in PRODUCT_LINES:
            return PRODUCT_LINES[term]
    return None


def related_types(wanted: str) -> dict[str, float]:
    """Product types that satisfy query type `wanted`, with weights (itself = 1)."""
    out = {wanted: 1.0}
    for alias, target in TYPE_ALIASES.items():
        if target == wanted:
            out.setdefault(alias, 1.0)
    for other, weight in RELATED_TYPES.get(wanted, {}).items():
        out.setdefault(canonical_type(other) or other, weight)
    return out
