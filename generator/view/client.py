"""The views of `client.py` (the sync and async clients, one method per operation), `_auth.py`
(credentials and the headers made from them) and the package files (`__init__.py`,
`pyproject.toml`)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .. import ir
from ..naming import constant, pascal
from .common import Option, distribution, model_enums, outcome_class, result_type
from .errors import errors_view, has_signature
from .params import dict_name, keyword_operation

RUNTIME_DEPENDENCIES = ("httpx>=0.27,<1", "pydantic>=2.9,<3")  # and each protocol's DEPENDENCIES
_STRFTIME = {"YYYYMMDD": "%Y%m%d"}


# -- auth ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialView:
    name: str
    secret: bool
    description: str
    default: str | None
    optional: bool


@dataclass(frozen=True)
class DigestInput:
    """One input of a digest header: a credential, or today's date in a zone."""

    credential: str | None = None
    zone: str | None = None  # the module constant holding the ZoneInfo
    strftime: str | None = None


@dataclass(frozen=True)
class HeaderView:
    name: str
    var: str
    credential: str | None
    digest: str | None
    parts: tuple[DigestInput, ...]
    secret: bool


@dataclass(frozen=True)
class RestHeaderView:
    name: str
    credential: str
    prefix: str
    secret: bool
    optional: bool


@dataclass(frozen=True)
class Zone:
    name: str
    const: str


@dataclass(frozen=True)
class AuthView:
    summary: str
    credentials: tuple[CredentialView, ...]
    rest_headers: tuple[RestHeaderView, ...]
    one_of: list[str]  # written as a list literal
    auth_description: str
    secret_names: list[str]
    headers: tuple[HeaderView, ...]
    uses_digest: bool
    uses_clock: bool
    zones: tuple[Zone, ...]


def auth_view(service: ir.Service) -> AuthView:
    secret = {c.name for c in service.credentials if c.secret}
    zones: dict[str, str] = {}
    headers = []
    for h in service.wire.headers:
        parts = []
        for part in h.parts:
            if part.credential is not None:
                parts.append(DigestInput(credential=part.credential))
            else:
                assert part.date is not None and part.timezone is not None
                const = "ZONE_" + constant(part.timezone.replace("/", "_").lower())
                zones[part.timezone] = const
                parts.append(DigestInput(zone=const, strftime=_STRFTIME[part.date]))
        headers.append(
            HeaderView(
                name=h.name,
                var=snake_header(h.name) + "_value",
                credential=h.credential,
                digest=h.digest,
                parts=tuple(parts),
                secret=(h.credential in secret) or any(p.credential in secret for p in h.parts),
            )
        )
    optional = {c.name for c in service.credentials if c.optional}
    rest_headers = tuple(
        RestHeaderView(
            h.name, h.credential, h.prefix, h.credential in secret, h.credential in optional
        )
        for h in service.wire.auth_headers
    )
    return AuthView(
        summary=f"Credentials for the {service.title}.",
        credentials=tuple(
            CredentialView(c.name, c.secret, c.description, c.default, c.optional)
            for c in service.credentials
        ),
        rest_headers=rest_headers,
        one_of=list(service.auth_one_of),
        auth_description=service.auth_description,
        secret_names=sorted(secret),
        headers=tuple(headers),
        uses_digest=any(h.digest for h in headers),
        uses_clock=bool(zones),
        zones=tuple(Zone(name, const) for name, const in sorted(zones.items())),
    )


def snake_header(name: str) -> str:
    from .common import snake

    return snake(name.replace("-", "_")).replace("__", "_")


# -- client --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PagingView:
    iter_name: str
    item_class: str
    items_attr: str
    next_attr: str
    skip_attr: str
    skip_wire: str


@dataclass(frozen=True)
class RetryView:
    """An operation retried after a timeout because the provider asks for it."""

    timeouts: int
    reason: str


@dataclass(frozen=True)
class OperationView:
    name: str
    title: str
    path: str
    method: str
    summary: str
    request_class: str
    response_class: str
    result_type: str
    docstring: str
    retry: RetryView | None
    extra_fields: list[str]  # written as a list literal
    paging: PagingView | None
    wire: object  # the protocol's own view of the call (see its `client_operation`)
    # No field is required: the method can be called with no request (`get_account_info()`).
    request_optional: bool = False
    # The request's dict form (`params.py`): the fields may be given as keywords instead.
    request_dict: str | None = None


@dataclass(frozen=True)
class EnvironmentView:
    name: str
    url: str
    values: dict[str, str]


