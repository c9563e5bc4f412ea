# The README's two commands: `make demo` (set up + serve the web demo on the bundled model)
# and `make test` (set up + run the test suite). Both create .venv on first use.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NO_ALBUMENTATIONS_UPDATE := 1
export PYTHONDONTWRITEBYTECODE := 1

# torch is pinned to the release this project is tested with; on machines with a local wheel
# cache pip takes it from disk, elsewhere from PyPI.
TORCH_PINS ?= torch==2.14.1 torchvision==0.29.1

.PHONY: setup test test-fast demo default-model lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH_PINS)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser" $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/translate app --host 127.0.0.1 --port 7860

default-model: $(STAMP)
	bash models/default/train.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
