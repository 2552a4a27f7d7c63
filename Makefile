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

# The environment is locked: every distribution pinned with its hashes (requirements/dev.txt:
# Theke's dependencies, the dev, rasa and fast extras; requirements/run.txt: the dependencies alone,
# for a deployment). Theke itself is installed on top without its dependencies.
LOCK := requirements/dev.txt

.PHONY: run chat test lint check services bench load lock fast fast-check fast-identity

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After a change of pyproject.toml's dependencies: compile the locks again, keeping the pins that
# still fit (`make lock LOCK_FLAGS=--upgrade` takes the newest releases). pip-tools runs from a
# venv of its own, .lock/, against pip's configured index (PyPI by default): compile where pip
# reaches PyPI itself, so that the hashes are those of every file PyPI has for each release.
LOCK_FLAGS ?=
COMPILE := CUSTOM_COMPILE_COMMAND="make lock" .lock/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)
lock:
	test -x .lock/bin/pip-compile || ($(PYTHON) -m venv .lock && .lock/bin/pip install --quiet pip-tools)
	$(COMPILE) --extra dev --extra rasa --extra fast --output-file requirements/dev.txt pyproject.toml
	$(COMPILE) --output-file requirements/run.txt pyproject.toml

run: $(STAMP)
	$(BIN)/theke run --now $(DEMO_NOW)

chat: $(STAMP)
	$(BIN)/theke chat bots/pizza --now $(DEMO_NOW)

# What the tests need besides Python packages: a Redis server, Debian's Chromium and axe-core
# (npm, package.json: the accessibility audit of tests/e2e). The tests also start a three-node
# Redis Cluster of their own (redis-server 7+ and redis-cli).
services:
	@command -v redis-server >/dev/null && command -v redis-cli >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq redis-server redis-tools)
	@redis-cli -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 \
		--port 6379 --save "" --appendonly no
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@test -f node_modules/axe-core/axe.min.js || ((command -v npm >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq npm)) && npm ci --silent --no-audit --no-fund)

lint: $(STAMP)
	$(BIN)/ruff format --check framework tests benchmarks tools conftest.py
	$(BIN)/ruff check framework tests benchmarks tools conftest.py
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/theke check
	$(BIN)/theke test bots/pizza
	$(BIN)/theke check framework/scaffolds/ordering
	$(BIN)/theke test framework/scaffolds/ordering
	$(BIN)/theke check bots/pc_support
	$(BIN)/theke test bots/pc_support
	$(BIN)/theke check bots/nail_studio
	$(BIN)/theke test bots/nail_studio
	$(BIN)/theke check bots/airline
	$(BIN)/theke test bots/airline

# pytest on PYTEST_WORKERS processes (pytest-xdist; `auto`: one per core, `0`: none), each test
# file whole on one of them (its module fixtures, the browser of tests/e2e, started once). Each
# worker starts its own Redis Cluster and Stripe emulator; tests share the Redis server under
# key prefixes of their own.
PYTEST_WORKERS ?= auto
test: lint check services bench-smoke fast-identity
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

# Optional: the engine compiled with mypyc (framework/flows/ but the modules tools/mypyc_build.py
# leaves interpreted, and the server turn's modules it names), ~1.5 min on two cores. Installs
# stay pure Python, and so do `make test`'s tests (it builds a copy of its own and compares it,
# fast-identity). It goes to build/compiled/, a copy of framework/ used through
# PYTHONPATH=build/compiled (scripts and .venv/bin/ commands; not `python -c` or `-m` from this
# folder, where ./framework comes first). Built anew each time, so no stale module survives.
fast: $(STAMP)
	$(BIN)/python tools/mypyc_build.py

# The compiled build against pure Python: every tests/understanding conversation, the bots'
# tests and the engine's turns byte for byte, and the server on it for a few orders on memory,
# SQLite and Redis; then the engine's tests on the compiled modules (~5 min with the build on
# two cores). The whole suite on them, ~7 min:
# PYTHONPATH=build/compiled .venv/bin/pytest -q -n auto --dist loadfile
fast-check: fast
	$(BIN)/python benchmarks/compiled_identity.py
	$(BIN)/python benchmarks/load.py --quick --compiled --only memory,sqlite,redis1
	PYTHONPATH=build/compiled $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile \
		tests/flows tests/understanding tests/booking_understanding bots

# The same checks on a build of its own with the C compiler's first level of optimisation
# (part of `make test`, so that the optional build cannot break unseen: ~5.5 min on two cores,
# ~25 s less than at -O3: the build takes ~25 s less, its conversations play as fast; at -O0
# the build takes 17 s less again but its conversations play slower than pure Python's). It
# says whether the compiled modules behave as the Python ones, not how fast they can be, and
# leaves a developer's build/compiled/ as it is.
IDENTITY_BUILD := build/identity
fast-identity: $(STAMP)
	$(BIN)/python tools/mypyc_build.py --opt-level 1 --out $(IDENTITY_BUILD)
	$(BIN)/python benchmarks/compiled_identity.py --build $(IDENTITY_BUILD)
	$(BIN)/python benchmarks/load.py --quick --compiled $(IDENTITY_BUILD) --only memory,sqlite,redis1

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

load: $(STAMP)
	$(BIN)/python benchmarks/load.py

# Every benchmark in its short mode (~45 s): each exits non-zero when its run goes wrong.
.PHONY: bench-smoke
bench-smoke: $(STAMP) services
	$(BIN)/python benchmarks/engine.py --quick
	$(BIN)/python benchmarks/load.py --quick
	$(BIN)/python benchmarks/load.py --quick --varied --only memory
	$(BIN)/python benchmarks/payments.py --quick --store sqlite
	$(BIN)/python benchmarks/payments.py --quick --store redis
	$(BIN)/python benchmarks/redis_memory.py --quick
	$(BIN)/python benchmarks/ratelimit.py --quick
	$(BIN)/python benchmarks/bookings.py --quick
	$(BIN)/python benchmarks/broadcast.py --quick
	$(BIN)/python benchmarks/broadcast_100k.py --quick
