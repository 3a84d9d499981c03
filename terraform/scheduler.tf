# Cloud Scheduler: the periodic preference-learning pass. The job publishes to
# the preference-learning topic; the preference_scheduler function fans out
# one message per user with new signals.

resource "google_cloud_scheduler_job" "preference_learning" {
  project     = var.project_id
  region      = var.region
  name        = "preference-learning"
  description = "Learn user preferences from recent interaction signals."
  schedule    = var.learning_schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.preference_learning.id
    data       = base64encode(jsonencode({ source = "cloud-scheduler", job = "preference-learning" }))
    attributes = {
      origin = "cloud-scheduler"
    }
  }

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "300s"
  }

  depends_on = [google_project_service.enabled]
}
