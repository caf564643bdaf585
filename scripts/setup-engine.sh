#!/usr/bin/env bash
# Makes CodeBeaker's isolation available on this machine: a Docker engine with the base image the runtime
# Dockerfiles start FROM, gVisor (runsc) registered with it, bubblewrap for process isolation, and Docker Compose
# to run the host as a service.
# Idempotent: every step is skipped when its result is already there. Installing needs root; without root,
# what is missing is said, and sessions use what there is (bubblewrap when no engine answers).
set -euo pipefail

log() { printf '[setup-engine] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || { log "missing packages ${missing[*]}, and not root to install them"; return 1; }
  log "installing ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

engine_answers() { docker info >/dev/null 2>&1; }

# Registers gVisor's runsc with dockerd, keeping whatever else daemon.json says. Network off inside runsc
# (without --network=none, runsc refuses to start in the root network namespace), and Docker's seccomp profile
# applied inside the sandbox too (--oci-seccomp), as runc applies it. Prints "changed" when it wrote something.
register_runsc() {
  is_root || return 0
  apt_install runsc || return 0
  mkdir -p /etc/docker
  node - /etc/docker/daemon.json <<'NODE'
const fs = require("fs");
const file = process.argv[2];
const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
const config = JSON.parse(before || "{}");
config.runtimes = { ...config.runtimes, runsc: { path: "/usr/bin/runsc", runtimeArgs: ["--network=none", "--oci-seccomp"] } };
const after = JSON.stringify(config, null, 2) + "\n";
if (after !== before) { fs.writeFileSync(file, after); console.log("changed"); }
NODE
}

runsc_registered() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; }

start_engine() {
  engine_answers && return 0
  if [ -n "${DOCKER_HOST:-}" ]; then log "DOCKER_HOST=$DOCKER_HOST does not answer"; return 1; fi
  apt_install docker.io || return 1
  log "starting dockerd"
  nohup dockerd >/var/log/codebeaker-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    engine_answers && { log "engine up"; return 0; }
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; its log:"; tail -n 20 /var/log/codebeaker-dockerd.log >&2
  return 1
}

# dockerd reads daemon.json's runtimes again on SIGHUP.
reload_engine() {
  [ "$1" != changed ] && runsc_registered && return 0
  is_root && pgrep -x dockerd >/dev/null || { log "runsc is not registered with this engine: gvisor isolation is unavailable"; return 0; }
  kill -HUP "$(pgrep -x dockerd)"
  for _ in $(seq 1 40); do runsc_registered && { log "gVisor (runsc) registered"; return 0; }; sleep 0.25; done
  log "dockerd did not pick up runsc from /etc/docker/daemon.json"
}

# The mirror apt already uses on this machine, so debootstrap reaches the same place apt does.
debian_mirror() {
  local uri
  uri=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^ ]+' | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# The base image of one Debian suite, as Docker Hub names it (debian:<suite>-slim): pulled where a registry
# answers, else built offline with debootstrap from the mirror apt uses. Runtime Dockerfiles start FROM these.
ensure_base_image() {
  local suite=$1 image="debian:$1-slim"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  if timeout 60 docker pull "$image" >/dev/null 2>&1; then log "pulled $image"; return 0; fi
  log "no registry reachable: building $image offline with debootstrap"
  apt_install debootstrap
  local rootfs mirror
  rootfs=$(mktemp -d /tmp/codebeaker-rootfs.XXXXXX)
  mirror=$(debian_mirror)
  # The host's debootstrap may predate the suite: every suite since bookworm bootstraps as sid does.
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || ln -s sid "/usr/share/debootstrap/scripts/$suite"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"/tmp/codebeaker-debootstrap-$suite.log" 2>&1 \
    || { tail -n 30 "/tmp/codebeaker-debootstrap-$suite.log" >&2; exit 1; }
  # Same apt sources as the official image, so Dockerfiles behave as they do for users who can pull it.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian*}/debian-security
Suites: $suite-security
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

# Docker Compose, to run the host as a service as the README does (`docker-compose up -d`): Debian's
# docker-compose, the one its archive has (the compose plugin is not in it); openssl makes the service's token.
ensure_compose() {
  command -v docker-compose >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && return 0
  apt_install docker-compose openssl || log "docker-compose is missing: the host cannot run as a compose service here"
}

# Process isolation: bubblewrap, and a C compiler with static libc to build its runner once.
# (and python3 in /usr, which the escape suite runs there).
apt_install bubblewrap gcc libc6-dev python3 || log "process isolation needs bubblewrap, gcc and libc6-dev"
runsc_config=$(register_runsc)
if start_engine; then
  reload_engine "$runsc_config"
  # Every Debian suite a runtime version's Dockerfile starts FROM (bookworm, trixie), bookworm at least.
  runtimes_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/runtimes"
  for suite in $( { echo bookworm; sed -n 's/^FROM debian:\([a-z]*\)-slim.*/\1/p' "$runtimes_dir"/*/*/Dockerfile 2>/dev/null; } | sort -u); do
    ensure_base_image "$suite"
  done
  ensure_compose
else
  log "no Docker engine: sessions will use process isolation (bubblewrap)"
fi
