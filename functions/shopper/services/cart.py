"""The cart: add one of the user's products (copied from the stored product, so name, price
and retailer are ours, not the client's), change its quantity, remove it, list it.

Adding records a purchase-intent signal (type `purchase`) with the product's traits and
queues a learning run for the user, like a save does.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopper.errors import Forbidden, NotFound
from shopper.learning.trigger import request_learning
from shopper.models import CART_MAX_QUANTITY, CartItem, CartItemPublic, Product, SignalType
from shopper.repository import Repository, stable_id
from shopper.services.products import owned_product, signal_from_product
from shopper.services.sessions import owned_session

MAX_LIST = 100
_NAME_CHARS = 300


@dataclass(frozen=True)
class CartResult:
    id: str
    created: bool
    item: CartItem


def item_from_product(
    product: Product, product_id: str, user_id: str, quantity: int, session_id: str | None, now_ms: int
) -> CartItem:
    return CartItem(
        userId=user_id,
        productId=product_id,
        sessionId=session_id,
        productName=product.title.strip()[:_NAME_CHARS] or product_id,
        productUrl=product.productUrl,
        imageUrl=product.imageUrl,
        price=product.price,
        currency=product.currency,
        source=product.source,
        quantity=quantity,
        addedAt=now_ms,
        updatedAt=now_ms,
    )


def add(
    repo: Repository,
    user_id: str,
    product_id: str,
    now_ms: int,
    *,
    quantity: int = 1,
    session_id: str | None = None,
) -> CartResult:
    """Put the product in the user's cart (again: its quantity goes up, at most CART_MAX_QUANTITY)."""
    if session_id is not None:
        owned_session(repo, session_id, user_id)
    product = owned_product(repo, user_id, product_id)
    item = item_from_product(product, product_id, user_id, quantity, session_id, now_ms)
    item_id, created, stored = repo.add_cart_item(item, CART_MAX_QUANTITY)
    # One signal per add, named by the item and the quantity it reached.
    repo.add_signal(
        signal_from_product(product, product_id, user_id, SignalType.purchase, now_ms, stored.productName),
        signal_id=stable_id("cart-signal", item_id, str(stored.quantity)),
    )
    request_learning(repo, user_id, SignalType.purchase, now_ms)
    return CartResult(item_id, created, stored)


def _owned(repo: Repository, user_id: str, item_id: str) -> CartItem:
    item = repo.get_cart_item(item_id)
    if item is None:
        raise NotFound(f"no cart item {item_id}")
    if item.userId != user_id:
        raise Forbidden("this cart item belongs to another user")
    return item


def set_quantity(repo: Repository, user_id: str, item_id: str, quantity: int, now_ms: int) -> CartItemPublic:
    item = _owned(repo, user_id, item_id)
    repo.set_cart_quantity(item_id, quantity, now_ms)
    return CartItemPublic(
        id=item_id, **item.model_copy(update={"quantity": quantity, "updatedAt": now_ms}).model_dump()
    )


def remove(repo: Repository, user_id: str, item_id: str) -> CartItem:
    """Take the user's item out of the cart; returns what was removed."""
    item = _owned(repo, user_id, item_id)
    repo.delete_cart_item(item_id)
    return item


def list_items(repo: Repository, user_id: str) -> list[CartItemPublic]:
    return [CartItemPublic(id=i, **item.model_dump()) for i, item in repo.list_cart_items(user_id, MAX_LIST)]
