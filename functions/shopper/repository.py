"""Firestore access for every collection, in one place.

The repository speaks pydantic models in and out and owns every query the product
makes; firestore.indexes.json holds the composite index each ordered query needs
(see QUERY_INDEXES below, which a test checks against that file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shopper.models import (
    ConversationLog,
    InteractionSignal,
    Product,
    Query,
    QueryStatus,
    SavedItem,
    SessionStatus,
    UserPreferences,
    VoiceSession,
    to_document,
)
from shopper.settings import Settings, get_settings
from shopper_core.dialogue import DialogueState

VOICE_SESSIONS = "voice_sessions"
CONVERSATION_LOGS = "conversation_logs"
SAVED_ITEMS = "saved_items"
QUERIES = "queries"
PRODUCTS = "products"
USER_PREFERENCES = "user_preferences"
INTERACTION_SIGNALS = "interaction_signals"
RATE_LIMITS = "rate_limits"
_GET_ALL_CHUNK = 300
T = TypeVar("T")

COLLECTIONS = (
    VOICE_SESSIONS,
    CONVERSATION_LOGS,
    SAVED_ITEMS,
    QUERIES,
    PRODUCTS,
    USER_PREFERENCES,
    INTERACTION_SIGNALS,
)

# (collection, [(field, "ASCENDING"|"DESCENDING"), ...]) for every query that needs a
# composite index; the browser's listeners make the same queries.
QUERY_INDEXES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (SAVED_ITEMS, (("userId", "ASCENDING"), ("savedAt", "DESCENDING"))),
    (PRODUCTS, (("queryId", "ASCENDING"), ("userId", "ASCENDING"), ("systemRank", "ASCENDING"))),
    (INTERACTION_SIGNALS, (("userId", "ASCENDING"), ("timestamp", "ASCENDING"))),
    (VOICE_SESSIONS, (("userId", "ASCENDING"), ("status", "ASCENDING"), ("startTime", "DESCENDING"))),
    (CONVERSATION_LOGS, (("sessionId", "ASCENDING"), ("userId", "ASCENDING"), ("timestamp", "ASCENDING"))),
    (QUERIES, (("userId", "ASCENDING"), ("createdAt", "DESCENDING"))),
    (QUERIES, (("status", "ASCENDING"), ("updatedAt", "ASCENDING"))),
)


def stable_id(*parts: str) -> str:
    """A deterministic document id, so a retried write lands on the same document."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def make_client(settings: Settings | None = None) -> firestore.Client:
    settings = settings or get_settings()
    return firestore.Client(project=settings.project_id, database=settings.firestore_database)


def _where(field: str, op: str, value: Any) -> FieldFilter:
    return FieldFilter(field, op, value)


