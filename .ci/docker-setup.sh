#!/usr/bin/env bash
# Makes sure a Docker engine answers for session 06's tests, installing and starting what is
# missing. Called by .ci/run before the README's test command; also fine to run by hand (as
# root, or with sudo available). Idempotent: a second run finds everything in place and only
# says so. Every step prints what it found or did and how long it took.
#
#   1. the engine and the CLI       docker.io (Debian) when `dockerd`/`docker` are missing
#   2. Compose                      the v2 plugin (`docker compose`), taken from Debian trixie's
#                                   docker-compose package; else Debian's docker-compose 1.29
#   3. a running engine             when `docker info` fails: dockerd in the background with
#                                   overlay2 when the kernel mounts overlayfs here, else vfs;
#                                   --iptables=false --ip-masq=false (no NAT in this sandbox:
#                                   builds that download use the host's network)
#   4. the base images              node:24-bookworm-slim and redis:7-bookworm: pulled, or when
#                                   no registry answers, built as offline stand-ins by
#                                   session06-docker/scripts/offline-images.sh
#
# Environment: DOCKERD_STORAGE_DRIVER (force a storage driver), DOCKERD_LOG (dockerd's log,
# default /var/log/dockerd-workbook.log).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> docker-setup: %s\n' "$*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local start
  start=$(now)
  if [ "$APT_UPDATED" = 0 ]; then
    as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
  say "installed $* with apt-get ($(took "$start"))"
}

# ---- 1. engine and CLI ------------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
  say "an engine answers already: Docker $(docker version --format '{{.Server.Version}}')"
else
  missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  if [ ${#missing[@]} -gt 0 ]; then apt_install docker.io; else say "dockerd found: $(dockerd --version)"; fi
fi
if busybox --list >/dev/null 2>&1 && file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked'; then
  say "busybox-static found (the offline stand-in images need it)"
else
  apt_install busybox-static
fi

# ---- 2. Compose -----------------------------------------------------------------------------------------
install_compose_plugin() { # Compose v2 from Debian trixie's docker-compose package (bookworm has 1.29)
  local tmp opts start
  start=$(now)
  tmp=$(mktemp -d)
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$tmp/sources.list"
  opts=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$tmp/lists"
    -o "Dir::Cache=$tmp/cache" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
  if (cd "$tmp" && apt-get "${opts[@]}" update -qq >/dev/null 2>&1 && apt-get "${opts[@]}" download -qq docker-compose >/dev/null 2>&1) &&
    dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/x" && [ -x "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" ]; then
    as_root mkdir -p /usr/local/lib/docker/cli-plugins
    as_root install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" /usr/local/lib/docker/cli-plugins/docker-compose
    rm -rf "$tmp"
    say "installed the Compose v2 plugin from Debian trixie: $(docker compose version) ($(took "$start"))"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}
if docker compose version >/dev/null 2>&1; then
  say "Compose v2 found: $(docker compose version)"
elif install_compose_plugin; then
  :
elif command -v docker-compose >/dev/null 2>&1; then
  say "Compose v2 unavailable; using $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')"
else
  say "Compose v2 could not be installed; installing Debian's docker-compose 1.29"
  apt_install docker-compose
fi

# ---- 3. a running engine --------------------------------------------------------------------------------
pick_storage_driver() { # overlay2 when this kernel lets us mount overlayfs, else vfs (slow, always works)
  if [ -n "${DOCKERD_STORAGE_DRIVER:-}" ]; then echo "$DOCKERD_STORAGE_DRIVER"; return; fi
  local t
  t=$(mktemp -d)
  mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
  if as_root mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    as_root umount "$t/m"
    rm -rf "$t"
    echo overlay2
  else
    rm -rf "$t"
    echo vfs
  fi
}
if docker info >/dev/null 2>&1; then
  say "engine running: Docker $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}')"
else
  start=$(now)
  driver=$(pick_storage_driver)
  log=${DOCKERD_LOG:-/var/log/dockerd-workbook.log}
  say "no engine answers: starting dockerd --storage-driver=$driver --iptables=false --ip-masq=false (log: $log)"
  as_root sh -c "nohup dockerd --storage-driver=$driver --iptables=false --ip-masq=false >>'$log' 2>&1 &"
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    say "dockerd did not answer within 60 s; the end of its log:"
    tail -n 30 "$log" >&2 || true
    exit 1
  fi
  say "engine running: Docker $(docker version --format '{{.Server.Version}}'), storage $driver ($(took "$start"))"
fi

# ---- 4. base images -------------------------------------------------------------------------------------
for image in node:24-bookworm-slim redis:7-bookworm; do
  if docker image inspect "$image" >/dev/null 2>&1; then
    kind=$(docker image inspect -f '{{ index .Config.Labels "io.workbook.standin" }}' "$image")
    say "$image present ($([ "$kind" = true ] && echo 'offline stand-in' || echo 'pulled'))"
    continue
  fi
  start=$(now)
  if timeout 300 docker pull -q "$image" >/dev/null 2>&1; then
    say "pulled $image ($(took "$start"))"
  else
    say "$image cannot be pulled (no registry answers): building the offline stand-in"
    bash session06-docker/scripts/offline-images.sh "${image%%:*}"
  fi
done
say "ready: $(docker info --format 'Docker {{.ServerVersion}}, {{.Driver}}, {{.Images}} images, {{.Containers}} containers')"
