# camwatch: `make run` starts the service, `make test` runs the whole suite.
# Both bootstrap everything they need (virtual environment, Debian tools, database schema).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := .bootstrap-apt
# Debian tools the demo fleet and the tests need: ffmpeg (RTSP server of the virtual cameras),
# faketime (a camera with a wrong clock), chromium (browser tests), prometheus (scrape tests),
# the blackbox exporter (TCP probe benchmark reference), DejaVu fonts (Vietnamese PDF exports).
APT_PACKAGES := ffmpeg faketime chromium prometheus prometheus-blackbox-exporter fonts-dejavu-core

.PHONY: run test lint bench venv apt migrate clean

run: venv apt migrate
	$(BIN)/camwatch serve --demo

test: venv apt lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Style, formatting, types (strict on probes/ and monitor/core/) and the one-way import layers.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

migrate: venv
	$(BIN)/camwatch db upgrade

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "camwatch needs $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# ipycam (the virtual ONVIF/RTSP camera) wants the GUI build of OpenCV; the headless build
	# that camwatch already has serves it, so it is installed without its own dependencies.
	$(BIN)/pip install --quiet --no-deps ipycam==1.3.0
	touch $(STAMP)

apt: $(APT_STAMP)

$(APT_STAMP):
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; } \
	  || { echo "ERROR: could not install Debian packages:$$missing"; \
	       echo "Install them with: sudo apt-get install$$missing"; exit 1; }; \
	fi
	touch $(APT_STAMP)

BENCHES ?= judgement tcp_rate onvif_cpu rtsp_ttff import_cameras sim_fleet

bench: venv apt
	for b in $(BENCHES); do $(BIN)/python -m bench.$$b || exit 1; done

clean:
	rm -rf $(VENV) $(APT_STAMP) data
