# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/fieldsurvey
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-fast test-integration install install-dev bench migrate demo clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The browser tests drive Debian's Chromium; no browser is ever downloaded by a test tool.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	else \
		echo "!! Debian's chromium package is missing: sudo apt-get install chromium (browser tests will say so)"; \
	fi

# ODK Validate (the jar pyxform ships) runs on Debian's Java; without it the form test falls back to pyxform's checks.
JAVA := /usr/bin/java
$(JAVA):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	else \
		echo "!! Debian's Java is missing: sudo apt-get install default-jre-headless (ODK Validate will not run)"; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Tier 1: everything cheap, on SQLite with in-process tasks.
test-fast: install-dev $(CHROMIUM) $(JAVA)
	$(PY) -m pytest -m "not integration" -n 2 -q

# Tier 2: PostgreSQL, Redis and real Celery worker processes. Locally an unreachable
# PostgreSQL skips the tier with a banner; in CI (CI=true) it fails the run.
PG_SERVER_URL = $(shell echo '$(PG_TEST_URL)' | sed -E 's#/[^/]*$$#/postgres#')
test-integration: install-dev
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_SERVER_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_TEST_URL) CELERY_BROKER_URL=$(REDIS_TEST_URL) SECRET_KEY=integration-tests DEBUG=1 \
			$(PY) -m pytest -m integration -q; \
	else \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!! PostgreSQL at $(PG_SERVER_URL) cannot be reached: INTEGRATION TIER NOT RUN !!"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		if [ "$${CI:-}" = true ]; then exit 1; fi; \
	fi

test: test-fast test-integration

# Benchmarks need PostgreSQL, Redis and wrk (installed here when missing and root).
bench: install-dev
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(PY) bench/intake_bench.py
	$(PY) bench/photo_bench.py
	$(PY) bench/matching_bench.py
	$(PY) bench/export_bench.py
	$(PY) bench/odk_bench.py

clean:
	rm -rf $(VENV) db.sqlite3
