"""Natural-language shopping queries -> search text + filters (pure, no I/O).

    >>> q = parse_query("a cheap bluetooth speaker under 30 dollars in black")
    >>> q.text, q.filters.max_price, q.filters.color, q.sort
    ('bluetooth speaker', 30.0, 'black', <SortHint.price_low: 'price_low'>)

Understood: "under/below/less than/up to/max $X", "over/above/more than/at least $X",
"between X and Y", "X to Y dollars", "around $X" (±20 %), a bare price ("$50",
"50 bucks": a budget ceiling), number words ("under fifty dollars"), "at least 4 stars",
"4+ stars", "rated 4 or higher", "highly rated", colours ("in black"), "from/by <brand>"
for a known brand, "cheap"/"affordable" (sort by price) and € / £ amounts (currency).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from shopper.research.catalog_data import COLOR_WORDS, normalise_color
from shopper.research.types import ParsedQuery, SearchFilters, SortHint

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD_RE = re.compile(
    r"\b(?:(?:" + "|".join(_UNITS) + r"|hundred|thousand|and)(?:[\s-]+|\b))+", re.IGNORECASE
)

_CURRENCY_WORDS = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "buck": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
}  # fmt: skip
_AMOUNT = r"(?P<sym>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(?P<k>k\b)?"
_CUR_AFTER = r"(?:\s?(?P<cur>usd|dollars?|bucks?|eur|euros?|gbp|pounds?|quid)\b)?"
_PRICE = _AMOUNT + _CUR_AFTER

_MAX_WORDS = r"under|below|less than|cheaper than|lower than|up to|at most|no more than|max(?:imum)?|within"
_MIN_WORDS = r"over|above|more than|at least|min(?:imum)?|starting at|upwards of"

_RANGE_RE = re.compile(
    r"\b(?:between|from)\s+"
    + _PRICE.replace("?P<", "?P<a_")
    + r"\s+(?:and|to|-)\s+"
    + _PRICE.replace("?P<", "?P<b_"),
    re.IGNORECASE,
)
_DASH_RANGE_RE = re.compile(
    _PRICE.replace("?P<", "?P<a_") + r"\s?(?:-|to)\s?" + _PRICE.replace("?P<", "?P<b_"), re.IGNORECASE
)
_RATING_RE = re.compile(
    r"\b(?:(?:with\s+)?(?:at least|minimum(?: of)?|min|over|above)\s+)?(?P<r>[1-5](?:\.\d)?)\s?(?:\+\s?)?"
    r"(?:stars?|star rating)(?:\s+(?:and up|or more|or higher|or better|and above|plus))?"
    r"|\brated\s+(?:at least\s+)?(?P<r2>[1-5](?:\.\d)?)(?:\s+(?:stars?))?"
    r"(?:\s+(?:or|and)\s+(?:up|higher|more|above|better))?",
    re.IGNORECASE,
)
_HIGHLY_RATED_RE = re.compile(r"\b(?:highly|well|top|best)[\s-]rated\b|\bgood reviews\b", re.IGNORECASE)
_CHEAP_RE = re.compile(
    r"\b(?:cheap(?:est)?|inexpensive|affordable|budget|low[\s-]cost|bargain)\b", re.IGNORECASE
)
_MAX_RE = re.compile(r"\b(?:" + _MAX_WORDS + r")\s+" + _PRICE, re.IGNORECASE)
_MIN_RE = re.compile(r"\b(?:" + _MIN_WORDS + r")\s+" + _PRICE, re.IGNORECASE)
_AROUND_RE = re.compile(r"\b(?:around|about|roughly|approximately|for)\s+" + _PRICE, re.IGNORECASE)
_BRAND_RE = re.compile(
    r"\b(?:from|by|made by|brand)\s+(?P<brand>[A-Za-z0-9][\w&.+'-]*(?:\s+[A-Za-z0-9][\w&.+'-]*)?)"
)
_FILLER_RE = re.compile(
    r"^\s*(?:(?:hey|hi|ok|okay|so|um|uh|please|can you|could you|would you|"
    r"i(?:'m| am)? (?:looking|searching|shopping) for|"
    r"i (?:want|need|would like|'d like)|i'd like|show me|find me|find|search for|look for|get me|"
    r"buy me|buy|i want to buy|help me find)\b[\s,]*)+",
    re.IGNORECASE,
)
_ARTICLE_RE = re.compile(r"^\s*(?:a|an|some|the|any|pair of|a pair of)\s+", re.IGNORECASE)
_DANGLING_RE = re.compile(
    r"\b(?:in|with|for|that(?:'s| is)?|which is|and|or|priced|costing|under|rated|please|a|an)\s*$",
    re.IGNORECASE,
)


def words_to_numbers(text: str) -> str:
    """ "under fifty dollars" -> "under 50 dollars"; digits are left alone."""

    def convert(match: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w]
        if not any(w in _UNITS for w in words):
            return match.group(0)
        total, current = 0, 0
        for word in words:
            if word in _UNITS:
                current += _UNITS[word]
            elif word == "hundred":
                current = max(current, 1) * 100
            elif word == "thousand":
                total += max(current, 1) * 1000
                current = 0
        trailing = " " if match.group(0)[-1:].isspace() else ""
        return f"{total + current}{trailing}"

    return _NUMBER_WORD_RE.sub(convert, text)


def _amount(match: re.Match[str], prefix: str = "") -> float | None:
    number = match.group(prefix + "num")
    if number is None:
        return None
    value = float(number.replace(",", ""))
    if match.group(prefix + "k"):
        value *= 1000
    return value


def _currency(match: re.Match[str], prefix: str = "") -> str | None:
    for key in (prefix + "sym", prefix + "cur"):
        token = match.group(key)
        if token:
            return _CURRENCY_WORDS.get(token.lower())
    return None


def _is_money(match: re.Match[str], prefix: str = "") -> bool:
    return bool(match.group(prefix + "sym") or match.group(prefix + "cur"))


def parse_query(text: str, brands: Collection[str] = (), default_currency: str = "USD") -> ParsedQuery:
    """Lift prices, ratings, colour, brand and sort hints out of `text`.

    `brands` are known brand names (case-insensitive) that "from X"/"by X" may name.
    Raises ValueError for empty text.
    """
    if not text or not text.strip():
        raise ValueError("the search text is empty")
    raw = text.strip()
    work = " " + words_to_numbers(raw) + " "
    min_price: float | None = None
    max_price: float | None = None
    min_rating: float | None = None
    currency: str | None = None
    sort = SortHint.relevance

    def cut(match: re.Match[str]) -> None:
        nonlocal work
        work = work[: match.start()] + " " + work[match.end() :]

    if match := _RATING_RE.search(work):
        min_rating = float(match.group("r") or match.group("r2"))
        cut(match)
    elif match := _HIGHLY_RATED_RE.search(work):
        min_rating = 4.0
        sort = SortHint.rating_high
        cut(match)

    if match := _RANGE_RE.search(work):
        low, high = _amount(match, "a_"), _amount(match, "b_")
        currency = _currency(match, "b_") or _currency(match, "a_")
        if low is not None and high is not None:
            min_price, max_price = min(low, high), max(low, high)
        cut(match)
    else:
        for match in _DASH_RANGE_RE.finditer(work):
            if _is_money(match, "a_") or _is_money(match, "b_"):
                low, high = _amount(match, "a_"), _amount(match, "b_")
                if low is not None and high is not None:
                    min_price, max_price = min(low, high), max(low, high)
                    currency = _currency(match, "b_") or _currency(match, "a_")
                    cut(match)
                    break
    if max_price is None and (match := _MAX_RE.search(work)):
        max_price, currency = _amount(match), _currency(match) or currency
        cut(match)
    if min_price is None and (match := _MIN_RE.search(work)):
        min_price, currency = _amount(match), _currency(match) or currency
        cut(match)
    if min_price is None and max_price is None:
        match = _AROUND_RE.search(work)
        if match and _is_money(match):
            value = _amount(match) or 0.0
            min_price, max_price = round(value * 0.8, 2), round(value * 1.2, 2)
            currency = _currency(match)
            cut(match)
    if min_price is None and max_price is None:
        for match in re.finditer(_PRICE, work, re.IGNORECASE):
            if _is_money(match):  # a bare "$50" / "50 bucks" is a budget ceiling
                max_price, currency = _amount(match), _currency(match)
                cut(match)
                break

    if _CHEAP_RE.search(work):
        work = _CHEAP_RE.sub(" ", work)
        if sort == SortHint.relevance:
            sort = SortHint.price_low

    color = None
    for word in re.findall(r"[A-Za-z]+", work):
        if word.lower() in COLOR_WORDS:
            color = normalise_color(word)
            work = re.sub(
                rf"\b(?:in\s+|coloured\s+|colored\s+)?{word}(?:\s+(?:colou?r(?:ed)?))?\b", " ", work, count=1
            )
            break

    brand = None
    known = {b.lower(): b for b in brands}
    for match in _BRAND_RE.finditer(work):
        words = match.group("brand").split()
        for size in (2, 1):
            candidate = " ".join(words[:size]).lower()
            if len(words) >= size and candidate in known:
                brand = known[candidate]
                work = (
                    work[: match.start()] + " " + work[match.start("brand") + len(" ".join(words[:size])) :]
                )
                break
        if brand:
            break

    search_text = _clean(work)
    filters = SearchFilters(
        min_price=min_price, max_price=max_price, min_rating=min_rating, color=color, brand=brand
    )
    return ParsedQuery(
        text=search_text,
        filters=filters,
        sort=sort,
        raw_text=raw,
        currency=currency or default_currency,
    )


def _clean(text: str) -> str:
    text = re.sub(r"[?!,;:]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    previous = None
    while previous != text:
        previous = text
        text = _FILLER_RE.sub("", text).strip()
        text = _ARTICLE_RE.sub("", text).strip()
        text = _DANGLING_RE.sub("", text).strip()
        text = re.sub(r"\s+", " ", text).strip(" .-")
    return text
