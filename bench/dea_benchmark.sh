#!/usr/bin/env bash
# DEA (F8): input-oriented CRS and VRS scores of the same units through scipy's HiGHS
# (one LP per unit), R's lpSolve (one lp() per unit) and chollima's dea_tool (frame
# first, then every unit against the frame), side by side as ratios, checking that
# the scores agree to 1e-6; then chollima alone on 100,000 and 1,000,000 units with
# peak memory, spot-checked against scipy on DEA_SPOT (5) sampled units.
#   bash bench/dea_benchmark.sh BUILD_DIR        (DEA_SIZES, DEA_BIG: unit counts; empty skips)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/$build/src/engine/dea_tool"
py=/usr/bin/python3
work=$(mktemp -d /tmp/chollima-dea-XXXXXX)
trap 'rm -rf "$work"' EXIT
sizes=${DEA_SIZES-"1000 5000"}
big=${DEA_BIG-"100000 1000000"}

compare() {  # compare a.csv b.csv -> max |difference| of the scores, exits 1 above 1e-6
  $py - "$1" "$2" <<'PY'
import csv, sys
a = {r["unit"]: float(r["score"]) for r in csv.DictReader(open(sys.argv[1]))}
b = {r["unit"]: float(r["score"]) for r in csv.DictReader(open(sys.argv[2]))}
worst = max(abs(a[k] - b[k]) for k in a)
print(f"{worst:.1e}")
sys.exit(0 if worst <= 1e-6 and len(a) == len(b) else 1)
PY
}
secs() { sed -n 's/.*solve=\([0-9.]*\)s.*/\1/p' "$1"; }

echo "== DEA scores, input orientation, 3 inputs 2 outputs (Cobb-Douglas frontier with inefficiency)"
printf '%-7s %-4s %10s %10s %10s %9s %9s %s\n' units rts scipy_s lpsolve_s chollima_s vs_scipy vs_lpsolve "frame, max |diff|"
for n in $sizes; do
  $py "$root/bench/dea_gen.py" "$n" "$work/u$n.csv"
  for rts in crs vrs; do
    s_py=$($py "$root/bench/dea_scipy.py" "$work/u$n.csv" $rts "$work/py.csv")
    s_r=$(Rscript "$root/bench/dea_lpsolve.R" "$work/u$n.csv" $rts "$work/r.csv")
    "$tool" --rts $rts --orientation in --slacks 0 --scores-only --out "$work/c.csv" \
      "$work/u$n.csv" 2>"$work/c.log"
    s_c=$(secs "$work/c.log")
    frame=$(sed -n 's/.*frame=\([0-9]*\) .*/\1/p' "$work/c.log")
    d_py=$(compare "$work/c.csv" "$work/py.csv") || { echo "scores differ from scipy: $d_py"; exit 1; }
    d_r=$(compare "$work/c.csv" "$work/r.csv") || { echo "scores differ from lpSolve: $d_r"; exit 1; }
    printf '%-7s %-4s %10.3f %10.3f %10.3f %8.0fx %8.0fx %s\n' "$n" $rts "$s_py" "$s_r" "$s_c" \
      "$(awk -v a="$s_py" -v b="$s_c" 'BEGIN { print a / b }')" \
      "$(awk -v a="$s_r" -v b="$s_c" 'BEGIN { print a / b }')" "frame $frame, scipy $d_py, lpSolve $d_r"
  done
done

echo
echo "== chollima alone (dea_tool, scores only, input orientation; wall clock and peak memory)"
for n in $big; do
  $py "$root/bench/dea_gen.py" "$n" "$work/big.csv"
  for rts in crs vrs; do
    /usr/bin/time -v "$tool" --rts $rts --orientation in --slacks 0 --scores-only \
      --out "$work/big_out.csv" "$work/big.csv" 2>"$work/big.log" || { cat "$work/big.log"; exit 1; }
    mem=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$work/big.log")
    echo "$n units $rts: $(grep '^dea_tool:' "$work/big.log" | sed 's/^dea_tool: //'), peak $((mem / 1024)) MB"
    spot=$($py "$root/bench/dea_spot.py" "$work/big.csv" $rts "$work/big_out.csv" "${DEA_SPOT:-5}") ||
      { echo "spot check against scipy failed: $spot"; exit 1; }
    echo "  spot check against scipy HiGHS (one LP with all units each): $spot"
  done
  rm -f "$work/big.csv" "$work/big_out.csv"
done
