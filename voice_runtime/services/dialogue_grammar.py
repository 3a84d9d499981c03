"""Understanding shopping utterances: small pure functions used by the dialogue engine.

``understand(text, last_search, last_products)`` turns one transcript into an
:class:`Intent`: a new search with its constraints, a refinement of the last
search ("cheaper", "in blue", "from Sony", "under 50"), a save by position
("the second one", "the last one", "that one") or by name ("the Sony one"),
a product description, a preference question, help, greeting, small talk,
thanks, goodbye, or unknown. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

IntentKind = Literal[
    "search",
    "refine",
    "save",
    "describe",
    "preferences",
    "help",
    "greeting",
    "smalltalk",
    "thanks",
    "goodbye",
    "unknown",
]

COLORS = (
    "black", "white", "red", "blue", "green", "yellow", "orange", "purple", "pink", "brown",
    "grey", "gray", "silver", "gold", "beige", "navy", "teal", "tan", "maroon", "cream",
    "khaki", "ivory", "turquoise", "rose gold", "space grey", "midnight", "graphite",
)  # fmt: skip

BRANDS = (
    "Sony", "Bose", "JBL", "Apple", "Samsung", "Anker", "Soundcore", "Beats", "Sennheiser",
    "Logitech", "Nike", "Adidas", "Puma", "Reebok", "Asics", "New Balance", "Under Armour",
    "Levi's", "Dell", "HP", "Lenovo", "Asus", "Acer", "Microsoft", "Google", "LG", "Philips",
    "Panasonic", "Canon", "Nikon", "Dyson", "Shark", "KitchenAid", "Ninja", "Patagonia",
    "North Face", "Columbia", "Ray-Ban", "Fossil", "Garmin", "Fitbit", "Skullcandy", "Jabra",
    "Marshall", "Ultimate Ears", "Audio-Technica", "Razer", "Corsair", "Herschel", "Samsonite",
    "Osprey", "Hydro Flask", "Yeti", "Lego", "Casio", "Timex", "Seiko", "Amazon", "Roku",
    "Keurig", "Breville", "Cuisinart", "Vans", "Converse", "Hoka", "Brooks", "Saucony",
    "Skechers", "Tribit", "Xiaomi", "Huawei", "OnePlus", "Nintendo", "Xbox", "PlayStation",
    "Epson", "Brother", "Toshiba", "Kingston", "SanDisk", "Seagate", "Western Digital",
)  # fmt: skip

RETAILERS = {
    "amazon": "amazon",
    "best buy": "bestbuy",
    "bestbuy": "bestbuy",
    "walmart": "walmart",
    "target": "target",
    "ebay": "ebay",
    "google shopping": "google_shopping",
}

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "top": 1,
}  # fmt: skip

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "hundred", "thousand", "a"])

_CURRENCY = r"(?:dollars?|bucks|usd|euros?|pounds?|quid)"
_NUM = r"(\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class SearchArgs:
    """Arguments of one ``search_products`` call."""

    query: str
    max_price: float | None = None
    min_price: float | None = None
    color: str | None = None
    brand: str | None = None
    min_rating: float | None = None
    retailers: tuple[str, ...] = ()

    def to_arguments(self) -> dict[str, Any]:
        """The JSON arguments, without unset fields."""
        args: dict[str, Any] = {"query": self.query}
        for name in ("max_price", "min_price", "color", "brand", "min_rating"):
            value = getattr(self, name)
            if value is not None:
                args[name] = value
        if self.retailers:
            args["retailers"] = list(self.retailers)
        return args

    @classmethod
    def from_arguments(cls, args: Mapping[str, Any]) -> SearchArgs:
        """Rebuild from JSON arguments (tolerant of missing or odd values)."""

        def number(name: str) -> float | None:
            value = args.get(name)
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        retailers = args.get("retailers") or ()
        return cls(
            query=str(args.get("query") or "").strip(),
            max_price=number("max_price"),
            min_price=number("min_price"),
            color=args.get("color") or None,
            brand=args.get("brand") or None,
            min_rating=number("min_rating"),
            retailers=tuple(str(r) for r in retailers) if isinstance(retailers, (list, tuple)) else (),
        )


@dataclass(frozen=True)
class Constraints:
    """Filters found in one utterance; ``None`` means "not mentioned"."""

    max_price: float | None = None
    min_price: float | None = None
    color: str | None = None
    brand: str | None = None
    min_rating: float | None = None
    size: str | None = None
    retailers: tuple[str, ...] = ()
    cheaper: bool = False
    pricier: bool = False

    def any(self) -> bool:
        return any(
            (
                self.max_price is not None,
                self.min_price is not None,
                self.color,
                self.brand,
                self.min_rating is not None,
                self.size,
                self.retailers,
                self.cheaper,
                self.pricier,
            )
        )


@dataclass(frozen=True)
class Intent:
    """What the user wants from this turn."""

    kind: IntentKind
    search: SearchArgs | None = None
    position: int | None = None
    product_id: str | None = None
    topic: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- normalisation ----------------------------------------------------------------------


def words_to_number(words: str) -> int | None:
    """'one hundred fifty' -> 150, 'twenty five' -> 25, 'a hundred' -> 100; else None."""
    total, current, seen = 0, 0, False
    for word in words.replace("-", " ").split():
        if word == "and":
            continue
        if word == "a":
            current = max(current, 1)
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


_NUMBER_RUN = re.compile(
    rf"\b(?:(?:{_NUMBER_WORD})[\s-]+(?:and[\s-]+)?)*"
    rf"(?:{'|'.join([*_UNITS, *_TENS, 'hundred', 'thousand'])})\b"
)


def normalize(text: str) -> str:
    """Lower case, '$50' -> '50 dollars', number words -> digits, punctuation -> spaces."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\$\s?(\d[\d,]*(?:\.\d+)?)", lambda m: f"{m.group(1).replace(',', '')} dollars", text)
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)

    def number_words(match: re.Match[str]) -> str:
        value = words_to_number(match.group(0))
        return str(value) if value is not None else match.group(0)

    text = _NUMBER_RUN.sub(number_words, text)
    text = re.sub(r"[^\w\s'.\-#&]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- constraints ------------------------------------------------------------------------


def _remove(text: str, match: re.Match[str]) -> str:
    return re.sub(r"\s+", " ", text[: match.start()] + " " + text[match.end() :]).strip()


def parse_price(text: str) -> tuple[float | None, float | None, str]:
    """(min_price, max_price, text without the price phrase) from normalised text."""
    between = re.search(rf"\bbetween {_NUM}(?: {_CURRENCY})? and {_NUM}(?: {_CURRENCY})?", text)
    if between:
        low, high = sorted((float(between.group(1)), float(between.group(2))))
        return low, high, _remove(text, between)
    around = re.search(rf"\b(?:around|about|roughly) {_NUM}(?: {_CURRENCY})?", text)
    if around and (around.group(0).split()[-1] in _CURRENCY or "dollar" in around.group(0)):
        value = float(around.group(1))
        return round(value * 0.8, 2), round(value * 1.2, 2), _remove(text, around)
    upper = re.search(
        rf"\b(?:for )?(?:under|below|less than|cheaper than|no more than|not more than|at most|"
        rf"up to|max(?:imum)?(?: of)?|within|under the|tops|for) {_NUM}(?: {_CURRENCY})?",
        text,
    )
    lower = re.search(
        rf"\b(?:over|above|more than|at least|starting at|from|minimum(?: of)?) {_NUM}(?: {_CURRENCY})?",
        text,
    )
    low = high = None
    if upper:
        high = float(upper.group(1))
    if lower and not (lower.group(0).startswith("at least") and re.match(r"\s*stars?", text[lower.end() :])):
        low = float(lower.group(1))
    for match in sorted((m for m in (upper, lower) if m), key=lambda m: m.start(), reverse=True):
        if match is lower and low is None:
            continue
        text = _remove(text, match)
    if high is None and low is None:
        bare = re.search(rf"\b{_NUM} {_CURRENCY}", text)
        if bare:
            return None, float(bare.group(1)), _remove(text, bare)
    return low, high, text


def parse_rating(text: str) -> tuple[float | None, str]:
    """Minimum rating ('4 stars and up', 'rated 4 or higher', 'top rated' = 4)."""
    stars = re.search(
        rf"\b(?:with |rated )?(?:at least )?{_NUM}(?: |-)?stars?"
        r"(?: (?:and up|or more|or better|or higher|plus))?"
        r"(?: rating)?",
        text,
    )
    if stars:
        return min(5.0, float(stars.group(1))), _remove(text, stars)
    rated = re.search(rf"\brated (?:at least )?{_NUM}(?: (?:and up|or more|or better|or higher|plus))?", text)
    if rated:
        return min(5.0, float(rated.group(1))), _remove(text, rated)
    good = re.search(r"\b(?:highly|top|well|best)[ -]rated\b|\bwell reviewed\b|\bgood reviews\b", text)
    if good:
        return 4.0, _remove(text, good)
    return None, text


def parse_color(text: str) -> tuple[str | None, str]:
    """Colour and the text without it ('in black', 'black ones', 'a red one')."""
    names = sorted(COLORS, key=len, reverse=True)
    match = re.search(rf"\b(?:in )?(?:the )?({'|'.join(names)})(?: colou?r(?:ed)?)?\b", text)
    if not match:
        return None, text
    color = "grey" if match.group(1) == "gray" else match.group(1)
    return color, _remove(text, match)


def parse_brand(text: str) -> tuple[str | None, str]:
    """Known brand (case-insensitive), or 'from X'/'by X' for an unknown one."""
    names = sorted(BRANDS, key=len, reverse=True)
    pattern = "|".join(re.escape(name.lower()) for name in names)
    match = re.search(rf"\b(?:from |by |made by )?(?:the )?({pattern})(?:'s)?\b(?: brand)?", text)
    if match:
        canonical = next(name for name in names if name.lower() == match.group(1))
        return canonical, _remove(text, match)
    other = re.search(r"\b(?:from|by|made by) (?:the brand )?([a-z][a-z0-9&'\-]{1,20})(?: brand)?$", text)
    if other and other.group(1) not in _FILLER and other.group(1) not in RETAILERS:
        return other.group(1).title(), _remove(text, other)
    return None, text


def parse_size(text: str) -> tuple[str | None, str]:
    """'size 10', 'size medium', 'in extra large' -> the size words."""
    match = re.search(
        r"\b(?:in )?size (\d+(?:\.\d+)?|x+[sl]|small|medium|large|extra large|extra small|xs|s|m|l|xl)\b"
        r"|\bin (small|medium|large|extra large|extra small|xl|xxl)\b",
        text,
    )
    if not match:
        return None, text
    return (match.group(1) or match.group(2)), _remove(text, match)


def parse_retailers(text: str) -> tuple[tuple[str, ...], str]:
    """'on amazon', 'at best buy' -> retailer ids."""
    found: list[str] = []
    for name, retailer in sorted(RETAILERS.items(), key=lambda kv: len(kv[0]), reverse=True):
        match = re.search(rf"\b(?:on|at|from) {re.escape(name)}\b|\b{re.escape(name)} only\b", text)
        if match:
            found.append(retailer)
            text = _remove(text, match)
    return tuple(dict.fromkeys(found)), text


_CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|lower price[ds]?|more affordable|budget|cheapest|lower priced|less money)\b"
)
_PRICIER = re.compile(
    r"\b(?:more expensive|pricier|higher end|high end|premium|fancier|nicer|better quality|"
    r"more upscale|higher priced)\b"
)


