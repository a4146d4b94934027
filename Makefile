# Two commands: `make run` (demo nightly job) and `make test` (the whole suite).
# Everything installs into .venv on first use; later runs reuse it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DUCKDB_PATH ?= warehouse/setup_journeys.duckdb
DEMO_AS_OF := 2026-03-10 12:00:00

.PHONY: run test test-spark install lint unit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## The nightly job on the embedded DuckDB with the demo data: load raw, build, check, publish, summarise.
run: $(STAMP)
	$(BIN)/setup-journeys demo
	$(BIN)/setup-journeys nightly --as-of "$(DEMO_AS_OF)" --full-refresh

## Lint the SQL, then run every test (dbt builds with data and unit tests, scenarios, generator, nightly).
test: $(STAMP) lint
	$(BIN)/python -m pytest

## Only the Spark parity test (mark `spark`; `make test` runs it too). Needs Java 17.
test-spark: $(STAMP)
	$(BIN)/python -m pytest -m spark

lint: $(STAMP)
	$(BIN)/sqlfluff lint models tests/generic tests/*.sql analyses

clean:
	rm -rf target logs warehouse publish
