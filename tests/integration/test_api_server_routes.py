"""Server routes of the HTTP API (/pipecat/*, X-Pipecat-Secret), as the voice runtime calls them."""

from __future__ import annotations

import pytest

from shopper.models import Product, SessionStatus, SignalType
from shopper.repository import Repository
from tests.integration.api_helpers import SERVER_HEADERS, api_app_fixture, api_fixture  # noqa: F401

pytestmark = pytest.mark.integration

SERVER_ROUTES = [
    ("POST", "/pipecat/log-conversation"),
    ("POST", "/pipecat/trigger-research"),
    ("POST", "/pipecat/save-item"),
    ("POST", "/pipecat/cart-items"),
    ("GET", "/pipecat/preferences"),
    ("POST", "/pipecat/end-session"),
    ("GET", "/pipecat/conversation"),
    ("POST", "/pipecat/dialogue-state"),
    ("GET", "/pipecat/saved-items"),
    ("POST", "/pipecat/remove-saved-item"),
    ("GET", "/pipecat/cart-items"),
    ("POST", "/pipecat/remove-cart-item"),
]


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def new_session(api, user) -> str:
    response = api.post("/sessions", headers=user.headers)
    assert response.status_code == 201
    return response.get_json()["sessionId"]


def product(user_id: str, **changes) -> Product:
    fields = dict(
        queryId="q1",
        userId=user_id,
        title="Bose QuietComfort Ultra",
        imageUrl="https://img.example/bose.jpg",
        productUrl="https://shop.example/bose",
        price=349.0,
        description="Noise-cancelling over-ear headphones.",
        source="catalog",
        searchRank=1,
        systemRank=1,
        brand="Bose",
        color="white",
        category="headphones",
        createdAt=1,
    )
    fields.update(changes)
    return Product(**fields)


@pytest.mark.parametrize("method,path", SERVER_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Pipecat-Secret": "wrong"},
        {"X-Pipecat-Secret": ""},
        {"Authorization": "Bearer local-dev-pipecat-secret"},
    ],
)
def test_server_routes_need_the_secret(api, method, path, headers) -> None:
    response = api.open(path, method=method, headers=headers, json={})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_health_needs_nothing(api) -> None:
    response = api.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_log_conversation_and_read_it_back(api, make_user, repo: Repository) -> None:
    alice = make_user()
    session_id = new_session(api, alice)
    for speaker, text in [("user", "find me headphones"), ("agent", "Here are three."), ("system", "saved")]:
        response = api.post(
            "/pipecat/log-conversation",
            headers=SERVER_HEADERS,
            json={"sessionId": session_id, "userId": alice.uid, "speaker": speaker, "text": text},
        )
        assert response.status_code == 201 and response.get_json()["id"]

    response = api.get(
        "/pipecat/conversation",
        headers=SERVER_HEADERS,
        query_string={"sessionId": session_id, "userId": alice.uid},
    )
    assert response.status_code == 200
    turns = response.get_json()["turns"]
    assert [(t["speaker"], t["text"]) for t in turns] == [
        ("user", "find me headphones"),
        ("agent", "Here are three."),
        ("system", "saved"),
    ]
    assert all(isinstance(t["timestamp"], int) for t in turns)
    assert [log.userId for log in repo.list_logs(session_id, alice.uid)] == [alice.uid] * 3


def test_session_must_belong_to_the_user_named(api, make_user, repo) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    log = {"sessionId": session_id, "userId": bob.uid, "speaker": "user", "text": "hi"}
    assert api.post("/pipecat/log-conversation", headers=SERVER_HEADERS, json=log).status_code == 403
    missing = {**log, "sessionId": "no-such-session", "userId": alice.uid}
    assert api.post("/pipecat/log-conversation", headers=SERVER_HEADERS, json=missing).status_code == 404
    read = api.get(
        "/pipecat/conversation",
        headers=SERVER_HEADERS,
        query_string={"sessionId": session_id, "userId": bob.uid},
    )
    assert read.status_code == 403
    end = {"sessionId": session_id, "userId": bob.uid, "status": "completed"}
    assert api.post("/pipecat/end-session", headers=SERVER_HEADERS, json=end).status_code == 403
    research = {"sessionId": session_id, "userId": bob.uid, "searchText": "lamp"}
    assert api.post("/pipecat/trigger-research", headers=SERVER_HEADERS, json=research).status_code == 403
    assert repo.list_logs(session_id, bob.uid) == []
    assert repo.get_session(session_id).status == SessionStatus.active


