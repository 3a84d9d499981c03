"""`python -m voice_runtime.server --workers 2`: one instance, two processes, one set of metrics.

A 2-CPU instance runs one server process per CPU. The kernel hands each
connection to either process, so /metrics (answered by either) must add up
both processes' counters: eight refused handshakes show as eight, whichever
process counted them and whichever answers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from devstack.stack import stop_process_group
from devstack.voice_harness import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'core'}:{ROOT}:{ROOT / 'functions'}",
        "SESSION_TICKET_KEY": "workers-test-key",
        # Cloud providers: nothing to load at start (no session gets that far here).
        "STT_PROVIDER": "google",
        "TTS_PROVIDER": "google",
        "LLM_PROVIDER": "gemini",
        "GEMINI_API_KEY": "unused",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    command = [sys.executable, "-m", "voice_runtime.server", "--host", "127.0.0.1", "--port", str(port)]
    popen = subprocess.Popen(
        [*command, "--workers", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, popen, tmp_path / "server.log")
        yield base
    finally:
        stop_process_group(popen)
        log.close()


def rejected(metrics_text: str, reason: str) -> float:
    prefix = f'voice_ws_rejected_total{{reason="{reason}"}} '
    return sum(float(line[len(prefix) :]) for line in metrics_text.splitlines() if line.startswith(prefix))


async def refused(url: str) -> int | None:
    async with websockets.connect(url, open_timeout=10) as socket:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 10)
        return socket.close_code


async def test_metrics_add_up_both_processes(two_workers: str) -> None:
    ws = two_workers.replace("http", "ws", 1)
    codes = await asyncio.gather(
        *(refused(f"{ws}/ws?sessionId=s{i}&userId=u{i}&ticket=forged") for i in range(8))
    )
    assert codes == [1008] * 8

    for _ in range(6):  # a new connection each time: either process may answer
        async with httpx.AsyncClient(base_url=two_workers) as client:
            response = await client.get("/metrics")
        assert response.status_code == 200
        assert rejected(response.text, "bad_ticket") == 8
        assert "voice_sessions_active" in response.text
