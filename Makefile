# Build, test and fuzz forensics. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# The go command: from PATH, or where this kind of machine installs it.
GO       ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN      ?= bin/forensics
# Version printed by `forensics --version`.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# Packages for bench and fuzz.
PKG      ?= ./...
# Benchmarks to run (a -bench regexp), e.g. make bench BENCH=Reader
BENCH    ?= .
# Fuzz targets to run (a -list regexp) and how long to fuzz each one.
FUZZ     ?= ^Fuzz
FUZZTIME ?= 30s

.PHONY: bench-audit bench-chisels bench-export bench-query bench-record bench-replay test-duckdb build test bench bench-import fuzz demo vet clean help

build: ## build bin/forensics, static (no cgo): one file to copy to any Linux host
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/forensics

test: ## run all tests (what CI runs)
	$(GO) test ./...

test-duckdb: ## read the Parquet exports back with DuckDB (cgo; a minute to build the first time)
	$(GO) test -tags duckdb -run DuckDB ./cmd/forensics

bench: ## run benchmarks (BENCH=regexp PKG=./pkg/...)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(PKG)

bench-import: ## import speed and size against sysdig, gzip, zstd -19 (REPEAT=n RUNS=n)
	GO='$(GO)' scripts/bench-import.sh

bench-query: ## query speed against sysdig on the same events and filters (REPEAT=n RUNS=n)
	GO='$(GO)' REPEAT='$(REPEAT)' RUNS='$(RUNS)' scripts/bench-query.sh

bench-chisels: ## chisel speed against sysdig's on the same events (REPEAT=n RUNS=n)
	GO='$(GO)' REPEAT='$(REPEAT)' RUNS='$(RUNS)' scripts/bench-chisels.sh

bench-replay: ## replay speed (events/s) with the official Falco rules on one core (REPEAT=n RUNS=n)
	GO='$(GO)' REPEAT='$(REPEAT)' RUNS='$(RUNS)' scripts/bench-replay.sh

bench-audit: ## audit events/s replaying the official k8s_audit_rules.yaml, and exporting audit_events, over the corpus audit events (COUNT=n)
	$(GO) test -run '^$$' -bench '^BenchmarkK8sAuditReplay$$' -benchmem -count $(or $(COUNT),3) ./rules
	$(GO) test -run '^$$' -bench '^BenchmarkExportAudit$$' -benchtime 3x -count $(or $(COUNT),3) ./table
bench-record: ## cost of forensics record on a syscall loop, as root (N=calls RUNS=n RATES="200000 400000" DURATION=s)
	GO='$(GO)' scripts/bench-record.sh
bench-export: ## export throughput per table format and Parquet size against the capture (REPEAT=n RUNS=n)
	GO='$(GO)' REPEAT='$(REPEAT)' RUNS='$(RUNS)' scripts/bench-export.sh

fuzz: ## run each fuzz target for FUZZTIME, one at a time (FUZZ=regexp)
	@targets=$$($(GO) test -list '$(FUZZ)' $(PKG) | awk ' \
		/^Fuzz/ { names[n++] = $$1; next } \
		/^ok /  { for (i = 0; i < n; i++) print $$2, names[i]; n = 0 }'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets match $(FUZZ)"; exit 0; fi; \
	while read -r pkg name; do \
		echo "==> $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s "$$pkg" </dev/null; \
	done <<< "$$targets"

demo: build ## describe, verify and replay the rules over the embedded sample captures
	$(BIN) info samples/incident.zst
	$(BIN) verify samples/incident.zst
	$(BIN) replay samples/incident.zst
	$(BIN) info samples/recorded.zst
	$(BIN) verify samples/recorded.zst
	$(BIN) replay samples/recorded.zst

vet: ## go vet every package
	$(GO) vet ./...

clean: ## remove build outputs
	rm -rf bin

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / { printf "  %-13s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
