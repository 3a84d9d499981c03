"""Which product(s) a turn points at: reading the reference, and resolving it.

``parse_reference`` reads "the third one", "number 2", "#3", "the last one", "second to
last", "the top one", "it" / "that one" / "this", "the Sony one", "the black one", "the
first two", "the second one on my list". ``resolve`` turns a :class:`Reference` into
indices of the items actually shown (or saved), and raises :class:`UnclearReference`
with one short sentence the assistant can say when it picks nothing or several.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from shopper_core.understanding.types import Reference, Superlative

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10, "top": 1, "last": -1, "bottom": -1,
}  # fmt: skip
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10}  # fmt: skip
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_FROM_END_RE = re.compile(rf"\b(?P<o>{_ORD}|next)\s*(?:to|from(?: the)?)?\s*last\b|\bpenultimate\b")
_FIRST_N_RE = re.compile(
    r"\b(?P<side>first|top|last)\s+(?P<n>two|three|four|five|[2-5])\b(?!\s*(?:dollars|bucks|stars))"
)
_NUMBER_RE = re.compile(
    r"(?:\b(?:number|no\.?|item|option|result|product|choice|pick)\s*#?\s*|#\s*)(?P<n>\d{1,2}|"
    + "|".join(_SMALL)
    + r")\b"
)
_PAIR_RE = re.compile(
    r"\b(?:numbers?\s+)?(?P<a>\d{1,2})\s*(?:and|&|vs|versus|or|with|to|against)\s*(?:number\s*)?(?P<b>\d{1,2})\b"
    r"(?!\s*(?:dollars|bucks|euros|pounds|stars?|k\b|%))"
)
_ORDINAL_RE = re.compile(rf"\b(?P<o>{_ORD})\b(?!\s+(?:time|place))")
_BARE_NUMBER_RE = re.compile(r"^(?:the\s+)?(?P<n>\d{1,2})(?:\s+(?:one|please))?$")
_LIKE_NUMBER_RE = re.compile(r"\blike\s+(?:the\s+)?(?P<n>\d)(?:\s+one)?$")  # "more like 2"
_FOCUS_RE = re.compile(r"\b(?:it|that|this|that one|this one|the one|those|them|these)\b")
_SAVED_RE = re.compile(
    r"\b(?:on|in|from|of|off)\s+(?:my|the)\s+(?:saved\s+)?(?:list|saved(?:\s+(?:items|list|products|stuff))?|"
    r"favou?rites|wish\s?list|saves)\b|\bsaved (?:items?|ones?|products?|list)\b|\bthe saved one\b"
)
# What shoppers call the cart, and a phrase that points into it ("out of my basket").
CART = r"(?:cart|basket|shopping (?:cart|bag|basket)|trolley|checkout)"
IN_CART = rf"\b(?:in|on|from|out of|off|of)\s+(?:(?:my|the)\s+)?(?:{CART}|(?<=my )bag)\b"
_CART_RE = re.compile(IN_CART)
# "everything on my list", "all of them", "empty my cart": every item, not one.
_EVERY_RE = re.compile(
    r"\b(?:everything|every (?:item|one|thing|product)|all (?:of )?(?:them|those|these|my|the|items|"
    r"products|things|stuff)|all$)\b"
    r"|^(?:(?:please|can you|could you|just|ok)\s+)*(?:empty|clear|wipe|reset)(?: out)?\s+"
    r"(?:(?:my|the|out)\s+)*"
    rf"(?:{CART}|(?:saved\s+)?(?:list|items|saves|favou?rites|wish ?list))\b"
)
_NAME_RE = re.compile(
    r"\b(?:the|that|this)\s+(?P<name>(?!(?:first|second|third|last|top|next|other|same|cheap|one)\b)"
    r"[\w'&.+-]+(?:\s+[\w'&.+-]+){0,2}?)\s+(?:one|ones|model|version)\b"
    r"|\bthe\s+one\s+(?:from|by|in)\s+(?P<name2>[\w'&.+-]+(?:\s+[\w'&.+-]+)?)"
)
# Words that never name a product in a reference ("the cheap one" is a superlative).
_NOT_A_NAME = frozenset(
    {"other", "same", "cheap", "cheaper", "cheapest", "expensive", "best", "good", "better", "last",
     "first", "next", "previous", "new", "right", "wrong", "big", "small", "one", "only", "whole",
     "most", "least", "highest", "lowest", "top", "rated", "reviewed", "priced", "priciest"}
)  # fmt: skip


# Which shown product a superlative picks ("the cheapest one", "save the best rated").
_SUPERLATIVES: tuple[tuple[re.Pattern[str], Superlative], ...] = (
    (re.compile(
        r"\b(?:cheapest|least expensive|lowest(?:[\s-]priced)?|lowest price|most affordable|cheapest one|"
        r"most cheap|lowest cost|least costly|best (?:deal|price|value)|costs? the least|cheapest of|"
        r"the cheaper (?:one|of the two|of them|of those|of these))\b"
    ), "cheapest"),
    (re.compile(
        r"\b(?:most expensive|priciest|highest(?:[\s-]priced)?|highest price|most costly|dearest|"
        r"most premium|fanciest|"
        r"the (?:pricier|more expensive) (?:one|of the two|of them|of those|of these))\b"
    ), "most_expensive"),
    (re.compile(
        r"\b(?:best|highest|top)[\s-](?:rated|reviewed|rating|reviews)\b|\bbest reviews\b|\bmost popular\b|"
        r"\bbest one\b|\bthe best\b|\bhighest ratings?\b|\bmost stars\b|\bbest ratings?\b|"
        r"\bwhich (?:one )?(?:would|do|should) (?:you|i) (?:recommend|suggest|pick|choose|go for)\b|"
        r"\bwhich (?:one )?should (?:i|we|she|he|they|my \w+) (?:get|buy|take|pick|choose|go for)\b|"
        r"\bwhich (?:one )?(?:is|'s) (?:the )?best\b|"
        r"^what (?:would|do) you (?:recommend|suggest)\b"
    ), "best_rated"),
)  # fmt: skip


def superlative_of(text: str) -> Superlative | None:
    for regex, kind in _SUPERLATIVES:
        if regex.search(text):
            return kind
    return None


class UnclearReference(ReferenceError):
    """The reference picks no product or several; ``str(exc)`` is a sentence to say."""


def _positions(text: str) -> tuple[int, ...]:
    if m := _FROM_END_RE.search(text):
        if m.group(0) == "penultimate":
            return (-2,)
        word = m.group("o")
        return (-2,) if word in ("next", "last") else (-abs(ORDINALS[word]),)
    if m := _FIRST_N_RE.search(text):
        count = _COUNTS[m.group("n")]
        if m.group("side") == "last":
            return tuple(range(-count, 0))
        return tuple(range(1, count + 1))
    found: list[int] = []
    if m := _PAIR_RE.search(text):
        found.extend((int(m.group("a")), int(m.group("b"))))
    for m in _NUMBER_RE.finditer(text):
        n = m.group("n")
        found.append(int(n) if n.isdigit() else _SMALL[n])
    for m in _ORDINAL_RE.finditer(text):
        value = ORDINALS[m.group("o")]
        if m.group("o") in ("top", "bottom") and not re.search(
            rf"\b{m.group('o')}\s+(?:one|result|pick|choice|item|option)\b|\bat the {m.group('o')}\b", text
        ):
            continue  # "top rated", "bottom of the range": no position
        found.append(value)
    if not found and (m := _BARE_NUMBER_RE.match(text) or _LIKE_NUMBER_RE.search(text)):
        found.append(int(m.group("n")))
    return tuple(dict.fromkeys(p for p in found if p != 0))


def _name(text: str) -> str | None:
    m = _NAME_RE.search(text)
    if not m:
        return None
    name = (m.group("name") or m.group("name2") or "").strip()
    words = [w for w in name.split() if w not in _NOT_A_NAME]
    if not words or all(w in ORDINALS for w in words):
        return None
    if words[-1] in ("that", "this", "it"):
        return None  # "the battery on that one" asks about that one: the focus
    return " ".join(words).removesuffix("'s")


# "the last one I saved", "the one I just saved": the newest on the list (read out newest first).
_LAST_SAVED_RE = re.compile(
    r"\b(?:the )?(?:(?:last|latest|most recent|newest) (?:one|thing|item|product)|one) i (?:just )?saved\b"
    r"|\bthe one i just saved\b"
)


_BOTH_RE = re.compile(r"\bboth(?: of (?:them|these|those|the two))?\b|\bthe two of them\b")


def _both_positions(text: str) -> tuple[int, ...]:
    """ "both of them" (no other position said): the two shown first, which the answer named first."""
    return (1, 2) if _BOTH_RE.search(text) and not _NAME_RE.search(text) else ()


def parse_reference(text: str) -> Reference | None:
    """The reference in normalised text, or None when the turn points at nothing."""
    if _LAST_SAVED_RE.search(text) and not _ORDINAL_RE.search(_LAST_SAVED_RE.sub(" ", text)):
        return Reference(positions=(1,), saved=True)
    positions = _positions(text) or _both_positions(text)
    name = None if positions else _name(text)
    saved = bool(_SAVED_RE.search(text))
    cart = bool(_CART_RE.search(text))
    extreme = None if positions else superlative_of(text)
    every = not positions and bool(_EVERY_RE.search(text))
    focus = not positions and not name and not extreme and not every and bool(_FOCUS_RE.search(text))
    if not positions and not name and not extreme and not every and not focus and not saved and not cart:
        return None
    return Reference(
        positions=positions, name=name, focus=focus, saved=saved, cart=cart, extreme=extreme, every=every
    )


def _item_words(item: Mapping[str, Any]) -> set[str]:
    text = " ".join(str(item.get(k) or "") for k in ("brand", "title", "color", "productName", "name"))
    words = set(re.findall(r"[a-z0-9][a-z0-9'&.+-]*", text.lower()))
    return words | {w.removesuffix("'s") for w in words} | {w.rstrip(".") for w in words}


def _matches(name: str, item: Mapping[str, Any]) -> bool:
    words = _item_words(item)
    wanted = [w.removesuffix("'s") for w in name.lower().split()]
    return all(w in words or (w.endswith("s") and w[:-1] in words) or w + "s" in words for w in wanted)


def _index(position: int, count: int) -> int | None:
    index = position - 1 if position > 0 else count + position
    return index if 0 <= index < count else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _extreme(kind: Superlative, candidates: list[int], items: Sequence[Mapping[str, Any]], where: str) -> int:
    """The candidate with the lowest or highest price, or the best rating (the first on a tie);
    a rating of 0 is no rating yet."""
    field = "rating" if kind == "best_rated" else "price"
    values = ((i, _number(items[i].get(field))) for i in candidates)
    known = [(v, i) for i, v in values if v is not None and (field == "price" or v > 0)]
    if not known:
        said = "ratings" if field == "rating" else "prices"
        raise UnclearReference(f"I don't have {said} for the products {where}. Which number?")
    if kind == "cheapest":
        return min(known, key=lambda vi: (vi[0], vi[1]))[1]
    return max(known, key=lambda vi: (vi[0], -vi[1]))[1]


def _each_named(names: Sequence[str], items: Sequence[Mapping[str, Any]], where: str) -> list[int]:
    """One product per name, the first shown that it matches ("the sony and the bose")."""
    picked: list[int] = []
    for name in names:
        match = next((i for i in range(len(items)) if i not in picked and _matches(name, items[i])), None)
        if match is None:
            raise UnclearReference(f"None of the products {where} match {name}. Which number?")
        picked.append(match)
    return picked


def resolve(
    reference: Reference,
    items: Sequence[Mapping[str, Any]],
    focus_index: int | None,
    *,
    first_of_several: bool = False,
) -> list[int]:
    """Zero-based indices of ``items`` the reference picks.

    A name narrows the items first, then positions count within those ("the second
    Sony one"). An empty reference means the product in focus. A name that several items
    match is unclear, unless ``first_of_several`` (a question about "the samsung one" is
    answered about the first shown, which the answer names). Raises UnclearReference.
    """
    where = "on your list" if reference.saved else "shown"
    if not items:
        raise UnclearReference(
            "Your list is empty." if reference.saved else "There are no products to pick from yet."
        )
    if reference.name and reference.also:
        return _each_named((reference.name, *reference.also), items, where)
    candidates = list(range(len(items)))
    if reference.name:
        candidates = [i for i in candidates if _matches(reference.name, items[i])]
        if not candidates:
            raise UnclearReference(f"None of the products {where} match {reference.name}. Which number?")
    if reference.positions:
        picked = [_index(p, len(candidates)) for p in reference.positions]
        if any(p is None for p in picked):
            count = len(candidates)
            noun = "product" if count == 1 else "products"
            raise UnclearReference(
                f"There {'is' if count == 1 else 'are'} only {count} {noun} {where}. Which number?"
            )
        return [candidates[p] for p in picked if p is not None]
    if reference.extreme:
        return [_extreme(reference.extreme, candidates, items, where)]
    if reference.name:
        if len(candidates) > 1 and not first_of_several:
            raise UnclearReference(f"Several products {where} match {reference.name}. Which number?")
        return candidates[:1]
    if focus_index is not None and 0 <= focus_index < len(items):
        return [focus_index]
    if len(items) == 1:
        return [0]
    raise UnclearReference("Which one do you mean? Say its number, like the second one.")