@pytest.mark.parametrize(
    "path,body,field",
    [
        (
            "/pipecat/log-conversation",
            {"sessionId": "s", "userId": "u", "speaker": "bot", "text": "x"},
            "speaker",
        ),
        (
            "/pipecat/log-conversation",
            {"sessionId": "s", "userId": "u", "speaker": "user", "text": " "},
            "text",
        ),
        ("/pipecat/log-conversation", {"sessionId": "s", "speaker": "user", "text": "x"}, "userId"),
        ("/pipecat/trigger-research", {"sessionId": "s", "userId": "u"}, "searchText"),
        (
            "/pipecat/trigger-research",
            {"sessionId": "s", "userId": "u", "searchText": "x", "waitMs": -5},
            "waitMs",
        ),
        (
            "/pipecat/trigger-research",
            {"sessionId": "s", "userId": "u", "searchText": "x", "wait": "yes"},
            "wait",
        ),
        ("/pipecat/save-item", {"sessionId": "s", "userId": "u"}, "productId"),
        ("/pipecat/save-item", {"sessionId": "s", "userId": "..", "productId": "p"}, "userId"),
        ("/pipecat/end-session", {"sessionId": "s", "userId": "u", "status": "active"}, "status"),
    ],
)
def test_server_validation_names_the_field(api, path, body, field) -> None:
    response = api.post(path, headers=SERVER_HEADERS, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


@pytest.mark.parametrize(
    "query,field",
    [({}, "userId"), ({"userId": "a/b"}, "userId"), ({"userId": "__x__"}, "userId")],
)
def test_server_preferences_query_is_validated(api, query, field) -> None:
    response = api.get("/pipecat/preferences", headers=SERVER_HEADERS, query_string=query)
    assert response.status_code == 400 and error_of(response)["field"] == field


def test_conversation_query_is_validated(api) -> None:
    response = api.get("/pipecat/conversation", headers=SERVER_HEADERS, query_string={"userId": "u"})
    assert response.status_code == 400 and error_of(response)["field"] == "sessionId"


def test_save_item_copies_the_product_and_records_a_save_signal(api, make_user, repo: Repository) -> None:
    alice = make_user()
    session_id = new_session(api, alice)
    repo.write_products([("prod-1", product(alice.uid))])
    body = {"sessionId": session_id, "userId": alice.uid, "productId": "prod-1"}

    response = api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 201
    saved = response.get_json()
    assert saved["productName"] == "Bose QuietComfort Ultra"
    item = repo.get_saved_item(saved["id"])
    assert item is not None
    assert (item.userId, item.sessionId, item.productId, item.price) == (
        alice.uid,
        session_id,
        "prod-1",
        349.0,
    )
    assert item.imageUrl == "https://img.example/bose.jpg" and item.productUrl == "https://shop.example/bose"
    assert item.description == "Noise-cancelling over-ear headphones."

    again = api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body)
    assert again.status_code == 200 and again.get_json() == saved  # one document, one signal
    [signal] = repo.list_signals(alice.uid, 0)
    assert signal.type == SignalType.save and signal.itemId == "prod-1"
    assert (signal.brand, signal.color, signal.category) == ("Bose", "white", "headphones")

    listed = api.get("/saved-items", headers=alice.headers).get_json()["items"]
    assert [i["id"] for i in listed] == [saved["id"]]


