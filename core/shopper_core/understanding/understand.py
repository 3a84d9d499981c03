"""One turn understood: the intent, by rules and, where they are unsure, the learned fallback.

Order of reading: normalise; command words (``intents.command_intent``); otherwise the
content decides (filters and product words: a search, a refinement of the current
search, a bare reference to a shown product). A rule below ``intents.SURE`` asks the
classifier too, and the more confident answer wins, with two guards: the model never
turns a turn without product words into a search, and never overrides a sure rule.
The slots of the chosen intent are then read from the same normalised text, with the
same functions ``parse_search`` uses, so typed and spoken searches agree.
"""

from __future__ import annotations

import re
from dataclasses import replace

from shopper_core.understanding import intents
from shopper_core.understanding.classifier import default_classifier
from shopper_core.understanding.intents import RuleResult
from shopper_core.understanding.lexicon import Lexicon
from shopper_core.understanding.normalize import COMMAND_WORDS, MAX_TEXT, normalise
from shopper_core.understanding.references import parse_reference
from shopper_core.understanding.search import clean_query, says_only_how
from shopper_core.understanding.slots import Taken, take_filters
from shopper_core.understanding.types import (
    Context,
    Filters,
    IntentKind,
    Reference,
    Refinement,
    Relative,
    Search,
    Understanding,
)

# Words too plain to make a turn about products even though catalog titles use them.
_PLAIN = (
    "the a an and or of to in on for with from by at is are was it this that what who how when where "
    "which why can you me my your i we our do does did be have has get go see new one two all any some "
    "set game play music time day night last first next top best good great love like just more"
)
STOP_WORDS = frozenset(_PLAIN.split())

# The model's answer is taken when it is at least this sure (and surer than the rule).
MODEL_MIN_PROBABILITY = 0.6
MODEL_MIN_SIMILARITY = 0.35
# Intents that write or end the session need a closer paraphrase before the model may pick them.
MODEL_MIN_SIMILARITY_TO_ACT = 0.5
_ACTS = frozenset({"save", "remove", "add_to_cart", "remove_from_cart", "goodbye"})
_REFERENCE_INTENTS = frozenset(
    {"save", "remove", "add_to_cart", "remove_from_cart", "describe", "price", "retailer", "compare",
     "more_like"}
)  # fmt: skip
# Words a refinement says that are not product words ("show me the ones in black").
_NOT_PRODUCT = re.compile(
    r"\b(?:(?:go|switch|get|come) back to|back to|ones?|them|those|these|they|it|stuff|options?|"
    r"results?|things?|items?|products?|something|what if|if|my|"
    r"anything|instead|only|just|rather|what about|how about|same|but|more|less|show me|show|can i see|"
    r"do you have|do they come|come|make (?:it|that|them|this)|change|switch to|try|let's|let me see|filter|"
    r"narrow|limit|keep|the|any|some|please|now|again|other|different|else|a bit|little|bit|way|much|"
    r"cheaper|pricier|expensive|pricey|pricy|spendy|spend|money|better|rated|reviews?|ratings?|higher|"
    r"lower|price|priced|quality|"
    r"affordable|less pricey|costs?|stars?|have|got|what|how|are|is|there|with|in|from|by|for|under|"
    r"over|and|or|of|to|i|want|need|like|would|see|prefer|go|with|get|lol|no|yes|yeah|ok|okay|hmm|"
    r"well|actually|maybe|wait|nah|oh|too|also|as well|does it come|does that come|comes? in|"
    r"available in|does it|is it|is there|do they|does|do|you|"
    r"first|second|third|fourth|fifth|last|number \d+|#\d+|all|everything|not|can|could|would|will)\b"
)


