"""Structured JSON logs, one event per line, in the shape Cloud Logging reads.

`severity` and `message` are Cloud Logging's own keys; everything passed in
`extra={"fields": {...}}` (ids, route, latency_ms ...) lands at the top level of
the JSON object so log-based metrics can use it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_CONFIGURED = False

# Libraries that log every request URL at INFO (httpx: "HTTP Request: GET ...?api_key=...").
# Their request lines are never needed in production logs; warnings and errors still are.
QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", "google_genai", "websockets")
# Loggers that print request lines we cannot quieten (uvicorn's access log and its
# "WebSocket /ws?...&ticket=..." line): their records lose the query string where they
# are made (it carries the ticket and the ids), and are redacted like every record.
REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error")

_SECRET_PARAM = re.compile(
    r"(?i)(?<![A-Za-z0-9])((?:api_key|apikey|key|ticket|token|access_token|id_token|secret|password)=)[^&\s\"']+"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Secret-looking query parameters and bearer tokens in `text`, replaced by [redacted]."""
    return _BEARER.sub(r"\1" + REDACTED, _SECRET_PARAM.sub(r"\1" + REDACTED, text))


def without_query(text: str) -> str:
    """A request path with its query string replaced by [redacted]."""
    path, sep, _ = text.partition("?")
    return f"{path}?{REDACTED}" if sep and path.startswith("/") else text


class RedactQueryStrings(logging.Filter):
    """Drop the query string from the request-path arguments of a record (uvicorn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(without_query(a) if isinstance(a, str) else a for a in record.args)
        return True


class RedactSecrets(logging.Filter):
    """Redact secrets in a record's message and its string arguments, keeping the args'
    shape (uvicorn's access formatter unpacks them by position)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def iso_time(created: float) -> str:
    """Epoch seconds as the RFC 3339 UTC timestamp Cloud Logging reads, with milliseconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created * 1000) % 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": iso_time(record.created),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            event.update(fields)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON handler on the root logger once per process; quieten the
    libraries that log request URLs and redact secrets from every record it writes."""
    global _CONFIGURED
    if _CONFIGURED:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in REDACTED_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactQueryStrings())
            target.addFilter(RedactSecrets())
    _CONFIGURED = True


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


def log_event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event; `fields` become top-level JSON keys."""
    logger.log(level, message, extra={"fields": fields})
