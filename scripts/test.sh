#!/usr/bin/env bash
# The full test suite: prepares Postgres+PostGIS and Redis, installs and builds, then runs every
# unit and end-to-end test against a fresh test database (see test/support/global-setup.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/services.sh
bash scripts/deps.sh
npm run --silent typecheck
npm run --silent build
# the console and the H5 sites (driven by test/ui.e2e-spec.ts) and the mini-program packages (compiled)
bash scripts/build-web.sh
# Debian's Chromium for the browser tests, installed when missing
bash scripts/browser.sh >/dev/null
# the HA layout's engines (Patroni, etcd, HAProxy, PgBouncer, Sentinel, Prometheus) and
# docker-compose (to validate docker-compose.yml), installed when missing
bash scripts/ha.sh packages
npx jest --runInBand --ci "$@"
