"""From what was typed or transcribed to one canonical lower-case form.

Whisper and keyboards disagree on the surface ("Eight hundred dollars.", "um, $800",
"1,200", "wat's in my list"); everything downstream reads one form: lower case,
straight apostrophes, hesitations dropped, number words as digits where they are
amounts, thousands separators gone, and common typos corrected toward the words the
reader acts on (command words, product words, colours), never toward a word the
catalog itself uses.
"""

from __future__ import annotations

import re
from functools import cache

from shopper_core.understanding.lexicon import Lexicon

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
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORDS = "|".join([*_UNITS, *_TENS, *_SCALES])
_NUMBER_RUN_RE = re.compile(rf"\b(?:a\s+)?(?:(?:{_NUMBER_WORDS})(?:[\s-]+(?:and[\s-]+)?|\b))+")
# A run of small number words is an amount only when money or stars follow ("one dollar",
# "four stars"); alone it is a reference ("that one", "the first two").
_AMOUNT_AFTER_RE = re.compile(
    r"\s*(?:dollars?|bucks?|euros?|pounds?|quid|usd|eur|gbp|stars?|grand|k\b|"
    r"[\s-]?inch(?:es)?\b|tb\b|terabytes?|gb\b|gigabytes?)"
)
# "size nine", "a size ten": a shoe or clothing size said in words.
_SIZE_BEFORE_RE = re.compile(r"\bsize\s*$")
_HESITATION_RE = re.compile(r"\b(?:um+|uh+|uhm+|erm+|er|hmm+|mm+|ah+|meh|ugh|welp)\b[,.]?\s*")
# "ad it to cart": "ad" before what is added is the command, not an advert.
_ADD_TYPO_RE = re.compile(r"\bad(?= (?:it|that|this|them|these|those|the|number|one|to)\b)")
_HALVES = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_HALF_RE = re.compile(r"\b(one|two|three|four|five|[1-5]) and a half\b")
_LEADING_FILLER_RE = re.compile(r"^(?:(?:okay|ok|so|well|alright|all right|right|like|oh)\b[\s,]+)+(?=\S)")
# "scratch that, show me tablets", "no wait, I meant the second one": what follows replaces
# what was said before, so the marker itself is not a command ("scratch" is not a removal).
_CORRECTION_RE = re.compile(
    r"^(?:(?:scratch that|forget that|never ?mind(?: that)?|no wait|wait|sorry|oops|no no|i mean|i meant|"
    r"actually|on second thought|change of plan|correction)\b[\s,]+)+(?=\S)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words the reader acts on: a typo within one edit of one of these is read as it.
COMMAND_WORDS = _words(
    """
    cheaper cheapest expensive pricier priciest compare comparison difference similar
    save saved remove delete list cart basket show find search looking search need want
    what's what where which tell more about price cost costs much rated rating ratings
    reviews stars sort order lowest highest first second third fourth fifth last
    number thanks thank goodbye hello help please items favourites favorites wishlist
    something another other brand under below above between around about dollars bucks
    affordable budget premium quality options results anything
    """
)

# Ordinary words that are not typos of a command word even though one edit away.
_COMMON_WORDS = _words(
    """
    the this that these those them they then than there their it its is are was were
    be been a an and or but for from with without of on in at to by into onto about
    me my mine you your yours we our us i i'm i'd i'll i've what's that's it's let's
    have has had do does did done can could would should will shall may might must
    some any all every each both few many much most more less least very really just
    only also too so not no nothing none yes yeah yep nope ok okay
    good great nice cool fine best better well bad worse worst new old big small large
    get got give go going gone come see look looking buy buying need needs want wants
    like likes love show tell find found make made take put keep kept add adding
    one ones two three four five six seven eight nine ten
    gift gifts college school work office home kids kid son daughter wife husband mom
    dad mother father friend friends birthday christmas travel running gaming sport
    sports summer winter outdoor indoor shoes sneakers boots jacket jackets shirt pants
    dress jeans hat bag coat watch phone phones laptop laptops stuff thing things
    item something anything everything someone cheap price prices cost costs
    colour color colours colors size sizes small medium large please thanks hi hello hey
    pricey pricy spendy cooking baking hiking camping fishing reading painting drawing
    gardening cycling swimming knitting crafts photography hunting climbing dancing
    bye weather time today tomorrow news music movie song joke name couple few
    think thought guess wonder wondering suppose sure result option choice pick bottom middle
    first second third fourth fifth sixth seventh eighth ninth tenth last next
    remember forget cancel stop quit exit done bought sold store shop stores shops
    later never always again maybe other another around still already
    """
)


def words_to_number(words: str) -> int | None:
    """ "one hundred fifty" -> 150, "twenty five" -> 25, "a hundred" -> 100; else None."""
    total, current, seen = 0, 0, False
    split = [w for w in re.split(r"[\s-]+", words.strip()) if w]
    for i, word in enumerate(split):
        if word == "and":
            continue
        if word == "a":  # "a hundred" is 100; in "a fifty dollar card" the "a" is no number
            if i + 1 < len(split) and split[i + 1] in _SCALES:
                current = max(current, 1)
            continue
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


def _amount_groups(words: list[str], hundreds: bool = True) -> list[list[str]]:
    """ "twenty and forty" is two amounts; "one hundred and fifty" is one: "and" joins only
    after a hundred or a thousand, and a tens word after a tens word starts anew.

    A price said the short way, a units or teens word then a tens word ("seven fifty",
    "nine ninety nine", "twelve fifty"), is hundreds: 750, 999, 1250. ``hundreds`` is off
    where the first word is a pronoun ("that one fifty dollars")."""
    groups: list[list[str]] = [[]]
    for i, word in enumerate(words):
        previous = words[i - 1] if i else ""
        following = words[i + 1 : i + 3]
        short_way = len(following) == 2 and following[0] in _UNITS and following[1] in _TENS
        if word == "and" and (previous not in _SCALES or short_way):
            groups.append([])  # "five hundred and seven fifty" is two amounts
            continue
        if word in _TENS and previous in _UNITS and groups[-1] == [previous] and (hundreds or i > 1):
            groups[-1].append("hundred")
        elif word in _TENS and (previous in _TENS or previous in _UNITS) and groups[-1]:
            groups.append([])
        if word in _SCALES and _has_scale_since_bigger(groups[-1], word):
            groups[-1], started = _split_last_amount(groups[-1])
            groups.append(started)
        groups[-1].append(word)
    return [g for g in groups if g]


def _has_scale_since_bigger(group: list[str], scale: str) -> bool:
    """ "two hundred and three hundred": a second "hundred" with no "thousand" between
    starts a new amount (one amount says each scale once)."""
    for word in reversed(group):
        if word in _SCALES and _SCALES[word] > _SCALES[scale]:
            return False
        if word == scale:
            return True
    return False


def _split_last_amount(group: list[str]) -> tuple[list[str], list[str]]:
    """The words since the last scale word (and its "and") begin the next amount."""
    last_scale = max(i for i, w in enumerate(group) if w in _SCALES)
    head, tail = group[: last_scale + 1], group[last_scale + 1 :]
    if tail and tail[0] == "and":
        tail = tail[1:]
    return head, tail


# "that one fifty dollar thing": "one" after these is a pronoun, not a hundred.
_DETERMINERS = frozenset({"the", "that", "this", "which", "each", "every", "any", "a", "no", "one"})
# "a couple hundred", "a few hundred bucks", "a couple grand": an amount in words.
_COUPLE_RE = re.compile(r"\b(?:a )?couple(?: of)? (?=hundred|thousand|grand)")
_FEW_RE = re.compile(r"\ba few (?=hundred|thousand|grand)")


def _numbers(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        words = [w for w in re.split(r"[\s-]+", run.strip()) if w]
        joined = False  # "fifty and a hundred": the "and" before the next amount stays
        while words and words[-1] == "and":
            words.pop()
            joined = True
        if not words or all(w in ("a", "and") for w in words):
            return run
        big = any(w in _TENS or w in _SCALES or _UNITS.get(w, 0) >= 10 for w in words)
        if (
            not big
            and not _AMOUNT_AFTER_RE.match(text, match.end())
            and not _SIZE_BEFORE_RE.search(text[: match.start()])
        ):
            return run
        before = text[: match.start()].split()[-1:]
        pronoun = words[0] == "one" and before and before[0] in _DETERMINERS
        numbers = []
        for group in _amount_groups(words, hundreds=not pronoun):
            value = words_to_number(" ".join(group))
            if value is None:
                return run
            numbers.append(str(value))
        trailing = " and " if joined else " " if run[-1:].isspace() else ""
        return " and ".join(numbers) + trailing

    return _NUMBER_RUN_RE.sub(convert, text)


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


# Misspellings too far from their word for one edit, seen often enough to name.
_MISSPELLINGS = {
    "compair": "compare", "comapre": "compare", "lsit": "list", "kart": "cart", "sav": "save",
    "mutch": "much", "tel": "tell", "thnks": "thanks", "thx": "thanks", "wat": "what", "wats": "what's",
    "whats": "what's", "plz": "please", "cheep": "cheap", "chepaer": "cheaper",
    "headphnes": "headphones", "hedphones": "headphones", "earphnes": "earphones",
    "undr": "under", "uner": "under", "ovr": "over", "nothin": "nothing", "somethin": "something",
    "anythin": "anything", "lookin": "looking",
    "helo": "hello", "hii": "hi", "heyy": "hey", "cn": "can", "ned": "need", "nd": "need", "fone": "phone",
    "fones": "phones", "gud": "good", "shoos": "shoes", "coffe": "coffee", "sum": "some",
    "u": "you", "pls": "please", "thnx": "thanks", "tnx": "thanks", "blutooth": "bluetooth",
    "bluetoth": "bluetooth", "actualy": "actually", "acutally": "actually", "actully": "actually",
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "cant": "can't", "wont": "won't",
    "isnt": "isn't", "im": "i'm", "ive": "i've", "thats": "that's", "youre": "you're",
    "theyre": "they're", "whos": "who's", "wheres": "where's", "hows": "how's",
}  # fmt: skip


# Words a shopper says about the kind of product ("mechanicl keybord", "smart watch for runing").
ATTRIBUTE_WORDS = _words(
    """
    bluetooth wireless mechanical waterproof running gaming noise cancelling canceling portable
    rechargeable electric ergonomic leather cotton stainless
    """
)


@cache
def _typo_tables(lexicon: Lexicon) -> tuple[frozenset[str], dict[tuple[str, int], tuple[str, ...]]]:
    """Words never corrected, and the words a typo may be read as, by first letter and length."""
    ordinary = lexicon.ordinary_word_brands
    brands = {b for b in lexicon.brands if " " not in b and b.isalpha() and b not in ordinary}
    targets = set(COMMAND_WORDS) | set(lexicon.product_words) | {c for c in lexicon.colors if " " not in c}
    targets |= {"headphones", "earbuds", "laptop", "speaker", "speakers", "keyboard", "monitor"}
    targets |= ATTRIBUTE_WORDS
    targets |= {b for b in brands if len(b) >= 4}
    known = frozenset(targets | _COMMON_WORDS | lexicon.vocabulary | set(lexicon.brands))
    by_start: dict[tuple[str, int], list[str]] = {}
    for word in sorted(targets):
        if len(word) >= 4:
            by_start.setdefault((word[0], len(word)), []).append(word)
    return known, {k: tuple(v) for k, v in by_start.items()}


def correct_word(word: str, lexicon: Lexicon) -> str:
    """A word the reader does not know, one edit from a word it acts on, is read as that word.

    Five letters at least (six toward a product word) and the same first letter, so short
    or ordinary words are left alone; words the catalog uses are never corrected.
    """
    if word in _MISSPELLINGS:
        return _MISSPELLINGS[word]
    known, by_start = _typo_tables(lexicon)
    if len(word) < 5 or word in known or not word.isascii() or not word[0].isalpha():
        return word
    if word.endswith("s") and word[:-1] in known:
        return word
    for length in (len(word), len(word) + 1, len(word) - 1):
        for candidate in by_start.get((word[0], length), ()):
            if _edit_distance_at_most_one(word, candidate):
                if len(word) < 6 and candidate not in COMMAND_WORDS and candidate not in lexicon.brands:
                    continue
                return candidate
    return word


# A turn or a search is at most this long (POST /queries takes 300 characters): the rest is
# dropped, so no sentence, however long, can make the rules slow.
MAX_TEXT = 300


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """The canonical form every rule reads (see the module docstring)."""
    lexicon = lexicon or Lexicon.default()
    out = text[:MAX_TEXT].lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    out = re.sub(r"(?<=\d),(?=\d{3}\b)", "", out)
    out = _HESITATION_RE.sub(" ", out)
    out = re.sub(r"[\s]+", " ", out).strip()
    out = re.sub(r"[.!?,;:]+$", "", out).strip()
    out = re.sub(r"(?<!\d)[.!?;:]+(?=\s|$)|,", " ", out)
    out = re.sub(r"\s+", " ", out).strip()
    out = _LEADING_FILLER_RE.sub("", out)
    out = _CORRECTION_RE.sub("", out)
    out = _COUPLE_RE.sub("two ", out)
    out = _FEW_RE.sub("three ", out)
    out = re.sub(r"\b(?:a|one) grand and a half\b", "1.5k", out)
    out = re.sub(r"\b(?:a|one) grand\b", "1k", out)
    out = re.sub(r"\b(?:a |one )?tenner\b", "10", out)  # "under a tenner", "a fiver"
    out = re.sub(r"\b(?:a |one )?fiver\b", "5", out)
    out = _ADD_TYPO_RE.sub("add", out)
    out = re.sub(r"\bid (?=like|love|prefer|want|rather)", "i'd ", out)
    out = _HALF_RE.sub(lambda m: f"{_HALVES.get(m.group(1), m.group(1))}.5", out)  # "four and a half"
    out = _numbers(out)
    # "under forty, no wait, say fifty": the amount said last replaces the one before it
    out = re.sub(
        r"\b\d+(?:\.\d+)?\s+(?:no wait|no sorry|sorry|i mean|i meant|actually|wait|no|or rather)\s+"
        r"(?:(?:say|make (?:it|that)|more like|like)\s+)?(?=\$?\d)",
        "",
        out,
    )
    out = re.sub(r"\b(\d+(?:\.\d+)?) grand\b", r"\1k", out)
    out = re.sub(r"\b(\d+(?:\.\d+)?) ?terabytes?\b", r"\1tb", out)  # "one terabyte" -> "1tb"
    out = re.sub(r"\b(\d+(?:\.\d+)?) ?(?:gigabytes?|gigs?)\b", r"\1gb", out)
    words = [correct_word(w, lexicon) for w in out.split(" ")]
    return " ".join(w for w in words if w)
