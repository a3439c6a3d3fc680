# Quick start: `make run` starts the bot on the embedded default, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lacznik run

# The layer rules (.importlinter) and the type checker (mypy.ini) run before the tests: a
# broken contract or a type error fails the suite like a failing test.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/directory_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
