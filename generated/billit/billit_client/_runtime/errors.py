# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""The errors the runtime raises, and the redaction of secrets from errors.

Each package's ``errors.py`` subclasses these bases (``AcmeTransportError(AcmeError,
TransportError)`` in a package for Acme), so ``except AcmeError`` catches everything that
package raises and ``except TransportError`` the transport failures of any package. The
runtime raises the package's own classes, never the bases: the client hands the transport an
`ErrorClasses` table naming them.

Every text an error carries (its message, and any text attribute: a code, a server message, a
parser's detail, an excerpt) goes through `scrub` before the error leaves the client, which
replaces each secret by ``***``. Secrets of at least `WHOLE_SECRET_MIN` characters are replaced
wherever they occur; a shorter one only where it stands as a word of its own, since replacing
every "n" would turn "Connection refused" into "Co******ectio*** refused" and hide nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validation import Issue

WHOLE_SECRET_MIN = 8
"""Secrets this long or longer are redacted wherever they occur; shorter ones as whole words."""

MASK = "***"


class ClientError(Exception):
    """Base class of every error a generated client raises."""


class RequestValidationError(ClientError, ValueError):
    """The request was refused before anything was sent; `issues` says where and why."""

    def __init__(self, message_name: str, issues: Iterable[Issue]) -> None:
        self.message_name = message_name
        self.issues = tuple(issues)
        count = len(self.issues)
        listed = "; ".join(str(issue) for issue in self.issues)
        super().__init__(f"{message_name}: {count} problem{'s' if count != 1 else ''}: {listed}")


class TransportError(ClientError):
    """The request could not be sent, or its answer could not be received; `attempts` says how
    many requests were tried."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        self.attempts = attempts
        super().__init__(message)


class TransportTimeoutError(TransportError):
    """No complete answer within the time limits."""


class HTTPStatusError(ClientError):
    """The server answered with an HTTP status outside 2xx."""

    def __init__(self, message: str, *, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(message)


class ResponseError(ClientError):
    """The answer is not what the provider documents."""


class SignatureError(ResponseError):
    """A signature does not verify; nothing signed by it should be trusted."""


class CallbackError(ClientError, ValueError):
    """A callback request is not what the provider documents."""


class ApiError(ClientError):
    """The provider answered with an error (a code, or an error status with its errors)."""


@dataclass(frozen=True)
class ErrorClasses:
    """The classes a package raises for what the runtime finds (its subclasses of the bases)."""

    transport: type[TransportError]
    timeout: type[TransportTimeoutError]
    status: type[HTTPStatusError]
    response: type[ResponseError]


# -- redaction -------------------------------------------------------------------------------


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all secrets, longest first (so a secret that contains another is taken
    out whole); short ones must stand as a word of their own."""
    alternatives = []
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        escaped = re.escape(secret)
        if len(secret) < WHOLE_SECRET_MIN:
            escaped = rf"(?<![^\W_]){escaped}(?![^\W_])"
        alternatives.append(escaped)
    return re.compile("|".join(alternatives)) if alternatives else None


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by ``***`` (see the module docstring for the rule)."""
    pattern = _pattern(secrets)
    return text if pattern is None else pattern.sub(MASK, text)


def scrub(error: BaseException, secrets: Iterable[str]) -> BaseException:
    """`error`, its texts redacted in place (message, text attributes, texts in tuples, lists and
    frozen dataclasses such as an error's details), and returned. A context the error was
    raised without (``raise ... from None``) is dropped, so nothing it held stays reachable;
    a linked error is scrubbed the same way."""
    pattern = _pattern(secrets)
    seen: set[int] = set()

    def clean(value: object) -> object:
        if isinstance(value, Enum):  # a documented member (a StrEnum is a str): as it is
            return value
        if isinstance(value, str):
            return value if pattern is None else pattern.sub(MASK, value)
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                if f.init:
                    before = getattr(value, f.name)
                    after = clean(before)
                    if after != before:
                        changes[f.name] = after
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, BaseException):
            walk(value)
        return value

    def walk(exc: BaseException) -> None:
        if id(exc) in seen:
            return
        seen.add(id(exc))
        exc.args = tuple(clean(a) for a in exc.args)
        for name, value in list(vars(exc).items()):
            setattr(exc, name, clean(value))
        if exc.__suppress_context__:
            exc.__context__ = None
        for linked in (exc.__cause__, exc.__context__):
            if linked is not None:
                walk(linked)

    walk(error)
    return error
