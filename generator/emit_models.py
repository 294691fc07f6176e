"""Pydantic models from the codegen bundle, by datamodel-code-generator (in-process, once per
provider).

The bundle (see `emit_schema.codegen_bundle`) already carries what shapes the output: the
package's scalar types (`customTypePath`), the rule base classes (`customBasePath`), enum member
names (`x-enum-varnames`) and the alias map from wire names to Python names. Every model
inherits `WireModel` (frozen, lazily built, input hidden from errors).

The tool is the slowest part of a one-provider run: importing it takes ~0.3 s and running it
~0.2 s per provider. `ModelsWorker` does both in a process of its own, forked when the run
starts, so the import happens while the main process lints and renders, and each provider's
models are made while its templates render. Its output is the same as an in-process call's
(`models_source` is that call; a test holds them equal).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import digest
from .heap import frozen

if TYPE_CHECKING:
    from . import ir

_MODULE_DOC = '''"""The request and response models of the {title}, and their enums.

Made by datamodel-code-generator from the JSON Schemas in ``schemas/``: each field has its
Python name and accepts its wire name; the scalar types come from ``_types.py`` and the
cross-field rules from ``_rules.py``.
"""'''


_OPTIONS_SOURCE = Path(__file__).read_text(encoding="utf-8")


def models_source(service: ir.Service, memo: dict[str, str] | None = None) -> str:
    """The models module (unformatted), made in this process. `memo` maps an input digest to
    an earlier result."""
    return _Job(service, memo).run(None)()


class ModelsWorker:
    """A process that imports datamodel-code-generator as soon as it is made and then makes
    models modules on request; `start` returns at once, and the callable it returns gives
    the module (raising what the tool raised). Close it when the run ends."""

    def __init__(self, memo: dict[str, str] | None = None) -> None:
        self._memo = memo
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        # One process: the main process and the formatting workers have the other cores.
        # Forked with the parent's objects frozen (see fmt.Formatter).
        with frozen():
            self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_import_tool
            )
            self._pool.submit(int)  # starts the process (and its import) now, not at first use

    def start(self, service: ir.Service) -> Callable[[], str]:
        return _Job(service, self._memo).run(self._pool)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class _Job:
    """One provider's models: its input, its cache key, and where it is made."""

    def __init__(self, service: ir.Service, memo: dict[str, str] | None) -> None:
        from importlib.metadata import version

        # Imported here, not above: the pipeline forks the worker before it loads the rest of
        # the generator, so that the tool's import starts as early as it can.
        from .emit_schema import codegen_bundle
        from .view import header

        self.bundle, self.aliases = codegen_bundle(service)
        self.package = service.package
        self.file_header = header(service) + "\n" + _MODULE_DOC.format(title=service.title)
        self.memo = memo
        self.key = digest(
            f"datamodel-code-generator {version('datamodel-code-generator')}",
            _OPTIONS_SOURCE,  # this module: the options it calls the tool with are an input too
            json.dumps([self.bundle, self.aliases, self.package, self.file_header], sort_keys=True),
        )

    def run(self, pool: ProcessPoolExecutor | None) -> Callable[[], str]:
        if self.memo is not None and self.key in self.memo:
            known = self.memo[self.key]
            return lambda: known
        args = (self.package, self.bundle, self.aliases, self.file_header)
        if pool is None:
            source = self._remember(_generate(*args))
            return lambda: source
        future: Future[str] = pool.submit(_generate, *args)
        return lambda: self._remember(future.result())

    def _remember(self, source: str) -> str:
        if self.memo is not None:
            self.memo[self.key] = source
        return source


_WARM_UP = {"$defs": {"Warm": {"type": "object", "properties": {"a": {"type": "string"}}}}}
"""The least input the tool makes a model of."""


def _import_tool() -> None:
    """In the worker, before any job: the tool's imports, which cost most of a one-provider
    run. Most are made lazily inside its `generate`, so they are made by a run on the least
    input (a test holds the worker's output to the in-process one's)."""
    _generate("warm_up", _WARM_UP, {}, "")
    # The tool's modules, and the parent's objects it was forked with, last as long as the
    # worker: left out of its collections, which then walk only what a job makes.
    gc.collect()
    gc.freeze()


def _generate(
    package: str, bundle: dict[str, Any], aliases: dict[str, str], file_header: str
) -> str:
    # Imported here: it is the slowest import of the generator and `lint` does not need it.
    from datamodel_code_generator import generate
    from datamodel_code_generator._format_types import PythonVersion
    from datamodel_code_generator.enums import DataModelType, InputFileType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = generate(
            json.dumps(bundle),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            aliases=aliases,
            base_class=f"{package}._base.WireModel",
            custom_file_header=file_header,
            target_python_version=PythonVersion.PY_311,
            use_annotated=True,
            field_constraints=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            use_field_description=True,
            allow_population_by_field_name=True,
            enable_faux_immutability=True,
            disable_timestamp=True,
            skip_root_model=True,
            formatters=[],
        )
    assert isinstance(out, str)
    return out
