# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/worksafe/static/vendor
NM := node_modules

.PHONY: setup demo test lint assets clean-vendor

setup: $(BIN)/.installed $(VENDOR)/.copied

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

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
