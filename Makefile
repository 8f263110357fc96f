# papersite: `make build` and `make test` work on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

# The locks: the exact versions (with their hashes) of everything `make build` installs (RUNTIME_LOCK) and of
# everything `make test` installs (TEST_LOCK, a superset with the same versions). pyproject.toml keeps the
# ranges; `make lock` pins within them.
RUNTIME_LOCK := requirements/runtime.txt
TEST_LOCK    := requirements/test.txt

# The address the site is served from, when it is not site.toml's base_url: the deploy workflow passes the one
# GitHub Pages gives the repository (`make build BASE_URL=https://you.github.io/repo/`).
BASE_URL ?=

.PHONY: build test check lint typecheck unit serve clean audit bench bench-hugo fuzz lock

# compileall: the package's bytecode, as installing it would write (an editable install does not, and with
# PYTHONDONTWRITEBYTECODE set every command would compile every module from source first)
build: $(VENV)/.installed
	$(BIN)/python -m compileall -q generator
	$(BIN)/papersite ingest
	$(BIN)/papersite build $(if $(BASE_URL),--base-url '$(BASE_URL)')

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

# Exactly the locked versions (--require-hashes: nothing unlocked or altered gets in), then papersite itself
# without resolving again. `pip check` fails when pyproject.toml asks for something the lock lacks: run `make lock`.
$(VENV)/.installed: $(VENV)/.created $(RUNTIME_LOCK) pyproject.toml
	$(PIP) install --require-hashes -r $(RUNTIME_LOCK)
	$(PIP) install --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(TEST_LOCK)
	$(PIP) install --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip check
	touch $@

# Write the locks again after editing pyproject.toml's dependencies: every pin that still fits is kept.
# `make lock UPGRADE=1` moves every pin to the newest release within the ranges (Dependabot proposes the same
# weekly), `make lock UPGRADE_PACKAGE=numpy` only that package's. Both locks cover Python 3.11 and newer on
# every platform (--universal); the test lock is resolved first and constrains the runtime one, so the two never
# disagree. uv is installed at the version the test lock pins, not through the venv's locked install, which a
# stale lock fails.
UV_PIN := $(or $(shell sed -n 's/^\(uv==[^ ]*\).*/\1/p' $(TEST_LOCK) 2>/dev/null),uv)
LOCK_FLAGS = --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock' \
	$(if $(UPGRADE),--upgrade) $(if $(UPGRADE_PACKAGE),--upgrade-package '$(UPGRADE_PACKAGE)')
lock: $(VENV)/.created
	$(PIP) install '$(UV_PIN)'
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_FLAGS) -o $(TEST_LOCK)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -c $(TEST_LOCK) -o $(RUNTIME_LOCK)

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

# Every test but the `scale` ones (make bench): those that need no browser on every core (pytest-xdist), then the
# browser tests one at a time (each serves a site and drives one Chromium).
unit: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/pytest -n auto -m "not browser and not scale"
	$(BIN)/pytest -m "browser and not scale"

# Lighthouse on the served site (slow, not part of `make test`): fails unless Accessibility, SEO and Best
# Practices score 100.
audit: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/audit.py

# Build speed on a generated corpus (bench/run.py): N=1k and 10k papers, BENCH_N=100000 for 100k; at 10k also
# Hugo + the Pagefind CLI on the same papers (bench/hugo.py) when ../shared/bench and hugo are there; writes
# bench/results.md, with the search page's figures in Chromium for the largest N (bench/search.py's queries;
# `python bench/search.py --n N` runs them alone on a bench site). Then the 10k search test, marked `scale` and left
# out of `make test` (it ingests and builds 10k papers). bench-hugo runs the Hugo comparison alone (and installs hugo
# with apt).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py
	$(BIN)/pytest -q -m scale tests/browser/test_search_scale.py

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
