# papersite: `make build` and `make test` work on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: build test lint typecheck unit serve clean

build: $(VENV)/.installed
	$(BIN)/papersite ingest
	$(BIN)/papersite build

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -e '.[test]'
	touch $@

test: $(VENV)/.installed-test build lint typecheck unit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test
	$(BIN)/pytest

serve: $(VENV)/.installed
	$(BIN)/papersite serve --host 127.0.0.1 --port 8000

clean:
	rm -rf site .site.staging .site.previous .papersite-cache .pytest_cache .mypy_cache .ruff_cache tests/artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
