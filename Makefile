# sterling-mock: `make run` serves the fake, `make test` runs every test. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 9080
HOST ?= 127.0.0.1
ARGS ?=

.PHONY: run test lint format bench fuzz contract coverage clean install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sterling-mock serve --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

contract: $(STAMP)
	$(BIN)/python -m pytest -q contract_tests $(ARGS)

coverage: $(STAMP)
	$(BIN)/python scripts/coverage_page.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
