"""Static server for the built web app: web/dist with SPA fallback plus a runtime /config.json.

    python web/serve.py --dist web/dist --port 5000 --config-json config.json

`--config-json` is a path to a JSON file (or an inline JSON object) served at /config.json;
the app reads it at start-up to find Firebase (or the emulators) and the functions base URL.
Unknown paths without a file extension (/voice-shopper, /research, ...) get index.html; hashed
assets are cached for a year, everything else is revalidated. Every response carries the
headers firebase.json gives Hosting (Content-Security-Policy, Referrer-Policy, ...), so the
browser tests run under the production policy; the one local difference is that the CSP's
connect-src also allows the emulators and local servers (http/ws on 127.0.0.1 and localhost).
Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import logging
import mimetypes
import re
import signal
import sys
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("web.serve")

CONFIG_REQUIRED = ("projectId", "apiKey", "functionsBaseUrl")
CONFIG_OPTIONAL = ("authDomain", "appId", "authEmulatorUrl", "firestoreEmulatorHost", "googleSignIn")

FIREBASE_JSON = Path(__file__).resolve().parents[1] / "firebase.json"
# What the local stack adds to the production CSP's connect-src: the emulators, the
# functions server and the voice runtime all listen on loopback ports.
LOCAL_CONNECT_SOURCES = "http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:*"
# Headers this server decides itself (per path), whatever firebase.json says.
OWN_HEADERS = {"cache-control"}

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/json", ".map")
mimetypes.add_type("application/wasm", ".wasm")


def log_event(msg: str, **fields: Any) -> None:
    LOGGER.info(json.dumps({"severity": "INFO", "message": msg, **fields}, separators=(",", ":")))


def load_config(value: str) -> dict[str, Any]:
    """Reads the runtime config (a path, or an inline JSON object) and checks its fields."""
    text = value if value.lstrip().startswith("{") else Path(value).read_text(encoding="utf-8")
    config = json.loads(text)
    if not isinstance(config, dict):
        raise ValueError("config must be a JSON object")
    missing = [key for key in CONFIG_REQUIRED if not config.get(key)]
    if missing:
        raise ValueError(f"config lacks {', '.join(missing)}")
    unknown = sorted(set(config) - set(CONFIG_REQUIRED) - set(CONFIG_OPTIONAL))
    if unknown:
        raise ValueError(f"config has unknown fields {', '.join(unknown)}")
    return config


def _glob(pattern: str) -> re.Pattern[str]:
    """A Hosting `source` glob: `**` spans directories, `*` does not."""
    parts = re.split(r"(\*\*|\*)", pattern)
    regex = "".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return re.compile(regex if regex.startswith("/") or regex.startswith(".*") else "/" + regex)


def load_hosting_headers(
    firebase_json: Path = FIREBASE_JSON,
) -> list[tuple[re.Pattern[str], list[tuple[str, str]]]]:
    """firebase.json's hosting.headers as (path pattern, [(name, value)]), CSP made local."""
    hosting = json.loads(firebase_json.read_text(encoding="utf-8")).get("hosting", {})
    rules = []
    for rule in hosting.get("headers", []):
        headers = []
        for header in rule["headers"]:
            key, value = header["key"], header["value"]
            if key.lower() in OWN_HEADERS:
                continue
            if key.lower() == "content-security-policy":
                value = with_local_connect(value)
            headers.append((key, value))
        rules.append((_glob(rule["source"]), headers))
    return rules


def with_local_connect(policy: str) -> str:
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    out = [f"{d} {LOCAL_CONNECT_SOURCES}" if d.split()[0] == "connect-src" else d for d in directives]
    if not any(d.split()[0] == "connect-src" for d in directives):
        out.append(f"connect-src 'self' {LOCAL_CONNECT_SOURCES}")
    return "; ".join(out)


def is_spa_route(path: str) -> bool:
    """A client-side route: no file extension in the last segment and not under /assets/."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return not path.startswith("/assets/") and "." not in last


class Handler(SimpleHTTPRequestHandler):
    server_version = "VoiceShopperWeb/1"

    def __init__(
        self,
        *args: Any,
        config_body: bytes,
        hosting_headers: list[tuple[re.Pattern[str], list[tuple[str, str]]]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.config_body = config_body
        self.hosting_headers = hosting_headers or []
        super().__init__(*args, **kwargs)

    def _path_only(self) -> str:
        return self.path.split("?", 1)[0].split("#", 1)[0]

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        path = self._path_only()
        if path == "/config.json":
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config_body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(self.config_body)
            return
        target = Path(self.translate_path(path))
        if not target.exists() and is_spa_route(path):
            self.path = "/index.html"
        elif target.is_dir() and not (target / "index.html").exists():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if head:
            super().do_HEAD()
        else:
            super().do_GET()

    def end_headers(self) -> None:
        path = self._path_only()
        if path.startswith("/assets/"):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        elif path != "/config.json":
            self.send_header("Cache-Control", "no-cache")
        sent = set()
        for pattern, headers in self.hosting_headers:
            if pattern.fullmatch(path):
                for key, value in headers:
                    if key.lower() not in sent:
                        self.send_header(key, value)
                        sent.add(key.lower())
        if "x-content-type-options" not in sent:
            self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log_event("request", line=format % args, client=self.client_address[0])


def build_server(
    dist: Path, host: str, port: int, config: dict[str, Any], firebase_json: Path = FIREBASE_JSON
) -> ThreadingHTTPServer:
    if not (dist / "index.html").is_file():
        raise FileNotFoundError(f"{dist}/index.html not found: run `npm run build` in web/ first")
    body = json.dumps(config).encode()
    headers = load_hosting_headers(firebase_json)
    handler = partial(Handler, directory=str(dist), config_body=body, hosting_headers=headers)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path(__file__).parent / "dist")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--config-json", required=True, help="path to config.json, or an inline JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config_json)
        server = build_server(args.dist, args.host, args.port, config)
    except (OSError, ValueError) as error:
        LOGGER.error(
            json.dumps({"severity": "ERROR", "message": "web server cannot start", "error": str(error)})
        )
        return 2

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    log_event("web serving", url=f"http://{host}:{port}", dist=str(args.dist), started=time.time())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        log_event("web stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
