# peakpath — least-cost carbon-peak pathways (Pyomo + HiGHS)
#   make run    set up .venv and solve the default Wuhan scenario (runs/wuhan-peak-2022.yaml)
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SCENARIO ?= runs/wuhan-peak-2022.yaml

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/peakpath run $(SCENARIO)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check model tests benchmarks inputs

clean:
	rm -rf $(VENV) results .pytest_cache
