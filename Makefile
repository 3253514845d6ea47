# Two commands: `make serve` and `make test`. Every target sets up .venv first.
# The environment is rebuilt when the lock file or pyproject.toml changes.
# uv is used when it is on PATH, else python -m venv + pip; both read requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV := $(shell command -v uv 2>/dev/null)
# Material's end-of-life notice is tracked in CONTRIBUTING.md; keep build logs readable.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help env serve build fresh check test lint lock clean

help:
	@echo "make serve   set up .venv and serve the site on http://127.0.0.1:8000"
	@echo "make test    set up .venv and run lint + the whole test suite"
	@echo "make build   strict build into site/ (cached experiment results)"
	@echo "make fresh   strict build into site/, re-running every experiment"
	@echo "make check   build, then judge site/results.json again from its raw runs"
	@echo "make lock    re-resolve requirements.lock from pyproject.toml (needs uv)"

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11; run make PYTHON=python3.12 (or newer)"; exit 1; }
ifneq ($(UV),)
	@echo "setting up $(VENV) with uv"
	@test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
else
	@echo "setting up $(VENV) with venv + pip (install uv to make this faster)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
endif
	@touch $(STAMP)

# Serve at the root of 127.0.0.1:8000 (site_url's /guide/ path is for the published site);
# edits to experiments and the build machinery reload the page too.
serve: $(STAMP)
	SITE_URL=http://127.0.0.1:8000/ $(BIN)/mkdocs serve --strict \
		--dev-addr 127.0.0.1:8000 --watch snippets --watch examples --watch measured

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

fresh: $(STAMP)
	MEASURED_FRESH=1 $(BIN)/mkdocs build --strict --site-dir site

# The published results file, judged again from its raw runs (measured/cli/check.py).
check: build
	$(BIN)/python -m measured check site/results.json

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint -shellcheck= -pyflakes= .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress .github/workflows
	$(BIN)/codespell docs snippets examples

test: lint
	$(BIN)/python -m pytest

lock:
	uv pip compile --quiet pyproject.toml --extra dev --universal \
		--python-version 3.11 -o requirements.lock

clean:
	rm -rf site .cache .pytest_cache
