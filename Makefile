# Rapor RB. `make run` and `make test` work on a bare machine with Go and Node: they install the
# npm assets (and, for tests, Debian's chromium) themselves.
SHELL := /bin/bash
# The embedded engine needs no PostgreSQL driver; the tag keeps it out of the binary.
export GOFLAGS := -tags=ferretdb_no_postgresql -buildvcs=false
VENDOR := public/vendor
ASSETS := $(VENDOR)/echarts.min.js $(VENDOR)/htmx.min.js
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOSEC := github.com/securego/gosec/v2/cmd/gosec@v2.30.0

.PHONY: run test bench rss load load-national lint assets browser build seed clean-data FORCE

## run: serve the app on the embedded database (./data), seeding the demo on first start
run: assets
	go run ./cmd/raporrb serve

## test: every test, against the real engine (embedded FerretDB, or MONGODB_URI when set).
## The engine runs in its own process built without -race (bin/raporrb engine): the race
## detector checks our code, and FerretDB/SQLite run at their normal speed (see app/dbtest).
test: assets browser bin/raporrb
	RAPORRB_TEST_ENGINE=$(CURDIR)/bin/raporrb CHROME_PATH=$(CHROMIUM) go test -race -count=1 -timeout 20m ./...

## bench: scoring, ranking and read figures beside the raw driver doing the same work, then
## the server's RSS under hostile anonymous traffic beside its idle RSS (rss)
bench: assets bin/raporrb
	go test -run '^$$' -bench . -benchmem -benchtime 2s ./app/... | tee bench.txt
	go run ./scripts/rssload bin/raporrb | tee -a bench.txt

## rss: the server's RSS idle, after 1 GB of hostile anonymous bodies and after 600,000
## anonymous GETs (scripts/rssload: about a minute, bounded at 4; fails past 20 MB of growth)
rss: bin/raporrb
	go run ./scripts/rssload bin/raporrb

## load: the bounded load suite (scripts/load, vegeta): the server on the embedded engine with
## the demo, 20 concurrent clients, 15 s a scenario (about 3 minutes); each figure beside its
## anchor measured in the same run and the issue's budget; then load-national. Not part of
## `make test`. LOAD_FLAGS passes options, e.g. LOAD_FLAGS="-cpuprofile prof" (a CPU profile
## of each scenario, for `go tool pprof`). load.txt keeps the last run.
load: assets
	set -o pipefail; go run ./scripts/load $(LOAD_FLAGS) | tee load.txt
	set -o pipefail; go run ./scripts/load -national | tee -a load.txt

## load-national: the server's RSS with the national data set (7,277 kecamatan) loaded (10 s)
load-national: assets
	go run ./scripts/load -national

## lint: go vet, staticcheck and gosec (versions pinned above); a finding left is justified
## where it is, with a "#nosec G… -- why" comment
lint:
	go vet ./...
	go run $(STATICCHECK) ./...
	go run $(GOSEC) -quiet ./...

## build: a binary at bin/raporrb (serve it with public/vendor beside it, or VENDOR_DIR)
build: assets bin/raporrb

# Always rebuilt (go's cache makes that cheap): the tests' engine must match the sources.
bin/raporrb: FORCE
	go build -o $@ ./cmd/raporrb

FORCE:

## seed: fill an empty database with the demo kabupaten
seed:
	go run ./cmd/raporrb seed --demo

assets: $(ASSETS)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/echarts.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $@

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

## browser: Debian's chromium for the browser tests (installed when missing)
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "installing chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

clean-data:
	rm -rf data
