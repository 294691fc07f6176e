"""What building one provider shares: its sources, the problems found, the ledger references
and the symbol tables (enums, library fields, shapes) that later steps look names up in.

Every check reports a `Problem` at the offending position and building goes on, so that one
run lists everything wrong with a provider's specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import ir
from ..load import Document, PathKey, Problem, ProviderSources
from ..naming import did_you_mean, is_pascal, nearest


@dataclass
class Context:
    """The state one provider's build shares between its steps."""

    sources: ProviderSources
    problems: list[Problem] = field(default_factory=list)
    ledger_ids: set[str] = field(default_factory=set)
    ledger_refs: list[tuple[Document, PathKey, str]] = field(default_factory=list)
    discrepancies: tuple[ir.Discrepancy, ...] = ()
    enums: dict[str, ir.EnumType] = field(default_factory=dict)
    # wire name -> (document, path, raw entry) of the field library
    library: dict[str, tuple[Document, PathKey, dict[str, Any]]] = field(default_factory=dict)
    shapes: dict[str, ir.Shape] = field(default_factory=dict)
    # named shapes whose fields a protocol's per-field checks were given (see fields_to_check)
    fields_checked: dict[str, ir.Shape] = field(default_factory=dict)
    shape_sites: dict[str, tuple[Document, PathKey]] = field(default_factory=dict)
    # (document, path of the reference, field) for reference checks once all shapes are known
    type_sites: list[tuple[Document, PathKey, ir.Field]] = field(default_factory=list)
    # shapes that callbacks carry (read like answers)
    callback_shapes: set[str] = field(default_factory=set)
    # the file each operation was defined in
    operation_docs: dict[str, Document] = field(default_factory=dict)
    # a shape reference could not be resolved (unused-shape reports would then mislead)
    unresolved: bool = False

    @property
    def protocol(self) -> str | None:
        """The `protocol:` of service.yaml (None when there is no service document)."""
        service = self.sources.service
        if service is None or not isinstance(service.data, dict):
            return None
        value = service.data.get("protocol")
        return value if isinstance(value, str) else None

    def report(self, doc: Document, path: PathKey, message: str, *, at_key: bool = False) -> None:
        self.problems.append(doc.problem(path, message, at_key=at_key))

    def ledger(self, doc: Document, path: PathKey, value: Any) -> tuple[str, ...]:
        """Ledger ids referenced at `path` (one id or a list), remembered for checking."""
        ids = [value] if isinstance(value, str) else list(value or [])
        for i, ref in enumerate(ids):
            self.ledger_refs.append((doc, path if isinstance(value, str) else path + (i,), ref))
        return tuple(ids)

    def register_shape(self, doc: Document, path: PathKey, shape: ir.Shape) -> None:
        if not is_pascal(shape.name):
            self.report(doc, path + ("name",), f"shape name {shape.name!r} must be PascalCase")
        if shape.name in self.shapes or shape.name in self.enums:
            self.report(
                doc,
                path + ("name",),
                f"the name {shape.name!r} is already used by another shape or enum",
            )
        self.shapes[shape.name] = shape
        self.shape_sites[shape.name] = (doc, path)


def as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def first(values: tuple[str, ...]) -> str | None:
    return values[0] if values else None


def resolve_fields(ctx: Context, shape: ir.Shape, dotted: str) -> list[ir.Field] | None:
    """Fields along a dotted path (objects only); None when a segment does not exist."""
    current: ir.Shape | None = shape
    chain: list[ir.Field] = []
    for segment in dotted.split("."):
        if current is None:
            return None
        f = current.field(segment)
        if f is None:
            return None
        chain.append(f)
        current = ctx.shapes.get(f.type.shape) if isinstance(f.type, ir.ShapeRef) else None
    return chain


def field_hint(shape: ir.Shape, wire: object) -> str:
    """`"; did you mean 'UUID'?"` for a wire name `shape` lacks but has one close to."""
    return did_you_mean(wire, [f.wire for f in shape.wire_fields])


def segment_hint(shape: ir.Shape, segment: str) -> str:
    """`field_hint` for a path segment that may end in `[]` (each item of a list), kept."""
    wire, brackets = (segment[:-2], "[]") if segment.endswith("[]") else (segment, "")
    match = nearest(wire, [f.wire for f in shape.wire_fields])
    return f"; did you mean {match + brackets!r}?" if match is not None else ""


def path_hint(ctx: Context, shape: ir.Shape, dotted: str) -> str:
    """For a dotted path that does not resolve: the path with its first missing segment
    replaced by the nearest field of that place (`"; did you mean 'a.UUID'?"`), or ""."""
    current: ir.Shape | None = shape
    segments = dotted.split(".")
    for i, segment in enumerate(segments):
        if current is None:
            return ""
        f = current.field(segment)
        if f is None:
            match = nearest(segment, [w.wire for w in current.wire_fields])
            if match is None:
                return ""
            return f"; did you mean {'.'.join([*segments[:i], match, *segments[i + 1 :]])!r}?"
        current = ctx.shapes.get(f.type.shape) if isinstance(f.type, ir.ShapeRef) else None
    return ""