class Repository:
    """Typed reads and writes of the seven collections."""

    def __init__(self, client: firestore.Client) -> None:
        self.client = client

    def _col(self, name: str) -> firestore.CollectionReference:
        return self.client.collection(name)

    # ------------------------------------------------------------ voice_sessions

    def create_session(self, session: VoiceSession) -> None:
        self._col(VOICE_SESSIONS).document(session.sessionId).create(to_document(session))

    def get_session(self, session_id: str) -> VoiceSession | None:
        snap = self._col(VOICE_SESSIONS).document(session_id).get()
        return VoiceSession.model_validate(snap.to_dict()) if snap.exists else None

    def end_session(self, session_id: str, status: SessionStatus, end_time: int) -> VoiceSession | None:
        """Close an active session; a session already ended keeps its first end."""
        ref = self._col(VOICE_SESSIONS).document(session_id)
        transaction = self.client.transaction()

        @firestore.transactional
        def close(txn: firestore.Transaction) -> VoiceSession | None:
            snap = ref.get(transaction=txn)
            if not snap.exists:
                return None
            session = VoiceSession.model_validate(snap.to_dict())
            if session.status != SessionStatus.active:
                return session
            txn.update(ref, {"status": status.value, "endTime": end_time})
            return session.model_copy(update={"status": status, "endTime": end_time})

        return close(transaction)

    def set_dialogue(self, session_id: str, dialogue: DialogueState) -> None:
        """Replace the session's dialogue state (the whole record: it is small and self-contained)."""
        self._col(VOICE_SESSIONS).document(session_id).update({"dialogue": to_document(dialogue)})

    def list_active_sessions(self, user_id: str, limit: int = 20) -> list[VoiceSession]:
        docs = (
            self._col(VOICE_SESSIONS)
            .where(filter=_where("userId", "==", user_id))
            .where(filter=_where("status", "==", SessionStatus.active.value))
            .order_by("startTime", direction=firestore.Query.DESCENDING)
            .limit(limit)
            .stream()
        )
        return [VoiceSession.model_validate(d.to_dict()) for d in docs]

    # ------------------------------------------------------------ conversation_logs

    def add_log(self, log: ConversationLog, log_id: str | None = None) -> str:
        ref = (
            self._col(CONVERSATION_LOGS).document(log_id)
            if log_id
            else self._col(CONVERSATION_LOGS).document()
        )
        ref.set(to_document(log))
        return ref.id

    def list_logs(self, session_id: str, user_id: str, limit: int = 500) -> list[ConversationLog]:
        docs = (
            self._col(CONVERSATION_LOGS)
            .where(filter=_where("sessionId", "==", session_id))
            .where(filter=_where("userId", "==", user_id))
            .order_by("timestamp")
            .limit(limit)
            .stream()
        )
        return [ConversationLog.model_validate(d.to_dict()) for d in docs]

    # ------------------------------------------------------------ saved_items

    @staticmethod
    def saved_item_id(user_id: str, session_id: str | None, product_id: str) -> str:
        return stable_id(user_id, session_id or "", product_id)

    def save_item(self, item: SavedItem) -> tuple[str, bool]:
        """Store a saved item; returns (id, created). Saving twice in a session is one document."""
        item_id = self.saved_item_id(item.userId, item.sessionId, item.productId)
        ref = self._col(SAVED_ITEMS).document(item_id)
        transaction = self.client.transaction()

        @firestore.transactional
        def upsert(txn: firestore.Transaction) -> bool:
            if ref.get(transaction=txn).exists:
                return False
            txn.set(ref, to_document(item))
            return True

        return item_id, upsert(transaction)

    def get_saved_item(self, item_id: str) -> SavedItem | None:
        snap = self._col(SAVED_ITEMS).document(item_id).get()
        return SavedItem.model_validate(snap.to_dict()) if snap.exists else None

    def delete_saved_item(self, item_id: str) -> None:
        self._col(SAVED_ITEMS).document(item_id).delete()

    def list_saved_items(self, user_id: str, limit: int = 50) -> list[tuple[str, SavedItem]]:
        docs = (
            self._col(SAVED_ITEMS)
            .where(filter=_where("userId", "==", user_id))
            .order_by("savedAt", direction=firestore.Query.DESCENDING)
            .limit(limit)
            .stream()
        )
        return [(d.id, SavedItem.model_validate(d.to_dict())) for d in docs]

    # ------------------------------------------------------------ queries

    def create_query(self, query: Query, query_id: str | None = None) -> str:
        ref = self._col(QUERIES).document(query_id) if query_id else self._col(QUERIES).document()
        ref.create(to_document(query))
        return ref.id

    def get_query(self, query_id: str) -> Query | None:
        snap = self._col(QUERIES).document(query_id).get()
        return Query.model_validate(snap.to_dict()) if snap.exists else None

    def update_query(self, query_id: str, **fields: Any) -> None:
        doc = {k: (v.value if isinstance(v, QueryStatus) else v) for k, v in fields.items()}
        self._col(QUERIES).document(query_id).update(doc)

    def claim_query(self, query_id: str, now: int, stale_after_ms: int) -> Query | None:
        """Move a pending or stale query to `searching`; None if another run owns it or it is done."""
        ref = self._col(QUERIES).document(query_id)
        transaction = self.client.transaction()

        @firestore.transactional
        def claim(txn: firestore.Transaction) -> Query | None:
            snap = ref.get(transaction=txn)
            if not snap.exists:
                return None
            query = Query.model_validate(snap.to_dict())
            stale = query.status == QueryStatus.searching and now - query.updatedAt > stale_after_ms
            if query.status != QueryStatus.pending and not stale:
                return None
            txn.update(ref, {"status": QueryStatus.searching.value, "updatedAt": now})
            return query.model_copy(update={"status": QueryStatus.searching, "updatedAt": now})

        return claim(transaction)

    def list_queries(self, user_id: str, limit: int = 20) -> list[tuple[str, Query]]:
        docs = (
            self._col(QUERIES)
            .where(filter=_where("userId", "==", user_id))
            .order_by("createdAt", direction=firestore.Query.DESCENDING)
            .limit(limit)
            .stream()
        )
        return [(d.id, Query.model_validate(d.to_dict())) for d in docs]

    def list_stale_queries(
        self, status: QueryStatus, updated_before: int, limit: int = 200
    ) -> list[tuple[str, Query]]:
        """Queries in `status` not updated since `updated_before` (epoch ms), oldest first."""
        docs = (
            self._col(QUERIES)
            .where(filter=_where("status", "==", status.value))
            .where(filter=_where("updatedAt", "<", updated_before))
            .order_by("updatedAt")
            .limit(limit)
            .stream()
        )
        return [(d.id, Query.model_validate(d.to_dict())) for d in docs]

    def transition_query(
        self, query_id: str, expected_status: QueryStatus, expected_updated_at: int, **fields: Any
    ) -> bool:
        """Update the query only if it is still in `expected_status` with `expected_updated_at`
        (nobody touched it since it was read); True when the update happened."""
        ref = self._col(QUERIES).document(query_id)
        doc = {k: (v.value if isinstance(v, QueryStatus) else v) for k, v in fields.items()}
        transaction = self.client.transaction()

        @firestore.transactional
        def compare_and_set(txn: firestore.Transaction) -> bool:
            snap = ref.get(transaction=txn)
            if not snap.exists:
                return False
            current = snap.to_dict()
            if (
                current.get("status") != expected_status.value
                or current.get("updatedAt") != expected_updated_at
            ):
                return False
            txn.update(ref, doc)
            return True

        return compare_and_set(transaction)

    # ------------------------------------------------------------ products

    def write_products(self, products: Sequence[tuple[str, Product]]) -> None:
        """Write a query's products in one batch; fixed ids make a rewrite idempotent."""
        for start in range(0, len(products), 450):
            batch = self.client.batch()
            for product_id, product in products[start : start + 450]:
                batch.set(self._col(PRODUCTS).document(product_id), to_document(product))
            batch.commit()

    def replace_products(self, query_id: str, user_id: str, products: Sequence[tuple[str, Product]]) -> int:
        """Make `products` the query's whole result set: write them and delete the query's
        other product documents (an earlier run's) in the same batch (one batch for up to
        450 writes + deletes). Returns how many earlier documents were deleted."""
        keep = {product_id for product_id, _ in products}
        earlier = (
            self._col(PRODUCTS)
            .where(filter=_where("queryId", "==", query_id))
            .where(filter=_where("userId", "==", user_id))
            .select([])
            .stream()
        )
        stale = [d.reference for d in earlier if d.id not in keep]
        operations: list[tuple[Any, dict[str, Any] | None]] = [
            (self._col(PRODUCTS).document(product_id), to_document(product))
            for product_id, product in products
        ]
        operations += [(ref, None) for ref in stale]
        for start in range(0, len(operations), 450):
            batch = self.client.batch()
            for ref, doc in operations[start : start + 450]:
                if doc is None:
                    batch.delete(ref)
                else:
                    batch.set(ref, doc)
            batch.commit()
        return len(stale)

    def get_product(self, product_id: str) -> Product | None:
        snap = self._col(PRODUCTS).document(product_id).get()
        return Product.model_validate(snap.to_dict()) if snap.exists else None

    def list_products(self, query_id: str, user_id: str, limit: int = 50) -> list[tuple[str, Product]]:
        docs = (
            self._col(PRODUCTS)
            .where(filter=_where("queryId", "==", query_id))
            .where(filter=_where("userId", "==", user_id))
            .order_by("systemRank")
            .limit(limit)
            .stream()
        )
        return [(d.id, Product.model_validate(d.to_dict())) for d in docs]

    # ------------------------------------------------------------ user_preferences

    def get_preferences(self, user_id: str) -> UserPreferences | None:
        snap = self._col(USER_PREFERENCES).document(user_id).get()
        return UserPreferences.model_validate(snap.to_dict()) if snap.exists else None

    def put_preferences(self, prefs: UserPreferences) -> None:
        self._col(USER_PREFERENCES).document(prefs.userId).set(to_document(prefs))

    def update_preferences(
        self, user_id: str, change: Callable[[UserPreferences | None], tuple[UserPreferences | None, T]]
    ) -> T:
        """Read-change-write of one user's preferences in a transaction.

        `change` gets the stored document (None if there is none) and returns the document
        to write (None: write nothing) and a result handed back to the caller. A PATCH and a
        learning pass landing together are serialised, so neither undoes the other.
        """
        ref = self._col(USER_PREFERENCES).document(user_id)

        @firestore.transactional
        def run(txn: firestore.Transaction) -> T:
            snap = ref.get(transaction=txn)
            current = UserPreferences.model_validate(snap.to_dict()) if snap.exists else None
            to_write, result = change(current)
            if to_write is not None:
                txn.set(ref, to_document(to_write))
            return result

        return run(self.client.transaction())

    def learned_through_by_user(self, user_ids: Iterable[str]) -> dict[str, int]:
        """userId -> learnedThrough of their stored preferences (batched reads; absent users omitted)."""
        ids = list(user_ids)
        through: dict[str, int] = {}
        for start in range(0, len(ids), _GET_ALL_CHUNK):
            refs = [self._col(USER_PREFERENCES).document(u) for u in ids[start : start + _GET_ALL_CHUNK]]
            for snap in self.client.get_all(refs, field_paths=["learnedThrough"]):
                if snap.exists:
                    value = (snap.to_dict() or {}).get("learnedThrough")
                    through[snap.id] = value if isinstance(value, int) else 0
        return through

    # ------------------------------------------------------------ interaction_signals

    def add_signal(self, signal: InteractionSignal, signal_id: str | None = None) -> str:
        ref = (
            self._col(INTERACTION_SIGNALS).document(signal_id)
            if signal_id
            else self._col(INTERACTION_SIGNALS).document()
        )
        ref.set(to_document(signal))
        return ref.id

    def list_signals(self, user_id: str, since_ms: int, limit: int = 1000) -> list[InteractionSignal]:
        docs = (
            self._col(INTERACTION_SIGNALS)
            .where(filter=_where("userId", "==", user_id))
            .where(filter=_where("timestamp", ">=", since_ms))
            .order_by("timestamp")
            .limit(limit)
            .stream()
        )
        return [InteractionSignal.model_validate(d.to_dict()) for d in docs]

    def newest_signal_by_user(self, since_ms: int) -> dict[str, int]:
        """userId -> newest signal timestamp, over signals at or after `since_ms` (one query)."""
        newest: dict[str, int] = {}
        docs = (
            self._col(INTERACTION_SIGNALS)
            .where(filter=_where("timestamp", ">=", since_ms))
            .select(["userId", "timestamp"])
            .stream()
        )
        for doc in docs:
            user, ts = doc.get("userId"), doc.get("timestamp")
            if isinstance(user, str) and isinstance(ts, int) and ts > newest.get(user, -1):
                newest[user] = ts
        return newest
