# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Send one request and bring back its body, within the time and size limits.

Every failure becomes one of this package's errors: a timeout, a transport failure, an HTTP
status error or a response that is too large. A request is retried when it could not be sent
(no connection), which can never do the work twice, and after a timeout only for operations
whose spec allows it (the provider asks for it and an idempotency key is reused); such retries
are logged as warnings. Secrets are removed from any text that ends up in an error message,
and no body is ever logged.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from .errors import ErrorClasses, redact

# The logger of the package this copy is in: "acme_client" for acme_client._runtime.transport.
logger = logging.getLogger(__name__.partition("._runtime")[0])

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
DEFAULT_CONNECT_RETRIES = 2
_RETRY_PAUSE = 0.2


@dataclass(frozen=True)
class Limits:
    """How long a call may take and how much it may bring back."""

    deadline: float = DEFAULT_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    connect_retries: int = DEFAULT_CONNECT_RETRIES


@dataclass(frozen=True)
class Reply:
    """An answer: its status, content type and body, how many requests it took, and the
    secrets the last of them carried (for redacting anything read from the answer)."""

    status_code: int
    content_type: str
    body: bytes
    attempts: int = 1
    secrets: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Retry:
    """When a call is tried again.

    A request that could not be sent (no connection) is always retried: it can never do the work
    twice. After a timeout, or an answer with one of `statuses` (a gateway error), only
    `timeouts` more times, for calls whose spec says that is safe; `reason` says why and is
    logged with each such retry. An answer with one of `throttled` (429: the server did not take
    the request, slow down) is retried `throttle_retries` times, after the pause its
    Retry-After asks for (or a growing backoff), as long as that fits the deadline.
    """

    timeouts: int = 0
    reason: str = ""
    statuses: frozenset[int] = frozenset()
    throttled: frozenset[int] = frozenset()
    throttle_retries: int = 0


NO_RETRY = Retry()
_MAX_BACKOFF = 30.0


class Limiter(Protocol):
    """What the transport needs of a rate limiter (see ``ratelimit.RateLimiter``)."""

    def acquire(self) -> None: ...

    async def acquire_async(self) -> None: ...


def _excerpt(body: bytes, secrets: tuple[str, ...]) -> str:
    text = body[:200].decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return redact(text, secrets)


def _failure(
    exc: httpx.HTTPError,
    operation: str,
    secrets: tuple[str, ...],
    attempts: int,
    errors: ErrorClasses,
) -> Exception:
    detail = redact(f"{type(exc).__name__}: {exc}", secrets)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, httpx.TimeoutException):
        return errors.timeout(f"{operation}: timed out{tries} ({detail})", attempts=attempts)
    return errors.transport(f"{operation}: request failed{tries} ({detail})", attempts=attempts)


