# crampwise — `make run` and `make test` work on a fresh machine with Python, make and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "crampwise needs Python 3.11 or newer" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

.PHONY: help install run test test-fast fuzz system-deps check lint format lock bench clean

help: ## list every target
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install crampwise with its pinned dependencies

run: $(STAMP) ## set up and start crampwise on the embedded SQLite database
	@echo "crampwise: to see every page working at once, sign in and choose More -> Explore with sample data"
	@$(BIN)/python scripts/run.py --host $(HOST) --port $(PORT)

system-deps: ## install the system packages tests need (Chromium, PostgreSQL) when missing
	@bash scripts/ensure-system-deps.sh

test: $(STAMP) system-deps ## set up and run every test (SQLite, PostgreSQL, Chromium)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider

test-fast: $(STAMP) ## run the tests that need no browser or PostgreSQL
	$(BIN)/python -m pytest -n 2 -m "not postgres and not browser and not slow"

FUZZ_SECONDS ?= 900
fuzz: $(STAMP) ## schemathesis on the JSON API against a live server, FUZZ_SECONDS long, a new seed each run
	CRAMPWISE_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -p no:cacheprovider tests/web/test_schemathesis.py

check: $(STAMP) ## ruff (lint + format check) and mypy
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

lock: ## re-pin every dependency in requirements.lock (needs uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

bench: $(STAMP) ## run the benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/run_all.py

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
