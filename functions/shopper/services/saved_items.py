"""Saved items: save (deduplicated per session and product), delete, list newest first."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from shopper.errors import Forbidden, NotFound
from shopper.learning.trigger import request_learning
from shopper.models import Product, SavedItem, SavedItemCreate, SavedItemPublic, SignalType
from shopper.repository import Repository, stable_id
from shopper.services.products import owned_product, signal_from_product
from shopper.services.sessions import active_session

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_NAME_CHARS = 300
_DESCRIPTION_CHARS = 4000


@dataclass(frozen=True)
class SaveResult:
    id: str
    created: bool
    item: SavedItem


def save(repo: Repository, user_id: str, create: SavedItemCreate, now_ms: int) -> SaveResult:
    if create.sessionId is not None:
        active_session(repo, create.sessionId, user_id)  # an ended session takes no saves
    item = SavedItem(userId=user_id, savedAt=now_ms, **create.model_dump())
    item_id, created = repo.save_item(item)
    if not created:
        stored = repo.get_saved_item(item_id)
        item = stored or item
    return SaveResult(item_id, created, item)


def item_from_product(
    product: Product, product_id: str, user_id: str, session_id: str, now_ms: int
) -> SavedItem:
    """A saved item copied from a product card, leaving out fields we could not store as they are."""
    fields = {
        "userId": user_id,
        "sessionId": session_id,
        "productId": product_id,
        "productName": product.title.strip()[:_NAME_CHARS] or product_id,
        "savedAt": now_ms,
    }
    optional = {
        "description": product.description[:_DESCRIPTION_CHARS] if product.description else None,
        "imageUrl": product.imageUrl,
        "productUrl": product.productUrl,
        "price": product.price,
    }
    for name, value in optional.items():
        if value is None:
            continue
        try:
            SavedItem.model_validate({**fields, name: value})
        except ValidationError:
            continue
        fields[name] = value
    return SavedItem.model_validate(fields)


def save_product(repo: Repository, user_id: str, session_id: str, product_id: str, now_ms: int) -> SaveResult:
    """Save one of the user's product cards (the voice agent's "save the second one")."""
    active_session(repo, session_id, user_id)
    product = owned_product(repo, user_id, product_id)
    item = item_from_product(product, product_id, user_id, session_id, now_ms)
    item_id, created = repo.save_item(item)
    if created:
        # The voice runtime has no signals route of its own: a spoken save is a save signal.
        # A fixed id keeps a retried save from counting twice.
        repo.add_signal(
            signal_from_product(product, product_id, user_id, SignalType.save, now_ms, item.productName),
            signal_id=stable_id("save-signal", item_id),
        )
        request_learning(repo, user_id, SignalType.save, now_ms)
    return SaveResult(item_id, created, item)


def delete(repo: Repository, user_id: str, item_id: str) -> SavedItem:
    """Remove the user's saved item; returns what was removed."""
    item = repo.get_saved_item(item_id)
    if item is None:
        raise NotFound(f"no saved item {item_id}")
    if item.userId != user_id:
        raise Forbidden("this saved item belongs to another user")
    repo.delete_saved_item(item_id)
    return item


def list_items(repo: Repository, user_id: str, limit: int = DEFAULT_LIMIT) -> list[SavedItemPublic]:
    rows = repo.list_saved_items(user_id, limit)
    return [SavedItemPublic(id=item_id, **item.model_dump()) for item_id, item in rows]
