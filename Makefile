# Two commands: `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lock bandit audit backup restore setup browser gettext lint format clean fuzz deploy-check bench bench-api bench-faults bench-import wrk nginx postgres

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

# Installs are reproducible: exactly the versions and hashes in requirements.lock (the
# dependencies, the dev extra and the build backend), then the project itself without
# resolving anything. pip check fails when pyproject.toml declares what the lock lacks.
$(VENV)/.installed: pyproject.toml requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(PY) -m pip check || { echo "requirements.lock does not match pyproject.toml: run make lock"; exit 1; }
	touch $@

install: $(VENV)/.installed

# Regenerate requirements.lock from pyproject.toml after changing the dependencies. Pins that
# still fit are kept; `make lock UPGRADE=1` moves every package to its newest release.
LOCK_FLAGS := --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
	--all-build-deps --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: | $(VENV)/bin/python
	$(PY) -m pip install --quiet "pip-tools>=7.4"
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) \
		$(if $(UPGRADE),--upgrade) --output-file requirements.lock pyproject.toml

# Security lint of the project's code (configured in pyproject.toml): fails on any finding of
# medium or high severity that is not marked `# nosec BXXX` with a reason.
bandit: install
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium --quiet

# Known vulnerabilities in the locked versions. Needs a vulnerability database (PyPI's or
# OSV's); without one it fails rather than pass unchecked. Not part of `make test`.
audit: install
	$(VENV)/bin/pip-audit --strict --progress-spinner off --disable-pip --require-hashes \
		--requirement requirements.lock \
		|| { echo "make audit: the locked dependencies could not be checked, or a vulnerability was found (see above)."; exit 1; }

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

# The test that the catalogues are up to date with the code runs Django's makemessages, which
# needs GNU gettext's xgettext (Debian's gettext); apt-get runs only when it is missing.
# Nothing else needs it: compile_catalogues compiles the catalogues in Python.
gettext:
	@if command -v xgettext >/dev/null; then echo "xgettext: $$(command -v xgettext)"; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext; \
	fi

# Database, the interface's translations, demo case and a first staff account. Safe to run again.
setup: export DJANGO_DEBUG ?= 1
setup: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py compile_catalogues
	$(PY) manage.py loaddata vocabularies jardemalie
	# A first history record for what the fixtures loaded, so later edits can be reverted.
	$(PY) manage.py record_history_baseline
	$(PY) manage.py create_demo_staff

# The database and the private files, into one timestamped directory under backups/
# (OBSERVATORY_BACKUP_DIR); restore refuses a database or files directory that is not empty.
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/observatory-YYYYMMDD-HHMMSS [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

run: export DJANGO_DEBUG ?= 1
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# The test settings run with DEBUG off, as in production; the key below signs nothing real.
test: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test: install browser gettext
	$(PY) manage.py compile_catalogues
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# Far more, random examples for the fuzzing tests than the suite's repeatable 40.
fuzz: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
fuzz: install
	HYPOTHESIS_PROFILE=explore $(VENV)/bin/pytest tests/test_fuzz.py

# Django's deployment checks on this environment's configuration: run it with the production
# variables set (see the README). Any warning fails.
deploy-check: install
	$(PY) manage.py check --deploy --fail-level WARNING

# Benchmarks against PostgreSQL with generated data (see BENCHMARKS.md). BENCH_CASES sets the
# size; the data is generated only when the database does not hold it yet. Its files go to a
# temporary directory of its own; gunicorn listens on BENCH_PORT and the next, the cached
# server's Redis on the one after (8701, 8702, 8703).
BENCH_CASES ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/observatory_bench
bench: install wrk nginx postgres
	BENCH_CASES=$(BENCH_CASES) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m benchmarks.run

# The API's addresses alone (BENCHMARKS.md): query counts at 100 cases and at BENCH_CASES,
# latency uncached; no throughput run.
bench-api: install postgres
	BENCH_ONLY="API:" BENCH_CASES=$(BENCH_CASES) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(PY) -m benchmarks.run

# Importing 10,000 alerts from one spreadsheet (BENCHMARKS.md), on BENCH_DATABASE_URL.
bench-import: install postgres
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m benchmarks.import_alerts

# Faults: mixed public and staff load at 16 connections while PostgreSQL restarts, then steady
# load (BENCHMARKS.md). It creates a PostgreSQL cluster of its own, on BENCH_FAULTS_PG_PORT
# (55433), in a temporary directory; it never touches the machine's PostgreSQL server.
bench-faults: install
	$(PY) -m benchmarks.faults

# The throughput run loads the site with Debian's wrk; apt-get runs only when it is missing.
wrk:
	@if command -v wrk >/dev/null; then echo "wrk: $$(command -v wrk)"; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; \
	fi

# The throughput run names nginx's figure for the same static file as the machine's ceiling.
nginx:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then echo "nginx: installed"; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx; \
	fi

# Start the local PostgreSQL server if it is down, as .ci/run does.
postgres:
	@if ! pg_isready -h 127.0.0.1 -p 5432 -q; then \
		for version in $$(ls /etc/postgresql); do \
			pg_ctlcluster --skip-systemctl-redirect "$$version" main start || true; \
		done; \
		for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	fi
	pg_isready -h 127.0.0.1 -p 5432

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache *.egg-info
