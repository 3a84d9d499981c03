# Monitoring as code: log-based metrics from the structured JSON logs, alert
# policies and one dashboard.
#
# Log contract (Cloud Run turns each JSON stdout line into jsonPayload; `severity`
# and `message` are Cloud Logging's own keys):
#   api             one line per request with route, status, latency_ms
#   research-worker one line per finished job with queryId and status "completed" | "failed"
#   voice           event="turn_latency" with vad_stop_ms, stt_ms, llm_first_token_ms,
#                   tts_first_audio_ms, voice_to_voice_ms; event="session_started";
#                   event="ws_rejected" reason="bad_ticket" (forged, expired) or
#                   "ticket_refused" (replayed, replaced, session ended) when a ticket is refused
#   any             severity ERROR with an exception from google.api_core / Firestore

locals {
  run_logs = "resource.type=\"cloud_run_revision\""

  api_service    = local.functions["api"].name
  worker_service = local.functions["research_worker"].name

  # Per-stage voice latency, one distribution metric each (field = "<stage>_ms").
  voice_stages = ["vad_stop", "stt", "llm_first_token", "tts_first_audio", "voice_to_voice"]

  notification_channels = google_monitoring_notification_channel.email[*].id

  user_metric = "logging.googleapis.com/user"
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  project      = var.project_id
  display_name = "Voice Shopper on-call"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------- log-based metrics

resource "google_logging_metric" "api_request_latency" {
  project     = var.project_id
  name        = "shopper_api_request_latency"
  description = "API request latency by route and status, from the per-request log line."
  filter = join(" AND ", [
    local.run_logs,
    "resource.labels.service_name=\"${local.api_service}\"",
    "jsonPayload.route:*",
    "jsonPayload.latency_ms:*",
  ])
  value_extractor = "EXTRACT(jsonPayload.latency_ms)"
  label_extractors = {
    route  = "EXTRACT(jsonPayload.route)"
    status = "EXTRACT(jsonPayload.status)"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "ms"
    labels {
      key        = "route"
      value_type = "STRING"
    }
    labels {
      key        = "status"
      value_type = "STRING"
    }
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 40
      growth_factor      = 1.3
      scale              = 5
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "auth_failures" {
  project     = var.project_id
  name        = "shopper_auth_failures"
  description = "Refused credentials: API 401s (bad ID token or X-Pipecat-Secret) and refused voice tickets."
  filter = join(" AND ", [
    local.run_logs,
    join(" OR ", [
      "(resource.labels.service_name=\"${local.api_service}\" AND jsonPayload.status=401)",
      "(resource.labels.service_name=\"${local.voice_service_name}\" AND jsonPayload.event=\"ws_rejected\" AND (jsonPayload.reason=\"bad_ticket\" OR jsonPayload.reason=\"ticket_refused\"))",
    ]),
  ])
  label_extractors = {
    service = "EXTRACT(resource.labels.service_name)"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "service"
      value_type = "STRING"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "database_errors" {
  project     = var.project_id
  name        = "shopper_database_errors"
  description = "Errors raised by Firestore calls in any service."
  filter = join(" AND ", [
    local.run_logs,
    "severity>=ERROR",
    join(" OR ", [
      "jsonPayload.exception:\"google.api_core.exceptions\"",
      "jsonPayload.exception:\"google.cloud.firestore\"",
      "jsonPayload.message:\"firestore\"",
      "jsonPayload.error:\"firestore\"",
    ]),
  ])
  label_extractors = {
    service = "EXTRACT(resource.labels.service_name)"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "service"
      value_type = "STRING"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "research_jobs" {
  project     = var.project_id
  name        = "shopper_research_jobs"
  description = "Finished research jobs by outcome (completed or failed)."
  filter = join(" AND ", [
    local.run_logs,
    "resource.labels.service_name=\"${local.worker_service}\"",
    "jsonPayload.queryId:*",
    "(jsonPayload.status=\"completed\" OR jsonPayload.status=\"failed\")",
  ])
  label_extractors = {
    outcome = "EXTRACT(jsonPayload.status)"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "outcome"
      value_type = "STRING"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "voice_sessions_started" {
  project     = var.project_id
  name        = "shopper_voice_sessions_started"
  description = "Voice sessions started (WebSocket accepted, pipeline running)."
  filter = join(" AND ", [
    local.run_logs,
    "resource.labels.service_name=\"${local.voice_service_name}\"",
    "jsonPayload.event=\"session_started\"",
  ])

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_logging_metric" "voice_stage_latency" {
  for_each = toset(local.voice_stages)

  project     = var.project_id
  name        = "shopper_voice_${each.key}_latency"
  description = "Voice turn latency of the ${each.key} stage, from the turn_latency log line."
  filter = join(" AND ", [
    local.run_logs,
    "resource.labels.service_name=\"${local.voice_service_name}\"",
    "jsonPayload.event=\"turn_latency\"",
    "jsonPayload.${each.key}_ms:*",
  ])
  value_extractor = "EXTRACT(jsonPayload.${each.key}_ms)"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "ms"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 40
      growth_factor      = 1.2
      scale              = 5
    }
  }

  depends_on = [google_project_service.enabled]
}

# ---------------------------------------------------------------- uptime

resource "google_monitoring_uptime_check_config" "voice_healthz" {
  project      = var.project_id
  display_name = "voice /healthz"
  timeout      = "10s"
  period       = "60s"

  http_check {
    path           = "/healthz"
    port           = 443
    use_ssl        = true
    validate_ssl   = true
    request_method = "GET"

    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = trimprefix(google_cloud_run_v2_service.voice.uri, "https://")
    }
  }
}

# ---------------------------------------------------------------- alert policies

resource "google_monitoring_alert_policy" "voice_down" {
  project               = var.project_id
  display_name          = "Voice service down"
  severity              = "CRITICAL"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "voice /healthz failing from several regions"
    condition_threshold {
      filter = join(" AND ", [
        "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\"",
        "resource.type=\"uptime_url\"",
        "metric.label.check_id=\"${google_monitoring_uptime_check_config.voice_healthz.uptime_check_id}\"",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.host"]
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The voice runtime does not answer GET /healthz. Check the latest revision's logs (`gcloud run services logs read voice`) and roll back with `gcloud run services update-traffic voice --to-revisions=PREVIOUS=100` (docs/deploy.md)."
  }
}

resource "google_monitoring_alert_policy" "database_errors" {
  project               = var.project_id
  display_name          = "Database errors"
  severity              = "ERROR"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "Firestore errors logged"
    condition_threshold {
      filter          = "metric.type=\"${local.user_metric}/${google_logging_metric.database_errors.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.service"]
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A service logged a Firestore error. Look for `severity>=ERROR` in the service named in the incident; check Firestore quota and the status page."
  }
}

resource "google_monitoring_alert_policy" "auth_failures" {
  project               = var.project_id
  display_name          = "Authentication failures"
  severity              = "WARNING"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "More than ${var.auth_failure_threshold} refused credentials in 5 minutes"
    condition_threshold {
      filter          = "metric.type=\"${local.user_metric}/${google_logging_metric.auth_failures.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.auth_failure_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.service"]
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Many requests with bad Firebase ID tokens, a wrong X-Pipecat-Secret or refused voice tickets. A rotated secret that only one side picked up looks like this (redeploy both); so does credential stuffing."
  }
}

resource "google_monitoring_alert_policy" "error_rate" {
  project               = var.project_id
  display_name          = "Error rate over 5%"
  severity              = "ERROR"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "5xx share of requests above ${var.error_rate_threshold * 100}%"
    condition_threshold {
      filter = join(" AND ", [
        "metric.type=\"run.googleapis.com/request_count\"",
        "resource.type=\"cloud_run_revision\"",
        "resource.label.service_name=monitoring.regex.full_match(\"${local.api_service}|${local.worker_service}|${local.voice_service_name}\")",
        "metric.label.response_code_class=\"5xx\"",
      ])
      denominator_filter = join(" AND ", [
        "metric.type=\"run.googleapis.com/request_count\"",
        "resource.type=\"cloud_run_revision\"",
        "resource.label.service_name=monitoring.regex.full_match(\"${local.api_service}|${local.worker_service}|${local.voice_service_name}\")",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = var.error_rate_threshold
      duration        = "300s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "More than 5% of requests end in a 5xx. The API never answers 5xx to bad input, so this is a bug or a dependency outage: read the service's ERROR logs and roll back the latest revision if it started with a deploy (docs/deploy.md)."
  }
}

resource "google_monitoring_alert_policy" "latency" {
  project               = var.project_id
  display_name          = "Latency over 2 s"
  severity              = "WARNING"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "API p95 latency above ${var.latency_warning_ms} ms"
    condition_threshold {
      filter          = "metric.type=\"${local.user_metric}/${google_logging_metric.api_request_latency.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.latency_warning_ms
      duration        = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
      }
    }
  }

  conditions {
    display_name = "Voice-to-voice p95 latency above ${var.latency_warning_ms} ms"
    condition_threshold {
      filter          = "metric.type=\"${local.user_metric}/${google_logging_metric.voice_stage_latency["voice_to_voice"].name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.latency_warning_ms
      duration        = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Requests or voice turns are slow. Check the dashboard's per-stage voice latency (which stage grew) and whether instances are at their concurrency limit (raise max instances, or re-run bench/ to resize voice_concurrency)."
  }
}

resource "google_monitoring_alert_policy" "memory" {
  project               = var.project_id
  display_name          = "Memory over 80%"
  severity              = "WARNING"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "Container memory above ${var.memory_warning_utilization * 100}%"
    condition_threshold {
      filter = join(" AND ", [
        "metric.type=\"run.googleapis.com/container/memory/utilizations\"",
        "resource.type=\"cloud_run_revision\"",
        "resource.label.service_name=monitoring.regex.full_match(\"${join("|", [for fn in local.functions : fn.name])}|${local.voice_service_name}\")",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = var.memory_warning_utilization
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_PERCENTILE_99"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A service is close to its memory limit and will be OOM-killed (a voice instance takes its sessions down with it). Raise the memory or lower concurrency."
  }
}

# ---------------------------------------------------------------- dashboard

locals {
  voice_service_filter = "resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${local.voice_service_name}\""

  dashboard_tiles = [
    {
      title = "Concurrent voice sessions (WebSockets in flight)"
      xyChart = {
        dataSets = [{
          plotType = "LINE"
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"run.googleapis.com/container/max_request_concurrencies\" AND ${local.voice_service_filter}"
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_PERCENTILE_99"
                crossSeriesReducer = "REDUCE_SUM"
              }
            }
          }
        }]
        yAxis = { label = "sessions", scale = "LINEAR" }
      }
    },
    {
      title = "Voice instances and sessions started per minute"
      xyChart = {
        dataSets = [
          {
            plotType       = "LINE"
            legendTemplate = "instances"
            timeSeriesQuery = {
              timeSeriesFilter = {
                filter = "metric.type=\"run.googleapis.com/container/instance_count\" AND ${local.voice_service_filter}"
                aggregation = {
                  alignmentPeriod    = "60s"
                  perSeriesAligner   = "ALIGN_MAX"
                  crossSeriesReducer = "REDUCE_SUM"
                }
              }
            }
          },
          {
            plotType       = "LINE"
            legendTemplate = "sessions started / min"
            timeSeriesQuery = {
              timeSeriesFilter = {
                filter = "metric.type=\"${local.user_metric}/${google_logging_metric.voice_sessions_started.name}\" AND resource.type=\"cloud_run_revision\""
                aggregation = {
                  alignmentPeriod    = "60s"
                  perSeriesAligner   = "ALIGN_DELTA"
                  crossSeriesReducer = "REDUCE_SUM"
                }
              }
            }
          },
        ]
      }
    },
    {
      title = "Voice latency per stage, p50 (ms)"
      xyChart = {
        dataSets = [for stage in local.voice_stages : {
          plotType       = "LINE"
          legendTemplate = stage
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"${local.user_metric}/${google_logging_metric.voice_stage_latency[stage].name}\" AND resource.type=\"cloud_run_revision\""
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_DELTA"
                crossSeriesReducer = "REDUCE_PERCENTILE_50"
              }
            }
          }
        }]
        yAxis = { label = "ms", scale = "LINEAR" }
      }
    },
    {
      title = "Voice latency per stage, p95 (ms)"
      xyChart = {
        dataSets = [for stage in local.voice_stages : {
          plotType       = "LINE"
          legendTemplate = stage
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"${local.user_metric}/${google_logging_metric.voice_stage_latency[stage].name}\" AND resource.type=\"cloud_run_revision\""
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_DELTA"
                crossSeriesReducer = "REDUCE_PERCENTILE_95"
              }
            }
          }
        }]
        thresholds = [{ value = var.latency_warning_ms, label = "warning" }]
        yAxis      = { label = "ms", scale = "LINEAR" }
      }
    },
    {
      title = "Research success rate"
      xyChart = {
        dataSets = [{
          plotType = "LINE"
          timeSeriesQuery = {
            timeSeriesFilterRatio = {
              numerator = {
                filter = "metric.type=\"${local.user_metric}/${google_logging_metric.research_jobs.name}\" AND resource.type=\"cloud_run_revision\" AND metric.label.outcome=\"completed\""
                aggregation = {
                  alignmentPeriod    = "300s"
                  perSeriesAligner   = "ALIGN_DELTA"
                  crossSeriesReducer = "REDUCE_SUM"
                }
              }
              denominator = {
                filter = "metric.type=\"${local.user_metric}/${google_logging_metric.research_jobs.name}\" AND resource.type=\"cloud_run_revision\""
                aggregation = {
                  alignmentPeriod    = "300s"
                  perSeriesAligner   = "ALIGN_DELTA"
                  crossSeriesReducer = "REDUCE_SUM"
                }
              }
            }
          }
        }]
        yAxis = { label = "completed / finished", scale = "LINEAR" }
      }
    },
    {
      title = "API latency by route, p95 (ms)"
      xyChart = {
        dataSets = [{
          plotType       = "LINE"
          legendTemplate = "$${metric.labels.route}"
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"${local.user_metric}/${google_logging_metric.api_request_latency.name}\" AND resource.type=\"cloud_run_revision\""
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_DELTA"
                crossSeriesReducer = "REDUCE_PERCENTILE_95"
                groupByFields      = ["metric.label.route"]
              }
            }
          }
        }]
        thresholds = [{ value = var.latency_warning_ms, label = "warning" }]
        yAxis      = { label = "ms", scale = "LINEAR" }
      }
    },
    {
      title = "Requests by status class"
      xyChart = {
        dataSets = [{
          plotType       = "STACKED_BAR"
          legendTemplate = "$${resource.labels.service_name} $${metric.labels.response_code_class}"
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\""
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_RATE"
                crossSeriesReducer = "REDUCE_SUM"
                groupByFields      = ["resource.label.service_name", "metric.label.response_code_class"]
              }
            }
          }
        }]
      }
    },
    {
      title = "Memory utilisation, p99 by service"
      xyChart = {
        dataSets = [{
          plotType       = "LINE"
          legendTemplate = "$${resource.labels.service_name}"
          timeSeriesQuery = {
            timeSeriesFilter = {
              filter = "metric.type=\"run.googleapis.com/container/memory/utilizations\" AND resource.type=\"cloud_run_revision\""
              aggregation = {
                alignmentPeriod    = "60s"
                perSeriesAligner   = "ALIGN_PERCENTILE_99"
                crossSeriesReducer = "REDUCE_MAX"
                groupByFields      = ["resource.label.service_name"]
              }
            }
          }
        }]
        thresholds = [{ value = var.memory_warning_utilization, label = "warning" }]
      }
    },
  ]
}

resource "google_monitoring_dashboard" "voice_shopper" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "Voice Shopper"
    mosaicLayout = {
      columns = 12
      tiles = [
        for i, tile in local.dashboard_tiles : {
          xPos   = (i % 2) * 6
          yPos   = floor(i / 2) * 4
          width  = 6
          height = 4
          widget = tile
        }
      ]
    }
  })
}
