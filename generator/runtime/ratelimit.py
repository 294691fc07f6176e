# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Client-side rate limiting: at most N requests per period, spread evenly.

A `RateLimiter` hands out one slot every period / N seconds (generic cell rate algorithm): a
burst of calls is spaced out, never sent at once and refused. One limiter serves every call of
a client, from any thread and from async code; give the same limiter to several clients to
share the allowance between them. A package whose provider states a limit subclasses it with
that limit as the default.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """At most `requests` per `per_seconds`, spaced evenly; `burst` lets that many go at once
    after a quiet spell (1: never two closer than the spacing).

    `clock`, `sleep` and `async_sleep` can be replaced, e.g. by a simulated clock in tests.
    """

    def __init__(
        self,
        requests: int,
        per_seconds: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if requests < 1 or per_seconds <= 0 or burst < 1:
            raise ValueError("requests and burst must be at least 1, per_seconds above 0")
        self.interval = per_seconds / requests
        self.burst = burst
        self.clock = clock
        self.sleep = sleep
        self.async_sleep = async_sleep
        self._next: float | None = None  # when the next slot is due (theoretical arrival time)
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Claim the next slot; the seconds to wait before using it (0: now)."""
        with self._lock:
            now = self.clock()
            due = now if self._next is None else max(self._next, now)
            self._next = due + self.interval
            return max(0.0, due - now - (self.burst - 1) * self.interval)

    def acquire(self) -> None:
        """Wait (sleeping) until a request may be sent."""
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)

    async def acquire_async(self) -> None:
        """Wait (without blocking the event loop) until a request may be sent."""
        wait = self.reserve()
        if wait > 0:
            await self.async_sleep(wait)

    def __repr__(self) -> str:
        return f"RateLimiter(interval={self.interval:.4f} s, burst={self.burst})"
