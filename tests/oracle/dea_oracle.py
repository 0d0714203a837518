#!/usr/bin/python3
"""Independent oracle for the DEA kernel: scipy's HiGHS, one LP per unit against all units.

    /usr/bin/python3 tests/oracle/dea_oracle.py path/to/dea_tool

Random data with fixed seeds, every option combination (crs/vrs/drs/irs/fdh x in/out x
slacks x super): runs dea_tool (the frame method) on a CSV, solves the same models here
(FDH by enumeration, the second stage as a second LP with the score fixed, super-efficiency
with the unit removed) and compares scores, super scores, slacks, targets and the efficient
flag to 1e-6, and the peers where the max-slack solution is unique (random data in general
position, second stage on). Exits non-zero at the first difference, naming it.
"""
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import linprog

TOL = 1e-6


def make_data(seed, n, m, s, scale=1.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (n, m))
    f = np.exp(0.8 * np.log(x).mean(axis=1)) * rng.uniform(0.5, 1.0, n)
    w = rng.uniform(1, 10, (n, s))
    y = (f[:, None] * w / w.sum(axis=1, keepdims=True)) * s
    return x * scale, y


def weights(x, y):
    mx, my = x.mean(axis=0), y.mean(axis=0)
    if min(mx.min(), my.min()) < 1e-4 or max(mx.max(), my.max()) > 1e4:
        return 1 / mx, 1 / my
    return np.ones(x.shape[1]), np.ones(y.shape[1])


def rts_rows(rts, k, offset, width):
    """A_ub/b_ub and A_eq/b_eq rows for the returns to scale on λ at columns offset.."""
    row = np.zeros(width)
    row[offset:offset + k] = 1
    if rts == "vrs":
        return [], [], [row], [1.0]
    if rts == "drs":
        return [row], [1.0], [], []
    if rts == "irs":
        return [-row], [-1.0], [], []
    return [], [], [], []


def radial(xr, yr, xj, yj, rts, orient):
    """Returns the score or None when infeasible."""
    k, m = xr.shape
    s = yr.shape[1]
    width = 1 + k
    a_ub, b_ub = [], []
    if orient == "in":
        for i in range(m):
            a_ub.append(np.r_[-xj[i], xr[:, i]]); b_ub.append(0.0)
        for r in range(s):
            a_ub.append(np.r_[0.0, -yr[:, r]]); b_ub.append(-yj[r])
        c = np.r_[1.0, np.zeros(k)]
    else:
        for i in range(m):
            a_ub.append(np.r_[0.0, xr[:, i]]); b_ub.append(xj[i])
        for r in range(s):
            a_ub.append(np.r_[yj[r], -yr[:, r]]); b_ub.append(0.0)
        c = np.r_[-1.0, np.zeros(k)]
    ru, rb, eu, eb = rts_rows(rts, k, 1, width)
    a_ub += ru; b_ub += rb
    res = linprog(c, A_ub=np.array(a_ub), b_ub=np.array(b_ub),
                  A_eq=np.array(eu) if eu else None, b_eq=np.array(eb) if eb else None,
                  bounds=[(0, None)] * width, method="highs")
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return res.x[0]


def second_stage(xr, yr, t, u, rts, wx, wy):
    k, m = xr.shape
    s = yr.shape[1]
    width = k + m + s
    a_eq, b_eq = [], []
    for i in range(m):
        row = np.zeros(width); row[:k] = xr[:, i]; row[k + i] = 1
        a_eq.append(row); b_eq.append(t[i])
    for r in range(s):
        row = np.zeros(width); row[:k] = yr[:, r]; row[k + m + r] = -1
        a_eq.append(row); b_eq.append(u[r])
    ru, rb, eu, eb = rts_rows(rts, k, 0, width)
    a_eq += eu; b_eq += eb
    c = np.r_[np.zeros(k), -wx, -wy]
    res = linprog(c, A_ub=np.array(ru) if ru else None, b_ub=np.array(rb) if rb else None,
                  A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=[(0, None)] * width,
                  method="highs")
    assert res.status == 0, res.message
    return res.x[:k], res.x[k:k + m], res.x[k + m:]


def fdh(xr, yr, xj, yj, orient, slacks, wx, wy, idx):
    """Enumeration: (score, lambda dict, sx, sy) or None."""
    if orient == "in":
        ok = np.all(yr >= yj, axis=1)
        if not ok.any():
            return None
        rho = np.where(ok, np.max(xr / xj, axis=1), np.inf)
        score = rho.min()
        feas = ok & (rho <= score)
        t, u = score * xj, yj
    else:
        ok = np.all(xr <= xj, axis=1)
        if not ok.any():
            return None
        pos = yj > 0
        rho = np.where(ok, np.min(yr[:, pos] / yj[pos], axis=1), -np.inf)
        score = rho.max()
        feas = ok & (rho >= score)
        t, u = xj, score * yj
    if abs(score - 1) <= 1e-9:
        score = 1.0
        t, u = (xj, yj)
    sx = np.maximum(0, t - xr); sy = np.maximum(0, yr - u)
    tot = np.where(feas, sx @ wx + sy @ wy, -np.inf)
    best = int(np.argmax(tot))  # first maximum: lowest index
    return score, {idx[best]: 1.0}, sx[best], sy[best]


