# The project's habits. `make help` lists them.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
BIN := bin/haguide
DISTRO ?= debian
ADDR ?= 127.0.0.1:8000
FUZZTIME ?= 30s
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go')
SCRIPTS = $(shell git ls-files '*.sh' .ci/run 2>/dev/null || find scripts .ci -type f)

.PHONY: help deps build fmt lint test test-go fuzz check site serve plan verify bench ci clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

deps: ## install what build, verify and test need (Debian; scripts/deps.sh test)
	@scripts/deps.sh test

build: ## build bin/haguide
	@scripts/deps.sh
	$(GO) build -o $(BIN) ./cmd/haguide

fmt: ## format the Go code
	gofmt -w $(GOFILES)

lint: ## gofmt, go vet, staticcheck, shellcheck, the macOS cross-build
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@command -v shellcheck >/dev/null || { echo "lint: shellcheck is missing (scripts/deps.sh test installs it)"; exit 1; }
	shellcheck $(SCRIPTS)
	GOOS=darwin $(GO) build ./...

test: ## install the test tools, then run every test
	@scripts/deps.sh test
	$(MAKE) --no-print-directory lint test-go

test-go:
	$(GO) test -timeout 40m ./...

fuzz: ## run each fuzzer for FUZZTIME (default 30s)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -parallel 2 || exit 1; \
	  done; \
	done

check: build ## lint the guide
	$(BIN) check

site: build ## write the static site to public/ (open public/index.html)
	$(BIN) build --out public

serve: build ## preview the guide on http://127.0.0.1:8000, rebuilt and reloaded on every change
	$(BIN) serve --guide guide --addr $(ADDR)

plan: build ## what verify would run for DISTRO
	$(BIN) plan --distro $(DISTRO)

verify: build ## run the guide on a local 3-node lab (needs root)
	@scripts/deps.sh verify
	$(BIN) verify --distro $(DISTRO)

bench: ## Go benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

ci: test check ## what .ci/run does

clean:
	rm -rf bin public
