# The two commands of the README. Everything a fresh machine needs is installed here.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest-sqlite pytest-postgres coverage services browser bench-vault bench-intake bench-ispws bench-queue bench-match bench-detect bench-stats i18n clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/tipline demo --host 127.0.0.1 --port 8000

# Debian's Chromium for the browser tests; Playwright's own browser download cannot work here.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# axe-core, fetched from npm at test time, checks every public page for WCAG 2.2 AA.
AXE := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE):
	mkdir -p .cache/axe && cd .cache/axe && npm install --no-audit --no-fund --silent axe-core@4

# PostgreSQL, Redis and NATS (with JetStream) are started before the session on this kind of
# machine; start any that has stopped.
services:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@(echo > /dev/tcp/127.0.0.1/4222) 2>/dev/null || start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start" >&2; exit 1

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy

pytest-sqlite: install browser services $(AXE)
	@echo "=== test suite on SQLite ==="
	TIPLINE_TEST_DATABASE=sqlite $(VENV)/bin/pytest -n 2 -p no:cacheprovider $(COVERAGE)

pytest-postgres: install services
	@echo "=== test suite on PostgreSQL ==="
	TIPLINE_TEST_DATABASE=postgresql TIPLINE_TEST_PG_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 -p no:cacheprovider -m "not browser" $(COVERAGE) --cov-append

# Branch coverage: the SQLite run starts the count, the PostgreSQL run adds to it, and
# `coverage` checks the floor (fail_under in pyproject.toml) on the two together.
COVERAGE := --cov=tipline --cov-report= --cov-fail-under=0

coverage: install
	@echo "=== branch coverage, both databases (floor: fail_under in pyproject.toml) ==="
	@echo -n "total branch coverage (%): " && $(VENV)/bin/coverage report --format=total

test: lint typecheck pytest-sqlite pytest-postgres coverage

# Re-extract the messages and rewrite the Spanish catalog from scripts/es_catalog.py.
i18n: install
	$(PY) scripts/i18n.py

bench-vault: install
	@$(PY) bench/vault.py

bench-intake: install services
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@$(PY) bench/intake.py

bench-ispws: install services
	@$(PY) bench/ispws.py

bench-queue: install services
	@$(PY) bench/review_queue.py

# Exact PDQ matching at N stored hashes and Q queries, against faiss in the same run.
N ?= 1000000
Q ?= 2000
bench-match: install
	@$(PIP) install -q '.[bench]' >/dev/null 2>&1 || $(PIP) install -q faiss-cpu
	@N=$(N) Q=$(Q) $(PY) bench/match.py

# /numbers at 100,000 and 1,000,000 reports on PostgreSQL, against a direct GROUP BY.
bench-stats: install services
	@$(PY) bench/stats.py

# Mixed traffic while the server is killed with SIGKILL three times, on SQLite and PostgreSQL:
# acknowledged == stored exactly once, no 5xx, audit verify intact, p50/p99 per route.
bench-soak: install services
	@$(PY) bench/soak.py

# Red-flag detection in streaming mode against a plain regex pass, one core.
bench-detect: install
	@$(PY) bench/detect.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
