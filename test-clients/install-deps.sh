#!/usr/bin/env bash
# Installs what the real-client tests need, each only when it is missing: idempotent, and a
# no-op taking milliseconds when everything is present. Works from a bare Debian machine
# (as root, with Debian's packages and the npm registry reachable).
#
#   test-clients/install-deps.sh ruby|chromium|nginx|node-modules|curl|redis ...
#
#   ruby          Ruby and em-http-request (Debian: ruby ruby-em-http-request)
#   chromium      headless Chromium (Debian: chromium) and fonts for screenshots
#   nginx         Debian's nginx binary (the service is never started by this script)
#   node-modules  playwright-core in test-clients/browser/node_modules (npm ci, from the
#                 committed package-lock.json; never downloads a browser)
#   curl          curl
#   redis         Debian's redis-server and redis-cli (the service is never started by this
#                 script; the Redis tests start their own on a free loopback port)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

updated=0

# Installs the Debian packages given that are not installed yet.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: need root to install ${missing[*]}" >&2
    return 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run on the machine holds the lock for a while: wait for it instead of failing.
  local lock=(-o DPkg::Lock::Timeout=600)
  if [ "$updated" = 0 ]; then
    apt-get "${lock[@]}" update -qq >&2
    updated=1
  fi
  # A package's postinst must not start a system service (nginx on port 80): when no
  # policy-rc.d forbids it already, set one for the duration of the install.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1
  fi
  local rc=0
  apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2 || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  return "$rc"
}

node_modules() {
  local dir="$here/browser" stamp
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  stamp="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$dir/node_modules/.install-stamp" ] && [ "$(cat "$dir/node_modules/.install-stamp")" = "$stamp" ]; then
    return 0
  fi
  echo "install-deps: npm ci in $dir" >&2
  # playwright-core never downloads a browser; the variable makes sure of it.
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$stamp" >"$dir/node_modules/.install-stamp"
}

[ $# -gt 0 ] || { echo "usage: $0 ruby|chromium|nginx|node-modules|curl|redis ..." >&2; exit 2; }
for what in "$@"; do
  case "$what" in
    ruby) apt_install ruby ruby-em-http-request ;;
    chromium) apt_install chromium fonts-liberation fonts-dejavu-core ;;
    nginx) apt_install nginx ;;
    curl) apt_install curl ;;
    redis) apt_install redis-server redis-tools ;;
    node-modules) node_modules ;;
    *) echo "install-deps: unknown: $what" >&2; exit 2 ;;
  esac
done
