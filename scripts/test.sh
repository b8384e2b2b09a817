#!/usr/bin/env bash
# The full test suite: prepares Postgres+PostGIS and Redis, installs and builds, then runs every
# unit and end-to-end test against a fresh test database (see test/support/global-setup.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/services.sh
bash scripts/deps.sh
npm run --silent typecheck
npm run --silent build
npx jest --runInBand --ci "$@"
