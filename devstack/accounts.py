"""A shopper on the local stack: an Auth-emulator account and a voice session from POST /sessions.

Used by the demo and the benchmarks, which talk to the product as the page does.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

AUTH_API_KEY = "demo-api-key"  # the Auth emulator takes any key


def sign_up(auth_url: str, timeout_s: float = 30.0) -> tuple[str, str]:
    """A new user in the Auth emulator: (uid, ID token)."""
    response = httpx.post(
        f"{auth_url}/identitytoolkit.googleapis.com/v1/accounts:signUp",
        params={"key": AUTH_API_KEY},
        json={
            "email": f"shopper-{uuid.uuid4().hex[:10]}@example.com",
            "password": "correct horse 42",
            "returnSecureToken": True,
        },
        timeout=timeout_s,
    )
    response.raise_for_status()
    body = response.json()
    return body["localId"], body["idToken"]


def start_session(functions_url: str, id_token: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """POST /sessions: {sessionId, wsUrl, ticket}. The first request of a fresh stack can take
    several seconds on a loaded machine, hence the long default timeout."""
    response = httpx.post(
        f"{functions_url}/sessions",
        headers={"Authorization": f"Bearer {id_token}"},
        json={},
        timeout=timeout_s,
    )
    response.raise_for_status()
    return response.json()
