"""The rate limit is shared by every instance: two real api processes, one Firestore emulator."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shopper.settings import get_settings
from tests.integration.api_helpers import LOG_DIR, ApiServer, api_app_fixture, api_fixture  # noqa: F401

pytestmark = pytest.mark.integration

LIMIT = 100


def _wait_for_a_fresh_window(needed_s: float = 20) -> None:
    """Start well inside a minute window, so the test cannot straddle two windows."""
    left = 60 - time.time() % 60
    if left < needed_s:
        time.sleep(left + 0.2)


@pytest.fixture
def two_instances(clean):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    servers = [
        ApiServer(LOG_DIR / f"api-instance-{i}.log", RATE_LIMIT_PER_MINUTE=str(LIMIT)) for i in range(2)
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda s: s.wait_ready(), servers))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_the_101st_request_in_a_minute_is_refused_on_every_instance(two_instances, make_user) -> None:
    first, second = two_instances
    alice, bob = make_user(), make_user()
    _wait_for_a_fresh_window()
    with httpx.Client(timeout=10) as http:
        statuses = [
            http.get(f"{server.url}/preferences", headers=alice.headers).status_code
            for _ in range(LIMIT // 2)
            for server in (first, second)
        ]
        assert statuses == [200] * LIMIT

        for server in (first, second):
            refused = http.get(f"{server.url}/preferences", headers=alice.headers)
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "rate_limited"
            assert 1 <= int(refused.headers["Retry-After"]) <= 60

        # Another user has a budget of their own, on both instances.
        assert http.get(f"{first.url}/preferences", headers=bob.headers).status_code == 200
        assert http.get(f"{second.url}/preferences", headers=bob.headers).status_code == 200
        # The voice runtime's server routes are not throttled per user.
        assert http.get(f"{second.url}/health").status_code == 200


def test_anonymous_callers_are_limited_per_address(api, make_user, monkeypatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    get_settings.cache_clear()
    try:
        user = make_user()
        _wait_for_a_fresh_window(5)
        bad = {"Authorization": "Bearer forged"}
        assert [api.get("/saved-items", headers=bad).status_code for _ in range(3)] == [401] * 3
        refused = api.get("/saved-items", headers=bad)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        # A signed-in user is counted on their own, not on the address.
        assert api.get("/saved-items", headers=user.headers).status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
