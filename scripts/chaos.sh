#!/usr/bin/env bash
# The chaos suite, long form (bench/chaos): its own HA layout, every fault, a report in
# bench/results/chaos.json. Bounded: at most 30 minutes; the layout is removed afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh
npm run --silent build
exec node dist/bench/chaos/chaos-cli.js "$@"
