"""Enums, the field library, fields, their types and the named shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import ir, protocols
from ..kinds import DATE_FORMATS, KINDS, STRUCTURED_KINDS, pattern_problems
from ..load import Document, PathKey
from ..naming import CALL_KEYWORDS, RESERVED_ATTRIBUTES, did_you_mean, is_pascal, is_snake
from .context import Context, as_tuple

# Keys a field that uses a library definition may set: presence, documentation and narrower
# constraints. Its identity and type come from the library.
_USE_OVERRIDES = frozenset(
    {
        "use",
        "required",
        "required_when",
        "description",
        "note",
        "source",
        "ledger",
        "codes",
        "min_length",
        "max_length",
        "pattern",
        "pattern_description",
        "minimum",
        "maximum",
        "in",
    }
)

Reporter = Callable[..., None]


def build_enums(ctx: Context) -> None:
    doc = ctx.sources.fields
    if doc is None:
        return
    for i, entry in enumerate(doc.data.get("enums", [])):
        base: PathKey = ("enums", i)
        name = entry["name"]
        if not is_pascal(name):
            ctx.report(doc, base + ("name",), f"enum name {name!r} must be PascalCase")
        if name in ctx.enums:
            ctx.report(doc, base + ("name",), f"duplicate enum {name!r}")
        wires: set[str] = set()
        names: set[str] = set()
        values = []
        for j, value in enumerate(entry["values"]):
            vpath = base + ("values", j)
            if value["wire"] in wires:
                ctx.report(
                    doc, vpath + ("wire",), f"enum {name}: duplicate wire value {value['wire']!r}"
                )
            if not is_snake(value["name"]):
                ctx.report(
                    doc,
                    vpath + ("name",),
                    f"enum {name}: member name {value['name']!r} must be snake_case",
                )
            if value["name"] in names:
                ctx.report(
                    doc, vpath + ("name",), f"enum {name}: duplicate member name {value['name']!r}"
                )
            wires.add(value["wire"])
            names.add(value["name"])
            values.append(
                ir.EnumValue(
                    value["wire"], value["name"], value.get("description", ""), doc.mark(vpath)
                )
            )
        aliases = entry.get("decode_aliases", {})
        for alias, target in aliases.items():
            if target not in wires:
                ctx.report(
                    doc,
                    base + ("decode_aliases", alias),
                    f"enum {name}: decode alias {alias!r} points at {target!r}, which is not one "
                    f"of its values",
                )
            if alias in wires:
                ctx.report(
                    doc,
                    base + ("decode_aliases", alias),
                    f"enum {name}: decode alias {alias!r} is already a value",
                    at_key=True,
                )
        ctx.enums[name] = ir.EnumType(
            name=name,
            values=tuple(values),
            description=entry.get("description", ""),
            decode_aliases=tuple(sorted(aliases.items())),
            ledger=ctx.ledger(doc, base + ("ledger",), entry.get("ledger")),
            mark=doc.mark(base),
        )


def build_library(ctx: Context) -> None:
    doc = ctx.sources.fields
    if doc is None:
        return
    for i, entry in enumerate(doc.data.get("fields", [])):
        path: PathKey = ("fields", i)
        if "use" in entry:
            ctx.report(
                doc, path + ("use",), "library fields are definitions; 'use' is not allowed here"
            )
            continue
        wire = entry["wire"]
        if wire in ctx.library:
            ctx.report(doc, path + ("wire",), f"field library defines {wire!r} twice")
        ctx.library[wire] = (doc, path, entry)
        build_field(ctx, doc, path, entry, in_message=True)


def build_shapes(ctx: Context) -> None:
    doc = ctx.sources.shapes
    if doc is None:
        return
    for i, entry in enumerate(doc.data.get("shapes", [])):
        path: PathKey = ("shapes", i)
        shape = build_shape(ctx, doc, path, entry, role="shape")
        ctx.register_shape(doc, path, shape)


def build_field(
    ctx: Context, doc: Document, path: PathKey, raw: dict[str, Any], *, in_message: bool
) -> ir.Field | None:
    entry = dict(raw)
    # Where each key was written: its own mapping, or the library entry it comes from.
    sites: dict[str, tuple[Document, PathKey]] = {key: (doc, path) for key in raw}
    if "use" in raw:
        ref = raw["use"]
        if ref not in ctx.library:
            known = ", ".join(sorted(ctx.library)) or "none"
            ctx.report(
                doc,
                path + ("use",),
                f"field 'use: {ref}' names no library field (library has: {known})"
                + did_you_mean(ref, ctx.library),
            )
            return None
        for key in raw:
            if key not in _USE_OVERRIDES:
                ctx.report(
                    doc,
                    path + (key,),
                    f"field {ref!r}: {key!r} cannot be overridden where a library field is used "
                    f"(change the library entry, or define the field here in full)",
                    at_key=True,
                )
        lib_doc, lib_path, lib_entry = ctx.library[ref]
        sites = {key: (lib_doc, lib_path) for key in lib_entry} | {
            k: v for k, v in sites.items() if k != "use"
        }
        entry = {**lib_entry, **{k: v for k, v in raw.items() if k != "use"}}
    if "derived" in entry:
        derived = ir.Derived(entry["derived"]["digest"], entry["derived"]["of"])
        return ir.Field(
            wire=entry["wire"],
            name="",
            type=ir.Scalar("string"),
            required=False,
            description=entry.get("description", ""),
            derived=derived,
            mark=doc.mark(path),
        )
    wire, name = entry["wire"], entry["name"]
    label = f"field {wire!r}"

    def report(key: str, message: str, *, at_key: bool = False) -> None:
        site_doc, site_path = sites.get(key, (doc, path))
        ctx.report(
            site_doc, site_path + (key,) if key in sites else site_path, message, at_key=at_key
        )

    if not is_snake(name) or name in RESERVED_ATTRIBUTES or name.startswith("model_"):
        report(
            "name",
            f"{label}: Python name {name!r} must be a snake_case identifier, not a keyword or "
            f"pydantic attribute",
        )
    if "required_when" in entry and not in_message:
        report(
            "required_when",
            f"{label}: required_when is only allowed on a message's own fields; "
            "inside shapes write a message rule with `in:`",
            at_key=True,
        )
    if entry.get("required") and "required_when" in entry:
        report("required_when", f"{label}: is both required and required_when", at_key=True)
    type_ref = build_type(entry, label, report, ctx.enums)
    _check_carried(ctx, type_ref, entry, label, report)
    codes = entry.get("codes", {})
    ledger_doc, ledger_path = sites.get("ledger", (doc, path))
    result = ir.Field(
        wire=wire,
        name=name,
        type=type_ref,
        required=bool(entry.get("required", False)),
        description=entry.get("description", ""),
        note=entry.get("note", ""),
        source=entry.get("source", ""),
        ledger=ctx.ledger(ledger_doc, ledger_path + ("ledger",), entry.get("ledger")),
        codes=ir.FieldCodes(
            missing=as_tuple(codes.get("missing")),
            invalid=as_tuple(codes.get("invalid")),
            server=as_tuple(codes.get("server")),
        ),
        mark=doc.mark(path),
        location=entry.get("in", "body"),
        fallback_of=entry["fallback"]["mime_type_of"] if "fallback" in entry else None,
        fallback_types=tuple(sorted(entry["fallback"]["types"].items()))
        if "fallback" in entry
        else (),
        library_mark=ctx.library[raw["use"]][0].mark(ctx.library[raw["use"]][1])
        if "use" in raw
        else None,
    )
    if "in" in entry and not in_message:
        report(
            "in",
            f"{label}: 'in' places a request field in the path, query or headers; shapes are "
            f"bodies",
            at_key=True,
        )
    # Unresolved references are reported where the reference is written.
    ref_key = next((k for k in ("enum", "shape", "of") if k in sites), None)
    ref_doc, ref_path = sites[ref_key] if ref_key else (doc, path)
    ctx.type_sites.append((ref_doc, ref_path + (ref_key,) if ref_key else ref_path, result))
    return result


def _check_carried(
    ctx: Context, type_ref: ir.TypeRef, entry: dict[str, Any], label: str, report: Reporter
) -> None:
    """A scalar kind must be one the protocol's wire can carry (its codec templates have it),
    and its parameters ones the protocol's codecs honour."""
    protocol = protocols.find(ctx.protocol)
    scalar = type_ref.item if isinstance(type_ref, ir.ListOf) else type_ref
    if protocol is None or not isinstance(scalar, ir.Scalar):
        return
    if scalar.kind not in protocol.KINDS:
        carried = ", ".join(sorted(protocol.KINDS))
        key = "of" if isinstance(type_ref, ir.ListOf) else "type"
        report(
            key,
            f"{label}: the {protocol.NAME} protocol cannot carry type {scalar.kind!r} (it carries: "
            f"{carried})",
        )
        return
    refused = protocol.REFUSED_PARAMS.get(scalar.kind, {})
    for key in sorted(set(refused) & set(entry)):
        report(
            key,
            f"{label}: the {protocol.NAME} protocol cannot carry {key!r} of type {scalar.kind!r} "
            f"({refused[key]})",
            at_key=True,
        )


