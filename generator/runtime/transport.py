# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Send one request and bring back its body, within the time and size limits.

Every failure becomes one of the package's errors: a timeout, a transport failure, an HTTP
status error or a response that is too large (the classes come from the package's
`ErrorClasses`). A request is retried when it could not be sent (no connection), which can
never do the work twice; after a timeout, a connection reset or a cut answer, and after a
gateway error, only for operations whose spec makes that safe (the provider asks for it, or
the same idempotency key goes with every attempt); such retries are logged as warnings.

The deadline bounds the whole call, retries and pauses included, whatever the server does:
every attempt's timeouts are cut to the time left, no attempt or pause is begun that cannot
end in time, and an attempt still running at the deadline is abandoned (a sync attempt runs in
a worker thread the caller stops waiting for; an async one is cancelled).

Secrets are removed from any text that ends up in an error message, no body is ever logged,
and no error keeps the httpx exception (whose request carries the credentials) as its context.
Logging goes to the package's logger only ("acme_client"), which has a NullHandler: nothing
reaches stderr unless the application configures logging.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Generic, Protocol, TypeVar

import httpx

from .errors import ErrorClasses, redact

# The logger of the package this copy is in: "acme_client" for acme_client._runtime.transport.
logger = logging.getLogger(__name__.partition("._runtime")[0])
logger.addHandler(logging.NullHandler())  # a library's logger: quiet unless logging is set up

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
DEFAULT_CONNECT_RETRIES = 2
_RETRY_PAUSE = 0.2

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How long a call may take (`deadline`: the whole call, retries included) and how much it
    may bring back."""

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
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class RequestOptions:
    """Settings for one call, over the client's own.

    `timeout` replaces the client's timeouts (seconds, or an ``httpx.Timeout``; still cut to
    the deadline); `max_retries` caps every retry of the call (0: none; it never makes an
    operation retried that is not retried anyway); `extra_headers` are sent besides the
    call's own. An extra header may not replace one the call sets itself (credentials,
    signature, content type, idempotency key): that is refused with a ValueError before
    sending, never done silently. The repr names the extra headers, never their values.
    """

    timeout: httpx.Timeout | float | None = None
    max_retries: int | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_retries is not None and self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {self.max_retries}")
        for name, value in self.extra_headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError("extra_headers must map header names to text values")

    def __repr__(self) -> str:
        return (
            f"RequestOptions(timeout={self.timeout!r}, max_retries={self.max_retries!r}, "
            f"extra_headers={sorted(self.extra_headers)!r})"
        )

    def limits(self, limits: Limits) -> Limits:
        """The client's limits for this call."""
        if self.max_retries is None:
            return limits
        return replace(limits, connect_retries=min(limits.connect_retries, self.max_retries))

    def retry(self, retry: Retry) -> Retry:
        """The operation's retry for this call."""
        if self.max_retries is None:
            return retry
        return replace(
            retry,
            timeouts=min(retry.timeouts, self.max_retries),
            throttle_retries=min(retry.throttle_retries, self.max_retries),
        )

    def timeouts(self, base: httpx.Timeout) -> httpx.Timeout:
        """The timeouts of this call's attempts (before the deadline cuts them)."""
        if self.timeout is None:
            return base
        return (
            self.timeout if isinstance(self.timeout, httpx.Timeout) else httpx.Timeout(self.timeout)
        )

    def headers(self, own: dict[str, str]) -> dict[str, str]:
        """`own` (the call's headers) with the extra headers added; one that would replace a
        header of the call is refused."""
        if not self.extra_headers:
            return own
        taken = {name.lower() for name in own}
        clashes = sorted(name for name in self.extra_headers if name.lower() in taken)
        if clashes:
            raise ValueError(
                f"extra_headers may not replace the call's own headers: {', '.join(clashes)}"
            )
        return {**own, **self.extra_headers}


