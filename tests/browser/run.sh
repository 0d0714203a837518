#!/usr/bin/env bash
# The dashboard's browser tests against the real binary: a small demo economy (with its
# drives coal-2026 and provinces-2026), four accounts (admin, planner of the coal sector,
# reporter, viewer) made with `chollima user add`, `chollima serve` on a free loopback
# port, then web/tests (the emulation pages' scenarios on coal-2026 included) through
# playwright-core and Debian's Chromium.
# Screenshots land in $CHOLLIMA_SCREENSHOTS (default: <build>/browser-screenshots).
#
#   tests/browser/run.sh build/chollima
set -euo pipefail

bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -d "$root/web/node_modules" ] || [ ! -f "$root/web/dist/index.html" ]; then
  echo "browser tests: the dashboard is not built (run: make web)" >&2
  exit 1
fi

db="$work/demo.db"
"$bin" demo --db "$db" --units 400 >/dev/null
printf 'admin-pass-1\n' | "$bin" user add --db "$db" admin --role admin --password-stdin >/dev/null
reporter_unit=U00003
printf 'reporter-pass-1\n' |
  "$bin" user add --db "$db" kim --role reporter --units "$reporter_unit" --password-stdin >/dev/null
printf 'viewer-pass-1\n' | "$bin" user add --db "$db" lee --role viewer --password-stdin >/dev/null
# The planner's scope holds the coal drive's participants and the coal branches' standards
# (a planner finalizes seasons and sets standards only within its subtree).
printf 'planner-pass-1\n' |
  "$bin" user add --db "$db" park --role planner --scope sector/coal --password-stdin >/dev/null

"$bin" serve --db "$db" --listen 127.0.0.1:0 --web "$root/web/dist" >"$work/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$work/serve.log")
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser tests: the server did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi

export CHOLLIMA_URL="$url"
export CHOLLIMA_ADMIN=admin CHOLLIMA_ADMIN_PASSWORD=admin-pass-1
export CHOLLIMA_REPORTER=kim CHOLLIMA_REPORTER_PASSWORD=reporter-pass-1
export CHOLLIMA_REPORTER_UNIT=$reporter_unit
export CHOLLIMA_VIEWER=lee CHOLLIMA_VIEWER_PASSWORD=viewer-pass-1
export CHOLLIMA_PLANNER=park CHOLLIMA_PLANNER_PASSWORD=planner-pass-1
export CHOLLIMA_DRIVE=coal-2026
export CHOLLIMA_SCREENSHOTS="${CHOLLIMA_SCREENSHOTS:-$(dirname "$bin")/browser-screenshots}"
cd "$root/web"
npm run -s test:browser
