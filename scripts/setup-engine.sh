#!/usr/bin/env bash
# Makes a Docker engine answer and gives it the base image the runtime Dockerfiles start FROM.
# Idempotent: every step is skipped when its result is already there. Needs root only for what it installs.
set -euo pipefail

log() { printf '[setup-engine] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { log "missing packages ${missing[*]} and not root: install them first"; exit 1; }
  log "installing ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
  engine_answers && return 0
  if [ -n "${DOCKER_HOST:-}" ]; then log "DOCKER_HOST=$DOCKER_HOST does not answer"; exit 1; fi
  apt_install docker.io
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/codebeaker-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    engine_answers && { log "engine up"; return 0; }
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; its log:"; tail -n 40 /var/log/codebeaker-dockerd.log >&2; exit 1
}

# The mirror apt already uses on this machine, so debootstrap reaches the same place apt does.
debian_mirror() {
  local uri
  uri=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^ ]+' | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure_base_image() {
  local image=debian:bookworm-slim
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  if timeout 60 docker pull "$image" >/dev/null 2>&1; then log "pulled $image"; return 0; fi
  log "no registry reachable: building $image offline with debootstrap"
  apt_install debootstrap
  local rootfs mirror
  rootfs=$(mktemp -d /tmp/codebeaker-rootfs.XXXXXX)
  mirror=$(debian_mirror)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/codebeaker-debootstrap.log 2>&1 \
    || { tail -n 30 /tmp/codebeaker-debootstrap.log >&2; exit 1; }
  # Same apt sources as the official image, so Dockerfiles behave as they do for users who can pull it.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian*}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
  log "imported $image"
}

start_engine
ensure_base_image
