"""The shopping tools as the LLM sees them: one schema shared by Gemini and the dialogue engine.

Handlers live in ``voice_runtime/tools.py`` and are registered on whichever
LLM service runs (``llm.register_function(name, handler)``); this module only
describes the calls. ``end_session`` is the LLM's way to say the user said
goodbye: its handler ends the session once the goodbye has been spoken.
"""

from __future__ import annotations

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema

SEARCH_PRODUCTS = "search_products"
SAVE_ITEM = "save_item"
GET_USER_PREFERENCES = "get_user_preferences"
END_SESSION = "end_session"

SEARCH_PRODUCTS_SCHEMA = FunctionSchema(
    name=SEARCH_PRODUCTS,
    description=(
        "Search retailers for products. Use for every new request and for refinements "
        "of the last search (cheaper, another colour, another brand): repeat the last "
        "query with the changed filters. Products appear on the user's screen."
    ),
    properties={
        "query": {"type": "string", "description": "What to look for, e.g. 'bluetooth speaker'."},
        "max_price": {"type": "number", "description": "Highest price in the user's currency."},
        "min_price": {"type": "number", "description": "Lowest price in the user's currency."},
        "color": {"type": "string", "description": "Wanted colour, e.g. 'black'."},
        "brand": {"type": "string", "description": "Wanted brand, e.g. 'Sony'."},
        "min_rating": {"type": "number", "description": "Lowest average rating, 0 to 5."},
        "retailers": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only these retailers, e.g. ['bestbuy'].",
        },
    },
    required=["query"],
)

SAVE_ITEM_SCHEMA = FunctionSchema(
    name=SAVE_ITEM,
    description=(
        "Save a product from the last search results to the user's list. Give the "
        "product_id, or the 1-based position as spoken ('the second one' is 2, "
        "'the last one' is -1)."
    ),
    properties={
        "product_id": {"type": "string", "description": "Id of a product from the last results."},
        "position": {
            "type": "integer",
            "description": "1-based position in the last results; -1 for the last one.",
        },
    },
    required=[],
)

GET_USER_PREFERENCES_SCHEMA = FunctionSchema(
    name=GET_USER_PREFERENCES,
    description="The user's learned taste: style, budget, sizes, categories, brands, colours.",
    properties={},
    required=[],
)

END_SESSION_SCHEMA = FunctionSchema(
    name=END_SESSION,
    description="End the conversation after saying goodbye, when the user is done.",
    properties={},
    required=[],
)

SHOPPING_TOOLS = ToolsSchema(
    standard_tools=[
        SEARCH_PRODUCTS_SCHEMA,
        SAVE_ITEM_SCHEMA,
        GET_USER_PREFERENCES_SCHEMA,
        END_SESSION_SCHEMA,
    ]
)

SHOPPING_SYSTEM_PROMPT = """\
You are a voice shopping assistant. Your replies are spoken aloud, so keep them \
to one or two short sentences with no lists, markdown, emoji or URLs. Say prices \
the way people say them ("39 dollars 99").
- For any product request call search_products with a short query and the \
constraints the user gave (max_price, min_price, color, brand, min_rating). For \
refinements such as "cheaper", "in blue" or "from Sony", repeat the last query \
with the changed filters. After results arrive, name the top two or three \
products by a short name and price; the products also appear on screen.
- "Save the second one", "the last one", "that one": call save_item with the \
position (1-based, -1 for the last) or the product id from the last results.
- "What do I usually like?": call get_user_preferences and summarise it briefly.
- If a tool fails, apologise in a few words and suggest what to try next.
- When the user says goodbye, say a short goodbye and call end_session.
"""
