# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export SUPPORTDESK_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test lint bench venv clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

# The demo prints mail in the terminal (sign-up links, login links, replies) unless an
# EMAIL_BACKEND is set, so every flow can be tried without a mail server.
demo: venv
	$(BIN)/supportdesk manage migrate --no-input -v0
	$(BIN)/supportdesk demo --if-empty
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} $(BIN)/supportdesk serve

lint: venv
	$(BIN)/ruff check supportdesk tests bench
	$(BIN)/ruff format --check supportdesk tests bench
	$(BIN)/mypy supportdesk
	DJANGO_SETTINGS_MODULE=supportdesk.settings_test $(BIN)/python -m django check
	DJANGO_SETTINGS_MODULE=supportdesk.settings_test $(BIN)/python -m django makemigrations --check --dry-run -v0

# Whole suite on SQLite (with browser tests and benchmark smoke runs), then again on a
# throwaway PostgreSQL cluster. Ends with pytest's summary line of the PostgreSQL run.
test: venv
	bash scripts/system-deps.sh
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest
	@url=$$(bash scripts/pg-throwaway.sh start) && \
	  trap 'bash scripts/pg-throwaway.sh stop' EXIT && \
	  DATABASE_URL=$$url $(BIN)/pytest -m "not browser and not bench and not processes"

BENCH_N ?= 100000
BENCH_PROCESSES ?= 1
BENCH_MAIL_N ?= 10000
BENCH_KB_N ?= 10000
bench: venv
	BENCH_N=$(BENCH_N) $(BIN)/python -m bench.api --processes $(BENCH_PROCESSES)
	BENCH_N=$(BENCH_N) $(BIN)/python -m bench.pages --processes $(BENCH_PROCESSES)
	BENCH_N=$(BENCH_N) $(BIN)/python -m bench.live
	$(BIN)/python -m bench.sla_time
	BENCH_N=$(BENCH_N) $(BIN)/python -m bench.sla
	$(BIN)/python -m bench.mail --n $(BENCH_MAIL_N)
	$(BIN)/python -m bench.automation --n $(BENCH_N)
	$(BIN)/python -m bench.kb --n $(BENCH_KB_N)
	$(BIN)/python -m bench.search_quality

clean:
	rm -rf $(VENV) var
