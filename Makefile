# Gongzhi: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GONGZHI_DATABASE_URL ?= sqlite:///var/gongzhi.db

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(BIN)/gongzhi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	@touch $@

venv: $(BIN)/gongzhi ## create .venv and install the project with test and dev extras

demo: venv runtime-deps ## install, migrate a SQLite database, load demo data, serve on http://127.0.0.1:8000
	$(BIN)/gongzhi demo --serve --port 8000

serve: venv runtime-deps ## serve the portal (no demo data) on http://127.0.0.1:8000
	$(BIN)/gongzhi migrate
	$(BIN)/gongzhi serve --port 8000

APT_INSTALL = $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q

runtime-deps: ## install Debian's CJK fonts and Pango (PDF certificates and result sheets) when missing
	@missing=""; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(APT_INSTALL) $$missing; fi

system-deps: runtime-deps ## also install Debian's chromium, postgresql, poppler-utils and nginx (tests)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(APT_INSTALL) $$missing; fi

test-deps: venv system-deps ## everything the tests need: python extras, chromium, postgresql, the OIDC provider
	@if [ -f tests/oidc_provider/package-lock.json ]; then \
	  [ -d tests/oidc_provider/node_modules ] || npm ci --silent --no-audit --no-fund --prefix tests/oidc_provider; \
	fi

test: test-deps ## run the whole suite: unit, db, web, browser, PostgreSQL and OIDC tests
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-deploy: test-deps ## two portal processes and the worker on PostgreSQL behind Debian's nginx (needs nginx)
	$(BIN)/python deploy/test_deploy.py

check: venv ## ruff format --check, ruff check, mypy, import contracts, alembic check
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	GONGZHI_DATABASE_URL=sqlite:///$$(mktemp -d)/check.db bash -c '$(BIN)/gongzhi migrate >/dev/null && $(BIN)/alembic check'

SCALE ?= demo
FRACTION ?= 1
bench: venv ## benchmarks (SCALE=city [FRACTION=0.1] adds the city-scale table): pages and actions (SQLite and PostgreSQL) against a reference page, ballot casting, tally rules, the sign-up burst, resident requests (pages, queue, sweep; HTTP intake), search
	@command -v ab >/dev/null && command -v wrk >/dev/null || { \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q apache2-utils wrk; }
	$(BIN)/python bench/bench_city.py --scale $(SCALE) --fraction $(FRACTION)
	$(BIN)/python bench/bench_http.py --pg --workers 4
	$(BIN)/python bench/bench_cast.py --pg --workers 4
	$(BIN)/python bench/bench_tally.py
	$(BIN)/python bench/bench_opinion.py
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_signup.py --pg --workers 4
	$(BIN)/python bench/bench_plan_board.py
	$(BIN)/python bench/bench_requests.py --requests 20000 --repeat 3
	$(BIN)/python bench/bench_intake.py --quick
	$(BIN)/python bench/bench_search.py --pg

clean: ## remove the virtualenv and local databases
	rm -rf $(VENV) var

.PHONY: help venv demo serve runtime-deps system-deps test-deps test test-deploy check bench clean
