"""CORS for the configured web origins only; other origins get no CORS headers at all."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Request, Response

ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
MAX_AGE_S = "3600"


def allowed_origin(request: Request, origins: Iterable[str]) -> str | None:
    origin = request.headers.get("Origin")
    return origin if origin and origin in set(origins) else None


def is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def preflight_response(request: Request, origins: Iterable[str]) -> Response:
    """204 with the allowed methods and headers for an allowed origin; 403 without CORS headers otherwise."""
    origin = allowed_origin(request, origins)
    if origin is None:
        response = Response(status=403)
        response.headers["Vary"] = "Origin"
        return response
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = MAX_AGE_S
    add_cors_headers(response, origin)
    return response


def add_cors_headers(response: Response, origin: str | None) -> None:
    response.headers.add("Vary", "Origin")
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
