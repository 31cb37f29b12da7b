# syntax=docker/dockerfile:1
# Production image of the `tenure` binary: build in the full Rust image, run in a slim Debian of
# the same release (same glibc) as a non-root user. Configuration comes from TENURE_* variables;
# see README.md and docker-compose.yml.

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# The cache mounts keep the registry and target dir between builds (BuildKit); the binary is
# copied out because a cache mount is not part of the image.
# `cargo xtask build` adds the wasm32 target, installs the pinned wasm-bindgen CLI, builds the
# SPA into frontend/dist and then the release binary with the SPA embedded.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo xtask build \
    && install -m 0755 target/release/tenure /usr/local/bin/tenure

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /var/lib/tenure --create-home --shell /usr/sbin/nologin tenure
COPY --from=builder /usr/local/bin/tenure /usr/local/bin/tenure
USER tenure
# The default SQLite file (tenure.db) lands here when TENURE_DATABASE_URL is not set.
WORKDIR /var/lib/tenure
ENV TENURE_BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["tenure"]
CMD ["serve"]
