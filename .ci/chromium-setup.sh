#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for session 10's browser test (the live
# dashboard driven by playwright-core, which downloads no browser of its own). Called by .ci/run
# before the README's test command; also fine to run by hand (as root, or with sudo available).
# Idempotent: a second run finds the browser and only says so.
set -euo pipefail

say() { printf '==> chromium-setup: %s\n' "$*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x /usr/bin/chromium ]; then
  say "found $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

start=$(now)
as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  chromium fonts-liberation >/dev/null
say "installed chromium with apt-get ($(took "$start")): $(/usr/bin/chromium --version 2>/dev/null)"
