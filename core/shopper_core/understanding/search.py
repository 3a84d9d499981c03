"""What a typed or spoken search means: the product words and the filters said.

The product words are what is left once the filters are lifted and the filler around
them is dropped ("can you find me", "I'm looking for", "got any", "please"). A purpose
phrase ("for college", "for my son") is dropped when none of its words is one the
catalog uses, because the search engine matches words and "college" matches nothing
useful; one that names what the product fits or is for ("for iphone", "for gaming")
stays, because it narrows the search.
"""

from __future__ import annotations

import re

from shopper_core.understanding.lexicon import Lexicon
from shopper_core.understanding.normalize import ATTRIBUTE_WORDS, normalise
from shopper_core.understanding.slots import take_filters
from shopper_core.understanding.types import Search

_REQUEST = (
    r"and|or|also|plus|actually|no|nah|wait|hmm|instead|now|preferably|ideally|hey|hi|hello|yo|maybe|"
    r"hiya|heya|howdy|hey there|hi there|hello there|(?:good )?(?:morning|afternoon|evening)|"
    r"i said|i meant|i mean|what if|if|"
    r"please|pls|can you|could you|would you|can u|could u|u|"
    r"what(?:'s| is| are) (?:a |an |some )?(?:good|decent|nice|the best)|"
    r"what(?:'s| is| are) (?:the|a|an|some)|"
    r"(?:let's |can we |can you )?(?:go|switch|get) back to|back to|return to|"
    r"(?:i )?(?:really )?(?:need|want)(?: to (?:buy|get|find))?|"
    r"(?:can|could|may) i (?:get|have|see|buy|find)|y'all (?:have|got)|will you|can i|could i|"
    r"(?:for|on) (?=(?:a|an|the|some|my)\b)|on (?!ear\b)|"
    r"(?:i'm|i am|im|we're|we are) (?:looking|searching|shopping|hunting) (?:for|around for)|"
    r"(?:i'm|i am|im) (?:in the market for|after|interested in)|"
    r"i (?:want|need|would like|'d like|wanna|gotta get|must have)(?: to (?:buy|get|find|see|order))?|"
    r"i'd like(?: to (?:buy|get|see|find|order|look at|have))?|i'd love(?: to (?:find|get|see))?|"
    r"i(?:'m| am) (?:trying|hoping) to (?:find|get|buy)|"
    r"(?:my|our|his|her|their) [a-z']+ (?:needs?|wants?|would like|is looking for|could use)|"
    r"(?:he|she|they) (?:needs?|wants?|would like|could use)|"
    r"(?:do|does) (?:you|u|ya|the store|this store)(?: guys| all| folks)? (?:have|sell|carry|got|stock)|"
    r"have you got|you got|got|(?:is|are) there|"
    r"show me|show|find me|find|search(?: for)?|look(?:ing)? for|get me|grab(?: me)?|buy me|buy|order|"
    r"help me (?:find|get|choose|pick)|recommend(?: me)?|suggest(?: me)?|"
    r"what (?:would|do|can|could) you (?:recommend|suggest)|any (?:recommendations|suggestions)(?: for)?|"
    r"i'm thinking of|thinking about|what about|how about|any (?:good )?options for|"
    r"what (?:do you have|have you got|you got) in the way of|in the way of|"
    r"(?:let's|lets|let me) (?:look at|see|try|find|check out)|"
    r"(?:brand )?new(?! balance\b)|more(?= [a-z])|(?:what|which)(?= [a-z])|"
    r"(?:any )?(?:good |great |nice )?(?:deals?|offers?|bargains?|sales?) (?:on|for)|"
    r"(?:any|some|one) of (?:those|these|them|the|your)|"
    r"let me see|lemme see|give me|gimme|me|us|some|any|a few|a couple of|a|an|the|"
    r"good|nice|decent|pair of|a pair of|set of|something|anything|maybe|"
    r"available|in stock|for sale|you have|they have|there|like|just|really|kind of|sort of"
)
_LEADING_RE = re.compile(rf"^(?:(?:{_REQUEST})\b\s*)+")
_TRAILING_RE = re.compile(
    r"\s*\b(?:preferably|ideally|please|pls|thanks|thank you|for me|for us|instead|then|now|today|right now|"
    r"available|in stock|for sale|you have|you've got|you got|do (?:you|u) (?:have|sell|carry|got)|"
    r"that you have|"
    r"if you have (?:any|some|them|one)|if possible|or something|or so|at all|too|as well|though|"
    r"to go with (?:it|that|this|them|those|these|my \w+)|"
    r"(?:stuff |anything |whatever )?(?:is|would be|will be|are) (?:fine|ok|okay|good|great)|"
    r"that is|that's|which is|with|in|for|and|or|of|at|on|to|from|by|priced|costing|"
    r"what do you have|what have you got|what you got|what's out there|"
    r"rated|that|which|a|an|the|some|any|one|ones|me|under|over|between|around|something|anything)\s*$"
)
_PURPOSE_RE = re.compile(r"\s*\bfor\s+(?P<what>(?:my|a|an|the|his|her|our|their|your)?\s*[\w' -]+?)\s*$")
_FOR_SOMEONE_RE = re.compile(
    r"\s*\bfor (?:my|his|her|our|their|a|an|the) (?P<who>[a-z']+)\b(?=\s+(?!who\b|that\b|which\b)\S)"
)
# "a smartwatch that's waterproof with good battery": the clause's words the catalog uses stay.
_CLAUSE_RE = re.compile(
    r"\s+\b(?:that's|thats|that is|that are|which is|which are|that|which|who)\s+(?P<what>.+)$"
)
# Words of such a clause that say nothing to match even where the catalog uses them.
_CLAUSE_FILLER = frozenset(
    {"is", "are", "be", "has", "have", "with", "good", "great", "nice", "not", "too", "very", "really",
     "fits", "fit", "can", "will"}
)  # fmt: skip
_LIKES_RE = re.compile(r"\b(?:likes?|loves?|enjoys?|is into|are into|into)\b")
_HEDGE_RE = re.compile(r"\b(?:maybe|perhaps|possibly|probably)(?: (?:a|an|some|like))?\b\s*")
_PUNCT_RE = re.compile(r"[\"()\[\]{}?!]+")


