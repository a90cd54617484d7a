#!/usr/bin/env bash
# The project's one test command: installs the validators the tests use,
# then checks formatting and lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-tools.sh
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