def test_save_item_of_a_missing_or_foreign_product(api, make_user, repo: Repository) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    repo.write_products([("bobs", product(bob.uid))])
    body = {"sessionId": session_id, "userId": alice.uid, "productId": "bobs"}
    assert api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body).status_code == 403
    body["productId"] = "nope"
    assert api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body).status_code == 404
    assert repo.list_saved_items(alice.uid) == []


def test_save_item_drops_fields_it_cannot_store(api, make_user, repo: Repository) -> None:
    alice = make_user()
    session_id = new_session(api, alice)
    repo.write_products([("odd", product(alice.uid, imageUrl="not a url", description="d" * 5000))])
    body = {"sessionId": session_id, "userId": alice.uid, "productId": "odd"}
    response = api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 201
    item = repo.get_saved_item(response.get_json()["id"])
    assert item.imageUrl is None and len(item.description) == 4000


def test_server_preferences_and_end_session(api, make_user, repo: Repository) -> None:
    alice = make_user()
    api.patch("/preferences", headers=alice.headers, json={"colors": ["blue"]})
    response = api.get("/pipecat/preferences", headers=SERVER_HEADERS, query_string={"userId": alice.uid})
    assert response.status_code == 200
    assert response.get_json()["preferences"]["colors"] == ["blue"]
    # A user without preferences gets the empty defaults.
    empty = api.get("/pipecat/preferences", headers=SERVER_HEADERS, query_string={"userId": "nobody"})
    assert empty.get_json()["preferences"]["brands"] == []

    session_id = new_session(api, alice)
    end = {"sessionId": session_id, "userId": alice.uid, "status": "error"}
    response = api.post("/pipecat/end-session", headers=SERVER_HEADERS, json=end)
    assert response.status_code == 200 and response.get_json()["session"]["status"] == "error"
    assert repo.get_session(session_id).status == SessionStatus.error
    missing = {**end, "sessionId": "gone"}
    assert api.post("/pipecat/end-session", headers=SERVER_HEADERS, json=missing).status_code == 404


