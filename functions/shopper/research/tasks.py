"""The research queue: one Cloud Tasks HTTP task per query, named after the query id.

Because the task name is the query id, enqueuing the same query twice is a no-op
(Cloud Tasks answers ALREADY_EXISTS, which `enqueue_research` treats as success).
Locally the real google-cloud-tasks client talks to the emulator at
settings.tasks_emulator_host over an insecure gRPC channel; in production the task
carries an OIDC token of settings.tasks_invoker_service_account so only the queue can
invoke the worker.
"""

from __future__ import annotations

import json
import threading

import grpc
from google.api_core.exceptions import AlreadyExists
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

from shopper.settings import Settings, get_settings
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)
_CLIENTS: dict[str, tasks_v2.CloudTasksClient] = {}
_LOCK = threading.Lock()


def tasks_client(settings: Settings | None = None) -> tasks_v2.CloudTasksClient:
    """One client per process (per emulator address)."""
    settings = settings or get_settings()
    key = settings.tasks_emulator_host or "cloud"
    with _LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            if settings.tasks_emulator_host:
                channel = grpc.insecure_channel(settings.tasks_emulator_host)
                client = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
            else:
                client = tasks_v2.CloudTasksClient()
            _CLIENTS[key] = client
    return client


def research_task(
    query_id: str, settings: Settings, client: tasks_v2.CloudTasksClient, task_id: str | None = None
) -> dict:
    """The task as Cloud Tasks receives it (exposed for tests); named `task_id`, by default
    the query id."""
    http_request: dict = {
        "http_method": tasks_v2.HttpMethod.POST,
        "url": settings.research_worker_url,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"queryId": query_id}).encode("utf-8"),
    }
    if settings.tasks_invoker_service_account:
        http_request["oidc_token"] = {
            "service_account_email": settings.tasks_invoker_service_account,
            "audience": settings.research_worker_url,
        }
    return {
        "name": client.task_path(
            settings.project_id, settings.tasks_location, settings.tasks_queue, task_id or query_id
        ),
        "http_request": http_request,
    }


def enqueue_research(
    query_id: str,
    settings: Settings | None = None,
    client: tasks_v2.CloudTasksClient | None = None,
    task_id: str | None = None,
) -> bool:
    """Enqueue the research job of `query_id`; False when a task of that name already exists.

    `task_id` names the task (default: the query id; a retry of a stalled query uses its
    own name, since Cloud Tasks keeps a used name reserved for a while). Other errors
    (queue unreachable, permission) propagate to the caller.
    """
    settings = settings or get_settings()
    client = client or tasks_client(settings)
    parent = client.queue_path(settings.project_id, settings.tasks_location, settings.tasks_queue)
    try:
        client.create_task(parent=parent, task=research_task(query_id, settings, client, task_id), timeout=10)
    except AlreadyExists:
        log_event(logger, "research task already enqueued", queryId=query_id, task=task_id or query_id)
        return False
    log_event(
        logger,
        "research task enqueued",
        queryId=query_id,
        task=task_id or query_id,
        queue=settings.tasks_queue,
    )
    return True
