#!/usr/bin/env bash
# Everything CodeBeaker needs on a fresh machine: its npm packages, its build, and a Docker engine with the
# base image. Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then log "CodeBeaker needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))"; exit 1; fi

# npm ci when the installed packages are missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
fi

log "building"
npm run --silent build

bash scripts/setup-engine.sh
log "ready: try  node dist/host.js run examples/hello.py"
