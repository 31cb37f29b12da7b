# Shortcuts for people who use `just`. Every recipe forwards to `cargo xtask`, which holds the logic
# (nothing but cargo is needed without just).

# List the recipes.
default:
    @just --list

# Build and serve with demo data on http://127.0.0.1:8080 (SQLite at ./tenure.db).
run *args:
    cargo xtask run {{args}}

# The whole suite: fmt, clippy, SPA, PostgreSQL, cargo test, browser tests, OpenAPI drift, tidy.
test *filter:
    cargo xtask test {{filter}}

# The web app, then the release `tenure` binary with it embedded.
build:
    cargo xtask build

# Only the browser tests (headless Chromium).
e2e *filter:
    cargo xtask e2e {{filter}}

# Directory benchmark on PostgreSQL and SQLite, e.g. `just bench directory --customers 100000`.
bench *args:
    cargo xtask bench {{args}}

# Regenerate openapi/openapi.json.
openapi:
    cargo xtask openapi

# Module docs on every Rust file, no file over 5 MiB.
tidy:
    cargo xtask tidy
