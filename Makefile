# Hindsight — the two commands are `make run` and `make test`.
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/hindsight
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Extra flags for go test, e.g. make test TESTFLAGS='-run TestStore -race'.
TESTFLAGS ?=

.PHONY: all build ui ui-test run test test-fma lint bench clean

all: build

NPM ?= npm
UI_DEPS := frontend/node_modules/.package-lock.json

$(UI_DEPS): frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	@touch $@

## ui: build the browser UI into frontend/dist (embedded by the next go build)
ui: $(UI_DEPS)
	cd frontend && $(NPM) run --silent build

## ui-test: type-check the UI and run its unit tests (vitest)
ui-test: $(UI_DEPS)
	cd frontend && $(NPM) run --silent check && $(NPM) test --silent

## build: build the UI and compile bin/hindsight with it embedded
build: ui
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/hindsight

## run: build and serve the embedded default (SQLite + index in ./hindsight-data, http://127.0.0.1:8080)
run: build
	./$(BIN) serve

## test: the UI's unit tests, then every Go test (SQLite, a throwaway PostgreSQL cluster, the UI in headless Chromium)
test: ui-test ui
	@mkdir -p tmp
	@set -o pipefail; $(GO) test -count=1 -timeout 20m -json $(TESTFLAGS) ./... 2>&1 \
		| tee tmp/test.json | $(GO) run ./internal/tools/testsum
	@$(MAKE) --no-print-directory test-fma

# The planned search scores bit for bit as bleve does only while the compiler
# makes the same choice for both of fusing x*y+z into one FMA instruction: it
# does on arm64 always, and on amd64 only for GOAMD64=v3 and up (search/
# fastscore.go). The ordinary run above compiles for the machine's default,
# so on amd64 the planned search's equality tests run again compiled for v3
# (about 40 s the first time, to compile the dependencies for v3; seconds
# after) — when the CPU can run such a binary, else it says it did not.
V3_FLAGS := avx avx2 bmi1 bmi2 f16c fma movbe abm
V3_TESTS := ^(TestSearch_PlannedSameAsBleve|TestSearch_PlannedPagesReachEveryHit|TestSearch_PagesReachEveryHit|TestStream_SameAsSearchers)$$

## test-fma: the planned search's equality with bleve compiled with FMA (GOAMD64=v3), where the CPU has it
test-fma:
	@arch=$$($(GO) env GOARCH); if [ "$$arch" != amd64 ]; then \
		echo "test-fma: not run: GOARCH is $$arch, not amd64 (arm64 always fuses, so the run above covers it)"; exit 0; fi; \
	missing=""; for f in $(V3_FLAGS); do grep -qw "$$f" /proc/cpuinfo 2>/dev/null || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then echo "test-fma: NOT RUN: this CPU lacks$$missing (x86-64-v3)"; exit 0; fi; \
	echo "test-fma: GOAMD64=v3 go test -run '$(V3_TESTS)' ./search/"; \
	GOAMD64=v3 $(GO) test -count=1 -timeout 5m -run '$(V3_TESTS)' ./search/

## lint: gofmt, go vet and the one-way import rules
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 ./internal/archtest/

## bench: insert throughput, API load, Slack import and webhook ingest figures (printed, never asserted)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/store/
	$(GO) run ./internal/bench/apiload
	$(GO) run ./internal/bench/importload
	$(GO) test -run '^$$' -bench 'ImportSlack/postgres' -benchtime 1x ./internal/app/
	$(GO) test -run '^$$' -bench HookIngest -benchtime 1x ./internal/bench/hookload/
	$(GO) run ./internal/bench/searchload
	$(GO) run ./internal/bench/dashload

clean:
	rm -rf bin tmp frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
