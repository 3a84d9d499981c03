# Google APIs the system uses. Left enabled on destroy: disabling an API
# under running resources breaks them.

locals {
  services = [
    "artifactregistry.googleapis.com", # voice image, function builds
    "cloudbuild.googleapis.com",       # function builds, `gcloud builds submit`
    "cloudfunctions.googleapis.com",   # functions/ (gen2)
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",     # preference learning schedule
    "cloudtasks.googleapis.com",         # research jobs
    "firebase.googleapis.com",           # Firebase project, web app
    "firebasehosting.googleapis.com",    # web/
    "firebaserules.googleapis.com",      # firestore.rules
    "firestore.googleapis.com",          # the database
    "generativelanguage.googleapis.com", # Gemini API (key in Secret Manager)
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",  # OIDC tokens for Cloud Tasks and Pub/Sub push
    "identitytoolkit.googleapis.com", # Firebase Auth
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com", # preference learning fan-out
    "run.googleapis.com",    # voice runtime, gen2 functions
    "secretmanager.googleapis.com",
    "serviceusage.googleapis.com",
    "speech.googleapis.com",       # Google STT
    "storage.googleapis.com",      # function sources
    "texttospeech.googleapis.com", # Google TTS
  ]
}

resource "google_project_service" "enabled" {
  for_each = toset(local.services)

  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}

# Service agents that bindings below refer to; created up front so the
# bindings never race the API enablement.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.enabled]
}
