"""The view of `filters.py`: typed builders for the OData `$filter` / `$orderby` query
parameters of list operations (rest-json)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..naming import constant

# Filter property kind -> (the Python type a comparison takes, the runtime's literal writer).
_FILTER_TYPES = {
    "string": ("str", "_text"),
    "int": ("int", "_int"),
    "decimal": ("Decimal | int | str", "_decimal"),
    "bool": ("bool", "_bool"),
    "date": ("date", "_date"),
}


@dataclass(frozen=True)
class PropertyView:
    name: str
    path: str
    python_type: str
    literal: str
    description: str


@dataclass(frozen=True)
class FilterExample:
    """The docstring's example: `first` compared to an enum member or value, `second` to a date."""

    first: str
    enum: str | None
    member: str | None
    second: str


@dataclass(frozen=True)
class FilterView:
    class_name: str
    operation: str
    param_name: str
    order_by_name: str | None
    source: str
    properties: tuple[PropertyView, ...]
    example: FilterExample


@dataclass(frozen=True)
class FiltersView:
    filters: tuple[FilterView, ...]
    enums: list[str]


def filters_view(service: ir.Service) -> FiltersView:
    filters = []
    enums: set[str] = set()
    for op in service.operations:
        if op.filter is None:
            continue
        param = op.request.field(op.filter.param)
        order_by = op.request.field(op.filter.order_by) if op.filter.order_by else None
        assert param is not None
        props = []
        for p in op.filter.properties:
            if p.kind == "enum":
                assert p.enum is not None
                enums.add(p.enum)
                python_type, literal = f"{p.enum} | str", "_enum"
            else:
                python_type, literal = _FILTER_TYPES[p.kind]
            props.append(PropertyView(p.name, p.path, python_type, literal, p.description))
        first = next((p for p in op.filter.properties if p.kind == "enum"), op.filter.properties[0])
        second = next(
            (p for p in op.filter.properties if p.kind == "date"), op.filter.properties[-1]
        )
        member = constant(service.enum(first.enum).values[0].name) if first.enum else None
        filters.append(
            FilterView(
                class_name=op.filter.class_name,
                operation=op.name,
                param_name=param.name,
                order_by_name=order_by.name if order_by else None,
                source=op.filter.source or op.source,
                properties=tuple(props),
                example=FilterExample(first.name, first.enum, member, second.name),
            )
        )
    return FiltersView(tuple(filters), sorted(enums))
