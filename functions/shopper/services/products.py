"""A user's product cards as the services that act on them read them: owned, and as a signal."""

from __future__ import annotations

from shopper.errors import Forbidden, NotFound
from shopper.models import InteractionSignal, Product, SignalType
from shopper.repository import Repository


def owned_product(repo: Repository, user_id: str, product_id: str) -> Product:
    """The user's product `product_id`: NotFound when there is none, Forbidden when it is another user's."""
    product = repo.get_product(product_id)
    if product is None:
        raise NotFound(f"no product {product_id}")
    if product.userId != user_id:
        raise Forbidden("this product belongs to another user")
    return product


def signal_from_product(
    product: Product, product_id: str, user_id: str, kind: SignalType, now_ms: int, product_name: str
) -> InteractionSignal:
    """What the learner reads of a save or a cart add: the product's traits, at `now_ms`."""
    return InteractionSignal(
        userId=user_id,
        type=kind,
        itemId=product_id,
        category=product.category,
        timestamp=now_ms,
        brand=product.brand,
        color=product.color,
        price=product.price,
        productName=product_name,
    )
