#!/usr/bin/python3
"""Checks pairing::Assign (through pairing_tool) against scipy's linear_sum_assignment.

The independent solve replicates each mentor once per place left after its fixed pairs,
puts a big cost M on pairs that are not allowed or forbidden (so the assignment first
avoids them, which is maximising the number of real pairs, then minimises the cost), and
recomputes the cost of the real pairs. Pair counts must agree exactly and total costs to
1e-9 relative. Usage: pairing_oracle.py path/to/pairing_tool
"""
import math
import random
import subprocess
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

TOOL = sys.argv[1]


def run_tool(mentors, learners, capacity, cost, fixed, forbidden):
    parts = [f"{mentors} {learners}", " ".join(map(str, capacity))]
    parts += [" ".join("inf" if math.isinf(c) else repr(c) for c in row) for row in cost]
    parts.append(str(len(fixed)))
    parts += [f"{m} {l}" for m, l in fixed]
    parts.append(str(len(forbidden)))
    parts += [f"{m} {l}" for m, l in forbidden]
    out = subprocess.run([TOOL], input="\n".join(parts) + "\n", capture_output=True, text=True)
    return out.returncode, out.stdout


def parse(stdout):
    lines = dict(line.split(" ", 1) for line in stdout.strip().split("\n"))
    return int(lines["pairs"]), float(lines["total_cost"]), list(map(int, lines["mentor_of"].split()))


def oracle(mentors, learners, capacity, cost, fixed, forbidden):
    allowed = np.isfinite(np.array(cost, dtype=float)).reshape(mentors, learners)
    for m, l in forbidden:
        allowed[m, l] = False
    places = list(capacity)
    fixed_learners = set()
    pairs, total = 0, 0.0
    for m, l in fixed:
        places[m] -= 1
        fixed_learners.add(l)
        pairs += 1
        total += cost[m][l]
    free = [l for l in range(learners) if l not in fixed_learners]
    slots = [m for m in range(mentors) for _ in range(min(places[m], len(free)))]
    if not slots or not free:
        return pairs, total
    c = np.array(cost, dtype=float)[np.ix_(slots, free)]
    ok = allowed[np.ix_(slots, free)]
    big = 2.0 * (np.abs(c[ok]).max(initial=0.0) + 1.0) * (len(slots) + len(free)) + 1.0
    rows, cols = linear_sum_assignment(np.where(ok, c, big))
    for i, k in zip(rows, cols):
        if ok[i, k]:
            pairs += 1
            total += c[i, k]
    return pairs, total


def random_instance(rng, mentors, learners, cap_lo, cap_hi, not_allowed, negative, integer):
    capacity = [rng.randint(cap_lo, cap_hi) for _ in range(mentors)]
    lo = -10.0 if negative else 0.0
    cost = []
    for _ in range(mentors):
        row = []
        for _ in range(learners):
            if rng.random() < not_allowed:
                row.append(math.inf)
            elif integer:
                row.append(float(rng.randint(0, 5)))
            else:
                row.append(rng.uniform(lo, 10.0))
        cost.append(row)
    fixed, forbidden, taken = [], [], set()
    for _ in range(rng.randint(0, 3)):
        m, l = rng.randrange(mentors), rng.randrange(learners)
        if l in taken or math.isinf(cost[m][l]) or sum(1 for f in fixed if f[0] == m) >= capacity[m]:
            continue
        fixed.append((m, l))
        taken.add(l)
    for _ in range(rng.randint(0, 5)):
        m, l = rng.randrange(mentors), rng.randrange(learners)
        if (m, l) not in fixed:
            forbidden.append((m, l))
    return mentors, learners, capacity, cost, fixed, forbidden


def main():
    rng = random.Random(20260214)
    cases = []
    for _ in range(150):  # small and medium, every regime
        cases.append(random_instance(rng, rng.randint(1, 12), rng.randint(1, 60), 0, 8,
                                     rng.choice([0.0, 0.1, 0.5, 0.9]), rng.random() < 0.5,
                                     rng.random() < 0.3))
    # Larger: places above, equal to and below the learners, with and without gaps.
    cases.append(random_instance(rng, 50, 1000, 20, 20, 0.0, False, False))
    cases.append(random_instance(rng, 50, 1000, 15, 25, 0.2, True, False))
    cases.append(random_instance(rng, 100, 1000, 5, 5, 0.0, True, False))
    cases.append(random_instance(rng, 200, 1500, 1, 10, 0.3, False, False))
    cases.append(random_instance(rng, 30, 1200, 10, 30, 0.05, True, True))
    failures = 0
    for index, case in enumerate(cases):
        code, stdout = run_tool(*case)
        if code != 0:
            print(f"case {index}: tool failed: {stdout}")
            failures += 1
            continue
        pairs, total, _ = parse(stdout)
        want_pairs, want_total = oracle(*case)
        ok = pairs == want_pairs and abs(total - want_total) <= 1e-9 * max(1.0, abs(want_total))
        if not ok:
            print(f"case {index} ({case[0]}x{case[1]}): got {pairs} pairs, {total!r}; "
                  f"scipy {want_pairs} pairs, {want_total!r}")
            failures += 1
    code, stdout = run_tool(1, 1, [1], [[math.nan]], [], [])
    if code != 1 or "(mentor 0, learner 0) is NaN" not in stdout:
        print(f"NaN cost: expected an error, got {code}: {stdout}")
        failures += 1
    print(f"{len(cases) - failures} of {len(cases)} instances agree with scipy")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
