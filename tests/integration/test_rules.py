"""firestore.rules evaluated by the real emulator, with real Auth-emulator ID tokens.

The Firestore REST API is what the browser SDK speaks; a request with a user's ID
token is checked against the rules exactly as in production.
"""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import PROJECT_ID
from shopper.models import (
    CartItem,
    ConversationLog,
    InteractionSignal,
    Product,
    Query,
    SavedItem,
    SignalType,
    Speaker,
    UserPreferences,
    VoiceSession,
    to_document,
)
from shopper.repository import (
    CART_ITEMS,
    CONVERSATION_LOGS,
    INTERACTION_SIGNALS,
    PRODUCTS,
    QUERIES,
    SAVED_ITEMS,
    USER_PREFERENCES,
    VOICE_SESSIONS,
)

pytestmark = pytest.mark.integration


def _doc_for(collection: str, user_id: str) -> dict:
    model = {
        VOICE_SESSIONS: VoiceSession(sessionId=f"s-{user_id}", userId=user_id, startTime=1),
        CONVERSATION_LOGS: ConversationLog(
            sessionId=f"s-{user_id}", userId=user_id, speaker=Speaker.user, text="hi", timestamp=1
        ),
        SAVED_ITEMS: SavedItem(userId=user_id, productId="p1", productName="Speaker", savedAt=1),
        QUERIES: Query(userId=user_id, searchText="speaker", createdAt=1, updatedAt=1),
        PRODUCTS: Product(
            queryId="q",
            userId=user_id,
            title="Speaker",
            productUrl="https://shop.example/p/1",
            price=20,
            source="catalog",
            searchRank=1,
            systemRank=1,
            createdAt=1,
        ),
        USER_PREFERENCES: UserPreferences(userId=user_id, brands=["Sony"]),
        INTERACTION_SIGNALS: InteractionSignal(
            userId=user_id, type=SignalType.click, itemId="p1", timestamp=1
        ),
        CART_ITEMS: CartItem(
            userId=user_id,
            productId="p1",
            productName="Speaker",
            productUrl="https://shop.example/p/1",
            price=20,
            source="catalog",
            quantity=1,
            addedAt=1,
        ),
    }[collection]
    return to_document(model)


ALL = [
    VOICE_SESSIONS,
    CONVERSATION_LOGS,
    SAVED_ITEMS,
    QUERIES,
    PRODUCTS,
    USER_PREFERENCES,
    INTERACTION_SIGNALS,
    CART_ITEMS,
]


def _doc_id(collection: str, user_id: str) -> str:
    return user_id if collection == USER_PREFERENCES else f"{collection}-{user_id}"


@pytest.fixture
def two_users(make_user, firestore_client):
    alice, bob = make_user(), make_user()
    for collection in ALL:
        for user in (alice, bob):
            firestore_client.collection(collection).document(_doc_id(collection, user.uid)).set(
                _doc_for(collection, user.uid)
            )
    return alice, bob


class Client:
    """The Firestore REST API as a browser user (or nobody) sees it."""

    def __init__(self, base: str, token: str | None) -> None:
        self.root = f"{base}/v1/projects/{PROJECT_ID}/databases/(default)/documents"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, collection: str, doc_id: str) -> httpx.Response:
        return httpx.get(f"{self.root}/{collection}/{doc_id}", headers=self.headers, timeout=10)

    def list_where_user(self, collection: str, user_id: str | None) -> httpx.Response:
        query: dict = {"from": [{"collectionId": collection}]}
        if user_id is not None:
            query["where"] = {
                "fieldFilter": {
                    "field": {"fieldPath": "userId"},
                    "op": "EQUAL",
                    "value": {"stringValue": user_id},
                }
            }
        return httpx.post(
            f"{self.root}:runQuery", json={"structuredQuery": query}, headers=self.headers, timeout=10
        )

    def create(self, collection: str, user_id: str) -> httpx.Response:
        fields = {"userId": {"stringValue": user_id}, "text": {"stringValue": "x"}}
        return httpx.post(
            f"{self.root}/{collection}", json={"fields": fields}, headers=self.headers, timeout=10
        )

    def update(self, collection: str, doc_id: str, user_id: str) -> httpx.Response:
        fields = {"userId": {"stringValue": user_id}, "text": {"stringValue": "changed"}}
        return httpx.patch(
            f"{self.root}/{collection}/{doc_id}", json={"fields": fields}, headers=self.headers, timeout=10
        )

    def delete(self, collection: str, doc_id: str) -> httpx.Response:
        return httpx.delete(f"{self.root}/{collection}/{doc_id}", headers=self.headers, timeout=10)


@pytest.mark.parametrize("collection", ALL)
def test_a_user_reads_their_own_documents(collection, two_users, emulators) -> None:
    alice, _ = two_users
    client = Client(emulators.url("firestore"), alice.id_token)
    got = client.get(collection, _doc_id(collection, alice.uid))
    assert got.status_code == 200, got.text
    assert got.json()["fields"]["userId"]["stringValue"] == alice.uid
    listed = client.list_where_user(collection, alice.uid)
    assert listed.status_code == 200, listed.text
    docs = [row["document"] for row in listed.json() if "document" in row]
    assert len(docs) == 1 and docs[0]["fields"]["userId"]["stringValue"] == alice.uid


@pytest.mark.parametrize("collection", ALL)
def test_a_user_cannot_read_or_list_another_users_documents(collection, two_users, emulators) -> None:
    alice, bob = two_users
    client = Client(emulators.url("firestore"), alice.id_token)
    assert client.get(collection, _doc_id(collection, bob.uid)).status_code == 403
    assert client.list_where_user(collection, bob.uid).status_code == 403
    assert client.list_where_user(collection, None).status_code == 403  # unfiltered list


@pytest.mark.parametrize("collection", ALL)
def test_nobody_writes_from_the_client(collection, two_users, emulators, firestore_client) -> None:
    alice, _ = two_users
    client = Client(emulators.url("firestore"), alice.id_token)
    own_id = _doc_id(collection, alice.uid)
    assert client.create(collection, alice.uid).status_code == 403
    assert client.update(collection, own_id, alice.uid).status_code == 403
    assert client.delete(collection, own_id).status_code == 403
    stored = firestore_client.collection(collection).document(own_id).get()
    assert stored.exists and stored.to_dict() == _doc_for(collection, alice.uid)
    assert len(list(firestore_client.collection(collection).stream())) == 2


@pytest.mark.parametrize("collection", ALL)
def test_unauthenticated_reads_are_denied(collection, two_users, emulators) -> None:
    alice, _ = two_users
    client = Client(emulators.url("firestore"), None)
    assert client.get(collection, _doc_id(collection, alice.uid)).status_code == 403
    assert client.list_where_user(collection, alice.uid).status_code == 403
    assert client.create(collection, alice.uid).status_code == 403


def test_server_only_collections_are_closed(two_users, emulators, firestore_client) -> None:
    alice, _ = two_users
    firestore_client.collection("rate_limits").document("k").set({"userId": alice.uid, "count": 1})
    client = Client(emulators.url("firestore"), alice.id_token)
    assert client.get("rate_limits", "k").status_code == 403
