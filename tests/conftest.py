"""Shared fixtures: one local stack per test session, data cleared between tests.

- `stack`: emulators (Firestore with firestore.rules, Pub/Sub, Auth, Cloud Tasks) plus
  the functions servers, on free ports; the test process's environment points at it.
- `emulators`: the same stack without asking for the functions servers.
- `voice_stack` / `web_stack`: add the voice runtime / the web server to it.
- `repo`: a Repository on the emulator, with Firestore and Auth emptied first.
- `make_user`: signs a new user up in the Auth emulator (real ID token).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devstack.stack import LocalStack, Ports, clear_auth, clear_firestore

EMULATORS = ["firestore", "pubsub", "auth", "tasks"]
LOG_DIR = Path(__file__).resolve().parent.parent / ".stack" / "test-logs"


@pytest.fixture(scope="session")
def _local_stack() -> Iterator[LocalStack]:
    # The API's own rate-limit test sets 100/min itself; end-to-end suites make many calls per user.
    stack = LocalStack(
        EMULATORS, ports=Ports.free(), log_dir=LOG_DIR, extra_env={"RATE_LIMIT_PER_MINUTE": "1000"}
    )
    saved_env = dict(os.environ)
    try:
        stack.start()
        os.environ.update(stack.env)
        _reset_settings()
        yield stack
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved_env)
        _reset_settings()


def _reset_settings() -> None:
    from shopper.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(scope="session")
def emulators(_local_stack: LocalStack) -> LocalStack:
    return _local_stack


@pytest.fixture(scope="session")
def stack(_local_stack: LocalStack) -> LocalStack:
    _local_stack.ensure(["functions"])
    return _local_stack


@pytest.fixture(scope="session")
def voice_stack(stack: LocalStack) -> LocalStack:
    stack.ensure(["voice"])
    return stack


@pytest.fixture(scope="session")
def web_stack(voice_stack: LocalStack) -> LocalStack:
    voice_stack.ensure(["web"])
    return voice_stack


@pytest.fixture
def clean(emulators: LocalStack) -> LocalStack:
    """Empty Firestore and Auth before the test."""
    clear_firestore(emulators)
    clear_auth(emulators)
    return emulators


@pytest.fixture
def firestore_client(clean: LocalStack):
    from shopper.repository import make_client

    client = make_client()
    yield client
    client.close()


@pytest.fixture
def repo(firestore_client):
    from shopper.repository import Repository

    return Repository(firestore_client)


@dataclass
class User:
    uid: str
    email: str
    password: str
    id_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


@pytest.fixture
def make_user(clean: LocalStack) -> Callable[..., User]:
    """Create a user in the Auth emulator and return it with a fresh ID token."""

    def create(email: str | None = None, password: str = "correct horse 42") -> User:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        response = httpx.post(
            f"{clean.url('auth')}/identitytoolkit.googleapis.com/v1/accounts:signUp",
            params={"key": "demo-api-key"},
            json={"email": email, "password": password, "returnSecureToken": True},
            timeout=10,
        )
        response.raise_for_status()
        body = response.json()
        return User(uid=body["localId"], email=email, password=password, id_token=body["idToken"])

    return create


# A failed test on the stack shows what the servers said meanwhile (the logs are redacted at
# the source: no tokens or tickets), so a failure on CI can be read without its machine.
_LOG_TAILS = ("voice.log", "functions.log", "worker.log", "tasks.log")
_TAIL_LINES = 25


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or "_local_stack" not in item.fixturenames:
        return
    for name in _LOG_TAILS:
        path = LOG_DIR / name
        if path.is_file():
            lines = path.read_text(errors="replace").splitlines()[-_TAIL_LINES:]
            report.sections.append((f"stack log {name} (last {len(lines)} lines)", "\n".join(lines)))
