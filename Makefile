# The two entry points of the README: `make run` and `make test`.
# Each creates the virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo server's clock starts on a Friday evening, when the pizzeria is open.
DEMO_NOW ?= 2026-11-27T19:00+01:00
# Redis for the store tests: a running server on 6379 (database 15), started when missing.
REDIS_URL ?= redis://127.0.0.1:6379/15
export REDIS_URL

.PHONY: run chat test lint check services bench load

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,rasa]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/theke run --now $(DEMO_NOW)

chat: $(STAMP)
	$(BIN)/theke chat bots/pizza --now $(DEMO_NOW)

# What the tests need besides Python packages: a Redis server and Debian's Chromium. The tests
# also start a three-node Redis Cluster of their own (redis-server 7+ and redis-cli).
services:
	@command -v redis-server >/dev/null && command -v redis-cli >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq redis-server redis-tools)
	@redis-cli -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 \
		--port 6379 --save "" --appendonly no
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

lint: $(STAMP)
	$(BIN)/ruff format --check framework tests benchmarks conftest.py
	$(BIN)/ruff check framework tests benchmarks conftest.py
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/theke check
	$(BIN)/theke test bots/pizza
	$(BIN)/theke check docs/examples/bakery
	$(BIN)/theke test docs/examples/bakery

test: lint check services bench-smoke
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

load: $(STAMP)
	$(BIN)/python benchmarks/load.py

# Every benchmark in its short mode (~15 s): each exits non-zero when its run goes wrong.
.PHONY: bench-smoke
bench-smoke: $(STAMP) services
	$(BIN)/python benchmarks/engine.py --quick
	$(BIN)/python benchmarks/load.py --quick
	$(BIN)/python benchmarks/payments.py --quick --store sqlite
	$(BIN)/python benchmarks/payments.py --quick --store redis
	$(BIN)/python benchmarks/redis_memory.py --quick
