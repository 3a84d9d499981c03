# Secret Manager secrets: containers only. Their values are added out of band
# with `gcloud secrets versions add NAME --data-file=-` (docs/deploy.md), so no
# secret value ever appears in Terraform code, variables or state.
#
# The secret id is the environment variable name the code reads:
# functions/shopper/settings.py (SECRET_ENV_VARS) and the voice runtime settings.

locals {
  secret_names = [
    "PIPECAT_SERVER_SECRET", # X-Pipecat-Secret between the voice runtime and the API
    "SESSION_TICKET_KEY",    # HMAC key of the WebSocket session tickets
    "SERPAPI_API_KEY",       # Google Shopping through SerpApi (research provider)
    "GEMINI_API_KEY",        # Gemini: voice agent LLM and preference learner
  ]

  # Which secrets each workload reads, and no more. This one map drives both the
  # secretAccessor bindings (iam.tf) and the secret env vars (functions.tf, run.tf).
  # The functions' settings (functions/shopper/settings.py WORKLOAD_SECRETS) require
  # exactly these per function: the API checks the voice runtime's secret, mints the
  # session tickets and learns on demand; the worker calls SerpApi; the learner calls
  # Gemini; the scheduler only fans out. The voice runtime holds the server secret, the
  # ticket key and its LLM key.
  secret_readers = {
    api                  = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "GEMINI_API_KEY"]
    research_worker      = ["SERPAPI_API_KEY"]
    preference_scheduler = []
    preference_learner   = ["GEMINI_API_KEY"]
    voice                = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "GEMINI_API_KEY"]
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each = toset(local.secret_names)

  project   = var.project_id
  secret_id = each.key
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}
