"""Static checks of terraform/: what the deployment promises, read from the HCL itself.

`terraform init` cannot reach the registry here, so the configuration is parsed
with python-hcl2 and checked against the code it deploys: every entry point of
functions/main.py is deployed, every secret the settings read comes from Secret
Manager (never a literal), the voice service keeps WebSockets alive, nobody is
owner or editor, the research worker is not public, and the alerts exist.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from pydantic import SecretStr

from shopper.settings import SECRET_ENV_VARS, WORKLOAD_SECRETS, Settings
from voice_runtime.settings import VoiceSettings

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"

# Voice runtime secret fields that are deliberately not deployed: on Cloud Run the
# service account supplies Google credentials (ADC), so no key file exists.
VOICE_SECRETS_NOT_DEPLOYED = {"GOOGLE_CREDENTIALS_JSON"}

REQUIRED_ALERTS = {
    "Voice service down",
    "Database errors",
    "Authentication failures",
    "Error rate over 5%",
    "Latency over 2 s",
    "Memory over 80%",
}

PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
FORBIDDEN_ROLES = {"roles/owner", "roles/editor"}


# ---------------------------------------------------------------- loading


@dataclass
class Config:
    """The merged terraform/ configuration: resources by (type, name), locals, variables."""

    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: body for (kind, name), body in self.resources.items() if kind == resource_type}

    def resource(self, resource_type: str, name: str) -> dict[str, Any]:
        assert (resource_type, name) in self.resources, f"missing resource {resource_type}.{name}"
        return self.resources[(resource_type, name)]

    def default(self, variable: str) -> Any:
        assert variable in self.variables, f"missing variable {variable}"
        return self.variables[variable].get("default")


def parse_hcl(path: Path) -> dict[str, Any]:
    options = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    with path.open() as handle:
        return hcl2.load(handle, serialization_options=options)


@cache
def load_config() -> Config:
    config = Config()
    for path in sorted(TERRAFORM.glob("*.tf")):
        parsed = parse_hcl(path)
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    assert (kind, name) not in config.resources, f"{kind}.{name} declared twice"
                    config.resources[(kind, name)] = body
        for block in parsed.get("data", []):
            for kind, named in block.items():
                for name, body in named.items():
                    config.data[(kind, name)] = body
        for block in parsed.get("locals", []):
            for key, value in block.items():
                assert key not in config.locals, f"local.{key} declared twice"
                config.locals[key] = value
        for block in parsed.get("variable", []):
            config.variables.update(block)
    return config


def one(body: dict[str, Any], block: str) -> dict[str, Any]:
    """The single nested block `block` of `body` (hcl2 gives blocks as lists)."""
    value = body.get(block)
    assert isinstance(value, list) and len(value) == 1, f"expected exactly one {block!r} block"
    return value[0]


def dynamic_blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [block[name] for block in body.get("dynamic", []) if name in block]


def walk(value: Any) -> Iterator[Any]:
    """Every scalar, key and value anywhere under `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
    else:
        yield value


def env_names(settings_class: type) -> set[str]:
    """The environment variable names a pydantic-settings class reads."""
    names = set()
    for name, info in settings_class.model_fields.items():
        alias = info.validation_alias
        names.add(alias.upper() if isinstance(alias, str) else name.upper())
    return names


def secret_env_names(settings_class: type) -> set[str]:
    names = set()
    for name, info in settings_class.model_fields.items():
        if "SecretStr" in repr(info.annotation) or info.annotation is SecretStr:
            alias = info.validation_alias
            names.add(alias.upper() if isinstance(alias, str) else name.upper())
    return names


def main_entry_points() -> dict[str, str]:
    """functions/main.py entry points -> their functions-framework signature (http / cloud_event)."""
    tree = ast.parse((ROOT / "functions" / "main.py").read_text())
    entry_points = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "functions_framework"
            ):
                entry_points[node.name] = target.attr
    return entry_points


WORKLOAD_ENV = "${merge(each.value.env, {WORKLOAD = each.key})}"


def function_env(config: Config, key: str) -> dict[str, Any]:
    """The environment map a function is deployed with: its `env` (a local map, or merge() of
    local maps) plus WORKLOAD, its key, which the resource adds."""
    (service,) = config.resource("google_cloudfunctions2_function", "fn")["service_config"]
    assert service["environment_variables"] == WORKLOAD_ENV
    return {**_function_env(config, key), "WORKLOAD": key}


def _function_env(config: Config, key: str) -> dict[str, Any]:
    env = config.locals["functions"][key]["env"]
    if isinstance(env, dict):
        return env
    match = re.fullmatch(r"\$\{(?:merge\((.*)\)|(local\.\w+))\}", env)
    assert match, f"env of {key} must be a local map or merge() of local maps: {env}"
    merged: dict[str, Any] = {}
    for part in (match.group(1) or match.group(2)).split(","):
        name = part.strip().removeprefix("local.")
        assert name in config.locals and isinstance(config.locals[name], dict), f"{key}: {part}"
        merged.update(config.locals[name])
    return merged


def resolve(config: Config, value: Any) -> str:
    """A plausible concrete value for a Terraform expression, from variable defaults."""
    if not isinstance(value, str):
        return str(value)
    match = re.fullmatch(r"\$\{var\.(\w+)\}", value)
    if match:
        return str(config.default(match.group(1)))
    match = re.fullmatch(r'\$\{join\(",", var\.(\w+)\)\}', value)
    if match:
        return ",".join(config.default(match.group(1)))
    if value.startswith("${") or "${" in value:
        return "https://example.test/resolved"
    return value


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config()


# ---------------------------------------------------------------- formatting


def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform binary not installed: cannot run `terraform fmt -check`")
    return binary


def test_terraform_files_are_formatted() -> None:
    result = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},
        timeout=60,
    )
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"


def test_one_concern_per_file() -> None:
    files = {path.name for path in TERRAFORM.glob("*.tf")}
    expected = {
        "versions.tf",
        "variables.tf",
        "outputs.tf",
        "apis.tf",
        "iam.tf",
        "secrets.tf",
        "firestore.tf",
        "pubsub.tf",
        "tasks.tf",
        "scheduler.tf",
        "functions.tf",
        "run.tf",
        "hosting.tf",
        "monitoring.tf",
    }
    assert expected <= files, f"missing: {sorted(expected - files)}"


# ---------------------------------------------------------------- functions


def test_every_entry_point_of_main_py_is_deployed(config: Config) -> None:
    entry_points = main_entry_points()
    assert entry_points, "no functions_framework entry points found in functions/main.py"
    deployed = {spec["entry_point"]: key for key, spec in config.locals["functions"].items()}
    missing = set(entry_points) - set(deployed)
    assert not missing, f"entry points without a deployed function: {sorted(missing)}"
    stale = set(deployed) - set(entry_points)
    assert not stale, f"deployed functions whose entry point is gone from main.py: {sorted(stale)}"

    function = config.resource("google_cloudfunctions2_function", "fn")
    assert function["for_each"] == "${local.functions}"
    build = one(function, "build_config")
    assert build["entry_point"] == "${each.value.entry_point}"
    assert build["runtime"] == "python311"
    storage = one(one(build, "source"), "storage_source")
    assert "google_storage_bucket_object.functions_source" in storage["object"]
    archive = config.data[("archive_file", "functions_source")]
    assert archive["source_dir"] == "${path.module}/../build/functions"  # devstack/bundle.py DEFAULT_OUT
    assert (ROOT / "functions" / "requirements.txt").is_file(), "the deploy bundle needs requirements.txt"


def test_cloud_event_entry_points_are_fed_by_pubsub_with_a_dead_letter(config: Config) -> None:
    subscriptions = config.of_type("google_pubsub_subscription")
    pushed_to = {}
    for name, body in subscriptions.items():
        if "push_config" not in body:
            continue
        push = one(body, "push_config")
        match = re.search(r'fn\["(\w+)"\]', push["push_endpoint"])
        assert match, f"push subscription {name} does not target a function"
        assert "oidc_token" in push, f"push subscription {name} sends no OIDC token"
        assert "dead_letter_policy" in body, f"push subscription {name} has no dead-letter policy"
        pushed_to[match.group(1)] = body

    for entry_point, signature in main_entry_points().items():
        key = next(k for k, spec in config.locals["functions"].items() if spec["entry_point"] == entry_point)
        if signature == "cloud_event":
            assert key in pushed_to, f"{entry_point} is a CloudEvent function but nothing delivers to it"
        else:
            assert key not in pushed_to, f"{entry_point} is an HTTP function fed by Pub/Sub"

    topic_of = {key: body["topic"] for key, body in pushed_to.items()}
    assert "google_pubsub_topic.preference_learning.id" in topic_of["preference_scheduler"]
    assert "google_pubsub_topic.preference_learning_user.id" in topic_of["preference_learner"]


def test_pubsub_topics_match_the_settings(config: Config) -> None:
    defaults = Settings()
    assert config.locals["learning_topic"] == defaults.learning_topic
    assert config.locals["learning_user_topic"] == defaults.learning_user_topic
    job = config.resource("google_cloud_scheduler_job", "preference_learning")
    assert one(job, "pubsub_target")["topic_name"] == "${google_pubsub_topic.preference_learning.id}"


def test_function_environment_names_are_settings_the_code_reads(config: Config) -> None:
    known = env_names(Settings)
    for key in config.locals["functions"]:
        unknown = set(function_env(config, key)) - known
        assert not unknown, f"{key} sets env vars functions/shopper/settings.py does not read: {unknown}"


def test_each_deployed_function_passes_the_production_validator(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The env and secrets Terraform gives each function are enough to start in production."""
    readers = config.locals["secret_readers"]
    for key in config.locals["functions"]:
        # The test session's emulator stack sets *_EMULATOR_HOST, which production refuses.
        for name in [*env_names(Settings), *(n for n in os.environ if n.endswith("_EMULATOR_HOST"))]:
            monkeypatch.delenv(name, raising=False)
        env = {name: resolve(config, value) for name, value in function_env(config, key).items()}
        assert env["ENVIRONMENT"] == "production"
        for secret in readers[key]:
            env[secret] = f"{secret.lower()}-from-secret-manager-0123456789"
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        Settings()  # raises if a secret the production validator needs is not wired


def test_each_function_is_given_only_its_own_secrets(config: Config) -> None:
    readers = config.locals["secret_readers"]
    for key in config.locals["functions"]:
        assert sorted(readers[key]) == sorted(WORKLOAD_SECRETS[key]), key
    assert "PIPECAT_SERVER_SECRET" not in readers["research_worker"] + readers["preference_learner"]
    assert readers["preference_scheduler"] == []


def test_research_queue_has_retries_and_rate_limits(config: Config) -> None:
    queue = config.resource("google_cloud_tasks_queue", "research")
    assert queue["name"] == Settings().tasks_queue == "research"
    retry = one(queue, "retry_config")
    assert {"max_attempts", "min_backoff", "max_backoff"} <= set(retry)
    rates = one(queue, "rate_limits")
    assert {"max_dispatches_per_second", "max_concurrent_dispatches"} <= set(rates)
    env = function_env(config, "api")
    assert env["TASKS_QUEUE"] == "${google_cloud_tasks_queue.research.name}"
    assert env["TASKS_INVOKER_SERVICE_ACCOUNT"] == '${google_service_account.sa["tasks_invoker"].email}'


# ---------------------------------------------------------------- secrets


def test_every_secret_the_code_reads_is_a_secret_manager_secret(config: Config) -> None:
    names = set(config.locals["secret_names"])
    secret = config.resource("google_secret_manager_secret", "secret")
    assert secret["for_each"] == "${toset(local.secret_names)}"
    assert secret["secret_id"] == "${each.key}"

    function_secrets = set(SECRET_ENV_VARS) | secret_env_names(Settings)
    voice_secrets = secret_env_names(VoiceSettings) - VOICE_SECRETS_NOT_DEPLOYED
    assert {"PIPECAT_SERVER_SECRET", "SESSION_TICKET_KEY", "GEMINI_API_KEY"} <= voice_secrets
    missing = (function_secrets | voice_secrets) - names
    assert not missing, f"secrets read by the code but not in Secret Manager: {sorted(missing)}"

    readers = config.locals["secret_readers"]
    for workload, secrets in readers.items():
        assert set(secrets) <= names, f"{workload} reads an undeclared secret"
    function_readers = set().union(*(readers[key] for key in config.locals["functions"]))
    assert set(SECRET_ENV_VARS) <= function_readers, "a functions secret is wired to no function"
    assert voice_secrets <= set(readers["voice"]), "a voice runtime secret is not wired to the voice service"


def test_functions_get_secrets_as_secret_env_vars_never_literals(config: Config) -> None:
    secret_names = set(config.locals["secret_names"])
    service = one(config.resource("google_cloudfunctions2_function", "fn"), "service_config")
    (wiring,) = dynamic_blocks(service, "secret_environment_variables")
    assert wiring["for_each"] == "${toset(local.secret_readers[each.key])}"
    content = one(wiring, "content")
    assert content["key"] == "${secret_environment_variables.value}"
    assert content["secret"].startswith("${google_secret_manager_secret.secret[")
    assert service["environment_variables"] == WORKLOAD_ENV
    for key in config.locals["functions"]:
        literal = secret_names & set(function_env(config, key))
        assert not literal, f"{key} passes secrets as plain env vars: {literal}"


def test_voice_gets_secrets_from_secret_manager_never_literals(config: Config) -> None:
    secret_names = set(config.locals["secret_names"])
    container = one(one(config.resource("google_cloud_run_v2_service", "voice"), "template"), "containers")
    assert not secret_names & {env.get("name") for env in container.get("env", [])}
    assert not secret_names & set(config.locals["voice_env"])
    wired = [block for block in dynamic_blocks(container, "env") if "value_source" in one(block, "content")]
    assert len(wired) == 1, "expected one dynamic env block of Secret Manager references"
    assert wired[0]["for_each"] == '${toset(local.secret_readers["voice"])}'
    ref = one(one(one(wired[0], "content"), "value_source"), "secret_key_ref")
    assert ref["secret"].startswith("${google_secret_manager_secret.secret[")
    unknown = set(config.locals["voice_env"]) - env_names(VoiceSettings)
    assert not unknown, f"voice env vars the voice runtime settings do not read: {unknown}"


def test_no_secret_value_is_a_literal(config: Config) -> None:
    for name, version in config.of_type("google_secret_manager_secret_version").items():
        data = str(version.get("secret_data", ""))
        assert not data or data.startswith("${"), f"secret version {name} holds a literal value"
    assert not config.of_type("google_secret_manager_secret_version"), (
        "secret values are added with `gcloud secrets versions add`, never by Terraform"
    )
    sensitive = [name for name in config.variables if re.search(r"secret|password|token|api_key", name)]
    assert not sensitive, f"secret-looking variables invite values in tfvars: {sensitive}"
    example = parse_hcl(TERRAFORM / "terraform.tfvars.example")
    assert set(example) <= set(config.variables), "tfvars example sets undeclared variables"
    text = (TERRAFORM / "terraform.tfvars.example").read_text()
    for name in config.locals["secret_names"]:
        assert name not in text


# ---------------------------------------------------------------- voice service


def test_voice_service_keeps_websockets(config: Config) -> None:
    template = one(config.resource("google_cloud_run_v2_service", "voice"), "template")
    assert template["session_affinity"] is True
    assert template["timeout"] == "3600s"
    assert template["max_instance_request_concurrency"] == "${var.voice_concurrency}"
    scaling = one(template, "scaling")
    assert scaling["min_instance_count"] == "${var.voice_min_instances}"
    assert scaling["max_instance_count"] == "${var.voice_max_instances}"
    assert config.default("voice_min_instances") >= 1, "a cold start breaks the first answer"
    # Sessions per instance come from the cloud-path concurrency benchmark, not a guess:
    # what one server process holds on one CPU, times the CPUs (one process each).
    bench = json.loads((ROOT / "bench" / "results" / "voice_concurrency_cloud.json").read_text())
    assert bench["pinned"] and bench["workers"] == 1, "the bench measures one process on one CPU"
    per_cpu = bench["max_sessions_within_limit"]
    assert config.default("voice_concurrency") == per_cpu * int(config.default("voice_cpu"))
    assert config.locals["voice_env"]["WORKERS"] == "${var.voice_cpu}"
    container = one(template, "containers")
    resources = one(container, "resources")
    assert resources["cpu_idle"] is False, "CPU must stay allocated between WebSocket messages"
    assert config.default("voice_cpu") == "2"
    assert config.default("voice_memory") == "2Gi"
    assert one(one(container, "startup_probe"), "http_get")["path"] == "/healthz"
    assert template["service_account"] == '${google_service_account.sa["voice"].email}'


# ---------------------------------------------------------------- IAM


def test_no_identity_is_owner_or_editor(config: Config) -> None:
    for (kind, name), body in config.resources.items():
        used = FORBIDDEN_ROLES & {value for value in walk(body) if isinstance(value, str)}
        assert not used, f"{kind}.{name} grants {used}"
    for name, value in config.locals.items():
        used = FORBIDDEN_ROLES & {item for item in walk(value) if isinstance(item, str)}
        assert not used, f"local.{name} grants {used}"


def test_one_service_account_per_workload(config: Config) -> None:
    accounts = config.locals["service_accounts"]
    expected = {"api", "research_worker", "preference_learner", "voice", "scheduler_invoker", "tasks_invoker"}
    assert expected <= set(accounts)
    ids = [spec["account_id"] for spec in accounts.values()]
    assert len(ids) == len(set(ids))
    assert all(6 <= len(account_id) <= 30 for account_id in ids)
    identities = {key: spec["identity"] for key, spec in config.locals["functions"].items()}
    assert identities["api"] != identities["research_worker"]
    service = one(config.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert service["service_account_email"] == "${google_service_account.sa[each.value.identity].email}"


def test_research_worker_accepts_only_the_tasks_invoker(config: Config) -> None:
    worker = config.locals["functions"]["research_worker"]
    assert worker["ingress"] == "ALLOW_INTERNAL_ONLY"
    invokers = []
    for kind in ("google_cloud_run_v2_service_iam_member", "google_cloud_run_service_iam_member"):
        for name, body in config.of_type(kind).items():
            target = str(body.get("name", body.get("service", "")))
            if '"research_worker"' in target:
                invokers.append((name, body))
    for kind in ("google_cloud_run_v2_service_iam_binding", "google_cloudfunctions2_function_iam_member"):
        for name, body in config.of_type(kind).items():
            assert "research_worker" not in str(body), f"{kind}.{name} also grants access to the worker"
    assert invokers, "nobody may invoke the research worker"
    for name, body in invokers:
        assert body["member"] not in PUBLIC_MEMBERS, f"{name} makes the research worker public"
        assert body["member"] == 'serviceAccount:${google_service_account.sa["tasks_invoker"].email}'
        assert body["role"] == "roles/run.invoker"
    public = {
        name
        for kind, resources in (
            ("run", config.of_type("google_cloud_run_v2_service_iam_member")),
            ("fn", config.of_type("google_cloudfunctions2_function_iam_member")),
        )
        for name, body in resources.items()
        if body.get("member") in PUBLIC_MEMBERS
    }
    assert public == {"api_public", "voice_public"}, f"unexpected public invokers: {public}"
    acts_as = config.resource("google_service_account_iam_member", "api_acts_as_tasks_invoker")
    assert acts_as["role"] == "roles/iam.serviceAccountUser"
    enqueuer = config.resource("google_cloud_tasks_queue_iam_member", "api_enqueuer")
    assert enqueuer["role"] == "roles/cloudtasks.enqueuer"


def test_secret_access_is_granted_per_secret_not_project_wide(config: Config) -> None:
    roles = {spec["role"] for spec in config.locals["project_roles"].values()}
    assert "roles/secretmanager.secretAccessor" not in roles
    accessor = config.resource("google_secret_manager_secret_iam_member", "accessor")
    assert accessor["for_each"] == "${local.secret_grants}"
    assert accessor["role"] == "roles/secretmanager.secretAccessor"


# ---------------------------------------------------------------- Firestore


def test_firestore_rules_and_indexes_come_from_the_repo_files(config: Config) -> None:
    database = config.resource("google_firestore_database", "main")
    assert database["type"] == "FIRESTORE_NATIVE"
    ruleset = config.resource("google_firebaserules_ruleset", "firestore")
    files = one(one(ruleset, "source"), "files")
    assert files["content"] == '${file("${path.module}/../firestore.rules")}'
    assert (ROOT / "firestore.rules").is_file()
    config.resource("google_firebaserules_release", "firestore")
    assert "firestore.indexes.json" in config.locals["firestore_index_file"]
    index = config.resource("google_firestore_index", "index")
    assert index["for_each"] == "${local.firestore_indexes}"


def test_firestore_indexes_file_has_the_shape_terraform_reads() -> None:
    path = ROOT / "firestore.indexes.json"
    if not path.exists():
        pytest.skip("firestore.indexes.json not written yet")
    document = json.loads(path.read_text())
    assert document.get("indexes"), "no composite indexes"
    for index in document["indexes"]:
        assert index["collectionGroup"], index
        assert index.get("queryScope", "COLLECTION") in {"COLLECTION", "COLLECTION_GROUP"}
        assert len(index["fields"]) >= 2, f"single-field index belongs in fieldOverrides: {index}"
        for spec in index["fields"]:
            assert spec["fieldPath"]
            assert ("order" in spec) != ("arrayConfig" in spec), spec
    for override in document.get("fieldOverrides", []):
        assert override["collectionGroup"] and override["fieldPath"], override


def test_terraform_evaluates_the_index_keys_without_duplicates(tmp_path: Path) -> None:
    """Run the pure locals of firestore.tf through terraform itself (no provider needed)."""
    binary = terraform_binary()
    source = (TERRAFORM / "firestore.tf").read_text()
    start = source.index("locals {")
    end = source.index("resource ", start)
    module = source[start:end].replace("${path.module}/..", ROOT.as_posix())
    (tmp_path / "main.tf").write_text(
        'variable "firestore_database" {\n  default = "(default)"\n}\n'
        + module
        + 'output "indexes" {\n  value = keys(local.firestore_indexes)\n}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"}
    for command in (["init", "-input=false", "-backend=false"], ["apply", "-auto-approve", "-input=false"]):
        result = subprocess.run(
            [binary, *command], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
    output = subprocess.run(
        [binary, "output", "-json", "indexes"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    keys = json.loads(output.stdout)
    document = json.loads((ROOT / "firestore.indexes.json").read_text())
    assert len(keys) == len(document["indexes"])


# ---------------------------------------------------------------- monitoring


def test_alert_policies_named_by_the_design_exist(config: Config) -> None:
    names = {body["display_name"] for body in config.of_type("google_monitoring_alert_policy").values()}
    missing = REQUIRED_ALERTS - names
    assert not missing, f"missing alert policies: {sorted(missing)}"
    uptime = config.resource("google_monitoring_uptime_check_config", "voice_healthz")
    assert one(uptime, "http_check")["path"] == "/healthz"
    down = config.resource("google_monitoring_alert_policy", "voice_down")
    assert "voice_healthz" in str(down["conditions"])


def test_voice_stage_metrics_match_the_runtime_stages(config: Config) -> None:
    tree = ast.parse((ROOT / "voice_runtime" / "metrics.py").read_text())
    stages = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "STAGES" for t in node.targets)
    )
    assert list(config.locals["voice_stages"]) == list(stages)
    metric = config.resource("google_logging_metric", "voice_stage_latency")
    assert metric["value_extractor"] == "EXTRACT(jsonPayload.${each.key}_ms)"


def test_dashboard_shows_sessions_latency_research_and_api(config: Config) -> None:
    titles = " | ".join(tile["title"] for tile in config.locals["dashboard_tiles"]).lower()
    for needle in ("concurrent voice sessions", "voice latency per stage", "research success", "api latency"):
        assert needle in titles, f"dashboard lacks {needle!r}"


def test_the_api_keys_anonymous_callers_by_their_own_address(config: Config) -> None:
    """Behind Google's front end the peer is the front end: without this every anonymous
    caller would share one rate-limit budget."""
    assert function_env(config, "api")["TRUST_FORWARDED_FOR"] == "true"