def _nothing_sent(exc: httpx.HTTPError) -> bool:
    """The request never left: the connection was not made, or no connection was free."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _retry_after(
    exc: httpx.HTTPError, attempt: int, limits: Limits, retry: Retry, operation: str
) -> bool:
    """Whether to try again after `exc` on `attempt` (0-based); logs why when it does."""
    if _nothing_sent(exc):
        return attempt < limits.connect_retries
    if isinstance(exc, httpx.TimeoutException) and attempt < retry.timeouts:
        logger.warning(
            "%s: timed out after sending (%s); retrying with the same request, attempt %d of %d."
            " %s",
            operation,
            type(exc).__name__,
            attempt + 2,
            retry.timeouts + 1,
            retry.reason,
        )
        return True
    return False


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """The pause a Retry-After header asks for: delay-seconds or an HTTP date (None: absent or
    unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _status_pause(
    response: httpx.Response,
    retry: Retry,
    attempt: int,
    throttles: int,
    started: float,
    limits: Limits,
    operation: str,
) -> float | None:
    """The pause before retrying an answer with an error status, or None not to retry."""
    status = response.status_code
    if status in retry.throttled and throttles < retry.throttle_retries:
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        pause = asked if asked is not None else min(_MAX_BACKOFF, 0.5 * 2.0**throttles)
        if time.monotonic() - started + pause > limits.deadline:
            return None  # the server asks for longer than this call may take
        logger.warning(
            "%s: HTTP %s; retrying in %.1f s (throttle %d of %d)",
            operation,
            status,
            pause,
            throttles + 1,
            retry.throttle_retries,
        )
        return pause
    if status in retry.statuses and attempt < retry.timeouts:
        pause = min(_MAX_BACKOFF, 0.5 * 2.0**attempt)
        logger.warning(
            "%s: HTTP %s; retrying with the same request in %.1f s, attempt %d of %d. %s",
            operation,
            status,
            pause,
            attempt + 2,
            retry.timeouts + 1,
            retry.reason,
        )
        return pause
    return None


def _finish(
    operation: str,
    response: httpx.Response,
    body: bytes,
    started: float,
    secrets: tuple[str, ...],
    attempts: int,
    pass_errors: bool,
    errors: ErrorClasses,
) -> Reply:
    elapsed = (time.monotonic() - started) * 1000
    logger.debug(
        "%s -> HTTP %s, %d bytes, %.0f ms", operation, response.status_code, len(body), elapsed
    )
    if not pass_errors and not 200 <= response.status_code < 300:
        raise errors.status(
            f"{operation}: HTTP {response.status_code} ({_excerpt(body, secrets) or 'empty body'})",
            status_code=response.status_code,
        )
    return Reply(response.status_code, response.headers.get("content-type", ""), body, attempts, secrets)


def _grow(
    body: bytearray,
    chunk: bytes,
    operation: str,
    limits: Limits,
    started: float,
    errors: ErrorClasses,
) -> None:
    body += chunk
    if len(body) > limits.max_response_bytes:
        raise errors.response(
            f"{operation}: response larger than {limits.max_response_bytes} bytes"
        )
    if time.monotonic() - started > limits.deadline:
        raise errors.timeout(f"{operation}: response not complete within {limits.deadline} s")


Headers = Callable[[], tuple[dict[str, str], tuple[str, ...]]]


class SyncTransport:
    def __init__(
        self,
        client: httpx.Client,
        limits: Limits,
        secrets: tuple[str, ...],
        errors: ErrorClasses,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.limits = limits
        self.secrets = secrets
        self.errors = errors
        self.limiter = limiter
        self.sleep = sleep

    def post(
        self, operation: str, url: str, body: bytes, headers: Headers, retry: Retry = NO_RETRY
    ) -> Reply:
        """POST `body`; `headers` is called for every attempt (a daily key may change)."""
        return self.send(operation, "POST", url, body, headers, retry)

    def send(
        self,
        operation: str,
        method: str,
        url: str,
        body: bytes | None,
        headers: Headers,
        retry: Retry = NO_RETRY,
        *,
        query: tuple[tuple[str, str], ...] = (),
        pass_errors: bool = False,
    ) -> Reply:
        """Send one request, retried as `retry` allows. With `pass_errors` an error status is
        returned as a Reply (for the caller to read its body) instead of raised."""
        attempt = throttles = 0
        first = time.monotonic()
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            started = time.monotonic()
            sent_headers, secret_values = headers()
            secrets = self.secrets + secret_values
            logger.debug(
                "%s: %s %s (%d bytes, attempt %d)",
                operation,
                method,
                url,
                len(body or b""),
                attempt + 1,
            )
            try:
                with self.client.stream(
                    method, url, params=query or None, content=body, headers=sent_headers
                ) as response:
                    received = bytearray()
                    for chunk in response.iter_bytes():
                        _grow(received, chunk, operation, self.limits, started, self.errors)
                    pause = _status_pause(
                        response, retry, attempt, throttles, first, self.limits, operation
                    )
                    if pause is None:
                        return _finish(
                            operation,
                            response,
                            bytes(received),
                            started,
                            secrets,
                            attempt + throttles + 1,
                            pass_errors,
                            self.errors,
                        )
                if response.status_code in retry.throttled:
                    throttles += 1
                else:
                    attempt += 1
                self.sleep(pause)
                continue
            except httpx.HTTPError as exc:
                if not _retry_after(exc, attempt, self.limits, retry, operation):
                    raise _failure(
                        exc, operation, secrets, attempt + throttles + 1, self.errors
                    ) from None
                if _nothing_sent(exc):
                    self.sleep(_RETRY_PAUSE * (attempt + 1))
            attempt += 1


class AsyncTransport:
    def __init__(
        self,
        client: httpx.AsyncClient,
        limits: Limits,
        secrets: tuple[str, ...],
        errors: ErrorClasses,
        limiter: Limiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.limits = limits
        self.secrets = secrets
        self.errors = errors
        self.limiter = limiter
        self.sleep = sleep

    async def post(
        self, operation: str, url: str, body: bytes, headers: Headers, retry: Retry = NO_RETRY
    ) -> Reply:
        """POST `body`; `headers` is called for every attempt (a daily key may change)."""
        return await self.send(operation, "POST", url, body, headers, retry)

    async def send(
        self,
        operation: str,
        method: str,
        url: str,
        body: bytes | None,
        headers: Headers,
        retry: Retry = NO_RETRY,
        *,
        query: tuple[tuple[str, str], ...] = (),
        pass_errors: bool = False,
    ) -> Reply:
        """Send one request, retried as `retry` allows (see `SyncTransport.send`)."""
        attempt = throttles = 0
        first = time.monotonic()
        while True:
            if self.limiter is not None:
                await self.limiter.acquire_async()
            started = time.monotonic()
            sent_headers, secret_values = headers()
            secrets = self.secrets + secret_values
            logger.debug(
                "%s: %s %s (%d bytes, attempt %d)",
                operation,
                method,
                url,
                len(body or b""),
                attempt + 1,
            )
            try:
                async with self.client.stream(
                    method, url, params=query or None, content=body, headers=sent_headers
                ) as response:
                    received = bytearray()
                    async for chunk in response.aiter_bytes():
                        _grow(received, chunk, operation, self.limits, started, self.errors)
                    pause = _status_pause(
                        response, retry, attempt, throttles, first, self.limits, operation
                    )
                    if pause is None:
                        return _finish(
                            operation,
                            response,
                            bytes(received),
                            started,
                            secrets,
                            attempt + throttles + 1,
                            pass_errors,
                            self.errors,
                        )
                if response.status_code in retry.throttled:
                    throttles += 1
                else:
                    attempt += 1
                await self.sleep(pause)
                continue
            except httpx.HTTPError as exc:
                if not _retry_after(exc, attempt, self.limits, retry, operation):
                    raise _failure(
                        exc, operation, secrets, attempt + throttles + 1, self.errors
                    ) from None
                if _nothing_sent(exc):
                    await self.sleep(_RETRY_PAUSE * (attempt + 1))
            attempt += 1