def parse_constraints(text: str) -> tuple[Constraints, str]:
    """All filters in normalised ``text`` and the text left over (the product words)."""
    cheaper = bool(_CHEAPER.search(text))
    pricier = bool(_PRICIER.search(text))
    text = _PRICIER.sub(" ", _CHEAPER.sub(" ", text))
    min_rating, text = parse_rating(text)
    low, high, text = parse_price(text)
    retailers, text = parse_retailers(text)
    size, text = parse_size(text)
    color, text = parse_color(text)
    brand, text = parse_brand(text)
    constraints = Constraints(
        max_price=high,
        min_price=low,
        color=color,
        brand=brand,
        min_rating=min_rating,
        size=size,
        retailers=retailers,
        cheaper=cheaper,
        pricier=pricier,
    )
    return constraints, re.sub(r"\s+", " ", text).strip()


# --- query and references ----------------------------------------------------------------

_LEAD_IN = re.compile(
    r"^(?:(?:ok|okay|so|um|uh|well|now|and|also|alright|hey|please|actually)\s+)*"
    r"(?:(?:can|could|would|will) you (?:please )?|please |i'd like you to |help me )?"
    r"(?:find|show|get|search(?: for)?|look(?:ing)? for|i'm looking for|i am looking for|im looking for|"
    r"i want|i'd like|i would like|i need|do you have|have you got|buy|shop for|recommend|give me|"
    r"let's see|let me see|what about|how about|any|i'm after|i am after|looking for|search)"
    r"(?:\s+me)?(?:\s+(?:some|a|an|the|any|a pair of|a couple of|good|nice|new))*\b"
)
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "some",
        "any",
        "one",
        "ones",
        "them",
        "those",
        "these",
        "that",
        "this",
        "it",
        "something",
        "anything",
        "stuff",
        "options",
        "please",
        "instead",
        "only",
        "just",
        "maybe",
        "more",
        "less",
        "what",
        "about",
        "how",
        "with",
        "and",
        "but",
        "in",
        "are",
        "is",
        "for",
        "me",
        "show",
        "there",
        "do",
        "you",
        "have",
        "i",
        "again",
        "other",
        "else",
        "thing",
        "things",
        "version",
        "versions",
        "model",
        "models",
        "kind",
        "kinds",
        "now",
        "then",
        "ok",
        "okay",
        "also",
        "too",
        "really",
        "very",
        "cheap",
        "good",
        "nice",
        "best",
        "great",
        "new",
        "different",
        "another",
        "lot",
        "little",
        "bit",
        "slightly",
        "much",
        "way",
    ]
)


