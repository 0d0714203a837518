#!/usr/bin/env bash
# make bench, the HTTP figures: each beside its baseline in the same run, as a ratio.
#   bash bench/http.sh BIN        (BIN: the chollima binary, e.g. build/chollima)
#
# - GET of a fulfilment summary (`chollima serve`, the 10,000-unit demo) vs nginx serving
#   the same bytes as a static file, both on loopback under the same wrk load; /healthz
#   as the server's floor.
# - Bulk report ingest over HTTP, as JSON (POST /api/reports) and as CSV
#   (POST /api/import/reports), vs sqlite3 `.import` of the same rows into a bare table.
#
# BENCH_HTTP_SECONDS (10) and BENCH_HTTP_CONNECTIONS (32) set the wrk runs. Everything
# listens on 127.0.0.1 and lives in one temporary directory; both servers are stopped at
# exit. Exits non-zero when any step fails.
set -euo pipefail
bin=${1:?usage: bench/http.sh BIN}
[ -x "$bin" ] || { echo "bench/http.sh: no executable '$bin'" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
seconds=${BENCH_HTTP_SECONDS:-10}
conns=${BENCH_HTTP_CONNECTIONS:-32}
units=10000
batches=20 batch_rows=5000  # 100,000 report rows
period=2026-11

work=$(mktemp -d /tmp/chollima-http-XXXXXX)
server_pid='' nginx_pid=''
stop() {  # stop PID: SIGTERM, then SIGKILL after 20 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$nginx_pid"
  stop "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "bench/http.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
for tool in curl wrk sqlite3 python3 /usr/sbin/nginx; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh --bench)"
done

# ------------------------------------------------------------------ the store and the server
echo "== HTTP: demo store of $units units, an admin and its API token"
t0=$(now)
"$bin" demo --db "$work/demo.db" --units "$units" >/dev/null
echo "chollima demo: $(since "$t0")s"
"$bin" user add --db "$work/demo.db" admin --role admin >/dev/null
(umask 077 && "$bin" user token --db "$work/demo.db" admin 2>/dev/null | head -n 1 >"$work/token")
token=$(cat "$work/token")
[[ $token == chm_* ]] || fail "chollima user token printed no token"
auth="Authorization: Bearer $token"

t0=$(now)
"$bin" serve --db "$work/demo.db" --listen 127.0.0.1:0 --threads 2 \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=''
for _ in $(seq 1 1200); do  # up to 120 s: the store is loaded before listening
  port=$(sed -n '1s|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; fail "chollima serve exited"; }
  sleep 0.1
done
[ -n "$port" ] || fail "chollima serve did not listen within 120 s"
base="http://127.0.0.1:$port"
echo "chollima serve --threads 2: listening after $(since "$t0")s"

# GET PATH OUT: the body to OUT; fails unless 200.
get() {
  local code
  code=$(curl -sS --max-time 60 -H "$auth" -o "$2" -w '%{http_code}' "$base$1") || fail "GET $1: curl failed"
  [ "$code" = 200 ] || { head -c 500 "$2" >&2; echo >&2; fail "GET $1: HTTP $code"; }
}

# ------------------------------------------------------------------ GET: chollima vs nginx
summary="/api/fulfilment?period=$period&by=sector"
mkdir -p "$work/www"
get "$summary" "$work/www/summary.json"
get /healthz "$work/healthz.json"
bytes=$(stat -c %s "$work/www/summary.json")

# nginx (Debian) on a free loopback port, everything under $work: config, pid, lock,
# error log and temp paths; no access log. As root its workers run as root too (the
# default user, nobody, cannot read the private temp dir).
user_line=''
[ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
mkdir -p "$work/nginx"
nginx_port=''
for _ in 1 2 3 4 5; do
  try=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
$user_line
pid $work/nginx/nginx.pid;
lock_file $work/nginx/nginx.lock;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { application/json json; }
  default_type application/json;
  server {
    listen 127.0.0.1:$try;
    root $work/www;
  }
}
EOF
  /usr/sbin/nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  for _ in $(seq 1 50); do  # up to 5 s
    if curl -sf --max-time 2 -o "$work/nginx.body" "http://127.0.0.1:$try/summary.json" 2>/dev/null; then
      nginx_port=$try
      break
    fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$nginx_port" ] && break
  stop "$nginx_pid"
  nginx_pid=''
done
[ -n "$nginx_port" ] || { cat "$work/nginx/error.log" >&2; fail "nginx did not start"; }
cmp -s "$work/nginx.body" "$work/www/summary.json" || fail "nginx serves other bytes than the summary"
content_type=$(curl -sS -o /dev/null -w '%{content_type}' "http://127.0.0.1:$nginx_port/summary.json")
[ "$content_type" = application/json ] || fail "nginx serves the summary as '$content_type'"

# WRK NAME URL: one wrk run; sets rps, p50, p99 (ms); fails on errors or non-2xx answers.
wrk_run() {
  local out="$work/wrk-$1.txt"
  wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s --latency -H "$auth" "$2" >"$out" 2>&1 ||
    { cat "$out" >&2; fail "wrk $1 failed"; }
  if grep -qE 'Non-2xx|Socket errors' "$out"; then cat "$out" >&2; fail "wrk $1: errors"; fi
  read -r rps requests p50 p99 < <(awk '
    function ms(t) {
      if (t ~ /us$/) return t / 1000; if (t ~ /ms$/) return t + 0
      if (t ~ /s$/) return t * 1000; if (t ~ /m$/) return t * 60000; return -1
    }
    $1 == "Requests/sec:" { rps = $2 }
    $2 == "requests" && $3 == "in" { n = $1 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.1f %d %.2f %.2f\n", rps, n, p50, p99 }' "$out")
  awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || { cat "$out" >&2; fail "wrk $1: no requests/s"; }
}

echo
echo "== HTTP: GET of the $period fulfilment summary by sector ($bytes bytes of JSON) vs nginx" \
  "serving the same file (wrk -t2 -c$conns -d${seconds}s, loopback; server --threads 2, nginx 2 workers)"
wrk_run nginx "http://127.0.0.1:$nginx_port/summary.json"
n_rps=$rps n_req=$requests n_p50=$p50 n_p99=$p99
stop "$nginx_pid"
nginx_pid=''
wrk_run summary "$base$summary"
s_rps=$rps s_req=$requests s_p50=$p50 s_p99=$p99
wrk_run healthz "$base/healthz"
h_rps=$rps h_req=$requests h_p50=$p50 h_p99=$p99
printf '%-28s: %10s req/s  p50 %8s ms  p99 %8s ms  (%s requests)\n' \
  "nginx static file" "$n_rps" "$n_p50" "$n_p99" "$n_req" \
  "chollima GET summary" "$s_rps" "$s_p50" "$s_p99" "$s_req" \
  "chollima GET /healthz" "$h_rps" "$h_p50" "$h_p99" "$h_req"
echo "RATIO summary/nginx = $(ratio "$s_rps" "$n_rps")  (requests/s)"
echo "RATIO healthz/nginx = $(ratio "$h_rps" "$n_rps")  (the server's floor: routing, auth, no work)"

# ------------------------------------------------------------------ bulk report ingest
# Rows: every unit's energy report (each unit has an energy plan; the output indicator
# depends on the sector) on ten days from 2026-11-02: corrections of the demo's reports
# (new facts where a unit reported nothing that day). JSON writes one value, the CSV
# another, so both are real corrections of the same keys.
get "/api/indicators" "$work/indicators.json"
get "/api/plans?indicator=energy&limit=1" "$work/energy-plans.json"
for offset in $(seq 0 1000 $((units - 1))); do
  get "/api/units?limit=1000&offset=$offset" "$work/units-$offset.json"
done
python3 - "$work" "$units" "$batches" "$batch_rows" <<'PY'
import datetime, glob, json, sys
work, units, batches, batch_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
codes = []
for path in sorted(glob.glob(f"{work}/units-*.json"), key=lambda p: int(p.rsplit("-", 1)[1][:-5])):
    codes += [u["code"] for u in json.load(open(path))["units"]]
indicators = {i["code"]: i for i in json.load(open(f"{work}/indicators.json"))["indicators"]}
energy_plans = json.load(open(f"{work}/energy-plans.json"))["total"]
if len(set(codes)) != units:
    sys.exit(f"GET /api/units: {len(set(codes))} units, expected {units}")
if indicators.get("energy", {}).get("grain") != "day":
    sys.exit("GET /api/indicators: no daily 'energy' indicator")
if energy_plans != units:
    sys.exit(f"GET /api/plans: {energy_plans} energy plans, expected one per unit ({units})")
rows = []
day = datetime.date(2026, 11, 2)
while len(rows) < batches * batch_rows:
    for i, code in enumerate(codes):
        rows.append((code, day.isoformat(), 50 + i % 997 * 0.25))
    day += datetime.timedelta(days=1)
rows = rows[: batches * batch_rows]
if day.year != 2026:
    sys.exit("the rows run past 2026")
with open(f"{work}/all.csv", "w") as whole:
    for b in range(batches):
        part = rows[b * batch_rows : (b + 1) * batch_rows]
        with open(f"{work}/batch-{b}.json", "w") as f:
            json.dump([{"unit": u, "indicator": "energy", "date": d, "value": v} for u, d, v in part],
                      f, separators=(",", ":"))
        with open(f"{work}/batch-{b}.csv", "w") as f:
            f.write("unit,indicator,date,value\n")
            f.writelines(f"{u},energy,{d},{v + 0.5}\n" for u, d, v in part)
        whole.writelines(f"{u},energy,{d},{v}\n" for u, d, v in part)
PY
rows=$((batches * batch_rows))
json_mb=$(cat "$work"/batch-*.json | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')
csv_mb=$(cat "$work"/batch-*.csv | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')

# POST ROUTE TYPE EXT: every batch in turn; sets secs and spread (the quickest and slowest
# request); fails unless each is 200.
post_all() {
  local b code t0 tb
  t0=$(now)
  : >"$work/times-$3"
  for b in $(seq 0 $((batches - 1))); do
    tb=$(now)
    code=$(curl -sS --max-time 300 -H "$auth" -H "Content-Type: $2" --data-binary @"$work/batch-$b.$3" \
      -o "$work/answer-$3-$b.json" -w '%{http_code}' "$base$1") || fail "POST $1: curl failed"
    [ "$code" = 200 ] || { head -c 1000 "$work/answer-$3-$b.json" >&2; echo >&2; fail "POST $1 (batch $b): HTTP $code"; }
    since "$tb" >>"$work/times-$3"
    echo >>"$work/times-$3"
  done
  secs=$(since "$t0")
  spread=$(sort -g "$work/times-$3" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f s", lo, hi }')
}
# COUNTS EXT: the summed counts of the answers (ignored: equal to the stored value); fails
# unless every row was read.
counts() {
  python3 - "$work" "$1" "$batches" "$batch_rows" <<'PY'
import json, sys
work, ext, batches, batch_rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
total = {"rows": 0, "imported": 0, "updated": 0, "ignored": 0}
for b in range(batches):
    answer = json.load(open(f"{work}/answer-{ext}-{b}.json"))
    for k in total:
        total[k] += answer[k]
if total["rows"] != batches * batch_rows:
    sys.exit(f"{ext}: {total['rows']} rows read, expected {batches * batch_rows}")
print(", ".join(f"{k} {total[k]}" for k in ("imported", "updated", "ignored")))
PY
}

echo
echo "== HTTP: bulk report ingest, $rows rows in $batches requests of $batch_rows" \
  "(corrections of the demo's energy reports, 2026-11-02 on; JSON $json_mb MB, CSV $csv_mb MB)"
t0=$(now)
sqlite3 "$work/bare.db" -cmd 'PRAGMA journal_mode=WAL;' 'CREATE TABLE reports(unit, indicator, date, value);' \
  '.mode csv' '.import '"$work/all.csv"' reports' >/dev/null
base_secs=$(since "$t0")
[ "$(sqlite3 "$work/bare.db" 'SELECT count(*) FROM reports')" = "$rows" ] || fail "sqlite3 .import lost rows"
post_all /api/reports application/json json
json_secs=$secs json_spread=$spread
json_counts=$(counts json)
post_all /api/import/reports text/csv csv
csv_secs=$secs csv_spread=$spread
csv_counts=$(counts csv)
base_rate=$(rate "$rows" "$base_secs")
json_rate=$(rate "$rows" "$json_secs")
csv_rate=$(rate "$rows" "$csv_secs")
peak=$(awk '$1 == "VmHWM:" { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")
printf '%-34s: %9s rows/s (%ss)\n' "sqlite3 .import, bare table (WAL)" "$base_rate" "$base_secs"
printf '%-34s: %9s rows/s (%ss, requests %s; %s)\n' \
  "POST /api/reports (JSON)" "$json_rate" "$json_secs" "$json_spread" "$json_counts" \
  "POST /api/import/reports (CSV)" "$csv_rate" "$csv_secs" "$csv_spread" "$csv_counts"
echo "RATIO json/sqlite3 = $(ratio "$json_rate" "$base_rate")  csv/sqlite3 = $(ratio "$csv_rate" "$base_rate")  csv/json = $(ratio "$csv_rate" "$json_rate")"
echo "chollima serve peak RSS: $peak MB"