def _known(query: str, lexicon: Lexicon) -> int:
    """2 when the words name a product type or brand the lexicon knows, 1 when the catalog
    uses one of them (its titles), 0 otherwise ("asdf", "the weather")."""
    words = re.findall(r"[a-z0-9][\w'-]*", query)
    singular = [w[:-1] if w.endswith("s") else w for w in words]
    singular += [w[:-2] for w in words if w.endswith("es")]  # "smartwatches", "boxes"
    if any(w in lexicon.product_words or w in lexicon.brands for w in [*words, *singular]):
        return 2
    if any(w in lexicon.vocabulary and w not in STOP_WORDS for w in [*words, *singular]):
        return 1
    return 0


def _knows(query: str, lexicon: Lexicon) -> bool:
    return _known(query, lexicon) > 0


def _content_intent(text: str, taken: Taken, query: str, context: Context, lexicon: Lexicon) -> RuleResult:
    """No command word was said: filters, product words or a bare reference decide."""
    filters = taken.filters
    relatives = intents.relatives_of(text)
    refine_words = intents.has_refine_frame(text)
    product = _product_words(taken.rest, lexicon)
    known = 2 if filters.brand else _known(query, lexicon)
    asks = intents.is_question(text) and not intents.has_search_cue(text)
    reference = parse_reference(text)
    about_one = intents.asks_about_one(text) and not intents.is_off_topic(text)
    if context.has_results and not relatives and about_one and _points_at_one(text, reference, context):
        # "does the first one come in black?" asks for it in black: the search in that colour.
        return RuleResult("refine" if filters.color and context.has_search else "describe", 0.85)
    if intents.is_off_topic(text) and (known < 2 or asks):
        return RuleResult("unknown", 0.9)
    if again := _repeats(text, context):
        return RuleResult(again, 0.85)
    if relatives:
        return RuleResult("refine", 0.9 if context.has_search else 0.65)
    if filters.any() and not product:
        return RuleResult("refine" if context.has_search else "search", 0.9 if context.has_search else 0.6)
    if context.has_search and filters.any() and _known(product, lexicon) == 0:
        return RuleResult("refine", 0.85)  # "nothing over forty though": no new product named
    if (
        context.has_search
        and refine_words
        and filters.any()
        and re.search(
            r"\b(?:instead|only|just|(?:any|some|one) of (?:them|these|those)|do (?:they|those|these))\b",
            text,
        )
    ):
        return RuleResult("refine", 0.85)
    bare = reference is not None and (reference.saved or len(query.split()) <= 4)
    if reference and reference.positions and not filters.any() and bare:
        return RuleResult("describe", 0.85 if context.has_results or reference.saved else 0.5)
    cue = intents.has_search_cue(text)
    if intents.is_question(text) and reference is not None and not filters.any() and not (cue and known == 2):
        return RuleResult("describe", 0.7 if context.has_results else 0.45)
    if query and not product and not filters.any() and known == 0:
        return RuleResult("unknown", 0.5)  # "show me more": no product named, nothing to search
    if not query:
        # "can you find me something": a search with no product yet; the engine asks what.
        return RuleResult("search", 0.6) if cue else RuleResult("unknown", 0.5)
    question = intents.is_question(text) and not cue
    if context.has_search and says_only_how(query):
        return RuleResult("refine", 0.85)  # "a wireless one": the search's product, wireless
    if context.has_search and re.search(r"\bsame\b", text) and _known(product, lexicon) < 2:
        return RuleResult("unknown", 0.6)  # "the same in a bigger size": nothing the search can filter on
    if known == 2:
        return RuleResult("search", 0.6 if question else 0.95 if cue or filters.any() else 0.85)
    if known == 1 and filters.any():
        return RuleResult("search", 0.85)  # "earrings under 25 dollars": a catalog word and a price
    if known == 1:
        return RuleResult("search" if cue else "unknown", 0.75 if cue else 0.45)
    if cue or filters.any():
        return RuleResult("search", 0.65)
    return RuleResult("unknown", 0.4)


