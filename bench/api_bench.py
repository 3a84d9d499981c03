"""HTTP API benchmark: requests per second and p50/p99 latency of GET /saved-items and POST /signals.

    .venv/bin/python bench/api_bench.py [--requests 600] [--concurrency 1 8]

Starts its own Firestore and Auth emulators (devstack LocalStack, free ports) and ONE
instance of the `api` function (functions-framework, gunicorn gthread, as `make dev`
runs it), signs a user up in the Auth emulator, seeds 50 saved items and a product,
then drives each route with real ID tokens at each concurrency level. Every request
pays for token verification, the shared Firestore rate-limit counter and the route's
own reads/writes. Results: bench/results/api.json and bench/results/api.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "functions"))

from bench.common import percentile  # noqa: E402
from devstack.stack import LocalStack, Ports  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WARMUP = 30


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_api(stack: LocalStack, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        **stack.env,
        "PYTHONPATH": f"{ROOT / 'core'}:{ROOT / 'functions'}",
        "RATE_LIMIT_PER_MINUTE": "100000000",  # the counter is still written on every request
        "LOG_LEVEL": "WARNING",
    }
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "functions-framework"),
                "--source",
                str(ROOT / "functions" / "main.py"),
                "--target",
                "api",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT / "functions",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"api server exited; see {log_path}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        time.sleep(0.2)
    raise RuntimeError("api server did not become ready")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def sign_up(stack: LocalStack) -> tuple[str, str]:
    response = httpx.post(
        f"{stack.url('auth')}/identitytoolkit.googleapis.com/v1/accounts:signUp",
        params={"key": "demo-api-key"},
        json={"email": "bench@example.com", "password": "bench-password-1", "returnSecureToken": True},
        timeout=10,
    )
    response.raise_for_status()
    body = response.json()
    return body["localId"], body["idToken"]


def seed(user_id: str) -> None:
    from shopper.models import Product, SavedItem
    from shopper.repository import Repository, make_client

    repo = Repository(make_client())
    for i in range(50):
        repo.save_item(
            SavedItem(
                userId=user_id,
                productId=f"p{i}",
                productName=f"Product {i}",
                price=10 + i,
                productUrl=f"https://shop.example/p{i}",
                savedAt=1_700_000_000_000 + i,
            )
        )
    repo.write_products(
        [
            (
                "bench-product",
                Product(
                    queryId="q",
                    userId=user_id,
                    title="Sony WH-1000XM5",
                    productUrl="https://shop.example/sony",
                    price=279,
                    source="catalog",
                    searchRank=1,
                    systemRank=1,
                    brand="Sony",
                    color="black",
                    category="headphones",
                    createdAt=1,
                ),
            )
        ]
    )


def drive(
    url: str, method: str, path: str, headers: dict, body: dict | None, total: int, concurrency: int
) -> dict:
    def one(client: httpx.Client) -> float:
        started = time.perf_counter()
        response = client.request(method, path, headers=headers, json=body)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status_code} {response.text[:200]}")
        return elapsed

    clients = [httpx.Client(base_url=url, timeout=30) for _ in range(concurrency)]
    try:
        for i in range(WARMUP):
            one(clients[i % concurrency])
        per_worker = total // concurrency

        def worker(client: httpx.Client) -> list[float]:
            return [one(client) for _ in range(per_worker)]

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            latencies = [ms for part in pool.map(worker, clients) for ms in part]
        wall = time.perf_counter() - started
    finally:
        for client in clients:
            client.close()
    return {
        "route": f"{method} {path.split('?')[0]}",
        "concurrency": concurrency,
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }


def write(results: list[dict], args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "backend": "Firestore + Auth emulators on the same machine",
        "server": "functions-framework (gunicorn gthread), 1 instance",
        "requests_per_run": args.requests,
        "warmup": WARMUP,
    }
    (RESULTS / "api.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = [
        "# HTTP API benchmark",
        "",
        f"One `api` instance ({meta['server']}) against the {meta['backend']}; {meta['machine']}.",
        "Every request verifies an ID token, increments the shared Firestore rate-limit counter and",
        "does the route's own Firestore work. Command: `.venv/bin/python bench/api_bench.py`.",
        "",
        "| route | concurrency | requests | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cells = [r["route"], r["concurrency"], r["requests"], r["rps"], r["p50_ms"], r["p99_ms"]]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines += [
        "",
        "The emulators share the CPU with the server and the load generator, so absolute numbers are",
        "a floor for this machine, not a production estimate (Firestore itself answers in a few ms).",
        "",
    ]
    (RESULTS / "api.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()

    with LocalStack(["firestore", "auth"], ports=Ports.free()) as stack:
        os.environ.update(stack.env)
        proc, url = start_api(stack, stack.log_dir / "api-bench.log")
        try:
            user_id, token = sign_up(stack)
            seed(user_id)
            headers = {"Authorization": f"Bearer {token}"}
            signal_body = {"type": "click", "itemId": "bench-product", "queryText": "sony noise cancelling"}
            results = []
            for concurrency in args.concurrency:
                results.append(drive(url, "GET", "/saved-items", headers, None, args.requests, concurrency))
                results.append(
                    drive(url, "POST", "/signals", headers, signal_body, args.requests, concurrency)
                )
        finally:
            stop(proc)
    write(results, args)
    print((RESULTS / "api.md").read_text())  # noqa: T201 - the benchmark's report


if __name__ == "__main__":
    main()
