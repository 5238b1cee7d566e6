# Two commands on a fresh machine: `make serve` (set up, train the default run if absent, serve)
# and `make test` (set up, run every test). Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test train bench setup browser clean

setup: $(STAMP)

# torch first, pinned: on a CPU machine pip takes the local CPU build; an unpinned torch
# pulled in by the project would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

serve: setup
	$(BIN)/wordlab serve

train: setup
	$(BIN)/wordlab train

test: setup browser
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/teaching_run.py

clean:
	rm -rf $(VENV) data/runs data/tokenizers test-artifacts
