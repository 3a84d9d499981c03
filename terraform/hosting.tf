# Firebase: the project, the web app the browser SDK identifies as, and the
# Hosting site serving web/dist. Content is deployed by
# `firebase deploy --only hosting` (firebase.json at the repo root), not by
# Terraform: see docs/deploy.md.

locals {
  hosting_site_id = var.hosting_site_id == "" ? var.project_id : var.hosting_site_id

  # Origins the browser app is served from: CORS of the API, Origin check of the voice WebSocket.
  web_origins = concat(
    ["https://${local.hosting_site_id}.web.app", "https://${local.hosting_site_id}.firebaseapp.com"],
    var.extra_web_origins,
  )
}

resource "google_firebase_project" "this" {
  provider = google-beta
  project  = var.project_id

  depends_on = [google_project_service.enabled]
}

resource "google_firebase_web_app" "web" {
  provider        = google-beta
  project         = var.project_id
  display_name    = "Voice Shopper"
  deletion_policy = "DELETE"

  depends_on = [google_firebase_project.this]
}

# apiKey, authDomain, ... for the web build (outputs.tf).
data "google_firebase_web_app_config" "web" {
  provider   = google-beta
  project    = var.project_id
  web_app_id = google_firebase_web_app.web.app_id
}

resource "google_firebase_hosting_site" "web" {
  provider = google-beta
  project  = var.project_id
  site_id  = local.hosting_site_id
  app_id   = google_firebase_web_app.web.app_id

  depends_on = [google_firebase_project.this]
}
