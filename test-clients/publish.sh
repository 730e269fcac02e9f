#!/usr/bin/env bash
# Publishes messages to a pushrelay (or Nginx HTTP Push Module) channel with curl.
#
#   publish.sh [-u BASEURL] [-l LOCATION] [-t CONTENT-TYPE] [-a] CHANNEL [MESSAGE...]
#
# Each MESSAGE argument is one message, published in order. Without MESSAGE arguments each
# line of standard input is one message (`tail -f app.log | publish.sh logs`), or with -a all
# of standard input is a single message. Prints the status of each publish (201: delivered to
# waiting subscribers, 202: stored with nobody waiting; protocol.md §3.1) and exits 1 at the
# first other answer.
#
#   -u BASEURL      default http://127.0.0.1:8080
#   -l LOCATION     publisher location, default /publish
#   -t TYPE         Content-Type of the messages, default text/plain
#   -a              all of standard input is one message
set -euo pipefail

base="http://127.0.0.1:8080"
location="/publish"
type="text/plain"
whole=0
usage() {
  sed -n '3,4p' "$0" | sed 's/^# *//' >&2
  exit 2
}
while getopts "u:l:t:ah" opt; do
  case "$opt" in
    u) base="${OPTARG%/}" ;;
    l) location="$OPTARG" ;;
    t) type="$OPTARG" ;;
    a) whole=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
channel="$1"
shift
url="$base$location?id=$channel"

# The body goes through stdin (@-) so that a message starting with '@' is not read as a file
# name and no byte of it is changed (--data-binary keeps newlines).
publish_stdin() {
  local status
  status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: $type" \
    --data-binary @- "$url")" || { echo "publish.sh: $url: curl failed" >&2; exit 1; }
  echo "$status"
  case "$status" in
    201 | 202) ;;
    *) echo "publish.sh: $url: HTTP $status" >&2; exit 1 ;;
  esac
}

if [ $# -gt 0 ]; then
  for message in "$@"; do
    printf '%s' "$message" | publish_stdin
  done
elif [ "$whole" = 1 ]; then
  publish_stdin
else
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s' "$line" | publish_stdin
  done
fi
