# podbench: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

# The quickstart suite (bench/suites/quickstart.yaml) into runs/quickstart, then its HTML
# report; prints the path of index.html. About 1.5 minutes on first use (Numba compiles the
# simulator kernels once), seconds afterwards; completed cells are kept (--force reruns).
run: $(STAMP)
	$(BIN)/podbench suite bench/suites/quickstart.yaml --out runs/quickstart --report

test: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(DEVSTAMP)
	$(BIN)/ruff check .

bench: $(DEVSTAMP)
	$(BIN)/python -m pytest bench/benchmarks --benchmark-enable -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
