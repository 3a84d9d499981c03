"""Fixtures and helpers shared by the tests/integration/test_api_*.py modules
(import the `*_fixture` functions into a test module to use them by their fixture names).

- `api`: a functions-framework test client of the `api` entry point of functions/main.py,
  in this process, against the emulators (Firestore emptied and Auth emptied first).
- `unthrottled`: raises the rate limit of the in-process app for tests that send many requests.
- `ApiServer`: a real functions-framework subprocess of the `api` target on a free port.
- `domain_counts`: how many documents each product collection holds (rate_limits excluded).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import functions_framework
import httpx
import pytest
from flask.testing import FlaskClient

from devstack.stack import stop_process_group
from shopper.repository import COLLECTIONS
from shopper.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "functions" / "main.py"
LOG_DIR = ROOT / ".stack" / "test-logs"
SECRET = "local-dev-pipecat-secret"
SERVER_HEADERS = {"X-Pipecat-Secret": SECRET}


@pytest.fixture(scope="session", name="api_app")
def api_app_fixture(emulators):
    return functions_framework.create_app("api", str(MAIN))


@pytest.fixture(name="api")
def api_fixture(api_app, clean) -> FlaskClient:
    return api_app.test_client()


@pytest.fixture(name="unthrottled")
def unthrottled_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1000000")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def domain_counts(client) -> dict[str, int]:
    return {name: sum(1 for _ in client.collection(name).select([]).stream()) for name in COLLECTIONS}


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApiServer:
    """One more instance of the `api` function: its own process, same emulators."""

    def __init__(self, log_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "functions-framework"),
                "--source",
                str(MAIN),
                "--target",
                "api",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT / "functions",
            env={**os.environ, "PYTHONPATH": f"{ROOT / 'core'}:{ROOT / 'functions'}", **env},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"api server exited with {self.popen.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("api server did not become ready")

    def stop(self) -> None:
        stop_process_group(self.popen)
        self._log.close()
