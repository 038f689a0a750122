# Switchboard: `make run` and `make test` set up a fresh Debian machine themselves.
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libsqlite3-dev pkg-config
ROUTES ?= routes.json
DB ?= ./switchboard.sqlite
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build release run test clean

all: build

# Installs the -dev packages the system-library targets need, only when missing (apt-get update once).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: build
	$(SWIFT) run switchboard serve --listen $(LISTEN) --routes $(ROUTES) --db $(DB)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
