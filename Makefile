# Two commands for everyone: `make run` serves the kiosk, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CATALOGS := $(wildcard kiosk/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint format bench screenshots translations browser clean

run: $(VENV)/.installed $(COMPILED)
	$(BIN)/kiosk init
	$(BIN)/kiosk serve

test: $(VENV)/.installed-test $(COMPILED) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/kiosk forms check
	$(BIN)/kiosk translations check
	$(BIN)/python -m pytest

screenshots: $(VENV)/.installed-test $(COMPILED) browser
	$(BIN)/python tests/screenshots.py

bench: $(VENV)/.installed-test $(COMPILED)
	$(BIN)/python bench/submit_bench.py

lint format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

translations: $(VENV)/.installed
	$(BIN)/kiosk translations extract
	$(BIN)/kiosk translations update
	$(BIN)/kiosk translations compile

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

# Browser tests drive Debian's chromium; install it when missing and we may (root).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif [ "$$CI" = true ]; then \
		echo "chromium is missing and cannot be installed (not root)" >&2; exit 1; \
	else \
		echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find kiosk/translations -name '*.mo' -delete
