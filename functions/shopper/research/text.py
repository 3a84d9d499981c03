"""Text analysis shared by indexing and querying: tokens -> stems -> canonical terms.

The same `analyze` runs over product fields and over queries, so a synonym that is
canonicalised ("head set" -> headset, "television" -> tv, "laptop" -> notebook) matches
whichever way either side spells it. Looser relations ("earbuds" ~ "earphones") are
query-time expansions with a weight below 1 (`expansions`).
"""

from __future__ import annotations

import re
import unicodedata

import snowballstemmer

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")
_STEM_CACHE: dict[str, str] = {}

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "for",
        "of",
        "to",
        "in",
        "on",
        "with",
        "by",
        "from",
        "at",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "my",
        "me",
        "i",
        "some",
        "any",
        "find",
        "show",
        "get",
        "want",
        "need",
        "looking",
        "look",
        "buy",
        "please",
    ]
)

# Stem sequences that mean the same thing; the right side is the one form both sides use.
_CANONICAL_WORDS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("head", "set"): ("headset",),
    ("head", "phone"): ("headphon",),
    ("ear", "phone"): ("earphon",),
    ("ear", "bud"): ("earbud",),
    ("televis",): ("tv",),
    ("tvs",): ("tv",),
    ("laptop",): ("notebook",),
    ("note", "book"): ("notebook",),
    ("blue", "tooth"): ("bluetooth",),
    ("wi", "fi"): ("wifi",),
    ("smart", "watch"): ("smartwatch",),
    ("smart", "phone"): ("smartphon",),
    ("cell", "phone"): ("smartphon",),
    ("cellphon",): ("smartphon",),
    ("mobil", "phone"): ("smartphon",),
    ("power", "bank"): ("powerbank",),
    ("hdd",): ("hard", "drive"),
    ("hard", "disk"): ("hard", "drive"),
    ("sneaker",): ("shoe",),
    ("trainer",): ("shoe",),
    ("couch",): ("sofa",),
    ("loudspeak",): ("speaker",),
    ("cd", "rom"): ("cd",),
    ("mice",): ("mous",),
    ("solid", "state", "drive"): ("ssd",),
    ("solid", "state", "disk"): ("ssd",),
    ("dslr",): ("slr", "camera"),
    ("digit", "slr"): ("slr",),
    ("perfum",): ("fragranc",),
    ("eau", "de", "parfum"): ("fragranc",),
    ("eau", "de", "toilett"): ("fragranc",),
}
_MAX_PHRASE = max(len(k) for k in _CANONICAL_WORDS)
_PHRASE_STARTS = frozenset(k[0] for k in _CANONICAL_WORDS)

# Query-time expansions: term -> [(related term, weight)].
_EXPANSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "earbud": (("earphon", 0.9), ("headphon", 0.6), ("headset", 0.5)),
    "earphon": (("earbud", 0.9), ("headphon", 0.6), ("headset", 0.5)),
    "headphon": (("headset", 0.6), ("earphon", 0.5), ("earbud", 0.4)),
    "headset": (("headphon", 0.6), ("earphon", 0.4)),
    "smartphon": (("phone", 0.5),),
    "phone": (("smartphon", 0.6), ("mobil", 0.5)),
    "comput": (("pc", 0.6),),
    "pc": (("comput", 0.6),),
    "speaker": (("soundbar", 0.4),),
    "sofa": (("couch", 0.9),),
    "shoe": (("heel", 0.3), ("slipper", 0.2)),
    "run": (("sport", 0.5), ("athlet", 0.4), ("jog", 0.5)),
    "fragranc": (("eau", 0.6), ("scent", 0.5)),
    "ssd": (("flash", 0.3),),
}


# Words the stemmer would merge with a different product: "gaming" (an attribute: gaming
# mouse, gaming PC) is not "game" (board game, video game).
_STEM_EXCEPTIONS = {"gaming": "gaming"}


def stem(token: str) -> str:
    cached = _STEM_CACHE.get(token)
    if cached is None:
        if token in _STEM_EXCEPTIONS:
            cached = _STEM_EXCEPTIONS[token]
        else:
            cached = _STEMMER.stemWord(token) if token.isalpha() and len(token) > 2 else token
        _STEM_CACHE[token] = cached
    return cached


def tokenize(text: str) -> list[str]:
    """Lower-case alphanumeric runs, accents folded ("Café" -> "cafe")."""
    if not text:
        return []
    folded = text.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _TOKEN_RE.findall(folded)


def canonicalise(stems: list[str]) -> list[str]:
    """Replace synonym phrases by their canonical form, longest match first."""
    if _PHRASE_STARTS.isdisjoint(stems):
        return stems
    out: list[str] = []
    i = 0
    n = len(stems)
    while i < n:
        for size in range(min(_MAX_PHRASE, n - i), 0, -1):
            replacement = _CANONICAL_WORDS.get(tuple(stems[i : i + size]))
            if replacement is not None:
                out.extend(replacement)
                i += size
                break
        else:
            out.append(stems[i])
            i += 1
    return out


def replaced_stems(text: str) -> list[str]:
    """The stems of `text` that canonicalisation replaced ("smart watch" -> smart, watch):
    a product that spells the query's own words earns a little over one that only
    matches the canonical form."""
    stems = [stem(t) for t in tokenize(text)]
    kept = set(canonicalise(stems))
    return [s for s in dict.fromkeys(stems) if s not in kept and s not in STOPWORDS]


def analyze(text: str, *, drop_stopwords: bool = False) -> list[str]:
    """Text -> canonical stemmed terms, in order (positions matter for phrases)."""
    tokens = tokenize(text)
    if drop_stopwords:
        tokens = [t for t in tokens if t not in STOPWORDS]
    cache = _STEM_CACHE
    return canonicalise([cache.get(t) or stem(t) for t in tokens])


def expansions(term: str) -> tuple[tuple[str, float], ...]:
    return _EXPANSIONS.get(term, ())
