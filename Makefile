# Quickstart: `make demo` and `make test`. Both install into .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml requirements/lock.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements/lock.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	rm -f veille.duckdb
	$(BIN)/veille run examples/corpus/
	$(BIN)/veille report -o report.html

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests bench

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) veille.duckdb *.egg-info
