"""JSON Schemas (2020-12) from the IR.

Two products from one function:

* the published schemas, one per request and response message, self-contained, that validate
  the canonical JSON form of a message (wire names as keys, typed values: ISO dates, decimal
  strings, enum wire values). Cross-field rules become `if`/`then` clauses.
* the codegen bundle: every message, shape and enum in one document, with the hints that make
  datamodel-code-generator produce our models (`customTypePath` to the package's scalar types,
  `customBasePath` to the rule base classes, `x-enum-varnames`), and the alias map that gives
  fields their Python names.

Requests are closed (`additionalProperties: false`) and their strings limited to what XML can
carry; responses are open, so that a provider adding an element breaks nothing.
"""

from __future__ import annotations

import textwrap
from typing import Any

from . import ir
from .kinds import KINDS
from .naming import constant, open_type

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOCSTRING_WIDTH = 96  # black's 100 columns less the docstring's indentation


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "type" not in schema:
        if "anyOf" in schema:
            return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
        return {"anyOf": [schema, {"type": "null"}]}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*types, "null"]}


def _params(scalar: ir.Scalar, role: str, required: bool) -> dict[str, Any]:
    """The parameters of a scalar that hold in this role."""
    params = scalar.param_map
    if role == "response":
        # Responses are checked for types, not for the limits we apply to what we send.
        return {k: v for k, v in params.items() if k in ("format", "scale")}
    if required and "minLength" in KINDS[scalar.kind].field_keywords and "min_length" not in params:
        # A required text must not be empty: an empty first name is a missing first name.
        return {**params, "min_length": 1}
    return params


def role_scalar(scalar: ir.Scalar, role: str) -> ir.Scalar:
    """The scalar as this role reads it: answers read formatted text (e-mail, URL, codes) as
    plain text, since they are checked for types and not for what we would send."""
    answer_as = KINDS[scalar.kind].answer_as
    if role == "response" and answer_as is not None:
        return ir.Scalar(answer_as)
    return scalar


def as_read(scalar: ir.Scalar, role: str, required: bool) -> ir.Scalar:
    """The scalar with the kind and parameters it is read by in this role: what names its
    Python type (`python_type_of`), and so what defines it."""
    scalar = role_scalar(scalar, role)
    params = _params(scalar, role, required)
    if "unit" in scalar.param_map:  # an amount's unit is no limit, but its type's messages name it
        params = {**params, "unit": scalar.param_map["unit"]}
    return ir.Scalar(scalar.kind, tuple(params.items()))


def scalar_schema(
    service: ir.Service, scalar: ir.Scalar, role: str, required: bool
) -> dict[str, Any]:
    """The published JSON Schema of a scalar field (without null)."""
    scalar = role_scalar(scalar, role)
    charset = (service.wire.text_pattern or "any") if role == "request" else "any"
    return KINDS[scalar.kind].json_schema(_params(scalar, role, required), charset)


def python_type_of(
    service: ir.Service, scalar: ir.Scalar, role: str, required: bool
) -> tuple[str, frozenset[str]]:
    """The `_types.py` type of a scalar field, and the schema keywords its Field(...) enforces.

    Request text gets `WireText`, which carries the wire's character restriction (what XML 1.0
    can hold, or Billmate's Latin-1) itself, so the models do not repeat that pattern on every
    field.
    """
    scalar = role_scalar(scalar, role)
    kind = KINDS[scalar.kind]
    name = kind.python_type(_params(scalar, role, required))  # an answer's int is not an Int32
    enforced = kind.field_keywords
    schema = scalar_schema(service, scalar, role, required)
    if (
        name == "Text"
        and role == "request"
        and service.wire.text_pattern
        and schema.get("pattern") == service.wire.text_pattern
    ):
        return "WireText", enforced - {"pattern"}
    if name == "Int32":
        return name, enforced - {"minimum", "maximum"}
    return name, enforced


