"""What the dialogue engine says: short, speakable sentences built from tool results (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from voice_runtime.services.dialogue_grammar import SearchArgs

_CURRENCY_WORDS = {"USD": "dollars", "EUR": "euros", "GBP": "pounds", "CAD": "dollars", "AUD": "dollars"}

HELP_TEXT = (
    "Tell me what you're shopping for, like: find me a bluetooth speaker under 50 dollars. "
    "Then say cheaper, in blue, or from Sony to refine, save the second one to keep it, "
    "or ask what do I usually like."
)
GREETING_TEXT = "Hi! What are you shopping for today?"
THANKS_TEXT = "You're welcome! Anything else you'd like to find?"
GOODBYE_TEXT = "Goodbye! Your saved items will be on your list."
UNKNOWN_TEXT = (
    "Sorry, I didn't catch that. You can say something like: find me running shoes under 100 dollars."
)
NEEDS_PRODUCT_TEXT = "What kind of product should I look for?"
NOTHING_TO_SAVE_TEXT = "There's nothing to save yet. Tell me what to look for first."
SMALLTALK_TEXT = {
    "how_are_you": "I'm doing great, thanks for asking! What can I help you find?",
    "who_are_you": "I'm your shopping assistant. I search stores for you and remember what you like.",
    "joke": (
        "Why did the shopping cart go to therapy? It had too many issues to carry. What can I find for you?"
    ),
}


def say_price(price: Any, currency: str | None = "USD") -> str:
    """39.99 -> '39 dollars 99', 45 -> '45 dollars'; '' when unknown."""
    if not isinstance(price, (int, float)) or isinstance(price, bool) or price < 0:
        return ""
    unit = _CURRENCY_WORDS.get((currency or "USD").upper(), (currency or "dollars").lower())
    cents_total = round(float(price) * 100)
    whole, cents = divmod(cents_total, 100)
    return f"{whole} {unit} {cents:02d}" if cents else f"{whole} {unit}"


def short_name(title: str, brand: str | None = None, max_words: int = 5) -> str:
    """A speakable product name: the title up to its first separator, at most ``max_words`` words."""
    name = re.split(r"\s[-|–—/]\s|,|\(|\[|\bwith\b|\bfor\b", title or "", maxsplit=1)[0]
    words = name.split()
    if len(words) > max_words:
        words = words[:max_words]
    name = " ".join(words).strip(" -:;")
    if not name:
        return brand or "this product"
    return name


def describe_constraints(args: SearchArgs) -> str:
    """'under 50 dollars in black from Sony' for the spoken summary."""
    parts = []
    if args.min_price is not None and args.max_price is not None:
        parts.append(f"between {say_price(args.min_price)} and {say_price(args.max_price)}")
    elif args.max_price is not None:
        parts.append(f"under {say_price(args.max_price)}")
    elif args.min_price is not None:
        parts.append(f"over {say_price(args.min_price)}")
    if args.color:
        parts.append(f"in {args.color}")
    if args.brand:
        parts.append(f"from {args.brand}")
    if args.min_rating is not None:
        parts.append(f"rated {args.min_rating:g} stars or more")
    return " ".join(parts)


def search_announcement(args: SearchArgs) -> str:
    """What the engine says while the search runs."""
    summary = " ".join(p for p in (args.query, describe_constraints(args)) if p)
    return f"Looking for {summary}."


def _product_phrase(product: Mapping[str, Any], same_name_as_another: bool = False) -> str:
    name = short_name(str(product.get("title") or ""), product.get("brand"))
    color = product.get("color")
    if same_name_as_another and isinstance(color, str) and color:
        name = f"{name} in {color.lower()}"  # colour variants would otherwise sound the same
    price = say_price(product.get("price"), product.get("currency"))
    return f"the {name} for {price}" if price else f"the {name}"


def search_reply(args: SearchArgs | None, result: Any, top: int = 3) -> str:
    """Spoken summary of a ``search_products`` result."""
    if not isinstance(result, Mapping):
        return "Sorry, the search didn't work this time. Want to try again?"
    what = args.query if args else "that"
    status = result.get("status")
    products = [p for p in result.get("products") or [] if isinstance(p, Mapping)]
    if result.get("error") and not products:
        return f"Sorry, I couldn't search right now: {result['error']}. Want to try again?"
    if status in ("pending", "searching") and not products:
        return f"I'm still searching for {what}. The results will show up on your screen in a moment."
    if not products:
        constraints = describe_constraints(args) if args else ""
        return (
            f"I couldn't find any {what} {constraints}".rstrip()
            + ". Want to try a higher budget or something else?"
        )
    shown = products[:top]
    names = [short_name(str(p.get("title") or ""), p.get("brand")) for p in shown]
    picks = [_product_phrase(p, names.count(name) > 1) for p, name in zip(shown, names, strict=True)]
    listed = picks[0] if len(picks) == 1 else ", ".join(picks[:-1]) + f", and {picks[-1]}"
    count = len(products)
    first = f"I found {count} options." if count > 1 else "I found one option."
    return f"{first} Top picks: {listed}. Want me to save one?"


def save_reply(result: Any) -> str:
    if isinstance(result, Mapping) and result.get("saved"):
        name = short_name(str(result.get("productName") or ""), None, max_words=6)
        return f"Saved the {name} to your list." if name != "this product" else "Saved it to your list."
    if isinstance(result, Mapping) and result.get("error"):
        return f"Sorry, I couldn't save that: {result['error']}."
    return "Sorry, I couldn't save that one."


def _join(items: Sequence[str]) -> str:
    items = [str(i) for i in items if str(i).strip()]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


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


def describe_product(product: Mapping[str, Any] | None) -> str:
    if not product:
        return "I don't have that one in the last results."
    name = short_name(str(product.get("title") or ""), product.get("brand"), max_words=8)
    bits = [f"That's the {name}"]
    price = say_price(product.get("price"), product.get("currency"))
    if price:
        bits.append(f"for {price}")
    sentence = " ".join(bits) + "."
    extras = []
    if product.get("brand"):
        extras.append(f"It's from {product['brand']}")
    rating = product.get("rating")
    if isinstance(rating, (int, float)) and rating > 0:
        extras.append(f"rated {float(rating):.1f} stars")
    if extras:
        sentence += " " + ", ".join(extras) + "."
    return sentence + " Want me to save it?"


def tool_failure_reply(name: str) -> str:
    return {
        "search_products": "Sorry, the search didn't work this time. Want to try again?",
        "save_item": "Sorry, I couldn't save that one.",
        "get_user_preferences": "Sorry, I couldn't look up your preferences right now.",
    }.get(name, "Sorry, something went wrong.")
