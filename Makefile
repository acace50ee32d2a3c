# seatledger: make demo | test | build | lint | fuzz | bench-sync | bench-advise | bench-prices | bench-impact | bench-export | bench-billing | bench-notices | bench-api | bench-jobs
GO ?= go
BIN := bin/seatledger

.PHONY: build test lint fuzz demo bench-sync bench-advise bench-prices bench-impact bench-export bench-billing bench-notices bench-api bench-jobs

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/seatledger

# The README's test command: vet and every test, PostgreSQL and SQLite alike.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Known vulnerabilities on the code paths the module reaches. The database is online:
# when it cannot be reached lint says so and goes on, rather than failing for the network.
# VULNDB=file:///DIR reads a local copy (golang.org/x/vulndb's data/osv, indexed by its
# cmd/indexdb).
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB ?= https://vuln.go.dev
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@out=$$($(GO) run $(GOVULNCHECK) -db $(VULNDB) ./... 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "$$out" | tail -n 3; echo "govulncheck: no known vulnerability reached"; \
	elif echo "$$out" | grep -q "fetching vulnerabilities"; then \
		echo "govulncheck: NOT RUN, the vulnerability database cannot be reached:"; echo "$$out" | grep "fetching vulnerabilities"; \
	else echo "$$out"; exit $$rc; fi

# Every fuzz target of the module, each for FUZZTIME. Targets are found by listing the
# Fuzz functions of every package, so one added anywhere later runs without an edit
# here. A failing input is saved under the package's testdata/fuzz/ and stops the run.
# Minimising each new input is capped at 5 s: Go's default of 60 s can spend a whole
# FUZZTIME shrinking inputs instead of running new ones.
FUZZTIME ?= 20s
fuzz:
	@list=$$($(GO) test -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	targets=$$(echo "$$list" | awk '/^Fuzz/ { names = names " " $$1; next } /^ok/ { if (names != "") print $$2 names; names = "" }'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets found"; exit 1; fi; \
	echo "$$targets" | while read -r pkg names; do \
		for name in $$names; do \
			echo "== $$pkg $$name ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
		done; \
	done

# The whole job on the embedded database against the in-process simulated cloud.
demo: build
	$(BIN) demo $(DEMO_FLAGS)

# Sync throughput, memory and latency against PostgreSQL (see the README's
# performance section). SEATLEDGER_TEST_BENCH_CONCURRENCY overrides the concurrency of 8.
bench-sync:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkSync' -benchtime 1x -timeout 30m ./internal/graph/

bench-advise:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkAdvise' -benchtime 1x -timeout 30m ./internal/graph/

bench-prices:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkImportPrices' -benchtime 1x -timeout 30m ./cmd/seatledger/

# The price impact for 1,000 customers synced from the simulated cloud; IMPACT_PROFILE=FILE
# writes a CPU profile of the timed calls.
bench-impact:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 SEATLEDGER_TEST_IMPACT_CPUPROFILE=$(if $(IMPACT_PROFILE),$(abspath $(IMPACT_PROFILE))) $(GO) test -run '^$$' -bench 'BenchmarkPriceImpact' -benchtime 1x -timeout 30m ./cmd/seatledger/

# The XLSX export of 10,000 and of 50,000 billing lines, each size in a process of its
# own so that the peak RSS reported is that size's (see the README's performance section).
bench-export:
	$(GO) test -run '^$$' -bench 'BenchmarkXLSXExport/lines=10000$$' -benchtime 1x ./internal/export/
	$(GO) test -run '^$$' -bench 'BenchmarkXLSXExport/lines=50000$$' -benchtime 1x ./internal/export/

# A billing run of 10,000 customers × 5 contract lines with a month of seat history,
# read, worked out and stored (SEATLEDGER_BENCH_CUSTOMERS overrides the 10,000).
# 10,000 notices rendered in six languages, stored and delivered to an in-process SMTP
# server on PostgreSQL.
bench-notices:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkNotices' -benchtime 1x -timeout 30m ./internal/app/

bench-billing:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkBillingRun' -benchtime 1x -timeout 30m ./internal/store/

# 150,000 findings in PostgreSQL; vegeta at 500 requests/s for 30 s over every page
# of GET /api/v1/findings?limit=100; reports p50, p99, success and throughput.
bench-api:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkFindingsPage' -benchtime 1x -timeout 30m ./internal/api/
# One fleet-sync tick of 2,000 tenants: their jobs enqueued in one transaction (target 2 s).
bench-jobs:
	SEATLEDGER_TEST_REQUIRE_POSTGRES=1 $(GO) test -run '^$$' -bench 'BenchmarkSchedulerTick' -benchtime 5x -timeout 10m ./internal/jobs/
