# Cloud Functions (gen2) from functions/: one deployment per entry point of
# functions/main.py, all built from the same source archive: the bundle that
# `make bundle` (python -m devstack.bundle) writes to build/functions/, which is
# functions/ plus the shared package core/ that its requirements.txt installs.
# Each runs as its own service account.

locals {
  project_number = data.google_project.this.number

  # Deterministic Cloud Run URLs (https://SERVICE-PROJECT_NUMBER.REGION.run.app):
  # known before the services exist, so the API and the voice runtime can point
  # at each other without a dependency cycle.
  voice_service_name  = "voice"
  voice_url           = "https://${local.voice_service_name}-${local.project_number}.${var.region}.run.app"
  voice_ws_url        = "${replace(local.voice_url, "https://", "wss://")}/ws"
  research_worker_url = "https://research-worker-${local.project_number}.${var.region}.run.app" # = OIDC audience

  # Settings every function reads (functions/shopper/settings.py).
  function_common_env = {
    ENVIRONMENT          = "production"
    GOOGLE_CLOUD_PROJECT = var.project_id
    REGION               = var.region
    FIRESTORE_DATABASE   = google_firestore_database.main.name
    LOG_LEVEL            = "INFO"
    LEARNING_TOPIC       = google_pubsub_topic.preference_learning.name
    LEARNING_USER_TOPIC  = google_pubsub_topic.preference_learning_user.name
  }

  # Settings of the functions that learn preferences (the learner, and the API's on-demand learn).
  learning_env = {
    LEARNER      = var.learner
    GEMINI_MODEL = var.gemini_model
  }

  # Settings of the functions that take part in research.
  research_env = {
    RESEARCH_PROVIDERS            = join(",", var.research_providers)
    RESEARCH_WORKER_URL           = local.research_worker_url
    TASKS_LOCATION                = google_cloud_tasks_queue.research.location
    TASKS_QUEUE                   = google_cloud_tasks_queue.research.name
    TASKS_INVOKER_SERVICE_ACCOUNT = google_service_account.sa["tasks_invoker"].email
  }

  # Settings only the API reads: where browsers come from and where they talk to the agent.
  api_env = {
    CORS_ORIGINS = join(",", local.web_origins)
    VOICE_WS_URL = local.voice_ws_url
    # The socket peer is Google's front end; the client is the hop it appends.
    TRUST_FORWARDED_FOR = "true"
  }

  functions = {
    api = {
      name          = "api"
      entry_point   = "api"
      description   = "HTTP API: client routes (Firebase ID token) and /pipecat/* server routes."
      identity      = "api"
      ingress       = "ALLOW_ALL"
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 40
      timeout       = 60
      min_instances = var.api_min_instances
      max_instances = var.api_max_instances
      env           = merge(local.function_common_env, local.research_env, local.learning_env, local.api_env)
    }
    research_worker = {
      name          = "research-worker"
      entry_point   = "research_worker"
      description   = "Cloud Tasks target: runs one research job (queries -> products)."
      identity      = "research_worker"
      ingress       = "ALLOW_INTERNAL_ONLY" # Cloud Tasks counts as internal
      memory        = "1Gi"                 # the embedded catalog index lives in memory
      cpu           = "1"
      concurrency   = 8
      timeout       = 120
      min_instances = 0
      max_instances = var.worker_max_instances
      env           = merge(local.function_common_env, local.research_env)
    }
    preference_scheduler = {
      name          = "preference-scheduler"
      entry_point   = "preference_scheduler"
      description   = "Pub/Sub (Cloud Scheduler): fans out one learning message per user."
      identity      = "preference_learner"
      ingress       = "ALLOW_INTERNAL_ONLY" # Pub/Sub push counts as internal
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 1
      timeout       = 540
      min_instances = 0
      max_instances = 1
      env           = local.function_common_env
    }
    preference_learner = {
      name          = "preference-learner"
      entry_point   = "preference_learner"
      description   = "Pub/Sub: learns one user's preferences from their recent signals."
      identity      = "preference_learner"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 4
      timeout       = 300
      min_instances = 0
      max_instances = var.learner_max_instances
      env           = merge(local.function_common_env, local.learning_env)
    }
  }
}

data "archive_file" "functions_source" {
  type        = "zip"
  source_dir  = "${path.module}/../build/functions" # make bundle
  output_path = "${path.module}/.build/functions-source.zip"
  excludes = [
    "**/__pycache__/**",
    "**/*.pyc",
    "**/.pytest_cache/**",
    ".env",
  ]
}

resource "google_storage_bucket" "functions_source" {
  project                     = var.project_id
  name                        = "${var.project_id}-functions-source"
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  # Old archives are only needed to roll back; keep a month of them.
  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.enabled]
}

# The object name carries the archive hash: a code change is a new object,
# which makes every function rebuild; an unchanged tree deploys nothing.
resource "google_storage_bucket_object" "functions_source" {
  name   = "functions-${data.archive_file.functions_source.output_md5}.zip"
  bucket = google_storage_bucket.functions_source.name
  source = data.archive_file.functions_source.output_path
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = each.value.name
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime         = "python311"
    entry_point     = each.value.entry_point
    service_account = google_service_account.sa["builder"].id

    source {
      storage_source {
        bucket = google_storage_bucket.functions_source.name
        object = google_storage_bucket_object.functions_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.sa[each.value.identity].email
    ingress_settings                 = each.value.ingress
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    max_instance_request_concurrency = each.value.concurrency
    timeout_seconds                  = each.value.timeout
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    all_traffic_on_latest_revision   = true
    # WORKLOAD names the function to its settings (functions/shopper/settings.py), which
    # then require exactly the secrets secret_readers gives it.
    environment_variables = merge(each.value.env, { WORKLOAD = each.key })

    # Secrets arrive as environment variables from Secret Manager, never as values.
    dynamic "secret_environment_variables" {
      for_each = toset(local.secret_readers[each.key])
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.accessor,
    google_project_iam_member.role,
    google_storage_bucket_iam_member.builder_reads_source,
  ]
}
