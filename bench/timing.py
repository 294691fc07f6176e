"""Timing that survives a noisy machine: interleaved rounds, best of each side."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


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


def compare(value: Callable[[], object], baseline: Callable[[], object], *, rounds: int = 5, budget: float = 0.1) -> tuple[float, float]:
    """Seconds per call of `value` and of `baseline`: the best of `rounds` rounds each, the two
    measured alternately so that a slow moment of the machine hits both."""
    n_value, _ = per_call(value, budget)
    n_base, _ = per_call(baseline, budget)
    best_value = best_base = float("inf")
    gc_was = gc.isenabled()
    try:
        for _ in range(rounds):
            gc.collect()
            gc.disable()
            best_value = min(best_value, _round(value, n_value))
            best_base = min(best_base, _round(baseline, n_base))
            gc.enable()
    finally:
        if gc_was:
            gc.enable()
    return best_value, best_base


def best_each(fns: list[Callable[[], object]], *, rounds: int = 5, budget: float = 0.05) -> list[float]:
    """Seconds per call of each of `fns`: the best of `rounds` rounds, each round timing every
    function in turn, so that a slow moment of the machine hits all of them alike."""
    counts = [per_call(fn, budget)[0] for fn in fns]
    best = [float("inf")] * len(fns)
    gc_was = gc.isenabled()
    try:
        for _ in range(rounds):
            gc.collect()
            gc.disable()
            for i, (fn, n) in enumerate(zip(fns, counts)):
                best[i] = min(best[i], _round(fn, n))
            gc.enable()
    finally:
        if gc_was:
            gc.enable()
    return best


def _round(fn: Callable[[], object], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n
