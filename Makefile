# TransitWatch: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= $(if $(TRANSITWATCH_DATA),$(TRANSITWATCH_DATA),../shared/data)

.PHONY: env demo test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

env: $(STAMP)

demo: $(STAMP)
	$(PY) -m transitwatch.demo --data "$(DATA)"

test: $(STAMP)
	$(PY) -m pytest -q

check: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

$(VENV)/.bench-installed: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) benchmarks/screening_quality.py --data "$(DATA)" --peer
	$(PY) benchmarks/screening_speed.py --data "$(DATA)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
