# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The suite runs on every core (pytest-xdist); a module's tests stay on one worker, so a module's
# servers and fixtures start once. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadscope
PIP := $(VENV)/bin/pip

.PHONY: run test test-any-day test-ahead lint install install-test clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(PY) -m manage setup
	$(PY) -m manage serve

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/js && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the ical.js feed checks will be skipped and every browser test will fail (axe-core); install Node.js and npm (.ci/run does)"; fi

test: install-test tests/js/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# The suite again with the clock moved (libfaketime, for every process it starts): to a day far
# ahead, and to five minutes before midnight in Ho Chi Minh City, so the day changes mid-run.
# The clock is the app's whatever the database, so these runs keep to the SQLite half.
# test-ahead is the first of them alone (what .ci/run adds to make test).
test-any-day: test-ahead
	$(PY) -m tests.clock "23:55" -k "not postgresql" $(XDIST) $(PYTEST_ARGS)

test-ahead: install-test tests/js/node_modules/.installed
	$(PY) -m tests.clock "2027-06-01 10:00" -k "not postgresql" $(XDIST) $(PYTEST_ARGS)

# New texts of the code and templates into the English catalog (locale/en/LC_MESSAGES/messages.po).
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k gettext -k ngettext:1,2 --no-location \
		--sort-output --ignore-dirs='.venv node_modules tests bench' -o locale/messages.pot .
	$(VENV)/bin/pybabel update -i locale/messages.pot -d locale -l en \
		--no-fuzzy-matching --ignore-obsolete
	rm locale/messages.pot

# Every benchmark in bench/, its figures into docs/BENCHMARKS.md (QUICK=1: quick variants).
.PHONY: bench
bench: install-test
	$(PY) bench/run_all.py $(if $(QUICK),--quick)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) build *.egg-info
