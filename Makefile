# Two commands from a fresh clone: `make demo` and `make test`. Both bootstrap themselves.
PY := .venv/bin/python

.PHONY: demo test lint bench fuzz bootstrap clean

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	@$(PY) -m pos_plugin demo

test:
	@bash scripts/bootstrap.sh --browser
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: bootstrap
	@$(PY) -m ruff check pos_plugin simulator tests
	@$(PY) -m mypy pos_plugin simulator/platform

bench: bootstrap
	@echo "bench: the benchmark harness is not built yet (a later issue builds it); nothing measured"

# Seeded fuzz of the simulator (tests/fuzz/run_fuzz.py): FUZZ_N protocol requests (default 2000), FUZZ_SEED,
# FUZZ_DB (default: fresh SQLite files). Exits 1 on any HTTP 5xx, odd shape or state change from a refusal.
fuzz: bootstrap
	@$(PY) tests/fuzz/run_fuzz.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
