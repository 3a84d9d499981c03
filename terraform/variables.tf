# Inputs. Secret values are never variables: they go to Secret Manager with
# `gcloud secrets versions add` (docs/deploy.md).

variable "project_id" {
  description = "Google Cloud project id to deploy into (billing enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens)."
  }
}

variable "region" {
  description = "Region of the functions, the voice service, the Cloud Tasks queue and the scheduler job."
  type        = string
  default     = "us-central1"
}

variable "firestore_location" {
  description = "Firestore location (multi-region nam5/eur3 or a region). Cannot change after creation."
  type        = string
  default     = "nam5"
}

variable "firestore_database" {
  description = "Firestore database id; \"(default)\" is what the Firebase JS SDK opens unless told otherwise."
  type        = string
  default     = "(default)"
}

variable "labels" {
  description = "Labels put on every resource that takes them."
  type        = map(string)
  default = {
    app = "voice-shopper"
  }
}

variable "deletion_protection" {
  description = "Guard the voice service and Firestore database against `terraform destroy`."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------- web and auth

variable "hosting_site_id" {
  description = "Firebase Hosting site id; empty means the project's default site (the project id)."
  type        = string
  default     = ""
}

variable "extra_web_origins" {
  description = "More origins allowed by CORS besides the Hosting site's two domains, e.g. a custom domain."
  type        = list(string)
  default     = []
}

variable "auth_email_sign_in" {
  description = "Allow email/password sign-in (Firebase Auth via Identity Platform)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------- functions

variable "research_providers" {
  description = "Research providers the worker queries, in order (catalog is embedded; serpapi needs SERPAPI_API_KEY)."
  type        = list(string)
  default     = ["catalog", "serpapi"]

  validation {
    condition     = length(var.research_providers) > 0
    error_message = "At least one research provider is needed."
  }
}

variable "learner" {
  description = "Preference learner: offline (rules over signals) or gemini (structured Gemini output)."
  type        = string
  default     = "gemini"

  validation {
    condition     = contains(["offline", "gemini"], var.learner)
    error_message = "learner must be offline or gemini."
  }
}

variable "gemini_model" {
  description = "Gemini model used by the voice agent and the preference learner."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "api_max_instances" {
  description = "Upper bound of API function instances."
  type        = number
  default     = 20
}

variable "api_min_instances" {
  description = "Warm API instances (1 keeps the first request of the day fast)."
  type        = number
  default     = 1
}

variable "worker_max_instances" {
  description = "Upper bound of research worker instances (Cloud Tasks also caps concurrent dispatches)."
  type        = number
  default     = 10
}

variable "learner_max_instances" {
  description = "Upper bound of preference learner instances."
  type        = number
  default     = 5
}

# ---------------------------------------------------------------- research queue

variable "research_queue_max_dispatches_per_second" {
  description = "Cloud Tasks rate limit of the research queue."
  type        = number
  default     = 20
}

variable "research_queue_max_concurrent_dispatches" {
  description = "Research jobs running at once across all worker instances."
  type        = number
  default     = 50
}

variable "research_queue_max_attempts" {
  description = "Attempts per research job before Cloud Tasks gives up (the worker marks the query failed)."
  type        = number
  default     = 5
}

# ---------------------------------------------------------------- preference learning

variable "learning_schedule" {
  description = "Cron schedule (UTC) of the preference learning pass."
  type        = string
  default     = "0 * * * *"
}

variable "learning_max_delivery_attempts" {
  description = "Deliveries of a learning message before it goes to the dead-letter topic (5-100)."
  type        = number
  default     = 5
}

# ---------------------------------------------------------------- voice runtime

variable "voice_image" {
  description = "Container image of the voice runtime (built from voice_runtime/Dockerfile), ideally pinned by digest."
  type        = string
}

# Sized by the voice benchmark (bench/results/voice_concurrency_cloud.json): the number
# of simultaneous sessions one server process holds on one CPU with voice-to-voice
# latency still on target (the median of several whole runs, `--runs 3`: one run alone
# did not repeat), times the instance's CPUs (one process each). Re-run the bench and
# update these when the pipeline changes.
variable "voice_concurrency" {
  description = "WebSocket sessions per voice instance (bench/results/voice_concurrency_cloud.json: 10 per CPU within 1.5x the one-session p95, the median of 3 runs, 2 CPUs)."
  type        = number
  default     = 20

  validation {
    condition     = var.voice_concurrency >= 1 && var.voice_concurrency <= 1000
    error_message = "voice_concurrency must be between 1 and 1000."
  }
}

variable "voice_max_instances" {
  description = "Upper bound of voice instances; capacity = voice_max_instances * voice_concurrency sessions."
  type        = number
  default     = 10
}

variable "voice_min_instances" {
  description = "Voice instances kept warm (>= 1 so the first session never waits for a cold start)."
  type        = number
  default     = 1

  validation {
    condition     = var.voice_min_instances >= 1
    error_message = "Keep at least one warm voice instance: a cold start breaks the half-second answer."
  }
}

variable "voice_cpu" {
  description = "CPUs per voice instance; the runtime starts one server process per CPU."
  type        = string
  default     = "2"

  validation {
    condition     = can(regex("^[1-8]$", var.voice_cpu))
    error_message = "voice_cpu must be a whole number of CPUs (1-8): the runtime runs one process per CPU."
  }
}

variable "voice_memory" {
  description = "Memory per voice instance."
  type        = string
  default     = "2Gi"
}

# ---------------------------------------------------------------- monitoring

variable "alert_email" {
  description = "Email that receives alerts; empty creates the policies without a notification channel."
  type        = string
  default     = ""
}

variable "auth_failure_threshold" {
  description = "Authentication failures per 5 minutes that raise an alert."
  type        = number
  default     = 50
}

variable "latency_warning_ms" {
  description = "p95 latency (API request, voice-to-voice) above which a warning fires."
  type        = number
  default     = 2000
}

variable "error_rate_threshold" {
  description = "Share of 5xx responses that raises an alert."
  type        = number
  default     = 0.05
}

variable "memory_warning_utilization" {
  description = "Container memory utilisation that raises a warning."
  type        = number
  default     = 0.8
}