@dataclass(frozen=True)
class CredentialArg:
    name: str
    default: str | None
    optional: bool


@dataclass(frozen=True)
class ClientView:
    version: str
    credentials: tuple[CredentialArg, ...]
    credentials_list: str
    options: tuple[Option, ...]
    header_clock: bool  # request headers need the time (a daily key)
    uses_clock: bool
    environment_values: bool
    has_extra: bool
    has_paging: bool
    environments: tuple[EnvironmentView, ...]
    default_environment: str
    content_type: str
    accept: str
    user_agent: str
    operations: tuple[OperationView, ...]
    model_imports: list[str]
    dict_imports: list[str]  # the dict forms of the requests taken as keywords
    empty_list_is_object: bool  # see Protocol.EMPTY_LIST_IS_OBJECT
    rate_limit: RateLimitView | None
    wire: object  # the protocol's own view of the client (see its `client_part`)


@dataclass(frozen=True)
class RateLimitView:
    requests: int
    per_seconds: float


def _op_docstring(service: ir.Service, op: ir.Operation, raises: str) -> str:
    """The body of a client method's docstring, wrapped to fit the generated code's width."""
    width = 88
    lines = []
    if op.description:
        lines += textwrap.wrap(op.description, width)
        lines.append("")
    lines.append("Returns:")
    for outcome in op.outcomes:
        code = f"code {outcome.code}" if outcome.code is not None else "no operation-level code"
        text = f"{outcome_class(op, outcome)} ({code}): {outcome.description}"
        lines += textwrap.wrap(text, width, initial_indent="    ", subsequent_indent="        ")
    lines.append("")
    lines.append("Raises:")
    lines += textwrap.wrap(raises, width, initial_indent="    ", subsequent_indent="        ")
    rules = list(dict.fromkeys(rule.description for rule in op.request.rules))
    if rules:
        lines.append("")
        lines.append("Rules checked before sending:")
        for description in rules:
            lines += textwrap.wrap(
                description, width, initial_indent="    - ", subsequent_indent="      "
            )
    return "\n".join(lines)


def _paging(op: ir.Operation) -> PagingView | None:
    if op.paging is None:
        return None
    items = op.response.field(op.paging.items)
    assert (
        items is not None
        and isinstance(items.type, ir.ListOf)
        and isinstance(items.type.item, ir.ShapeRef)
    )
    next_link, skip = op.response.field(op.paging.next_link), op.request.field(op.paging.skip)
    assert next_link is not None and skip is not None
    return PagingView(
        iter_name="iter_" + op.name.removeprefix("list_"),
        item_class=items.type.item.shape,
        items_attr=items.name,
        next_attr=next_link.name,
        skip_attr=skip.name,
        skip_wire=skip.wire,
    )


def client_view(service: ir.Service) -> ClientView:
    from .. import protocols

    protocol = protocols.get(service.protocol)
    models = set()
    operations = []
    for op in service.operations:
        models.add(op.request.name)
        models.add(op.response.name)
        retry = None
        if op.retry is not None:
            key = op.request.field(op.retry.idempotency)
            assert key is not None
            retry = RetryView(
                op.retry.attempts - 1,
                f"The request is sent again unchanged, with the same {key.wire}; see the docs on "
                f"retries.",
            )
        paging = _paging(op)
        if paging is not None:
            models.add(paging.item_class)
        operations.append(
            OperationView(
                name=op.name,
                title=op.title,
                path=op.path,
                method=op.method,
                summary=op.summary,
                request_class=op.request.name,
                response_class=op.response.name,
                result_type=result_type(op),
                docstring=_op_docstring(service, op, protocol.raises(service, op)),
                retry=retry,
                extra_fields=[e.wire for e in op.extra_fields],
                paging=paging,
                wire=protocol.client_operation(service, op),
                request_optional=op.request.root is None
                and not any(f.required for f in op.request.fields),
                request_dict=dict_name(op.request.name) if keyword_operation(op) else None,
            )
        )
    auth = auth_view(service)
    options = protocol.client_options(service, auth.uses_clock)
    w = service.wire
    rate = w.rate_limit
    return ClientView(
        version=service.version,
        credentials=tuple(
            CredentialArg(c.name, c.default, c.optional) for c in service.credentials
        ),
        credentials_list=", ".join(f"`{c.name}`" for c in service.credentials),
        options=tuple(options),
        header_clock=auth.uses_clock,
        uses_clock=any(o.name == "clock" for o in options),
        environment_values=any(e.values for e in service.environments),
        has_extra=any(op.extra_fields for op in service.operations),
        has_paging=any(op.paging for op in service.operations),
        environments=tuple(
            EnvironmentView(e.name, e.url, dict(e.values)) for e in service.environments
        ),
        default_environment=service.default_environment.name,
        content_type=service.wire.content_type,
        accept=protocol.ACCEPT,
        user_agent=distribution(service),
        operations=tuple(operations),
        model_imports=sorted(models),
        dict_imports=sorted(o.request_dict for o in operations if o.request_dict),
        empty_list_is_object=protocol.EMPTY_LIST_IS_OBJECT,
        rate_limit=RateLimitView(rate[0], rate[1]) if rate else None,
        wire=protocol.client_part(service),
    )


