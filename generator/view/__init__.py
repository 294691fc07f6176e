"""View models: everything the templates need, computed once from the IR.

Templates lay things out; every decision (Python names and annotations, which scalar types a
package needs, the order shapes must be defined in, how each field is written and read on the
wire, which attributes lead to a result code) is made here, one module per output:

- `types` (`_types.py`), `rules` (`_rules.py`), `errors` (`errors.py`), `results` (`results.py`
  and `_outcomes.py`), `callbacks` (`callbacks.py`), `filters` (`filters.py`), `client`
  (`client.py`, `_auth.py`, the package files), `params` (`params.py`, the dict forms of the
  requests), `mock` (`mock.py`), `docs` (the README and the index);
- what a wire format alone needs comes from its protocol module (`generator/protocols/`): the
  codec's view (`_wire.py`) and its part of the client, mock, errors and docs.

Every view is a tree of frozen dataclasses; `common` holds the names and walks they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir, protocols
from .callbacks import CallbacksView, callbacks_view
from .client import AuthView, ClientView, PackageView, auth_view, client_view, package_view
from .common import header, php_string
from .docs import docs_view, index_view
from .errors import ErrorsView, errors_view
from .filters import FiltersView, filters_view
from .mock import MockView, mock_view
from .params import ParamsView, params_view
from .results import OutcomesView, ResultsView, outcomes_view, results_view
from .rules import RulesView, rules_view
from .types import TypesView, types_view

__all__ = ["View", "build_view", "docs_view", "header", "index_view", "php_string"]


@dataclass(frozen=True)
class ProtocolView:
    """Which protocol templates a package is made with."""

    name: str
    templates: str  # templates/python/protocols/<templates>/: the codec and `_wire.py`
    calls: str  # templates/python/protocols/<calls>/: the client's, mock's and errors' pieces


@dataclass(frozen=True)
class XsdView:
    file: str | None


@dataclass(frozen=True)
class View:
    """The context shared by every template of one provider."""

    service: ir.Service
    prefix: str
    header: str
    header_toml: str
    wire_format: str
    protocol: ProtocolView
    types: TypesView
    rules: RulesView
    wire: object  # the protocol's view of its codec module (see its `wire_view`)
    errors: ErrorsView
    results: ResultsView
    outcomes: OutcomesView
    auth: AuthView
    callbacks: CallbacksView
    filters: FiltersView
    xsd: XsdView
    client: ClientView
    package: PackageView
    mock: MockView
    params: ParamsView

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def build_view(service: ir.Service) -> View:
    protocol = protocols.get(service.protocol)
    wire = protocol.wire_view(service)
    return View(
        service=service,
        prefix=service.error_prefix,
        header=header(service),
        header_toml=header(service),
        wire_format=protocol.WIRE_FORMAT,
        protocol=ProtocolView(protocol.NAME, protocol.TEMPLATES, protocol.CALLS),
        types=types_view(service),
        rules=rules_view(service),
        wire=wire,
        errors=errors_view(service),
        results=results_view(service),
        outcomes=outcomes_view(service),
        auth=auth_view(service),
        callbacks=callbacks_view(service),
        filters=filters_view(service),
        xsd=XsdView(service.wire.xsd),
        client=client_view(service),
        package=package_view(service),
        mock=mock_view(service),
        params=params_view(service),
    )
