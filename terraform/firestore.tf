# Firestore: the database, its security rules and its composite indexes. Rules
# and indexes are read from the repository's own files (the ones the emulator
# loads), so what runs in production cannot drift from what the tests exercise.

locals {
  firestore_rules_release = (
    var.firestore_database == "(default)" ? "cloud.firestore" : "cloud.firestore/${var.firestore_database}"
  )

  firestore_index_file = jsondecode(file("${path.module}/../firestore.indexes.json"))

  # Keyed by collection, scope and fields, so editing one index replaces only that one.
  firestore_indexes = {
    for index in try(local.firestore_index_file.indexes, []) :
    join(" ", concat(
      [index.collectionGroup, try(index.queryScope, "COLLECTION")],
      [for field in index.fields : "${field.fieldPath}:${try(field.order, field.arrayConfig)}"],
    )) => index
  }

  firestore_field_overrides = {
    for override in try(local.firestore_index_file.fieldOverrides, []) :
    "${override.collectionGroup}.${override.fieldPath}" => override
  }
}

resource "google_firestore_database" "main" {
  project                           = var.project_id
  name                              = var.firestore_database
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "OPTIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "DELETE"

  depends_on = [google_project_service.enabled]
}

# Rulesets are immutable: a changed firestore.rules makes a new ruleset and the
# release is re-pointed at it.
resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id

  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/../firestore.rules")
    }
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_firestore_database.main]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = local.firestore_rules_release
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"

  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}

resource "google_firestore_index" "index" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}

# Single-field index exemptions and TTL policies from "fieldOverrides".
resource "google_firestore_field" "override" {
  for_each = local.firestore_field_overrides

  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  # Present only when the override lists indexes ([] turns single-field indexing off);
  # a TTL-only override leaves the default indexes alone.
  dynamic "index_config" {
    for_each = can(each.value.indexes) ? [each.value.indexes] : []
    content {
      dynamic "indexes" {
        for_each = index_config.value
        content {
          query_scope  = try(indexes.value.queryScope, "COLLECTION")
          order        = try(indexes.value.order, null)
          array_config = try(indexes.value.arrayConfig, null)
        }
      }
    }
  }

  dynamic "ttl_config" {
    for_each = try(each.value.ttl, false) ? [1] : []
    content {}
  }
}
