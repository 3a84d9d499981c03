"""No secret or token reaches the logs: the SerpApi key in httpx's request line, the
voice ticket in uvicorn's WebSocket line, bearer tokens anywhere."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

import shopper_core.log as core_log
from shopper.research.providers.serpapi import SerpApiProvider
from shopper.research.types import parse_text
from tests.unit.test_research_providers import FakeSerpApi, serp  # noqa: F401  (fixture)


@pytest.fixture
def json_logging() -> Iterator[io.StringIO]:
    """configure_logging as a fresh process runs it (its JSON lines kept in a buffer);
    the logging tree restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, core_log._CONFIGURED)
    levels = {name: logging.getLogger(name).level for name in core_log.QUIET_LOGGERS}
    filters = {name: logging.getLogger(name).filters[:] for name in core_log.REDACTED_LOGGERS}
    # A uvicorn server started earlier in this process (the voice tests) configured uvicorn's
    # loggers itself (own handlers, no propagation, disabled after a dictConfig); a fresh
    # process's loggers are what the redaction must see.
    uvicorn = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        for lg in (logging.getLogger(name),)
    }
    for name in uvicorn:
        lg = logging.getLogger(name)
        lg.handlers[:], lg.propagate, lg.disabled = [], True, False
        lg.setLevel(logging.NOTSET)
    core_log._CONFIGURED = False
    core_log.configure_logging("DEBUG")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        root.handlers[:], root.level, core_log._CONFIGURED = saved[0], saved[1], saved[2]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for name, kept in filters.items():
            logging.getLogger(name).filters[:] = kept
        for name, (handlers, level, propagate, disabled) in uvicorn.items():
            lg = logging.getLogger(name)
            lg.handlers[:], lg.propagate, lg.disabled = handlers, propagate, disabled
            lg.setLevel(level)


async def test_a_serpapi_search_logs_no_key(
    json_logging: io.StringIO,
    serp: str,  # noqa: F811
) -> None:
    provider = SerpApiProvider("sk-live-0123456789abcdef", base_url=serp, timeout_s=2)
    results = await provider.search(parse_text("bluetooth speaker"), limit=5)
    assert results and FakeSerpApi.requests[0]["api_key"] == "sk-live-0123456789abcdef"
    logging.getLogger("httpx").warning(
        "HTTP Request: GET %s/search.json?q=x&api_key=sk-live-0123456789abcdef", serp
    )
    out = json_logging.getvalue()
    assert "search.json" in out  # the warning still gets through, redacted
    assert "sk-live-0123456789abcdef" not in out


def test_uvicorn_websocket_line_and_bearer_tokens_are_redacted(
    json_logging: io.StringIO,
) -> None:
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws?sessionId=s1&userId=u1&ticket=eyJzaWQ.c2ln"
    )
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/ws?ticket=eyJzaWQ.c2ln", "1.1", 101
    )
    logging.getLogger("shopper.api").info("calling with Authorization: Bearer abc.def.ghi")
    out = json_logging.getvalue()
    assert out.count("WebSocket /ws?[redacted]") == 1 and out.count("/ws?[redacted] HTTP/1.1") == 1
    assert "eyJzaWQ" not in out and "abc.def.ghi" not in out and "userId=u1" not in out


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "GET /search.json?engine=google_shopping&q=monkey+keyboard&gl=us"
    assert core_log.redact(text) == text
    assert core_log.redact("a?api_key=1&q=x") == "a?api_key=[redacted]&q=x"
