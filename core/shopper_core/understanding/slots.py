"""Filters lifted out of normalised text: prices, rating, colour, size, brand, retailer.

Each ``take_*`` function is pure: it returns what it found and the text with those words
cut out, so what is left at the end is the product the shopper asked for. Order matters
and lives in :func:`take_filters`: ratings before prices ("at least 4 stars" is not a
price), prices before brands ("under 50" is not a model name).

Decisions kept on purpose (tests pin them):
- a bare amount ("speaker for 30 bucks", "$50 keyboard") is a ceiling: that is what a
  shopper with a budget means;
- "around 50" / "about 50 dollars" is 40-60 (±20 %);
- an amount above 10,000,000 (the API's limit) is dropped, not clamped: such a number
  is a mis-hearing, and a filter nobody meant would hide every result;
- a store no provider serves ("at best buy") is ``unknown_retailer``, never a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from shopper_core.understanding.lexicon import Lexicon
from shopper_core.understanding.types import Filters, PricePreference

MAX_PRICE_ACCEPTED = 10_000_000.0
AROUND_SPREAD = 0.2

_CURRENCIES = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "buck": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
}  # fmt: skip

_AMOUNT = (
    r"(?P<sym>[$€£])?\s?(?P<num>\d+(?:\.\d+)?)(?:\s?(?P<k>k|grand)\b)?"
    r"(?:\s?(?P<cur>usd|dollars?|bucks?|eur|euros?|gbp|pounds?|quid)\b)?"
)
# A number followed by one of these is a spec ("15 inch", "2 tb"), not a price.
_UNIT_AFTER_RE = re.compile(
    r"\s?(?:inch(?:es)?|in\b|\"|cm|mm|m\b|gb|tb|mb|w\b|watts?|hz|ghz|mhz|kg|g\b|lbs?|hours?|"
    r"years?|months?|days?|mp|megapixels?|pixels?|%|percent|pack|pcs|pieces?|ml|l\b|liters?|"
    r"litres?|mah|rpm|ports?|stars?|star|x\b|seater|people|items?|ones?|results?)"
)


def _amount_re(prefix: str) -> str:
    return _AMOUNT.replace("?P<", f"?P<{prefix}")


_MAX_CUES = (
    r"nothing (?:over|above|more than|higher than|pricier than)|not (?:over|above|more than)|"
    r"no (?:more|higher) than|under|below|beneath|(?<!no )(?<!not )less than|cheaper than|lower than|"
    r"up to|upto|"
    r"at most|at the most|max(?:imum)?(?: of)?|within|tops|no more than|"
    r"(?:my |the )?budget (?:is|of|'s)(?: like| about| around| maybe)?(?: up to| at most| under)?|"
    r"(?:i )?(?:can )?stretch to|budget|"
    r"(?:i )?(?:don't|do not) want to (?:spend|pay) (?:more than|over|above)|"
    r"(?:(?:i )?(?:can|could|want to|wanna|willing to|happy to|able to|looking to) )?"
    r"spend(?:ing)?(?: up to| at most| no more than| max)?|for less than|for under|"
    r"not exceeding|doesn't cost more than|that costs? less than|sub|"
    r"(?:lower|drop|reduce|bring|raise|increase|bump|change|set|move|put|make|take)(?: it)?"
    r"(?: (?:the|my))? (?:budget|limit|max(?:imum)?|price(?: limit)?|cap|ceiling|top price)"
    r"(?: (?:down|up))? to"
)
_MIN_CUES = (
    r"over|above|more than|at least|min(?:imum)?(?: of)?|starting (?:at|from)|upwards of|"
    r"no less than|not less than|higher than|pricier than|from"
)
_AROUND_CUES = r"around|about|roughly|approximately|approx|close to|near|somewhere around|in the region of"
_MAX_AFTER = r"max(?:imum)?|tops|or less|or under|or below|or cheaper|at most|and under|and below|and less"
_MIN_AFTER = r"or more|and up|and above|and over|or above|or higher|plus|\+|at least|minimum|min"

_RANGE_RE = re.compile(
    rf"\b(?:between|from)\s+{_amount_re('a_')}\s*(?:and|to|-|–)\s*{_amount_re('b_')}(?!\w)"
)
_SPAN_RE = re.compile(rf"(?<![\w.]){_amount_re('a_')}\s*(?:to|-|–)\s*{_amount_re('b_')}(?!\w)")
_MAX_RE = re.compile(rf"\b(?:{_MAX_CUES})\s+(?:a\s+|the\s+)?(?:price\s+of\s+)?{_AMOUNT}(?!\w)")
_MIN_RE = re.compile(rf"\b(?:{_MIN_CUES})\s+{_AMOUNT}(?!\w)")
_AROUND_RE = re.compile(rf"\b(?:{_AROUND_CUES})\s+{_AMOUNT}(?:\s?-?ish)?(?!\w)")
_ISH_RE = re.compile(rf"(?<![\w.]){_AMOUNT}\s?-?ish\b")
# "something around the 500 mark", "in the 300 dollar range", "ballpark 200": a target price.
_MARK_RE = re.compile(
    rf"\b(?:(?:in|around|about|near|at) the\s+|(?:in the )?ballpark(?: of)?\s+)?(?<![\w.]){_AMOUNT}"
    r"(?:\s+(?:dollar|buck))?\s+(?:mark|range|price range|price point|ballpark|area|region)\b"
    rf"|\bballpark(?: of)?\s+{_amount_re('b_')}(?!\w)"
)
_AFTER_MAX_RE = re.compile(rf"(?<![\w.]){_AMOUNT}\s*(?:{_MAX_AFTER})(?!\w)")
_AFTER_MIN_RE = re.compile(rf"(?<![\w.]){_AMOUNT}\s*(?:{_MIN_AFTER})(?!\w)")
_BARE_RE = re.compile(rf"(?:\b(?:for|at|costing|priced at|that costs?)\s+)?(?<![\w.]){_AMOUNT}(?!\w)")

_RATING_RE = re.compile(
    r"\b(?:(?:with|having|has|at least|minimum(?: of)?|min|over|above|rated|of)\s+)*"
    r"(?P<r>[1-5](?:\.\d)?)\s?(?:\+\s?)?-?\s?(?:stars?|star rating|star reviews?)"
    r"(?:\s+(?:and up|or more|or higher|or better|and above|plus|or above|minimum|at least|rating))?"
    r"|\brated\s+(?:at least\s+|above\s+|over\s+)?(?P<r2>[1-5](?:\.\d)?)(?:\s?\+)?(?:\s+stars?)?"
    r"(?:\s+(?:or|and)\s+(?:up|higher|more|above|better))?"
    r"|\b(?:a\s+)?rating\s+(?:of\s+)?(?:at least\s+|above\s+|over\s+)?(?P<r3>[1-5](?:\.\d)?)(?:\s?\+)?"
    r"(?:\s+(?:or|and)\s+(?:up|higher|more|above|better))?"
)
_HIGHLY_RATED_RE = re.compile(
    r"\b(?:highly|well|top|best|high|good|great)[\s-](?:rated|reviewed)\b|"
    r"\b(?:with |that have |having )?(?:good|great|excellent|high|top) (?:reviews|ratings)\b"
)
HIGHLY_RATED = 4.0

_LOW_RE = re.compile(
    r"\b(?:cheap(?:ish|est)?|inexpensive|affordable|budget(?:[\s-]friendly)?|low[\s-](?:cost|priced|end)|"
    r"bargain|economical|not (?:too|very|that|crazy|super) expensive|value for money|on a budget|"
    r"nothing (?:too |crazy |super |very |that )?(?:expensive|pricey|fancy))\b"
)
_HIGH_RE = re.compile(
    r"\b(?:high[\s-]end|premium|top[\s-]of[\s-]the[\s-]line|top[\s-]end|luxury|luxurious|flagship|"
    r"upscale|best money can buy|top[\s-]tier|pro[\s-]grade|professional[\s-]grade)\b"
)

_SIZE_RE = re.compile(
    r"\b(?:in\s+)?(?:a\s+)?size\s+(?P<v>\d{1,2}(?:\.5)?|xx?s|xx?x?l|\d?xl|small|medium|large|"
    r"extra[\s-]large|extra[\s-]small|s|m|l)\b"
    r"|\b(?P<v2>xxs|xs|xl|xxl|xxxl|2xl|3xl)\b"
    r"|\bin\s+(?:a\s+)?(?P<v3>small|medium|large|extra[\s-]large)\s*$"
)
_SIZE_WORDS = {"s": "small", "m": "medium", "l": "large", "extra large": "xl", "extra-large": "xl"}

# Colours that are also other words ("face cream", "rose"): a colour only when marked.
_WEAK_COLOURS = frozenset(
    {"cream", "rose", "chrome", "platinum", "titanium", "metallic", "transparent", "translucent",
     "graphite", "pearl", "charcoal", "stainless steel", "aluminium", "aluminum", "bronze",
     "ivory", "lilac", "bordeaux"}
)  # fmt: skip
_BRAND_CUE = r"(?:from|by|made by|brand|of the brand|make)"
_STORE_CUE = r"(?:at|on|from|in|via|through|sold (?:at|on|by)|available (?:at|on))"


@dataclass(frozen=True)
class Taken:
    """Filters found and the text left for the product words."""

    filters: Filters
    rest: str


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


def _value(match: re.Match[str], prefix: str = "") -> float | None:
    number = match.group(prefix + "num")
    if number is None:
        return None
    value = float(number)
    if match.group(prefix + "k"):
        value *= 1000
    return value


def _currency(match: re.Match[str], prefix: str = "") -> str | None:
    for key in (prefix + "sym", prefix + "cur"):
        token = match.group(key)
        if token:
            return _CURRENCIES.get(token)
    return None


def _is_money(match: re.Match[str], prefix: str = "") -> bool:
    return bool(match.group(prefix + "sym") or match.group(prefix + "cur") or match.group(prefix + "k"))


def _unit_follows(text: str, match: re.Match[str]) -> bool:
    return not (match.group("cur") or match.group("sym")) and bool(_UNIT_AFTER_RE.match(text, match.end()))


def _accept(value: float | None) -> float | None:
    """Drop absurd amounts (see the module docstring) and non-positive ones."""
    if value is None or value <= 0 or value > MAX_PRICE_ACCEPTED:
        return None
    return round(value, 2)


@dataclass(frozen=True)
class Prices:
    low: float | None = None
    high: float | None = None
    currency: str | None = None


# "something classy 200 to 400": two plain amounts of 20 or more with no unit after them
# are a price range; "size 8 to 10", "27 to 32 inch" and "2 to 4 people" are not.
_PLAIN_SPAN_MIN = 20


def _plain_span(text: str, m: re.Match[str]) -> bool:
    a, b = _value(m, "a_"), _value(m, "b_")
    if a is None or b is None or min(a, b) < _PLAIN_SPAN_MIN or _UNIT_AFTER_RE.match(text, m.end()):
        return False
    return not re.search(r"\b(?:size|sizes|model|version|series|gen|generation)\s*$", text[: m.start()])


def take_prices(text: str) -> tuple[Prices, str]:
    """Lift every way of saying a price (see the module docstring for the decisions)."""
    low = high = None
    currency = None
    work = text
    if (m := _RANGE_RE.search(work)) or (
        (m := _SPAN_RE.search(work)) and (_is_money(m, "a_") or _is_money(m, "b_") or _plain_span(work, m))
    ):
        a, b = _value(m, "a_"), _value(m, "b_")
        if m.group("b_k") and not m.group("a_k") and a is not None and b is not None and a < b / 1000 * 10:
            a *= 1000  # "1 to 2k" means 1000-2000
        if a is not None and b is not None:
            low, high = _accept(min(a, b)), _accept(max(a, b))
        currency = _currency(m, "b_") or _currency(m, "a_")
        work = _cut(work, m)
    else:
        cues = ((_MAX_RE, "high"), (_AFTER_MAX_RE, "high"), (_MIN_RE, "low"), (_AFTER_MIN_RE, "low"))
        for regex, side in cues:
            if (side == "high" and high is not None) or (side == "low" and low is not None):
                continue
            m = regex.search(work)
            if m is None or _unit_follows(work, m):
                continue
            if regex is _MIN_RE and m.group(0).startswith("from") and not _is_money(m):
                continue  # "from 3 brands" is not a price
            value = _accept(_value(m))
            if side == "high":
                high = value
            else:
                low = value
            currency = currency or _currency(m)
            work = _cut(work, m)
        if low is None and high is None:
            m = _MARK_RE.search(work) or _AROUND_RE.search(work) or _ISH_RE.search(work)
            prefix = "b_" if m is not None and m.re is _MARK_RE and m.group("b_num") else ""
            money = m is not None and (_is_money(m, prefix) or float(m.group(prefix + "num")) >= 5)
            if m and money and not _unit_follows(work, m):
                value = _accept(_value(m, prefix))
                if value is not None:
                    low = round(value * (1 - AROUND_SPREAD), 2)
                    high = round(value * (1 + AROUND_SPREAD), 2)
                currency = _currency(m, prefix)
                work = _cut(work, m)
        if low is None and high is None:
            for m in _BARE_RE.finditer(work):
                if m.group("sym") or m.group("cur") or (m.group("k") and m.group(0).startswith("for")):
                    high, currency = _accept(_value(m)), _currency(m)
                    work = _cut(work, m)
                    break
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Prices(low, high, currency), work


def take_rating(text: str) -> tuple[float | None, str]:
    """ "4 stars and up", "at least 4 stars", "4+ stars", "rated 4 or higher", "highly rated"."""
    if m := _RATING_RE.search(text):
        value = float(m.group("r") or m.group("r2") or m.group("r3"))
        return (value if 1 <= value <= 5 else None), _cut(text, m)
    if m := _HIGHLY_RATED_RE.search(text):
        return HIGHLY_RATED, _cut(text, m)
    return None, text


def take_price_preference(text: str) -> tuple[PricePreference | None, str]:
    """ "cheap", "budget", "affordable" -> low; "high end", "premium", "top of the line" -> high."""
    if m := _LOW_RE.search(text):
        return "low", _LOW_RE.sub(" ", text)
    if m := _HIGH_RE.search(text):
        return "high", _cut(text, m)
    return None, text


def take_size(text: str) -> tuple[str | None, str]:
    """ "size 10", "size medium", "xl", "in a large"."""
    m = _SIZE_RE.search(text)
    if not m:
        return None, text
    value = (m.group("v") or m.group("v2") or m.group("v3")).replace("-", " ")
    return _SIZE_WORDS.get(value, value), _cut(text, m)


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first (so "dark blue" wins over "blue")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _colour_re(lexicon: Lexicon) -> re.Pattern[str]:
    alternation = _alternation(lexicon.colors)
    return re.compile(
        rf"\b(?:in\s+(?:the\s+)?(?:colou?r\s+)?)?(?P<c>{alternation})(?:\s+(?:colou?r(?:ed)?|ones?))?\b"
    )


def take_colour(text: str, lexicon: Lexicon) -> tuple[str | None, str]:
    """The first colour the lexicon knows ("in black", "black ones", "gray" -> "grey")."""
    for m in _colour_re(lexicon).finditer(text):
        word = m.group("c")
        marked = m.group(0) != word
        if word in _WEAK_COLOURS and not marked:
            continue
        return lexicon.colors[word], _cut(text, m)
    return None, text


@cache
def _brand_re(lexicon: Lexicon) -> re.Pattern[str]:
    alternation = _alternation(lexicon.brands)
    return re.compile(
        rf"(?:\b(?P<cue>{_BRAND_CUE})\s+)?(?<![\w-])(?P<b>{alternation})(?P<pos>'s)?(?![\w-])(?:\s+brand\b)?"
    )


_NOT_CUE = (
    r"(?:but )?(?:no|not|not from|nothing from|none from|no more)|except|except for|anything but|"
    r"other than|apart from|excluding|besides|avoid|without any|"
    r"(?:i )?(?:don't|do not) (?:want|like|trust|care for)(?: any)?|(?:i )?(?:hate|dislike|can't stand)|"
    r"(?:but )?(?:i'm |i am )?not (?:a )?(?:fan|big fan) of|(?:but )?(?:i'm |i am )?(?:done|sick|tired) with|"
    r"forget|but (?:i )?(?:hate|dislike|can't stand|don't (?:want|like))|"
    r"(?:(?:she|he|they|i)(?:'s|'re| is| are| am|'m) )?not (?:really )?into"
)


@cache
def _not_brand_re(lexicon: Lexicon) -> re.Pattern[str]:
    alternation = _alternation(lexicon.brands)
    return re.compile(
        rf"\b(?:{_NOT_CUE})\s+(?:(?:the|any|an?|those|these)\s+)?(?P<b>{alternation})(?:'s)?(?![\w-])"
        rf"(?:\s+(?:ones?|stuff|products|brand|please)\b)?"
        rf"(?:\s*(?:or|nor|and)\s+(?:the\s+)?(?P<b2>{alternation})(?![\w-])(?:\s+ones?\b)?)?"
    )


def take_not_brands(text: str, lexicon: Lexicon) -> tuple[tuple[str, ...], str]:
    """Brands the shopper rules out: "no apple", "not the sony ones", "anything but samsung or lg"."""
    found: list[str] = []
    for m in list(_not_brand_re(lexicon).finditer(text)):
        found.extend(lexicon.brands[k] for k in (m.group("b"), m.group("b2")) if k)
    if not found:
        return (), text
    return tuple(dict.fromkeys(found)), _not_brand_re(lexicon).sub(" ", text)


def take_brand(text: str, lexicon: Lexicon) -> tuple[str | None, str]:
    """A catalog brand: "from Sony", "by Logitech", "Sony's", "sony headphones".

    A brand that is also an ordinary word ("brother", "peach") counts only when marked:
    a cue ("from"), a possessive, the word "brand", or a product word right after it.
    """
    for m in _brand_re(lexicon).finditer(text):
        key = m.group("b")
        if key[0].isdigit() and not (m.group("cue") or m.group("pos")):
            continue  # "3m cable" is three metres
        if key in lexicon.ordinary_word_brands:
            after = text[m.end() :].split()
            marked = m.group("cue") or m.group("pos") or m.group(0).endswith("brand")
            if not marked and not (after and after[0] in lexicon.product_words):
                continue
        return lexicon.brands[key], _cut(text, m)
    return None, text


@cache
def _retailer_res(lexicon: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    known = _alternation(lexicon.retailers)
    other = _alternation(lexicon.other_stores)
    known_re = (
        rf"\b(?:{_STORE_CUE}\s+)(?:the\s+)?(?P<r>{known})(?:\s+(?:store|shop|site))?\b"
        r"|\b(?P<r2>google shopping|icecat|dummyjson)\b"
    )
    other_re = rf"\b(?P<cue>{_STORE_CUE})\s+(?P<r>{other})(?:'s)?(?:\s+(?:store|shop|site|website))?(?![\w'])"
    return re.compile(known_re), re.compile(other_re)


def take_retailer(text: str, lexicon: Lexicon) -> tuple[tuple[str, ...], str | None, str]:
    """Retailers the providers serve, by the providers' names; another store as unknown.

    "from amazon" is the brand Amazon (the catalog sells it); "at/on amazon" is the store.
    """
    known_re, other_re = _retailer_res(lexicon)
    if m := known_re.search(text):
        rid = lexicon.retailers[m.group("r") or m.group("r2")]
        return (rid,), None, _cut(text, m)
    for m in other_re.finditer(text):
        store = m.group("r")
        if m.group("cue") == "from" and store in lexicon.brands:
            continue
        return (), store.removeprefix("the "), _cut(text, m)
    return (), None, text


def take_filters(text: str, lexicon: Lexicon) -> Taken:
    """Every filter in normalised text, and what is left for the product words."""
    rating, work = take_rating(text)
    prices, work = take_prices(work)
    if prices.low is not None or prices.high is not None:
        # "budget around 400": with an amount said, "budget" is the amount, not "cheap".
        work = re.sub(r"\b(?:(?:my|the|a|on a) )?budget(?: is| of|'s)?\b", " ", work)
    preference, work = take_price_preference(work)
    size, work = take_size(work)
    retailers, unknown, work = take_retailer(work, lexicon)
    colour, work = take_colour(work, lexicon)
    not_brands, work = take_not_brands(work, lexicon)
    brand, work = take_brand(work, lexicon)
    filters = Filters(
        min_price=prices.low,
        max_price=prices.high,
        min_rating=rating,
        color=colour,
        brand=brand,
        size=size,
        retailers=retailers,
        unknown_retailer=unknown,
        currency=prices.currency,
        price_preference=preference,
        not_brands=not_brands,
    )
    return Taken(filters=filters, rest=re.sub(r"\s+", " ", work).strip())
