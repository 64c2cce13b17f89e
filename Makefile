# sterling-mock: `make run` serves the fake, `make test` runs every test. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 9080
HOST ?= 127.0.0.1
ARGS ?=

.PHONY: run test postgres chromium screenshots lint format bench fuzz contract mutate mutate-check coverage clean install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sterling-mock serve --host $(HOST) --port $(PORT) $(ARGS)

# The console's browser tests need a Chromium: as root with apt, `make test` installs Debian's package once
# (bounded); otherwise, or if that fails, those tests skip with a message saying how to install one.
chromium:
	@if [ -n "$$STERLING_MOCK_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium for the console's browser tests (apt-get, at most 10 minutes)"; \
	  timeout 600 sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }' \
	  || echo "could not install chromium: the console's browser tests will be skipped"; \
	else echo "no chromium: the console's browser tests will be skipped (apt-get install -y chromium)"; fi

# PostgreSQL 15 for the shared-deployment tests and the suite's PostgreSQL pass: as root with apt, `make test`
# installs Debian's package once (bounded; the tests start their own throwaway servers, never the system one);
# otherwise those tests skip with a message saying how to install it.
postgres:
	@if [ -n "$$STERLING_MOCK_PG_BIN" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing postgresql-15 for the shared-deployment tests (apt-get, at most 10 minutes)"; \
	  timeout 600 sh -c 'export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq postgresql-15 >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql-15 >/dev/null 2>&1; }' \
	  || echo "could not install postgresql-15: the PostgreSQL tests will be skipped"; \
	else echo "no PostgreSQL: its tests will be skipped (apt-get install -y postgresql-15)"; fi

# Every test on SQLite (the default store), then again on PostgreSQL (STERLING_MOCK_TEST_BACKEND), but for the files
# whose subject does not depend on the store (STORE_AGNOSTIC in conftest.py) and the XML form of tests run in both.
test: $(STAMP) chromium postgres
	$(BIN)/python -m pytest -q -rs -n 2 --dist loadfile
	STERLING_MOCK_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q -rs -n 2 --dist loadfile

# The console's screenshots for the README, taken by its browser tests from a seeded demo store (headless
# Chromium started with --no-sandbox, which Chromium needs when run as root, as in most containers)
screenshots: $(STAMP) chromium
	STERLING_MOCK_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy bench hardening scripts
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

# The contract suite: against the fake by default, or a real instance with
#   make contract STERLING_URL=https://host/smcfs STERLING_USER=... STERLING_PASSWORD=... STERLING_AUTH=basic|token
# (ARGS="--allow-writes" to create orders there, ARGS="--record --target-label NAME" to record parity recordings;
# the instance's values as ARGS="--sterling-enterprise=... --sterling-item=..."; contract_tests/README.md; JUnit XML
# in $(JUNIT)).
JUNIT ?= var/contract-junit.xml
contract: export STERLING_URL := $(STERLING_URL)
contract: export STERLING_USER := $(STERLING_USER)
contract: export STERLING_PASSWORD := $(STERLING_PASSWORD)
contract: export STERLING_AUTH := $(STERLING_AUTH)
# RECORDING=recordings/NAME (with STERLING_URL) records the run through `sterling-mock record` and writes the drift
# report of the same calls against the fake: var/drift.json, var/drift-junit.xml (docs/recording.md).
contract: $(STAMP)
	$(if $(RECORDING),$(BIN)/sterling-mock record --target "$$STERLING_URL" --out $(RECORDING) --port 0 --drift \
	  --json var/drift.json --junit var/drift-junit.xml --) \
	  $(BIN)/python -m pytest -q contract_tests --junitxml=$(JUNIT) -o junit_family=xunit2 $(ARGS)

# Mutation testing (mutmut, in a copy of the tree under var/mutate/): every mutant of client/wire.py, the query
# language and the status ordering against the tests that cover them, with the score per module and each survivor;
# mutate-check runs a small subset in well under a minute and fails past its budget of survivors.
mutate: $(STAMP)
	$(BIN)/python scripts/mutate.py

mutate-check: $(STAMP)
	$(BIN)/python scripts/mutate.py --check

# 10,000+ seeded, mutated inputs over every API and door, on SQLite then PostgreSQL: no 5xx, every order still
# readable (COUNT=..., SEED=... to repeat a run; python -m hardening.fuzz --only N --seed S prints input N)
COUNT ?= 10000
fuzz: $(STAMP) postgres
	$(BIN)/python -m hardening.fuzz --backend both --count $(COUNT) $(if $(SEED),--seed $(SEED))

# COVERAGE.md from the API docstrings; STUBS=recordings/NAME adds the APIs a recording answers that the fake does not model
coverage: $(STAMP)
	$(BIN)/python scripts/coverage_page.py $(foreach s,$(STUBS),--stubs $(s))

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
