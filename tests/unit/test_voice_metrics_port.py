"""/metrics is not served on the voice service's public port in production (issue 15)."""

from __future__ import annotations

import httpx
import pytest

from voice_runtime.bot import BotDeps
from voice_runtime.functions_client import FunctionsClient
from voice_runtime.server import create_app, start_metrics_server
from voice_runtime.settings import VoiceSettings

REAL = {"pipecat_server_secret": "s" * 32, "session_ticket_key": "k" * 32, "llm_provider": "dialogue"}


def paths(settings: VoiceSettings) -> set[str]:
    app = create_app(BotDeps(settings=settings, client=FunctionsClient("http://127.0.0.1:9", "x")))
    return {getattr(route, "path", "") for route in app.routes}


def test_with_a_metrics_port_the_app_has_no_metrics_route() -> None:
    assert "/metrics" in paths(VoiceSettings())  # local runs and tests
    routes = paths(VoiceSettings(metrics_port=9091))
    assert "/metrics" not in routes and {"/healthz", "/ws"} <= routes


def test_the_metrics_server_serves_prometheus_text_on_its_own_port() -> None:
    server = start_metrics_server("127.0.0.1", 0)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        response = httpx.get(f"{base}/metrics", timeout=5)
        assert response.status_code == 200 and "voice_ws_rejected_total" in response.text
        assert httpx.get(f"{base}/ws", timeout=5).status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_production_needs_a_separate_metrics_port() -> None:
    with pytest.raises(ValueError, match="METRICS_PORT"):
        VoiceSettings(environment="production", **REAL)
    with pytest.raises(ValueError, match="METRICS_PORT"):
        VoiceSettings(environment="production", port=8080, metrics_port=8080, **REAL)
    assert VoiceSettings(environment="production", port=8080, metrics_port=9091, **REAL).metrics_port == 9091
