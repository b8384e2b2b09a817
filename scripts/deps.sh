#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json; checks Node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [[ "$node_ok" != 1 ]]; then
  echo "[deps] ERROR: Node.js >= 20.19 is required (NestJS 12 is ESM-only and is loaded with require(esm)); found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[deps] installing npm packages" >&2
  # `npm ci` refuses a lockfile that lacks other platforms' optional binaries (a registry mirror
  # may not serve them); `npm install` then installs the same locked versions.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
fi
