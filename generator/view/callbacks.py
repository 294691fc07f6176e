"""The view of `callbacks.py`: helpers that parse and check what the provider sends the shop
(query-string notices, signed JSON or form callbacks, webhooks signed in a header)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..naming import constant, pascal
from .common import annotation, snake


@dataclass(frozen=True)
class ParamView:
    name: str
    wire: str
    annotation: str
    enum: str | None
    description: str


@dataclass(frozen=True)
class QueryEvent:
    """A notice in a query string (GET parameters)."""

    name: str
    const: str
    class_name: str
    title: str
    source: str
    method: str
    description: str
    example: str
    params: tuple[ParamView, ...]
    wire_names: list[str]  # written as a list literal


@dataclass(frozen=True)
class SignedEvent:
    """A callback signed like the protocol's answers: a JSON body or form fields holding JSON."""

    name: str
    title: str
    source: str
    description: str
    body: str
    message: str
    message_func: str


@dataclass(frozen=True)
class HeaderEvent:
    """A webhook signed in a header `<timestamp>=<unix>,<value>=<hex>` over "<t>.<raw body>"."""

    name: str
    title: str
    source: str
    description: str
    message: str
    message_func: str
    header: str
    timestamp: str
    value: str
    tolerance: int
    digest: str


@dataclass(frozen=True)
class CallbacksView:
    events: tuple[QueryEvent, ...]
    signed_events: tuple[SignedEvent, ...]
    signed: bool
    header_events: tuple[HeaderEvent, ...]
    needs_params: bool
    model_imports: list[str]
    # where signed answers keep the message and the signature (json protocol)
    message_key: str = ""
    credentials_key: str = ""
    signature_member: str = ""


def callbacks_view(service: ir.Service) -> CallbacksView:
    events: list[QueryEvent] = []
    signed: list[SignedEvent] = []
    headers: list[HeaderEvent] = []
    enums: set[str] = set()
    for cb in service.callbacks:
        if cb.body == "signed-header":
            assert cb.message is not None and cb.signature is not None
            headers.append(
                HeaderEvent(
                    name=cb.name,
                    title=cb.title,
                    source=cb.source,
                    description=cb.description,
                    message=cb.message,
                    message_func=snake(cb.message),
                    header=cb.signature.header,
                    timestamp=cb.signature.timestamp,
                    value=cb.signature.value,
                    tolerance=cb.signature.tolerance,
                    digest=cb.signature.algorithm.removeprefix("hmac-"),
                )
            )
        elif cb.body != "query":
            assert cb.message is not None
            signed.append(
                SignedEvent(
                    cb.name,
                    cb.title,
                    cb.source,
                    cb.description,
                    cb.body,
                    cb.message,
                    snake(cb.message),
                )
            )
        else:
            params = []
            for p in cb.params:
                enum = p.type.enum if isinstance(p.type, ir.EnumRef) else None
                if enum:
                    enums.add(enum)
                params.append(
                    ParamView(p.name, p.wire, annotation(p.type), enum, p.description.rstrip("."))
                )
            events.append(
                QueryEvent(
                    name=cb.name,
                    const=constant(cb.name),
                    class_name=pascal(cb.name),
                    title=cb.title,
                    source=cb.source,
                    method=cb.method,
                    description=cb.description,
                    example=cb.example,
                    params=tuple(params),
                    wire_names=sorted(p.wire for p in cb.params),
                )
            )
    wire = service.wire
    keys: dict[str, str] = {}
    if isinstance(wire, ir.JsonWire) and wire.signature is not None:
        keys = {
            "message_key": next(m.key for m in wire.body if m.source == "message"),
            "credentials_key": wire.signature.response[0],
            "signature_member": wire.signature.response[-1],
        }
    return CallbacksView(
        events=tuple(events),
        signed_events=tuple(signed),
        signed=bool(signed),
        header_events=tuple(headers),
        needs_params=bool(events) or any(s.body == "signed-form" for s in signed),
        model_imports=sorted(enums | {s.message for s in signed} | {h.message for h in headers}),
        **keys,
    )