_CONTINUES_RE = re.compile(r"^(?:and|also|plus|oh and|and also)\b|\b(?:too|as well|also)$")
_REPEATABLE = frozenset({"save", "remove", "add_to_cart", "price", "retailer", "describe"})


def _repeats(text: str, context: Context) -> IntentKind | None:
    """ "and the second" / "the sony one too": the previous turn's command on another product."""
    if context.last_intent not in _REPEATABLE or not _CONTINUES_RE.search(text):
        return None
    if not re.search(r"\b(?:the|that|this|number|#)\b", text):
        return None
    return context.last_intent


def continued_reference(text: str) -> Reference | None:
    """ "and the calvin klein heels too" names a product without "one": the words are the name."""
    words = re.sub(r"^(?:and|also|plus|oh and|and also)\s+|\s+(?:too|as well|also)$", "", text)
    words = re.sub(r"^(?:the|that|this)\s+", "", words).strip()
    return Reference(name=words) if words else None


def _named_by_filters(reference: Reference, taken: Taken) -> Reference:
    """ "save the sony" / "remove the black logitech": a brand or colour said names the product."""
    if reference.positions or reference.name:
        return reference
    words = [w for w in (taken.filters.brand, taken.filters.color) if w]
    if not words:
        return reference
    return replace(reference, name=" ".join(w.lower() for w in words), focus=False)


def _named_by_shown(text: str, context: Context, reference: Reference) -> Reference:
    """ "save the iphone 13 pro" / "how much is the galaxy": words of a shown product's name
    (its brand, line or model) name it, though no "one" follows them."""
    shown = [set(re.findall(r"[a-z0-9][a-z0-9'+-]*", name.lower())) for name in context.shown_names]
    if not shown:
        return reference
    words = [
        w
        for w in re.findall(r"[a-z0-9][a-z0-9'+-]*", text)
        if w not in STOP_WORDS and w not in COMMAND_WORDS and any(w in name for name in shown)
    ]
    brands = Lexicon.default().brands
    if not any((len(w) >= 3 and not w.isdigit()) or w in brands for w in words):
        return reference  # "the 3" names nothing; "the hp" and "the lg" name their brand
    return replace(reference, name=" ".join(dict.fromkeys(words)), focus=False)


def _points_at_one(text: str, reference: Reference | None, context: Context) -> bool:
    """The words name one shown product: a position, "the sony one", "it", or its name's words."""
    if reference and (reference.positions or reference.name or reference.extreme):
        return True
    if re.search(r"\b(?:it|that one|this one|that|this)\b", text):
        return True
    return bool(_named_by_shown(text, context, Reference()).name)


_BETWEEN_NAMES_RE = re.compile(r",|\b(?:and|or|vs|versus|against|with|to|than)\b")


def _compared_names(text: str, context: Context, reference: Reference) -> Reference:
    """ "compare the sony and the bose", "the jbl against the sennheiser": one name per part.
    "Compare the bose with the third one": a name and a position, the position named by the
    title shown there."""
    parts = _BETWEEN_NAMES_RE.split(text)
    if len(reference.positions) == 1:
        parts = [part for part in parts if not parse_reference(part)]
    names = [name for part in parts if (name := _named_by_shown(part, context, Reference()).name)]
    names = list(dict.fromkeys(names))
    if len(reference.positions) == 1 and len(names) == 1:
        position = reference.positions[0]
        index = position - 1 if position > 0 else len(context.shown_names) + position
        if 0 <= index < len(context.shown_names):
            names.append(" ".join(re.findall(r"[a-z0-9][a-z0-9'&.+-]*", context.shown_names[index].lower())))
    if len(names) < 2:
        return reference
    return replace(reference, positions=(), name=names[0], also=tuple(names[1:]), focus=False)


_THAN_RE = re.compile(
    r"\b(?:cheaper|less expensive|pricier|more expensive|costs? (?:less|more)|less) than\s+"
)


