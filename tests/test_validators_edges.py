"""Schemas and models agree at every edge, deterministically.

The random test (`test_validators_agree.py`) explores; this one sweeps. Bases are the
documents' own examples (valid payloads). Every field of the message, nested ones included, is
set in turn to each of its edge values and to near misses of its value in the base, and this
is repeated with each value of the conditions the message's rules depend on (TYPE P / B,
COUNTRYCODE NL / BE, ...), so that a rule or constraint changed on one side only is caught.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Iterator

import pytest
from lxml import etree
from pydantic import ValidationError

from generator import ir
from strategies import _near_misses, _strategies
from support import PROVIDERS, SPECS, mended, package, schema_validator, service


def _bases(provider: str, op: ir.Operation, role: str) -> list[dict[str, Any]]:
    wire = package(provider, "_wire")
    bases = []
    for ex in op.examples:
        path = ex.request if role == "request" else ex.response
        if path is None:
            continue
        svc = service(provider)
        element = svc.wire.request_element if role == "request" else svc.wire.response_element
        document = etree.tostring(mended((SPECS / provider / path).read_bytes(), ex.mends, element))
        if role == "request":
            _, model = wire.decode_request(op.name, document)
        else:
            model = getattr(wire, f"decode_{op.name}_response")(document)
        bases.append(model.model_dump(mode="json", by_alias=True, exclude_none=True))
    return bases


def _condition_variants(svc: ir.Service, message: ir.Shape, base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The base, and the base with each condition path set to each of its values."""
    yield base
    seen = set()
    for rule in message.rules:
        for c in rule.when:
            f = message.field(c.path[0])
            values = [v.wire for v in svc.enum(f.type.enum).values] if f and isinstance(f.type, ir.EnumRef) else list(c.values)
            for v in values:
                if (c.path, v) in seen or len(c.path) != 1:
                    continue
                seen.add((c.path, v))
                variant = copy.deepcopy(base)
                variant[c.path[0]] = v
                yield variant


def _probes(svc: ir.Service, shape: ir.Shape, holder: dict[str, Any], root: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Copies of `root` with one field of `holder` (a dict inside root) set to an edge value."""
    strategies = _strategies(svc)
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
            items = inner if isinstance(inner, list) else [inner]
            for item in items[:2]:
                if isinstance(item, dict):
                    yield from _probes(svc, svc.shape(ref.shape), item, root)


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
            for payload in _probes(svc, message, variant, variant):
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
