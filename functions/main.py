"""Cloud Functions entry points. Each is a few lines: the work lives in shopper/."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent
from flask import Request, Response

from shopper.api.app import handle_api_request
from shopper.learning.triggers import handle_schedule_event, handle_user_event
from shopper.research.worker import handle_research_task


@functions_framework.http
def api(request: Request) -> Response:
    """The HTTP API: client routes (Firebase ID token) and /pipecat/* server routes."""
    return handle_api_request(request)


@functions_framework.http
def research_worker(request: Request) -> Response:
    """Cloud Tasks HTTP target: runs one research job (the task name is the query id)."""
    return handle_research_task(request)


@functions_framework.cloud_event
def preference_scheduler(event: CloudEvent) -> None:
    """Pub/Sub (from Cloud Scheduler): fans out one learning message per user with new signals."""
    handle_schedule_event(event)


@functions_framework.cloud_event
def preference_learner(event: CloudEvent) -> None:
    """Pub/Sub: learns one user's preferences from their recent signals."""
    handle_user_event(event)