def _compared_to(
    text: str, relatives: tuple[Relative, ...], taken: Taken, context: Context
) -> tuple[Filters, Reference | None]:
    """ "anything cheaper than the dell", "pricier than number 2": the price is that product's,
    so a brand named after "than" points at a shown product and is no brand filter."""
    filters = taken.filters
    m = _THAN_RE.search(text)
    if not m or not relatives or filters.max_price is not None or filters.min_price is not None:
        return filters, None
    after = text[m.end() :]
    reference = parse_reference(after) or Reference()
    if not (reference.positions or reference.name or reference.focus):
        reference = _named_by_shown(after, context, reference)
    if not (reference.positions or reference.name or reference.focus):
        return filters, None
    if filters.brand and filters.brand.lower() in after:
        filters = replace(filters, brand=None)
    return filters, reference


def _not_shown(query: str, context: Context) -> bool:
    """No word of `query` (nor its singular) is in the name of a product shown."""
    shown = " ".join(context.shown_names).lower()
    if not context.has_results:
        return True
    if not shown:
        return False  # something is shown, its names unknown: the superlative is about it
    words = re.findall(r"[a-z0-9]+", query)
    return not any(re.search(rf"\b{re.escape(w.removesuffix('s'))}", shown) for w in words if len(w) > 2)


def _changes_the_search(taken: Taken, text: str) -> bool:
    f = taken.filters
    said = f.max_price is not None or f.min_price is not None or f.min_rating is not None or f.color
    return bool(said) and not re.search(r"\b(?:save|bookmark|list|favou?rites?)\b", text)


def _product_words(rest: str, lexicon: Lexicon) -> str:
    return clean_query(_NOT_PRODUCT.sub(" ", rest), lexicon)


def _decide(
    rule: RuleResult, text: str, query: str, lexicon: Lexicon, use_model: bool
) -> tuple[RuleResult, str]:
    """The rule, or the model's answer where the rule is unsure and the model is surer."""
    if not use_model or rule.confidence >= intents.SURE:
        return rule, "rules"
    prediction = default_classifier().predict(text)
    if prediction.similarity < MODEL_MIN_SIMILARITY or prediction.probability < MODEL_MIN_PROBABILITY:
        return rule, "rules"
    if prediction.intent == rule.intent:
        return RuleResult(rule.intent, max(rule.confidence, prediction.probability * 0.9), rule.superlative,
                          rule.sort, rule.topic), "rules"  # fmt: skip
    if prediction.intent == "search" and not (query and _knows(query, lexicon)):
        return rule, "rules"
    if prediction.intent in _ACTS and prediction.similarity < MODEL_MIN_SIMILARITY_TO_ACT:
        return rule, "rules"
    confidence = round(prediction.probability * min(1.0, prediction.similarity + 0.3), 3)
    if confidence <= rule.confidence:
        return rule, "rules"
    intent: IntentKind = prediction.intent  # type: ignore[assignment]
    return RuleResult(intent, confidence, intents.superlative_of(text), intents.sort_key(text)), "model"


def understand(text: str, context: Context | None = None, lexicon: Lexicon | None = None) -> Understanding:
    """One turn: its intent and slots (see the module docstring)."""
    parts = [p for p in _SENTENCE_END_RE.split(text[:MAX_TEXT]) if p.strip(" .!?")]
    if len(parts) > 1:
        return _one_of(parts, context, lexicon)
    return understand_with(text, context, lexicon, use_model=True)


# A sentence ends at ".", "!" or "?" followed by a space ("4.5 stars" and "$1.5k" do not).
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_SEARCHING = frozenset({"search", "refine"})
_NOT_COMMANDS = frozenset({"search", "refine", "unknown", "smalltalk", "greeting", "thanks", "help"})


