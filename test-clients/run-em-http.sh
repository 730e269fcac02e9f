#!/usr/bin/env bash
# Runs the em-http client of seed article 002 (ruby/comet-push-consume.rb) against a pushrelay,
# installing Ruby and em-http-request from Debian first when they cannot be loaded.
#
#   run-em-http.sh [-u BASEURL] [-p PERIOD] [-T RUN_SECONDS]
#
# It publishes "Hello @ <time>" to channel "pub" every PERIOD seconds (default 5, the
# article's) and two listeners long-poll the channel and print what they receive, each line
# prefixed with the listener's name. -T stops it after RUN_SECONDS (default: runs until killed).
# The server must have the article's locations (/publish, /activity): conf/pushrelay.conf.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PUSHRELAY_URL="http://127.0.0.1:8080" PERIOD=5
unset RUN_SECONDS
while getopts "u:p:T:h" opt; do
  case "$opt" in
    u) PUSHRELAY_URL="${OPTARG%/}" ;;
    p) PERIOD="$OPTARG" ;;
    T) export RUN_SECONDS="$OPTARG" ;;
    *) sed -n '5p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
  esac
done
ruby -e 'require "em-http"' 2>/dev/null || "$here/install-deps.sh" ruby
cd "$here/ruby"
exec ruby -r ./listener-names.rb comet-push-consume.rb