# -- package files -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraImport:
    module: str
    names: list[str]


@dataclass(frozen=True)
class PackageCredential:
    name: str


@dataclass(frozen=True)
class PackageView:
    distribution: str
    version: str
    dependencies: list[str]
    package_data: list[str]
    packages: list[str]
    error_names: list[str]
    model_names: list[str]
    result_names: list[str]
    callback_names: list[str]
    extra_imports: tuple[ExtraImport, ...]
    all_names: list[str]
    credentials: tuple[PackageCredential, ...]
    default_environment: str
    example_operation: str
    example_request: str


def package_view(service: ir.Service) -> PackageView:
    from .. import protocols

    errors = errors_view(service)
    error_names = [
        f"{service.error_prefix}{suffix}"
        for suffix in (
            "Error",
            "RequestValidationError",
            "TransportError",
            "TimeoutError",
            "HTTPStatusError",
            "ResponseError",
            "ApiError",
        )
    ]
    if errors.rest:
        error_names += [s.class_name for s in errors.statuses] + ["ErrorDetail"]
    else:
        error_names += [op.error_class for op in errors.operations]
    error_names += sorted({op.enum_class for op in errors.operations})
    model_names = sorted(
        {s.name for s in service.shapes}
        | set(model_enums(service))
        | {m.name for m in service.messages()}
    )
    if has_signature(service):
        error_names.append(f"{service.error_prefix}SignatureError")
    result_names = []
    for op in service.operations:
        result_names += [outcome_class(op, o) for o in op.outcomes]
        if len(op.outcomes) > 1:
            result_names.append(result_type(op))
    result_names = sorted(set(result_names))
    callback_names = sorted(
        {pascal(cb.name) for cb in service.callbacks if cb.body == "query"}
        | {f"parse_{cb.name}" for cb in service.callbacks}
    )
    if service.callbacks:
        error_names.append(f"{service.error_prefix}CallbackError")
    first = service.operations[0]
    extra_imports = [ExtraImport("._runtime.transport", ["RawResponse", "RequestOptions"])]
    if service.wire.rate_limit:
        extra_imports.append(ExtraImport(".client", ["RateLimiter"]))
    filter_classes = sorted(op.filter.class_name for op in service.operations if op.filter)
    if filter_classes:
        extra_imports.append(ExtraImport(".filters", filter_classes))
    extra_names = [n for i in extra_imports for n in i.names]
    all_names = sorted(
        {
            "errors",
            "models",
            "results",
            "BASE_URLS",
            f"Async{service.client}",
            service.client,
            "Environment",
            "__version__",
        }
        | set(error_names)
        | set(model_names)
        | set(result_names)
        | set(callback_names)
        | set(extra_names)
    )
    uses_clock = auth_view(service).uses_clock
    return PackageView(
        distribution=distribution(service),
        version=service.version,
        dependencies=list(RUNTIME_DEPENDENCIES)
        + list(protocols.get(service.protocol).DEPENDENCIES)
        + (["tzdata; platform_system == 'Windows'"] if uses_clock else []),
        package_data=["py.typed"] + (["schema/*.xsd"] if service.wire.xsd else []),
        packages=[service.package, f"{service.package}._runtime"],
        error_names=sorted(error_names),
        model_names=model_names,
        result_names=result_names,
        callback_names=callback_names,
        extra_imports=tuple(extra_imports),
        all_names=all_names,
        credentials=tuple(
            PackageCredential(c.name)
            for c in service.credentials
            if (not c.optional and c.default is None) or c.name in service.auth_one_of[:1]
        ),
        default_environment=service.default_environment.name,
        example_operation=first.name,
        example_request=first.request.name,
    )
