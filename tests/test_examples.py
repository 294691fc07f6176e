"""Every wire example of the documents is a test vector.

A request example (mended where the spec says the document is broken) decodes into the typed
request, validates, matches the published JSON Schema, and encodes back to the same elements,
order and text, except for the differences the spec records as normalisations. A response
example decodes, re-encodes to the same XML, and gives the outcome or error the spec expects.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from generator import ir
from support import PROVIDERS, SPECS, apply_edits, canonical, mended, package, parse, schema_validator, service


def _examples(kind: str) -> list[Any]:
    cases = []
    for provider in PROVIDERS:
        for op in service(provider).operations:
            for ex in op.examples:
                if getattr(ex, kind) is not None:
                    cases.append(pytest.param(provider, op, ex, id=f"{provider}-{op.name}-{ex.name}"))
    return cases


def test_every_document_example_is_a_vector() -> None:
    """The Billink document has 20 XML examples; every one of them is in a spec."""
    billink = service("billink")
    files = {getattr(ex, k) for op in billink.operations for ex in op.examples for k in ("request", "response")}
    files.discard(None)
    on_disk = {f"examples/{p.name}" for p in (SPECS / "billink" / "examples").iterdir()}
    assert files == on_disk
    assert len(files) == 20


@pytest.mark.parametrize("provider, op, ex", _examples("request"))
def test_request_example_round_trips(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    wire = package(provider, "_wire")
    auth = package(provider, "_auth")
    svc = service(provider)
    document = mended((SPECS / provider / ex.request).read_bytes(), ex.mends, svc.wire.request_element)

    envelope, request = wire.decode_request(op.name, etree.tostring(document))

    # The envelope the document shows is the one the client writes.
    constants = dict(op.constants)
    for entry in svc.wire.envelope:
        if entry.const is not None:
            assert envelope[entry.wire] == entry.const
        elif entry.credential is None:
            assert envelope[entry.wire] == constants[entry.wire]
    in_body = {e.credential: envelope[e.wire] for e in svc.wire.envelope if e.credential is not None}
    credentials = auth.Credentials(**{c.name: in_body.get(c.name, "x") for c in svc.credentials if c.default is None})
    # The typed request matches the published schema in its canonical JSON form.
    canonical_json = request.model_dump(mode="json", by_alias=True, exclude_none=True)
    errors = list(schema_validator(provider, f"{op.name}.request.schema.json").iter_errors(canonical_json))
    assert not errors, errors

    encoded = getattr(wire, f"encode_{op.name}")(request, credentials)
    apply_edits(document, ex.normalisations, svc.wire.request_element)
    assert canonical(parse(encoded)) == canonical(document)


@pytest.mark.parametrize("provider, op, ex", _examples("response"))
def test_response_example_round_trips(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    wire = package(provider, "_wire")
    outcomes = package(provider, "_outcomes")
    errors = package(provider, "errors")
    svc = service(provider)
    document = mended((SPECS / provider / ex.response).read_bytes(), ex.mends, svc.wire.response_element)

    response = getattr(wire, f"decode_{op.name}_response")(etree.tostring(document))
    canonical_json = response.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert not list(schema_validator(provider, f"{op.name}.response.schema.json").iter_errors(canonical_json))
    encoded = getattr(wire, f"encode_{op.name}_response")(response)
    apply_edits(document, ex.normalisations, svc.wire.response_element)
    assert canonical(parse(encoded)) == canonical(document)

    classify = getattr(outcomes, op.name)
    if ex.outcome is not None:
        result = classify(response)
        expected = package(provider, "results")
        outcome_class = next(o for o in op.outcomes if o.name == ex.outcome)
        from generator.view import _outcome_class

        assert type(result) is getattr(expected, _outcome_class(op, outcome_class))
    elif ex.error is not None:
        with pytest.raises(errors.__dict__[f"{''.join(p.title() for p in op.name.split('_'))}Error"]) as caught:
            classify(response)
        assert caught.value.code == ex.error
        assert caught.value.error is not None and caught.value.error.value == ex.error
