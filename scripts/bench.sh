#!/usr/bin/env bash
# Benchmarks: prints figures and writes bench/results/<name>.json (+ .svg). `--full` for the large size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/services.sh
bash scripts/deps.sh
npm run --silent build
for bench in dist/bench/*.bench.js; do
  node "$bench" "$@"
done
