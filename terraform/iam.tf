# Identities. One service account per workload, each granted only what that
# workload does; never roles/owner or roles/editor (tests/unit/test_terraform.py
# fails if one appears).

locals {
  service_accounts = {
    api = {
      account_id = "shopper-api"
      title      = "Voice Shopper API function"
    }
    research_worker = {
      account_id = "shopper-research-worker"
      title      = "Voice Shopper research worker"
    }
    preference_learner = {
      account_id = "shopper-preference-learner"
      title      = "Voice Shopper preference scheduler and learner"
    }
    voice = {
      account_id = "shopper-voice-runtime"
      title      = "Voice Shopper voice runtime (Cloud Run)"
    }
    scheduler_invoker = {
      account_id = "shopper-scheduler-invoker"
      title      = "Pub/Sub push identity invoking the preference functions"
    }
    tasks_invoker = {
      account_id = "shopper-tasks-invoker"
      title      = "Cloud Tasks OIDC identity invoking the research worker"
    }
    builder = {
      account_id = "shopper-functions-builder"
      title      = "Cloud Build identity building the functions"
    }
  }

  # The identity each secret-reading workload runs as (see secret_readers in secrets.tf).
  workload_identity = {
    api                  = "api"
    research_worker      = "research_worker"
    preference_scheduler = "preference_learner"
    preference_learner   = "preference_learner"
    voice                = "voice"
  }

  secret_grants = {
    for grant in distinct(flatten([
      for workload, secrets in local.secret_readers : [
        for secret in secrets : { identity = local.workload_identity[workload], secret = secret }
      ]
    ])) : "${grant.identity}/${grant.secret}" => grant
  }

  # Project-level roles, each the narrowest predefined role for the job.
  project_roles = {
    "api/datastore"                = { identity = "api", role = "roles/datastore.user" }
    "research_worker/datastore"    = { identity = "research_worker", role = "roles/datastore.user" }
    "preference_learner/datastore" = { identity = "preference_learner", role = "roles/datastore.user" }
    "voice/speech"                 = { identity = "voice", role = "roles/speech.client" }
    "builder/build"                = { identity = "builder", role = "roles/cloudbuild.builds.builder" }
  }
}

resource "google_service_account" "sa" {
  for_each = local.service_accounts

  project      = var.project_id
  account_id   = each.value.account_id
  display_name = each.value.title

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "role" {
  for_each = local.project_roles

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.sa[each.value.identity].email}"
}

# Each workload reads only its own secrets.
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.secret_grants

  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.sa[each.value.identity].email}"
}

# ---------------------------------------------------------------- research jobs

# The API enqueues research tasks on the one queue...
resource "google_cloud_tasks_queue_iam_member" "api_enqueuer" {
  project  = var.project_id
  location = google_cloud_tasks_queue.research.location
  name     = google_cloud_tasks_queue.research.name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.sa["api"].email}"
}

# ...with an OIDC token of the tasks invoker, which it may act as for that purpose only.
resource "google_service_account_iam_member" "api_acts_as_tasks_invoker" {
  service_account_id = google_service_account.sa["tasks_invoker"].name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.sa["api"].email}"
}

# Only the tasks invoker may call the research worker: no public invoker.
resource "google_cloud_run_v2_service_iam_member" "research_worker_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["research_worker"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.sa["tasks_invoker"].email}"
}

# ---------------------------------------------------------------- preference learning

# The scheduler pass fans out one message per user; POST /preferences/learn may too.
resource "google_pubsub_topic_iam_member" "user_topic_publisher" {
  for_each = toset(["preference_learner", "api"])

  project = var.project_id
  topic   = google_pubsub_topic.preference_learning_user.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.sa[each.key].email}"
}

# Pub/Sub pushes to the two preference functions as the scheduler invoker.
resource "google_cloud_run_v2_service_iam_member" "preference_invoker" {
  for_each = toset(["preference_scheduler", "preference_learner"])

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.sa["scheduler_invoker"].email}"
}

# Pub/Sub's service agent mints the push OIDC tokens of the scheduler invoker...
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.sa["scheduler_invoker"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# ...and moves undeliverable messages to the dead-letter topic.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.preference_learning_dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = {
    scheduler = google_pubsub_subscription.preference_scheduler.name
    learner   = google_pubsub_subscription.preference_learner.name
  }

  project      = var.project_id
  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# ---------------------------------------------------------------- public entry points

# The API is public: client routes check Firebase ID tokens, server routes the
# X-Pipecat-Secret, both in the code.
resource "google_cloud_run_v2_service_iam_member" "api_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["api"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Browsers open the voice WebSocket directly; the session ticket (HMAC, bound to
# session and user, short expiry) is checked before any audio is processed.
resource "google_cloud_run_v2_service_iam_member" "voice_public" {
  project  = var.project_id
  location = google_cloud_run_v2_service.voice.location
  name     = google_cloud_run_v2_service.voice.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The functions builder reads the uploaded source archive.
resource "google_storage_bucket_iam_member" "builder_reads_source" {
  bucket = google_storage_bucket.functions_source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.sa["builder"].email}"
}
