#!/usr/bin/python3
"""Spot check of big DEA runs: K sampled units solved with scipy's HiGHS, one LP each
against all units, compared with chollima's scores (input orientation).

    /usr/bin/python3 bench/dea_spot.py units.csv crs|vrs scores.csv K
Prints "K units, max |diff| D" and exits 1 when D > 1e-6.
"""
import csv
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, vstack

path, rts, scores_path, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = np.loadtxt(path, delimiter=",", skiprows=1)
x, y = data[:, :3], data[:, 3:]
n = len(data)
ours = np.empty(n)
with open(scores_path) as f:
    for row in csv.DictReader(f):
        ours[int(row["unit"])] = float(row["score"])
rng = np.random.default_rng(7)
sample = rng.choice(n, size=min(k, n), replace=False)
# Variables θ, λ_1..λ_n; rows Σλx_i - θx_ij <= 0, -Σλy_r <= -y_rj (sparse: n is large).
lam = vstack([csr_matrix(x.T), csr_matrix(-y.T)])
a_eq = csr_matrix(np.r_[0.0, np.ones(n)][None, :]) if rts == "vrs" else None
b_eq = np.array([1.0]) if rts == "vrs" else None
c = np.r_[1.0, np.zeros(n)]
worst = 0.0
for j in sample:
    theta = csr_matrix(np.r_[-x[j], np.zeros(2)][:, None])
    a = hstack([theta, lam]).tocsr()
    b = np.r_[np.zeros(3), -y[j]]
    res = linprog(c, A_ub=a, b_ub=b, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    worst = max(worst, abs(res.x[0] - ours[j]))
print(f"{len(sample)} units, max |diff| {worst:.1e}")
sys.exit(0 if worst <= 1e-6 else 1)
