#!/bin/sh
# Starts `codebeaker ARGS` as the unprivileged user codebeaker, with the group that owns the engine's socket so it
# may use it. Only a socket no group may use keeps the host root (and says so). The token may come from a file
# (a compose secret): CODEBEAKER_TOKEN_FILE.
set -eu

if [ -n "${CODEBEAKER_TOKEN_FILE:-}" ]; then
  CODEBEAKER_TOKEN=$(cat "$CODEBEAKER_TOKEN_FILE")
  export CODEBEAKER_TOKEN
fi

[ "$(id -u)" = 0 ] || exec codebeaker "$@"

case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in
  unix://*) socket=${DOCKER_HOST:-unix:///var/run/docker.sock}; socket=${socket#unix://} ;;
  *) socket= ;; # tcp:// or ssh://: nothing local to open
esac

groups=codebeaker
if [ -n "$socket" ] && [ -S "$socket" ]; then
  mode=$(stat -c %a "$socket")
  group_bits=$(( (0$mode >> 3) & 6 ))
  other_bits=$(( 0$mode & 6 ))
  if [ "$group_bits" -eq 6 ]; then
    groups="codebeaker,$(stat -c %g "$socket")"
  elif [ "$other_bits" -ne 6 ]; then
    echo "[codebeaker warn] only $(stat -c %U "$socket") may use the engine's socket $socket (mode $mode): serving as root" >&2
    exec codebeaker "$@"
  fi
fi
exec setpriv --reuid=codebeaker --regid=codebeaker --groups="$groups" --inh-caps=-all -- codebeaker "$@"