def test_trigger_research_without_waiting(api, make_user, repo: Repository) -> None:
    alice = make_user()
    session_id = new_session(api, alice)
    body = {
        "sessionId": session_id,
        "userId": alice.uid,
        "searchText": "wireless headphones under 200 dollars",
    }
    response = api.post("/pipecat/trigger-research", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 202
    reply = response.get_json()
    assert reply["status"] == "pending"
    query = repo.get_query(reply["queryId"])
    assert query.userId == alice.uid and query.sessionId == session_id


def test_trigger_research_on_an_ended_session_conflicts(api, make_user) -> None:
    alice = make_user()
    session_id = new_session(api, alice)
    api.post(f"/sessions/{session_id}/end", headers=alice.headers)
    body = {"sessionId": session_id, "userId": alice.uid, "searchText": "lamp"}
    response = api.post("/pipecat/trigger-research", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"


def test_trigger_research_waits_for_ranked_products(stack, api, make_user) -> None:
    """With the research worker running (stack), the agent gets products it can speak about."""
    alice = make_user()
    session_id = new_session(api, alice)
    body = {
        "sessionId": session_id,
        "userId": alice.uid,
        "searchText": "wireless headphones",
        "wait": True,
        "waitMs": 8000,
    }
    response = api.post("/pipecat/trigger-research", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 200, response.get_json()
    reply = response.get_json()
    assert reply["status"] == "completed", reply
    assert 0 < len(reply["products"]) <= 20  # what the page shows
    first = reply["products"][0]
    assert {"id", "title", "price", "currency", "source", "rankReasons"} <= set(first)
    assert [p["systemRank"] for p in reply["products"]] == sorted(p["systemRank"] for p in reply["products"])

    # Those ids are what the agent saves by.
    saved = api.post(
        "/pipecat/save-item",
        headers=SERVER_HEADERS,
        json={"sessionId": session_id, "userId": alice.uid, "productId": first["id"]},
    )
    assert saved.status_code == 201 and saved.get_json()["productName"] == first["title"][:300]


def test_waiting_ends_at_the_deadline_or_when_the_query_is_done(repo: Repository) -> None:
    import time

    from shopper.models import Query, QueryStatus
    from shopper.services.queries import wait_for_results

    pending = repo.create_query(Query(userId="alice", searchText="lamp", createdAt=1, updatedAt=1))
    started = time.monotonic()
    outcome = wait_for_results(repo, pending, "alice", 0.3)
    assert outcome.status == QueryStatus.pending and outcome.products == []
    assert 0.3 <= time.monotonic() - started < 3

    done = repo.create_query(
        Query(userId="alice", searchText="lamp", status=QueryStatus.completed, createdAt=1, updatedAt=1)
    )
    repo.write_products(
        [
            (f"p{rank}", product("alice", queryId=done, systemRank=rank, title=f"Lamp {rank}"))
            for rank in (2, 1, 3)
        ]
        + [("other", product("bob", queryId=done, systemRank=1))]
    )
    started = time.monotonic()
    outcome = wait_for_results(repo, done, "alice", 5)
    assert time.monotonic() - started < 2
    assert [p["title"] for p in outcome.products] == ["Lamp 1", "Lamp 2", "Lamp 3"]

    failed = repo.create_query(
        Query(
            userId="alice",
            searchText="x",
            status=QueryStatus.failed,
            error="no results",
            createdAt=1,
            updatedAt=1,
        )
    )
    outcome = wait_for_results(repo, failed, "alice", 5)
    assert outcome.status == QueryStatus.failed and outcome.error == "no results"


def test_dialogue_state_is_stored_on_the_session_and_read_back_with_the_conversation(
    api, make_user, repo: Repository
) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    dialogue = {
        "search": {"query": "bluetooth speaker", "queryId": "q1", "maxPrice": 50.0},
        "results": [{"id": "prod-1", "rank": 1, "title": "JBL Go 3", "price": 39.95, "brand": "JBL"}],
        "focus": "prod-1",
        "saved": [],
    }
    body = {"sessionId": session_id, "userId": alice.uid, "dialogue": dialogue}
    assert api.post("/pipecat/dialogue-state", headers=SERVER_HEADERS, json=body).status_code == 200
    stored = repo.get_session(session_id).dialogue
    assert (
        stored.focus == "prod-1" and stored.search.maxPrice == 50.0 and stored.results[0].title == "JBL Go 3"
    )

    query = {"sessionId": session_id, "userId": alice.uid}
    read = api.get("/pipecat/conversation", headers=SERVER_HEADERS, query_string=query).get_json()
    assert read["dialogue"]["results"][0]["id"] == "prod-1" and read["turns"] == []

    foreign = {**body, "userId": bob.uid}
    assert api.post("/pipecat/dialogue-state", headers=SERVER_HEADERS, json=foreign).status_code == 403
    bad = {**body, "dialogue": {"results": [{"id": "x", "rank": 0, "title": "t"}]}}
    assert api.post("/pipecat/dialogue-state", headers=SERVER_HEADERS, json=bad).status_code == 400

    api.post(f"/sessions/{session_id}/end", headers=alice.headers)
    assert api.post("/pipecat/dialogue-state", headers=SERVER_HEADERS, json=body).status_code == 409


def test_saved_list_and_remove_for_the_voice_agent(api, make_user, repo: Repository) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    repo.write_products(
        [("prod-1", product(alice.uid)), ("prod-2", product(alice.uid, title="Sony WH-1000XM5"))]
    )
    for product_id in ("prod-1", "prod-2"):
        body = {"sessionId": session_id, "userId": alice.uid, "productId": product_id}
        assert api.post("/pipecat/save-item", headers=SERVER_HEADERS, json=body).status_code == 201
    listed = api.get("/pipecat/saved-items", headers=SERVER_HEADERS, query_string={"userId": alice.uid})
    items = listed.get_json()["items"]
    assert {i["productName"] for i in items} == {"Bose QuietComfort Ultra", "Sony WH-1000XM5"}

    removal = {"sessionId": session_id, "userId": bob.uid, "savedItemId": items[0]["id"]}
    assert api.post("/pipecat/remove-saved-item", headers=SERVER_HEADERS, json=removal).status_code == 403
    removal["userId"] = alice.uid
    removed = api.post("/pipecat/remove-saved-item", headers=SERVER_HEADERS, json=removal)
    assert removed.status_code == 200 and removed.get_json()["productName"] == items[0]["productName"]
    assert [i.productId for _, i in repo.list_saved_items(alice.uid)] == [items[1]["productId"]]
    assert api.post("/pipecat/remove-saved-item", headers=SERVER_HEADERS, json=removal).status_code == 404


def test_add_to_cart_by_voice_copies_the_product_and_records_purchase_intent(
    api, make_user, repo: Repository
) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    repo.write_products([("prod-1", product(alice.uid)), ("bobs", product(bob.uid))])
    body = {"sessionId": session_id, "userId": alice.uid, "productId": "prod-1"}

    response = api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json=body)
    assert response.status_code == 201
    added = response.get_json()
    assert added["productName"] == "Bose QuietComfort Ultra" and added["quantity"] == 1
    again = api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json={**body, "quantity": 2})
    assert again.status_code == 200 and again.get_json()["quantity"] == 3

    item = repo.get_cart_item(added["id"])
    assert (item.userId, item.sessionId, item.price, item.source) == (alice.uid, session_id, 349.0, "catalog")
    signals = repo.list_signals(alice.uid, 0)
    assert {s.type for s in signals} == {SignalType.purchase} and len(signals) == 2
    listed = api.get("/cart-items", headers=alice.headers).get_json()["items"]
    assert [i["id"] for i in listed] == [added["id"]]

    body["productId"] = "bobs"
    assert api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json=body).status_code == 403
    body["productId"] = "nope"
    assert api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json=body).status_code == 404
    body["userId"] = bob.uid  # Alice's session is not Bob's
    body["productId"] = "bobs"
    assert api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json=body).status_code == 403