def _useful(word: str, lexicon: Lexicon) -> bool:
    return word in lexicon.vocabulary or word in lexicon.product_words


def _drop_purpose(text: str, lexicon: Lexicon) -> str:
    # "a gift for my mom, maybe a perfume": who it is for, mid-sentence, says nothing to match.
    text = _HEDGE_RE.sub("", text)
    text = _FOR_SOMEONE_RE.sub(lambda m: m.group(0) if _useful(m.group("who"), lexicon) else "", text)
    m = _PURPOSE_RE.search(text)
    if not m or m.start() == 0:
        return text
    what = m.group("what")
    if _LIKES_RE.search(what):
        return text  # "a gift for my mom who likes cooking": what they like is what the search is for
    words = re.findall(r"[a-z0-9][\w'-]*", what)
    # "a laptop for my online classes" -> "laptop for online": the words the catalog uses stay
    useful = [w for w in words if (_useful(w, lexicon) or w[0].isdigit()) and w not in _PHRASE_FILLER]
    return f"{text[: m.start()]} for {' '.join(useful)}" if useful else text[: m.start()]


# Words of a purpose phrase that match nothing useful even where catalog titles use them.
_PHRASE_FILLER = frozenset(
    {"the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is", "are",
     "can", "out", "next", "up", "all", "my", "his", "her", "our", "their", "your", "this", "that", "it",
     "day", "days", "time", "new", "use", "using", "who", "when", "while"}
)  # fmt: skip


def _prune_clause(text: str, lexicon: Lexicon) -> str:
    m = _CLAUSE_RE.search(text)
    if not m or _LIKES_RE.search(m.group("what")):
        return text  # "a gift for my mom who likes cooking" is read by _drop_purpose
    head = text[: m.start()]
    said = set(head.split())
    kept = [
        w
        for w in re.findall(r"[a-z0-9][\w'-]*", m.group("what"))
        if (_useful(w, lexicon) or w[0].isdigit()) and w not in said and w not in _CLAUSE_FILLER
    ]
    return " ".join([head, *dict.fromkeys(kept)])


_NOT_THIS_KIND_RE = re.compile(
    r"(?:^|\s)(?:(?:and|but) )?(?:not|forget|no more|instead of|rather than) (?:a |an |the |any |about )?"
    r"(?P<w>[a-z][\w-]*)\b(?: (?:instead|then))?"
)


def _drop_unwanted_kind(text: str, lexicon: Lexicon) -> str:
    """ "a toaster not a kettle", "forget phones, do you have tablets": the kind turned down goes."""

    def drop(m: re.Match[str]) -> str:
        word = m.group("w")
        kind = word in lexicon.product_words or word.removesuffix("s") in lexicon.product_words
        return " " if kind else m.group(0)

    return _NOT_THIS_KIND_RE.sub(drop, text)


