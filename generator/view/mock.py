"""The view of `mock.py`: how the mock server routes a request to its operation, checks its
credentials, answers each operation's first outcome (sample messages made by `samples.py`),
refuses what the validators refuse, and keeps the values later requests must quote. What one
protocol alone needs comes from its module (`mock_part`, `mock.wire` in the templates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir, samples

ERROR_CODE = "__MOCK_ERROR_CODE__"
ERROR_MESSAGE = "__MOCK_ERROR_MESSAGE__"


@dataclass(frozen=True)
class Parameter:
    """A request field outside the body (rest-json): where it travels, its wire and Python
    names, the kind its text is read as (int, bool or text) and whether it holds a list."""

    location: str
    wire: str
    name: str
    kind: str
    many: bool


@dataclass(frozen=True)
class MockPaging:
    """The wire names of a list's query (filter, order, skip, top) and answer (next link)."""

    filter: str
    order_by: str
    skip: str
    top: str
    next_link: str
    page_size: int


@dataclass(frozen=True)
class MockOperation:
    name: str
    const: str
    request: str
    response: str
    method: str
    pattern: str  # a regular expression over the path, placeholders as named groups
    parameters: tuple[Parameter, ...]
    function: str | None
    answer: Any  # the first outcome's answer, as a plain value
    error_answer: (
        Any  # an error answer with the code and message as markers (None: the protocol's own)
    )
    field_codes: dict[str, tuple[str | None, str | None]]
    outcomes: dict[str, Any]
    codes: list[str]  # documented codes X-Mock-Error may force (written as a list literal)
    paging: MockPaging | None


@dataclass(frozen=True)
class MockState:
    name: str
    issuer: str
    issued_at: tuple[str, ...]
    number: bool
    users: dict[str, tuple[str, ...]]
    unknown: str
    used_twice: str | None
    description: str
    resource_id: str | None
    read_by: list[str]
    patched_by: list[str]
    deleted_by: list[str]
    listed_by: dict[str, str]


@dataclass(frozen=True)
class MockCredential:
    name: str
    example: str


@dataclass(frozen=True)
class Idempotency:
    header: str
    methods: list[str]


@dataclass(frozen=True)
class MockView:
    ops: tuple[MockOperation, ...]
    states: tuple[MockState, ...]
    credentials: tuple[MockCredential, ...]
    example_args: list[str]
    error_code_marker: str
    error_message_marker: str
    content_type: str
    idempotency: Idempotency | None
    paged: bool  # some list answer is paged (the mock filters, sorts and pages it)
    wire: object  # the protocol's part (see its `mock_part`)


def _parameter(f: ir.Field) -> Parameter:
    ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
    kind = ref.kind if isinstance(ref, ir.Scalar) and ref.kind in ("int", "bool") else "text"
    return Parameter(f.location, f.wire, f.name, kind, isinstance(f.type, ir.ListOf))


def mock_view(service: ir.Service) -> MockView:
    from .. import protocols

    protocol = protocols.get(service.protocol)
    wire = service.wire
    ops = []
    for op in service.operations:
        outcome = op.outcomes[0] if op.outcomes else None
        answer = (
            samples.answer(service, op, outcome)
            if outcome
            else samples.minimal(service, op.response)
        )
        field_codes = {
            f.wire: (
                f.codes.missing[0] if f.codes.missing else None,
                f.codes.invalid[0] if f.codes.invalid else None,
            )
            for f in op.request.fields
            if f.codes.missing or f.codes.invalid
        }
        in_path = [f for f in op.request.fields if f.location == "path"]
        pattern = op.path
        for f in in_path:
            pattern = pattern.replace("{" + f.wire + "}", f"(?P<{f.name}>[^/]+)")
        ops.append(
            MockOperation(
                name=op.name,
                const=f"_OP_{op.name.upper()}",
                request=op.request.name,
                response=op.response.name,
                method=op.method,
                pattern="^" + pattern + "$",
                parameters=tuple(_parameter(f) for f in op.request.fields if f.location != "body"),
                function=dict(op.constants).get("function"),
                answer=answer,
                error_answer=protocol.mock_error_answer(service, op, ERROR_CODE, ERROR_MESSAGE),
                field_codes=field_codes,
                outcomes={o.name: samples.answer(service, op, o) for o in op.outcomes},
                codes=sorted({c.code for c in service.error_table(op.errors).codes}),
                paging=(
                    MockPaging(
                        op.filter.param if op.filter else "",
                        (op.filter.order_by or "") if op.filter else "",
                        op.paging.skip,
                        op.paging.top,
                        op.paging.next_link,
                        op.paging.page_size,
                    )
                    if op.paging
                    else None
                ),
            )
        )
    chosen = set(service.auth_one_of[:1])
    credentials = tuple(
        MockCredential(c.name, f"mock-{c.name.replace('_', '-')}")
        for c in service.credentials
        if (not c.optional and c.name not in service.auth_one_of) or c.name in chosen
    )
    states = []
    for state in service.mock_state:
        issuer = next(op for op in service.operations if op.name == state.issuer)
        issued: ir.Field | None = issuer.response.root
        shape = issuer.response
        for step in state.issued_at:
            issued = shape.field(step)
            assert issued is not None
            ref = issued.type.item if isinstance(issued.type, ir.ListOf) else issued.type
            shape = service.shape(ref.shape) if isinstance(ref, ir.ShapeRef) else shape
        assert issued is not None
        states.append(
            MockState(
                name=state.name,
                issuer=state.issuer,
                issued_at=state.issued_at,
                number=isinstance(issued.type, ir.Scalar)
                and issued.type.kind in ("int", "money_minor"),
                users=dict(state.users),
                unknown=state.unknown,
                used_twice=state.used_twice,
                description=state.description,
                resource_id=state.resource_id,
                read_by=list(state.read_by),
                patched_by=list(state.patched_by),
                deleted_by=list(state.deleted_by),
                listed_by=dict(state.listed_by),
            )
        )
    idempotency = None
    if wire.idempotency_header:
        idempotency = Idempotency(wire.idempotency_header, list(wire.idempotency_methods))
    return MockView(
        ops=tuple(ops),
        states=tuple(states),
        credentials=credentials,
        example_args=[f"{c.name}={c.example!r}" for c in credentials],
        error_code_marker=ERROR_CODE,
        error_message_marker=ERROR_MESSAGE,
        content_type=wire.content_type,
        idempotency=idempotency,
        paged=any(o.paging for o in ops),
        wire=protocol.mock_part(service),
    )
