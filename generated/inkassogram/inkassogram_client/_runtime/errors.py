# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""The errors the runtime raises, and the redaction of secrets from errors.

Each package's ``errors.py`` subclasses these bases (``AcmeTransportError(AcmeError,
TransportError)`` in a package for Acme), so ``except AcmeError`` catches everything that
package raises and ``except TransportError`` the transport failures of any package. The
runtime raises the package's own classes, never the bases: the client hands the transport an
`ErrorClasses` table naming them.

`redact` takes secrets out of a text that goes into an error message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validation import Issue

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


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