def build_type(
    entry: dict[str, Any], label: str, report: Reporter, enums: dict[str, ir.EnumType]
) -> ir.TypeRef:
    type_name = entry["type"]
    allowed = KINDS[type_name].params if type_name in KINDS else STRUCTURED_KINDS[type_name]
    all_params = {p for k in KINDS.values() for p in k.params} | {
        p for s in STRUCTURED_KINDS.values() for p in s
    }
    for key in entry:
        if key in all_params and key not in allowed:
            takes = ", ".join(sorted(allowed)) or "no parameters"
            report(
                key,
                f"{label}: {key!r} does not apply to type {type_name!r} (it takes: {takes})",
                at_key=True,
            )
    if type_name == "enum":
        if "enum" not in entry:
            report("type", f"{label}: type 'enum' needs 'enum: <EnumName>'")
        return ir.EnumRef(entry.get("enum", ""))
    if type_name == "object":
        if "shape" not in entry:
            report("type", f"{label}: type 'object' needs 'shape: <ShapeName>'")
        return ir.ShapeRef(entry.get("shape", ""))
    if type_name == "list":
        if "of" not in entry:
            report("type", f"{label}: type 'list' needs 'of: <ShapeName, EnumName or scalar type>'")
        of = entry.get("of", "")
        item: ir.Scalar | ir.EnumRef | ir.ShapeRef
        if of in KINDS:
            item = ir.Scalar(of)
        elif of in enums:
            item = ir.EnumRef(of)
        else:
            item = ir.ShapeRef(of)
        lo, hi = entry.get("min_items"), entry.get("max_items")
        if lo is not None and hi is not None and lo > hi:
            report("min_items", f"{label}: min_items {lo} is above max_items {hi}")
        return ir.ListOf(item, entry.get("item_wire"), lo, hi)
    params = {k: entry[k] for k in sorted(allowed) if k in entry}
    if type_name == "bool":
        params.setdefault("wire_true", "true")
        params.setdefault("wire_false", "false")
        params = dict(sorted(params.items()))
        if params["wire_false"] is None and entry.get("required"):
            report(
                "wire_false",
                f"{label}: a required bool needs a wire form for False ('wire_false: null' sends "
                f"nothing)",
                at_key=True,
            )
    for lo_key, hi_key in (("min_length", "max_length"), ("minimum", "maximum")):
        lo, hi = params.get(lo_key), params.get(hi_key)
        if lo is not None and hi is not None and lo > hi:
            report(lo_key, f"{label}: {lo_key} {lo} is above {hi_key} {hi}")
    if "pattern" in params:
        for why in pattern_problems(params["pattern"]):
            report("pattern", f"{label}: pattern {params['pattern']!r} {why}")
    if type_name == "date" and "format" not in params:
        report(
            "type", f"{label}: type 'date' needs a wire 'format' (one of {', '.join(DATE_FORMATS)})"
        )
    return ir.Scalar(type_name, tuple(params.items()))


