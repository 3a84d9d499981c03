# Cloud Tasks queue of research jobs. The API enqueues one HTTP task per query
# (task name = query id, so a duplicate enqueue is a no-op) targeting the
# research worker with an OIDC token of the tasks invoker.

resource "google_cloud_tasks_queue" "research" {
  project  = var.project_id
  name     = "research"
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.research_queue_max_dispatches_per_second
    max_concurrent_dispatches = var.research_queue_max_concurrent_dispatches
  }

  # Providers fail transiently (timeouts, 429s): back off quickly at first, then
  # give up within ten minutes; the worker marks the query failed on its last try.
  retry_config {
    max_attempts       = var.research_queue_max_attempts
    max_retry_duration = "600s"
    min_backoff        = "2s"
    max_backoff        = "60s"
    max_doublings      = 4
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  depends_on = [google_project_service.enabled]
}