def _one_of(parts: list[str], context: Context | None, lexicon: Lexicon | None) -> Understanding:
    """A turn of several sentences does one thing.

    Sentences that only search ("I need a laptop. Nothing over 800 bucks.") are read
    together as one search. Beside other sentences, the searching ones are the turn
    ("blenders under 150 then. is the first one any good?" searches: what the question
    points at is what the search will show; "hi! I need a laptop" drops the greeting).
    With no search, the last command is ("ok. which one is the cheapest?"). A save, removal
    or cart add said before a search is the turn: it acts on what is shown now, which the
    search would replace.
    """
    read = [(part, understand_with(part, context, lexicon, use_model=True)) for part in parts]
    if named := _named_then_pointed_at(read, context or Context(), lexicon):
        return named
    if asked := _question_beside_an_aside(read):
        return asked
    searches = [part for part, u in read if u.intent in _SEARCHING and u.confidence >= intents.SURE]
    if searches:
        # "I need a laptop for college. Nothing over $800." / "Show me phones. Samsung, please.":
        # a sentence that only adds a filter or a spec belongs to the search beside it.
        searches = [part for part, u in read if part in searches or _adds_to_search(part, u, lexicon)]
    first_search = next((i for i, (_, u) in enumerate(read) if u.intent in _SEARCHING), len(read))
    acts = [u for _, u in read[:first_search] if u.intent in _ACTS and u.confidence >= intents.SURE]
    if acts:
        return acts[-1]  # "save it. now show me headphones": the save is on what is shown now
    if searches and len(searches) < len(parts):
        return understand_with(" ".join(searches), context, lexicon, use_model=True)
    commands = [u for _, u in read if u.intent not in _NOT_COMMANDS and u.confidence >= intents.SURE]
    if commands and not searches:
        return commands[-1]
    return understand_with(" ".join(parts), context, lexicon, use_model=True)


_QUESTIONS = frozenset({"describe", "price", "retailer", "compare"})


def _question_beside_an_aside(read: list[tuple[str, Understanding]]) -> Understanding | None:
    """ "She's not into chanel. What's the dior one like?": a refinement that names no product
    beside a question about a product named is an aside; the question is the turn."""
    questions = [
        u for _, u in read if u.intent in _QUESTIONS and u.reference is not None and u.reference.name
    ]
    asides = [u for _, u in read if u.intent == "refine" and u.refinement is not None]
    if not questions or not asides or any(u.refinement.query for u in asides):  # type: ignore[union-attr]
        return None
    if any(u.intent not in (*_QUESTIONS, "refine", *_NOT_COMMANDS) for _, u in read):
        return None
    return questions[-1]


_BARE_NAME_RE = re.compile(r"^(?:(?:yes|yeah|yep|ok|okay|no|nah|hmm|right|so)\s+)*(?:the|that|this)\s+")


def _named_then_pointed_at(
    read: list[tuple[str, Understanding]], context: Context, lexicon: Lexicon | None
) -> Understanding | None:
    """ "Yeah, the Dell. Save that one.": a sentence that only names a shown product, then a
    command about "that one", is the command on the product named (not a Dell filter); a
    command that names its own product is that command."""
    if not context.shown_names:
        return None
    for i, (part, _) in enumerate(read[:-1]):
        norm = normalise(part, lexicon)
        if not _BARE_NAME_RE.match(norm) or intents.command_intent(norm, True) is not None:
            continue
        name = _named_by_shown(_BARE_NAME_RE.sub("", norm), context, Reference()).name
        if not name or len(_BARE_NAME_RE.sub("", norm).split()) > 4:
            continue
        for _, later in read[i + 1 :]:
            if later.intent in _REFERENCE_INTENTS and later.reference is not None:
                if later.reference.focus:
                    return replace(later, reference=replace(later.reference, focus=False, name=name))
                return later  # "No. I meant the Lenovo. Save the Lenovo."
    return None


def _adds_to_search(part: str, read: Understanding, lexicon: Lexicon | None) -> bool:
    if read.intent not in (*_SEARCHING, "unknown") or intents.is_off_topic(normalise(part, lexicon)):
        return False
    norm = normalise(part, lexicon)
    return take_filters(norm, lexicon or Lexicon.default()).filters.any() or bool(re.search(r"\d", norm))


