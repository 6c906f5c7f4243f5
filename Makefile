# Two commands for everyone: `make run` serves the kiosk, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CATALOGS := $(wildcard kiosk/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint format bench screenshots translations browser run-packages clean

run: $(VENV)/.installed $(COMPILED) run-packages
	$(BIN)/kiosk init
	$(BIN)/kiosk serve

test: $(VENV)/.installed-test $(COMPILED) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/kiosk forms check
	$(BIN)/kiosk translations check
# One pytest worker per core; each test file stays on one worker, which sets its servers up once.
	$(BIN)/python -m pytest -n auto --dist loadfile

screenshots: $(VENV)/.installed-test $(COMPILED) browser
	$(BIN)/python tests/screenshots.py

bench: $(VENV)/.installed-test $(COMPILED) run-packages
	$(BIN)/python bench/submit_bench.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/hub_bench.py
	$(BIN)/python bench/review_bench.py

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

# Debian packages: Pango for WeasyPrint's PDFs (run and test); chromium for browser tests,
# poppler-utils to read PDFs back, postgresql for the hub's tests on PostgreSQL and zbar-tools to
# read QR codes back (test).
# Installed when missing and we may (root).
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils postgresql zbar-tools
define ensure_packages
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif [ "$$CI" = true ]; then \
		echo "missing Debian packages: $$missing (cannot install: not root)" >&2; exit 1; \
	else \
		echo "missing Debian packages: $$missing; install them with apt-get"; \
	fi
endef

run-packages:
	$(call ensure_packages,$(RUN_PACKAGES))

browser:
	$(call ensure_packages,$(TEST_PACKAGES))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find kiosk/translations -name '*.mo' -delete
