# Two commands set everything up on a fresh machine: `make generate`, `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
CORPUS ?= ../shared/corpus

.PHONY: generate check lint test test-corpus stats bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# The project itself (editable), reinstalled when pyproject.toml changes.
$(VENV)/.project: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

# What the tests need on top (pytest, syrupy, mypy, ruff, httpx, ...).
$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $(VENV)/.project $@

generate: $(VENV)/.project
	$(BIN)/postman-codegen generate

check: $(VENV)/.project
	$(BIN)/postman-codegen check

# ruff over the whole repository, mypy --strict over the generator.
lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy generator/postman_codegen

# pytest exits 5 when it collected no test: a broken conftest or a wrong path must
# not pass as green.
PYTEST_GUARD = rc=$$?; if [ $$rc -eq 5 ]; then \
	echo "make: pytest collected no tests (exit 5): failing" >&2; exit 1; fi; exit $$rc

# Everything but the tests marked slow: under 3 minutes of CPU time on 2 cores.
test: $(VENV)/.test
	@$(PY) -m pytest -n 2 -q; $(PYTEST_GUARD)

# The tests marked slow, then the stats table: the corpus collections above 1 MB or
# 90 requests (round trip, secret scan, OpenAPI; tests/conftest.py), the msgspec style
# of all but two small ones, block formatting of all, the 50 MB collection (make test:
# 10 MB), the name-stability loops over twitter-v2 beyond every fourth request, and
# the property tests again with four times the examples (hypothesis profile `full`).
test-corpus: $(VENV)/.test
	@$(PY) -m pytest -n 2 -q --run-slow -m slow tests; $(PYTEST_GUARD)
	$(BIN)/postman-codegen stats $(CORPUS)

stats: $(VENV)/.project
	$(BIN)/postman-codegen stats $(CORPUS)

# Side by side with the peers (installed on first use into bench/.peers/); writes
# bench/RESULTS.md. QUICK=1: seeds and twitter-v2, fewer rounds, under a minute.
bench: $(VENV)/.project
	$(if $(filter command line environment,$(origin CORPUS)),CORPUS=$(CORPUS)) \
	  $(PY) bench/run.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
