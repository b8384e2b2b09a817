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
  # exactly the locked versions, and never a rewrite of the tracked lockfile: the lockfile lists every
  # platform's optional binaries (esbuild, rollup, msgpackr …), so `npm ci` works on any machine
  npm ci --no-audit --no-fund --loglevel=error || {
    echo "[deps] npm ci failed: package-lock.json must match package.json (regenerate it with npm install and commit it)" >&2
    exit 1
  }
fi
