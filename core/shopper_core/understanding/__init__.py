"""The one reader of the shopper's words, for the voice dialogue and for typed searches alike."""

from shopper_core.understanding.types import (
    Context,
    Filters,
    IntentKind,
    Reference,
    Refinement,
    Search,
    Understanding,
)

__all__ = ["Context", "Filters", "IntentKind", "Reference", "Refinement", "Search", "Understanding"]
