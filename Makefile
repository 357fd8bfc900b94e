# Two commands do all the set-up: `make run` starts the app, `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
ARGS ?=
PYTEST_ARGS ?=
# Parallel pytest workers (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: venv venv-test run test lint typecheck pytest bench bench-peer clean

# The stamp files remember the last install: editing pyproject.toml reinstalls.
$(VENV)/bin/python:
	$(PY) -m venv $(VENV)

$(VENV)/.stamp-run: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e .
	touch $@

# The test extras are a superset of the run install, so they satisfy `run` as well.
$(VENV)/.stamp-test: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e ".[test]"
	touch $@ $(VENV)/.stamp-run

venv: $(VENV)/.stamp-run

venv-test: $(VENV)/.stamp-test

run: $(VENV)/.stamp-run
	$(BIN)/ecpm $(ARGS)

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.stamp-test
	$(BIN)/mypy

pytest: $(VENV)/.stamp-test
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck pytest

# BENCH_ARGS=--large adds 50,000 cards; --ratios adds the older 1k/10k ratio checks.
BENCH_ARGS ?=
bench: $(VENV)/.stamp-test
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# kanban-tui side by side (issue 13): pinned, in its own venv so its dependencies never
# mix with ecpm's; `make bench` runs the same comparison once this venv exists.
PEER_VENV := .venv-peer
KANBAN_TUI_VERSION := 0.21.2

$(PEER_VENV)/.stamp-kanban-tui-$(KANBAN_TUI_VERSION):
	$(PY) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip --quiet --disable-pip-version-check install \
		"kanban-tui==$(KANBAN_TUI_VERSION)"
	touch $@

bench-peer: $(VENV)/.stamp-test $(PEER_VENV)/.stamp-kanban-tui-$(KANBAN_TUI_VERSION)
	$(BIN)/python -m benchmarks.peer $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(PEER_VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
