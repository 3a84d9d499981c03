"""A local fake of the Gemini API's generateContent REST endpoint.

Speaks the real wire format (POST /v1beta/models/{model}:generateContent with the key in
`x-goog-api-key`; answers `{"candidates": [...], "usageMetadata": {...}}` or Google's error
envelope), so google-genai's real client talks to it through `http_options.base_url`.
Tests queue the answers they want (a JSON text, a refusal, a malformed text, an HTTP
error) and read back the requests the client sent.

    with FakeGemini() as gemini:
        gemini.push(text_response('{"brands": ["Sony"]}'))
        client = genai.Client(api_key="k", http_options={"base_url": gemini.url})
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PATH_RE = re.compile(r"^/(v1beta|v1|v1alpha)/models/([^/:]+):generateContent$")

_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}
_STATUS.update({503: "UNAVAILABLE", 404: "NOT_FOUND"})


def usage(prompt_tokens: int = 120, answer_tokens: int = 40) -> dict[str, Any]:
    return {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": answer_tokens,
        "totalTokenCount": prompt_tokens + answer_tokens,
    }


def candidate(parts: list[dict[str, Any]], finish: str | None = "STOP") -> dict[str, Any]:
    """A response (or one streamed chunk) with a single model candidate made of `parts`;
    `finish=None` is a chunk in the middle of a stream."""
    body: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        body["finishReason"] = finish
    return {
        "candidates": [body],
        "usageMetadata": usage(),
        "modelVersion": "gemini-2.5-flash",
        "responseId": "fake-response",
    }


def sse(payload: dict[str, Any]) -> bytes:
    """One server-sent event of streamGenerateContent (`?alt=sse`)."""
    return f"data: {json.dumps(payload)}\r\n\r\n".encode()


def text_response(text: str, finish_reason: str = "STOP") -> dict[str, Any]:
    """A normal answer whose single part is `text`."""
    return candidate([{"text": text}], finish_reason)


def json_response(payload: Any) -> dict[str, Any]:
    return text_response(json.dumps(payload))


def safety_refusal() -> dict[str, Any]:
    """The model stopped for safety: a candidate with finishReason SAFETY and no content parts."""
    return {
        "candidates": [
            {
                "finishReason": "SAFETY",
                "index": 0,
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True},
                ],
            }
        ],
        "usageMetadata": usage(answer_tokens=0),
        "modelVersion": "gemini-2.5-flash",
    }


def blocked_prompt() -> dict[str, Any]:
    """The prompt itself was blocked: no candidates, only promptFeedback."""
    return {
        "promptFeedback": {
            "blockReason": "SAFETY",
            "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}],
        },
        "usageMetadata": usage(answer_tokens=0),
        "modelVersion": "gemini-2.5-flash",
    }


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}


@dataclass
class Reply:
    body: Any
    status: int = 200


@dataclass
class Request:
    path: str
    model: str
    api_key: str | None
    body: dict[str, Any]


@dataclass
class FakeGemini:
    """A threaded HTTP server on 127.0.0.1 (free port) answering generateContent from a queue."""

    default: Reply = field(default_factory=lambda: Reply(json_response({})))
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = _PATH_RE.match(self.path.split("?", 1)[0])
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not match:
                    self._send(Reply(error_body(404, f"no route {self.path}"), 404))
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(Reply(error_body(400, "Invalid JSON payload received."), 400))
                    return
                fake._record(Request(self.path, match.group(2), self.headers.get("x-goog-api-key"), body))
                if not self.headers.get("x-goog-api-key"):
                    self._send(Reply(error_body(403, "Method doesn't allow unregistered callers."), 403))
                    return
                self._send(fake._next())

            def _send(self, reply: Reply) -> None:
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def push(self, body: Any, status: int = 200) -> None:
        """Queue the next answer (a response dict, raw bytes, or an error body with its status)."""
        with self._lock:
            self._queue.append(Reply(body, status))

    def _next(self) -> Reply:
        with self._lock:
            return self._queue.pop(0) if self._queue else self.default

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> FakeGemini:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeGemini:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
