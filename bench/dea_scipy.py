#!/usr/bin/python3
"""Baseline: input-oriented DEA scores with scipy's HiGHS, one LP per unit against all.

    /usr/bin/python3 bench/dea_scipy.py units.csv crs|vrs scores.csv
Prints the solve time (seconds) on stdout.
"""
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

path, rts, out = sys.argv[1], sys.argv[2], sys.argv[3]
data = np.loadtxt(path, delimiter=",", skiprows=1)
x, y = data[:, :3], data[:, 3:]
n = len(data)
t0 = time.perf_counter()
# Variables: θ, λ_1..λ_n. Rows: Σλx_i - θx_ij <= 0, -Σλy_r <= -y_rj.
base = np.vstack([np.c_[np.zeros(3), x.T], np.c_[np.zeros(2), -y.T]])
scores = np.empty(n)
a_eq = np.r_[0.0, np.ones(n)][None, :] if rts == "vrs" else None
b_eq = np.array([1.0]) if rts == "vrs" else None
c = np.r_[1.0, np.zeros(n)]
for j in range(n):
    a = base.copy()
    a[:3, 0] = -x[j]
    b = np.r_[np.zeros(3), -y[j]]
    res = linprog(c, A_ub=a, b_ub=b, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    scores[j] = res.x[0]
elapsed = time.perf_counter() - t0
np.savetxt(out, np.c_[np.arange(n), scores], delimiter=",", header="unit,score", comments="",
           fmt=["%d", "%.15g"])
print(f"{elapsed:.3f}")
