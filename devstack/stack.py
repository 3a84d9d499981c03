"""The local stack: emulators and the product's own servers, on 127.0.0.1.

Used by `make dev` (python -m devstack) and by the integration and browser tests
(tests/conftest.py). Each part runs in its own process group; `stop()` ends exactly
the groups this object started, in reverse order, also on Ctrl-C and on test failure.

    with LocalStack(["firestore", "auth", "functions"], ports=Ports.free()) as stack:
        stack.env["FIRESTORE_EMULATOR_HOST"]; stack.url("functions")
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_ID = "demo-voice-shopper"
VENV_BIN = ROOT / ".venv" / "bin"
TASKS_VENV_BIN = ROOT / ".venv-tasks" / "bin"
FIREBASE_CLI = ROOT / "tools" / "node_modules" / ".bin" / "firebase"
TASKS_QUEUE = f"projects/{PROJECT_ID}/locations/us-central1/queues/research"
LEARNING_TOPIC = "preference-learning"
LEARNING_USER_TOPIC = "preference-learning-user"

# Start order; a part's prerequisites are started with it.
ORDER = ("firestore", "pubsub", "auth", "tasks", "functions", "voice", "web")
REQUIRES = {
    "functions": ("firestore", "pubsub", "auth", "tasks"),
    "voice": ("functions",),
    "web": ("functions", "voice"),
}


class StackError(RuntimeError):
    """A part of the stack could not be started."""


@dataclass
class Ports:
    firestore: int = 8080
    pubsub: int = 8085
    auth: int = 9099
    auth_hub: int = 4400
    auth_logging: int = 4500
    tasks: int = 9090
    functions: int = 5001
    worker: int = 5002
    scheduler: int = 5003
    learner: int = 5004
    voice: int = 8000
    web: int = 5000

    @classmethod
    def from_env(cls) -> Ports:
        """The design's default ports, each overridable as <NAME>_PORT (e.g. FUNCTIONS_PORT)."""
        ports = cls()
        for f in fields(cls):
            value = os.environ.get(f"{f.name.upper()}_PORT")
            if value:
                setattr(ports, f.name, int(value))
        return ports

    @classmethod
    def free(cls) -> Ports:
        """Free ports picked by the kernel, for tests that run beside other stacks."""
        sockets = []
        try:
            for _ in fields(cls):
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                sockets.append(s)
            return cls(*[s.getsockname()[1] for s in sockets])
        finally:
            for s in sockets:
                s.close()


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen
    log_path: Path


def stop_process_group(popen: subprocess.Popen) -> None:
    """SIGTERM the process group a child leads (it was started with start_new_session),
    then SIGKILL it if it has not gone in 10 s."""
    if popen.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGTERM)
    try:
        popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=5)


def _gcloud_root() -> Path:
    gcloud = shutil.which("gcloud")
    if not gcloud:
        raise StackError(
            "The Google Cloud CLI (gcloud) is not on PATH. It is part of the machine image and "
            "provides the Firestore and Pub/Sub emulators; install it with the "
            "cloud-firestore-emulator and pubsub-emulator components."
        )
    return Path(os.path.realpath(gcloud)).parent.parent


def check_prerequisites(parts: Iterable[str]) -> None:
    """Fail with a clear message when a tool the stack needs is missing."""
    parts = set(parts)
    if parts & {"firestore", "pubsub"}:
        root = _gcloud_root()
        for part, component in (("firestore", "cloud-firestore-emulator"), ("pubsub", "pubsub-emulator")):
            if part in parts and not (root / "platform" / component).exists():
                raise StackError(
                    f"The gcloud component '{component}' is missing under {root}/platform. "
                    f"Install it with: gcloud components install {component}"
                )
        if not shutil.which("java"):
            raise StackError("Java (17 or newer) is needed by the Firestore and Pub/Sub emulators.")
    if "auth" in parts and not FIREBASE_CLI.exists():
        raise StackError(f"firebase-tools is missing ({FIREBASE_CLI}); run `make install`.")
    if "tasks" in parts and not (TASKS_VENV_BIN / "python").exists():
        raise StackError("The Cloud Tasks emulator venv (.venv-tasks) is missing; run `make install`.")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status < 500
    except urllib.error.HTTPError as err:
        return err.code < 500
    except (OSError, urllib.error.URLError):
        return False


