# Steward developer entry point. `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# pytest exits 5 when a selection holds no tests; that is not a failure of the project.
PYTEST := sh -c '"$$0" -m pytest -q "$$@"; code=$$?; [ $$code -eq 5 ] && exit 0; exit $$code' $(BIN)/python

.PHONY: install demo test test-slow lint format bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
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
	$(PYTEST) -m "not slow"

test-slow: install  ## the slow tests (large imports, interruption of a running import)
	$(PYTEST) -m slow

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

docs: install  ## regenerate generated documentation (docs/data-format.md)
	$(BIN)/python -m steward.interfaces.docs

bench: install  ## performance benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
