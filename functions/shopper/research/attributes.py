"""Attributes a shopper states as constraints, and which products have them.

`query_attributes(text)` finds what the shopper said (bluetooth, wireless, wired, 4k,
"55 inch", noise cancelling, waterproof, mechanical, "1tb", "size 10") and the words that
said it (the engine searches the rest, so "55" does not match model numbers);
`product_attributes(title, description)` the same keys for a product, read once at
indexing. A key is a plain string ("bluetooth", "inch:55", "gb:1000", "size:10"), so an
index can hold "which products have key K" as postings.

Each query attribute has a label a person reads in rankReasons ("bluetooth", "55 inch",
"1 TB") and, where a product can contradict it, the keys that do ("wired" conflicts with
"wireless"; a 22" TV has an inch key, but not 55).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# key -> pattern over lower-cased title + description
_FLAGS: dict[str, re.Pattern[str]] = {
    "bluetooth": re.compile(r"\bbluetooth\b|\bblue tooth\b|\bbt\b"),
    "wireless": re.compile(r"\bwireless\b|\bbluetooth\b|\bcordless\b|\bwi-?fi\b|\bwlan\b|\b802\.11"),
    "wired": re.compile(r"\bwired\b|\bcorded\b|3\.5 ?mm|\bjack\b"),
    "4k": re.compile(r"\b4k\b|\buhd\b|ultra hd|3840 ?x ?2160|2160p"),
    "noise_cancelling": re.compile(r"noise[- ]?cancel|noise reduction|\banc\b|active noise"),
    "waterproof": re.compile(
        r"waterproof|water[- ]?proof|water[- ]?resist|\bip6[78]\b|\bipx[4-8]\b|\b\d+ ?atm\b|swim"
    ),
    "mechanical": re.compile(r"\bmechanical\b"),
    # the word, or a gaming line or graphics chip that says it ("ASUS ROG ... GeForce RTX 2070")
    "gaming": re.compile(
        r"\bgaming\b|\bgamers?\b|\brog\b|\balienware\b|\bpredator\b|\blegion\b|\bomen\b"
        r"|geforce\W+(?:rtx|gtx)|radeon\W+rx\W*\d{3}"
    ),
    "portable": re.compile(r"\bportable\b|\bpocket\b|\bpico\b|\bmini projector\b"),
    "usb_c": re.compile(r"usb[- ]?c\b|type[- ]?c\b"),
    # where a drive or a card goes: plugged in from outside, or built into the computer
    "external": re.compile(r"\bexternal\b"),
    "internal": re.compile(r"\binternal\b"),
    # sound from around the listener: the word, 5.1 / 7.1 channels (not Bluetooth 5.1 or a
    # 6.1" screen: beside a word of sound), a home cinema
    "surround": re.compile(
        r"\bsurround\b|home (?:theat|cinema)"
        r"|\b[57]\.[12] ?(?:ch\b|channels?\b|audio|sound|speaker)"
        r"|\b(?:speakers?|sound|audio|set) [57]\.[12]\b"
    ),
}
# Query terms (stems) a product can satisfy without the word, through the attribute it has:
# a ROG desktop with a GeForce RTX card is a gaming PC whether or not it says "gaming".
TERM_ATTRIBUTES: dict[str, str] = {"gaming": "gaming"}
# A stated attribute -> the keys of a product that contradicts it (when it lacks the attribute).
_CONFLICTS: dict[str, tuple[str, ...]] = {
    "wired": ("wireless",),
    "wireless": ("wired_only",),
    "external": ("internal",),
    "internal": ("external",),
}
# Attributes that only their word says: the word stays a search concept (a product must say
# it to match the query fully), and the attribute adds that saying the opposite contradicts it.
_WORD_ATTRIBUTES = frozenset({"external", "internal"})

_LABELS = {
    "bluetooth": "bluetooth",
    "wireless": "wireless",
    "wired": "wired",
    "4k": "4K",
    "noise_cancelling": "noise cancelling",
    "waterproof": "waterproof",
    "mechanical": "mechanical",
    "gaming": "gaming",
    "portable": "portable",
    "usb_c": "USB-C",
    "surround": "surround sound",
    "external": "external",
    "internal": "internal",
}

# What a shopper says -> key. Checked on the lower-cased query text.
_QUERY_FLAGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bluetooth", re.compile(r"\bbluetooth\b|\bblue tooth\b")),
    ("wireless", re.compile(r"\bwireless\b|\bcordless\b|\bcord-free\b")),
    ("wired", re.compile(r"\bwired\b|\bcorded\b")),
    ("4k", re.compile(r"\b4k\b|\buhd\b|ultra hd")),
    ("noise_cancelling", re.compile(r"noise[- ]?cancel\w*|\banc\b")),
    ("waterproof", re.compile(r"waterproof|water[- ]?proof|water[- ]?resistant")),
    ("mechanical", re.compile(r"\bmechanical\b")),
    ("usb_c", re.compile(r"\busb[- ]?c\b|\btype[- ]?c\b")),
    ("surround", re.compile(r"\bsurround\b")),
    ("external", re.compile(r"\bexternal\b")),
    ("internal", re.compile(r"\binternal\b")),
)

_INCH_Q = re.compile(r"\b(\d{2,3}(?:\.\d)?)\s*(?:-|\s)?(?:inch(?:es)?|in\b|\"|”|'')")
_INCH_DOC = re.compile(r"(\d{1,3}(?:\.\d)?)\s*(?:\"|”|''|-inch|\s?inch(?:es)?\b)")
_CM_DOC = re.compile(r"(\d{2,3}(?:\.\d)?)\s?cm\s?\(")
_M_DOC = re.compile(r"\b(\d\.\d{1,2})\s?m\s?\(")
# a capacity, not a speed ("SAS 12 Gb/s", "3Gbps")
_CAP = re.compile(r"\b(\d+(?:\.\d+)?)\s?(gb|tb)\b(?!\s?/\s?s|ps)")
_SIZE_Q = re.compile(r"\bsize\s+(\d{1,2}(?:\.5)?)\b|\b(\d{1,2}(?:\.5)?)\s+size\b")
_SIZE_DOC = re.compile(r"\bsize\s+(\d{1,2}(?:\.5)?)\b|\bus\s?(\d{1,2}(?:\.5)?)\b")


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str  # index key, e.g. "bluetooth", "inch:55", "gb:1000"
    label: str  # said in rankReasons
    conflicts: tuple[str, ...] = ()  # key prefixes a product contradicting it has ("inch:")


@dataclass(frozen=True, slots=True)
class QueryAttributes:
    attributes: tuple[Attribute, ...]
    rest: str  # the query text without the words that stated a numeric attribute
    flag_words: tuple[str, ...] = ()  # the words that stated a yes/no attribute ("noise cancelling")


def _gb(amount: float, unit: str) -> int:
    return round(amount * (1000 if unit == "tb" else 1))


def _capacity_label(gb: int) -> str:
    return f"{gb // 1000} TB" if gb >= 1000 and gb % 1000 == 0 else f"{gb} GB"


def query_attributes(text: str) -> QueryAttributes:
    lowered = (text or "").lower()
    found: list[Attribute] = []
    flag_words: list[str] = []
    for key, pattern in _QUERY_FLAGS:
        if said := pattern.search(lowered):
            if key not in _WORD_ATTRIBUTES:
                flag_words.append(said.group(0))
            found.append(Attribute(key, _LABELS[key], _CONFLICTS.get(key, ())))
    rest = lowered
    for match in _INCH_Q.finditer(lowered):
        inches = round(float(match.group(1)))
        found.append(Attribute(f"inch:{inches}", f"{inches} inch", ("inch:",)))
    rest = _INCH_Q.sub(" ", rest)
    for match in _CAP.finditer(lowered):
        gb = _gb(float(match.group(1)), match.group(2))
        found.append(Attribute(f"gb:{gb}", _capacity_label(gb), ("gb:",)))
    rest = _CAP.sub(" ", rest)
    for match in _SIZE_Q.finditer(lowered):
        size = match.group(1) or match.group(2)
        found.append(Attribute(f"size:{size}", f"size {size}"))
    rest = _SIZE_Q.sub(" ", rest)
    unique = tuple({a.key: a for a in found}.values())
    return QueryAttributes(unique, re.sub(r"\s+", " ", rest).strip(), tuple(flag_words))


# Substrings without which a flag's pattern cannot match (skips most regex work at indexing).
_GUARDS: dict[str, tuple[str, ...]] = {
    "bluetooth": ("blue", "bt"),
    "wireless": ("wireless", "bluetooth", "cordless", "wi", "wlan", "802.11"),
    "wired": ("wired", "corded", "3.5", "jack"),
    "4k": ("4k", "uhd", "ultra hd", "3840", "2160"),
    "noise_cancelling": ("noise", "anc"),
    "waterproof": ("water", "ip6", "ipx", "atm", "swim"),
    "mechanical": ("mechanical",),
    "gaming": ("gam", "rog", "alienware", "predator", "legion", "omen", "rtx", "gtx", "radeon"),
    "portable": ("portable", "pocket", "pico", "mini projector"),
    "usb_c": ("usb", "type"),
    "surround": ("surround", ".1", "home"),
    "external": ("external",),
    "internal": ("internal",),
}


def product_attributes(title: str, description: str) -> frozenset[str]:
    """Keys of the attributes a product states in its title or description."""
    text = f"{title} \n {description}".lower()
    keys = {
        key
        for key, pattern in _FLAGS.items()
        if any(guard in text for guard in _GUARDS[key]) and pattern.search(text)
    }
    if "wired" in keys and "wireless" not in keys:
        keys.add("wired_only")
    title_lower = title.lower()
    inches: set[int] = set()
    if '"' in title_lower or "”" in title_lower or "''" in title_lower or "inch" in title_lower:
        for match in _INCH_DOC.finditer(title_lower):
            inches.add(round(float(match.group(1))))
    if "(" in title_lower:  # "139.7 cm (55")", "1.8 m (6 ft)"
        for match in _CM_DOC.finditer(title_lower):
            inches.add(round(float(match.group(1)) / 2.54))
        for match in _M_DOC.finditer(title_lower):
            inches.add(round(float(match.group(1)) * 100 / 2.54))
    keys.update(f"inch:{i}" for i in inches if 3 <= i <= 120)
    if "gb" in text or "tb" in text:
        for match in _CAP.finditer(text[:600]):
            keys.add(f"gb:{_gb(float(match.group(1)), match.group(2))}")
    if "size" in text or "us" in text:
        for match in _SIZE_DOC.finditer(text):
            keys.add(f"size:{match.group(1) or match.group(2)}")
    return frozenset(keys)


def close_values(key: str, available: set[str] | frozenset[str]) -> list[str]:
    """Keys in `available` that satisfy query key `key`: the same, or for a capacity within
    5% (a "500gb" SSD is sold as 480, 500 or 512 GB), for inches within half an inch."""
    out = [key] if key in available else []
    prefix, _, value = key.partition(":")
    if prefix == "gb" and value.isdigit():
        wanted = int(value)
        for other in available:
            if other.startswith("gb:") and other != key:
                got = int(other[3:])
                if abs(got - wanted) <= 0.05 * wanted:
                    out.append(other)
    return out


# ---------------------------------------------------------------- intent words

_RECIPIENTS = (
    r"dad|daddy|father|mom|mum|mother|son|daughter|wife|husband|boyfriend|girlfriend|friend|"
    r"brother|sister|kid|kids|child|boy|girl|grandpa|grandma|grandfather|grandmother|uncle|aunt|"
    r"him|her|colleague|boss|teen|teenager|partner|nephew|niece|parents?"
)
_LIKES = r"(?:likes|loves|enjoys|is into|is a fan of|like|love|enjoy|into)"
_GIFT_LIKES_RE = re.compile(rf"^.*?\b(?:who|that)\s+{_LIKES}\s+(?:to\s+)?")
_GIFT_RE = re.compile(
    rf"\b(?:a\s+|some\s+)?(?:gift|present|something|anything|ideas?)(?:\s+ideas?)?"
    rf"(?:\s+for)?(?:\s+(?:my|a|our|the))?(?:\s+(?:{_RECIPIENTS}))?\b"
)
_FOR_RECIPIENT_RE = re.compile(rf"\bfor\s+(?:my\s+|a\s+|our\s+)?(?:{_RECIPIENTS})\b")
_CHEAP_RE = re.compile(
    r"\b(?:cheap(?:er|est)?|inexpensive|affordable|budget|low[\s-]cost|bargain|entry[\s-]level)\b"
)
_HIGH_END_RE = re.compile(
    r"\b(?:high[\s-]end|premium|luxury|luxurious|flagship|top[\s-]of[\s-]the[\s-]line|top[\s-]end|"
    r"expensive|professional[\s-]grade)\b"
)


@dataclass(frozen=True, slots=True)
class Intent:
    text: str  # what to search for
    price: int = 0  # -1: cheap within its kind, +1: high end, 0: no preference
    gift: bool = False


def read_intent(text: str, cheap_hint: bool = False, high_end_hint: bool = False) -> Intent:
    """ "a gift for my dad who likes coffee" -> search "coffee"; "cheap" / "budget" and
    "high end" / "premium" -> a price preference relative to the products of that kind
    (`cheap_hint` / `high_end_hint`: a parser already lifted the words out of the text)."""
    lowered = (text or "").lower().strip()
    gift = False
    liked = _GIFT_LIKES_RE.sub("", lowered) if _GIFT_LIKES_RE.search(lowered) else None
    if liked is not None and liked != lowered:
        lowered, gift = liked, True
    elif _GIFT_RE.search(lowered) and re.search(r"\b(?:gift|present)\b", lowered):
        lowered, gift = _GIFT_RE.sub(" ", lowered), True
    lowered = _FOR_RECIPIENT_RE.sub(" ", lowered)
    price = 0
    if _CHEAP_RE.search(lowered) or cheap_hint:
        price = -1
        lowered = _CHEAP_RE.sub(" ", lowered)
    if _HIGH_END_RE.search(lowered) or high_end_hint:
        price = 1
        lowered = _HIGH_END_RE.sub(" ", lowered)
    cleaned = re.sub(r"\s+", " ", lowered).strip()
    return Intent(cleaned or (text or "").lower().strip(), price, gift)
