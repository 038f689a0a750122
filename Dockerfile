# syntax=docker/dockerfile:1
#
# Switchboard in a container:
#   docker build -t switchboard .
#   docker run -d --name switchboard -p 8080:8080 -v switchboard-data:/data \
#     -v "$PWD/config:/etc/switchboard:ro" --env-file ./switchboard.env switchboard
#
# The build stage compiles a release binary with the Swift runtime linked in (--static-swift-stdlib);
# the runtime stage holds only that binary and the shared libraries it still needs (libcurl, OpenSSL's
# libcrypto, SQLite, libpq for a PostgreSQL --db, plus libstdc++/libgcc that debian:bookworm-slim already ships), CA certificates
# and the tz database (business hours).
# The binary's relocations are packed (DT_RELR, by the toolchain's lld): bookworm's glibc 2.36 reads them.
# Override the toolchain image with --build-arg SWIFT_IMAGE=swift:6.2-bookworm if needed.
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libpq-dev libsqlite3-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib --product switchboard \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/switchboard" /out/switchboard

FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libpq5 libsqlite3-0 libssl3 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin switchboard \
    && install -d -o 10001 -g 10001 -m 0700 /data
COPY --from=build /out/switchboard /usr/local/bin/switchboard
COPY routes.json /etc/switchboard/routes.json

# Listening on every address needs SIGNALWIRE_SIGNING_KEY (or SWITCHBOARD_ALLOW_UNAUTHENTICATED=1).
# Several instances on one PostgreSQL: -e SWITCHBOARD_DB=postgresql://user@host/db (README, "Several instances").
ENV SWITCHBOARD_DB=/data/switchboard.sqlite \
    SWITCHBOARD_LISTEN=[::]:8080 \
    SWITCHBOARD_ROUTES=/etc/switchboard/routes.json
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080
# `switchboard healthcheck` GETs /healthz on SWITCHBOARD_LISTEN's port over loopback: no curl needed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["switchboard", "healthcheck"]
# SIGTERM (docker stop) drains requests in flight for up to 10 s: keep `docker stop -t` above that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["switchboard"]
CMD ["serve"]
