"""Structured JSON logs for the voice runtime, one event per line, as Cloud Logging reads them.

Our own events go through the standard `logging` module (`log_event`); pipecat logs
through loguru, which is routed into the same JSON shape so one `jq` reads both.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from loguru import logger as loguru_logger

from shopper_core.log import configure_logging as configure_json_logging
from shopper_core.log import get_logger, iso_time, log_event, redact

_PIPECAT_ROUTED = False


def _loguru_sink(message: Any) -> None:
    record = message.record
    event = {
        "severity": record["level"].name,
        "message": record["message"],
        "logger": record["name"],
        "time": iso_time(record["time"].timestamp()),
    }
    event["message"] = redact(event["message"])
    if record["exception"] is not None:
        event["exception"] = str(record["exception"].value)
    sys.stdout.write(json.dumps(event, default=str) + "\n")


def configure_logging(level: str = "INFO", pipecat_level: str = "WARNING") -> None:
    """The functions' JSON logging, plus pipecat's loguru output routed into the same shape."""
    global _PIPECAT_ROUTED
    configure_json_logging(level)
    if _PIPECAT_ROUTED:
        return
    loguru_logger.remove()
    loguru_logger.add(_loguru_sink, level=pipecat_level)
    _PIPECAT_ROUTED = True


__all__ = ["configure_logging", "get_logger", "log_event"]
