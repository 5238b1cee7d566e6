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

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download),
# and fonts with CJK and emoji glyphs so the token page's tests can see them drawn.
BROWSER_PACKAGES := chromium fonts-noto-color-emoji fonts-wqy-zenhei
browser:
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES))

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
