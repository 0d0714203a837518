#!/usr/bin/python3
"""Benchmark data for DEA: 3 inputs, 2 outputs on a Cobb-Douglas frontier with
half-normal inefficiency and an output mix (fixed seed).

    /usr/bin/python3 bench/dea_gen.py UNITS OUT.csv [SEED]
"""
import sys

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20240601
rng = np.random.default_rng(seed)
x = rng.lognormal(mean=2.0, sigma=0.5, size=(n, 3))
frontier = 2.0 * x[:, 0] ** 0.4 * x[:, 1] ** 0.3 * x[:, 2] ** 0.2  # decreasing returns
efficiency = np.exp(-np.abs(rng.normal(0.0, 0.3, n)))
share = rng.beta(2.0, 2.0, n)
total = frontier * efficiency
y = np.c_[total * share, total * (1 - share)] + 1e-3
np.savetxt(out, np.c_[x, y], delimiter=",", header="x1,x2,x3,y1,y2", comments="", fmt="%.12g")
