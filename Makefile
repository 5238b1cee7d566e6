# Two commands on a fresh machine: `make serve` (set up, train the default runs if absent, serve)
# and `make test` (set up, run every test). Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where pip looks for torch. Empty: the default index (here, a local CPU build of torch 2.13.0).
# On a laptop without an NVIDIA GPU use PyTorch's CPU-only wheels instead of the multi-GB CUDA build:
#   make serve TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
TORCH_PIN := torch==2.13.0

.PHONY: serve test lint train dims bench setup browser clean references

setup: $(STAMP)
	@$(MAKE) --no-print-directory references || echo "*** WARNING: the GPT-2/GPT-4/GPT-4o reference tokenizers are not installed (npm is needed once: make references) ***" >&2

# torch first, pinned: the project's own torch requirement is then already met and pulls nothing.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) $(TORCH_PIN)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The reference tokenizers' rank files (GPT-2, GPT-4, GPT-4o): OpenAI's files as the npm package tiktoken
# (MIT) ships them, fetched once with npm and checked against tiktoken's SHA-256 of each (trainer/bpe/gpt_tokenizers.py).
# The app never downloads them; without them the token page offers only the tokenizers learned here.
REFERENCE_PACKAGE := tiktoken-1.0.22
REFERENCES := data/reference_tokenizers/.installed
references: $(REFERENCES)
$(REFERENCES): $(STAMP) trainer/bpe/gpt_tokenizers.py
	@mkdir -p .cache
	@test -f .cache/$(REFERENCE_PACKAGE).tgz || npm pack --silent --pack-destination .cache $(subst -,@,$(REFERENCE_PACKAGE)) >/dev/null
	$(BIN)/python -m trainer.bpe.gpt_tokenizers .cache/$(REFERENCE_PACKAGE).tgz
	touch $@

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium-headless-shell, the lighter
# headless-only build, and falls back to /usr/bin/chromium; no browser download),
# fonts with CJK and emoji glyphs so the token page's tests can see them drawn, and zbar-tools, whose
# zbarimg reads the share control's QR code as a phone would (tests/test_share.py), and node runs the pages'
# JavaScript unit tests (tests/js, tests/test_js_units.py), and redis-server, which tests/test_live.py starts
# on a free port to run the live class's Redis store against (nothing starts it as a service). apt-get needs root.
BROWSER_PACKAGES := chromium chromium-headless-shell fonts-noto-color-emoji fonts-wqy-zenhei zbar-tools nodejs redis-server
browser:
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES))

serve: setup
	$(BIN)/wordlab serve --host $(HOST) --port $(PORT)

train: setup
	$(BIN)/wordlab train

# Without root (no apt-get) the browser tests are skipped with a loud warning; under CI they are required.
# Two processes by default, a whole file per process (built_once shares the expensive fixtures; a file's
# servers and browser stay in one process). TEST_PROCESSES=0 runs them in this one process.
TEST_PROCESSES ?= 2
PYTEST := $(BIN)/python -m pytest -q $(if $(filter 0,$(TEST_PROCESSES)),,-n $(TEST_PROCESSES) --dist loadfile)
test: setup
	@if $(MAKE) --no-print-directory browser; then $(PYTEST); \
	elif [ -n "$$CI" ]; then echo "error: CI requires the browser tests, and chromium could not be installed" >&2; exit 1; \
	else echo "" >&2; echo "*** WARNING: chromium could not be installed (apt-get needs root): the BROWSER TESTS ARE SKIPPED ***" >&2; \
	  echo "" >&2; WORDLAB_NO_BROWSER=1 $(PYTEST); fi

lint: setup
	$(BIN)/ruff check .

# The explorer's dimension lesson: the same corpus at several d; the explorer draws their probe scores as one
# curve against d (corpus panel) and compares any two side by side.
#   make dims CORPUS=data/corpora/frankenstein.txt NAME=frankenstein KIND=corpus DIMS="10 25 50 100 200"
CORPUS ?= data/corpora/teaching.txt
NAME ?= teaching
KIND ?= teaching
DIMS ?= 10 25 50 100
dims: setup
	for d in $(DIMS); do $(BIN)/wordlab train --kind $(KIND) --corpus $(CORPUS) --name $(NAME)-d$$d --dim $$d --quiet || exit 1; done

bench: setup
	$(BIN)/python bench/teaching_run.py

clean:
	rm -rf $(VENV) data/runs data/tokenizers data/reference_tokenizers .cache test-artifacts
