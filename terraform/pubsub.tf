# Pub/Sub for preference learning:
#   Cloud Scheduler -> preference-learning -> preference_scheduler (fan-out)
#                   -> preference-learning-user (one message per user) -> preference_learner
#
# The functions are fed by explicit push subscriptions (rather than Eventarc
# triggers) so each has a retry backoff and a dead-letter topic: a message that
# keeps failing is parked after a few attempts instead of being redelivered for
# days. functions-framework turns the push body into the same CloudEvent an
# Eventarc trigger would deliver. The handlers are idempotent, so a redelivery
# is harmless.

locals {
  learning_topic      = "preference-learning"
  learning_user_topic = "preference-learning-user"
}

resource "google_pubsub_topic" "preference_learning" {
  project                    = var.project_id
  name                       = local.learning_topic
  labels                     = var.labels
  message_retention_duration = "86400s"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "preference_learning_user" {
  project                    = var.project_id
  name                       = local.learning_user_topic
  labels                     = var.labels
  message_retention_duration = "86400s"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "preference_learning_dead_letter" {
  project = var.project_id
  name    = "preference-learning-dead-letter"
  labels  = var.labels

  depends_on = [google_project_service.enabled]
}

# Keeps dead letters for a week so they can be inspected and replayed:
#   gcloud pubsub subscriptions pull preference-learning-dead-letter --limit=10
resource "google_pubsub_subscription" "preference_learning_dead_letter" {
  project                    = var.project_id
  name                       = "preference-learning-dead-letter"
  topic                      = google_pubsub_topic.preference_learning_dead_letter.id
  labels                     = var.labels
  message_retention_duration = "604800s"
  retain_acked_messages      = true
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "preference_scheduler" {
  project = var.project_id
  name    = "preference-scheduler-push"
  topic   = google_pubsub_topic.preference_learning.id
  labels  = var.labels

  ack_deadline_seconds       = 540
  message_retention_duration = "3600s" # a missed hourly pass is replaced by the next one

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["preference_scheduler"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.sa["scheduler_invoker"].email
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.preference_learning_dead_letter.id
    max_delivery_attempts = var.learning_max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "preference_learner" {
  project = var.project_id
  name    = "preference-learner-push"
  topic   = google_pubsub_topic.preference_learning_user.id
  labels  = var.labels

  ack_deadline_seconds       = 300
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["preference_learner"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.sa["scheduler_invoker"].email
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.preference_learning_dead_letter.id
    max_delivery_attempts = var.learning_max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.preference_invoker]
}
