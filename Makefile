# CounterHub: `make run` serves it, `make test` tests it. Both set up everything first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12 or newer; the embedded PostgreSQL (pgserver) has wheels up
# to 3.12, so 3.12 is preferred. pyenv's shims honour the committed .python-version.
FIND_PYTHON = for p in python3.12 python3 python3.13 python3.14; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null; then \
	    command -v $$p; exit 0; fi; done; exit 1

.PHONY: help run test bench demo lint format stop-db clean

help:
	@echo "make run      set up and serve CounterHub on http://$(HOST):$(PORT)"
	@echo "make test     set up and run the whole test suite"
	@echo "make bench    load benchmark against its ceilings (bench/README.md; needs wrk)"
	@echo "make demo     add demo counters with history (for local development)"
	@echo "make lint     ruff check, format check and mypy"
	@echo "make stop-db  stop the embedded PostgreSQL"
	@echo "make clean    remove the virtualenv and collected static files (keeps .data/)"

$(VENV)/bin/python:
	@python=$$($(FIND_PYTHON)) || { \
	  echo "CounterHub needs Python 3.12 (Django 6.1 needs 3.12 or newer)." >&2; \
	  echo "Install it (pyenv install 3.12, or apt-get install python3.12) and run make again." >&2; \
	  exit 1; }; \
	echo "Creating $(VENV) with $$python"; \
	$$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

staticfiles/staticfiles.json: $(VENV)/.installed-run $(shell find counters/static templates -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: $(VENV)/.installed-run staticfiles/staticfiles.json
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_admin
	$(VENV)/bin/gunicorn counterhub.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT)

test: $(VENV)/.installed-dev staticfiles/staticfiles.json
	$(PY) -m pytest $(PYTEST_ARGS)

# The service as deployed under wrk, beside its database and server ceilings; see
# bench/README.md. BENCH_ARGS="--seconds 3 --runs 1" for a quick look.
bench: $(VENV)/.installed-bench staticfiles/staticfiles.json
	$(PY) -m bench.run $(BENCH_ARGS)

# The servers the benchmark measures beside gunicorn, and the FastAPI peer's packages.
$(VENV)/.installed-bench: requirements.txt bench/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r bench/requirements.txt
	@touch $@ $(VENV)/.installed-run

demo: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

stop-db:
	@if [ -x $(PY) ]; then $(PY) -m counterhub.database stop; fi

clean:
	rm -rf $(VENV) staticfiles
