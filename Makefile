# Quick start: `make run` serves the app on http://127.0.0.1:8050; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050

.PHONY: run test fuzz lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make installs re-run only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,postgres,redis]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

# The suite, then the strict type check: a type error fails `make test` as a failing test does.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest
	$(BIN)/python -m mypy

# The readers' fuzzing suite at length: 10,000 cases a reader (`make test` runs it briefly).
fuzz: $(VENV)/.installed-test
	INTEGRAMAP_FUZZ=long $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider

typecheck: $(VENV)/.installed-test
	$(BIN)/python -m mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/boundaries.py
	$(BIN)/python bench/parent_chain.py
	$(BIN)/python bench/hostile.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache instance