def extract_query(text: str) -> str:
    """The product words left once command words and filler are gone ('' when none)."""
    text = _LEAD_IN.sub("", text).strip()
    text = re.sub(r"\b(?:for me|please|if you can|if possible|right now|today)\b", " ", text)
    words = text.split()
    while words and words[0] in _FILLER:
        words.pop(0)
    while words and words[-1] in _FILLER:
        words.pop()
    if all(word in _FILLER for word in words):
        return ""
    return " ".join(words)


def parse_position(text: str) -> int | None:
    """Spoken reference to a listed product: 1-based, -1 for last, 0 for 'that one'/'it'."""
    match = re.search(r"\b(?:number|no|#|item|option|result) ?(\d{1,2})\b", text)
    if match:
        return int(match.group(1))
    match = re.search(rf"\b({'|'.join(ORDINALS)})(?: one| item| product| result| option)?\b", text)
    if match:
        return ORDINALS[match.group(1)]
    if re.search(r"\b(?:last|final|bottom)(?: one)?\b", text):
        return -1
    match = re.search(r"\bthe (\d{1,2})\b", text)
    if match:
        return int(match.group(1))
    if re.search(r"\b(?:that|this|it|that one|this one|the one)\b", text):
        return 0
    return None


def match_product_by_name(text: str, products: Sequence[Mapping[str, Any]]) -> str | None:
    """Id of the single listed product whose brand or title words the user named ('the Sony one')."""
    words = {w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 2 and w not in _FILLER}
    words -= {"save", "keep", "bookmark", "add", "list", "take", "one", "please", "want", "like"}
    if not words:
        return None
    hits = []
    for product in products:
        name_words = set(
            re.findall(r"[a-z0-9]+", f"{product.get('brand') or ''} {product.get('title') or ''}".lower())
        )
        if words & name_words:
            hits.append(product)
    if len(hits) == 1 and hits[0].get("id"):
        return str(hits[0]["id"])
    return None


