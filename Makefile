# Two commands on a new machine: `make run` (install + run the hub) and `make test` (install + test).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# `make run PORT=8080` serves on another port; the demo key (instance/demo.key, reused while it is
# active) is printed after the server's banner, as the last lines
run: install
	$(BIN)/flask hub init
	$(BIN)/flask hub demo --quiet
	HUB_SCHEDULER=1 HUB_DEMO=1 HUB_PUBLIC_URL=http://127.0.0.1:$(PORT) \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
