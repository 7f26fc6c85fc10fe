# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-dev browser clean eval bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: the CPU wheel on this machine; an unpinned torch pulls CUDA builds.
$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/policy-assistant run

test: install-dev
	bash scripts/install_browser.sh
	$(BIN)/python -m pytest -q

eval: install-dev
	$(BIN)/python -m evals.run --gold ../shared/evals/dev.jsonl evals/gold_own.jsonl

clean:
	rm -rf .data .cache $(VENV)