def oracle(x, y, rts, orient, slacks, sup):
    n, m = x.shape
    wx, wy = weights(x, y)
    # The LPs run on data divided by the column means (HiGHS is happier near 1); the
    # second stage's weights carry over (w * mean per scaled slack) and slacks scale back.
    mx, my = x.mean(axis=0), y.mean(axis=0)
    xs, ys = x / mx, y / my
    out = []
    idx = list(range(n))
    for j in range(n):
        if rts == "fdh":
            score, lam, sx, sy = fdh(x, y, x[j], y[j], orient, slacks, wx, wy, idx)
            have = slacks or score == 1.0
            if not have:
                sx, sy = np.zeros(m), np.zeros(y.shape[1])
        else:
            score = radial(xs, ys, xs[j], ys[j], rts, orient)
            if abs(score - 1) <= 1e-9:
                score = 1.0
            lam, sx, sy = None, np.zeros(m), np.zeros(y.shape[1])
            have = slacks or abs(score - 1) <= 1e-7
            if have:
                t = score * xs[j] if orient == "in" else xs[j]
                u = ys[j] if orient == "in" else score * ys[j]
                l2, sx, sy = second_stage(xs, ys, t, u, rts, wx * mx, wy * my)
                sx, sy = sx * mx, sy * my
                lam = {k: v for k, v in enumerate(l2) if v > 1e-9}
        zero = all(v <= 1e-7 * max(1, mu) for v, mu in zip(sx, x.mean(axis=0))) and \
            all(v <= 1e-7 * max(1, mu) for v, mu in zip(sy, y.mean(axis=0)))
        eff = abs(score - 1) <= 1e-7 and have and zero
        if not slacks:
            sx, sy = np.zeros(m), np.zeros(y.shape[1])
        tx = (score * x[j] if orient == "in" else x[j]) - sx
        ty = (y[j] if orient == "in" else score * y[j]) + sy
        sup_score = math.nan
        if sup:
            keep = [k for k in range(n) if k != j]
            if rts == "fdh":
                r = fdh(x[keep], y[keep], x[j], y[j], orient, False, wx, wy, keep)
                sup_score = math.inf if r is None else r[0]
            else:
                v = radial(xs[keep], ys[keep], xs[j], ys[j], rts, orient)
                sup_score = math.inf if v is None else (1.0 if abs(v - 1) <= 1e-9 else v)
        out.append(dict(score=score, super=sup_score, eff=eff, sx=sx, sy=sy, tx=tx, ty=ty,
                        peers=lam))
    return out


def close(a, b):
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return (math.isinf(a) and math.isinf(b)) or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= TOL * max(1.0, abs(b))


def main():
    tool = sys.argv[1]
    cases = [  # seed, n, m, s, scale
        (11, 40, 2, 2, 1.0),
        (12, 30, 1, 1, 1.0),
        (13, 35, 3, 1, 1e5),  # means above 1e4: the second stage is weighted by 1 / mean
    ]
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, n, m, s, scale in cases:
            x, y = make_data(seed, n, m, s, scale)
            path = os.path.join(tmp, f"units{seed}.csv")
            with open(path, "w") as f:
                f.write(",".join([f"x{i+1}" for i in range(m)] + [f"y{r+1}" for r in range(s)]) + "\n")
                for j in range(n):
                    f.write(",".join(repr(float(v)) for v in np.r_[x[j], y[j]]) + "\n")
            for rts in ("crs", "vrs", "drs", "irs", "fdh"):
                for orient in ("in", "out"):
                    for slacks in (True, False):
                        for sup in (True, False):
                            args = [tool, "--rts", rts, "--orientation", orient, "--slacks",
                                    "1" if slacks else "0", "--threads", "2", path]
                            if sup:
                                args.insert(1, "--super")
                            run = subprocess.run(args, capture_output=True, text=True)
                            if run.returncode != 0:
                                sys.exit(f"FAIL: {' '.join(args)}: {run.stderr}")
                            got = list(csv.DictReader(run.stdout.splitlines()))
                            want = oracle(x, y, rts, orient, slacks, sup)
                            what = f"seed {seed} rts={rts} orientation={orient} slacks={slacks} super={sup}"
                            for j, (g, w) in enumerate(zip(got, want)):
                                checks = [("score", float(g["score"]), w["score"])]
                                if sup:
                                    checks.append(("super", float(g["super"]), w["super"]))
                                for i in range(m):
                                    checks.append((f"sx{i+1}", float(g[f"sx{i+1}"]), w["sx"][i]))
                                    checks.append((f"tx{i+1}", float(g[f"tx{i+1}"]), w["tx"][i]))
                                for r in range(s):
                                    checks.append((f"sy{r+1}", float(g[f"sy{r+1}"]), w["sy"][r]))
                                    checks.append((f"ty{r+1}", float(g[f"ty{r+1}"]), w["ty"][r]))
                                for name, a, b in checks:
                                    if not close(a, b):
                                        sys.exit(f"FAIL {what} unit {j} {name}: dea_tool {a!r}, scipy {b!r}")
                                    checked += 1
                                if (g["efficient"] == "1") != w["eff"]:
                                    sys.exit(f"FAIL {what} unit {j} efficient: dea_tool {g['efficient']}, scipy {w['eff']}")
                                if slacks and w["peers"] is not None:
                                    peers = {int(p.split(":")[0]): float(p.split(":")[1])
                                             for p in g["peers"].split(";") if p}
                                    if set(peers) != set(w["peers"]) or any(
                                            abs(peers[k] - w["peers"][k]) > TOL for k in peers):
                                        sys.exit(f"FAIL {what} unit {j} peers: dea_tool {g['peers']}, scipy {w['peers']}")
                                    checked += 1
            print(f"seed {seed}: {n} units, m={m}, s={s}, scale {scale}: 40 option combinations agree")
    print(f"dea oracle: {checked} values agree with scipy HiGHS to {TOL}")


if __name__ == "__main__":
    main()
