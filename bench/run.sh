#!/usr/bin/env bash
# make bench: every figure side by side with its baseline in one run, printed as a ratio.
#   bash bench/run.sh BUILD_DIR [ROWS]
set -euo pipefail
build=${1:-build}
rows=${2:-${BENCH_ROWS:-10000000}}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/chollima"
work=$(mktemp -d /tmp/chollima-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "== bulk CSV import: $rows report rows (chollima import vs sqlite3 .import into a bare table)"
"$root/$build/bench/gen_reports" "$work" "$rows" 10000
ls -l "$work/reports.csv" | awk '{ printf "reports.csv: %.0f MB\n", $5 / 1e6 }'

# Baseline: the sqlite3 CLI importing the same file into a bare table (WAL).
t0=$(now)
sqlite3 "$work/bare.db" -cmd 'PRAGMA journal_mode=WAL;' '.mode csv' '.import '"$work/reports.csv"' reports' >/dev/null
t1=$(now)
base_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

# Chollima: validation, revisions, keys and the engine update, all in one transaction.
"$bin" init --db "$work/c.db" >/dev/null
"$bin" import --db "$work/c.db" groups "$work/groups.csv" >/dev/null
"$bin" import --db "$work/c.db" units "$work/units.csv" >/dev/null
"$bin" import --db "$work/c.db" indicators "$work/indicators.csv" >/dev/null
t0=$(now)
/usr/bin/time -f '%M' -o "$work/mem" "$bin" import --db "$work/c.db" reports "$work/reports.csv" >/dev/null
t1=$(now)
ours_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
base_rate=$(rate "$rows" "$base_s")
ours_rate=$(rate "$rows" "$ours_s")
echo "sqlite3 .import : $base_rate rows/s (${base_s}s)"
echo "chollima import : $ours_rate rows/s (${ours_s}s, peak $(( $(cat "$work/mem") / 1024 )) MB)"
echo "RATIO import/sqlite3 = $(ratio "$ours_rate" "$base_rate")  (goal >= 1.0)"
rm -f "$work"/*.db*

echo
echo "== the demo's full fulfilment recompute (10,000 units, a year) vs one sequential sum"
/usr/bin/time -f '%M' -o "$work/mem2" "$root/$build/bench/demo_recompute_benchmark" \
  --benchmark_min_time=1 --benchmark_out="$work/recompute.json" --benchmark_out_format=json \
  >/dev/null
python3 - "$work/recompute.json" "$work/mem2" <<'PY'
import json, sys
runs = {b["name"]: b["real_time"] for b in json.load(open(sys.argv[1]))["benchmarks"]}
base, ours = runs["BM_DemoSequentialSum"], runs["BM_DemoFullRecompute"]
print(f"sequential sum     : {base:.1f} ms")
print(f"full recompute     : {ours:.1f} ms (peak {int(open(sys.argv[2]).read()) // 1024} MB for the process)")
print(f"RATIO recompute/sum = {ours / base:.2f}  (goal <= 5; and < 1000 ms, < 1 GB)")
PY

echo
echo "== fulfilment kernel on a synthetic State"
if [ -x "$root/$build/src/engine/fulfilment_benchmark" ]; then
  "$root/$build/src/engine/fulfilment_benchmark" --benchmark_min_time=0.5
fi

echo
echo "== demo generation"
if [ -x "$root/$build/src/demo/demo_benchmark" ]; then
  "$root/$build/src/demo/demo_benchmark" --benchmark_min_time=0.2
fi

echo
bash "$root/bench/http.sh" "$bin"

echo
echo "== standings: 1,000,000 participants, in-process RankIndex vs a Redis sorted set (loopback, pipelined)"
if command -v redis-server >/dev/null 2>&1 && [ -x "$root/$build/bench/redis_standings" ]; then
  # A free port, a server without persistence in the work directory, stopped on any exit.
  redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$work" --logfile "$work/redis.log" &
  redis_pid=$!
  trap 'kill "$redis_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  "$root/$build/bench/redis_standings" "$redis_port"
  kill "$redis_pid"
  wait "$redis_pid" 2>/dev/null || true
  trap 'rm -rf "$work"' EXIT
else
  echo "skipped: needs redis-server (bash scripts/install-deps.sh --bench) and the redis_standings target"
fi

echo
echo "== the demo's drives and records rebuilt from scratch (10,000 units, a year), and the record"
echo "   book's update by a report that moves the last reported day past a month end, vs one sequential sum"
"$root/$build/bench/demo_recompute_benchmark" --benchmark_min_time=1 \
  --benchmark_filter='BM_DemoSequentialSum|BM_DemoDriveRebuild|BM_DemoRecordBookRebuild|BM_DemoRecordBookMonthEnd' \
  --benchmark_out="$work/emulation.json" --benchmark_out_format=json >/dev/null
python3 - "$work/emulation.json" <<'PY'
import json, sys
runs = {b["name"]: b["real_time"] for b in json.load(open(sys.argv[1]))["benchmarks"]}
base = runs["BM_DemoSequentialSum"]
print(f"sequential sum       : {base:.1f} ms")
for name, label in (("BM_DemoDriveRebuild", "drives rebuilt"), ("BM_DemoRecordBookRebuild", "record book rebuilt")):
    print(f"{label:21}: {runs[name]:.1f} ms   RATIO {runs[name] / base:.2f} of the sum")
month_end = next(v for k, v in runs.items() if k.startswith("BM_DemoRecordBookMonthEnd"))
print(f"month-end commit     : {month_end:.1f} ms   RATIO {month_end / base:.2f} of the sum, "
      f"{runs['BM_DemoRecordBookRebuild'] / month_end:.0f}x less than the rebuild")
PY

echo
echo "== one report end to end (POST /api/reports in process: validation, commit, engine, statuses,"
echo "   drives, records, events) on the demo store vs one single-row SQLite commit (WAL, FULL)"
"$root/$build/bench/report_apply_benchmark" --benchmark_out="$work/apply.json" \
  --benchmark_out_format=json >/dev/null
python3 - "$work/apply.json" <<'PY'
import json, sys
runs = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
ours, base = runs["BM_ReportEndToEnd"], runs["BM_SqliteOneRowCommit"]
print(f"sqlite one-row commit : {1e6 / base['real_time']:.0f} commits/s ({base['real_time']:.0f} us)")
print(f"report end to end     : {1e6 / ours['real_time']:.0f} reports/s ({ours['real_time']:.0f} us, "
      f"{ours.get('events_per_report', 0):.2f} events per report)")
print(f"RATIO report/commit = {base['real_time'] / ours['real_time']:.2f}  (1.0: a report costs one bare commit)")
PY

echo
bash "$root/bench/dea_benchmark.sh" "$build"
if [ -x "$root/$build/src/engine/dea_benchmark" ]; then
  echo "== DEA in process, 1,000 units, one thread: Solve (frame, dense simplex) vs SolveNaive"
  echo "   (one CLP LP per unit) and vs Solve with every LP left to CLP"
  "$root/$build/src/engine/dea_benchmark" --benchmark_min_time=0.5 \
    --benchmark_out="$work/dea.json" --benchmark_out_format=json
  python3 - "$work/dea.json" <<'PY'
import json, sys
t = {b["name"].split("/")[0]: b["real_time"] for b in json.load(open(sys.argv[1]))["benchmarks"]}
for rts in ("Vrs", "Crs"):
    ours = t[f"BM_DeaSolve{rts}"]
    print(f"RATIO {rts.lower()}: naive/solve = {t[f'BM_DeaNaive{rts}'] / ours:.1f}, "
          f"clp-only/dense = {t[f'BM_DeaSolve{rts}ClpOnly'] / ours:.1f}")
PY
fi
