"""Build the intermediate model from loaded spec documents, checking what the meta-schema cannot.

Every check reports a `Problem` at the offending position and building goes on, so that one
run lists everything wrong with a provider's specs. `build_service` returns None when anything
was wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import ir
from .changelog import build_releases
from .kinds import DATE_FORMATS, KINDS, STRUCTURED_KINDS, pattern_problems
from .load import Document, PathKey, Problem, ProviderSources
from .naming import RESERVED_ATTRIBUTES, is_pascal, is_snake

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
_SEGMENT = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_-]*)(\[\])?$")
_EDIT_SEGMENT = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_-]*)(\[[0-9]+\])?$")


class _Builder:
    def __init__(self, sources: ProviderSources) -> None:
        self.sources = sources
        self.problems: list[Problem] = []
        self.ledger_ids: set[str] = set()
        self.ledger_refs: list[tuple[Document, PathKey, str]] = []
        self.enums: dict[str, ir.EnumType] = {}
        self.library: dict[str, tuple[Document, PathKey, dict[str, Any]]] = {}
        self.shape_sites: dict[str, tuple[Document, PathKey]] = {}
        self.shapes: dict[str, ir.Shape] = {}
        # (document, path of the field, field) for reference checks once all shapes are known
        self.type_sites: list[tuple[Document, PathKey, ir.Field]] = []
        self.callback_shapes: set[str] = set()

    # -- reporting -------------------------------------------------------------------------

    def report(self, doc: Document, path: PathKey, message: str, *, at_key: bool = False) -> None:
        self.problems.append(doc.problem(path, message, at_key=at_key))

    def _mock_state(
        self, doc: Document, mock: dict[str, Any], operations: list[ir.Operation], tables: list[ir.ErrorTable]
    ) -> tuple[ir.MockState, ...]:
        """The `mock:` section: its codes name documented errors (or, for rest-json, HTTP
        statuses), its operations exist and its paths lead to fields."""
        known = {c.code for t in tables for c in t.codes}
        by_name = {op.name: op for op in operations}

        def code_ok(path: PathKey, code: str) -> None:
            if code not in known and not (code.isdigit() and 400 <= int(code) <= 599):
                self.report(doc, path, f"mock code {code!r} is in no error table (and is no HTTP error status)")

        def path_ok(where: PathKey, shape: ir.Shape, path: tuple[str, ...]) -> None:
            current: ir.Shape | None = shape
            for step in path:
                f = current.field(step) if current is not None else None
                if f is None:
                    self.report(doc, where, f"{'.'.join(path)!r}: no field {step!r} in {shape.name}")
                    return
                ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
                current = self.shapes.get(ref.shape) if isinstance(ref, ir.ShapeRef) else None

        for key in ("unauthorized", "invalid"):
            if key in mock:
                code_ok(("mock", key), mock[key])
        states = []
        for i, raw in enumerate(mock.get("state", [])):
            at: PathKey = ("mock", "state", i)
            for key in ("unknown", "used_twice"):
                if key in raw:
                    code_ok(at + (key,), raw[key])
            (issuer, issued), = raw["issued_by"].items()
            resource = raw.get("resource", {})
            for key in ("read_by", "patched_by", "deleted_by", "listed_by"):
                for name in resource.get(key, ()):
                    if name not in by_name:
                        self.report(doc, at + ("resource", key), f"mock state {raw['name']!r}: no operation {name!r}")
            users = []
            for name, path in [(issuer, issued), *raw["used_by"].items()]:
                op = by_name.get(name)
                if op is None:
                    if not self.problems:  # else it is likely a follow-on of a problem reported
                        self.report(doc, at, f"mock state {raw['name']!r}: no operation {name!r}")
                    continue
                steps = () if path == "." else tuple(path.split("."))
                if name == issuer and path == issued:
                    if steps:
                        path_ok(at + ("issued_by",), op.response, steps)
                else:
                    path_ok(at + ("used_by", name), op.request, steps)
                    users.append((name, steps))
            states.append(
                ir.MockState(
                    name=raw["name"],
                    description=raw["description"],
                    issuer=issuer,
                    issued_at=() if issued == "." else tuple(issued.split(".")),
                    users=tuple(users),
                    unknown=raw["unknown"],
                    used_twice=raw.get("used_twice"),
                    ledger=self.ledger(doc, at + ("ledger",), raw.get("ledger")),
                    resource_id=resource.get("id"),
                    read_by=tuple(resource.get("read_by", ())),
                    patched_by=tuple(resource.get("patched_by", ())),
                    deleted_by=tuple(resource.get("deleted_by", ())),
                    listed_by=tuple(resource.get("listed_by", {}).items()),
                )
            )
        return tuple(states)

    def ledger(self, doc: Document, path: PathKey, value: Any) -> tuple[str, ...]:
        """Ledger ids referenced at `path` (one id or a list), remembered for checking."""
        ids = [value] if isinstance(value, str) else list(value or [])
        for i, ref in enumerate(ids):
            self.ledger_refs.append((doc, path if isinstance(value, str) else path + (i,), ref))
        return tuple(ids)

    # -- top level -------------------------------------------------------------------------

    def build(self) -> ir.Service | None:
        src = self.sources
        if src.service is None or not isinstance(src.service.data, dict):
            return None
        self._discrepancies()
        self._enums()
        self._library()
        self._shapes()
        operations = self._operations()
        error_tables = self._error_tables()
        service = self._service(operations, error_tables)
        self._check_types()
        self._check_usage(operations)
        self._check_ledger()
        if service is not None:
            self._check_service_links(service)
        return None if self.problems else service

    def _discrepancies(self) -> list[ir.Discrepancy]:
        doc = self.sources.discrepancies
        found: list[ir.Discrepancy] = []
        if doc is None:
            return found
        for i, entry in enumerate(doc.data.get("discrepancies", [])):
            if entry["id"] in self.ledger_ids:
                self.report(doc, ("discrepancies", i, "id"), f"duplicate ledger id {entry['id']!r}")
            self.ledger_ids.add(entry["id"])
            found.append(
                ir.Discrepancy(
                    id=entry["id"],
                    where=entry["where"],
                    document_says=entry["document_says"],
                    decision=entry["decision"],
                    other_says=entry.get("other_says", ""),
                    status=entry.get("status", "decided"),
                    mark=doc.mark(("discrepancies", i)),
                )
            )
        self.discrepancies = tuple(found)
        return found

    def _enums(self) -> None:
        doc = self.sources.fields
        if doc is None:
            return
        for i, entry in enumerate(doc.data.get("enums", [])):
            base: PathKey = ("enums", i)
            name = entry["name"]
            if not is_pascal(name):
                self.report(doc, base + ("name",), f"enum name {name!r} must be PascalCase")
            if name in self.enums:
                self.report(doc, base + ("name",), f"duplicate enum {name!r}")
            wires: set[str] = set()
            names: set[str] = set()
            values = []
            for j, value in enumerate(entry["values"]):
                vpath = base + ("values", j)
                if value["wire"] in wires:
                    self.report(doc, vpath + ("wire",), f"enum {name}: duplicate wire value {value['wire']!r}")
                if not is_snake(value["name"]):
                    self.report(
                        doc, vpath + ("name",), f"enum {name}: member name {value['name']!r} must be snake_case"
                    )
                if value["name"] in names:
                    self.report(doc, vpath + ("name",), f"enum {name}: duplicate member name {value['name']!r}")
                wires.add(value["wire"])
                names.add(value["name"])
                values.append(ir.EnumValue(value["wire"], value["name"], value.get("description", ""), doc.mark(vpath)))
            aliases = entry.get("decode_aliases", {})
            for alias, target in aliases.items():
                if target not in wires:
                    self.report(
                        doc,
                        base + ("decode_aliases", alias),
                        f"enum {name}: decode alias {alias!r} points at {target!r}, which is not one of its values",
                    )
                if alias in wires:
                    self.report(
                        doc,
                        base + ("decode_aliases", alias),
                        f"enum {name}: decode alias {alias!r} is already a value",
                        at_key=True,
                    )
            self.enums[name] = ir.EnumType(
                name=name,
                values=tuple(values),
                description=entry.get("description", ""),
                decode_aliases=tuple(sorted(aliases.items())),
                ledger=self.ledger(doc, base + ("ledger",), entry.get("ledger")),
                mark=doc.mark(base),
            )

    def _library(self) -> None:
        doc = self.sources.fields
        if doc is None:
            return
        for i, entry in enumerate(doc.data.get("fields", [])):
            path: PathKey = ("fields", i)
            if "use" in entry:
                self.report(doc, path + ("use",), "library fields are definitions; 'use' is not allowed here")
                continue
            wire = entry["wire"]
            if wire in self.library:
                self.report(doc, path + ("wire",), f"field library defines {wire!r} twice")
            self.library[wire] = (doc, path, entry)
            self._field(doc, path, entry, in_message=True)

    def _shapes(self) -> None:
        doc = self.sources.shapes
        if doc is None:
            return
        for i, entry in enumerate(doc.data.get("shapes", [])):
            path: PathKey = ("shapes", i)
            shape = self._shape(doc, path, entry, role="shape")
            if shape is not None:
                self._register_shape(doc, path, shape)

    def _register_shape(self, doc: Document, path: PathKey, shape: ir.Shape) -> None:
        if not is_pascal(shape.name):
            self.report(doc, path + ("name",), f"shape name {shape.name!r} must be PascalCase")
        if shape.name in self.shapes or shape.name in self.enums:
            self.report(doc, path + ("name",), f"the name {shape.name!r} is already used by another shape or enum")
        self.shapes[shape.name] = shape
        self.shape_sites[shape.name] = (doc, path)

    # -- fields and shapes -----------------------------------------------------------------

    def _field(self, doc: Document, path: PathKey, raw: dict[str, Any], *, in_message: bool) -> ir.Field | None:
        entry = dict(raw)
        # Where each key was written: its own mapping, or the library entry it comes from.
        sites: dict[str, tuple[Document, PathKey]] = {key: (doc, path) for key in raw}
        if "use" in raw:
            ref = raw["use"]
            if ref not in self.library:
                known = ", ".join(sorted(self.library)) or "none"
                self.report(doc, path + ("use",), f"field 'use: {ref}' names no library field (library has: {known})")
                return None
            for key in raw:
                if key not in _USE_OVERRIDES:
                    self.report(
                        doc,
                        path + (key,),
                        f"field {ref!r}: {key!r} cannot be overridden where a library field is used "
                        f"(change the library entry, or define the field here in full)",
                        at_key=True,
                    )
            lib_doc, lib_path, lib_entry = self.library[ref]
            sites = {key: (lib_doc, lib_path) for key in lib_entry} | {k: v for k, v in sites.items() if k != "use"}
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
            self.report(site_doc, site_path + (key,) if key in sites else site_path, message, at_key=at_key)

        if not is_snake(name) or name in RESERVED_ATTRIBUTES or name.startswith("model_"):
            report("name", f"{label}: Python name {name!r} must be a snake_case identifier, not a keyword or pydantic attribute")
        if "required_when" in entry and not in_message:
            report(
                "required_when",
                f"{label}: required_when is only allowed on a message's own fields; "
                "inside shapes write a message rule with `in:`",
                at_key=True,
            )
        if entry.get("required") and "required_when" in entry:
            report("required_when", f"{label}: is both required and required_when", at_key=True)
        type_ref = self._type(entry, label, report)
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
            ledger=self.ledger(ledger_doc, ledger_path + ("ledger",), entry.get("ledger")),
            codes=ir.FieldCodes(
                missing=_as_tuple(codes.get("missing")), invalid=_as_tuple(codes.get("invalid"))
            ),
            mark=doc.mark(path),
            location=entry.get("in", "body"),
            fallback_of=entry["fallback"]["mime_type_of"] if "fallback" in entry else None,
            fallback_types=tuple(sorted(entry["fallback"]["types"].items())) if "fallback" in entry else (),
            library_mark=self.library[raw["use"]][0].mark(self.library[raw["use"]][1]) if "use" in raw else None,
        )
        if "in" in entry and not in_message:
            report("in", f"{label}: 'in' places a request field in the path, query or headers; shapes are bodies", at_key=True)
        # Unresolved references are reported where the reference is written.
        ref_key = next((k for k in ("enum", "shape", "of") if k in sites), None)
        ref_doc, ref_path = sites[ref_key] if ref_key else (doc, path)
        self.type_sites.append((ref_doc, ref_path + (ref_key,) if ref_key else ref_path, result))
        return result

    def _type(self, entry: dict[str, Any], label: str, report: Any) -> ir.TypeRef:
        type_name = entry["type"]
        allowed = KINDS[type_name].params if type_name in KINDS else STRUCTURED_KINDS[type_name]
        all_params = {p for k in KINDS.values() for p in k.params} | {
            p for s in STRUCTURED_KINDS.values() for p in s
        }
        for key in entry:
            if key in all_params and key not in allowed:
                takes = ", ".join(sorted(allowed)) or "no parameters"
                report(key, f"{label}: {key!r} does not apply to type {type_name!r} (it takes: {takes})", at_key=True)
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
            elif of in self.enums:
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
        for lo_key, hi_key in (("min_length", "max_length"), ("minimum", "maximum")):
            lo, hi = params.get(lo_key), params.get(hi_key)
            if lo is not None and hi is not None and lo > hi:
                report(lo_key, f"{label}: {lo_key} {lo} is above {hi_key} {hi}")
        if "pattern" in params:
            for why in pattern_problems(params["pattern"]):
                report("pattern", f"{label}: pattern {params['pattern']!r} {why}")
        if type_name == "date" and "format" not in params:
            report("type", f"{label}: type 'date' needs a wire 'format' (one of {', '.join(DATE_FORMATS)})")
        return ir.Scalar(type_name, tuple(params.items()))

    def _shape(self, doc: Document, path: PathKey, entry: dict[str, Any], *, role: str) -> ir.Shape | None:
        fields: list[ir.Field] = []
        wires: dict[str, PathKey] = {}
        names: dict[str, PathKey] = {}
        in_message = role != "shape"
        for i, raw in enumerate(entry.get("fields", [])):
            fpath = path + ("fields", i)
            built = self._field(doc, fpath, raw, in_message=in_message)
            if built is None:
                continue
            if built.fallback_of is not None and not any(
                r.get("wire") == built.fallback_of or r.get("use") == built.fallback_of for r in entry.get("fields", [])
            ):
                self.report(doc, fpath + ("fallback",), f"field {built.wire!r}: fallback names no field {built.fallback_of!r} of {entry['name']}")
            if built.wire in wires:
                self.report(doc, fpath, f"{entry['name']}: wire name {built.wire!r} appears twice")
            elif built.name in names:
                self.report(doc, fpath, f"{entry['name']}: Python name {built.name!r} appears twice")
            wires[built.wire] = fpath
            if built.derived is None:
                names[built.name] = fpath
            fields.append(built)
        for i, f in enumerate(fields):
            if f.derived is not None:
                source = next((g for g in fields if g.wire == f.derived.of), None)
                if source is None or not (isinstance(source.type, ir.Scalar) and source.type.kind == "base64"):
                    self.report(doc, path + ("fields", i, "derived", "of"), f"field {f.wire!r}: derived from {f.derived.of!r}, which must be a base64 field of {entry['name']}")
        shape = ir.Shape(
            name=entry["name"],
            wire_fields=tuple(fields),
            description=entry.get("description", ""),
            source=entry.get("source", ""),
            role=role,
            mark=doc.mark(path),
        )
        return shape

    # -- operations ------------------------------------------------------------------------

    def _operations(self) -> list[ir.Operation]:
        ops: list[ir.Operation] = []
        seen_names: dict[str, Document] = {}
        seen_paths: dict[str, Document] = {}
        for doc in self.sources.operations:
            if not isinstance(doc.data, dict):
                continue
            data = doc.data
            if not is_snake(data["name"]):
                self.report(doc, ("name",), f"operation name {data['name']!r} must be snake_case")
            if data["name"] in seen_names:
                self.report(doc, ("name",), f"operation {data['name']!r} is also defined in {seen_names[data['name']].path}")
            route = data.get("method", "POST") + " " + data["path"] + repr(sorted(data.get("constants", {}).items()))
            if route in seen_paths:
                self.report(doc, ("path",), f"path {data['path']!r} with the same method and constants is also used by {seen_paths[route].path}")
            seen_names[data["name"]] = doc
            seen_paths[route] = doc
            messages: dict[str, ir.Shape] = {}
            for role in ("request", "response"):
                mpath: PathKey = (role,)
                shape = self._shape(doc, mpath, data[role], role=role)
                if shape is None:
                    continue
                rules = self._message_rules(doc, mpath, data[role], shape)
                root = None
                if "root" in data[role]:
                    raw_root = data[role]["root"]
                    entry = {"wire": ".", "name": raw_root.get("name", "items"), "type": raw_root["type"], "required": True,
                             "description": raw_root.get("description", "")}
                    if "of" in raw_root:
                        entry["of" if raw_root["type"] == "list" else "shape"] = raw_root["of"]
                    root = self._field(doc, mpath + ("root",), entry, in_message=True)
                shape = ir.Shape(shape.name, shape.wire_fields, shape.description, data["source"], tuple(rules), role, root, shape.mark)
                self._register_shape(doc, mpath, shape)
                messages[role] = shape
            if len(messages) < 2:
                continue
            outcomes = self._outcomes(doc, data, messages["response"])
            examples = self._examples(doc, data, outcomes)
            retry = None
            if "retry" in data:
                raw_retry = data["retry"]
                if messages["request"].field(raw_retry["idempotency"]) is None:
                    self.report(doc, ("retry", "idempotency"), f"retry: {messages['request'].name} has no field {raw_retry['idempotency']!r} to keep retries from doing the work twice")
                retry = ir.Retry(raw_retry["on"], raw_retry["attempts"], raw_retry["idempotency"], self.ledger(doc, ("retry", "ledger"), raw_retry.get("ledger")))
            text_answer = None
            if "text_answer" in data:
                root = messages["response"].root
                protocol = self.sources.service.data.get("protocol") if self.sources.service else None
                if protocol != "json" or root is None or not (isinstance(root.type, ir.Scalar) and root.type.kind == "string"):
                    self.report(doc, ("text_answer",), "text_answer needs a JSON protocol and a response whose root is a string", at_key=True)
                text_answer = self.ledger(doc, ("text_answer", "ledger"), data["text_answer"]["ledger"])
            rest = (self.sources.service.data.get("protocol") if self.sources.service else None) == "rest-json"
            self._check_locations(doc, data, messages, rest)
            paging = self._paging(doc, data, messages) if "paging" in data else None
            op_filter = self._filter(doc, data, messages) if "filter" in data else None
            extra = data["request"].get("extra_fields", {})
            extra_fields = tuple(ir.ExtraField(e["wire"], e["description"]) for e in extra.get("fields", []))
            for i, e in enumerate(extra_fields):
                if messages["request"].field(e.wire) is not None:
                    self.report(doc, ("request", "extra_fields", "fields", i, "wire"), f"extra field {e.wire!r} is already a field of {messages['request'].name}")
            ops.append(
                ir.Operation(
                    name=data["name"],
                    title=data["title"],
                    path=data["path"],
                    source=data["source"],
                    summary=data["summary"],
                    description=data.get("description", ""),
                    constants=tuple(data.get("constants", {}).items()),
                    request=messages["request"],
                    response=messages["response"],
                    outcomes=tuple(outcomes),
                    errors=data["errors"],
                    examples=tuple(examples),
                    ledger=self.ledger(doc, ("ledger",), data.get("ledger")),
                    retry=retry,
                    extra_fields=extra_fields,
                    extra_ledger=self.ledger(doc, ("request", "extra_fields", "ledger"), extra.get("ledger")),
                    text_answer=text_answer,
                    method=data.get("method", "POST"),
                    paging=paging,
                    filter=op_filter,
                    mark=doc.mark(("name",)),
                )
            )
            self._op_docs = getattr(self, "_op_docs", {})
            self._op_docs[data["name"]] = doc
        return ops

    def _check_locations(self, doc: Document, data: dict[str, Any], messages: dict[str, ir.Shape], rest: bool) -> None:
        """Path placeholders match path fields; `in` and `method` belong to rest-json."""
        if not rest:
            if "method" in data:
                self.report(doc, ("method",), "'method' is for the rest-json protocol (the others always POST)", at_key=True)
            for i, f in enumerate(messages["request"].fields):
                if f.location != "body":
                    self.report(doc, ("request", "fields", i, "in"), f"field {f.wire!r}: 'in: {f.location}' is for the rest-json protocol")
            return
        if "method" not in data:
            self.report(doc, ("path",), "a rest-json operation needs a 'method' (GET, POST, PUT, PATCH or DELETE)")
        placeholders = re.findall(r"\{([A-Za-z][A-Za-z0-9_]*)\}", data["path"])
        path_fields = {f.wire: (i, f) for i, f in enumerate(messages["request"].fields) if f.location == "path"}
        for name in placeholders:
            if name not in path_fields:
                self.report(doc, ("path",), f"path placeholder {{{name}}} has no request field with 'in: path' and wire name {name!r}")
        for wire, (i, f) in path_fields.items():
            if wire not in placeholders:
                self.report(doc, ("request", "fields", i), f"field {wire!r} is 'in: path' but the path {data['path']!r} has no {{{wire}}}")
            elif not f.required:
                self.report(doc, ("request", "fields", i), f"path field {wire!r} must be required")
            if not isinstance(f.type, ir.Scalar) and not isinstance(f.type, ir.EnumRef):
                self.report(doc, ("request", "fields", i), f"path field {wire!r} must be a scalar")
        for i, f in enumerate(messages["request"].fields):
            if f.location in ("query", "header") and not isinstance(f.type, (ir.Scalar, ir.EnumRef)) and not (
                isinstance(f.type, ir.ListOf) and not isinstance(f.type.item, ir.ShapeRef)
            ):
                self.report(doc, ("request", "fields", i), f"field {f.wire!r}: a {f.location} field must be a scalar or a list of scalars")
        if data.get("method") in ("GET", "DELETE") and any(f.location == "body" for f in messages["request"].fields):
            self.report(doc, ("method",), f"a {data['method']} request has no body; give each field 'in: path', 'in: query' or 'in: header'")

    def _paging(self, doc: Document, data: dict[str, Any], messages: dict[str, ir.Shape]) -> ir.Paging:
        raw = data["paging"]
        request, response = messages["request"], messages["response"]
        items = response.field(raw["items"])
        if items is None or not isinstance(items.type, ir.ListOf):
            self.report(doc, ("paging", "items"), f"paging: {response.name} has no list field {raw['items']!r}")
        if response.field(raw["next_link"]) is None:
            self.report(doc, ("paging", "next_link"), f"paging: {response.name} has no field {raw['next_link']!r}")
        for key in ("skip", "top"):
            f = request.field(raw[key])
            if f is None or f.location != "query":
                self.report(doc, ("paging", key), f"paging: {request.name} has no query field {raw[key]!r}")
        return ir.Paging(raw["items"], raw["next_link"], raw["skip"], raw["top"], raw["page_size"],
                         self.ledger(doc, ("paging", "ledger"), raw.get("ledger")))

    def _filter(self, doc: Document, data: dict[str, Any], messages: dict[str, ir.Shape]) -> ir.Filter:
        raw = data["filter"]
        request = messages["request"]
        for key in ("param", "order_by"):
            if key in raw:
                f = request.field(raw[key])
                if f is None or f.location != "query":
                    self.report(doc, ("filter", key), f"filter: {request.name} has no query field {raw[key]!r}")
        props = []
        names: set[str] = set()
        for i, p in enumerate(raw["properties"]):
            ppath: PathKey = ("filter", "properties", i)
            if p["name"] in names:
                self.report(doc, ppath + ("name",), f"filter property name {p['name']!r} appears twice")
            names.add(p["name"])
            if (p["type"] == "enum") != ("enum" in p):
                self.report(doc, ppath, "filter property: 'enum' goes with type enum, and only with it")
            elif "enum" in p and p["enum"] not in self.enums:
                self.report(doc, ppath + ("enum",), f"filter property {p['path']!r}: unknown enum {p['enum']!r}")
            props.append(ir.FilterProperty(p["path"], p["name"], p["type"], p.get("enum"), p.get("description", "")))
        return ir.Filter(raw["param"], raw["class"], tuple(props), raw.get("order_by"), raw.get("source", ""),
                         self.ledger(doc, ("filter", "ledger"), raw.get("ledger")))

    def _message_rules(self, doc: Document, mpath: PathKey, entry: dict[str, Any], shape: ir.Shape) -> list[ir.Rule]:
        rules: list[ir.Rule] = []
        # Field-level shorthand: `required_when` on a message's own field.
        for i, raw in enumerate(entry.get("fields", [])):
            merged = dict(self.library.get(raw.get("use", ""), (None, None, {}))[2]) | raw
            if "required_when" in merged and "wire" in merged:
                when = self._conditions(doc, mpath + ("fields", i, "required_when"), merged["required_when"], shape)
                rules.append(
                    ir.Rule(
                        kind="required_when",
                        scope=(),
                        fields=(merged["wire"],),
                        when=when,
                        description=f"{merged['wire']} is required when {_describe_when(when)}",
                        code=_first(_as_tuple(merged.get("codes", {}).get("missing"))),
                        mark=doc.mark(mpath + ("fields", i, "required_when")),
                    )
                )
        for i, raw in enumerate(entry.get("rules", [])):
            rpath = mpath + ("rules", i)
            if raw["kind"] == "sum":
                rule = self._sum_rule(doc, rpath, raw, shape)
                if rule is not None:
                    rules.append(rule)
                continue
            scope: tuple[str, ...] = ()
            target = shape
            if "in" in raw:
                resolved = self._scope(doc, rpath + ("in",), raw["in"], shape)
                if resolved is None:
                    continue
                scope, target = resolved
            names = raw.get("fields") or [raw["field"]] + ([raw["unless"]] if "unless" in raw else [])
            for j, name in enumerate(names):
                f = target.field(name)
                key = ("fields", j) if "fields" in raw else ("field",) if j == 0 else ("unless",)
                if f is None:
                    self.report(doc, rpath + key, f"rule {raw['kind']}: {target.name} has no field {name!r}")
                elif raw["kind"] == "pattern_when" and not (
                    isinstance(f.type, ir.EnumRef)
                    or (isinstance(f.type, ir.Scalar) and KINDS[f.type.kind].field_keywords >= {"pattern"})
                ):
                    self.report(doc, rpath + key, f"rule pattern_when: field {name!r} is not text or an enum")
            if raw["kind"] == "pattern_when":
                for why in pattern_problems(raw["pattern"]):
                    self.report(doc, rpath + ("pattern",), f"rule pattern_when: pattern {raw['pattern']!r} {why}")
            when = self._conditions(doc, rpath + ("when",), raw["when"], shape) if "when" in raw else ()
            description = raw.get("description") or _default_rule_description(raw["kind"], names, when)
            rules.append(
                ir.Rule(
                    kind=raw["kind"],
                    scope=scope,
                    fields=tuple(names),
                    when=when,
                    description=description,
                    pattern=raw.get("pattern"),
                    code=raw.get("code"),
                    ledger=self.ledger(doc, rpath + ("ledger",), raw.get("ledger")),
                    mark=doc.mark(rpath),
                )
            )
        return rules

    def _sum_path(self, doc: Document, path: PathKey, text: str, shape: ir.Shape) -> tuple[str, ...] | None:
        """A numeric path for a sum: objects, or NAME[] for every item of a list."""
        current: ir.Shape | None = shape
        walked: list[str] = []
        segments = text.split(".")
        for k, segment in enumerate(segments):
            m = _SEGMENT.match(segment)
            f = current.field(m.group(1)) if (m and current is not None) else None
            if f is None or m is None:
                self.report(doc, path, f"rule sum: path {text!r} does not exist in {shape.name}")
                return None
            walked.append(segment)
            last = k == len(segments) - 1
            if last:
                if m.group(2) or not (isinstance(f.type, ir.Scalar) and f.type.kind in ("int", "decimal", "money_minor")):
                    self.report(doc, path, f"rule sum: {text!r} must end at a number (int, decimal or money_minor)")
                    return None
                break
            is_list = isinstance(f.type, ir.ListOf)
            if bool(m.group(2)) != is_list:
                self.report(doc, path, f"rule sum: in {text!r}, write a list as {f.wire}[] and an object as {f.wire}")
                return None
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            current = self._lookup_shape(ref.shape) if isinstance(ref, ir.ShapeRef) else None
        return tuple(walked)

    def _sum_rule(self, doc: Document, path: PathKey, raw: dict[str, Any], shape: ir.Shape) -> ir.Rule | None:
        target = self._sum_path(doc, path + ("field",), raw["field"], shape)
        terms = [self._sum_path(doc, path + ("of", j), t, shape) for j, t in enumerate(raw["of"])]
        if target is None or any(t is None for t in terms):
            return None
        if any(s.endswith("[]") for s in target):
            self.report(doc, path + ("field",), "rule sum: the total must be one value, not inside a list")
            return None
        return ir.Rule(
            kind="sum",
            scope=(),
            fields=(),
            when=(),
            description=raw["description"],
            code=raw.get("code"),
            ledger=self.ledger(doc, path + ("ledger",), raw.get("ledger")),
            target=target,
            terms=tuple(t for t in terms if t is not None),
            mark=doc.mark(path),
        )

    def _scope(self, doc: Document, path: PathKey, text: str, shape: ir.Shape) -> tuple[tuple[str, ...], ir.Shape] | None:
        """`ITEMS[]` (each item of a list) or `foreignCustomer` (an object), dotted for depth."""
        current = shape
        walked: list[str] = []
        for segment in text.split("."):
            m = _SEGMENT.match(segment)
            f = current.field(m.group(1)) if m else None
            if f is None or m is None:
                self.report(doc, path, f"'in: {text}': {current.name} has no field {segment!r}")
                return None
            walked.append(f.wire)
            is_list = isinstance(f.type, ir.ListOf) and isinstance(f.type.item, ir.ShapeRef)
            if bool(m.group(2)) != is_list or not (is_list or isinstance(f.type, ir.ShapeRef)):
                self.report(doc, path, f"'in: {text}': {f.wire} must be a structure, written NAME, or a list of structures, written NAME[]")
                return None
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            assert isinstance(ref, ir.ShapeRef)
            next_shape = self._lookup_shape(ref.shape)
            if next_shape is None:
                return None
            current = next_shape
        return tuple(walked), current

    def _lookup_shape(self, name: str) -> ir.Shape | None:
        return self.shapes.get(name)

    def _conditions(self, doc: Document, path: PathKey, raw: dict[str, Any], shape: ir.Shape) -> tuple[ir.Condition, ...]:
        conditions = []
        for key, value in raw.items():
            values = tuple(value) if isinstance(value, list) else (value,)
            f = self._scalar_path(doc, path + (key,), key, shape)
            if f is not None and isinstance(f.type, ir.EnumRef) and f.type.enum in self.enums:
                allowed = {v.wire for v in self.enums[f.type.enum].values}
                for v in values:
                    if v not in allowed:
                        self.report(
                            doc,
                            path + (key,),
                            f"condition {key}: {v!r} is not a value of {f.type.enum} ({', '.join(sorted(allowed))})",
                        )
            conditions.append(ir.Condition(tuple(key.split(".")), values))
        return tuple(conditions)

    def _scalar_path(self, doc: Document, path: PathKey, text: str, shape: ir.Shape) -> ir.Field | None:
        current: ir.Shape | None = shape
        f: ir.Field | None = None
        for segment in text.split("."):
            if current is None:
                self.report(doc, path, f"condition path {text!r} goes through a value that has no fields", at_key=True)
                return None
            f = current.field(segment)
            if f is None:
                self.report(doc, path, f"condition path {text!r}: {current.name} has no field {segment!r}", at_key=True)
                return None
            current = self._lookup_shape(f.type.shape) if isinstance(f.type, ir.ShapeRef) else None
        if f is not None and not isinstance(f.type, (ir.Scalar, ir.EnumRef)):
            self.report(doc, path, f"condition path {text!r} must end at a scalar or enum field", at_key=True)
            return None
        return f

    def _resolve_fields(self, shape: ir.Shape, dotted: str) -> list[ir.Field] | None:
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
            current = self._lookup_shape(f.type.shape) if isinstance(f.type, ir.ShapeRef) else None
        return chain

    def _outcomes(self, doc: Document, data: dict[str, Any], response: ir.Shape) -> list[ir.Outcome]:
        outcomes: list[ir.Outcome] = []
        codes: set[str | None] = set()
        names: set[str] = set()
        for i, raw in enumerate(data["outcomes"]):
            path: PathKey = ("outcomes", i)
            if raw["code"] in codes:
                self.report(doc, path + ("code",), f"outcome code {raw['code']!r} appears twice")
            if not is_snake(raw["name"]) or raw["name"] in names:
                self.report(doc, path + ("name",), f"outcome name {raw['name']!r} must be a unique snake_case name")
            codes.add(raw["code"])
            names.add(raw["name"])
            returns = []
            list_returns = 0
            for attr, dotted in raw.get("returns", {}).items():
                if not is_snake(attr) or attr in ("code", "message", "response"):
                    self.report(doc, path + ("returns", attr), f"outcome {raw['name']}: result attribute {attr!r} must be snake_case and not code/message/response", at_key=True)
                chain = [response.root] if dotted == "." and response.root is not None else self._resolve_fields(response, dotted)
                if chain is None:
                    self.report(doc, path + ("returns", attr), f"outcome {raw['name']}: {response.name} has no path {dotted!r}")
                    continue
                if isinstance(chain[-1].type, ir.ListOf):
                    list_returns += 1
                returns.append((attr, (".",) if dotted == "." else tuple(dotted.split("."))))
            if raw.get("item_success") and list_returns != 1:
                self.report(doc, path + ("item_success",), f"outcome {raw['name']}: item_success needs exactly one returned list", at_key=True)
            outcomes.append(
                ir.Outcome(
                    code=raw["code"],
                    name=raw["name"],
                    description=raw["description"],
                    returns=tuple(returns),
                    item_success=tuple(raw.get("item_success", ())),
                    mark=doc.mark(path),
                )
            )
        return outcomes

    def _examples(self, doc: Document, data: dict[str, Any], outcomes: list[ir.Outcome]) -> list[ir.Example]:
        examples = []
        names: set[str] = set()
        spec_dir = self.sources.provider_dir
        outcome_names = {o.name for o in outcomes}
        for i, raw in enumerate(data.get("examples", [])):
            path: PathKey = ("examples", i)
            if raw["name"] in names:
                self.report(doc, path + ("name",), f"example name {raw['name']!r} appears twice")
            names.add(raw["name"])
            for key in ("request", "response"):
                if key in raw and not (spec_dir / raw[key]).is_file():
                    self.report(doc, path + (key,), f"example file {raw[key]!r} does not exist in {self.sources.display_dir}")
            if "outcome" in raw and raw["outcome"] not in outcome_names:
                self.report(doc, path + ("outcome",), f"example outcome {raw['outcome']!r} is not an outcome of this operation ({', '.join(sorted(outcome_names))})")
            if ("outcome" in raw or "error" in raw) and "response" not in raw:
                self.report(doc, path, "an example with an expected outcome or error needs a response")
            edits: dict[str, list[ir.Edit]] = {"mend": [], "normalise": []}
            for key in edits:
                for j, edit in enumerate(raw.get(key, [])):
                    epath = path + (key, j)
                    if "path" in edit and not all(_EDIT_SEGMENT.match(s) for s in edit["path"].split(".")):
                        self.report(doc, epath + ("path",), f"edit path {edit['path']!r} must be dotted element names, with [n] for list items")
                    if "find" in edit and key != "mend":
                        self.report(doc, epath + ("find",), "raw text replacements (find/replace) are mends of the document, not normalisations", at_key=True)
                    ledger = self.ledger(doc, epath + ("ledger",), edit["ledger"])
                    if "find" in edit:
                        made = ir.Edit("replace", "", edit["find"], edit["replace"], ledger)
                    elif "attribute" in edit:
                        made = ir.Edit("drop_attribute", edit["attribute"], "", "", ledger)
                    elif edit.get("drop"):
                        made = ir.Edit("drop", edit["path"], "", "", ledger)
                    elif "add" in edit:
                        made = ir.Edit("add", edit["path"], "", edit["add"], ledger)
                    else:
                        made = ir.Edit("text", edit["path"], edit["from"], edit["to"], ledger)
                    edits[key].append(made)
            examples.append(
                ir.Example(
                    name=raw["name"],
                    title=raw["title"],
                    request=raw.get("request"),
                    response=raw.get("response"),
                    outcome=raw.get("outcome"),
                    error=raw.get("error"),
                    mends=tuple(edits["mend"]),
                    normalisations=tuple(edits["normalise"]),
                    fragment=bool(raw.get("fragment", False)),
                    ledger=self.ledger(doc, path + ("ledger",), raw.get("ledger")),
                    mark=doc.mark(path),
                )
            )
            if raw.get("fragment") and ("request" not in raw or "response" in raw or "ledger" not in raw):
                self.report(doc, path + ("fragment",), "a fragment example is a request file only, with a ledger id saying what it leaves out", at_key=True)
        return examples

    # -- errors and service ----------------------------------------------------------------

    def _error_tables(self) -> list[ir.ErrorTable]:
        doc = self.sources.errors
        tables: list[ir.ErrorTable] = []
        if doc is None:
            return tables
        names: set[str] = set()
        for i, raw in enumerate(doc.data.get("tables", [])):
            path: PathKey = ("tables", i)
            if raw["name"] in names:
                self.report(doc, path + ("name",), f"duplicate error table {raw['name']!r}")
            names.add(raw["name"])
            seen_codes: set[str] = set()
            seen_names: set[str] = set()
            codes = []
            for j, code in enumerate(raw["codes"]):
                cpath = path + ("codes", j)
                if code["code"] in seen_codes and not code.get("duplicate"):
                    self.report(doc, cpath + ("code",), f"table {raw['name']}: code {code['code']!r} appears twice (mark the second 'duplicate: true' with a ledger entry if the document repeats it)")
                if code.get("duplicate") and (code["code"] not in seen_codes or not code.get("ledger")):
                    self.report(doc, cpath + ("duplicate",), f"table {raw['name']}: code {code['code']!r} is marked duplicate but needs an earlier row with the same code and a ledger entry", at_key=True)
                if not is_snake(code["name"]) or code["name"] in seen_names:
                    self.report(doc, cpath + ("name",), f"table {raw['name']}: code name {code['name']!r} must be a unique snake_case name")
                seen_codes.add(code["code"])
                seen_names.add(code["name"])
                codes.append(
                    ir.ErrorCode(
                        code=code["code"],
                        name=code["name"],
                        message=code["message"],
                        gloss=code.get("gloss"),
                        outcome=code.get("outcome"),
                        ledger=self.ledger(doc, cpath + ("ledger",), code.get("ledger")),
                        hint=code.get("hint"),
                        duplicate=bool(code.get("duplicate", False)),
                        mark=doc.mark(cpath),
                    )
                )
            tables.append(
                ir.ErrorTable(
                    name=raw["name"],
                    title=raw["title"],
                    source=raw["source"],
                    codes=tuple(codes),
                    description=raw.get("description", ""),
                    inferred=bool(raw.get("inferred", False)),
                    mark=doc.mark(path),
                )
            )
        return tables

    def _service(self, operations: list[ir.Operation], error_tables: list[ir.ErrorTable]) -> ir.Service | None:
        doc = self.sources.service
        assert doc is not None
        data = doc.data
        envs = []
        defaults = 0
        env_names: set[str] = set()
        for i, raw in enumerate(data["environments"]):
            if raw["name"] in env_names:
                self.report(doc, ("environments", i, "name"), f"duplicate environment {raw['name']!r}")
            env_names.add(raw["name"])
            defaults += bool(raw.get("default"))
            envs.append(
                ir.Environment(
                    raw["name"], raw["url"], bool(raw.get("default")), raw.get("description", ""),
                    tuple(sorted(raw.get("values", {}).items())),
                    doc.mark(("environments", i)),
                )
            )
        if defaults != 1:
            self.report(doc, ("environments",), f"exactly one environment must be 'default: true' (found {defaults})")
        credentials = []
        seen_default = False
        for i, raw in enumerate(data["credentials"]):
            if "default" in raw or raw.get("optional"):
                seen_default = True
            elif seen_default:
                self.report(doc, ("credentials", i, "name"), f"credential {raw['name']!r} has no default but follows one that has; list credentials with defaults last")
            if not is_snake(raw["name"]):
                self.report(doc, ("credentials", i, "name"), f"credential name {raw['name']!r} must be snake_case")
            credentials.append(
                ir.Credential(raw["name"], raw["description"], raw.get("wire"), bool(raw.get("secret", False)), raw.get("default"),
                              bool(raw.get("optional", False)), doc.mark(("credentials", i)))
            )
        auth = data.get("auth")
        if auth:
            optional = {c.name for c in credentials if c.optional}
            for j, name in enumerate(auth["one_of"]):
                if name not in optional:
                    self.report(doc, ("auth", "one_of", j), f"auth: {name!r} must be an optional credential (exactly one of {auth['one_of']} is given)")
        wire: ir.Wire | None
        if data["protocol"] == "json":
            wire = self._json_wire(doc, data.get("wire", {}), {c.name for c in credentials}, envs)
        elif data["protocol"] == "rest-json":
            wire = self._rest_wire(doc, data.get("wire", {}), {c.name for c in credentials})
        else:
            wire = self._xml_wire(doc, data.get("wire", {}), {c.name for c in credentials})
        if wire is None:
            return None
        by_name = {op.name: op for op in operations}
        for i, name in enumerate(data["operations"]):
            if name not in by_name:
                self.report(doc, ("operations", i), f"operation {name!r} has no file in operations/ (found: {', '.join(sorted(by_name)) or 'none'})")
        for name in sorted(set(by_name) - set(data["operations"])):
            self.report(doc, ("operations",), f"operation {name!r} (operations/) is missing from this list")
        operations = [by_name[n] for n in data["operations"] if n in by_name]
        callbacks = []
        for i, raw in enumerate(data.get("callbacks", [])):
            cpath: PathKey = ("callbacks", i)
            params = [self._field(doc, cpath + ("params", j), p, in_message=True) for j, p in enumerate(raw.get("params", []))]
            body = raw.get("body", "query")
            if body != "query":
                target = self.shapes.get(raw["message"])
                if target is None or target.role != "shape":
                    self.report(doc, cpath + ("message",), f"callback {raw['name']}: no shape named {raw['message']!r}")
                elif body == "signed-header":
                    if "signature" not in raw:
                        self.report(doc, cpath + ("body",), f"callback {raw['name']}: a signed-header callback needs 'signature'")
                    elif not isinstance(wire, (ir.JsonWire, ir.RestWire)):
                        self.report(doc, cpath + ("body",), f"callback {raw['name']}: signed-header callbacks carry JSON; the protocol is XML")
                    else:
                        self.callback_shapes.add(raw["message"])
                elif not isinstance(wire, ir.JsonWire) or wire.signature is None:
                    self.report(doc, cpath + ("body",), f"callback {raw['name']}: signed callbacks need a JSON protocol with a signature")
                else:
                    self.callback_shapes.add(raw["message"])
            if "signature" in raw and body != "signed-header":
                self.report(doc, cpath + ("signature",), f"callback {raw['name']}: 'signature' is for body signed-header", at_key=True)
            raw_sig = raw.get("signature")
            header_signature = (
                ir.HeaderSignature(raw_sig["header"], raw_sig["algorithm"], raw_sig["timestamp"], raw_sig["value"],
                                   raw_sig["tolerance"], self.ledger(doc, cpath + ("signature", "ledger"), raw_sig.get("ledger")))
                if raw_sig and body == "signed-header"
                else None
            )
            callbacks.append(
                ir.Callback(
                    name=raw["name"],
                    title=raw["title"],
                    source=raw["source"],
                    method=raw["method"],
                    description=raw["description"],
                    params=tuple(p for p in params if p is not None),
                    example=raw.get("example", ""),
                    example_file=raw.get("example_file", ""),
                    ledger=self.ledger(doc, cpath + ("ledger",), raw.get("ledger")),
                    body=body,
                    message=raw.get("message"),
                    signature=header_signature,
                    mark=doc.mark(cpath),
                )
            )
        self._check_example_files(doc, data, list(by_name.values()), callbacks)
        test_data = tuple(
            ir.TestData(t["title"], t["usage"], tuple(t["values"].items())) for t in data.get("test_data", [])
        )
        mock_state = self._mock_state(doc, data.get("mock", {}), operations, error_tables)
        releases, found = build_releases(self.sources.changelog, doc, self.sources.display_dir)
        self.problems.extend(found)
        return ir.Service(
            provider=data["provider"],
            title=data["title"],
            api_version=data.get("api_version", ""),
            source=data["source"],
            document_date=data.get("document_date", ""),
            summary=data["summary"],
            package=data["package"],
            client=data["client"],
            error_prefix=data["error_prefix"],
            protocol=data["protocol"],
            wire=wire,
            environments=tuple(envs),
            credentials=tuple(credentials),
            notes=tuple(ir.Note(n["title"], n["text"]) for n in data.get("notes", [])),
            mock_unauthorized=data.get("mock", {}).get("unauthorized"),
            mock_invalid=data.get("mock", {}).get("invalid"),
            mock_state=mock_state,
            enums=tuple(self.enums.values()),
            shapes=tuple(s for s in self.shapes.values() if s.role == "shape"),
            operations=tuple(operations),
            error_tables=tuple(error_tables),
            discrepancies=getattr(self, "discrepancies", ()),
            spec_dir=self.sources.display_dir,
            callbacks=tuple(callbacks),
            test_data=test_data,
            examples_not_vectors=tuple(
                (e["file"], self.ledger(doc, ("examples_not_vectors", i, "ledger"), e["ledger"]))
                for i, e in enumerate(data.get("examples_not_vectors", []))
            ),
            auth_one_of=tuple(auth["one_of"]) if auth else (),
            auth_description=auth["description"] if auth else "",
            auth_ledger=self.ledger(doc, ("auth", "ledger"), auth.get("ledger")) if auth else (),
            version=data["version"],
            releases=releases,
            marks=tuple((key, doc.key_mark((key,))) for key in data),
        )

    def _check_example_files(
        self, doc: Document, data: dict[str, Any], operations: list[ir.Operation], callbacks: list[ir.Callback]
    ) -> None:
        """Every file in examples/ is a test vector (of an operation or a callback) or is listed,
        with the reason, under examples_not_vectors: no document example is silently dropped."""
        spec_dir = self.sources.provider_dir
        used = {f for op in operations for ex in op.examples for f in (ex.request, ex.response) if f}
        for i, cb in enumerate(callbacks):
            if cb.example_file:
                used.add(cb.example_file)
                if not (spec_dir / cb.example_file).is_file():
                    self.report(doc, ("callbacks", i, "example_file"), f"example file {cb.example_file!r} does not exist in {self.sources.display_dir}")
        excused = set()
        for i, entry in enumerate(data.get("examples_not_vectors", [])):
            excused.add(entry["file"])
            if not (spec_dir / entry["file"]).is_file():
                self.report(doc, ("examples_not_vectors", i, "file"), f"example file {entry['file']!r} does not exist in {self.sources.display_dir}")
            elif entry["file"] in used:
                self.report(doc, ("examples_not_vectors", i, "file"), f"example file {entry['file']!r} is used as a test vector; it cannot also be listed here")
        if any(not (spec_dir / f).is_file() for f in used):
            return  # a broken reference is already reported; an "unused file" would repeat it
        folder = spec_dir / "examples"
        on_disk = sorted(f"examples/{p.name}" for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        for name in on_disk:
            if name not in used and name not in excused:
                self.report(
                    doc,
                    ("provider",),
                    f"example file {name!r} is not used by any operation or callback; make it a test vector, "
                    "or list it under examples_not_vectors with the ledger id that says why it cannot be one",
                )

    def _rest_wire(self, doc: Document, raw: dict[str, Any], credentials: set[str]) -> ir.RestWire | None:
        if not {"content_type", "headers", "errors"} <= set(raw):
            return None
        headers = []
        for i, h in enumerate(raw["headers"]):
            if h["credential"] not in credentials:
                self.report(doc, ("wire", "headers", i, "credential"), f"header {h['name']!r}: no credential named {h['credential']!r}")
            headers.append(ir.RestHeader(h["name"], h["credential"], h.get("prefix", ""), h.get("description", ""),
                                         self.ledger(doc, ("wire", "headers", i, "ledger"), h.get("ledger"))))
        errors = raw["errors"]
        statuses = []
        seen: set[int] = set()
        for i, s in enumerate(errors["statuses"]):
            span = range(s["status"], s.get("up_to", s["status"]) + 1)
            if seen & set(span):
                self.report(doc, ("wire", "errors", "statuses", i, "status"), f"status {s['status']} overlaps another entry")
            seen |= set(span)
            statuses.append(ir.ErrorStatus(s["status"], s["name"], s["description"], s.get("up_to"),
                                           self.ledger(doc, ("wire", "errors", "statuses", i, "ledger"), s.get("ledger"))))
        idem = raw.get("idempotency", {})
        rate = raw.get("rate_limit")
        retry = raw.get("retry", {})
        return ir.RestWire(
            content_type=raw["content_type"],
            auth_headers=tuple(headers),
            error_list=errors["list"],
            error_code=errors["code"],
            error_message=errors["message"],
            statuses=tuple(statuses),
            idempotency_header=idem.get("header"),
            idempotency_methods=tuple(idem.get("methods", ())),
            idempotency_description=idem.get("description", ""),
            idempotency_ledger=self.ledger(doc, ("wire", "idempotency", "ledger"), idem.get("ledger")),
            rate_limit=(rate["requests"], float(rate["per_seconds"])) if rate else None,
            rate_limit_ledger=self.ledger(doc, ("wire", "rate_limit", "ledger"), rate.get("ledger") if rate else None),
            retry_attempts=retry.get("attempts", 1),
            retry_statuses=tuple(retry.get("statuses", ())),
            retry_safe_methods=tuple(retry.get("safe_methods", ())),
            retry_ledger=self.ledger(doc, ("wire", "retry", "ledger"), retry.get("ledger")),
            errors_ledger=self.ledger(doc, ("wire", "errors", "ledger"), errors.get("ledger")),
            mark=doc.key_mark(("wire",)),
        )

    def _json_wire(self, doc: Document, raw: dict[str, Any], credentials: set[str], envs: list[ir.Environment]) -> ir.JsonWire | None:
        if not {"content_type", "encoding", "body", "result"} <= set(raw):
            return None
        env_values = [dict(e.values) for e in envs]

        def members(key: str) -> tuple[ir.JsonMember, ...]:
            out = []
            for i, m in enumerate(raw.get(key, [])):
                mpath: PathKey = ("wire", key, i)
                sources = [s for s in ("object", "message", "const", "credential", "signature", "option", "clock", "environment") if s in m]
                if len(sources) > 1:
                    self.report(doc, mpath, f"member {m['key']!r}: one of object / message / const / credential / signature / option / clock / environment, not {sources}")
                source = sources[0] if sources else "operation"
                value = m.get(source) if source not in ("message", "signature", "object") else None
                if source == "object":
                    source, value = "credentials", None
                if source == "credential" and value not in credentials:
                    self.report(doc, mpath + ("credential",), f"member {m['key']!r}: no credential named {value!r}")
                if source == "environment" and any(value not in v for v in env_values):
                    self.report(doc, mpath + ("environment",), f"member {m['key']!r}: every environment needs `values: {{{value}: ...}}`")
                out.append(
                    ir.JsonMember(
                        key=m["key"],
                        source=source if source != "clock" else "clock",
                        value=value if isinstance(value, str) else None,
                        default=m.get("default"),
                        values=tuple(m.get("values", ())),
                        type=m.get("type", "string"),
                        description=m.get("description", ""),
                        ledger=self.ledger(doc, mpath + ("ledger",), m.get("ledger")),
                    )
                )
            return tuple(out)

        body, creds = members("body"), members("credentials")
        if sum(m.source == "message" for m in body) != 1:
            self.report(doc, ("wire", "body"), "the body needs exactly one member with `message: true`")
        if any(m.source == "credentials" for m in body) and not creds:
            self.report(doc, ("wire", "credentials"), "the body has a credentials object: list its members under `credentials`")
        signature = None
        if "signature" in raw:
            sig = raw["signature"]
            if sig["key"] not in credentials:
                self.report(doc, ("wire", "signature", "key"), f"signature: no credential named {sig['key']!r}")
            if sig["over"] not in {m.key for m in body if m.source == "message"}:
                self.report(doc, ("wire", "signature", "over"), "signature: `over` must name the message member")
            signature = ir.Signature(sig["algorithm"], sig["key"], sig["over"], tuple(sig["response"].split(".")),
                                     self.ledger(doc, ("wire", "signature", "ledger"), sig.get("ledger")))
            if not any(m.source == "signature" for m in creds):
                self.report(doc, ("wire", "signature"), "a signed protocol needs a credentials member with `signature: true`")
        text = raw.get("text", {})
        if text:
            for why in pattern_problems(text["pattern"]):
                self.report(doc, ("wire", "text", "pattern"), f"text pattern {text['pattern']!r} {why}")
        result = raw["result"]
        return ir.JsonWire(
            content_type=raw["content_type"],
            encoding=raw["encoding"],
            strings=bool(raw.get("strings", False)),
            body=body,
            credentials=creds,
            signature=signature,
            result_error_code=tuple(tuple(p.split(".")) for p in result["error_code"]),
            result_message=tuple(tuple(p.split(".")) for p in result["message"]),
            text=text.get("pattern"),
            text_description=text.get("description", ""),
            text_ledger=self.ledger(doc, ("wire", "text", "ledger"), text.get("ledger")),
            result_ledger=self.ledger(doc, ("wire", "result", "ledger"), result.get("ledger")),
            mark=doc.key_mark(("wire",)),
        )

    def _xml_wire(self, doc: Document, raw: dict[str, Any], credentials: set[str]) -> ir.XmlWire | None:
        if not {"root", "declaration", "content_type", "envelope", "result"} <= set(raw):
            return None
        envelope = []
        for i, entry in enumerate(raw["envelope"]):
            if "credential" in entry and entry["credential"] not in credentials:
                self.report(doc, ("wire", "envelope", i, "credential"), f"envelope {entry['wire']}: no credential named {entry['credential']!r}")
            envelope.append(
                ir.EnvelopeEntry(
                    entry["wire"],
                    entry.get("const"),
                    entry.get("credential"),
                    self.ledger(doc, ("wire", "envelope", i, "ledger"), entry.get("ledger")),
                    bool(entry.get("in_response", False)),
                )
            )
        headers = []
        for i, h in enumerate(raw.get("headers", [])):
            hpath: PathKey = ("wire", "headers", i)
            parts = []
            for j, part in enumerate(h.get("of", [])):
                if "credential" in part and part["credential"] not in credentials:
                    self.report(doc, hpath + ("of", j, "credential"), f"header {h['name']}: no credential named {part['credential']!r}")
                parts.append(ir.DigestPart(part.get("credential"), part.get("date"), part.get("timezone")))
            if "credential" in h and h["credential"] not in credentials:
                self.report(doc, hpath + ("credential",), f"header {h['name']}: no credential named {h['credential']!r}")
            headers.append(ir.Header(h["name"], h.get("credential"), h.get("digest"), tuple(parts), h.get("description", ""), self.ledger(doc, hpath + ("ledger",), h.get("ledger"))))
        if "xsd" in raw and not (self.sources.provider_dir / raw["xsd"]).is_file():
            self.report(doc, ("wire", "xsd"), f"XSD file {raw['xsd']!r} does not exist in {self.sources.display_dir}")
        return ir.XmlWire(
            root=raw["root"],
            namespace=raw.get("namespace"),
            request_element=raw.get("request_element"),
            response_element=raw.get("response_element"),
            xsd=raw.get("xsd"),
            headers=tuple(headers),
            result_error_code=tuple(tuple(p.split(".")) for p in raw["result"].get("error_code", [])),
            declaration=raw["declaration"],
            content_type=raw["content_type"],
            envelope=tuple(envelope),
            result_code=tuple(tuple(p.split(".")) for p in raw["result"]["code"]),
            result_message=tuple(tuple(p.split(".")) for p in raw["result"]["message"]),
            item_code=raw["result"].get("item_code"),
            item_message=raw["result"].get("item_message"),
            mark=doc.key_mark(("wire",)),
        )

    # -- whole-provider checks -------------------------------------------------------------

    def _check_types(self) -> None:
        self.unresolved = False
        for doc, path, f in self.type_sites:
            label = f"field {f.wire!r}"
            refs = [f.type.item] if isinstance(f.type, ir.ListOf) else [f.type]
            for ref in refs:
                if isinstance(ref, ir.EnumRef) and ref.enum not in self.enums:
                    self.report(doc, path, f"{label}: unknown enum {ref.enum!r} (known: {', '.join(sorted(self.enums)) or 'none'})")
                if isinstance(ref, ir.ShapeRef):
                    target = self.shapes.get(ref.shape)
                    if target is None or target.role != "shape":
                        self.unresolved = True
                        known = ", ".join(sorted(n for n, s in self.shapes.items() if s.role == "shape")) or "none"
                        self.report(doc, path, f"{label}: unknown shape {ref.shape!r} (known: {known})")

    def _check_usage(self, operations: list[ir.Operation]) -> None:
        """Every named shape is reachable, and from requests or responses, not both."""
        directions: dict[str, set[str]] = {}

        def walk(shape: ir.Shape, role: str) -> None:
            for f in shape.fields + ((shape.root,) if shape.root else ()):
                ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
                if isinstance(ref, ir.ShapeRef) and ref.shape in self.shapes:
                    seen = directions.setdefault(ref.shape, set())
                    if role not in seen:
                        seen.add(role)
                        walk(self.shapes[ref.shape], role)

        for op in operations:
            walk(op.request, "request")
            walk(op.response, "response")
        for name in self.callback_shapes:  # what the provider sends, read like an answer
            directions.setdefault(name, set()).add("response")
            walk(self.shapes[name], "response")
        for name, shape in self.shapes.items():
            if shape.role != "shape":
                continue
            doc, path = self.shape_sites[name]
            roles = directions.get(name, set())
            if not roles and not self.unresolved:
                self.report(doc, path + ("name",), f"shape {name!r} is not used by any message")
            elif len(roles) > 1:
                self.report(
                    doc,
                    path + ("name",),
                    f"shape {name!r} is used by requests and responses; requests are validated strictly "
                    "and responses leniently, so define one shape for each",
                )

    def _check_ledger(self) -> None:
        for doc, path, ref in self.ledger_refs:
            if ref not in self.ledger_ids:
                self.report(doc, path, f"ledger entry {ref!r} does not exist in discrepancies.yaml")

    def _check_service_links(self, service: ir.Service) -> None:
        doc = self.sources.service
        assert doc is not None
        op_docs: dict[str, Document] = getattr(self, "_op_docs", {})
        if isinstance(service.wire, ir.JsonWire):
            open_constants = {m.key for m in service.wire.body if m.source == "operation"}
        else:
            open_constants = {e.wire for e in service.wire.envelope if e.const is None and e.credential is None}
        tables = {t.name: t for t in service.error_tables}
        for op in service.operations:
            odoc = op_docs[op.name]
            given = dict(op.constants)
            for wire in sorted(open_constants - set(given)):
                self.report(odoc, ("name",), f"operation {op.name}: the envelope needs constants: {{{wire}: ...}}")
            for wire in sorted(set(given) - open_constants):
                self.report(odoc, ("constants", wire), f"operation {op.name}: constant {wire!r} is not an open envelope element", at_key=True)
            table = tables.get(op.errors)
            if table is None:
                self.report(odoc, ("errors",), f"operation {op.name}: no error table {op.errors!r} (tables: {', '.join(sorted(tables)) or 'none'})")
            else:
                outcome_names = {o.name for o in op.outcomes}
                for code in table.codes:
                    if code.outcome is not None and code.outcome not in outcome_names:
                        self.report(odoc, ("errors",), f"error table {table.name}: code {code.code} names outcome {code.outcome!r}, which {op.name} does not have")
                for i, example in enumerate(op.examples):
                    if example.error is not None and example.error not in {c.code for c in table.codes}:
                        self.report(odoc, ("examples", i, "error"), f"example error {example.error!r} is not a code of table {table.name}")
            if isinstance(service.wire, (ir.JsonWire, ir.RestWire)):
                if len(op.outcomes) != 1 or op.outcomes[0].code is not None:
                    self.report(odoc, ("outcomes",), f"operation {op.name}: a JSON protocol answer is a result or an error; give one outcome with `code: null`")
                continue
            for paths, what in ((service.wire.result_code, "code"), (service.wire.result_message, "message"), (service.wire.error_code_paths, "error code")):
                if not any(self._resolve_fields(op.response, ".".join(p)) for p in paths):
                    self.report(odoc, ("response",), f"{op.response.name} holds none of the result {what} paths {['.'.join(p) for p in paths]}")
            code_field = service.wire.item_code
            for outcome in op.outcomes:
                if not outcome.item_success:
                    continue
                if code_field is None:
                    self.report(odoc, ("outcomes",), f"outcome {outcome.name}: item_success needs wire.result.item_code in service.yaml")
                    continue
                for attr, path in outcome.returns:
                    chain = self._resolve_fields(op.response, ".".join(path))
                    if chain and isinstance(chain[-1].type, ir.ListOf):
                        item = chain[-1].type.item
                        shape = self.shapes.get(item.shape) if isinstance(item, ir.ShapeRef) else None
                        if shape is None or shape.field(code_field) is None:
                            self.report(odoc, ("outcomes",), f"outcome {outcome.name}: items of {'.'.join(path)} have no {code_field} to judge item_success by")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _first(values: tuple[str, ...]) -> str | None:
    return values[0] if values else None


def _describe_when(when: tuple[ir.Condition, ...]) -> str:
    parts = []
    for c in when:
        values = " or ".join(repr(v) for v in c.values)
        parts.append(f"{'.'.join(c.path)} is {values}")
    return " and ".join(parts)


def _default_rule_description(kind: str, fields: list[str], when: tuple[ir.Condition, ...]) -> str:
    cond = f" when {_describe_when(when)}" if when else ""
    if kind == "required_when":
        return f"{fields[0]} is required{cond}"
    if kind == "forbidden_when":
        return f"{fields[0]} is not allowed{cond}"
    if kind == "exactly_one_of":
        return f"exactly one of {', '.join(fields)}{cond}"
    if kind == "at_least_one_of":
        return f"at least one of {', '.join(fields)}{cond}"
    if kind == "required_unless":
        return f"{fields[0]} is required unless {fields[1]} is given"
    return f"{fields[0]} must match the pattern{cond}"


def build_service(sources: ProviderSources) -> tuple[ir.Service | None, list[Problem]]:
    builder = _Builder(sources)
    service = builder.build()
    return service, sorted(set(builder.problems))


def spec_root_relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
