"""The view of `_types.py`: the scalar types a package's models use, and their imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir
from ..emit_schema import as_read, python_type_of
from ..kinds import CORE_SCHEMA, KINDS
from ..naming import open_type, unlisted_type
from .common import answer_enums, callback_shapes, dependency_order, snake


@dataclass(frozen=True)
class TypeMacro:
    """One call of a kind macro file (`templates/python/kinds/<kind>.j2`): its `macro`
    (None: `definition`) with `args`."""

    kind: str
    macro: str | None
    args: dict[str, Any]


@dataclass(frozen=True)
class FromImport:
    module: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class TypesView:
    modules: tuple[str, ...]  # `import <module>`, sorted
    from_imports: tuple[FromImport, ...]  # the standard library's, sorted by module
    pydantic: tuple[str, ...]
    pydantic_core: tuple[str, ...]
    definitions: tuple[TypeMacro, ...]
    model_enums: tuple[str, ...]  # what the open enums name, imported from models for mypy


def used_python_types(service: ir.Service) -> dict[str, ir.Scalar]:
    """Every `_types.py` type the package's models use, by name (sorted), with a scalar of it
    as its role reads it (an answer's amount of 32 bits is a `MinorUnits`, and defines one
    without that range)."""
    found: dict[str, ir.Scalar] = {}
    roots = [(m, m.role) for op in service.operations for m in (op.request, op.response)]
    roots += [(shape, "response") for shape in callback_shapes(service)]
    for message, role in roots:
        for shape in dependency_order(service, [message]):
            for f in [*shape.fields, *([shape.root] if shape.root else [])]:
                ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
                if isinstance(ref, ir.Scalar):
                    name, _ = python_type_of(service, ref, role, f.required)
                    found.setdefault(name, as_read(ref, role, f.required))
    return dict(sorted(found.items()))


def types_view(service: ir.Service) -> TypesView:
    definitions: list[TypeMacro] = []
    imports: set[str] = {"from typing import Annotated"}
    pydantic: set[str] = set()
    helpers_done: set[str] = set()
    for name, scalar in used_python_types(service).items():
        define = KINDS[scalar.kind].define
        assert define is not None, scalar.kind
        made = define(name, scalar.param_map, service.wire.text_pattern)
        if made.helpers is not None and made.helpers[0] not in helpers_done:
            template, args = made.helpers
            definitions.append(TypeMacro(template, "helpers", dict(args)))
            helpers_done.add(template)
        definitions.append(TypeMacro(made.template, None, dict(made.args)))
        imports |= made.imports
        pydantic |= made.pydantic
    for enum in answer_enums(service):
        refused = [v.wire for v in service.enum(enum).values] + [
            alias for alias, _ in service.enum(enum).decode_aliases
        ]
        definitions.append(
            TypeMacro(
                "open_enum",
                None,
                {
                    "name": unlisted_type(enum),
                    "enum": enum,
                    "refused": sorted(refused),
                    "snake": snake(unlisted_type(enum)),
                    "open": open_type(enum),
                },
            )
        )
        pydantic |= {"Field", "GetPydanticSchema", CORE_SCHEMA}
        imports.add("from typing import TYPE_CHECKING, Union")
    custom_error = any(  # the kinds whose checks are all pydantic-core's raise no custom error
        d.kind not in ("text", "bool", "int", "decimal", "money", "money_minor")
        and not (d.kind == "datetime" and d.macro is None)
        for d in definitions
    )
    core = tuple(
        n
        for n, wanted in (
            ("PydanticCustomError", custom_error),
            ("core_schema", CORE_SCHEMA in pydantic),
        )
        if wanted
    )
    pydantic.discard(CORE_SCHEMA)
    modules = sorted(line.removeprefix("import ") for line in imports if line.startswith("import "))
    names: dict[str, set[str]] = {}
    for line in imports:
        if line.startswith("from "):
            module, _, listed = line.removeprefix("from ").partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in listed.split(","))
    from_imports = tuple(
        FromImport(module, tuple(sorted(listed))) for module, listed in sorted(names.items())
    )
    return TypesView(
        tuple(modules),
        from_imports,
        tuple(sorted(pydantic)),
        core,
        tuple(definitions),
        tuple(answer_enums(service)),
    )
