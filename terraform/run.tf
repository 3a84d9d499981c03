# The voice runtime on Cloud Run: one Pipecat pipeline per WebSocket, image
# built from voice_runtime/Dockerfile with the repository root as context.

resource "google_artifact_registry_repository" "containers" {
  project       = var.project_id
  location      = var.region
  repository_id = "voice-shopper"
  description   = "Voice Shopper container images (voice runtime)."
  format        = "DOCKER"
  labels        = var.labels

  depends_on = [google_project_service.enabled]
}

locals {
  voice_env = {
    ENVIRONMENT          = "production"
    GOOGLE_CLOUD_PROJECT = var.project_id
    LOG_LEVEL            = "INFO"
    FUNCTIONS_BASE_URL   = google_cloudfunctions2_function.fn["api"].service_config[0].uri
    STT_PROVIDER         = "google"
    TTS_PROVIDER         = "google"
    LLM_PROVIDER         = "gemini"
    GEMINI_MODEL         = var.gemini_model
    ALLOWED_ORIGINS      = join(",", local.web_origins)
    # One server process per CPU (each runs its sessions on one asyncio loop).
    WORKERS = var.voice_cpu
    # A process refuses sessions beyond what Cloud Run routes to the whole instance.
    MAX_SESSIONS = tostring(var.voice_concurrency)
    # Prometheus /metrics inside the container only (localhost, for a collector sidecar);
    # Cloud Run routes nothing but container_port, so it is never public.
    METRICS_PORT = "9091"
  }
}

resource "google_cloud_run_v2_service" "voice" {
  project             = var.project_id
  location            = var.region
  name                = local.voice_service_name
  description         = "Voice Shopper voice runtime (FastAPI + Pipecat, WebSocket /ws)."
  ingress             = "INGRESS_TRAFFIC_ALL"
  labels              = var.labels
  deletion_protection = var.deletion_protection

  template {
    service_account       = google_service_account.sa["voice"].email
    execution_environment = "EXECUTION_ENVIRONMENT_GEN2"

    # A WebSocket is one long request: allow an hour, and send a reconnecting
    # browser back to the instance that holds its pipeline when it still exists.
    timeout          = "3600s"
    session_affinity = true

    # Sessions per instance and instance count come from the voice benchmark
    # (bench/results/voice_concurrency_cloud.json); see variables.tf.
    max_instance_request_concurrency = var.voice_concurrency

    scaling {
      min_instance_count = var.voice_min_instances
      max_instance_count = var.voice_max_instances
    }

    containers {
      image = var.voice_image

      ports {
        container_port = 8080 # exported to the container as $PORT
      }

      resources {
        limits = {
          cpu    = var.voice_cpu
          memory = var.voice_memory
        }
        # Audio keeps flowing between requests' bytes: CPU must stay allocated.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.voice_env
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets arrive as environment variables from Secret Manager, never as values.
      dynamic "env" {
        for_each = toset(local.secret_readers["voice"])
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 60 # models load once at start; allow two minutes
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  depends_on = [google_secret_manager_secret_iam_member.accessor]
}
