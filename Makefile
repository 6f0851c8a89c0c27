# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/worksafe/static/vendor
NM := node_modules

.PHONY: setup demo test test-browser lint assets clean-vendor chromium

setup: $(BIN)/.installed $(VENDOR)/.copied chromium

# The browser tests (tests/browser) drive Debian's chromium; install it when missing and we may
# (root with apt-get), else say how — the tests then skip with that reason.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y --no-install-recommends chromium || echo "chromium could not be installed; the browser tests will be skipped" >&2; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests (skipped until then)" >&2; fi; \
	fi

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(NM)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end assets come from npm and are copied into static: no CDN anywhere.
$(VENDOR)/.copied: $(NM)/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/tabler $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/leaflet
	cp $(NM)/@tabler/core/dist/css/tabler.min.css $(VENDOR)/tabler/
	cp $(NM)/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp $(NM)/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp $(NM)/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp -r $(NM)/leaflet/dist/leaflet.js $(NM)/leaflet/dist/leaflet.css $(NM)/leaflet/dist/images $(VENDOR)/leaflet/
	cp $(NM)/leaflet.markercluster/dist/leaflet.markercluster.js $(NM)/leaflet.markercluster/dist/MarkerCluster*.css $(VENDOR)/leaflet/
	mkdir -p $(VENDOR)/protomaps-leaflet  # draws the offline base map; bundles the pmtiles reader
	cp $(NM)/protomaps-leaflet/dist/protomaps-leaflet.js $(VENDOR)/protomaps-leaflet/
	touch $@

assets: $(VENDOR)/.copied

# a Mosquitto with the project's config (deploy/mosquitto/) unless a broker answers on 1883 already;
# without mosquitto installed the demo serves without MQTT
demo: setup
	$(BIN)/worksafe demo
	-$(BIN)/worksafe mqtt-broker --if-free --daemon
	$(BIN)/worksafe serve --mqtt --simulate

test: setup
	$(BIN)/lint-imports
	$(BIN)/pytest

# every demo role's key pages in chromium at 1366 and 390 px (docs/pages.md)
test-browser: setup
	$(BIN)/pytest -m browser tests/browser

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
