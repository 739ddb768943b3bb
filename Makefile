# hush — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need, idempotently, on a fresh Debian machine.

GO        ?= go
BIN       := bin
DEMO_DATA ?= $(CURDIR)/hush-demo
APT_PKGS  := sip-tester chromium sox espeak-ng
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build test test-deps go-deps apt-deps npm-deps demo bench fuzz vet clean

all: build

build: go-deps
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/hush ./cmd/hush

go-deps:
	$(GO) mod download

# apt-deps installs the Debian packages the tests use, only when one is missing.
apt-deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# npm-deps installs the local AWS test peers (kinesalite, dynalite).
npm-deps:
	@if [ -f test/peers/package.json ] && [ ! -d test/peers/node_modules ]; then \
		cd test/peers && npm ci --no-audit --no-fund --loglevel=error; \
	fi

test-deps: go-deps apt-deps npm-deps

test: test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

vet:
	$(GO) vet ./...

# demo runs hush on a fresh data directory and prints how to reach it.
demo: build
	@rm -rf $(DEMO_DATA)
	$(BIN)/hush demo --data $(DEMO_DATA)

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeCommand -fuzztime 30s ./internal/api/

clean:
	rm -rf $(BIN) hush-demo