class SchemaEmitter:
    def __init__(self, service: ir.Service, *, codegen: bool) -> None:
        self.service = service
        self.codegen = codegen

    def text(self, description: str) -> str:
        """A description as published; for datamodel-code-generator, which writes it as an
        indented docstring line by line, wrapped to fit the line length of the code."""
        if not self.codegen:
            return description
        return "\n".join(
            textwrap.fill(
                line, width=DOCSTRING_WIDTH, break_long_words=False, break_on_hyphens=False
            )
            for line in description.splitlines()
        )

    # -- values ----------------------------------------------------------------------------

    def scalar(self, scalar: ir.Scalar, role: str, required: bool) -> dict[str, Any]:
        schema = scalar_schema(self.service, scalar, role, required)
        if self.codegen:
            python_type, enforced = python_type_of(self.service, scalar, role, required)
            kept = {k: v for k, v in schema.items() if k == "type" or k in enforced}
            kept["customTypePath"] = f"{self.service.package}._types.{python_type}"
            return kept
        return schema

    def value(self, type_ref: ir.TypeRef, role: str, required: bool = True) -> dict[str, Any]:
        if isinstance(type_ref, ir.Scalar):
            return self.scalar(type_ref, role, required)
        if isinstance(type_ref, ir.EnumRef):
            if role == "response":  # an answer keeps a value the enum does not list, as text
                if self.codegen:  # a member or that text, in one type (see open_enum.j2)
                    path = f"{self.service.package}._types.{open_type(type_ref.enum)}"
                    return {"type": "string", "customTypePath": path}
                # not "": the wire's empty value is absent, as for every member that is not text
                unlisted = {"type": "string", "minLength": 1}
                return {"anyOf": [{"$ref": f"#/$defs/{type_ref.enum}"}, unlisted]}
            return {"$ref": f"#/$defs/{type_ref.enum}"}
        if isinstance(type_ref, ir.ShapeRef):
            return {"$ref": f"#/$defs/{type_ref.shape}"}
        # Items of a list of scalars carry no "must not be empty" of their own (that is for fields).
        schema: dict[str, Any] = {
            "type": "array",
            "items": self.value(
                type_ref.item, role, required=not isinstance(type_ref.item, ir.Scalar)
            ),
        }
        if type_ref.min_items is not None:
            schema["minItems"] = type_ref.min_items
        if type_ref.max_items is not None:
            schema["maxItems"] = type_ref.max_items
        return schema

    def field(self, f: ir.Field, role: str) -> dict[str, Any]:
        schema = self.value(f.type, role, f.required)
        if not f.required:
            schema = _nullable(schema)
        if f.description:
            schema = {**schema, "description": self.text(f.description)}
        if not self.codegen and isinstance(f.type, ir.Scalar) and "format" in f.type.param_map:
            schema["x-wire-format"] = f.type.param_map["format"]
        return schema

    # -- structures ------------------------------------------------------------------------

    def shape(self, shape: ir.Shape, role: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"title": shape.name}
        if shape.description:
            schema["description"] = self.text(shape.description)
        if shape.root is not None:
            # A message that is a list or a string, not an object.
            value = self.value(shape.root.type, role)
            if shape.root.description and not shape.description:
                schema["description"] = self.text(shape.root.description)
            return {**schema, **value}
        schema["type"] = "object"
        schema["properties"] = {f.wire: self.field(f, role) for f in shape.fields}
        required = [f.wire for f in shape.fields if f.required]
        if required:
            schema["required"] = required
        if role == "request":
            schema["additionalProperties"] = False
        if self.codegen:
            if shape.rules:
                schema["customBasePath"] = f"{self.service.package}._rules.{shape.name}Rules"
        else:
            clauses = [
                RuleSchemas(self.service, shape).rule(r) for r in shape.rules if r.kind != "sum"
            ]
            if clauses:
                schema["allOf"] = clauses
            sums = [r for r in shape.rules if r.kind == "sum"]
            if sums:
                # JSON Schema cannot say "this number is the sum of those"; the models enforce it.
                schema["x-rules"] = [
                    {
                        "kind": "sum",
                        "field": ".".join(r.target),
                        "of": [".".join(t) for t in r.terms],
                        "description": r.description,
                    }
                    for r in sums
                ]
        return schema

    def enum(self, enum: ir.EnumType) -> dict[str, Any]:
        schema: dict[str, Any] = {"title": enum.name}
        if enum.description:
            schema["description"] = self.text(enum.description)
        schema["type"] = "string"
        schema["enum"] = [v.wire for v in enum.values]
        schema["x-enum-varnames"] = [constant(v.name) for v in enum.values]
        return schema

    def definitions(self, roots: list[tuple[ir.Shape, str]]) -> dict[str, Any]:
        """The `$defs` for shapes and enums reachable from `roots`, sorted by name."""
        defs: dict[str, Any] = {}

        def visit(type_ref: ir.TypeRef, role: str) -> None:
            if isinstance(type_ref, ir.ListOf):
                visit(type_ref.item, role)
            elif isinstance(type_ref, ir.EnumRef) and type_ref.enum not in defs:
                defs[type_ref.enum] = self.enum(self.service.enum(type_ref.enum))
            elif isinstance(type_ref, ir.ShapeRef) and type_ref.shape not in defs:
                shape = self.service.shape(type_ref.shape)
                defs[shape.name] = {}
                defs[shape.name] = self.shape(shape, role)
                for f in shape.fields:
                    visit(f.type, role)

        for shape, role in roots:
            for f in shape.fields + ((shape.root,) if shape.root else ()):
                visit(f.type, role)
        return dict(sorted(defs.items()))


