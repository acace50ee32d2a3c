# seatledger: make build | test | lint
GO ?= go
BIN := bin/seatledger

.PHONY: build test lint

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/seatledger

# The README's test command: vet and every test, PostgreSQL and SQLite alike.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
