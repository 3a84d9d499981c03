"""The api function as deployed locally: the stack's functions-framework server, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import LocalStack
from tests.integration.api_helpers import SERVER_HEADERS

pytestmark = pytest.mark.integration


def test_a_client_and_the_voice_runtime_through_the_real_server(stack: LocalStack, make_user) -> None:
    base = stack.url("functions")
    alice = make_user()
    with httpx.Client(base_url=base, timeout=15) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/saved-items").status_code == 401

        started = http.post("/sessions", headers=alice.headers)
        assert started.status_code == 201
        session = started.json()
        assert session["wsUrl"].startswith(stack.url("voice_ws") + "?sessionId=")

        turn = {"sessionId": session["sessionId"], "userId": alice.uid, "speaker": "user", "text": "hello"}
        assert http.post("/pipecat/log-conversation", headers=SERVER_HEADERS, json=turn).status_code == 201
        turns = http.get(
            "/pipecat/conversation",
            headers=SERVER_HEADERS,
            params={"sessionId": session["sessionId"], "userId": alice.uid},
        ).json()["turns"]
        assert [t["text"] for t in turns] == ["hello"]

        saved = http.post(
            "/saved-items", headers=alice.headers, json={"productId": "p1", "productName": "Lamp"}
        )
        assert saved.status_code == 201
        listed = http.get("/saved-items", headers=alice.headers, params={"limit": 10}).json()["items"]
        assert [item["id"] for item in listed] == [saved.json()["id"]]

        origin = stack.env["CORS_ORIGINS"].split(",")[0]
        preflight = http.options(
            "/saved-items",
            headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == origin

        huge = http.post(
            "/signals",
            headers={**alice.headers, "Content-Type": "application/json"},
            content=b'{"type": "view", "queryText": "' + b"x" * 200_000 + b'"}',
        )
        assert huge.status_code == 413
