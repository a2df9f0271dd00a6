# mblib: two commands do everything on a fresh machine.
#   make demo   set up, then run the main job on the shipped sample workspace
#   make test   set up, then run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: setup demo test lint lab clean browser node

setup: $(STAMP) node browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,translate,widgets,export,analytics,spark,lrs]"
	@touch $(STAMP)

node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing Chromium (Debian package) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! command -v pdftotext >/dev/null; then \
	  echo "installing poppler-utils (pdftotext) for the report PDF test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; \
	fi

demo: setup
	$(BIN)/mb demo

lint: $(STAMP)   # ruff (lint and format) and mypy, configured in pyproject.toml
	$(BIN)/ruff check mblib tests benchmarks
	$(BIN)/ruff format --check mblib tests benchmarks
	$(BIN)/mypy

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: setup   # JupyterLab on the notebooks folder (--allow-root only when run as root)
	$(BIN)/jupyter lab notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis
	find exports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
