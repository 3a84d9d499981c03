"""Voice servers for tests and benchmarks: uvicorn in its own thread and loop, or a process to wait for."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from devstack.stack import wait_ready
from voice_runtime.server import UVICORN_OPTIONS


def wait_healthy(url: str, popen: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    """Wait until a voice server process answers GET {url}/healthz; raise if it dies or stalls."""

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_ready(popen, healthy, "voice server", lambda: f"see {log}", timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """uvicorn serving an app in its own thread and event loop, like a separate process would."""

    def __init__(self, app: object, port: int) -> None:
        self.port = port
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **UVICORN_OPTIONS)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout: float = 120.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("voice server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
