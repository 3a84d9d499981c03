"""Client routes of the HTTP API (Firebase ID tokens from the Auth emulator, Firestore emulator).

Each route: the happy path, 401 without or with a bad token, 403 on another user's
resource, 404, and validation errors that name the field.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from shopper.models import Product, SessionStatus, SignalType
from shopper.repository import Repository
from shopper.settings import get_settings
from shopper_core.tickets import verify_ticket
from tests.integration.api_helpers import api_app_fixture, api_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration

HAS_RESEARCH = importlib.util.find_spec("shopper.research.service") is not None


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def start_session(api, user) -> str:
    response = api.post("/sessions", headers=user.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["sessionId"]


# ------------------------------------------------------------------ auth


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/sessions"),
        ("GET", "/sessions/active"),
        ("POST", "/sessions/abc/end"),
        ("POST", "/queries"),
        ("POST", "/saved-items"),
        ("GET", "/saved-items"),
        ("DELETE", "/saved-items/abc"),
        ("POST", "/signals"),
        ("GET", "/preferences"),
        ("PATCH", "/preferences"),
        ("POST", "/preferences/learn"),
        ("POST", "/cart-items"),
        ("GET", "/cart-items"),
        ("PATCH", "/cart-items/abc"),
        ("DELETE", "/cart-items/abc"),
        ("POST", "/client-events"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-Pipecat-Secret": "local-dev-pipecat-secret"},  # the server secret is not a user
    ],
)
def test_client_routes_need_a_valid_id_token(api, method, path, headers) -> None:
    response = api.open(path, method=method, headers=headers, json={"searchText": "x"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_a_token_for_another_project_is_refused(api, make_user) -> None:
    import base64

    user = make_user()
    header, payload, signature = user.id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["aud"] = "some-other-project"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = api.get("/saved-items", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"})
    assert response.status_code == 401


# ------------------------------------------------------------------ sessions


def test_start_session_returns_a_ws_url_with_a_ticket_bound_to_it(api, make_user, repo: Repository) -> None:
    user = make_user()
    response = api.post("/sessions", headers=user.headers)
    assert response.status_code == 201
    body = response.get_json()
    session_id, ticket = body["sessionId"], body["ticket"]

    url = urlsplit(body["wsUrl"])
    settings = get_settings()
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.voice_ws_url
    query = parse_qs(url.query)
    assert query == {"sessionId": [session_id], "userId": [user.uid], "ticket": [ticket]}
    verify_ticket(settings.session_ticket_key.get_secret_value(), ticket, session_id, user.uid)

    stored = repo.get_session(session_id)
    assert stored is not None and stored.userId == user.uid and stored.status == SessionStatus.active


def test_start_session_refuses_fields_in_the_body(api, make_user) -> None:
    response = api.post("/sessions", headers=make_user().headers, json={"userId": "someone-else"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "userId"


def test_active_sessions_and_ending_one(api, make_user) -> None:
    alice, bob = make_user(), make_user()
    first, second = start_session(api, alice), start_session(api, alice)
    start_session(api, bob)

    active = api.get("/sessions/active", headers=alice.headers).get_json()["sessions"]
    assert [s["sessionId"] for s in active] == [second, first]

    ended = api.post(f"/sessions/{first}/end", headers=alice.headers)
    assert ended.status_code == 200
    assert ended.get_json()["session"]["status"] == "completed"
    assert ended.get_json()["session"]["endTime"] is not None
    again = api.post(f"/sessions/{first}/end", headers=alice.headers)  # idempotent
    assert again.status_code == 200 and again.get_json()["session"] == ended.get_json()["session"]

    active = api.get("/sessions/active", headers=alice.headers).get_json()["sessions"]
    assert [s["sessionId"] for s in active] == [second]


def test_ending_another_users_session_is_forbidden_and_a_missing_one_is_404(api, make_user, repo) -> None:
    alice, bob = make_user(), make_user()
    session_id = start_session(api, alice)
    response = api.post(f"/sessions/{session_id}/end", headers=bob.headers)
    assert response.status_code == 403
    assert repo.get_session(session_id).status == SessionStatus.active
    assert api.post("/sessions/nope/end", headers=alice.headers).status_code == 404
    bad = api.post("/sessions/__x__/end", headers=alice.headers)
    assert bad.status_code == 400 and error_of(bad)["field"] == "session_id"


# ------------------------------------------------------------------ saved items


def test_save_list_and_delete_items(api, make_user) -> None:
    alice = make_user()
    session_id = start_session(api, alice)
    ids = []
    for i in range(3):
        response = api.post(
            "/saved-items",
            headers=alice.headers,
            json={
                "productId": f"p{i}",
                "productName": f"Headphones {i}",
                "price": 99.5 + i,
                "productUrl": f"https://shop.example/p{i}",
                "sessionId": session_id,
            },
        )
        assert response.status_code == 201
        ids.append(response.get_json()["id"])

    # The same product again in the same session is the same document.
    again = api.post(
        "/saved-items",
        headers=alice.headers,
        json={"productId": "p0", "productName": "Headphones 0", "sessionId": session_id},
    )
    assert again.status_code == 200 and again.get_json() == {"id": ids[0]}

    listed = api.get("/saved-items", headers=alice.headers).get_json()["items"]
    assert [item["id"] for item in listed] == ids[::-1]  # newest first
    assert listed[0]["productName"] == "Headphones 2" and listed[0]["userId"] == alice.uid
    assert [i["id"] for i in api.get("/saved-items?limit=2", headers=alice.headers).get_json()["items"]] == [
        ids[2],
        ids[1],
    ]

    assert api.delete(f"/saved-items/{ids[1]}", headers=alice.headers).status_code == 204
    assert api.delete(f"/saved-items/{ids[1]}", headers=alice.headers).status_code == 404
    listed = api.get("/saved-items", headers=alice.headers).get_json()["items"]
    assert [item["id"] for item in listed] == [ids[2], ids[0]]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", "", "99999999999"])
def test_saved_items_limit_is_validated(api, make_user, limit) -> None:
    response = api.get(f"/saved-items?limit={limit}", headers=make_user().headers)
    assert response.status_code == 400
    assert error_of(response)["field"] == "limit"


def test_other_users_cannot_delete_or_see_saved_items(api, make_user, repo) -> None:
    alice, bob = make_user(), make_user()
    item_id = api.post(
        "/saved-items", headers=alice.headers, json={"productId": "p1", "productName": "Lamp"}
    ).get_json()["id"]
    response = api.delete(f"/saved-items/{item_id}", headers=bob.headers)
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert repo.get_saved_item(item_id) is not None
    assert api.get("/saved-items", headers=bob.headers).get_json() == {"items": []}


def test_saving_into_another_users_session_is_forbidden(api, make_user, repo) -> None:
    alice, bob = make_user(), make_user()
    session_id = start_session(api, alice)
    response = api.post(
        "/saved-items",
        headers=bob.headers,
        json={"productId": "p1", "productName": "Lamp", "sessionId": session_id},
    )
    assert response.status_code == 403
    missing = api.post(
        "/saved-items",
        headers=bob.headers,
        json={"productId": "p1", "productName": "Lamp", "sessionId": "gone"},
    )
    assert missing.status_code == 404
    assert repo.list_saved_items(bob.uid) == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"productName": "Lamp"}, "productId"),
        ({"productId": "p1"}, "productName"),
        ({"productId": "p1", "productName": "Lamp", "price": -1}, "price"),
        ({"productId": "p1", "productName": "Lamp", "price": "cheap"}, "price"),
        ({"productId": "p1", "productName": "Lamp", "imageUrl": "javascript:alert(1)"}, "imageUrl"),
        ({"productId": "a/b", "productName": "Lamp"}, "productId"),
        ({"productId": "p1", "productName": "Lamp", "userId": "someone"}, "userId"),
        ({"productId": "p1", "productName": "x" * 301}, "productName"),
        ({"productId": "p1", "productName": "Lamp", "sessionId": ".."}, "sessionId"),
    ],
)
def test_saved_item_validation_names_the_field(api, make_user, body, field) -> None:
    response = api.post("/saved-items", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


# ------------------------------------------------------------------ signals


def test_signal_keywords_and_product_traits(api, make_user, repo: Repository) -> None:
    alice, bob = make_user(), make_user()
    product = Product(
        queryId="q1",
        userId=alice.uid,
        title="Sony WH-1000XM5 Wireless Headphones",
        productUrl="https://shop.example/sony",
        price=279.0,
        source="catalog",
        searchRank=1,
        systemRank=1,
        brand="Sony",
        color="black",
        category="headphones",
        createdAt=1,
    )
    repo.write_products([("prod-1", product), ("prod-bob", product.model_copy(update={"userId": bob.uid}))])

    response = api.post(
        "/signals",
        headers=alice.headers,
        json={
            "type": "click",
            "itemId": "prod-1",
            "queryText": "Find me noise-cancelling headphones under $300",
        },
    )
    assert response.status_code == 201
    [signal] = repo.list_signals(alice.uid, 0)
    assert signal.type.value == "click"
    assert signal.extractedKeywords == ["noise-cancelling", "headphones"]
    assert (signal.brand, signal.color, signal.price, signal.category) == (
        "Sony",
        "black",
        279.0,
        "headphones",
    )
    assert signal.productName == product.title

    # Another user's product id is stored as given, without its traits.
    api.post("/signals", headers=bob.headers, json={"type": "view", "itemId": "prod-1"})
    [bob_signal] = repo.list_signals(bob.uid, 0)
    assert bob_signal.itemId == "prod-1" and bob_signal.brand is None and bob_signal.productName is None


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "type"),
        ({"type": "like", "itemId": "p1"}, "type"),
        ({"type": "voice_query"}, "body"),
        ({"type": "view"}, "body"),
        ({"type": "view", "queryText": "x" * 501}, "queryText"),
        ({"type": "view", "itemId": 12}, "itemId"),
        ({"type": "view", "category": "", "itemId": "p"}, "category"),
    ],
)
def test_signal_validation_names_the_field(api, make_user, body, field) -> None:
    response = api.post("/signals", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


# ------------------------------------------------------------------ preferences


def test_preferences_default_patch_and_manual_fields(api, make_user) -> None:
    alice = make_user()
    prefs = api.get("/preferences", headers=alice.headers).get_json()["preferences"]
    assert prefs["userId"] == alice.uid and prefs["brands"] == [] and prefs["manualFields"] == []

    patched = api.patch(
        "/preferences",
        headers=alice.headers,
        json={"brands": ["Sony", "sony", "Bose"], "budget": {"max": 200}},
    )
    assert patched.status_code == 200
    prefs = patched.get_json()["preferences"]
    assert prefs["brands"] == ["Sony", "Bose"]
    assert prefs["budget"] == {"min": None, "max": 200.0}
    assert sorted(prefs["manualFields"]) == ["brands", "budget"]

    # null clears a field and gives it back to learning.
    prefs = api.patch("/preferences", headers=alice.headers, json={"budget": None}).get_json()["preferences"]
    assert prefs["budget"] is None and prefs["manualFields"] == ["brands"]
    assert api.get("/preferences", headers=alice.headers).get_json()["preferences"] == prefs


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "body"),
        ({"brands": "Sony"}, "brands"),
        ({"budget": {"min": 300, "max": 100}}, "budget"),
        ({"colors": ["x" * 61]}, "colors.0"),
        ({"manualFields": ["brands"]}, "manualFields"),
        ({"userId": "other"}, "userId"),
    ],
)
def test_preferences_validation_names_the_field(api, make_user, body, field) -> None:
    response = api.patch("/preferences", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


def test_learning_on_demand_keeps_manual_fields(api, make_user) -> None:
    alice = make_user()
    api.patch("/preferences", headers=alice.headers, json={"brands": ["Bose"]})
    for _ in range(3):
        api.post(
            "/signals",
            headers=alice.headers,
            json={"type": "voice_query", "queryText": "sony wireless headphones in black"},
        )
    response = api.post("/preferences/learn", headers=alice.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["preferences"]["brands"] == ["Bose"]  # set by hand: learning leaves it alone
    assert "brands" in body["preferences"]["manualFields"]
    assert isinstance(body["changed"], bool)


def test_learning_for_a_user_with_nothing_to_learn_from(api, make_user) -> None:
    alice = make_user()
    body = api.post("/preferences/learn", headers=alice.headers).get_json()
    assert body == {"preferences": body["preferences"], "changed": False}
    assert body["preferences"]["userId"] == alice.uid


# ------------------------------------------------------------------ queries


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "searchText"),
        ({"searchText": "   "}, "searchText"),
        ({"searchText": "lamp", "preferences": {"minPrice": 50, "maxPrice": 10}}, "preferences"),
        ({"searchText": "lamp", "preferences": {"minRating": 6}}, "preferences.minRating"),
        ({"searchText": "lamp", "sessionId": "__a__"}, "sessionId"),
        ({"searchText": ["lamp"]}, "searchText"),
    ],
)
def test_query_validation_names_the_field(api, make_user, body, field) -> None:
    response = api.post("/queries", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


def test_query_on_another_users_or_an_ended_session(api, make_user) -> None:
    alice, bob = make_user(), make_user()
    session_id = start_session(api, alice)
    response = api.post("/queries", headers=bob.headers, json={"searchText": "lamp", "sessionId": session_id})
    assert response.status_code == 403
    api.post(f"/sessions/{session_id}/end", headers=alice.headers)
    response = api.post(
        "/queries", headers=alice.headers, json={"searchText": "lamp", "sessionId": session_id}
    )
    assert response.status_code == 409


@pytest.mark.skipif(not HAS_RESEARCH, reason="shopper.research.service (issue 5) is not in the tree yet")
def test_query_is_stored_pending_for_the_token_user(api, make_user, repo: Repository) -> None:
    alice = make_user()
    session_id = start_session(api, alice)
    response = api.post(
        "/queries",
        headers=alice.headers,
        json={"searchText": "red running shoes", "preferences": {"maxPrice": 100}, "sessionId": session_id},
    )
    assert response.status_code == 202
    query = repo.get_query(response.get_json()["queryId"])
    assert query is not None and query.userId == alice.uid and query.sessionId == session_id
    assert query.preferences.maxPrice == 100


# ------------------------------------------------------------------ errors, CORS, logs


def test_unknown_route_and_wrong_method(api, make_user) -> None:
    user = make_user()
    response = api.get("/nothing-here", headers=user.headers)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = api.put("/saved-items", headers=user.headers, json={})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_body_limits_and_media_type(api, make_user) -> None:
    user = make_user()
    limit = get_settings().max_body_bytes
    big = json.dumps({"type": "view", "queryText": "x" * limit})
    response = api.post("/signals", headers=user.headers, data=big, content_type="application/json")
    assert response.status_code == 413
    response = api.post("/signals", headers=user.headers, data="type=view", content_type="text/plain")
    assert response.status_code == 415
    response = api.post(
        "/signals", headers=user.headers, data='{"type": NaN}', content_type="application/json"
    )
    assert response.status_code == 400 and error_of(response)["field"] == "body"


def test_cors_allows_configured_origins_only(api, make_user) -> None:
    user = make_user()
    allowed = get_settings().cors_origins[0]
    preflight = api.options(
        "/saved-items",
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "DELETE" in preflight.headers["Access-Control-Allow-Methods"]

    response = api.get("/saved-items", headers={**user.headers, "Origin": allowed})
    assert response.headers["Access-Control-Allow-Origin"] == allowed

    evil = "https://evil.example"
    preflight = api.options("/saved-items", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = api.get("/saved-items", headers={**user.headers, "Origin": evil})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.fields: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields.get("event") == "request":
            self.fields.append(fields)


def test_one_structured_log_line_per_request(api, make_user) -> None:
    user = make_user()
    collect = _Collect()
    logger = logging.getLogger("shopper.api")
    logger.addHandler(collect)
    try:
        api.get("/saved-items", headers=user.headers)
        api.get("/saved-items?limit=x", headers=user.headers)
    finally:
        logger.removeHandler(collect)
    assert len(collect.fields) == 2
    ok, bad = collect.fields
    assert ok["route"] == "/saved-items" and ok["method"] == "GET" and ok["status"] == 200
    assert bad["status"] == 400 and bad["error_code"] == "invalid_argument"
    assert ok["user"] and user.uid not in json.dumps(ok)  # hashed, never the uid
    assert isinstance(ok["latency_ms"], float)


# ------------------------------------------------------------------ cart


def _cart_product(repo: Repository, user_id: str, product_id: str = "prod-1", **changes) -> None:
    fields = dict(
        queryId="q1",
        userId=user_id,
        title="Sony WH-1000XM5",
        imageUrl="https://img.example/sony.jpg",
        productUrl="https://shop.example/sony",
        price=299.0,
        source="bestbuy",
        searchRank=1,
        systemRank=1,
        brand="Sony",
        category="headphones",
        createdAt=1,
    )
    fields.update(changes)
    repo.write_products([(product_id, Product(**fields))])


def test_cart_add_quantity_remove_and_list(api, make_user, repo: Repository) -> None:
    alice = make_user()
    _cart_product(repo, alice.uid)
    _cart_product(repo, alice.uid, "prod-2", title="Bose QC", source="catalog", price=199.5)

    first = api.post("/cart-items", headers=alice.headers, json={"productId": "prod-1"})
    assert first.status_code == 201 and first.get_json()["quantity"] == 1
    item_id = first.get_json()["id"]
    again = api.post("/cart-items", headers=alice.headers, json={"productId": "prod-1", "quantity": 2})
    assert again.status_code == 200 and again.get_json() == {"id": item_id, "quantity": 3}
    assert api.post("/cart-items", headers=alice.headers, json={"productId": "prod-2"}).status_code == 201

    items = api.get("/cart-items", headers=alice.headers).get_json()["items"]
    by_product = {i["productId"]: i for i in items}
    sony = by_product["prod-1"]
    # Copied from the stored product, not from the client.
    assert (sony["productName"], sony["price"], sony["source"], sony["quantity"]) == (
        "Sony WH-1000XM5",
        299.0,
        "bestbuy",
        3,
    )
    assert sony["productUrl"] == "https://shop.example/sony" and sony["userId"] == alice.uid

    patched = api.patch(f"/cart-items/{item_id}", headers=alice.headers, json={"quantity": 5})
    assert patched.status_code == 200 and patched.get_json()["item"]["quantity"] == 5
    assert repo.get_cart_item(item_id).quantity == 5

    assert api.delete(f"/cart-items/{item_id}", headers=alice.headers).status_code == 204
    assert api.delete(f"/cart-items/{item_id}", headers=alice.headers).status_code == 404
    assert [i["productId"] for i in api.get("/cart-items", headers=alice.headers).get_json()["items"]] == [
        "prod-2"
    ]


def test_cart_add_records_a_purchase_intent_signal(api, make_user, repo: Repository) -> None:
    alice = make_user()
    _cart_product(repo, alice.uid)
    api.post("/cart-items", headers=alice.headers, json={"productId": "prod-1"})
    [signal] = repo.list_signals(alice.uid, 0)
    assert signal.type == SignalType.purchase and signal.itemId == "prod-1"
    assert (signal.brand, signal.category, signal.price) == ("Sony", "headphones", 299.0)


def test_cart_of_another_user_is_out_of_reach(api, make_user, repo: Repository) -> None:
    alice, bob = make_user(), make_user()
    _cart_product(repo, alice.uid)
    item_id = api.post("/cart-items", headers=alice.headers, json={"productId": "prod-1"}).get_json()["id"]
    # Bob can neither add Alice's product, nor change, remove or see her cart item.
    assert api.post("/cart-items", headers=bob.headers, json={"productId": "prod-1"}).status_code == 403
    assert api.post("/cart-items", headers=bob.headers, json={"productId": "nope"}).status_code == 404
    response = api.patch(f"/cart-items/{item_id}", headers=bob.headers, json={"quantity": 9})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert api.delete(f"/cart-items/{item_id}", headers=bob.headers).status_code == 403
    assert api.get("/cart-items", headers=bob.headers).get_json() == {"items": []}
    assert repo.get_cart_item(item_id).quantity == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "productId"),
        ({"productId": "../x"}, "productId"),
        ({"productId": "p", "quantity": 0}, "quantity"),
        ({"productId": "p", "quantity": 100}, "quantity"),
        ({"productId": "p", "quantity": "2"}, "quantity"),
        ({"productId": "p", "price": 1}, "price"),
    ],
)
def test_cart_validation_names_the_field(api, make_user, body, field) -> None:
    response = api.post("/cart-items", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field


# ------------------------------------------------------------------ client events


def test_client_events_log_one_line_each_and_never_a_token(api, make_user, caplog) -> None:
    alice = make_user()
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ"
    events = [
        {"kind": "vital", "name": "LCP", "value": 812.5, "page": "/"},
        {"kind": "voice", "name": "connected", "sessionId": "s1", "page": "/"},
        {"kind": "error", "name": "ErrorBoundary", "message": f"boom Bearer {token} ticket=abc.def"},
    ]
    with caplog.at_level(logging.INFO, logger="shopper.client"):
        response = api.post("/client-events", headers=alice.headers, json={"events": events})
    assert response.status_code == 202 and response.get_json() == {"logged": 3}
    records = [r for r in caplog.records if r.name == "shopper.client"]
    assert [r.fields["name"] for r in records] == ["LCP", "connected", "ErrorBoundary"]
    assert records[0].fields["value"] == 812.5 and records[0].fields["user"] != alice.uid
    text = json.dumps([r.fields for r in records])
    assert token not in text and "abc.def" not in text and "[redacted]" in text


@pytest.mark.parametrize(
    "body,field",
    [
        ({"events": []}, "events"),
        ({"events": [{"kind": "vital", "name": "LCP"}] * 21}, "events"),
        ({"events": [{"kind": "nope", "name": "x"}]}, "events.0.kind"),
        ({"events": [{"kind": "vital", "name": "x", "value": -1}]}, "events.0.value"),
        ({"events": [{"kind": "error", "name": "x", "message": "m" * 501}]}, "events.0.message"),
        ({"events": [{"kind": "vital", "name": "x", "page": "https://evil"}]}, "events.0.page"),
    ],
)
def test_client_events_validation(api, make_user, body, field) -> None:
    response = api.post("/client-events", headers=make_user().headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["field"] == field
