#!/usr/bin/env bash
# Follows a pushrelay (or Nginx HTTP Push Module) channel with curl long-polls and prints each
# message once, followed by a newline.
#
#   subscribe.sh [-u BASEURL] [-l LOCATION] [-n MAX_MESSAGES] [-T MAX_SECONDS] [-i SECONDS] [-v] CHANNEL
#
# Each response's Last-Modified and Etag go back as If-Modified-Since and If-None-Match on the
# next request (protocol.md §4.2), so every message is printed exactly once, several per
# second included. The first request carries no cursor and gets the oldest stored message.
#
#   -u BASEURL      default http://127.0.0.1:8080
#   -l LOCATION     subscriber location, default /activity
#   -n N            stop after N messages (default: never)
#   -T SECONDS      stop after this many seconds (default: never)
#   -i SECONDS      wait this long after a 304 before asking again (for interval-poll
#                   locations; a long-poll 304 is a subscriber timeout and is retried at once)
#   -v              report every response's status and cursor on standard error
#
# Exit status: 0 when -n or -T stopped it, 3 when the channel was deleted (410 Gone),
# 4 when another subscriber took the channel (409 Conflict, protocol.md §7), 1 on other
# client errors (403, 404, ...). Network errors and 5xx are retried with exponential backoff
# (1 s doubling up to 30 s, reset by a success).
set -euo pipefail

base="http://127.0.0.1:8080"
location="/activity"
max_messages=0
max_seconds=0
interval=0
verbose=0
usage() {
  sed -n '5p' "$0" | sed 's/^# *//' >&2
  exit 2
}
while getopts "u:l:n:T:i:vh" opt; do
  case "$opt" in
    u) base="${OPTARG%/}" ;;
    l) location="$OPTARG" ;;
    n) max_messages="$OPTARG" ;;
    T) max_seconds="$OPTARG" ;;
    i) interval="$OPTARG" ;;
    v) verbose=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
url="$base$location?id=$1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
headers="$work/headers"
body="$work/body"

# The value of response header $1 (case-insensitive name), without the CR.
header() {
  sed -n "s/^$1:[[:space:]]*//Ip" "$headers" | tr -d '\r' | tail -n 1
}
log() {
  [ "$verbose" = 0 ] || echo "subscribe.sh: $*" >&2
}

since=""
tag=""
received=0
backoff=1
start=$SECONDS
while :; do
  [ "$max_messages" -gt 0 ] && [ "$received" -ge "$max_messages" ] && exit 0
  args=(-sS -D "$headers" -o "$body" -w '%{http_code}')
  if [ "$max_seconds" -gt 0 ]; then
    left=$((start + max_seconds - SECONDS))
    [ "$left" -gt 0 ] || exit 0
    args+=(--max-time "$left")
  fi
  [ -n "$since" ] && args+=(-H "If-Modified-Since: $since")
  [ -n "$tag" ] && args+=(-H "If-None-Match: $tag")
  : >"$headers"
  status="$(curl "${args[@]}" "$url" 2>"$work/err")" || status="000"
  log "$status since=[$since] tag=[$tag]"
  case "$status" in
    200)
      cat "$body"
      echo
      since="$(header Last-Modified)"
      tag="$(header Etag)"
      received=$((received + 1))
      backoff=1
      ;;
    304)
      backoff=1
      [ "$interval" = 0 ] || sleep "$interval"
      ;;
    410)
      echo "subscribe.sh: channel deleted (410 Gone)" >&2
      exit 3
      ;;
    409)
      echo "subscribe.sh: another subscriber took the channel (409 Conflict)" >&2
      exit 4
      ;;
    000 | 5??)
      if [ "$max_seconds" -gt 0 ] && [ $((start + max_seconds - SECONDS)) -le 0 ]; then
        exit 0
      fi
      echo "subscribe.sh: $url: ${status/000/$(head -c 200 "$work/err")}; retrying in ${backoff}s" >&2
      sleep "$backoff"
      backoff=$((backoff * 2 > 30 ? 30 : backoff * 2))
      ;;
    *)
      echo "subscribe.sh: $url: HTTP $status: $(head -c 200 "$body")" >&2
      exit 1
      ;;
  esac
done
