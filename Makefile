# Two commands from a fresh clone: `make demo` and `make test`. Both bootstrap themselves.
PY := .venv/bin/python

.PHONY: demo test lint bench bootstrap clean

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
	@BENCH=$${BENCH:-quick} $(PY) -m bench

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
