"""What the protocols that POST one document per call and read a result code from the answer
(xml, json) share in their views: the `rpc` templates (`templates/python/protocols/rpc/`)
write their client, mock and errors from these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir
from ..naming import pascal


@dataclass(frozen=True)
class ContextArg:
    """An argument of the wire context: a client option, or a value of the environment."""

    name: str
    from_environment: bool = False


@dataclass(frozen=True)
class RpcClient:
    """The rpc client's protocol part: the wire context's arguments, and whether requests
    may be validated against a shipped XSD."""

    context_args: tuple[ContextArg, ...] = ()
    xsd: bool = False


@dataclass(frozen=True)
class RpcOperation:
    """How one operation is sent: its path, and whether it takes extra fields by name."""

    path: str
    extra: bool


def raises(service: ir.Service, op: ir.Operation) -> str:
    """The `Raises:` line of a method's docstring."""
    table = service.error_table(op.errors)
    return (
        f"{pascal(op.name)}Error: any other code; documented codes ({table.title} table) carry "
        f"a {pascal(table.name)}ErrorCode member in `.error`."
    )


def client_operation(service: ir.Service, op: ir.Operation) -> RpcOperation:
    return RpcOperation(op.path, bool(op.extra_fields))


@dataclass(frozen=True)
class RpcMock:
    """How the mock checks credentials and answers refusals: `unauthorized` and `invalid` are
    the spec's codes; credentials travel in envelope elements (`envelope_credentials`: (wire,
    credential) pairs) or in a JSON member (`json_id`: (key, credential)), besides headers;
    `route_by` is the body member naming the operation (None: by path)."""

    unauthorized: str | None
    invalid: str | None
    envelope_credentials: list[tuple[str, str]]
    json_id: tuple[str, str] | None = None
    route_by: str | None = None


def mock_error_answer(service: ir.Service, op: ir.Operation, code: str, message: str) -> Any:
    from .. import samples

    return samples.error_answer(service, op, code, message)


@dataclass(frozen=True)
class ResultPaths:
    """Where answers carry their result code, error code and message (dotted wire paths)."""

    code: list[str]
    error_code: list[str]
    message: list[str]


def result_paths(wire: ir.Wire) -> ResultPaths:
    return ResultPaths(
        [".".join(p) for p in wire.result_code],
        [".".join(p) for p in wire.result_error_code],
        [".".join(p) for p in wire.result_message],
    )