def wait_ready(
    popen: subprocess.Popen, ready: Callable[[], bool], name: str, details: Callable[[], str], timeout: float
) -> None:
    """Wait until `ready()` is true; raise StackError (with `details()`) if the process exits
    first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise StackError(f"{name} exited with {popen.returncode}:\n{details()}")
        if ready():
            return
        time.sleep(0.1)
    raise StackError(f"{name} did not become ready in {timeout:.0f} s:\n{details()}")


def _tcp_ok(port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class LocalStack:
    parts: Iterable[str] = ORDER
    ports: Ports = field(default_factory=Ports.from_env)
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    quiet: bool = True

    def __post_init__(self) -> None:
        self.parts = self._with_prerequisites(self.parts)
        self._processes: list[_Process] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="voice-shopper-stack-"))
        self.log_dir = Path(self.log_dir) if self.log_dir else self._tmp / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.started: list[str] = []

    @staticmethod
    def _with_prerequisites(parts: Iterable[str]) -> list[str]:
        wanted: set[str] = set()
        stack = list(parts)
        while stack:
            part = stack.pop()
            if part not in ORDER:
                raise StackError(f"unknown stack part {part!r}; known: {', '.join(ORDER)}")
            if part not in wanted:
                wanted.add(part)
                stack.extend(REQUIRES.get(part, ()))
        return [p for p in ORDER if p in wanted]

    # ---------------------------------------------------------------- addresses

    @property
    def env(self) -> dict[str, str]:
        """Environment that points clients and servers at this stack."""
        p = self.ports
        env = {
            "GOOGLE_CLOUD_PROJECT": PROJECT_ID,
            "GCLOUD_PROJECT": PROJECT_ID,
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{p.firestore}",
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{p.pubsub}",
            "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{p.auth}",
            "TASKS_EMULATOR_HOST": f"127.0.0.1:{p.tasks}",
            "RESEARCH_WORKER_URL": f"http://127.0.0.1:{p.worker}/",
            "FUNCTIONS_BASE_URL": f"http://127.0.0.1:{p.functions}",
            "VOICE_WS_URL": f"ws://127.0.0.1:{p.voice}/ws",
            "CORS_ORIGINS": f"http://127.0.0.1:{p.web},http://localhost:{p.web}",
            "LEARNING_TOPIC": LEARNING_TOPIC,
            "LEARNING_USER_TOPIC": LEARNING_USER_TOPIC,
        }
        env.update(self.extra_env)
        return env

    def url(self, part: str) -> str:
        p = self.ports
        return {
            "firestore": f"http://127.0.0.1:{p.firestore}",
            "pubsub": f"http://127.0.0.1:{p.pubsub}",
            "auth": f"http://127.0.0.1:{p.auth}",
            "tasks": f"127.0.0.1:{p.tasks}",
            "functions": f"http://127.0.0.1:{p.functions}",
            "worker": f"http://127.0.0.1:{p.worker}",
            "scheduler": f"http://127.0.0.1:{p.scheduler}",
            "learner": f"http://127.0.0.1:{p.learner}",
            "voice": f"http://127.0.0.1:{p.voice}",
            "voice_ws": f"ws://127.0.0.1:{p.voice}/ws",
            "web": f"http://127.0.0.1:{p.web}",
        }[part]

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        check_prerequisites(self.parts)
        try:
            for part in self.parts:
                if part not in self.started:
                    getattr(self, f"_start_{part}")()
                    self.started.append(part)
        except BaseException:
            self.stop()
            raise

    def ensure(self, parts: Iterable[str]) -> None:
        """Start further parts (and their prerequisites) on a running stack."""
        for part in self._with_prerequisites(parts):
            if part not in self.parts:
                self.parts.append(part)
        self.parts = [p for p in ORDER if p in self.parts]
        self.start()

    def stop(self) -> None:
        for proc in reversed(self._processes):
            self._terminate(proc)
        self._processes.clear()
        self.started.clear()

    @staticmethod
    def _terminate(proc: _Process) -> None:
        stop_process_group(proc.popen)

    def pids(self) -> list[int]:
        return [p.popen.pid for p in self._processes]

    # ---------------------------------------------------------------- helpers

    def _spawn(
        self, name: str, cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None
    ) -> _Process:
        log_path = self.log_dir / f"{name}.log"
        child_env = {**os.environ, **self.env, **(env or {})}
        # A child must not talk to a real project, whatever the caller's environment says.
        child_env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = _Process(name, popen, log_path)
        self._processes.append(proc)
        return proc

    def _wait(self, proc: _Process, ready: Callable[[], bool], timeout: float = 60) -> None:
        wait_ready(proc.popen, ready, proc.name, lambda: self.tail(proc.name), timeout)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ---------------------------------------------------------------- parts

    def _start_gcloud_emulator(self, name: str, group: list[str], flags: list[str], port: int) -> None:
        """`gcloud <group> start <flags>` on 127.0.0.1:port, ready when its root answers."""
        proc = self._spawn(
            name,
            ["gcloud", *group, "start", f"--host-port=127.0.0.1:{port}", *flags, "--quiet"],
            env={"CLOUDSDK_CORE_DISABLE_PROMPTS": "1"},
        )
        self._wait(proc, lambda: _http_ok(f"http://127.0.0.1:{port}/"))

    def _start_firestore(self) -> None:
        self._start_gcloud_emulator(
            "firestore",
            ["emulators", "firestore"],
            [f"--rules={ROOT / 'firestore.rules'}"],
            self.ports.firestore,
        )

    def _start_pubsub(self) -> None:
        self._start_gcloud_emulator(
            "pubsub", ["beta", "emulators", "pubsub"], [f"--project={PROJECT_ID}"], self.ports.pubsub
        )

    def _start_auth(self) -> None:
        p = self.ports
        config_dir = self._tmp / "firebase"
        config_dir.mkdir(exist_ok=True)
        (config_dir / "firebase.json").write_text(
            json.dumps(
                {
                    "emulators": {
                        "auth": {"host": "127.0.0.1", "port": p.auth},
                        "hub": {"host": "127.0.0.1", "port": p.auth_hub},
                        "logging": {"host": "127.0.0.1", "port": p.auth_logging},
                        "ui": {"enabled": False},
                        "singleProjectMode": True,
                    }
                }
            )
        )
        proc = self._spawn(
            "auth",
            [str(FIREBASE_CLI), "emulators:start", "--only", "auth", "--project", PROJECT_ID],
            cwd=config_dir,
            env={
                "NO_UPDATE_NOTIFIER": "1",
                "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "1",
                "FIREBASE_SKIP_TELEMETRY": "1",
                "CI": "true",
            },
        )
        self._wait(proc, lambda: _http_ok(f"http://127.0.0.1:{p.auth}/"), timeout=90)

    def _start_tasks(self) -> None:
        port = self.ports.tasks
        proc = self._spawn(
            "tasks",
            [
                str(TASKS_VENV_BIN / "python"),
                str(ROOT / "devstack" / "tasks_emulator.py"),
                "--port",
                str(port),
                "--queue",
                TASKS_QUEUE,
            ],
        )
        self._wait(proc, lambda: _tcp_ok(port))

    def _functions_framework(self, name: str, target: str, port: int, signature: str = "http") -> _Process:
        return self._spawn(
            name,
            [
                str(VENV_BIN / "functions-framework"),
                "--source",
                str(ROOT / "functions" / "main.py"),
                "--target",
                target,
                "--signature-type",
                signature,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT / "functions",
            env={"PYTHONPATH": f"{ROOT / 'core'}:{ROOT / 'functions'}"},
        )

    def _start_functions(self) -> None:
        p = self.ports
        servers = [
            (self._functions_framework("functions", "api", p.functions), p.functions),
            (self._functions_framework("worker", "research_worker", p.worker), p.worker),
            (
                self._functions_framework("scheduler", "preference_scheduler", p.scheduler, "cloudevent"),
                p.scheduler,
            ),
            (self._functions_framework("learner", "preference_learner", p.learner, "cloudevent"), p.learner),
        ]
        for proc, port in servers:
            self._wait(proc, lambda port=port: _tcp_ok(port))
        self._wire_pubsub()

    def _wire_pubsub(self) -> None:
        """Topics and push subscriptions that deliver to the learner functions, like Eventarc does."""
        from google.api_core.exceptions import AlreadyExists
        from google.cloud import pubsub_v1

        previous = os.environ.get("PUBSUB_EMULATOR_HOST")
        os.environ["PUBSUB_EMULATOR_HOST"] = self.env["PUBSUB_EMULATOR_HOST"]
        try:
            publisher = pubsub_v1.PublisherClient()
            subscriber = pubsub_v1.SubscriberClient()
            for topic, endpoint in (
                (LEARNING_TOPIC, self.url("scheduler")),
                (LEARNING_USER_TOPIC, self.url("learner")),
            ):
                topic_path = publisher.topic_path(PROJECT_ID, topic)
                with contextlib.suppress(AlreadyExists):
                    publisher.create_topic(name=topic_path)
                sub_path = subscriber.subscription_path(PROJECT_ID, f"{topic}-push")
                with contextlib.suppress(AlreadyExists):
                    subscriber.create_subscription(
                        request={
                            "name": sub_path,
                            "topic": topic_path,
                            "push_config": {
                                "push_endpoint": f"{endpoint}/projects/{PROJECT_ID}/topics/{topic}"
                            },
                            "ack_deadline_seconds": 60,
                        }
                    )
            subscriber.close()
        finally:
            if previous is None:
                del os.environ["PUBSUB_EMULATOR_HOST"]
            else:
                os.environ["PUBSUB_EMULATOR_HOST"] = previous

    def _start_voice(self) -> None:
        port = self.ports.voice
        proc = self._spawn(
            "voice",
            [
                str(VENV_BIN / "python"),
                "-m",
                "voice_runtime.server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={"PORT": str(port), "PYTHONPATH": f"{ROOT / 'core'}:{ROOT}:{ROOT / 'functions'}"},
        )
        self._wait(proc, lambda: _http_ok(f"http://127.0.0.1:{port}/healthz"), timeout=180)

    def web_config(self) -> dict[str, str]:
        p = self.ports
        return {
            "projectId": PROJECT_ID,
            "apiKey": "demo-api-key",
            "authDomain": f"{PROJECT_ID}.firebaseapp.com",
            "authEmulatorUrl": f"http://127.0.0.1:{p.auth}",
            "firestoreEmulatorHost": f"127.0.0.1:{p.firestore}",
            "functionsBaseUrl": f"http://127.0.0.1:{p.functions}",
        }

    def _start_web(self) -> None:
        port = self.ports.web
        dist = ROOT / "web" / "dist"
        if not (dist / "index.html").exists():
            raise StackError("web/dist is not built; run `make web` (npm --prefix web run build).")
        config_path = self._tmp / "web-config.json"
        config_path.write_text(json.dumps(self.web_config()))
        proc = self._spawn(
            "web",
            [
                str(VENV_BIN / "python"),
                str(ROOT / "web" / "serve.py"),
                "--dist",
                str(dist),
                "--port",
                str(port),
                "--config-json",
                str(config_path),
            ],
        )
        self._wait(proc, lambda: _http_ok(f"http://127.0.0.1:{port}/"))


def clear_firestore(stack: LocalStack) -> None:
    """Delete every document in the emulator (its REST reset endpoint)."""
    url = f"{stack.url('firestore')}/emulator/v1/projects/{PROJECT_ID}/databases/(default)/documents"
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10).close()


def clear_auth(stack: LocalStack) -> None:
    """Delete every account in the Auth emulator."""
    url = f"{stack.url('auth')}/emulator/v1/projects/{PROJECT_ID}/accounts"
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10).close()


if __name__ == "__main__":  # pragma: no cover - convenience for debugging one part
    with LocalStack(sys.argv[1:] or ["firestore"], quiet=False) as s:
        print(json.dumps(s.env, indent=2))  # noqa: T201
        input("running; press Enter to stop ")
