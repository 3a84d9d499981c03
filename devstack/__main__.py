"""`make dev`: the whole product on 127.0.0.1 until Ctrl-C; `make learn`: fire the scheduled pass.

python -m devstack            # run everything (ports overridable, e.g. FUNCTIONS_PORT=5101)
python -m devstack learn      # publish the Cloud Scheduler message to the running stack
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import urllib.error
import urllib.request

from devstack.stack import LEARNING_TOPIC, ORDER, PROJECT_ID, LocalStack, Ports, StackError

log = logging.getLogger("devstack")

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "voice-shopper-demo"


def _seed_demo_user(stack: LocalStack) -> None:
    """A demo account in the Auth emulator (emulator-only credentials, nothing secret)."""
    request = urllib.request.Request(
        f"{stack.url('auth')}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-api-key",
        data=json.dumps({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as err:  # EMAIL_EXISTS on a restart is fine
        if err.code != 400:
            raise


def run(parts: list[str]) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stack = LocalStack(parts, ports=Ports.from_env(), log_dir=os.path.join(".stack", "logs"))
    try:
        log.info("starting %s", ", ".join(stack.parts))
        stack.start()
        if "auth" in stack.parts:
            _seed_demo_user(stack)
        lines = [
            "",
            "Voice Shopper is running (Ctrl-C stops everything):",
            f"  web app          {stack.url('web')}/voice-shopper" if "web" in stack.parts else "",
            f"  demo sign-in     {DEMO_EMAIL} / {DEMO_PASSWORD}" if "auth" in stack.parts else "",
            f"  HTTP API         {stack.url('functions')}" if "functions" in stack.parts else "",
            f"  voice WebSocket  {stack.url('voice_ws')}" if "voice" in stack.parts else "",
            f"  research worker  {stack.url('worker')}" if "functions" in stack.parts else "",
            f"  Firestore        {stack.url('firestore')}",
            f"  Pub/Sub          {stack.url('pubsub')}" if "pubsub" in stack.parts else "",
            f"  Auth             {stack.url('auth')}" if "auth" in stack.parts else "",
            f"  Cloud Tasks      {stack.url('tasks')}" if "tasks" in stack.parts else "",
            f"  logs             {stack.log_dir}/",
            "  learn now        make learn",
            "",
        ]
        sys.stdout.write("\n".join(line for line in lines if line != "") + "\n")
        sys.stdout.flush()
        while not stop.is_set():
            dead = [p.name for p in stack._processes if p.popen.poll() is not None]
            if dead:
                log.error("%s stopped unexpectedly:\n%s", dead[0], stack.tail(dead[0]))
                return 1
            stop.wait(1)
        return 0
    except StackError as err:
        log.error("%s", err)
        return 1
    finally:
        stack.stop()
        log.info("stopped everything")


def fire_learning() -> int:
    """Publish the scheduler's message, as Cloud Scheduler does in production."""
    from google.cloud import pubsub_v1

    os.environ.setdefault("PUBSUB_EMULATOR_HOST", f"127.0.0.1:{Ports.from_env().pubsub}")
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(PROJECT_ID, LEARNING_TOPIC)
    message_id = publisher.publish(topic, json.dumps({"trigger": "manual"}).encode()).result(timeout=10)
    log.info("published the learning pass to %s (message %s)", topic, message_id)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "learn"])
    parser.add_argument("--parts", default=",".join(ORDER), help="comma-separated parts to start")
    args = parser.parse_args()
    if args.command == "learn":
        return fire_learning()
    return run([p for p in args.parts.split(",") if p])


if __name__ == "__main__":
    sys.exit(main())
