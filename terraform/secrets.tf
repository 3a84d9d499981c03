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

  # Which secrets each workload reads. This one map drives both the
  # secretAccessor bindings (iam.tf) and the secret env vars (functions.tf,
  # run.tf), so a workload can read exactly what it is given. The functions'
  # production validator (settings.py) refuses to start without the pipecat
  # secret and ticket key, so every function gets those two.
  secret_readers = {
    api                  = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "SERPAPI_API_KEY", "GEMINI_API_KEY"]
    research_worker      = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "SERPAPI_API_KEY"]
    preference_scheduler = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY"]
    preference_learner   = ["PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "GEMINI_API_KEY"]
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
