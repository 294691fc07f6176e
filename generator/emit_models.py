"""Pydantic models from the codegen bundle, by datamodel-code-generator (in-process, once per
provider).

The bundle (see `emit_schema.codegen_bundle`) already carries what shapes the output: the
package's scalar types (`customTypePath`), the rule base classes (`customBasePath`), enum member
names (`x-enum-varnames`) and the alias map from wire names to Python names. Every model
inherits `WireModel` (frozen, lazily built, input hidden from errors).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from . import ir
from .cache import digest
from .emit_schema import codegen_bundle
from .view import header

_MODULE_DOC = '''"""The request and response models of the {title}, and their enums.

Made by datamodel-code-generator from the JSON Schemas in ``schemas/``: each field has its
Python name and accepts its wire name; the scalar types come from ``_types.py`` and the
cross-field rules from ``_rules.py``.
"""'''


_OPTIONS_SOURCE = Path(__file__).read_text(encoding="utf-8")


def models_source(service: ir.Service, memo: dict[str, str] | None = None) -> str:
    """The models module (unformatted). `memo` maps an input digest to an earlier result."""
    from importlib.metadata import version

    bundle, aliases = codegen_bundle(service)
    file_header = header(service) + "\n" + _MODULE_DOC.format(title=service.title)
    key = digest(
        f"datamodel-code-generator {version('datamodel-code-generator')}",
        _OPTIONS_SOURCE,  # this module: the options it calls the tool with are an input too
        json.dumps([bundle, aliases, service.package, file_header], sort_keys=True),
    )
    if memo is not None and key in memo:
        return memo[key]
    source = _generate(service, bundle, aliases, file_header)
    if memo is not None:
        memo[key] = source
    return source


def _generate(
    service: ir.Service, bundle: dict[str, Any], aliases: dict[str, str], file_header: str
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
            base_class=f"{service.package}._base.WireModel",
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
