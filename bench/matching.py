"""The "assign all" proposal at scale: 10,000 open needs and 10,000 resources.

    uv run python bench/matching.py                 # seed 1, 10,000 needs, 10,000 resources
    uv run python bench/matching.py --needs 20000 --resources 20000 --seed 7 --k 10 --repeat 3

Synthetic data from numpy's random generator with a seed, drawn to look like a large city in an
emergency: needs by category as the stage-2 registers see them (equipment and emotional support most
often), urgency leaning to medium and high, 40 neighbourhoods of unequal size, a tenth of the needs
written in Arabic; 65 % of the resources are people (one to three skills from a 30-skill vocabulary,
availability mostly known), 25 % facilities (40 % protected), 10 % funding sources.

It times the proposal as the plan page builds it — candidate edges (numpy) and the exact assignment
(SciPy) — and prints the time, the needs covered and the objective, next to a greedy assignment on the
same edges. The budget (issue 4) is 2 seconds on the 2-core machine.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hosen.settings")

import django  # noqa: E402

django.setup()

from hosen.resources import matching as m  # noqa: E402

BUDGET_SECONDS = 2.0
CATEGORY_SHARE = {"equipment": .24, "learning": .16, "emotional": .2, "staff": .1, "space": .1, "food": .1,
                  "transport": .05, "other": .05}
URGENCY_SHARE = {1: .18, 2: .4, 3: .3, 4: .12}
AVAILABILITY_SHARE = {"available": .45, "partly": .2, "unknown": .25, "unavailable": .1}
FUNDING_STATUS_SHARE = {"identified": .3, "requested": .3, "approved": .2, "received": .1, "rejected": .1}
AREAS = 40


def pick(rng, shares, size):
    keys = list(shares)
    return [keys[i] for i in rng.choice(len(keys), size=size, p=np.array(list(shares.values())))]


def area_names(rng, size, blank_share):
    # Neighbourhoods of unequal size (Zipf-like), some records with no area at all.
    weights = 1.0 / np.arange(1, AREAS + 1)
    names = [f"area {i}" for i in rng.choice(AREAS, size=size, p=weights / weights.sum())]
    return ["" if blank else name for blank, name in zip(rng.random(size) < blank_share, names, strict=True)]


def synthetic(seed, n_needs, n_resources, today):
    rng = np.random.default_rng(seed)
    categories = list(CATEGORY_SHARE)
    needs = [
        m.NeedData(id=i + 1, category=c, urgency=u, area=a, quantity=q, language=lang, lacks_protection=lack)
        for i, (c, u, a, q, lang, lack) in enumerate(zip(
            pick(rng, CATEGORY_SHARE, n_needs), pick(rng, URGENCY_SHARE, n_needs),
            area_names(rng, n_needs, .2),
            [int(x) if has else None for x, has in zip(rng.lognormal(3, 1, n_needs), rng.random(n_needs) < .5,
                                                          strict=True)],
            ["ar" if x < .1 else None for x in rng.random(n_needs)], (rng.random(n_needs) < .25).tolist(),
            strict=True))
    ]
    # A 30-skill vocabulary: each skill answers one or two need categories.
    vocabulary = []
    for s in range(30):
        first = categories[s % len(categories)]
        extra = {categories[int(x)] for x in rng.choice(len(categories), size=int(rng.integers(0, 2)))}
        vocabulary.append((f"skill {s}", frozenset({first} | extra)))
    n_people, n_facilities = int(n_resources * .65), int(n_resources * .25)
    n_funding = n_resources - n_people - n_facilities
    people = [
        m.PersonData(id=j + 1, skills=tuple(vocabulary[int(s)] for s in rng.choice(30, size=int(rng.integers(1, 4)),
                                                                                    replace=False)),
                     availability=av, area=area,
                     languages=frozenset({"he"} | ({"ar"} if r < .15 else set()) | ({"en"} if r2 < .3 else set())))
        for j, (av, area, r, r2) in enumerate(zip(pick(rng, AVAILABILITY_SHARE, n_people),
                                                   area_names(rng, n_people, .3), rng.random(n_people),
                                                   rng.random(n_people), strict=True))
    ]
    facilities = [
        m.FacilityData(id=j + 1, is_protected=bool(p), capacity=int(c) if has else None, availability=av, area=area)
        for j, (p, c, has, av, area) in enumerate(zip(
            rng.random(n_facilities) < .4, rng.integers(10, 300, n_facilities), rng.random(n_facilities) < .8,
            pick(rng, AVAILABILITY_SHARE, n_facilities), area_names(rng, n_facilities, .1), strict=True))
    ]
    funding = [
        m.FundingData(id=j + 1, status=status, deadline=today + timedelta(days=int(d)) if has else None,
                      categories=frozenset(categories[int(x)] for x in rng.choice(len(categories),
                                                                                 size=int(rng.integers(1, 4)))))
        for j, (status, d, has) in enumerate(zip(pick(rng, FUNDING_STATUS_SHARE, n_funding),
                                                 rng.integers(-30, 120, n_funding), rng.random(n_funding) < .7,
                                                 strict=True))
    ]
    return needs, people, facilities, funding


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, default=10, help="candidates per need and kind (default 10, as the page)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (default 5)")
    args = parser.parse_args()

    today = date(2026, 10, 20)
    started = time.perf_counter()
    needs, people, facilities, funding = synthetic(args.seed, args.needs, args.resources, today)
    made = time.perf_counter() - started
    print(f"data: {len(needs):,} open needs ({sum(x.urgency >= 3 for x in needs):,} urgent); "
          f"{len(people):,} people, {len(facilities):,} facilities, {len(funding):,} funding sources "
          f"(drawn in {made:.2f} s, seed {args.seed})")

    # Wall time, and the CPU time of this process (steadier when other work shares the machine).
    walls, cpus, edge_walls, solve_walls = [], [], [], []
    for _ in range(max(1, args.repeat)):
        w0, c0 = time.perf_counter(), time.process_time()
        edges = m.candidate_edges(needs, people, facilities, funding, today=today, k=args.k)
        w1 = time.perf_counter()
        plan = m.build_plan(needs, people, facilities, funding, today=today, edges=edges)
        w2, c2 = time.perf_counter(), time.process_time()
        edge_walls.append(w1 - w0)
        solve_walls.append(w2 - w1)
        walls.append(w2 - w0)
        cpus.append(c2 - c0)

    greedy_pairs = m.greedy_plan_pairs(needs, edges)
    weights = np.array([m.urgency_weight(x.urgency) for x in needs])
    values = dict(zip(zip(edges.need.tolist(), edges.resource.tolist(), strict=True),
                      (weights[edges.need] * edges.fit).tolist(), strict=True))
    greedy_objective = sum(values[p] for p in greedy_pairs)
    greedy_urgent = sum(1 for i, _j in greedy_pairs if needs[i].urgency >= 3)

    # The verdict is on the best run, as timeit does: the others measure whatever else the machine ran.
    whole = min(walls)
    print(f"candidate edges: {len(edges):,} (k = {args.k} per need and kind)")
    print(f"proposal time (candidates + solve), {len(walls)} runs: best {whole:.3f} s wall, "
          f"median {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU "
          f"[candidates {statistics.median(edge_walls):.3f} s, solve {statistics.median(solve_walls):.3f} s] "
          f"— budget {BUDGET_SECONDS:.0f} s: {'ok' if whole < BUDGET_SECONDS else 'MISSED'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    if load > (os.cpu_count() or 1):
        print(f"(load average {load:.1f} on {os.cpu_count()} CPUs: other work shares the machine; "
              "read the CPU time)")
    print(f"{'':10} {'needs covered':>14} {'urgent covered':>15} {'objective':>10}")
    print(f"{'solver':10} {len(plan.pairs):>14,} {plan.covered_urgent:>9,} of {plan.urgent:,} {plan.objective:>10,}")
    print(f"{'greedy':10} {len(greedy_pairs):>14,} {greedy_urgent:>9,} of {plan.urgent:,} {greedy_objective:>10,}")
    return 0 if whole < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
