# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres lint fmt demo clean bench bench-load assets

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "matchmaker needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Front-end assets come from npm through package-lock.json (no third-party code is committed,
# no CDN): `npm ci` whenever the lockfile is newer than npm's record of the last install, then
# htmx is copied to where the pages load it from (web/static/vendor/ is git-ignored).
NPM ?= npm
VENDOR := web/static/vendor

node_modules/.package-lock.json: package-lock.json
	$(NPM) ci --no-audit --no-fund

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

assets: $(VENDOR)/htmx.min.js

run: assets $(VENV)/.installed-run
	$(BIN)/matchmaker migrate
	$(BIN)/matchmaker fixtures load fixtures/demo --if-empty
	$(BIN)/matchmaker serve --host $(HOST) --port $(PORT)

test: assets $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The same suite on PostgreSQL: each test gets its own database copied from a migrated
# template. Uses MATCHMAKER_TEST_DATABASE_URL (postgresql+psycopg://user:pass@host:port/db,
# a role with CREATEDB) when set; otherwise starts a throwaway local cluster with
# .ci/postgres.sh (Debian's postgresql package, 127.0.0.1:5439). The browser tests (e2e) are
# left out by default: their live server runs on SQLite in its own data dir anyway.
PYTEST_ARGS ?= -m "not e2e"
test-postgres: assets $(VENV)/.installed-test
	@if [ -z "$$MATCHMAKER_TEST_DATABASE_URL" ]; then eval "$$(.ci/postgres.sh)"; fi; \
	MATCHMAKER_TEST_DATABASE_URL="$$MATCHMAKER_TEST_DATABASE_URL" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check matchmaker tests benchmarks docs
	$(BIN)/ruff format --check matchmaker tests benchmarks docs
	$(BIN)/mypy

fmt: $(VENV)/.installed-test
	$(BIN)/ruff check --fix matchmaker tests benchmarks docs
	$(BIN)/ruff format matchmaker tests benchmarks docs

# The load mix at 50 and 200 users on 100,000 profiles (docs/benchmarks.md, Load).
bench-load: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/load_mix.py

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/import_export.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