# --- intents -----------------------------------------------------------------------------

_GOODBYE = re.compile(
    r"^(?:ok(?:ay)? |well |alright )?(?:thanks?(?: you)?(?: so much)?[ ,]*)?"
    r"(?:bye(?: bye)?|goodbye|good bye|see you(?: later)?|"
    r"that's all|that is all|that's it|i'm done|i am done|we're done|nothing else|no that's all|"
    r"end (?:the )?(?:session|call|conversation)|hang up|talk to you later|have a good (?:one|day|night))\b"
)
_SAVE = re.compile(
    r"\b(?:save|keep|bookmark|favou?rite|i'll take|i will take|i'll get|add|put|remember|"
    r"i (?:like|love|want) (?:the|that|this|number|it)\b)"
)
_DESCRIBE = re.compile(
    r"\b(?:tell me (?:more )?about|what(?:'s| is) (?:the )?|more (?:details|info)(?: on| about)?|"
    r"describe|how much is|details (?:on|about|of))"
)
_PREFERENCES = re.compile(
    r"\bwhat (?:do|did) i (?:usually |normally |typically |generally )?(?:like|prefer|buy|want)\b|"
    r"\bmy (?:preferences|taste|style|usual|favorite brands|favourite brands|budget|sizes?)\b|"
    r"\bwhat do you know about me\b|\bwhat (?:brands|colou?rs|styles) do i\b|\bwhat's my\b"
)
_HELP = re.compile(
    r"^(?:help|help me)$|\bwhat can you do\b|\bhow does this work\b|\bwhat can i (?:say|ask|do)\b|"
    r"\bhow do i\b|\bwhat do you do\b|\bi need help\b"
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings|yo)"
    r"(?: there)?(?: assistant)?\b"
)
_THANKS = re.compile(
    r"^(?:ok(?:ay)? )?(?:thanks|thank you|cheers|thx|great thanks|perfect thanks|awesome)"
    r"(?: so much| a lot| very much)?\b"
)
_SMALLTALK = {
    "how_are_you": re.compile(r"\bhow are you\b|\bhow's it going\b|\bhow are things\b"),
    "who_are_you": re.compile(
        r"\bwho are you\b|\bwhat(?:'s| is) your name\b|\bare you (?:a )?(?:robot|human|bot|real)\b"
    ),
    "joke": re.compile(r"\btell me a joke\b"),
}


