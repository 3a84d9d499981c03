"""Where an HTTP request enters: CORS, routing, auth, rate limit, handler, error mapping, one log line.

`handle_api_request` is the body of the `api` Cloud Function (functions/main.py).
Per process it keeps one Firestore client (via the Repository), one Firebase
Admin app and one rate limiter; everything else is per request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Request, Response
from google.api_core import exceptions as api_exceptions
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from shopper.api import auth, cors
from shopper.api.ratelimit import RateLimiter
from shopper.api.routes import ROUTES, Access, Call, Reply, Route
from shopper.errors import DomainError, MethodNotAllowed, NotFound, Unauthenticated, Unavailable
from shopper.repository import Repository, make_client
from shopper.settings import Settings, get_settings
from shopper_core.log import configure_logging, get_logger, log_event

logger = get_logger("shopper.api")

_URL_MAP = Map(
    [Rule(route.rule, methods=[route.method], endpoint=index) for index, route in enumerate(ROUTES)],
    strict_slashes=False,
    merge_slashes=False,
)

# Failures of our backing services, not of the request: 503, so clients retry.
_TRANSIENT = (
    api_exceptions.ServiceUnavailable,
    api_exceptions.DeadlineExceeded,
    api_exceptions.RetryError,
)


@dataclass
class _Runtime:
    repo: Repository
    limiter: RateLimiter


_runtime: _Runtime | None = None
_runtime_lock = threading.Lock()


def _get_runtime(settings: Settings) -> _Runtime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            client = make_client(settings)
            _runtime = _Runtime(Repository(client), RateLimiter(client))
        return _runtime


def match_route(path: str, method: str) -> tuple[Route, dict[str, str]]:
    adapter = _URL_MAP.bind("localhost")
    try:
        endpoint, params = adapter.match(path or "/", method)
    except WerkzeugMethodNotAllowed as exc:
        raise MethodNotAllowed(f"{method} is not allowed on {path}", list(exc.valid_methods or [])) from exc
    except (WerkzeugNotFound, RequestRedirect) as exc:
        raise NotFound(f"no route {path}") from exc
    return ROUTES[int(endpoint)], params


def json_response(
    status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None
) -> Response:
    if body is None:
        response = Response(status=status)
    else:
        text = json.dumps(body, separators=(",", ":"))
        response = Response(text, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _authorize(route: Route, call: Call, limiter: RateLimiter) -> None:
    settings = call.settings
    if route.access is Access.SERVER:
        auth.verify_server_secret(call.request, settings)
        return
    if route.access is Access.PUBLIC:
        return
    try:
        call.user_id = auth.verify_user(call.request, settings)
    except Unauthenticated:
        # Anonymous callers share a budget per address, so guessing tokens is rate limited too.
        limiter.check(f"ip:{auth.client_ip(call.request, settings)}", settings.rate_limit_per_minute)
        raise
    limiter.check(f"user:{call.user_id}", settings.rate_limit_per_minute)


def handle_api_request(request: Request) -> Response:
    started = time.perf_counter()
    settings = get_settings()
    configure_logging(settings.log_level)
    origin = cors.allowed_origin(request, settings.cors_origins)
    route_name = "preflight" if cors.is_preflight(request) else "unmatched"
    call: Call | None = None
    error_code: str | None = None
    try:
        if route_name == "preflight":
            response = cors.preflight_response(request, settings.cors_origins)
        else:
            route, params = match_route(request.path, request.method)
            route_name = route.rule
            runtime = _get_runtime(settings)
            call = Call(request, settings, runtime.repo, int(time.time() * 1000), params)
            _authorize(route, call, runtime.limiter)
            reply: Reply = route.handler(call)
            response = json_response(reply.status, reply.body)
    except DomainError as err:
        error_code = err.code
        response = json_response(err.status, err.body(), err.headers())
    except _TRANSIENT as exc:
        error_code = "unavailable"
        log_event(logger, "backend unavailable", logging.WARNING, route=route_name, error=str(exc)[:300])
        response = json_response(503, Unavailable("a backing service is unavailable; retry").body())
    except Exception:
        error_code = "internal"
        logger.exception("unhandled error", extra={"fields": {"route": route_name}})
        response = json_response(500, {"error": {"code": "internal", "message": "internal error"}})
    cors.add_cors_headers(response, origin)
    fields: dict[str, Any] = {
        "event": "request",
        "route": route_name,
        "method": request.method,
        "status": response.status_code,
        "user": auth.user_hash(call.user_id if call else None),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error_code:
        fields["error_code"] = error_code
    level = logging.ERROR if response.status_code == 500 else logging.INFO
    log_event(logger, f"{request.method} {route_name} {response.status_code}", level, **fields)
    return response
