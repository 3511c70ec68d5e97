# Two commands: `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install setup browser lint format clean

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The browser tests drive Debian's chromium: Playwright never downloads a browser of its own.
# CHROMIUM may point at another Chromium binary; apt-get runs only when none is there.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if [ -x "$(CHROMIUM)" ]; then echo "Chromium: $(CHROMIUM)"; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

# Database, demo case and a first staff account. Safe to run again.
setup: export DJANGO_DEBUG ?= 1
setup: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loaddata vocabularies jardemalie
	# A first history record for what the fixtures loaded, so later edits can be reverted.
	$(PY) manage.py record_history_baseline
	$(PY) manage.py create_demo_staff

run: export DJANGO_DEBUG ?= 1
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# The test settings run with DEBUG off, as in production; the key below signs nothing real.
test: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test: install browser
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache *.egg-info
