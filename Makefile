# The two entry points of the README: `make run` and `make test`.
# Each creates the virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo chat runs on a Friday evening, when the pizzeria is open, whatever the real time.
DEMO_NOW ?= 2026-11-27T19:00+01:00

run: $(STAMP)
	$(BIN)/theke chat bots/pizza --now $(DEMO_NOW)

lint: $(STAMP)
	$(BIN)/ruff format --check framework tests benchmarks
	$(BIN)/ruff check framework tests benchmarks
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/theke check bots/pizza
	$(BIN)/theke test bots/pizza

test: lint check
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
