"""`make dev`'s launcher brings the stack up and takes all of it down on SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from devstack.stack import Ports

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _processes_mentioning(needles: list[str]) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found.append(f"{pid}: {cmdline}")
    return found


def test_dev_stack_starts_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    ports = Ports.free()
    env = {**os.environ, **{f"{f.name.upper()}_PORT": str(getattr(ports, f.name)) for f in fields(Ports)}}
    proc = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--parts", "firestore,pubsub,auth,tasks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Ctrl-C stops everything" in line:
                break
        assert any("Ctrl-C stops everything" in line for line in output), "".join(output)
        for port in (ports.firestore, ports.pubsub, ports.auth, ports.tasks):
            assert _listening(port), port

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        for port in (ports.firestore, ports.pubsub, ports.auth, ports.tasks):
            assert not _listening(port), f"port {port} still open after stop"
        needles = [f"127.0.0.1:{ports.firestore}", f"127.0.0.1:{ports.pubsub}", f"--port {ports.tasks}"]
        assert _processes_mentioning(needles) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
