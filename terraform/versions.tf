# Terraform and provider versions, the state backend and the provider configuration.

terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.14, < 8.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.14, < 8.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4, < 3.0"
    }
  }

  # State lives in a versioned GCS bucket (see docs/deploy.md): an earlier state
  # can be restored from its object generations. Configure at init time:
  #   terraform init -backend-config="bucket=<PROJECT>-tfstate"
  backend "gcs" {
    prefix = "voice-shopper"
  }
}

# Firebase, Identity Platform and some Cloud APIs bill the calling project;
# user_project_override makes user credentials (gcloud ADC) work for them.
provider "google" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}

provider "google-beta" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}

data "google_project" "this" {
  project_id = var.project_id
}
