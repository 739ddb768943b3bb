# hush — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need, idempotently, on a fresh Debian machine.

GO        ?= go
BIN       := bin
DEMO_DATA ?= $(CURDIR)/hush-demo
APT_PKGS  := sip-tester chromium sox espeak-ng gcc libc6-dev pkg-config libpocketsphinx-dev pocketsphinx-en-us pocketsphinx-testdata
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build test test-deps go-deps apt-deps npm-deps demo bench fuzz vet clean lambda-zip

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
	CGO_ENABLED=1 $(GO) test -race -count=1 -tags pocketsphinx ./internal/asr/...
	node --test sdk/js/test/ web/console/test/

vet:
	$(GO) vet ./...

# demo runs hush on a fresh data directory and prints how to reach it. It
# is built with the pocketsphinx transcriber (cgo, Debian's libpocketsphinx).
demo: go-deps apt-deps
	CGO_ENABLED=1 $(GO) build -trimpath -tags pocketsphinx -o $(BIN)/hush-demo ./cmd/hush
	@rm -rf $(DEMO_DATA)
	$(BIN)/hush-demo demo --data $(DEMO_DATA)

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeCommand -fuzztime 30s ./internal/api/

# lambda-zip builds the Lambda function (cmd/hush-lambda) for the
# provided.al2023 runtime on Graviton: a CGO-free bootstrap, zipped into
# dist/hush-lambda.zip for the template's SolutionSourceBucket.
LAMBDA_ARCH ?= arm64
lambda-zip: go-deps
	@mkdir -p dist/lambda
	CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_ARCH) $(GO) build -trimpath -tags lambda.norpc -o dist/lambda/bootstrap ./cmd/hush-lambda
	@rm -f dist/hush-lambda.zip
	@if command -v zip >/dev/null; then cd dist/lambda && zip -q -X ../hush-lambda.zip bootstrap; \
	else cd dist/lambda && python3 -m zipfile -c ../hush-lambda.zip bootstrap; fi
	@echo "built dist/hush-lambda.zip ($(LAMBDA_ARCH))"

clean:
	rm -rf $(BIN) hush-demo
