#!/usr/bin/env bash
# Makes sure `prometheus` and `promtool` are on PATH for session 09's tests (a real Prometheus
# scraping workers, `promtool test rules`, `promtool check metrics`): installs Debian's
# `prometheus` package with apt-get when either is missing. Called by .ci/run before the README's
# test command; fine to run by hand. Idempotent. The package's own service is not used (the tests
# start private servers on free loopback ports), so it is stopped if the install started one.
set -euo pipefail

say() { printf '==> prometheus-setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  say "found $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi

start=$(date +%s)
say "prometheus or promtool missing: installing Debian's prometheus package"
as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
# policy-rc.d 101: the package must not start its service (nothing should listen on :9090).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod +x "$policy"
  created_policy=1
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null
if [ "$created_policy" = 1 ]; then as_root rm -f "$policy"; fi
command -v prometheus >/dev/null && command -v promtool >/dev/null || {
  echo "prometheus-setup: the package installed but prometheus/promtool are not on PATH" >&2
  exit 1
}
say "installed $(prometheus --version 2>&1 | head -n 1) in $(( $(date +%s) - start )) s"