def says_only_how(words: str) -> bool:
    """ "wireless", "a noise cancelling one": words that describe a product but name no kind,
    so a refinement adds them to the search's product words instead of replacing them."""
    said = [w for w in re.findall(r"[a-z0-9][\w-]*", words.lower()) if w not in ("a", "an", "one", "ones")]
    return bool(said) and all(w in ATTRIBUTE_WORDS for w in said)


# A cleaned request this long with a word of a story in it is a story around the product ("my
# nephew turns 12 next week and he keeps asking for headphones"): only the product's phrase stays.
_STORY_WORDS = 4
_STORY_MARKERS = frozenset(
    {"he", "she", "they", "he's", "she's", "hes", "shes", "mine", "keeps", "asking", "turns", "died", "broke",
     "wants", "needs", "my", "his",
     "her", "their", "our", "because", "since", "birthday", "week", "girlfriend", "boyfriend", "wife",
     "husband", "brother", "sister", "son", "daughter", "mom", "dad", "nephew", "niece", "friend", "kid"}
)  # fmt: skip
_STORY_STOP = frozenset(
    {"and", "or", "but", "so", "he", "she", "they", "it", "i", "we", "you", "my", "his", "her", "their",
     "our", "your", "is", "are", "was", "for", "to", "of", "the", "a", "an", "this", "that", "with", "on",
     "in", "at", "some", "something", "asking", "keeps", "wants", "needs", "likes", "into", "get", "got"}
)  # fmt: skip


_GIFT_WORDS = frozenset({"gift", "present"})


def _is_kind(word: str, lexicon: Lexicon) -> bool:
    kinds = lexicon.product_words
    return (word in kinds or word.removesuffix("s") in kinds) and word not in ATTRIBUTE_WORDS


def _describes(word: str, lexicon: Lexicon) -> bool:
    if word in _STORY_STOP:
        return False
    return (
        word[0].isdigit()
        or word in ATTRIBUTE_WORDS
        or word in lexicon.brands
        or word in lexicon.product_words
        or word in lexicon.vocabulary
    )


def _product_phrase(text: str, lexicon: Lexicon) -> str:
    """The words around the last product kind named, with the words before it that describe it;
    a request that says what someone likes is left whole (``_drop_purpose`` reads it)."""
    words = text.split()
    story = any(w in _STORY_MARKERS for w in words)
    if len(words) < _STORY_WORDS or not story:
        return text
    kinds = [
        i for i, w in enumerate(words) if _is_kind(w, lexicon) and w.removesuffix("s") not in _GIFT_WORDS
    ]
    likes = next((i for i, w in enumerate(words) if _LIKES_RE.fullmatch(w)), None)
    if likes is not None and all(i == likes + 1 for i in kinds):
        return text  # "a gift for my dad who likes coffee": what he likes is the search
    if "with" in words:  # "her phone ... with a good camera": the kind is the one before "with"
        before = [i for i in kinds if i < words.index("with")]
        kinds = before or kinds
    if not kinds:
        return text
    last = kinds[-1]
    start = last
    while start > 0 and _describes(words[start - 1], lexicon):
        start -= 1
    end = last + 1
    if end < len(words) and words[end] == "for":  # "a case for iphone": what it is for stays
        end = len(words)
    return " ".join(words[start:end])


def clean_query(rest: str, lexicon: Lexicon) -> str:
    """The product words: ``rest`` (filters already lifted) without filler around it."""
    text = _PUNCT_RE.sub(" ", rest)
    text = _drop_unwanted_kind(text, lexicon)
    text = re.sub(r"\blike (?=\d)", "", text)  # "a tv, like 65 inches"
    text = re.sub(r"\s+", " ", text).strip(" .,-")
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_RE.sub("", text).strip(" .,-")
        text = _TRAILING_RE.sub("", text).strip(" .,-")
        text = _drop_purpose(text, lexicon)
        text = _prune_clause(text, lexicon)
        text = re.sub(r"\s+", " ", text).strip(" .,-")
    return _product_phrase(text, lexicon)


def parse_search(text: str, lexicon: Lexicon | None = None) -> Search:
    """What a search box or POST /queries means: product words + filters.

    Never raises for odd input: an empty text gives an empty query, an absurd price is
    dropped (see ``slots``). The same sentence spoken gives the same filters
    (``understand(text).search`` uses this function).
    """
    lexicon = lexicon or Lexicon.default()
    taken = take_filters(normalise(text, lexicon), lexicon)
    return Search(query=clean_query(taken.rest, lexicon), filters=taken.filters)
