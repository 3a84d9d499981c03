"""Who is calling: Firebase ID tokens for client routes, the shared secret for /pipecat/* routes.

Firebase Admin is initialised once per process with the project id from settings.
With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin accepts the Auth emulator's
unsigned tokens (and only then); in production it verifies Google's signatures
against cached public certificates, without a network call per request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading

import firebase_admin
from firebase_admin import auth as firebase_auth
from flask import Request

from shopper.errors import Unauthenticated, Unavailable
from shopper.settings import Settings

_APP_NAME = "voice-shopper-api"
_app_lock = threading.Lock()
_MAX_TOKEN_CHARS = 8192


def firebase_app(settings: Settings) -> firebase_admin.App:
    """The process's Firebase Admin app (created on first use)."""
    with _app_lock:
        try:
            return firebase_admin.get_app(_APP_NAME)
        except ValueError:
            return firebase_admin.initialize_app(options={"projectId": settings.project_id}, name=_APP_NAME)


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send a Firebase ID token as 'Authorization: Bearer <token>'")
    if len(token) > _MAX_TOKEN_CHARS:
        raise Unauthenticated("the ID token is not valid")
    return token


def verify_user(request: Request, settings: Settings) -> str:
    """The uid of a valid Firebase ID token in the Authorization header."""
    token = bearer_token(request)
    try:
        claims = firebase_auth.verify_id_token(token, app=firebase_app(settings))
    except firebase_auth.CertificateFetchError as exc:
        raise Unavailable("cannot verify ID tokens right now") from exc
    except (firebase_auth.InvalidIdTokenError, firebase_auth.UserDisabledError, ValueError) as exc:
        # ExpiredIdTokenError and RevokedIdTokenError are InvalidIdTokenError subclasses.
        raise Unauthenticated("the ID token is not valid or has expired") from exc
    uid = claims.get("uid") or claims.get("sub")
    if not isinstance(uid, str) or not uid:
        raise Unauthenticated("the ID token names no user")
    return uid


def verify_server_secret(request: Request, settings: Settings) -> None:
    """Constant-time check of X-Pipecat-Secret against the configured secret."""
    sent = request.headers.get("X-Pipecat-Secret", "").encode("utf-8", "replace")
    expected = settings.pipecat_server_secret.get_secret_value().encode("utf-8")
    if not sent or not hmac.compare_digest(sent, expected):
        raise Unauthenticated("missing or wrong X-Pipecat-Secret")


def user_hash(uid: str | None) -> str | None:
    """What logs carry instead of a uid."""
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()[:12] if uid else None


def client_ip(request: Request, settings: Settings) -> str:
    """The caller's address, as the anonymous rate limit's key.

    Behind Google's front end the socket peer is the front end, and the client's address
    is the hop it appended to X-Forwarded-For: `forwarded_for_hops` from the end (1 for
    Cloud Run / Cloud Functions directly, 2 behind an external load balancer, which
    appends its own). Earlier hops are whatever the client sent, so they are never used;
    a hop that is not an IP address falls back to the peer. IPv6 callers are keyed by
    their /64, which one subscriber holds whole.
    """
    address = request.remote_addr or "unknown"
    if settings.trust_forwarded_for:
        forwarded = request.headers.getlist("X-Forwarded-For")
        hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
        if len(hops) >= settings.forwarded_for_hops:
            address = hops[-settings.forwarded_for_hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (request.remote_addr or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if not ip.is_loopback:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
