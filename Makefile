# Two commands: `make demo` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/corrigo
NPM    ?= npm

.PHONY: demo test check lint widget test-sqlite test-postgres services chromium install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The C file too: an editable install builds corrigo.anchoring._native once and never again by itself.
$(VENV)/.installed: pyproject.toml requirements.lock src/corrigo/anchoring/_native.c | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/corrigo demo

services:
	@scripts/ensure-services

chromium:
	@scripts/ensure-chromium

# The widget's lint and build tools (ESLint, esbuild), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Linters first: a style slip fails in seconds, not after the whole suite.
lint: install-test node_modules/.installed
	@echo "== lint"
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(NPM) run --silent lint

# Rebuilds the served widget (src/corrigo/widget/dist) after an edit to its source (js/).
widget: node_modules/.installed
	$(NPM) run --silent build

# The fast loop while working: lint, then the suite on SQLite without Chromium.
check: lint
	@echo "== test suite on SQLite, without the browser tests"
	env -u DATABASE_URL $(BIN)/pytest -m "not browser" -q $(PYTEST_ARGS)

test: install-test services chromium lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install-test
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-test
	@if scripts/ensure-services --check-postgres; then \
		echo "== test suite on PostgreSQL"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$CORRIGO_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is not reachable on 127.0.0.1:5432 and CORRIGO_REQUIRE_POSTGRES is set" >&2; exit 1; \
	else \
		echo "== PostgreSQL is not reachable: skipped the PostgreSQL run"; \
	fi

clean:
	rm -rf $(VENV) corrigo-data .pytest_cache
