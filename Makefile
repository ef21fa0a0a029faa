# peakpath — least-cost carbon-peak pathways (Pyomo + HiGHS)
#   make run    set up .venv and solve the default Wuhan scenario (runs/wuhan-peak-2022.yaml)
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SCENARIO ?= runs/wuhan-peak-2022.yaml

.PHONY: install system-deps run test lint bench clean

install: system-deps $(VENV)/.installed

# Debian packages: LibreOffice (tests open the data-list workbook in it) and the Noto CJK fonts
# (Chinese labels in figures). Installed only when missing; apt-get needs root (as in CI).
SYSTEM_CHECKS = command -v libreoffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"
system-deps:
	@missing=""; $(SYSTEM_CHECKS); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "missing Debian packages:$$missing; as root run: apt-get install -y$$missing" >&2; exit 0; fi; \
	echo "installing Debian packages:$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends $$missing >/dev/null

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