class RuleSchemas:
    """JSON Schema clauses for the cross-field rules of one message."""

    def __init__(self, service: ir.Service, message: ir.Shape) -> None:
        self.service = service
        self.message = message

    def _nest(self, scope: tuple[str, ...], inner: dict[str, Any]) -> dict[str, Any]:
        """Apply `inner` to the items of the list at `scope` (objects on the way)."""
        chain = []
        shape = self.message
        for wire in scope:
            f = shape.field(wire)
            assert f is not None
            chain.append(f)
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            assert isinstance(ref, ir.ShapeRef)
            shape = self.service.shape(ref.shape)
        for f in reversed(chain):
            if isinstance(f.type, ir.ListOf):
                inner = {"items": inner}
            else:
                # An optional object may be null; the rule is about the object when it is given.
                inner = {"if": {"type": "object"}, "then": inner}
            inner = {"properties": {f.wire: inner}}
        return inner

    @staticmethod
    def present(wire: str) -> dict[str, Any]:
        return {"required": [wire], "properties": {wire: {"not": {"type": "null"}}}}

    def condition(self, when: tuple[ir.Condition, ...]) -> dict[str, Any]:
        clauses = []
        for c in when:
            leaf: dict[str, Any] = (
                {"const": c.values[0]} if len(c.values) == 1 else {"enum": list(c.values)}
            )
            schema: dict[str, Any] = {"properties": {c.path[-1]: leaf}, "required": [c.path[-1]]}
            for wire in reversed(c.path[:-1]):
                schema = {"properties": {wire: {"type": "object", **schema}}, "required": [wire]}
            clauses.append(schema)
        return clauses[0] if len(clauses) == 1 else {"allOf": clauses}

    def rule(self, rule: ir.Rule) -> dict[str, Any]:
        if rule.kind == "required_when":
            then = self.present(rule.fields[0])
        elif rule.kind == "forbidden_when":
            then = {"properties": {rule.fields[0]: {"type": "null"}}}
        elif rule.kind == "exactly_one_of":
            then = {"oneOf": [self.present(w) for w in rule.fields]}
        elif rule.kind == "at_least_one_of":
            then = {"anyOf": [self.present(w) for w in rule.fields]}
        elif rule.kind == "required_unless":
            then = {"anyOf": [self.present(rule.fields[1]), self.present(rule.fields[0])]}
        elif rule.kind == "pattern_when":
            then = {"properties": {rule.fields[0]: {"pattern": rule.pattern}}}
        else:  # pragma: no cover - the meta-schema admits no other kinds
            raise ValueError(rule.kind)
        then = self._nest(rule.scope, then)
        clause: dict[str, Any] = {"description": rule.description}
        if rule.when:
            clause["if"] = self.condition(rule.when)
            clause["then"] = then
        else:
            clause.update(then)
        return clause


def message_schema(service: ir.Service, op: ir.Operation, role: str) -> dict[str, Any]:
    """The published, self-contained schema of one message."""
    emitter = SchemaEmitter(service, codegen=False)
    message = op.request if role == "request" else op.response
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT}
    schema["$id"] = f"{service.provider}/{op.name}.{role}.schema.json"
    schema.update(emitter.shape(message, role))
    if role == "request":
        envelope = ", ".join(e.wire for e in service.wire.envelope)
        schema["description"] = (
            (message.description + " " if message.description else "")
            + f"The client adds the envelope elements ({envelope}) itself."
        ).strip()
    defs = emitter.definitions([(message, role)])
    if defs:
        schema["$defs"] = defs
    return schema


def published_schemas(service: ir.Service) -> dict[str, dict[str, Any]]:
    """File name -> schema, for `generated/<provider>/schemas/`."""
    out = {}
    for op in service.operations:
        for role in ("request", "response"):
            out[f"{op.name}.{role}.schema.json"] = message_schema(service, op, role)
    emitter = SchemaEmitter(service, codegen=False)
    for callback in service.callbacks:
        if callback.message is None:
            continue
        notice = service.shape(callback.message)
        schema: dict[str, Any] = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"{service.provider}/{callback.name}.callback.schema.json",
        }
        schema.update(emitter.shape(notice, "response"))
        defs = emitter.definitions([(notice, "response")])
        if defs:
            schema["$defs"] = defs
        out[f"{callback.name}.callback.schema.json"] = schema
    return out


def codegen_bundle(service: ir.Service) -> tuple[dict[str, Any], dict[str, str]]:
    """The one document datamodel-code-generator reads, and its scoped alias map."""
    emitter = SchemaEmitter(service, codegen=True)
    roots = [(m, m.role) for m in service.messages()]
    defs = emitter.definitions(roots)
    for message in service.messages():
        defs[message.name] = emitter.shape(message, message.role)
    for callback in service.callbacks:
        for param in callback.params:
            if isinstance(param.type, ir.EnumRef):
                defs[param.type.enum] = emitter.enum(service.enum(param.type.enum))
        if callback.message is not None:
            notice = service.shape(callback.message)
            defs.update(emitter.definitions([(notice, "response")]))
            defs[notice.name] = emitter.shape(notice, "response")
    aliases: dict[str, str] = {}
    for shape in [*service.shapes, *service.messages()]:
        for f in shape.fields:
            aliases[f"{shape.name}.{f.wire}"] = f.name
    return {"$schema": SCHEMA_DIALECT, "$defs": dict(sorted(defs.items()))}, dict(
        sorted(aliases.items())
    )
