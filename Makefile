# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint typecheck bench demo clean

$(BIN)/okrbot: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "okrbot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	@touch $@

setup: $(BIN)/okrbot

## run: the bot when Slack credentials are configured (environment or .env), the demo otherwise
run: setup
	@if $(BIN)/python -c 'from okrbot.bot.config import load_settings; import sys; sys.exit(0 if load_settings().has_slack_credentials else 1)' 2>/dev/null; \
	then $(BIN)/okrbot serve; \
	else echo "No Slack credentials yet (see README): running the demo."; $(BIN)/okrbot demo; fi

demo: setup
	$(BIN)/okrbot demo

## test: lint, type-check, architecture contracts, and the whole suite (SQLite and PostgreSQL)
test: setup lint typecheck
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy okrbot tests bench

bench: setup
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev,bench]"
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
