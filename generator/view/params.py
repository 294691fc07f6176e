"""The view of `params.py`: the dict form of every request model, as a `TypedDict` by Python
name, so that keyword arguments and plain dicts are checked by a type checker too.

An item is typed as the model's field is, except that an enum also takes its documented
values as `Literal` strings (``vat="21"`` as well as ``Vat.VAT_21``) and a nested model also
takes its own dict form. The models stay strict in what their attributes are; the dict forms
say what a call accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..emit_schema import python_type_of
from .common import dependency_order


@dataclass(frozen=True)
class ParamType:
    """What one item (or one list element) accepts: exactly one of `scalar` (a `_types`
    name), `enum` (with its wire values as literals), `shape` (a model or its dict form) or
    `item` (a list of those)."""

    scalar: str | None = None
    enum: str | None = None
    literals: tuple[str, ...] = ()
    shape: str | None = None
    shape_dict: str | None = None
    item: ParamType | None = None


@dataclass(frozen=True)
class ParamItem:
    name: str  # the Python name: the key of the dict and the keyword of the call
    wire: str
    type: ParamType
    required: bool
    description: str


@dataclass(frozen=True)
class DictView:
    name: str  # <Model>Dict
    model: str
    description: str
    items: tuple[ParamItem, ...]


@dataclass(frozen=True)
class ParamsView:
    dicts: tuple[DictView, ...]  # each after the dict forms it uses
    types: tuple[str, ...]  # imported from `_types`, sorted
    models: tuple[str, ...]  # enums and models imported from `models`, sorted
    literals: bool  # some enum takes literals


def dict_name(model: str) -> str:
    """The name of a model's dict form."""
    return model + "Dict"


def keyword_operation(op: ir.Operation) -> bool:
    """Whether an operation takes its request as keyword arguments too: it is an object
    (not a list or a text) with at least one field."""
    return op.request.root is None and bool(op.request.fields)


def _param_type(
    service: ir.Service, type_ref: ir.TypeRef, required: bool, used: set[str], types: set[str]
) -> ParamType:
    if isinstance(type_ref, ir.ListOf):
        # a list's scalar items are read as optional ones are (see SchemaEmitter.value)
        item_required = not isinstance(type_ref.item, ir.Scalar)
        return ParamType(item=_param_type(service, type_ref.item, item_required, used, types))
    if isinstance(type_ref, ir.EnumRef):
        used.add(type_ref.enum)
        values = tuple(v.wire for v in service.enum(type_ref.enum).values)
        return ParamType(enum=type_ref.enum, literals=values)
    if isinstance(type_ref, ir.ShapeRef):
        used.add(type_ref.shape)
        return ParamType(shape=type_ref.shape, shape_dict=dict_name(type_ref.shape))
    name, _ = python_type_of(service, type_ref, "request", required)
    types.add(name)
    return ParamType(scalar=name)


def params_view(service: ir.Service) -> ParamsView:
    roots = [op.request for op in service.operations if keyword_operation(op)]
    used: set[str] = set()
    types: set[str] = set()
    dicts = []
    for shape in dependency_order(service, roots):
        if shape.root is not None:
            continue
        items = tuple(
            ParamItem(
                name=f.name,
                wire=f.wire,
                type=_param_type(service, f.type, f.required, used, types),
                required=f.required,
                description=f.description,
            )
            for f in shape.fields
        )
        dicts.append(
            DictView(
                name=dict_name(shape.name),
                model=shape.name,
                description=f"`{shape.name}` as a dict, by Python name.",
                items=items,
            )
        )
    enums = {name for name in used if name in {e.name for e in service.enums}}
    return ParamsView(
        dicts=tuple(dicts),
        types=tuple(sorted(types)),
        models=tuple(sorted(used)),
        literals=bool(enums),
    )
