# What the web build, the smoke checks and the operator need (docs/deploy.md).

output "api_url" {
  description = "Base URL of the HTTP API (client and /pipecat/* routes at its root)."
  value       = google_cloudfunctions2_function.fn["api"].service_config[0].uri
}

output "voice_url" {
  description = "Voice runtime base URL (GET /healthz, GET /metrics)."
  value       = google_cloud_run_v2_service.voice.uri
}

output "voice_ws_url" {
  description = "WebSocket URL the API hands out in POST /sessions."
  value       = local.voice_ws_url
}

output "research_worker_url" {
  description = "Cloud Tasks target of research jobs (not publicly invokable)."
  value       = google_cloudfunctions2_function.fn["research_worker"].service_config[0].uri
}

output "hosting_urls" {
  description = "Where the web app is served after `firebase deploy --only hosting`."
  value       = local.web_origins
}

output "hosting_site_id" {
  description = "Firebase Hosting site id (the target of `firebase deploy --only hosting`)."
  value       = google_firebase_hosting_site.web.site_id
}

output "voice_image_repository" {
  description = "Artifact Registry path to push the voice runtime image to."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.containers.repository_id}"
}

# Exactly web/dist/config.json (web/src/lib/config.ts, AppConfig): public values, not secrets.
#   terraform -chdir=terraform output -json web_config > web/dist/config.json
output "web_config" {
  description = "Runtime config of the browser app, written to web/dist/config.json before `firebase deploy`."
  value = {
    projectId        = var.project_id
    apiKey           = data.google_firebase_web_app_config.web.api_key
    authDomain       = data.google_firebase_web_app_config.web.auth_domain
    appId            = google_firebase_web_app.web.app_id
    functionsBaseUrl = google_cloudfunctions2_function.fn["api"].service_config[0].uri
  }
}

output "secret_names" {
  description = "Secret Manager secrets that need a version before the workloads can start."
  value       = sort([for secret in google_secret_manager_secret.secret : secret.secret_id])
}

output "service_accounts" {
  description = "Service account of each workload."
  value       = { for key, sa in google_service_account.sa : key => sa.email }
}

output "dead_letter_subscription" {
  description = "Pull subscription holding preference-learning messages that kept failing."
  value       = google_pubsub_subscription.preference_learning_dead_letter.name
}
