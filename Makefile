# hush — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need, idempotently, on a fresh Debian machine.

GO        ?= go
BIN       := bin
DEMO_DATA ?= $(CURDIR)/hush-demo
# Debian packages: the demo's (cgo pocketsphinx transcriber, espeak-ng
# voices) and, for the tests, the peers and tools they run.
DEMO_PKGS := gcc libc6-dev pkg-config libpocketsphinx-dev pocketsphinx-en-us espeak-ng
APT_PKGS  := $(DEMO_PKGS) ca-certificates sip-tester chromium sox pocketsphinx-testdata pocketsphinx sphinxtrain sphinxbase-utils postgresql nodejs npm
# JS tests, named one by one: `node --test DIR/` means another thing on Node 22.
JS_TESTS  := $(sort $(wildcard sdk/js/test/*.test.mjs web/console/test/*.test.mjs))
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: checks go-test all build test test-deps go-deps apt-deps demo-apt-deps npm-deps demo bench bench-recorder bench-peers fuzz vet staticcheck js-test clean lambda-zip

all: build

build: go-deps
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/hush ./cmd/hush

go-deps:
	$(GO) mod download

# apt-install installs the Debian packages among $(1) that are missing,
# and does nothing when all are there. nodejs and npm count as present when
# their commands are (Node from NodeSource ships npm inside nodejs). As root
# it runs apt-get; as another user sudo apt-get, or, without sudo, it says
# what to run as root and stops.
define apt-install
@missing=""; \
for p in $(1); do \
	case $$p in nodejs) command -v node >/dev/null && continue;; npm) command -v npm >/dev/null && continue;; esac; \
	[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
done; \
[ -z "$$missing" ] && exit 0; \
if [ "$$(id -u)" = 0 ]; then run="sh -c"; \
elif command -v sudo >/dev/null; then run="sudo sh -c"; \
else \
	echo "hush needs these Debian packages:$$missing"; \
	echo "sudo is not installed: run this as root, then make again:"; \
	echo "  apt-get update && apt-get install -y --no-install-recommends$$missing"; \
	exit 1; \
fi; \
echo "installing Debian packages:$$missing"; \
$$run "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing"
endef

# apt-deps installs the Debian packages the tests use; demo-apt-deps only
# those the demo needs.
apt-deps:
	$(call apt-install,$(APT_PKGS))

demo-apt-deps:
	$(call apt-install,$(DEMO_PKGS))

# npm-deps installs the local AWS test peers (kinesalite, dynalite).
npm-deps: apt-deps
	@if [ -f test/peers/package.json ] && [ ! -d test/peers/node_modules ]; then \
		cd test/peers && npm ci --no-audit --no-fund --loglevel=error; \
	fi

test-deps: apt-deps go-deps npm-deps

# test runs the checks, the Go tests and the JS tests side by side: the
# end-to-end tests spend much of their time waiting on calls that play in
# real time. Each part's output is printed whole when it ends.
test: test-deps
	@$(MAKE) --no-print-directory -j3 --output-sync=target checks go-test js-test

checks:
	$(GO) vet ./...
	@$(MAKE) --no-print-directory staticcheck

go-test:
	$(GO) test -race -count=1 -timeout 20m ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 -tags pocketsphinx ./internal/asr/...
	CGO_ENABLED=1 $(GO) test -race -count=1 -tags pocketsphinx -run Spoken ./test/e2e/

vet:
	$(GO) vet ./...

# staticcheck checks the tree, and the pocketsphinx build of the packages
# with files behind that tag (internal/asr, test/e2e).
staticcheck:
	$(STATICCHECK) ./...
	CGO_ENABLED=1 $(STATICCHECK) -tags pocketsphinx ./internal/asr/... ./test/e2e/

js-test:
	node --test $(JS_TESTS)

# demo runs hush on a fresh data directory and prints how to reach it. It
# is built with the pocketsphinx transcriber (cgo, Debian's libpocketsphinx)
# and needs only the demo's Debian packages; go build fetches the modules it
# uses.
demo: demo-apt-deps
	CGO_ENABLED=1 $(GO) build -trimpath -tags pocketsphinx -o $(BIN)/hush-demo ./cmd/hush
	@rm -rf $(DEMO_DATA)
	$(BIN)/hush-demo demo --data $(DEMO_DATA)

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

# bench-recorder records the same calls with hush and with loreste/siprec,
# interleaved, and prints the medians and their ratios (cmd/hush-recbench,
# docs/BENCHMARKS.md). It fetches and builds loreste/siprec in
# ~/.cache/hush-bench the first time. Flags: RECBENCH_FLAGS="--calls 500
# --runs 1 --duration 20s".
RECBENCH_FLAGS ?=
bench-recorder: go-deps
	$(GO) run ./cmd/hush-recbench $(RECBENCH_FLAGS)

# bench-peers prints both of hush's comparisons with its peers: the recorder
# against loreste/siprec, then the engine against plain SQLite writing the
# same rows with the same durability and batch size (engine/raw).
bench-peers: bench-recorder
	GOGC=400 $(GO) test -run '^$$' -bench BenchmarkCommandsVsRawSQLite -benchtime 20000x ./internal/engine/

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
