"""The production providers' servers, faked locally, for the concurrency benchmark's cloud mode.

- Google Speech-to-Text v2 and Text-to-Speech v1 streaming: `devstack/fakes/fake_google_speech.py`
  (real gRPC methods and messages), with a worker pool sized for many sessions and
  an endless supply of shopping transcripts.
- Gemini `streamGenerateContent?alt=sse`: a small rule-based model answering in
  Gemini's SSE wire format: a `functionCall` for searches, saves and preference
  questions, then a short text once the `functionResponse` comes back.

The fakes run in their own process (`FakeCloud().start()` spawns
`python bench/voice_cloud_fakes.py --serve`), so their CPU is not charged to
the benchmark's clients, and `FakeCloud.env` points the voice server at them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.fakes.fake_gemini import candidate, sse  # noqa: E402

GEMINI_FIRST_TOKEN_S = 0.25  # a flash model's typical time to first token
TMP = ROOT / "bench" / "results" / "tmp"


def gemini_reply(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the fake model streams for a conversation (a list of SSE payloads)."""
    last = contents[-1].get("parts", []) if contents else []
    response = next((p["functionResponse"] for p in last if "functionResponse" in p), None)
    if response is not None:
        result = response.get("response") or {}
        result = result.get("output", result) if isinstance(result, dict) else {}
        if response.get("name") == "search_products":
            products = (result or {}).get("products") or []
            if products:
                top = products[0]
                text = (
                    f"I found {len(products)} options. "
                    f"The top one is {top.get('title')} for {top.get('price')} dollars."
                )
            else:
                text = "I couldn't find anything like that."
        elif response.get("name") == "save_item":
            text = f"Saved {(result or {}).get('productName', 'it')} to your list."
        else:
            text = "You seem to like Sony and black things."
        words = text.split(" ")
        half = len(words) // 2
        return [
            candidate([{"text": " ".join(words[:half]) + " "}], finish=None),
            candidate([{"text": " ".join(words[half:])}]),
        ]
    said = " ".join(p.get("text", "") for p in last).lower()
    if "save" in said:
        call = {"name": "save_item", "args": {"position": 2}}
    elif "like" in said:
        call = {"name": "get_user_preferences", "args": {}}
    elif "find" in said or "show" in said:
        query = said.replace("find", "").replace(".", "").strip() or "speaker"
        call = {"name": "search_products", "args": {"query": query}}
    else:
        return [candidate([{"text": "Sure. What are you looking for?"}])]
    return [candidate([{"functionCall": {"id": f"fc-{time.monotonic_ns()}", **call}}])]


class _GeminiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if ":streamGenerateContent" not in self.path or not self.headers.get("x-goog-api-key"):
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        time.sleep(GEMINI_FIRST_TOKEN_S)
        payload = b"".join(sse(chunk) for chunk in gemini_reply(body.get("contents") or []))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def serve() -> None:
    """Run both fakes until SIGTERM; print their addresses as one JSON line."""
    sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
    import devstack.fakes.fake_google_speech as speech_module

    pool = futures.ThreadPoolExecutor

    class _WidePool:
        @staticmethod
        def ThreadPoolExecutor(  # the name fake_google_speech calls
            max_workers: int, thread_name_prefix: str = ""
        ) -> futures.ThreadPoolExecutor:
            return pool(max_workers=max(max_workers, 512), thread_name_prefix=thread_name_prefix)

    speech_module.futures = _WidePool  # type: ignore[assignment]
    lines = (
        "Find a bluetooth speaker under 50 dollars",
        "Save the second one",
        "What do I usually like",
        "Find running shoes in blue",
    )
    speech = speech_module.FakeGoogleSpeech(itertools.islice(itertools.cycle(lines), 100000))
    speech.start()
    gemini = ThreadingHTTPServer(("127.0.0.1", 0), _GeminiHandler)
    gemini.daemon_threads = True
    threading.Thread(target=gemini.serve_forever, daemon=True).start()
    sys.stdout.write(
        json.dumps({"speech": speech.endpoint, "gemini": f"http://127.0.0.1:{gemini.server_address[1]}"})
        + "\n"
    )
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    speech.stop()
    gemini.shutdown()


class FakeCloud:
    """The fakes in a child process; `env` configures the voice server for the production path."""

    def __init__(self) -> None:
        self.popen: subprocess.Popen[str] | None = None
        self.env: dict[str, str] = {}

    def start(self) -> FakeCloud:
        sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
        from devstack.fakes.fake_google_speech import fake_service_account_info

        TMP.mkdir(parents=True, exist_ok=True)
        credentials = TMP / "fake-service-account.json"
        credentials.write_text(json.dumps(fake_service_account_info()))
        self.popen = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": f"{ROOT / 'core'}:{ROOT}:{ROOT / 'functions'}"},
        )
        assert self.popen.stdout is not None
        addresses = json.loads(self.popen.stdout.readline())
        self.env = {
            "STT_PROVIDER": "google",
            "TTS_PROVIDER": "google",
            "LLM_PROVIDER": "gemini",
            "GEMINI_API_KEY": "fake-key",
            "GOOGLE_API_BASE": addresses["gemini"],
            "GOOGLE_SPEECH_ENDPOINT": addresses["speech"],
            "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        }
        return self

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    if parser.parse_args().serve:
        serve()