NO_OPTIONS = RequestOptions()


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A call's typed result together with the HTTP answer it was read from: status, headers
    (case-insensitive) and body bytes. The repr shows the status and the result only."""

    status_code: int
    headers: httpx.Headers = field(repr=False)
    content: bytes = field(repr=False)
    parsed: T
    attempts: int = 1

    @classmethod
    def of(cls, reply: Reply, parsed: T) -> RawResponse[T]:
        return cls(
            reply.status_code,
            httpx.Headers(list(reply.headers)),
            reply.body,
            parsed,
            reply.attempts,
        )


@dataclass(frozen=True)
class Retry:
    """When a call is tried again.

    A request that could not be sent (no connection) is always retried: it can never do the work
    twice. After a timeout, or an answer with one of `statuses` (a gateway error), only
    `timeouts` more times, for calls whose spec says that is safe; with `resets` also after the
    connection was reset or the answer cut short (the request may have arrived, as after a
    timeout). `reason` says why and is logged with each such retry. An answer with one of
    `throttled` (429: the server did not take the request, slow down) is retried
    `throttle_retries` times, after the pause its Retry-After asks for (or a growing backoff).
    Every retry and pause must fit the deadline.
    """

    timeouts: int = 0
    reason: str = ""
    statuses: frozenset[int] = frozenset()
    throttled: frozenset[int] = frozenset()
    throttle_retries: int = 0
    resets: bool = False


NO_RETRY = Retry()
_MAX_BACKOFF = 30.0


class Limiter(Protocol):
    """What the transport needs of a rate limiter (see ``ratelimit.RateLimiter``)."""

    def acquire(self) -> None: ...

    async def acquire_async(self) -> None: ...


Headers = Callable[[], tuple[dict[str, str], tuple[str, ...]]]


@dataclass(frozen=True)
class _Answer:
    """What one attempt brought back (the response itself is closed by then)."""

    status_code: int
    content_type: str
    retry_after: str | None
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class _Late:
    """An attempt still running at the deadline."""


_LATE = _Late()


@dataclass
class _Call:
    """One call of `send`: what it sends, its deadline and its counters."""

    operation: str
    method: str
    url: str
    body: bytes | None
    query: tuple[tuple[str, str], ...]
    retry: Retry
    limits: Limits
    errors: ErrorClasses
    ends: float  # time.monotonic() at the deadline
    attempt: int = 0  # retries counted against retry.timeouts / limits.connect_retries
    throttles: int = 0

    @property
    def tries(self) -> int:
        return self.attempt + self.throttles + 1

    def left(self) -> float:
        return self.ends - time.monotonic()

    def timeout(self, base: httpx.Timeout, left: float) -> httpx.Timeout:
        """`base` with every limit cut to the time `left` before the deadline."""

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(base.connect),
            read=cut(base.read),
            write=cut(base.write),
            pool=cut(base.pool),
        )

    def late(self, secrets: tuple[str, ...], detail: str = "") -> Exception:
        """The timeout of a call that reached its deadline."""
        tries = f" after {self.tries} attempts" if self.tries > 1 else ""
        said = f" ({redact(detail, secrets)})" if detail else ""
        return self.errors.timeout(
            f"{self.operation}: not complete within the deadline of {self.limits.deadline:g} s"
            f"{tries}{said}",
            attempts=self.tries,
        )

    def failure(self, exc: httpx.HTTPError, secrets: tuple[str, ...]) -> Exception:
        """The package's error for an httpx failure of the last attempt."""
        detail = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, httpx.TimeoutException) and self.left() <= 0.01:
            return self.late(secrets, detail)  # its timeouts were cut to the deadline
        tries = f" after {self.tries} attempts" if self.tries > 1 else ""
        said = redact(detail, secrets)
        if isinstance(exc, httpx.TimeoutException):
            return self.errors.timeout(
                f"{self.operation}: timed out{tries} ({said})", attempts=self.tries
            )
        return self.errors.transport(
            f"{self.operation}: request failed{tries} ({said})", attempts=self.tries
        )

    def pause_after(self, exc: httpx.HTTPError) -> float | None:
        """The pause before trying again after `exc` (None: not again); logs why."""
        retry = self.retry
        if _nothing_sent(exc):
            return (
                _RETRY_PAUSE * (self.attempt + 1)
                if self.attempt < self.limits.connect_retries
                else None
            )
        if self.attempt >= retry.timeouts:
            return None
        if isinstance(exc, httpx.TimeoutException):
            what = "timed out after sending"
        elif retry.resets and isinstance(exc, _MAYBE_DELIVERED):
            what = "the connection failed after sending"
        else:
            return None
        logger.warning(
            "%s: %s (%s); retrying with the same request, attempt %d of %d. %s",
            self.operation,
            what,
            type(exc).__name__,
            self.attempt + 2,
            retry.timeouts + 1,
            retry.reason,
        )
        return 0.0

    def pause_for(self, answer: _Answer) -> float | None:
        """The pause before retrying an answer with an error status, or None not to retry."""
        retry, status = self.retry, answer.status_code
        if status in retry.throttled and self.throttles < retry.throttle_retries:
            asked = retry_after_seconds(answer.retry_after)
            pause = asked if asked is not None else min(_MAX_BACKOFF, 0.5 * 2.0**self.throttles)
            if pause >= self.left():
                return None  # the server asks for longer than this call may take
            logger.warning(
                "%s: HTTP %s; retrying in %.1f s (throttle %d of %d)",
                self.operation,
                status,
                pause,
                self.throttles + 1,
                retry.throttle_retries,
            )
            return pause
        if status in retry.statuses and self.attempt < retry.timeouts:
            pause = min(_MAX_BACKOFF, 0.5 * 2.0**self.attempt)
            if pause >= self.left():
                return None
            logger.warning(
                "%s: HTTP %s; retrying with the same request in %.1f s, attempt %d of %d. %s",
                self.operation,
                status,
                pause,
                self.attempt + 2,
                retry.timeouts + 1,
                retry.reason,
            )
            return pause
        return None

    def count(self, answer: _Answer) -> None:
        if answer.status_code in self.retry.throttled:
            self.throttles += 1
        else:
            self.attempt += 1

    def finish(
        self, answer: _Answer, started: float, secrets: tuple[str, ...], pass_errors: bool
    ) -> Reply:
        elapsed = (time.monotonic() - started) * 1000
        logger.debug(
            "%s -> HTTP %s, %d bytes, %.0f ms",
            self.operation,
            answer.status_code,
            len(answer.body),
            elapsed,
        )
        if not pass_errors and not 200 <= answer.status_code < 300:
            raise self.errors.status(
                f"{self.operation}: HTTP {answer.status_code}"
                f" ({_excerpt(answer.body, secrets) or 'empty body'})",
                status_code=answer.status_code,
            )
        return Reply(
            answer.status_code,
            answer.content_type,
            answer.body,
            self.tries,
            secrets,
            answer.headers,
        )


