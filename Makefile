# Two commands: `make build` and `make test`. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BI_READER_DUCKDB := 1.1.3
# The SQLAlchemy 1.4 side of BI clients, as Superset 6.1 pins it (README, Connect your BI tool).
BI_SQLA14 := sqlalchemy==1.4.54 duckdb-engine==0.17.0 duckdb==2.0.1
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml Makefile | cksum | cut -d' ' -f1)

.PHONY: setup build docs superset-check superset-lock test test-unit lint dbt-test pytest sample bench bench-clv bench-identity bench-gate lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# duckdb-engine, which an earlier lock installed, claims the same duckdb:/// URL as
	@# duckdb-sqlalchemy: remove it from a .venv made before the switch (DECISIONLOG.md).
	@$(BIN)/python -m pip uninstall --quiet --yes duckdb-engine 2>/dev/null || true
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# A DuckDB 1.x client, as BI drivers ship, for the test that opens the published file.
	@test -x $(VENV)/bi-reader/bin/python || $(PYTHON) -m venv $(VENV)/bi-reader
	$(VENV)/bi-reader/bin/python -m pip install --quiet --disable-pip-version-check duckdb==$(BI_READER_DUCKDB)
	@# A SQLAlchemy 1.4 client with duckdb-engine, for the test that reflects every mart;
	@# .venv's pip installs into it (no pip of its own: creating one costs more than the rest).
	@test -x $(VENV)/bi-sqla14/bin/python || $(PYTHON) -m venv --without-pip $(VENV)/bi-sqla14
	$(BIN)/python -m pip --python $(VENV)/bi-sqla14/bin/python install --quiet --disable-pip-version-check $(BI_SQLA14)
	@rm -f $(VENV)/.installed-*
	@touch $@

## Build the warehouse from the committed sample, or from CX_EXTRACTS_DIR.
build: setup
	@mkdir -p warehouse
	$(BIN)/cx build $(if $(FULL_REFRESH),--full-refresh)

## Lint and the sample's build with every dbt test side by side (each on its own
## output, lint compiling into a dbt target and database of its own), then the
## pytest suite (docs/benchmarks.md, Test suite).
test: setup
	$(MAKE) --no-print-directory --output-sync=target -j2 lint dbt-test
	$(MAKE) --no-print-directory pytest

# sqlfluff's dbt templater compiles the project: into target/lint, never into the
# target or build database a `cx build` running beside it writes.
LINT_DBT := DBT_TARGET_PATH=target/lint CX_BUILD_DB=target/lint/lint.duckdb
lint: setup
	$(BIN)/ruff check python tests/pytest tools
	$(BIN)/ruff format --check python tests/pytest tools
	@mkdir -p target/lint
	$(LINT_DBT) $(BIN)/sqlfluff lint models tests --disable-progress-bar

dbt-test: setup
	@mkdir -p warehouse
	$(BIN)/cx build --unit-tests

## Two pytest-xdist workers; the tests of one file share a worker (docs/benchmarks.md).
PYTEST_WORKERS ?= 2
pytest: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

## The unit tests only: no dbt, no pipeline (the `build` marker, tests/pytest/conftest.py).
test-unit: setup
	$(BIN)/pytest -m "not build"

## dbt's documentation site (lineage from the extracts to every mart and the BI
## file, every column described) as one page that works offline.
DOCS_DIR := warehouse/docs
docs: setup
	@test -f "$${CX_BUILD_DB:-warehouse/build.duckdb}" || { echo "No build database yet: run 'make build' first (the site shows the built columns)."; exit 1; }
	$(BIN)/dbt docs generate --static --target-path target/docs
	@mkdir -p $(DOCS_DIR)
	cp target/docs/static_index.html $(DOCS_DIR)/index.html
	@echo "Documentation site: $(DOCS_DIR)/index.html (open it in a browser)"

## Opt-in, not part of `make test`: Superset 6.1 in its own environment (about 900 MB,
## SQLAlchemy 1.4) registers the published file, creates a dataset for every mart and
## runs a chart query on a server bound to 127.0.0.1 (tools/superset/superset_check.py).
SUPERSET_VENV := .venv-superset
SUPERSET_LOCK := tools/superset/requirements.lock
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed-$(shell cat $(SUPERSET_LOCK) | cksum | cut -d' ' -f1)
superset-check: $(SUPERSET_STAMP)
	@test -f "$${CX_BI_DB:-warehouse/bi.duckdb}" || { echo "No published file yet: run 'make build' first."; exit 1; }
	$(SUPERSET_VENV)/bin/python tools/superset/superset_check.py "$${CX_BI_DB:-warehouse/bi.duckdb}"

$(SUPERSET_STAMP): $(SUPERSET_LOCK)
	@test -x $(SUPERSET_VENV)/bin/python || $(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(SUPERSET_LOCK)
	@rm -f $(SUPERSET_VENV)/.installed-*
	@touch $@

## Rewrite tools/superset/requirements.lock from its requirements.txt, in a throwaway environment.
superset-lock:
	rm -rf /tmp/cx-superset-lock && $(PYTHON) -m venv /tmp/cx-superset-lock
	/tmp/cx-superset-lock/bin/pip install --quiet -r tools/superset/requirements.txt
	/tmp/cx-superset-lock/bin/pip freeze --all | grep -v '^pip==' > $(SUPERSET_LOCK)

## Regenerate the committed sample (the determinism test checks it is unchanged).
sample: setup
	$(BIN)/cx generate --customers 3000 --seed 42 --out seeds

## The whole pipeline against a pure-DuckDB reference; writes docs/benchmarks.md.
CUSTOMERS ?= 100000
bench: setup
	$(BIN)/cx-bench pipeline --customers $(CUSTOMERS) --report docs/benchmarks.md

## Time the CLV fit at 100k and 1M customers; writes docs/benchmarks.md.
CLV_CUSTOMERS ?= 100000 1000000
bench-clv: setup
	$(BIN)/cx-bench clv --customers $(CLV_CUSTOMERS) --report docs/benchmarks.md

## Time and score Splink identity links at 1M contacts; writes docs/benchmarks.md.
bench-identity: setup
	$(BIN)/cx-bench identity --report docs/benchmarks.md

## Time the quality gate's read path at 1M and 5M rows; writes docs/benchmarks.md.
bench-gate: setup
	$(BIN)/cx-bench gate --rows 1000000 5000000 --report docs/benchmarks.md

## Rewrite requirements.lock from requirements.txt in a throwaway environment.
lock:
	rm -rf /tmp/cx-lock && $(PYTHON) -m venv /tmp/cx-lock
	/tmp/cx-lock/bin/pip install --quiet -r requirements.txt
	/tmp/cx-lock/bin/pip freeze --all | grep -v '^pip==' > requirements.lock

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal
