# seatledger: make demo | test | build | lint | bench-sync | bench-advise
GO ?= go
BIN := bin/seatledger

.PHONY: build test lint demo bench-sync bench-advise

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/seatledger

# The README's test command: vet and every test, PostgreSQL and SQLite alike.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The whole job on the embedded database against the in-process simulated cloud.
demo: build
	$(BIN) demo $(DEMO_FLAGS)

# Sync throughput, memory and latency against PostgreSQL (see the README's
# performance section). SEATLEDGER_TEST_BENCH_CONCURRENCY overrides the concurrency of 8.
bench-sync:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkSync' -benchtime 1x -timeout 30m ./internal/graph/

bench-advise:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkAdvise' -benchtime 1x -timeout 30m ./internal/graph/
