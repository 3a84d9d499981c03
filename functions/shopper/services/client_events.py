"""The page's own health (web-vitals, voice connection states, caught errors), logged as one
structured JSON line per event next to the API's request lines. Nothing is stored.

Free text from the browser is scrubbed of anything shaped like a credential (JWTs, session
tickets, bearer tokens) before it is logged.
"""

from __future__ import annotations

import logging
import re

from shopper.models import ClientEvent, ClientEventKind
from shopper_core.log import get_logger, log_event

logger = get_logger("shopper.client")

_SECRETS = (
    re.compile(r"eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*"),  # JWT (ID tokens, signed tickets)
    re.compile(r"(?i)(bearer\s+)[^\s\"']+"),
    re.compile(r"(?i)((?:ticket|token|key|secret)=)[^\s&\"']+"),
)


def scrub(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text


def record(events: list[ClientEvent], user_hash: str | None) -> int:
    for event in events:
        fields = {
            "event": "client",
            "kind": event.kind.value,
            "name": event.name,
            "user": user_hash,
        }
        if event.value is not None:
            fields["value"] = round(event.value, 3)
        if event.page is not None:
            fields["page"] = event.page
        if event.sessionId is not None:
            fields["sessionId"] = event.sessionId
        if event.message:
            fields["detail"] = scrub(event.message)
        level = logging.WARNING if event.kind is ClientEventKind.error else logging.INFO
        log_event(logger, f"client {event.kind.value} {event.name}", level, **fields)
    return len(events)
