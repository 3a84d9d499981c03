"""The research worker: the Cloud Tasks HTTP target (functions/main.py `research_worker`).

Body `{"queryId": "..."}` (or the X-CloudTasks-TaskName header, which is the query id).
Cloud Tasks retries any non-2xx answer, so the status codes say what should happen:
- 200: done, failed for good (the query records why), already done, or unknown query;
- 400: the body is not a research task (retrying cannot help, but it is logged);
- 503 + Retry-After: transient (another run is searching it, Firestore unreachable).
"""

from __future__ import annotations

import json
import re
import threading

import flask

from shopper.repository import Repository, make_client
from shopper.research.service import QueryBusy, run_research
from shopper.settings import get_settings
from shopper_core.log import configure_logging, get_logger, log_event

logger = get_logger(__name__)
_QUERY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_REPO: dict[str, Repository] = {}
_LOCK = threading.Lock()


def _repository() -> Repository:
    with _LOCK:
        if "repo" not in _REPO:
            _REPO["repo"] = Repository(make_client(get_settings()))
        return _REPO["repo"]


def _json(status: int, body: dict, headers: dict[str, str] | None = None) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, mimetype="application/json", headers=headers or {})


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> flask.Response:
    return _json(status, {"error": {"code": code, "message": message}}, headers)


def query_id_from(request: flask.Request) -> str:
    """The query id from the JSON body, else from the task name header; ValueError if neither."""
    body = request.get_json(silent=True)
    candidate = None
    if isinstance(body, dict) and body.get("queryId") is not None:
        candidate = body.get("queryId")
    elif request.data and body is None:
        raise ValueError("the body is not JSON")
    if candidate is None:
        header = request.headers.get("X-CloudTasks-TaskName", "")
        candidate = header.rsplit("/", 1)[-1] or None
    if not isinstance(candidate, str) or not _QUERY_ID_RE.match(candidate):
        raise ValueError("queryId is missing or not a valid id")
    return candidate


def handle_research_task(request: flask.Request) -> flask.Response:
    configure_logging(get_settings().log_level)
    if request.method != "POST":
        return _error(405, "method_not_allowed", "use POST", {"Allow": "POST"})
    try:
        query_id = query_id_from(request)
    except ValueError as exc:
        log_event(logger, "bad research task", error=str(exc))
        return _error(400, "invalid_argument", str(exc))
    attempt = request.headers.get("X-CloudTasks-TaskRetryCount", "0")
    try:
        result = run_research(query_id, _repository())
    except QueryBusy:
        log_event(logger, "research busy", queryId=query_id, attempt=attempt)
        return _error(503, "busy", "another run is searching this query", {"Retry-After": "5"})
    except Exception as exc:
        log_event(logger, "research transient error", queryId=query_id, attempt=attempt, error=repr(exc))
        return _error(503, "unavailable", "temporary failure; retry", {"Retry-After": "2"})
    body = {"queryId": query_id, "status": result.status, "products": result.products}
    if result.error:
        body["error"] = result.error
    return _json(200, body)