def _strip_prefix(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.match(text)
    return text[match.end() :].strip(" ,") if match else text


def understand(
    text: str,
    last_search: SearchArgs | None = None,
    last_products: Sequence[Mapping[str, Any]] = (),
) -> Intent:
    """Decide what one user utterance asks for, given the last search and its products."""
    norm = normalize(text)
    if not norm:
        return Intent("unknown")
    if _GOODBYE.search(norm) and len(norm.split()) <= 8:
        return Intent("goodbye")

    rest = _strip_prefix(_GREETING, norm)
    greeted = rest != norm
    rest = _strip_prefix(_THANKS, rest)
    thanked = rest != norm and not greeted
    if not rest:
        return Intent("thanks" if thanked else "greeting")

    if _SAVE.search(rest) and not re.search(r"\b(?:find|search|show|looking for)\b", rest):
        product_id = match_product_by_name(rest, last_products)
        position = parse_position(rest)
        if product_id and position in (None, 0):
            return Intent("save", product_id=product_id)
        return Intent("save", position=position if position is not None else 0)

    if _PREFERENCES.search(rest):
        return Intent("preferences")
    if _HELP.search(rest):
        return Intent("help")
    for topic, pattern in _SMALLTALK.items():
        if pattern.search(rest):
            return Intent("smalltalk", topic=topic)

    if _DESCRIBE.search(rest) and last_products:
        position = parse_position(rest)
        product_id = match_product_by_name(rest, last_products)
        if position not in (None, 0) or product_id:
            return Intent("describe", position=position, product_id=product_id)

    bare_reference = re.fullmatch(
        rf"(?:and |what about |how about )?(?:the )?(?:number \d{{1,2}}|{'|'.join(ORDINALS)}|last)(?: one)?",
        rest,
    )
    if bare_reference and last_products:
        return Intent("describe", position=parse_position(rest))

    constraints, leftover = parse_constraints(rest)
    if _looks_like_question(_LEAD_IN.sub("", leftover).strip()):
        return Intent("unknown")
    query = extract_query(leftover)
    if query:
        return Intent(
            "search", search=_apply(SearchArgs(query=_with_size(query, constraints.size)), constraints, ())
        )
    if constraints.any():
        if last_search is None:
            return Intent("unknown", extra={"needs": "product"})
        return Intent("refine", search=refine(last_search, constraints, last_products))
    return Intent("unknown")


def _looks_like_question(query: str) -> bool:
    return bool(
        re.match(
            r"^(?:what|why|when|who|where|which|how|is|are|can|could|should|would|will|do|does)\b", query
        )
    )


def _with_size(query: str, size: str | None) -> str:
    return f"{query} size {size}" if size else query


def _apply(base: SearchArgs, constraints: Constraints, shown: Sequence[Mapping[str, Any]]) -> SearchArgs:
    updated = base
    if constraints.max_price is not None:
        updated = replace(updated, max_price=constraints.max_price)
    if constraints.min_price is not None:
        updated = replace(updated, min_price=constraints.min_price)
    if constraints.color:
        updated = replace(updated, color=constraints.color)
    if constraints.brand:
        updated = replace(updated, brand=constraints.brand)
    if constraints.min_rating is not None:
        updated = replace(updated, min_rating=constraints.min_rating)
    if constraints.retailers:
        updated = replace(updated, retailers=constraints.retailers)
    return updated


def _shown_prices(products: Sequence[Mapping[str, Any]], top: int = 3) -> list[float]:
    prices = []
    for product in list(products)[:top]:
        price = product.get("price")
        if isinstance(price, (int, float)) and not isinstance(price, bool) and price > 0:
            prices.append(float(price))
    return prices


def refine(last: SearchArgs, constraints: Constraints, shown: Sequence[Mapping[str, Any]] = ()) -> SearchArgs:
    """The last search with this turn's changes.

    "cheaper": the ceiling becomes 80 % of the average price of the top three
    products just shown (or of the last ceiling when nothing was shown), never
    above the last ceiling. "more expensive": the floor becomes the highest
    price shown (or the last ceiling) and the ceiling is dropped. Explicit
    prices, colour, brand, rating, retailers and size replace the old ones.
    """
    updated = last
    if constraints.size:
        base = re.sub(r"\s+size \S+(?: \S+)?$", "", updated.query)
        updated = replace(updated, query=_with_size(base, constraints.size))
    if constraints.cheaper and constraints.max_price is None:
        prices = _shown_prices(shown)
        reference = sum(prices) / len(prices) if prices else last.max_price
        if reference is not None:
            ceiling = float(int(reference * 0.8))
            if last.max_price is not None:
                ceiling = min(ceiling, float(int(last.max_price * 0.8)))
            updated = replace(updated, max_price=max(ceiling, 1.0))
            if updated.min_price is not None and updated.min_price >= updated.max_price:  # type: ignore[operator]
                updated = replace(updated, min_price=None)
    if constraints.pricier and constraints.min_price is None:
        prices = _shown_prices(shown)
        floor = max(prices) if prices else last.max_price
        updated = replace(updated, max_price=None, min_price=floor)
    return _apply(updated, constraints, shown)