def _excerpt(body: bytes, secrets: tuple[str, ...]) -> str:
    """The start of a body as one line of text, secrets taken out (before it is cut, so that no
    part of a secret is left at the cut)."""
    longest = max((len(s) for s in secrets), default=0)
    text = body[: 200 + 4 * longest].decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return redact(text, secrets)[:200].strip()


def _nothing_sent(exc: httpx.HTTPError) -> bool:
    """The request never left: the connection was not made, or no connection was free."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


# Failures after the request may have reached the server: a reset, a closed connection, an
# answer cut short. Retried like a timeout, for calls whose retry has `resets`.
_MAYBE_DELIVERED = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


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


def _grow(body: bytearray, chunk: bytes, call: _Call, abandoned: threading.Event | None) -> None:
    body += chunk
    if len(body) > call.limits.max_response_bytes:
        raise call.errors.response(
            f"{call.operation}: response larger than {call.limits.max_response_bytes} bytes"
        )
    if abandoned is not None and abandoned.is_set():
        raise _Abandoned()
    if call.left() <= 0:
        raise call.late(())


class _Abandoned(Exception):
    """Raised in a worker thread whose caller stopped waiting for it."""


def _within(work: Callable[[], T], seconds: float, abandoned: threading.Event) -> T | _Late:
    """`work()` in a worker thread, waited for at most `seconds`: its result, its exception
    raised here, or _LATE (the worker is then told to stop at its next chance and left to end
    on its own: its timeouts are cut to the deadline too). The caller's context variables go
    with it (tracing, for one)."""
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()
    context = contextvars.copy_context()

    def run() -> None:
        try:
            outcome.append((True, context.run(work)))
        except BaseException as exc:  # handed to the caller, whatever it is
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=run, name="payspec-request", daemon=True).start()
    if not done.wait(seconds):
        abandoned.set()
        return _LATE
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


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
        self,
        operation: str,
        url: str,
        body: bytes,
        headers: Headers,
        retry: Retry = NO_RETRY,
        options: RequestOptions | None = None,
    ) -> Reply:
        """POST `body`; `headers` is called for every attempt (a daily key may change)."""
        return self.send(operation, "POST", url, body, headers, retry, options=options)

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
        options: RequestOptions | None = None,
    ) -> Reply:
        """Send one request, retried as `retry` allows, all within the deadline. With
        `pass_errors` an error status is returned as a Reply (for the caller to read its body)
        instead of raised."""
        options = options or NO_OPTIONS
        call = _Call(
            operation,
            method,
            url,
            body,
            query,
            options.retry(retry),
            options.limits(self.limits),
            self.errors,
            time.monotonic() + self.limits.deadline,
        )
        secrets = self.secrets
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            left = call.left()
            if left <= 0:
                raise call.late(secrets)
            started = time.monotonic()
            own_headers, secret_values = headers()
            sent_headers = options.headers(own_headers)
            secrets = self.secrets + secret_values
            logger.debug(
                "%s: %s %s (%d bytes, attempt %d)",
                operation,
                method,
                url,
                len(body or b""),
                call.tries,
            )
            timeout = call.timeout(options.timeouts(self.client.timeout), left)
            abandoned = threading.Event()
            outcome: _Answer | _Late | httpx.HTTPError
            try:
                outcome = _within(
                    lambda: self._receive(call, sent_headers, timeout, abandoned), left, abandoned
                )
            except httpx.HTTPError as exc:
                outcome = exc  # the error is made below, outside this block: no context kept
            if isinstance(outcome, _Late):
                raise call.late(secrets)
            if isinstance(outcome, httpx.HTTPError):
                pause = call.pause_after(outcome)
                if pause is None or pause >= call.left():
                    raise call.failure(outcome, secrets)
                del outcome  # nothing of the failed attempt is kept
                call.attempt += 1
                if pause:
                    self.sleep(pause)
                continue
            pause = call.pause_for(outcome)
            if pause is None:
                return call.finish(outcome, started, secrets, pass_errors)
            call.count(outcome)
            self.sleep(pause)

    def _receive(
        self,
        call: _Call,
        headers: dict[str, str],
        timeout: httpx.Timeout,
        abandoned: threading.Event,
    ) -> _Answer:
        """One attempt, read to the end (in the worker thread)."""
        with self.client.stream(
            call.method,
            call.url,
            params=call.query or None,
            content=call.body,
            headers=headers,
            timeout=timeout,
        ) as response:
            received = bytearray()
            for chunk in response.iter_bytes():
                _grow(received, chunk, call, abandoned)
            return _Answer(
                response.status_code,
                response.headers.get("content-type", ""),
                response.headers.get("Retry-After"),
                bytes(received),
                tuple(response.headers.multi_items()),
            )


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
        self,
        operation: str,
        url: str,
        body: bytes,
        headers: Headers,
        retry: Retry = NO_RETRY,
        options: RequestOptions | None = None,
    ) -> Reply:
        """POST `body`; `headers` is called for every attempt (a daily key may change)."""
        return await self.send(operation, "POST", url, body, headers, retry, options=options)

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
        options: RequestOptions | None = None,
    ) -> Reply:
        """Send one request, retried as `retry` allows, all within the deadline (see
        `SyncTransport.send`); an attempt still running at the deadline is cancelled."""
        options = options or NO_OPTIONS
        call = _Call(
            operation,
            method,
            url,
            body,
            query,
            options.retry(retry),
            options.limits(self.limits),
            self.errors,
            time.monotonic() + self.limits.deadline,
        )
        secrets = self.secrets
        while True:
            if self.limiter is not None:
                await self.limiter.acquire_async()
            left = call.left()
            if left <= 0:
                raise call.late(secrets)
            started = time.monotonic()
            own_headers, secret_values = headers()
            sent_headers = options.headers(own_headers)
            secrets = self.secrets + secret_values
            logger.debug(
                "%s: %s %s (%d bytes, attempt %d)",
                operation,
                method,
                url,
                len(body or b""),
                call.tries,
            )
            timeout = call.timeout(options.timeouts(self.client.timeout), left)
            outcome: _Answer | _Late | httpx.HTTPError
            try:
                async with asyncio.timeout(left):
                    outcome = await self._receive(call, sent_headers, timeout)
            except httpx.HTTPError as exc:
                outcome = exc  # the error is made below, outside this block: no context kept
            except TimeoutError:
                outcome = _LATE
            if isinstance(outcome, _Late):
                raise call.late(secrets)
            if isinstance(outcome, httpx.HTTPError):
                pause = call.pause_after(outcome)
                if pause is None or pause >= call.left():
                    raise call.failure(outcome, secrets)
                del outcome  # nothing of the failed attempt is kept
                call.attempt += 1
                if pause:
                    await self.sleep(pause)
                continue
            pause = call.pause_for(outcome)
            if pause is None:
                return call.finish(outcome, started, secrets, pass_errors)
            call.count(outcome)
            await self.sleep(pause)

    async def _receive(
        self, call: _Call, headers: dict[str, str], timeout: httpx.Timeout
    ) -> _Answer:
        """One attempt, read to the end."""
        async with self.client.stream(
            call.method,
            call.url,
            params=call.query or None,
            content=call.body,
            headers=headers,
            timeout=timeout,
        ) as response:
            received = bytearray()
            async for chunk in response.aiter_bytes():
                _grow(received, chunk, call, None)
            return _Answer(
                response.status_code,
                response.headers.get("content-type", ""),
                response.headers.get("Retry-After"),
                bytes(received),
                tuple(response.headers.multi_items()),
            )