def understand_with(
    text: str, context: Context | None, lexicon: Lexicon | None, use_model: bool
) -> Understanding:
    """``understand``, with the learned fallback on or off (the evaluation compares both)."""
    context = context or Context()
    lexicon = lexicon or Lexicon.default()
    norm = normalise(text, lexicon)
    taken = take_filters(norm, lexicon)
    query = clean_query(taken.rest, lexicon)
    rule = intents.command_intent(norm, context.has_results) or _content_intent(
        norm, taken, query, context, lexicon
    )
    if rule.intent == "list_saved" and (ref := parse_reference(norm)) and ref.positions:
        rule = RuleResult("describe", 0.85)  # "tell me about the first item on my list"
    if rule.intent == "superlative" and query and _known(query, lexicon) == 2 and _not_shown(query, context):
        rule = RuleResult("search", 0.85)  # "what's the best rated perfume", no perfume shown
    if rule.intent == "save" and _changes_the_search(taken, norm):
        rule = RuleResult("refine", 0.85)  # "keep it under 40" keeps the search, saves nothing
    rule, source = _decide(rule, norm, query, lexicon, use_model)
    intent = rule.intent
    result = Understanding(intent=intent, confidence=round(rule.confidence, 3), source=source)  # type: ignore[arg-type]
    if intent == "search":
        return _with(result, search=Search(query=query, filters=taken.filters))
    if intent == "refine":
        relatives: tuple[Relative, ...] = intents.relatives_of(norm)  # type: ignore[assignment]
        product = _product_words(taken.rest, lexicon)
        if _known(product, lexicon) < 2 and not says_only_how(product):
            product = ""  # "she's super picky, only 4 stars and up": no product named, the search's stays
        filters, than = _compared_to(norm, relatives, taken, context)
        if not relatives and not product and not filters.any():
            # "on sale only": nothing the search can change; running it again would say nothing new
            return replace(result, intent="unknown", confidence=0.6)
        refinement = Refinement(filters=filters, relative=relatives, query=product or None)
        return _with(result, refinement=refinement, reference=than)
    if intent in _REFERENCE_INTENTS:
        reference = parse_reference(norm)
        if reference is None and _CONTINUES_RE.search(norm):
            reference = continued_reference(norm)
        reference = _named_by_filters(reference or Reference(), taken)
        if not reference.positions and not reference.name and not reference.focus:
            reference = _named_by_shown(norm, context, reference)
        if intent == "compare" and len(reference.positions) < 2:
            reference = _compared_names(norm, context, reference)
        if reference.cart and intent != "remove_from_cart":
            reference = replace(reference, cart=False)  # "put it in the cart" points at results
        if intent == "more_like" and (relatives := intents.relatives_of(norm)):
            # "something like the lenovo but cheaper": the likeness, at a lower price
            result = _with(result, refinement=Refinement(relative=relatives))  # type: ignore[arg-type]
        return _with(result, reference=reference)
    if intent == "superlative":
        return _with(result, superlative=rule.superlative or intents.superlative_of(norm) or "cheapest")
    if intent == "sort":
        return _with(result, sort=rule.sort or intents.sort_key(norm))
    if intent == "smalltalk":
        return _with(result, topic=rule.topic or "chat")
    return result


def _with(result: Understanding, **changes: object) -> Understanding:
    return replace(result, **changes)  # type: ignore[arg-type]


def warm_up(lexicon: Lexicon | None = None) -> None:
    """Build the lexicon's tables and train the fallback now, not on the first shopper's turn.

    A process that serves turns (the voice runtime) calls it at start-up: the first
    ``understand`` otherwise pays about 0.15 s once.
    """
    default_classifier()
    understand("find me headphones under 50 dollars from sony", Context(), lexicon)
