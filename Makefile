# Two commands on a fresh machine: `make test` and `make demo`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo install clean bench eval eval-fast

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

test: lint
	$(BIN)/pytest -q
	$(MAKE) eval-fast

# The CI gate: the rules strategy over the suite's fast subset (fast cases and the matrix's fast
# slice). Fails on a failed exact assertion, an executed attack or an executed policy violation.
eval-fast: $(STAMP)
	rm -rf .eval-runs/ci
	$(BIN)/shopwarden eval run --fast --strategy rules --out .eval-runs/ci

# The whole suite (every case over 5 seeds, the full injection matrix), saved under eval-runs/.
eval: $(STAMP)
	$(BIN)/shopwarden eval run -k 5 --seeds 5 --matrix-seeds 1 --strategy rules

demo: $(STAMP)
	$(BIN)/shopwarden demo

bench: $(STAMP)
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .eval-runs
