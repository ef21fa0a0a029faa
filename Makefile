# peakpath — least-cost carbon-peak pathways (Pyomo + HiGHS)
#   make run        set up .venv and solve the default Wuhan scenario (runs/wuhan-peak-2030.yaml)
#   make test       set up .venv and run the test suite (all tiers)
#   make test-fast  the unit tier only (nothing solved), for the inner loop
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SCENARIO ?= runs/wuhan-peak-2030.yaml

#: Debian packages: CJK fonts for the Chinese labels in figures, Chromium to render the HTML
#: report headless, LibreOffice Calc (tests open the data-list workbook in it) and Writer (tests
#: convert the assessment documents of `peakpath assess` to PDF), CBC (the second solver the
#: system tests check HiGHS against)
SYSTEM_PACKAGES ?= chromium fonts-noto-cjk libreoffice-calc-nogui libreoffice-writer-nogui coinor-cbc

.PHONY: install system-packages run test test-fast lint bench clean

install: system-packages $(VENV)/.installed

# idempotent: apt-get runs only when one of the packages is missing (CI runs as root on Debian;
# elsewhere it says what to install and goes on: macOS or Fedora have no apt-get);
# Debian and Ubuntu ship Python's venv module apart (python3.X-venv): without it the .venv
# below cannot be made, so it is added when the interpreter lacks it and no .venv exists yet
system-packages:
	@if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "not a Debian or Ubuntu system: install by hand what you need of $(SYSTEM_PACKAGES)"; \
	  echo "(Noto Sans CJK fonts for figures; the rest for the system tests, which without them"; \
	  echo "fail or skip saying what is missing); 'make run' needs none of them"; \
	  exit 0; fi; \
	missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; done; \
	test -x $(BIN)/python || $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || missing="$$missing python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing Debian packages:$$missing"; \
	  $$sudo apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "peakpath needs Python 3.11 or later and $(PYTHON) is $$($(PYTHON) -V 2>&1):" \
	       "run make with PYTHON=python3.11 (or later)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/peakpath run $(SCENARIO)

test: install
	$(BIN)/python -m pytest -q

#: the inner loop: the `unit` tier only (nothing solved; tiers in tests/conftest.py), on two
#: pytest-xdist workers (38 s on 2 cores, 60 s in one process)
test-fast: install
	$(BIN)/python -m pytest -q -m unit -n 2

lint: install
	$(BIN)/ruff check model tests inputs

clean:
	rm -rf $(VENV) results .pytest_cache
