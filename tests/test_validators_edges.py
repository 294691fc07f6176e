"""Schemas and models agree at every edge, deterministically.

The random test (`test_validators_agree.py`) explores; this one sweeps. Bases are the
documents' own examples (valid payloads), or a minimal valid payload where a document shows
none. Every field of the message, nested ones included, is
set in turn to each of its edge values and to near misses of its value in the base, and this
is repeated with each value of the conditions the message's rules depend on (TYPE P / B,
COUNTRYCODE NL / BE, ...), so that a rule or constraint changed on one side only is caught.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Iterator

import pytest
from pydantic import ValidationError

from generator import ir
from generator.samples import minimal
from strategies import _near_misses, _strategies
from support import PROVIDERS, decode_example, package, schema_validator, service


def _bases(provider: str, op: ir.Operation, role: str) -> list[Any]:
    """The canonical JSON form of each example of the message. A message the document shows
    no example of (getTerms' answer, a plain string) starts from a minimal value of its root."""
    bases = [
        decode_example(provider, op, ex, role).model_dump(mode="json", by_alias=True, exclude_none=True)
        for ex in op.examples
        if (ex.request if role == "request" else ex.response) is not None and not ex.fragment
    ]
    if not bases:
        bases.append(minimal(service(provider), op.request if role == "request" else op.response))
    return bases


def _condition_variants(svc: ir.Service, message: ir.Shape, base: Any) -> Iterator[Any]:
    """The base, and the base with each condition path (`TYPE`, `PaymentData.method`) set to
    each value of its field, where the objects along the path are given."""
    yield base
    seen = set()
    for rule in message.rules:
        for c in rule.when:
            shape, f = message, None
            for wire in c.path:
                f = shape.field(wire)
                assert f is not None, c.path
                ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
                if isinstance(ref, ir.ShapeRef):
                    shape = svc.shape(ref.shape)
            assert f is not None
            values = [v.wire for v in svc.enum(f.type.enum).values] if isinstance(f.type, ir.EnumRef) else list(c.values)
            for v in values:
                if (c.path, v) in seen:
                    continue
                seen.add((c.path, v))
                variant = copy.deepcopy(base)
                holder = variant
                for wire in c.path[:-1]:
                    holder = holder.get(wire) if isinstance(holder, dict) else None
                if isinstance(holder, dict):
                    holder[c.path[-1]] = v
                    yield variant


def _message_probes(svc: ir.Service, message: ir.Shape, base: Any) -> Iterator[Any]:
    """The base itself, then its probes. A message whose root is a list or a string is probed
    as a whole (edge values of the root) and, for a list, in its first items."""
    yield copy.deepcopy(base)
    if message.root is None:
        yield from ([], "x", None, 1)  # not an object at all
        yield from _probes(svc, message, base, base)
        return
    yield from _strategies(svc).edges(message.root)
    ref = message.root.type.item if isinstance(message.root.type, ir.ListOf) else message.root.type
    if isinstance(ref, ir.ShapeRef) and isinstance(base, list):
        for item in base[:2]:
            if isinstance(item, dict):
                yield from _probes(svc, svc.shape(ref.shape), item, base)
    elif isinstance(ref, ir.ShapeRef) and isinstance(base, dict):
        yield from _probes(svc, svc.shape(ref.shape), base, base)


def _probes(svc: ir.Service, shape: ir.Shape, holder: dict[str, Any], root: Any, within: frozenset[str] = frozenset()) -> Iterator[Any]:
    """Copies of `root` with one field of `holder` (a dict inside root) set to an edge value,
    or with a member the shape does not have. A nested structure the base leaves out is
    probed inside a minimal one of its own (`within`: the shapes already being probed)."""
    within = within | {shape.name}
    strategies = _strategies(svc)
    holder["UNKNOWN_MEMBER"] = "x"
    yield copy.deepcopy(root)
    del holder["UNKNOWN_MEMBER"]
    for f in shape.fields:
        original = holder.get(f.wire, ...)
        values = list(strategies.edges(f))
        if isinstance(original, str):
            values += _near_misses(original)
        for value in values:
            holder[f.wire] = value
            yield copy.deepcopy(root)
        if original is ...:
            holder.pop(f.wire, None)
        else:
            holder[f.wire] = original
        if f.wire in holder:
            del holder[f.wire]
            yield copy.deepcopy(root)
            holder[f.wire] = original
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        if isinstance(ref, ir.ShapeRef):
            inner = holder.get(f.wire)
            if inner is None or inner == []:
                if ref.shape in within:
                    continue
                nested = minimal(svc, svc.shape(ref.shape))
                holder[f.wire] = [nested] if isinstance(f.type, ir.ListOf) else nested
                if isinstance(nested, dict):
                    yield from _probes(svc, svc.shape(ref.shape), nested, root, within)
                if original is ...:
                    del holder[f.wire]
                else:
                    holder[f.wire] = inner
                continue
            items = inner if isinstance(inner, list) else [inner]
            for item in items[:2]:
                if isinstance(item, dict):
                    yield from _probes(svc, svc.shape(ref.shape), item, root, within)


def _messages() -> list[Any]:
    return [
        pytest.param(provider, op, role, id=f"{provider}-{op.name}-{role}")
        for provider in PROVIDERS
        for op in service(provider).operations
        for role in ("request", "response")
    ]


@pytest.mark.parametrize("provider, op, role", _messages())
def test_schema_and_model_agree_at_every_edge(provider: str, op: ir.Operation, role: str) -> None:
    svc = service(provider)
    message = op.request if role == "request" else op.response
    model = getattr(package(provider, "models"), message.name)
    validator = schema_validator(provider, f"{op.name}.{role}.schema.json")
    bases = _bases(provider, op, role)
    assert bases, f"{op.name} has no {role} example to start from"
    verdicts: Counter[bool] = Counter()
    disagreements = []
    for base in bases:
        for variant in _condition_variants(svc, message, base):
            for payload in _message_probes(svc, message, variant):
                schema_ok = not any(True for _ in validator.iter_errors(payload))
                try:
                    model.model_validate(payload)
                    model_ok = True
                except ValidationError:
                    model_ok = False
                verdicts[schema_ok] += 1
                if schema_ok != model_ok:
                    disagreements.append((payload, schema_ok, model_ok))
    assert not disagreements, disagreements[:3]
    assert verdicts[True] and verdicts[False], verdicts


@pytest.mark.parametrize("provider", PROVIDERS)
def test_exact_types_refuse_from_json_text_what_they_refuse_from_python(provider: str) -> None:
    """`model_validate_json` reads JSON text natively: a JSON number with a fraction would pass
    through float, so decimals take decimal strings and whole numbers only, as from Python."""
    from decimal import Decimal

    from pydantic import TypeAdapter

    types = package(provider, "_types")
    checked = 0
    for name in ("ExactDecimal", "Integer", "Int32"):
        if not hasattr(types, name):
            continue
        checked += 1
        adapter = TypeAdapter(getattr(types, name))
        decimal = name == "ExactDecimal"
        accepted = {'"1.50"': Decimal("1.50"), "3": Decimal(3)} if decimal else {"3": 3, "3.0": 3}
        refused = ["1.5", '"1e5"', "true", "null", '" 1"'] if decimal else ["3.5", '"3"', "true", "null"]
        for text, value in accepted.items():
            got = adapter.validate_json(text)
            assert got == value and type(got) is type(value), (name, text, got)
        for text in refused:
            with pytest.raises(ValidationError):
                adapter.validate_json(text)
    assert checked
