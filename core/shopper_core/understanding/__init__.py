"""The one reader of the shopper's words, for the voice dialogue and for typed searches alike.

understand(text, context=None, lexicon=None) -> Understanding   one dialogue turn
parse_search(text, lexicon=None) -> Search                      a typed search
resolve(reference, items, focus_index) -> list[int]             which products a turn means
Lexicon.default()                                               the catalog's words
"""

from shopper_core.understanding.lexicon import Lexicon
from shopper_core.understanding.references import UnclearReference, parse_reference, resolve
from shopper_core.understanding.search import parse_search
from shopper_core.understanding.types import (
    Context,
    Filters,
    IntentKind,
    Reference,
    Refinement,
    Search,
    Understanding,
)
from shopper_core.understanding.understand import understand, warm_up

__all__ = [
    "Context",
    "Filters",
    "IntentKind",
    "Lexicon",
    "Reference",
    "Refinement",
    "Search",
    "UnclearReference",
    "Understanding",
    "parse_reference",
    "parse_search",
    "resolve",
    "understand",
    "warm_up",
]
