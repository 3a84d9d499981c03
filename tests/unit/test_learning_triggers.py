"""Decoding the per-user learning message that Pub/Sub pushes (as functions-framework hands it over)."""

from __future__ import annotations

import base64
import json

import pytest

from shopper.learning.triggers import BadMessage, decode_user_message


def event_data(payload: object) -> dict[str, object]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {
        "message": {
            "data": base64.b64encode(raw).decode(),
            "messageId": "1",
            "publishTime": "2025-01-01T00:00:00Z",
        },
        "subscription": "projects/demo-voice-shopper/subscriptions/preference-learning-user-push",
    }


def test_decodes_the_user_id() -> None:
    assert decode_user_message(event_data({"userId": "alice-42"})) == "alice-42"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "not a Pub/Sub message"),
        ({"message": {}}, "no data"),
        ({"message": {"data": "***"}}, "not base64 JSON"),
        (event_data(b"not json"), "not base64 JSON"),
        (event_data(["alice"]), "not a JSON object"),
        (event_data({}), "invalid userId"),
        (event_data({"userId": "../../etc"}), "invalid userId"),
        (event_data({"userId": 42}), "invalid userId"),
    ],
)
def test_bad_messages_say_why(data: object, reason: str) -> None:
    with pytest.raises(BadMessage, match=reason):
        decode_user_message(data)
