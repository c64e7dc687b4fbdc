# Steward developer entry point. `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Optional engines the test suite compares against DuckDB: pyspark (Spark local mode; needs Java 17).
EXTRAS := dev,spark
# pytest exits 5 when a selection holds no tests; that is not a failure of the project.
PYTEST := sh -c '"$$0" -m pytest -q "$$@"; code=$$?; [ $$code -eq 5 ] && exit 0; exit $$code' $(BIN)/python

.PHONY: install demo test test-slow test-engines lint format bench docs clean

# The Makefile is a prerequisite too: a change of EXTRAS must reinstall an existing venv.
$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install Steward with its development tools

demo: install  ## build ./demo-workspace with a year of generated data and print a summary
	$(BIN)/steward demo

lint: install  ## ruff, mypy (strict) and the layer contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint  ## lint, then the default test suite (PostgreSQL tests skip with a reason when no server answers)
	$(PYTEST) -m "not slow and not engines"

test-slow: install  ## the slow tests (large imports, interruption of a running import)
	$(PYTEST) -m "slow and not engines"

test-engines: install  ## every built-in metric on DuckDB, Spark (local) and PostgreSQL gives the same numbers
	$(PYTEST) -m engines

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

docs: install  ## regenerate generated documentation (docs/data-format.md, docs/metric-catalogue.md)
	$(BIN)/python -m steward.interfaces.docs

bench: install  ## performance benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/autoqa.py
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/wfm.py
	$(BIN)/python benchmarks/wfm_forecast.py

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