def test_the_cart_read_out_and_an_item_taken_out_by_voice(api, make_user, repo: Repository) -> None:
    alice, bob = make_user(), make_user()
    session_id = new_session(api, alice)
    repo.write_products(
        [("prod-1", product(alice.uid)), ("prod-2", product(alice.uid, title="Sony WH-1000XM5"))]
    )
    for product_id in ("prod-1", "prod-2"):
        body = {"sessionId": session_id, "userId": alice.uid, "productId": product_id}
        assert api.post("/pipecat/cart-items", headers=SERVER_HEADERS, json=body).status_code == 201
    listed = api.get("/pipecat/cart-items", headers=SERVER_HEADERS, query_string={"userId": alice.uid})
    items = listed.get_json()["items"]
    assert {i["productName"] for i in items} == {"Bose QuietComfort Ultra", "Sony WH-1000XM5"}
    assert all(i["quantity"] == 1 for i in items)
    bobs = api.get("/pipecat/cart-items", headers=SERVER_HEADERS, query_string={"userId": bob.uid})
    assert bobs.get_json()["items"] == []

    removal = {"sessionId": session_id, "userId": bob.uid, "cartItemId": items[0]["id"]}
    assert api.post("/pipecat/remove-cart-item", headers=SERVER_HEADERS, json=removal).status_code == 403
    removal["userId"] = alice.uid
    removed = api.post("/pipecat/remove-cart-item", headers=SERVER_HEADERS, json=removal)
    assert removed.status_code == 200 and removed.get_json()["productName"] == items[0]["productName"]
    assert [i.productId for _, i in repo.list_cart_items(alice.uid)] == [items[1]["productId"]]
    assert api.post("/pipecat/remove-cart-item", headers=SERVER_HEADERS, json=removal).status_code == 404
    assert api.get("/pipecat/cart-items", headers=SERVER_HEADERS).status_code == 400
