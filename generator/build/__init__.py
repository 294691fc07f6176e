"""Build the intermediate model from loaded spec documents, checking what the meta-schema cannot.

One step per module, over one shared `Context` (the sources, the problems found, the symbol
tables): `types` (enums, the field library, fields and shapes), `rules` (cross-field rules),
`operations`, `service` (service.yaml, error tables, the ledger) and `checks` (what needs every
name known). What belongs to one wire format (its `wire:` section, HTTP methods, text answers)
is built and checked by that protocol's module in `generator/protocols/`.

Every check reports a `Problem` at the offending position and building goes on, so that one
run lists everything wrong with a provider's specs. `build_service` returns None when anything
was wrong.
"""

from __future__ import annotations

from pathlib import Path

from .. import ir
from ..load import Problem, ProviderSources
from . import checks
from .context import Context
from .operations import build_operations
from .service import build_discrepancies, build_error_tables
from .service import build_service as _service
from .types import build_enums, build_library, build_shapes


def build_service(sources: ProviderSources) -> tuple[ir.Service | None, list[Problem]]:
    """The provider's IR (None if anything is wrong) and every problem found, sorted."""
    ctx = Context(sources)
    service = _build(ctx)
    return (None if ctx.problems else service), sorted(set(ctx.problems))


def _build(ctx: Context) -> ir.Service | None:
    if ctx.sources.service is None or not isinstance(ctx.sources.service.data, dict):
        return None
    build_discrepancies(ctx)
    build_enums(ctx)
    build_library(ctx)
    build_shapes(ctx)
    operations = build_operations(ctx)
    error_tables = build_error_tables(ctx)
    service = _service(ctx, operations, error_tables)
    checks.check_types(ctx)
    checks.check_money_units(ctx)
    checks.check_usage(ctx, operations)
    checks.check_ledger(ctx)
    if service is not None:
        checks.check_service_links(ctx, service)
    return service


def spec_root_relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
