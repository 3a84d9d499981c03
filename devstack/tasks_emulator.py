"""Run the Cloud Tasks emulator (gcloud-tasks-emulator) the way the local stack needs it.

Runs under .venv-tasks (the emulator needs protobuf 4). Three differences from its
own CLI, each bringing it closer to the real service or to the machine's rules:
- it binds 127.0.0.1 only (the CLI binds every interface);
- creating a task whose name exists fails with ALREADY_EXISTS, as Cloud Tasks does,
  so a duplicate enqueue of a research job is a no-op;
- it polls its queues every 10 ms instead of 100 ms, so local dispatch is prompt.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

import grpc
from gcloud_tasks_emulator import server
from google.api_core.exceptions import AlreadyExists


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queue", action="append", required=True, help="projects/P/locations/L/queues/Q")
    parser.add_argument("--max-retries", type=int, default=5)
    args = parser.parse_args()

    server._LOOP_SLEEP_TIME = 0.01
    bind = f"{args.host}:{args.port}"

    def run_api(thread: server.APIThread) -> None:
        from concurrent import futures

        thread._httpd = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        server.add_CloudTasksServicer_to_server(server.Greeter(thread._state), thread._httpd)
        thread._httpd.add_insecure_port(bind)
        thread._httpd.start()
        thread._is_running.set()
        while thread._is_running.is_set():
            server.time.sleep(0.05)

    original_create = server.QueueState.create_task

    def create_task_once(state: server.QueueState, queue: str, task: server.Task) -> server.Task:
        if task.name and any(t.name == task.name for t in state._queue_tasks.get(queue, [])):
            raise AlreadyExists(f"Task {task.name} already exists.")
        if task.name and task.name in state._seen_task_names:
            raise AlreadyExists(f"Task {task.name} already exists.")
        created = original_create(state, queue, task)
        state._seen_task_names.add(created.name)
        return created

    server.APIThread.run = run_api
    server.QueueState._seen_task_names = set()
    server.QueueState.create_task = create_task_once

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    emulator = server.create_server(args.host, args.port, "127.0.0.1", 0, args.queue, args.max_retries)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    emulator.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
