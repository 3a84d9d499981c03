"""Structured JSON logs for the voice runtime, one event per line, as Cloud Logging reads them.

Our own events go through the standard `logging` module (`log_event`); pipecat logs
through loguru, which is routed into the same JSON shape so one `jq` reads both.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from loguru import logger as loguru_logger

_CONFIGURED = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": _iso(record.created),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            event.update(fields)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str)


def _iso(created: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created * 1000) % 1000:03d}Z"


def _loguru_sink(message: Any) -> None:
    record = message.record
    event = {
        "severity": record["level"].name,
        "message": record["message"],
        "logger": record["name"],
        "time": _iso(record["time"].timestamp()),
    }
    if record["exception"] is not None:
        event["exception"] = str(record["exception"].value)
    sys.stdout.write(json.dumps(event, default=str) + "\n")


def configure_logging(level: str = "INFO", pipecat_level: str = "WARNING") -> None:
    """Install the JSON handler on the root logger and route pipecat's loguru output through it."""
    global _CONFIGURED
    if _CONFIGURED:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    loguru_logger.remove()
    loguru_logger.add(_loguru_sink, level=pipecat_level)
    _CONFIGURED = True


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


def log_event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event; `fields` become top-level JSON keys."""
    logger.log(level, message, extra={"fields": fields})
