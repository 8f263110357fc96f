# papersite: `make build` and `make test` work on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: build test check lint typecheck unit serve clean audit bench bench-hugo fuzz

# compileall: the package's bytecode, as installing it would write (an editable install does not, and with
# PYTHONDONTWRITEBYTECODE set every command would compile every module from source first)
build: $(VENV)/.installed
	$(BIN)/python -m compileall -q generator
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

# Node dev tools for the quality gates (vnu-jar, axe-core, lighthouse), pinned by package-lock.json; not needed
# by `make build`. --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

test: $(VENV)/.installed-test node_modules/.installed build lint typecheck unit

# The quick loop while developing: lint, types, and the tests that need no browser and are not marked slow, on
# every core (pytest-xdist); under a minute on 2 cores. `make test` is the whole suite.
check: lint typecheck
	$(BIN)/pytest -q -n auto -m "not slow and not browser"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests bench fuzz tools
	$(BIN)/ruff format --check generator tests bench fuzz tools

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/pytest

# Lighthouse on the served site (slow, not part of `make test`): fails unless Accessibility, SEO and Best
# Practices score 100.
audit: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/audit.py

# Build speed on a generated corpus (bench/run.py): N=1k and 10k papers, BENCH_N=100000 for 100k; at 10k also
# Hugo + the Pagefind CLI on the same papers (bench/hugo.py) when ../shared/bench and hugo are there; writes
# bench/results.md. bench-hugo runs that comparison alone (and installs hugo with apt).
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

bench-hugo: $(VENV)/.installed
	$(BIN)/python bench/hugo.py

serve: $(VENV)/.installed
	$(BIN)/papersite serve --host 127.0.0.1 --port 8000

# Coverage-guided fuzzing (atheris) of every listing parser and content-file reading, FUZZ_SECONDS long
# (not part of `make test`, which runs a few seconds of it). Crashes are saved under tests/artifacts/fuzz/.
FUZZ_SECONDS ?= 300
fuzz: $(VENV)/.installed-test
	mkdir -p .fuzz-corpus tests/artifacts/fuzz
	$(BIN)/python fuzz/fuzz_listings.py -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=tests/artifacts/fuzz/ \
		.fuzz-corpus fuzz/seeds

clean:
	rm -rf site .site.staging .site.previous .papersite-cache .pytest_cache .mypy_cache .ruff_cache tests/artifacts .fuzz-corpus
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
