"""Timing that survives a noisy machine: many short rounds, interleaved, best of each side.

These machines are shared: a neighbour can slow the CPU by 20-100 %, in phases of tens of
milliseconds (seen here: about 50 ms slow, 30 ms fast, over and over) and at times for seconds. Long rounds let such a phase hit one side of a comparison and not the
other; a handful of rounds leaves the best of each side to luck. So every function compared
is timed in many short rounds (about 10 ms each), taking turns round by round (and starting
each round with the next function, so that neither always goes first), and each side keeps its
fastest round. Measured on this machine, five repeats of the same answer comparison (decode
vs bare parse) spread as follows with 7 rounds of 100 ms each, as before, and with 60 rounds of
10 ms (less time in all): Inkassogram 2.51-3.24x and 2.60-2.73x, Billink 2.10-2.81x and
2.36-2.47x. Billit's spread stayed wide either way (4.65-7.89x and 6.23-9.09x).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

ROUNDS, QUICK_ROUNDS = 60, 12
"""Rounds per comparison: a full run, and `--quick` (a smoke test of the benchmark itself)."""

PASSES = 2
"""`in_passes` splits a section's rounds into this many passes over all its comparisons."""

BUDGET = 0.01
"""Seconds a round of one function lasts (at least one call)."""


def rounds(quick: bool) -> int:
    return QUICK_ROUNDS if quick else ROUNDS


def per_call(fn: Callable[[], object], budget: float) -> tuple[int, float]:
    """(calls per round, seconds for them) so that a round takes about `budget` seconds. The
    first call is made apart: it may build what later calls reuse (a model's validator is
    built on first use), and timing it would make the rounds a single call long."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= budget / 4 or n >= 1 << 20:
            return max(1, int(n * budget / max(dt, 1e-9))), dt
        n *= 4


def best_each(fns: list[Callable[[], object]], *, rounds: int = ROUNDS, budget: float = BUDGET) -> list[float]:
    """Seconds per call of each of `fns`: the best of `rounds` rounds, each round timing every
    function in turn, so that a slow moment of the machine hits all of them alike. The
    collector runs before the rounds and is off during them, as in timeit."""
    counts = [per_call(fn, budget)[0] for fn in fns]
    best = [float("inf")] * len(fns)
    order = list(range(len(fns)))
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            for i in order[r % len(order):] + order[: r % len(order)]:
                best[i] = min(best[i], _round(fns[i], counts[i]))
    finally:
        if gc_was:
            gc.enable()
    return best


def in_passes(groups: list[list[Callable[[], object]]], *, rounds: int = ROUNDS) -> list[list[float]]:
    """`best_each` for each group of functions, its rounds split into `PASSES` passes over all
    the groups: a slow phase of the machine (it can last seconds) then has to last the whole
    section to spoil one comparison. Each function keeps its best over the passes."""
    best = [[float("inf")] * len(group) for group in groups]
    for _ in range(PASSES):
        for i, group in enumerate(groups):
            best[i] = [min(a, b) for a, b in zip(best[i], best_each(group, rounds=max(1, rounds // PASSES)))]
    return best


def _round(fn: Callable[[], object], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n
