# Consult Portal — the commands a newcomer needs. Every target is idempotent.
#   make run    install, migrate, load the demo data, serve http://127.0.0.1:8000 (SQLite)
#   make test   install what tests need (incl. Debian's chromium) and run the whole suite
#   make lint   ruff, and lint-imports (the apps depend one way: pyproject.toml, importlinter)
#   make bench  list-page timings and export memory on PostgreSQL, 100,000 topics (not in test)
#   make prod   the production stack's app instance: collectstatic, migrate, check --deploy, gunicorn
#               (needs the production environment: README, "Production"; docs/deploy/)

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench bench-load browser-deps clean prod

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

# Browser tests drive Debian's chromium (Playwright's own browser download is not used);
# fonts-noto-cjk lets the screenshots show Chinese.
browser-deps:
	@if [ ! -x $(CHROMIUM) ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# The whole suite, browser tests included, on SQLite, spread over PYTEST_WORKERS processes
# (pytest-xdist; each has its own test database and live server). `make test PYTEST_WORKERS=0`
# runs it in one process.
PYTEST_WORKERS ?= 2

test: install browser-deps
	mkdir -p var
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Needs PostgreSQL; builds the bench city in BENCH_DATABASE_URL once (its name must contain
# "bench"), then reuses it. See bench/README.md and docs/BENCHMARKS.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cp_bench

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/lists.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/export_memory.py

# 32 clients against gunicorn with the production settings, each page for 15 s (bench/load.py).
bench-load: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/load.py

# One app instance of the production stack on PORT (8000): the release steps, then gunicorn with
# workers from the CPU count and a request timeout (consult_portal/gunicorn_conf.py). Settings
# from the environment or .env (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL,
# DJANGO_CACHE_URL ...); check --deploy fails on any warning.
prod: install
	DJANGO_SETTINGS_MODULE=consult_portal.settings.production $(BIN)/python manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=consult_portal.settings.production $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=consult_portal.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=consult_portal.settings.production exec $(BIN)/gunicorn -c python:consult_portal.gunicorn_conf

clean:
	rm -rf var/staticfiles var/test-media .pytest_cache