def build_shape(
    ctx: Context, doc: Document, path: PathKey, entry: dict[str, Any], *, role: str
) -> ir.Shape:
    fields: list[ir.Field] = []
    wires: dict[str, PathKey] = {}
    names: dict[str, PathKey] = {}
    in_message = role != "shape"
    for i, raw in enumerate(entry.get("fields", [])):
        fpath = path + ("fields", i)
        built = build_field(ctx, doc, fpath, raw, in_message=in_message)
        if built is None:
            continue
        if built.fallback_of is not None and not any(
            r.get("wire") == built.fallback_of or r.get("use") == built.fallback_of
            for r in entry.get("fields", [])
        ):
            ctx.report(
                doc,
                fpath + ("fallback",),
                f"field {built.wire!r}: fallback names no field {built.fallback_of!r} of "
                f"{entry['name']}"
                + did_you_mean(
                    built.fallback_of,
                    [str(r.get("wire") or r.get("use")) for r in entry.get("fields", [])],
                ),
            )
        if built.wire in wires:
            ctx.report(doc, fpath, f"{entry['name']}: wire name {built.wire!r} appears twice")
        elif built.name in names:
            ctx.report(doc, fpath, f"{entry['name']}: Python name {built.name!r} appears twice")
        if role == "request" and built.name in CALL_KEYWORDS and "name" in raw:
            ctx.report(
                doc,
                fpath + ("name",),
                f"field {built.wire!r}: Python name {built.name!r} is a parameter of every "
                f"client method (the fields are its keywords too); choose another",
            )
        wires[built.wire] = fpath
        if built.derived is None:
            names[built.name] = fpath
        fields.append(built)
    for i, f in enumerate(fields):
        if f.derived is not None:
            source = next((g for g in fields if g.wire == f.derived.of), None)
            if source is None or not (
                isinstance(source.type, ir.Scalar) and source.type.kind == "base64"
            ):
                ctx.report(
                    doc,
                    path + ("fields", i, "derived", "of"),
                    f"field {f.wire!r}: derived from {f.derived.of!r}, which must be a base64 "
                    f"field of {entry['name']}",
                )
    return ir.Shape(
        name=entry["name"],
        wire_fields=tuple(fields),
        description=entry.get("description", ""),
        source=entry.get("source", ""),
        role=role,
        mark=doc.mark(path),
    )
