# Firebase Authentication (Identity Platform): email/password sign-in for the
# web app. Google sign-in needs an OAuth client made in the console; see
# docs/deploy.md.

resource "google_identity_platform_config" "auth" {
  project                    = var.project_id
  autodelete_anonymous_users = true
  authorized_domains = concat(
    ["localhost", "${local.hosting_site_id}.web.app", "${local.hosting_site_id}.firebaseapp.com"],
    [for origin in var.extra_web_origins : replace(replace(origin, "https://", ""), "http://", "")],
  )

  sign_in {
    allow_duplicate_emails = false

    email {
      enabled           = var.auth_email_sign_in
      password_required = true
    }
  }

  depends_on = [google_firebase_project.this]
}
