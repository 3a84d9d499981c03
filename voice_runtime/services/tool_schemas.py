"""The shopping tools as the LLM sees them: one schema shared by Gemini and the dialogue engine.

Handlers live in ``voice_runtime/tools.py`` and are registered on whichever
LLM service runs (``voice_runtime.tool_registration.register_tools``); this
module only describes the calls. Every product reference is a ``product_id``
from the results (or the saved list) or a 1-based ``position``; with neither,
the tool acts on the product in focus (the one the conversation last talked
about). ``end_session`` is the LLM's way to say the user said goodbye.
"""

from __future__ import annotations

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema

SEARCH_PRODUCTS = "search_products"
SAVE_ITEM = "save_item"
REMOVE_SAVED_ITEM = "remove_saved_item"
LIST_SAVED_ITEMS = "list_saved_items"
ADD_TO_CART = "add_to_cart"
LIST_CART_ITEMS = "list_cart_items"
REMOVE_CART_ITEM = "remove_cart_item"
GET_USER_PREFERENCES = "get_user_preferences"
END_SESSION = "end_session"

# Said while a tool runs longer than a moment (tool_registration.run_with_filler). The
# offline engine knows them too: a filler in the context is not the turn's answer.
FILLERS = {
    SEARCH_PRODUCTS: "Let me look that up.",
    SAVE_ITEM: "One moment.",
    REMOVE_SAVED_ITEM: "One moment.",
    LIST_SAVED_ITEMS: "Let me check your list.",
    ADD_TO_CART: "One moment.",
    LIST_CART_ITEMS: "Let me check your cart.",
    REMOVE_CART_ITEM: "One moment.",
    GET_USER_PREFERENCES: "Let me check.",
}

_PRODUCT_ID = {"type": "string", "description": "Id of a product from the last results."}
_POSITION = {
    "type": "integer",
    "description": "1-based position in the last results as spoken ('the second one' is 2); "
    "-1 for the last one, -2 for the second to last.",
}

SEARCH_PRODUCTS_SCHEMA = FunctionSchema(
    name=SEARCH_PRODUCTS,
    description=(
        "Search retailers for products. Use for every new request and for refinements "
        "of the last search (cheaper, another colour, another brand): repeat the last "
        "query with the changed filters. Products appear on the user's screen."
    ),
    properties={
        "query": {"type": "string", "description": "The product words only, e.g. 'bluetooth speaker'."},
        "max_price": {"type": "number", "description": "Highest price in the user's currency."},
        "min_price": {"type": "number", "description": "Lowest price in the user's currency."},
        "color": {"type": "string", "description": "Wanted colour, e.g. 'black'."},
        "brand": {"type": "string", "description": "Wanted brand, e.g. 'Sony'."},
        "not_brands": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Brands the user ruled out ('no Apple'), e.g. ['Apple'].",
        },
        "min_rating": {"type": "number", "description": "Lowest average rating, 0 to 5."},
        "size": {"type": "string", "description": "Wanted size, e.g. '10' or 'medium'."},
        "price_preference": {
            "type": "string",
            "enum": ["low", "high"],
            "description": "'cheap' or 'budget' is low, 'high end' or 'premium' is high.",
        },
        "sort": {
            "type": "string",
            "enum": ["price_low", "price_high", "rating"],
            "description": "Order the results on screen: lowest price, highest price, or best rated first.",
        },
        "retailers": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only these retailers, as the search names them: icecat, dummyjson, serpapi.",
        },
    },
    required=["query"],
)

SAVE_ITEM_SCHEMA = FunctionSchema(
    name=SAVE_ITEM,
    description=(
        "Save a product from the last results to the user's list. Give its product_id or "
        "position; with neither, the product the conversation is about is saved."
    ),
    properties={"product_id": _PRODUCT_ID, "position": _POSITION},
    required=[],
)

REMOVE_SAVED_ITEM_SCHEMA = FunctionSchema(
    name=REMOVE_SAVED_ITEM,
    description=(
        "Remove a product from the user's saved list. Give saved_item_id (from list_saved_items), "
        "product_id, or saved_position (1-based in the saved list as last read out); with none, "
        "the product the conversation is about is removed."
    ),
    properties={
        "saved_item_id": {"type": "string", "description": "Id of a saved item from list_saved_items."},
        "product_id": _PRODUCT_ID,
        "saved_position": {"type": "integer", "description": "1-based position in the saved list."},
        "all": {"type": "boolean", "description": "True to empty the whole saved list."},
    },
    required=[],
)

LIST_SAVED_ITEMS_SCHEMA = FunctionSchema(
    name=LIST_SAVED_ITEMS,
    description="The user's saved list, newest first (name, price, id of each saved item).",
    properties={},
    required=[],
)

ADD_TO_CART_SCHEMA = FunctionSchema(
    name=ADD_TO_CART,
    description=(
        "Put a product from the last results in the user's cart. Give its product_id or "
        "position; with neither, the product the conversation is about."
    ),
    properties={
        "product_id": _PRODUCT_ID,
        "position": _POSITION,
        "quantity": {"type": "integer", "description": "How many, default 1."},
    },
    required=[],
)

LIST_CART_ITEMS_SCHEMA = FunctionSchema(
    name=LIST_CART_ITEMS,
    description="What is in the user's cart (name, price, quantity, id of each item) and the total.",
    properties={},
    required=[],
)

REMOVE_CART_ITEM_SCHEMA = FunctionSchema(
    name=REMOVE_CART_ITEM,
    description=(
        "Take an item out of the user's cart. Give cart_item_id (from list_cart_items), "
        "product_id, or cart_position (1-based in the cart as last read out); with none, "
        "the product the conversation is about."
    ),
    properties={
        "cart_item_id": {"type": "string", "description": "Id of a cart item from list_cart_items."},
        "product_id": _PRODUCT_ID,
        "cart_position": {"type": "integer", "description": "1-based position in the cart."},
        "all": {"type": "boolean", "description": "True to empty the whole cart."},
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
        REMOVE_SAVED_ITEM_SCHEMA,
        LIST_SAVED_ITEMS_SCHEMA,
        ADD_TO_CART_SCHEMA,
        LIST_CART_ITEMS_SCHEMA,
        REMOVE_CART_ITEM_SCHEMA,
        GET_USER_PREFERENCES_SCHEMA,
        END_SESSION_SCHEMA,
    ]
)

SHOPPING_SYSTEM_PROMPT = """\
You are a voice shopping assistant. Your replies are spoken aloud, so keep them \
to one or two short sentences with no lists, markdown, emoji or URLs. Write prices \
with the currency sign ("$39.99"); they are read out naturally.
- For any product request call search_products with the product words as the query \
and the constraints the user gave (max_price, min_price, color, brand, min_rating, \
size). For refinements such as "cheaper", "in blue" or "from Sony", repeat the last \
query with the changed filters. After results arrive, say how many you found and \
name the top two or three by a short name and price; they also appear on screen.
- "Tell me about the third one", "how much is it", "compare the first two", \
"which is cheapest": answer from the last results without calling a tool. "Sort them \
by price": repeat the last search with sort.
- "Save it", "save the second one", "the last one": call save_item with the \
product_id or position; "it" and "that one" mean the product you last talked about.
- "What's in my list?": call list_saved_items. "Remove that": call remove_saved_item.
- "Add it to my cart": call add_to_cart. "What's in my cart?": call list_cart_items. \
"Take it out of my cart": call remove_cart_item.
- "What do I usually like?": call get_user_preferences and summarise it briefly.
- If a tool fails, apologise in a few words and suggest what to try next.
- When the user says goodbye, say a short goodbye and call end_session.
"""
