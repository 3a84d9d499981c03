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


def hosting_headers(path: str) -> dict[str, str]:
    """The headers firebase.json gives Hosting for `path` (first rule that names a key wins)."""
    found: dict[str, str] = {}
    for rule in json.loads((ROOT / "firebase.json").read_text())["hosting"]["headers"]:
        if serve._glob(rule["source"]).fullmatch(path):
            for header in rule["headers"]:
                found.setdefault(header["key"], header["value"])
    return found


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_hosting_sends_a_strict_csp_and_referrer_policy() -> None:
    headers = hosting_headers("/voice-shopper")
    csp = directives(headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    # What the app talks to in production: Firebase/Google APIs, the functions, the voice socket.
    assert {"https://*.googleapis.com", "https://*.run.app", "wss://*.run.app"} <= set(csp["connect-src"])
    assert not [s for s in csp["connect-src"] if "127.0.0.1" in s or "localhost" in s]
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/voice-shopper", "/assets/app-abc123.js", "/config.json"])
def test_serve_sends_the_hosting_headers_with_the_local_endpoints_allowed(base_url: str, path: str) -> None:
    response = httpx.get(base_url + path)
    assert response.status_code == 200
    expected = hosting_headers(path)
    for key, value in expected.items():
        if key.lower() in ("cache-control", "content-security-policy"):
            continue
        assert response.headers[key] == value, key
    sent, production = (
        directives(response.headers["Content-Security-Policy"]),
        directives(expected["Content-Security-Policy"]),
    )
    assert {k: v for k, v in sent.items() if k != "connect-src"} == {
        k: v for k, v in production.items() if k != "connect-src"
    }
    assert sent["connect-src"] == production["connect-src"] + serve.LOCAL_CONNECT_SOURCES.split()
