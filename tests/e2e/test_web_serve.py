"""web/serve.py, the static server devstack runs over web/dist: config, SPA routes, caching."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "web"))

import serve  # noqa: E402

CONFIG = {
    "projectId": "demo-voice-shopper",
    "apiKey": "demo-api-key",
    "functionsBaseUrl": "http://127.0.0.1:5001",
    "firestoreEmulatorHost": "127.0.0.1:8080",
}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log(1)")
    return tmp_path


@pytest.fixture
def base_url(dist: Path) -> Iterator[str]:
    server = serve.build_server(dist, "127.0.0.1", 0, CONFIG)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_serves_runtime_config_uncached(base_url: str) -> None:
    response = httpx.get(f"{base_url}/config.json")
    assert response.status_code == 200
    assert response.json() == CONFIG
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("route", ["/", "/voice-shopper", "/research", "/saved", "/preferences?x=1"])
def test_client_routes_get_index_html(base_url: str, route: str) -> None:
    response = httpx.get(f"{base_url}{route}")
    assert response.status_code == 200
    assert "id=root" in response.text
    assert response.headers["cache-control"] == "no-cache"


def test_assets_are_immutable_and_missing_files_404(base_url: str) -> None:
    asset = httpx.get(f"{base_url}/assets/app-abc123.js")
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert "immutable" in asset.headers["cache-control"]
    assert httpx.get(f"{base_url}/assets/missing.js").status_code == 404
    assert httpx.get(f"{base_url}/favicon.png").status_code == 404


def test_rejects_bad_config(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="functionsBaseUrl"):
        serve.load_config(json.dumps({"projectId": "p", "apiKey": "k"}))
    with pytest.raises(ValueError, match="unknown"):
        serve.load_config(json.dumps({**CONFIG, "secret": "x"}))
    path = tmp_path / "config.json"
    path.write_text(json.dumps(CONFIG))
    assert serve.load_config(str(path)) == CONFIG


def test_cli_exits_2_with_a_clear_message_when_dist_is_missing(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "web" / "serve.py"), "--dist", str(tmp_path), "--port", "0"]
    result = subprocess.run(
        [*command, "--config-json", json.dumps(CONFIG)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "npm run build" in result.stderr
