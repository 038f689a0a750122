# Switchboard: `make run` and `make test` set up a fresh Debian machine themselves.
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libpq-dev libsqlite3-dev libssl-dev pkg-config postgresql tzdata \
  chromium chromium-driver python3-selenium
ROUTES ?= routes.json
DB ?= ./switchboard.sqlite
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build release run test verify-units bench bench-floor profile soak fuzz clean

all: build

# Installs the -dev packages the system-library targets need, only when missing (apt-get update once).
deps:
	@scripts/install-packages.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build

# As deployed: the Swift runtime linked in, so the binary needs only the system libraries.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product switchboard

run: build
	$(SWIFT) run switchboard serve --listen $(LISTEN) --routes $(ROUTES) --db $(DB)

# The tests, with a throwaway PostgreSQL cluster on a unix socket in a temporary directory
# (scripts/pg-test-cluster.sh) for the PostgreSQL store's; it is stopped afterwards, on failure too.
test: deps
	$(SWIFT) build --build-tests
	@dir=$$(scripts/pg-test-cluster.sh start) || { echo "make test: the PostgreSQL test cluster did not start" >&2; exit 1; }; \
	  trap 'scripts/pg-test-cluster.sh stop "$$dir"' EXIT INT TERM; \
	  echo "PostgreSQL test cluster in $$dir"; \
	  SWITCHBOARD_TEST_POSTGRES="$$(scripts/pg-test-cluster.sh url "$$dir")" SWITCHBOARD_TEST_POSTGRES_DIR="$$dir" \
	    $(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory verify-units

# systemd-analyze verify and security on the units (skipped where systemd-analyze is absent). The unit's
# ExecStart names the installed path, so a copy pointing at the built binary is verified.
verify-units:
	@if command -v systemd-analyze >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d); bin=$$($(SWIFT) build --show-bin-path)/switchboard; \
	  sed "s|^ExecStart=/usr/local/bin/switchboard|ExecStart=$$bin|" systemd/switchboard.service > $$tmp/switchboard.service; \
	  cp systemd/switchboard.socket $$tmp/; \
	  systemd-analyze verify $$tmp/switchboard.service $$tmp/switchboard.socket \
	    && systemd-analyze security --offline=yes --threshold=20 $$tmp/switchboard.service | tail -1; \
	  rc=$$?; rm -rf $$tmp; exit $$rc; \
	else echo "systemd-analyze not found: unit verification skipped"; fi

# Throughput and latency against nginx (installs wrk and nginx-light); appends to bench/RESULTS.md.
bench: deps
	bench/run.sh

# The floor: a minimal C server doing /voice's full path (bench/floor/floor.c) against nginx, in
# paired rounds; what any implementation can reach on this machine.
bench-floor: deps
	bench/floor/run.sh

# Instructions per request by callgrind (installs valgrind when missing): the same figure every run.
profile: deps
	@scripts/install-packages.sh valgrind
	$(SWIFT) build -c release --static-swift-stdlib --product switchboard
	python3 bench/callgrind.py

# The fault and bad-input suites at full size (a short version runs in `make test`).
soak: deps
	scripts/soak.sh

# libFuzzer targets, each for FUZZ_SECONDS (crashes land in fuzz/out/crashes/).
FUZZ_SECONDS ?= 60
fuzz: deps
	fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build
