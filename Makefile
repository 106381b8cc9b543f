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
	$(PY) -m benchmarks.declarations_bench --n 100000 --seed 7 --data "$(DATA)"
	@echo "Also: benchmarks/api_load.py (HTTP, loopback) and benchmarks/flows_bench.py (100M rows, slow); see docs/benchmarks.md"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
