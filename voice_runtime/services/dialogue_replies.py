"""What the dialogue engine says: short sentences a person would say, built from data (pure).

Prices are written as people read them ("$40.95"): the chat bubble shows that, and the
offline voices read it through pipecat's currency transform ("forty dollars and
ninety-five cents"). Product names are short and speakable; colour variants are told
apart. Nothing here ever shows an internal id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shopper_core.dialogue import SavedEntry, SearchState, ShownProduct

_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£"}

HELP_TEXT = (
    "Tell me what you're shopping for, like: a bluetooth speaker under $50. "
    "Then say cheaper, in blue, or from Sony to refine; tell me about the second one; "
    "compare the first two; save it; or ask what's in my list."
)
GREETING_TEXT = "Hi! What are you shopping for today?"
THANKS_TEXT = "You're welcome! Anything else you'd like to find?"
GOODBYE_TEXT = "Goodbye! Your saved items will be on your list."
UNKNOWN_TEXT = (
    "Sorry, I'm not sure what you mean. I can find products, tell you about them, compare them, "
    "and save them. What are you looking for?"
)
UNSURE_TEXT = (
    "Sorry, I didn't quite get that. Could you say it another way, like: find me wireless headphones?"
)
NEEDS_PRODUCT_TEXT = "What kind of product should I look for?"
GIFT_QUESTION_TEXT = "Happy to help with a gift. Who is it for, and what do they like?"
CHECKING_LIST_TEXT = "Checking your list."
CHECKING_CART_TEXT = "Checking your cart."
CHECKING_PREFERENCES_TEXT = "Let me check what you like."
# Said first, the moment a turn is understood, when what follows names a product, a price or
# a search: these are fixed, so their audio is ready from start-up (services.fixed_phrases)
# and the shopper hears the assistant at once, not after a variable sentence is synthesised.
ACKNOWLEDGEMENTS = {
    "search": "Sure.",
    "more_like": "Sure.",
    "refine": "Okay.",
    "sort": "Okay.",
    "save": "Okay.",
    "add_to_cart": "Okay.",
    "remove": "Okay.",
    "remove_from_cart": "Okay.",
    "go_back": "Okay.",
    "describe": "Sure.",
    "price": "Sure.",
    "retailer": "Sure.",
    "compare": "Sure.",
    "superlative": "Let's see.",
}
NO_RESULTS_TEXT = "There's nothing on screen yet. What should I look for?"
NOTHING_TO_REPEAT_TEXT = "I haven't said anything yet. What can I find for you?"
SMALLTALK_TEXT = {
    "how_are_you": "I'm doing great, thanks for asking! What can I help you find?",
    "who_are_you": "I'm your shopping assistant. I search stores for you and remember what you like.",
    "joke": (
        "Why did the shopping cart go to therapy? It had too many issues to carry. What can I find for you?"
    ),
}


def say_price(price: Any, currency: str | None = "USD") -> str:
    """39.99 -> '$39.99', 45 -> '$45', 1299 -> '$1,299'; '' when unknown."""
    if not isinstance(price, int | float) or isinstance(price, bool) or price < 0:
        return ""
    code = (currency or "USD").upper()
    symbol = _SYMBOLS.get(code)
    amount = f"{price:,.2f}" if round(price * 100) % 100 else f"{round(price):,}"
    return f"{symbol}{amount}" if symbol else f"{amount} {code}"


_UNITS = frozenset({"inch", "inches", "cm", "mm", "gb", "tb", "mah", "watts", "hz", "ghz", "mhz", "pixels"})


def short_name(title: str, brand: str | None = None, max_words: int = 5) -> str:
    """A speakable product name: the title up to its first separator, at most `max_words` words.

    A longer name keeps its first words and its last, the noun that says what it is
    ("Anker Soundcore Q20 Headphones", not "Anker Soundcore Q20 Noise Cancelling").
    """
    name = re.split(r"\s[-|–—/]\s|,|\(|\[|\bwith\b|\bfor\b", title or "", maxsplit=1)[0]
    words = name.split()
    if len(words) > max_words:
        keep = max(max_words - 2, 1)
        nouns = [w for w in words[keep:] if w.isalpha() and len(w) > 2 and w.lower() not in _UNITS]
        words = [*words[:keep], nouns[-1]] if nouns else words[:max_words]
    name = " ".join(words).strip(" -:;")
    return name or brand or "this product"


def _join(items: Sequence[str], word: str = "and") -> str:
    items = [str(i) for i in items if str(i).strip()]
    if len(items) <= 1:
        return "".join(items)
    return (
        ", ".join(items[:-1]) + f", {word} {items[-1]}" if len(items) > 2 else f"{items[0]} {word} {items[1]}"
    )


def _names(products: Sequence[ShownProduct], max_words: int = 5) -> list[str]:
    """Short names, with the colour added where two would otherwise sound the same."""
    base = [short_name(p.title, p.brand, max_words) for p in products]
    named = []
    for product, name in zip(products, base, strict=True):
        if base.count(name) > 1 and product.color and product.color.lower() not in name.lower():
            name = f"{name} in {product.color.lower()}"
        named.append(name)
    return named


def product_phrase(product: ShownProduct, name: str | None = None) -> str:
    name = name or short_name(product.title, product.brand)
    price = say_price(product.price, product.currency)
    return f"the {name} for {price}" if price else f"the {name}"


# ------------------------------------------------------------------ searches


def say_rating(rating: float) -> str:
    """One decimal, half up, as the page's cards show it (4.25 is "4.3", not Python's "4.2")."""
    return str(Decimal(str(rating)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _says(text: str, words: str) -> bool:
    return re.search(rf"\b{re.escape(words.lower())}\b", text.lower()) is not None


def describe_search(search: SearchState) -> str:
    """The understood search, as a person would say it: 'Sony headphones under $150 in black'."""
    query = search.query
    if search.pricePreference:
        query = f"{'budget' if search.pricePreference == 'low' else 'high-end'} {query}"
    if search.brand and not _says(query, search.brand):
        query = f"{search.brand} {query}"
    if search.color and not _says(query, search.color):
        query = f"{search.color} {query}"  # "blue bluetooth speaker": "blue" is not in "bluetooth"
    parts = [query]
    if search.minPrice is not None and search.maxPrice is not None:
        parts.append(f"between {say_price(search.minPrice)} and {say_price(search.maxPrice)}")
    elif search.maxPrice is not None:
        parts.append(f"under {say_price(search.maxPrice)}")
    elif search.minPrice is not None:
        parts.append(f"over {say_price(search.minPrice)}")
    if search.size and "size" not in query.lower():
        parts.append(f"in size {search.size}")
    if search.minRating is not None:
        parts.append(f"rated {search.minRating:g} stars or more")
    if search.notBrands:
        parts.append(f"and not {_join(search.notBrands, 'or')}")
    return " ".join(parts)


def search_announcement(search: SearchState) -> str:
    return f"Looking for {describe_search(search)}."


def search_reply(
    search: SearchState | None, result: Mapping[str, Any], shown: Sequence[ShownProduct], top: int = 3
) -> str:
    """Spoken summary of a finished search: how many the page shows and the top picks."""
    what = describe_search(search) if search else "that"
    status = result.get("status")
    if result.get("error") and not shown:
        return f"Sorry, {result['error']}. Want to try something else?"
    if status in ("pending", "searching") and not shown:
        return f"I'm still searching for {what}. The results will show up on your screen in a moment."
    if not shown:
        reason = result.get("reason")
        if reason:
            return f"I couldn't find any {what}: {reason}. Want to try something else?"
        return f"I couldn't find any {what}. Want to try different words?"
    picks = shown[:top]
    listed = _join([product_phrase(p, n) for p, n in zip(picks, _names(picks), strict=True)])
    count = len(shown)
    first = f"I found {count} options." if count > 1 else "I found one option."
    lead = "Top picks:" if count > 1 else "It's"
    return f"{first} {lead} {listed}."


# ------------------------------------------------------------------ one product


def describe_product(product: ShownProduct, position: int | None = None) -> str:
    name = short_name(product.title, product.brand, max_words=8)
    where = f"Number {position} is" if position else "That's"
    sentence = f"{where} the {name}"
    price = say_price(product.price, product.currency)
    sentence += f", {price}." if price else "."
    extras = []
    if product.brand:
        extras.append(f"It's from {product.brand}")
    if isinstance(product.rating, int | float) and product.rating > 0:
        extras.append(f"rated {say_rating(product.rating)} stars")
    if product.source:
        extras.append(f"sold by {product.source}")
    if extras:
        sentence += " " + ", ".join(extras) + "."
    features = key_features(product, 3)
    if features:
        sentence += f" It has {_join(features)}."
    return sentence + " Want me to save it?"


def price_reply(product: ShownProduct) -> str:
    price = say_price(product.price, product.currency)
    name = short_name(product.title, product.brand)
    return f"The {name} is {price}." if price else f"I don't have a price for the {name}."


def retailer_reply(product: ShownProduct) -> str:
    name = short_name(product.title, product.brand)
    if not product.source:
        return f"I don't know which store sells the {name}."
    return f"The {name} is sold by {product.source}. The link is on its card."


_FEATURES = (
    ("wireless", r"\bwireless\b"),
    ("bluetooth", r"\bbluetooth\b"),
    ("noise cancelling", r"\bnoise[ -]?cancel"),
    ("waterproofing", r"\bwater[ -]?(?:proof|resistant)\b|\bip[x]?[4-8]\b"),
    ("4K", r"\b4k\b|\buhd\b"),
    ("a touchscreen", r"\btouch ?screen\b"),
    ("an SSD", r"\bssd\b"),
)
_CAPACITY = re.compile(r"\b(\d+(?:\.\d+)?)\s?(tb|gb)\b", re.IGNORECASE)
_INCHES = re.compile(r"\b(\d{2}(?:\.\d)?)\s?(?:\"|inch|in\b|”)", re.IGNORECASE)


# What a question about one product asks for ("is the second one wireless?") -> the feature label.
_ASKED_FEATURES = (
    (r"\bwireless|cordless\b", "wireless"),
    (r"\bbluetooth\b", "bluetooth"),
    (r"\bnoise[ -]?cancel", "noise cancelling"),
    (r"\bwater[ -]?(?:proof|resistant)|\bswim", "waterproofing"),
    (r"\b4k\b|\buhd\b", "4K"),
    (r"\btouch ?screen\b", "a touchscreen"),
    (r"\bssd\b", "an SSD"),
)


def feature_answer(product: ShownProduct, question: str) -> str | None:
    """ "Is the second one wireless?": yes when its title or description says so; otherwise
    that its listing does not say (the catalog is the only source, so never a plain no)."""
    for asked, label in _ASKED_FEATURES:
        if re.search(asked, question, re.IGNORECASE):
            if label in key_features(product, limit=len(_FEATURES) + 2):
                return f"Yes, it has {label}."
            return f"Its listing doesn't mention {label}."
    return None


def key_features(product: ShownProduct, limit: int = 4) -> list[str]:
    """Specs a shopper compares on, read from the title and description."""
    text = f"{product.title} {product.description or ''}"
    found = [label for label, pattern in _FEATURES if re.search(pattern, text, re.IGNORECASE)]
    if match := _INCHES.search(text):
        found.append(f"a {match.group(1)} inch screen")
    if match := _CAPACITY.search(text):
        found.append(f"{match.group(1)} {match.group(2).upper()}")
    return found[:limit]


# ------------------------------------------------------------------ several products


def compare_reply(products: Sequence[ShownProduct]) -> str:
    """Two or three shown products side by side: price, brand, rating and what sets each apart."""
    names = _names(products, max_words=4)
    lines = []
    priced = [(p.price, n) for p, n in zip(products, names, strict=True) if p.price is not None]
    for product, name in zip(products, names, strict=True):
        bits = [say_price(product.price, product.currency)] if product.price is not None else []
        if product.brand and product.brand.lower() not in name.lower():
            bits.append(f"from {product.brand}")
        if isinstance(product.rating, int | float) and product.rating > 0:
            bits.append(f"rated {say_rating(product.rating)}")
        features = key_features(product, 2)
        if features:
            bits.append(f"with {_join(features)}")
        lines.append(f"the {name} is {', '.join(bits)}" if bits else f"the {name}")
    sentence = "; ".join(lines)
    sentence = sentence[0].upper() + sentence[1:] + "."
    if len(priced) >= 2:
        cheapest = min(priced)
        dearest = max(priced)
        if dearest[0] > cheapest[0]:
            sentence += f" The {cheapest[1]} is {say_price(dearest[0] - cheapest[0])} cheaper."
    return sentence


def superlative_reply(kind: str, product: ShownProduct, name: str | None = None) -> str:
    name = name or short_name(product.title, product.brand)
    if kind == "cheapest":
        return f"The cheapest is the {name}, at {say_price(product.price, product.currency)}."
    if kind == "most_expensive":
        return f"The most expensive is the {name}, at {say_price(product.price, product.currency)}."
    rating = f"{say_rating(product.rating)} stars" if product.rating else "the best rating"
    return f"The best rated is the {name}, with {rating}, for {say_price(product.price, product.currency)}."


def no_ratings_reply() -> str:
    return "None of these products has a rating yet."


def sorted_reply(products: Sequence[ShownProduct], key: str, top: int = 3) -> str:
    """The first products after a sort, in their new order."""
    picks = products[:top]
    listed = _join([product_phrase(p, n) for p, n in zip(picks, _names(picks), strict=True)])
    order = {
        "price_low": "From the lowest price",
        "price_high": "From the highest price",
        "rating": "By rating",
    }
    return f"{order.get(key, 'In order')}: {listed}."


def sorting_announcement(key: str) -> str:
    order = {
        "price_low": "lowest price first",
        "price_high": "highest price first",
        "rating": "best rated first",
    }
    return f"Sorting them, {order.get(key, 'in order')}."


# ------------------------------------------------------------------ saved list, cart, preferences


def brand_out_of_reach(brand: str) -> str:
    return f"Nothing from {brand} I've shown comes close to that, so I'll look at every brand."


def saving_announcement(*products: ShownProduct) -> str:
    return f"Saving {_join([f'the {name}' for name in _names(products)])}."


def save_reply(result: Mapping[str, Any]) -> str:
    if result.get("saved"):
        return "It's on your list."
    return f"Sorry, I couldn't save that: {result.get('error') or 'the saved list is not answering'}."


def removing_announcement(title: str) -> str:
    return f"Removing the {short_name(title)} from your list."


def _emptied(result: Mapping[str, Any], where: str) -> str:
    count = int(result.get("count") or 0)
    if not count:
        return f"Your {where} was already empty."
    items = "item" if count == 1 else "items"
    return f"Done, I took {count} {items} off your {where}. It's empty now."


def remove_reply(result: Mapping[str, Any]) -> str:
    if result.get("all"):
        return _emptied(result, "list")
    if result.get("removed"):
        return "Done, it's off your list."
    return f"Sorry, {result.get('error') or 'I could not remove that'}."


def _read_out(named: Sequence[str], top: int, many: str, one: str) -> str:
    """ "You have 3 saved items: the A, the B, and the C." (at most `top` named)."""
    count = len(named)
    head = f"You have {count} {many}:" if count > 1 else f"You have {one}:"
    more = f", and {count - top} more" if count > top else ""
    return f"{head} {_join(named[:top])}{more}."


def list_reply(result: Mapping[str, Any], top: int = 5) -> str:
    items = [i for i in result.get("items") or [] if isinstance(i, Mapping)]
    if result.get("ok") is False:
        return f"Sorry, {result.get('error') or 'I could not open your list'}."
    if not items:
        return "Your saved list is empty. Say save it when you see something you like."
    named = [
        f"the {short_name(str(i.get('productName') or ''), None, 5)}"
        + (f" for {say_price(i.get('price'))}" if i.get("price") is not None else "")
        for i in items
    ]
    return _read_out(named, top, "saved items", "one saved item")


def adding_to_cart_announcement(*products: ShownProduct) -> str:
    return f"Adding {_join([f'the {name}' for name in _names(products)])} to your cart."


_ALL_DONE = {"It's on your list.": "on your list.", "It's in your cart.": "in your cart."}


def together(sentences: Sequence[str]) -> list[str]:
    """Several saves or cart adds that all went through are confirmed once, not once each
    ("They're both on your list.")."""
    said: list[tuple[str, int]] = []
    for sentence in sentences:
        if sentence in _ALL_DONE and said and said[-1][0] == sentence:
            said[-1] = (sentence, said[-1][1] + 1)
        else:
            said.append((sentence, 1))
    return [
        f"They're {'both' if count == 2 else 'all'} {_ALL_DONE[sentence]}" if count > 1 else sentence
        for sentence, count in said
    ]


def cart_reply(result: Mapping[str, Any]) -> str:
    if result.get("added"):
        return "It's in your cart."
    return f"Sorry, I couldn't add that to your cart: {result.get('error') or 'the cart is not answering'}."


def cart_list_reply(result: Mapping[str, Any], top: int = 5) -> str:
    items = [i for i in result.get("items") or [] if isinstance(i, Mapping)]
    if not items:
        return "Your cart is empty. Say add it to my cart when you see something you want."
    named = [
        (f"{i.get('quantity')} of " if int(i.get("quantity") or 1) > 1 else "")
        + f"the {short_name(str(i.get('productName') or ''), None, 5)}"
        for i in items
    ]
    total = say_price(result.get("total")) if result.get("total") else None
    spoken = _read_out(named, top, "items in your cart", "one item in your cart")
    return spoken + (f" That's {total} in all." if total else "")


def taking_out_announcement(title: str) -> str:
    return f"Taking the {short_name(title)} out of your cart."


def cart_remove_reply(result: Mapping[str, Any]) -> str:
    if result.get("all"):
        return _emptied(result, "cart")
    if result.get("removed"):
        return "Done, it's out of your cart."
    return f"Sorry, {result.get('error') or 'I could not take that out of your cart'}."


def preferences_reply(result: Any) -> str:
    prefs = result.get("preferences") if isinstance(result, Mapping) else None
    if not isinstance(prefs, Mapping):
        if isinstance(result, Mapping) and result.get("error"):
            return f"Sorry, I couldn't look up your preferences: {result['error']}."
        return "I don't know your taste yet. Save a few things and I'll learn what you like."
    parts = []
    if prefs.get("brands"):
        parts.append(f"brands like {_join(list(prefs['brands'])[:3])}")
    if prefs.get("colors"):
        parts.append(f"{_join(list(prefs['colors'])[:3])} colours")
    if prefs.get("style"):
        parts.append(f"a {_join(list(prefs['style'])[:2])} style")
    if prefs.get("productCategories"):
        parts.append(f"mostly {_join(list(prefs['productCategories'])[:3])}")
    budget = prefs.get("budget")
    if isinstance(budget, Mapping) and (budget.get("min") is not None or budget.get("max") is not None):
        low, high = budget.get("min"), budget.get("max")
        if low is not None and high is not None:
            parts.append(f"a budget of {say_price(low)} to {say_price(high)}")
        elif high is not None:
            parts.append(f"a budget under {say_price(high)}")
        else:
            parts.append(f"a budget over {say_price(low)}")
    if prefs.get("size"):
        parts.append(f"size {_join(list(prefs['size'])[:2])}")
    if not parts:
        return "I don't know your taste yet. Save a few things and I'll learn what you like."
    return f"You usually go for {_join(parts)}."


def saved_names(entries: Sequence[SavedEntry]) -> list[str]:
    return [short_name(e.title) for e in entries]


def tool_failure_reply(name: str) -> str:
    return {
        "search_products": "Sorry, the search didn't work this time. Want to try again?",
        "save_item": "Sorry, I couldn't save that one.",
        "remove_saved_item": "Sorry, I couldn't remove that one.",
        "list_saved_items": "Sorry, I couldn't open your list right now.",
        "add_to_cart": "Sorry, I couldn't add that to your cart.",
        "get_user_preferences": "Sorry, I couldn't look up your preferences right now.",
    }.get(name, "Sorry, something went wrong.")
