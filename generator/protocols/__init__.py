"""The wire formats: one module per protocol, each a plug-in with the same interface.

A protocol module owns everything its wire format needs on the generator's side: the kinds of
scalar it can carry (and which codec macros write and read each), the meta-schema of its
`wire:` section, the builder of its `ir.Wire` from that section, the checks that only it makes,
and its views for the templates. Its templates live in `templates/python/protocols/<TEMPLATES>/`
(the codec module and its pieces of the client, mock and errors, as macros) and
`templates/docs/wire_<TEMPLATES>.md.j2`. Shared code asks the protocol; it never branches on
which protocol it is.

To add a protocol: write `generator/protocols/<name>.py` implementing `Protocol` and add its
template folder; every module of this package that defines `NAME` is found (`registry`), so no
other file changes (tests/test_protocols.py adds one that way).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast
from typing import Protocol as _Interface

if TYPE_CHECKING:
    from .. import ir
    from ..build.context import Context
    from ..load import Document
    from ..view.common import Option


class Protocol(_Interface):
    """What every protocol module defines (checked by mypy: each module is an instance)."""

    NAME: str
    """The spec's `protocol:` value."""
    TEMPLATES: str
    """Its folder under `templates/python/protocols/`: its codecs and `_wire.py`."""
    CALLS: str
    """The folder under `templates/python/protocols/` whose `client.j2`, `mock.j2` and
    `errors.j2` write its pieces of those modules (`rpc` is shared by the protocols that POST
    one document per call and read a result code from the answer)."""
    ACCEPT: str
    """The client's Accept header."""
    RUNTIME: tuple[str, ...]
    """The runtime modules (`generator/runtime/`) its packages ship besides the shared ones."""
    DEPENDENCIES: tuple[str, ...]
    """What its runtime modules need installed besides the shared runtime's (httpx, pydantic)."""
    EMPTY_LIST_IS_OBJECT: bool
    """Whether a request mapping's empty list stands for an empty structure too (PHP's
    json_encode writes `[]` for both); elsewhere it is refused where a structure is expected."""
    WIRE_FORMAT: str
    """How error messages name the format of the answers ("XML", "JSON")."""
    KINDS: Mapping[str, str]
    """Scalar kinds it can carry -> the codec macro file (`templates/python/kinds/`) that
    writes and reads them on this wire; a spec using another kind is refused by lint."""
    REFUSED_PARAMS: Mapping[str, Mapping[str, str]]
    """Parameters of carried kinds that this wire cannot honour: kind -> {parameter: why}. Lint
    refuses a field that gives one, rather than the codec ignoring it."""
    WIRE_SCHEMA: dict[str, Any]
    """The meta-schema of the `wire:` section of service.yaml."""

    def build_wire(
        self,
        ctx: Context,
        doc: Document,
        raw: dict[str, Any],
        credentials: set[str],
        environments: list[ir.Environment],
    ) -> ir.Wire | None:
        """The protocol's wire settings from `wire:` (None if they cannot be built)."""

    def check_operation(
        self,
        ctx: Context,
        doc: Document,
        data: dict[str, Any],
        request: ir.Shape,
        response: ir.Shape,
    ) -> None:
        """What an operation file may use on this protocol (HTTP methods, locations, text
        answers)."""

    def callback_problem(self, body: str, wire: ir.Wire) -> str | None:
        """Why a callback with this `body` cannot be carried (None: it can)."""

    def open_constants(self, wire: ir.Wire) -> set[str]:
        """The members or elements each operation must give under `constants:`."""

    def check_answers(
        self, ctx: Context, doc: Document, service: ir.Service, op: ir.Operation
    ) -> None:
        """Whether an operation's outcomes and response fit how this protocol answers."""

    # -- views -----------------------------------------------------------------------------

    def raises(self, service: ir.Service, op: ir.Operation) -> str:
        """The `Raises:` text of an operation's method."""

    def client_options(self, service: ir.Service, header_clock: bool) -> tuple[Option, ...]:
        """The client's constructor options beyond the shared ones (`header_clock`: the
        request headers need the time)."""

    def client_part(self, service: ir.Service) -> object:
        """The protocol's view of the client, for its `client.j2` (`client.wire`)."""

    def client_operation(self, service: ir.Service, op: ir.Operation) -> object:
        """The protocol's view of one operation's call, for its `client.j2` (`op.wire`)."""

    def mock_part(self, service: ir.Service) -> object:
        """The protocol's view of the mock server, for its `mock.j2` (`mock.wire`)."""

    def mock_error_answer(
        self, service: ir.Service, op: ir.Operation, code: str, message: str
    ) -> Any:
        """A sample error answer with `code` and `message` as markers (None: the protocol's
        `mock.j2` writes its error answers itself)."""

    def protocol_text(self, service: ir.Service) -> str:
        """One line for the README's summary table."""

    def docs_part(self, service: ir.Service) -> object:
        """The view of the README's wire format section, its `wire.md.j2` (`docs.wire`)."""

    def wire_view(self, service: ir.Service) -> object:
        """The view of its codec module, `_wire.py` (`wire` in the templates)."""


def _modules() -> dict[str, Protocol]:
    """Every module of this package that names a protocol (`rpc` holds shared views only)."""
    found: dict[str, Protocol] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(module, "NAME", None)
        if isinstance(name, str):
            if name in found:
                raise RuntimeError(f"two protocol modules are named {name!r}")
            found[name] = cast(Protocol, module)
    return found


if TYPE_CHECKING:  # mypy checks that each module implements the interface
    from . import json, rest_json, xml

    _JSON: Protocol = json
    _REST_JSON: Protocol = rest_json
    _XML: Protocol = xml

_REGISTRY: dict[str, Protocol] | None = None


def registry() -> dict[str, Protocol]:
    """Every protocol by its spec name."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _modules()
    return _REGISTRY


def find(name: str | None) -> Protocol | None:
    """The protocol named `name` (None for an unknown or missing name: lint reports it)."""
    return registry().get(name) if name is not None else None


def get(name: str) -> Protocol:
    protocol = find(name)
    if protocol is None:
        raise KeyError(f"no protocol {name!r} (known: {', '.join(sorted(registry()))})")
    return protocol
