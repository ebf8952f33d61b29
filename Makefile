# Two commands from a fresh clone: `make demo` and `make test`. Both bootstrap themselves.
PY := .venv/bin/python
# The suite spreads over three workers by test file (module fixtures stay together): on 2 cores the third
# worker fills the time the others wait on servers, browsers and subprocesses (3m05s vs 3m25s measured).
PYTEST_WORKERS ?= 3

.PHONY: demo test lint bench fuzz bootstrap clean soak

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	@$(PY) -m pos_plugin demo

test:
	@bash scripts/bootstrap.sh --browser
	@$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: bootstrap
	@$(PY) -m ruff check pos_plugin simulator tests tools
	@$(PY) -m mypy pos_plugin simulator/domain simulator/platform simulator/app.py simulator/memory.py tools

bench: bootstrap
	@BENCH=$${BENCH:-quick} $(PY) -m tools.bench

# Seeded fuzz of the simulator (tools/fuzz/run.py): FUZZ_N protocol requests (default 2000), FUZZ_SEED,
# FUZZ_DB (default: fresh SQLite files). Exits 1 on any HTTP 5xx, odd shape or state change from a refusal.
# Then schemathesis run on the simulator's and the agent's OpenAPI (ST_EXAMPLES cases per operation, default 25).
fuzz: bootstrap
	@$(PY) -m tools.fuzz
	@$(PY) -m tools.fuzz.schemathesis_run

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Seeded chaos soak through terminal.till (faults, kill -9, recover, reconcile) on SQLite and PostgreSQL, and
# three till processes on one shared PostgreSQL till store. SOAK_OPS=10000 SOAK_SEED=12 make soak
# (SOAK_DBS=sqlite for one run; sqlite,postgres,shared is the default)
soak: bootstrap
	@$(PY) -m tools.soak
