"""Every wire example of the documents is a test vector.

A request example (mended where the spec says the document is broken) decodes into the typed
request, validates, matches the published JSON Schema, and encodes back to the same document,
except for the differences the spec records as normalisations. A response example decodes,
re-encodes to the same document, and gives the outcome or error the spec expects.

XML documents are compared as elements, order and text. JSON documents are compared as the
parsed message member (`data`): members and values exactly, member order not (a JSON object is
unordered, and Billmate's examples order the shared Article and Cart members differently from
one function to the next). The envelope around the message is checked member by member.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from generator import ir
from generator.view.common import outcome_class as _outcome_class
from support import (
    PROVIDERS,
    SPECS,
    apply_edits,
    canonical,
    json_apply_edits,
    json_context,
    json_mended,
    json_text,
    mended,
    package,
    parse,
    php_json_encode,
    schema_validator,
    service,
)

# The key the Billmate document says its example hashes were made with.
DOCUMENT_KEY = "1234567890"


def _examples(kind: str, fragments: bool = False) -> list[Any]:
    cases = []
    for provider in PROVIDERS:
        for op in service(provider).operations:
            for ex in op.examples:
                if getattr(ex, kind) is not None and ex.fragment == fragments:
                    cases.append(pytest.param(provider, op, ex, id=f"{provider}-{op.name}-{ex.name}"))
    return cases


def _message_key(svc: ir.Service) -> str:
    assert isinstance(svc.wire, ir.JsonWire)
    return next(m.key for m in svc.wire.body if m.source == "message")


def _context(provider: str) -> Any:
    """A wire context with placeholder credentials. Where the protocol signs, the key is the one
    the document names and signatures are verified: the examples' printed hashes are
    illustrative (ledger example-hashes), so the tests recompute them (`_resign`)."""
    svc = service(provider)
    if isinstance(svc.wire, ir.JsonWire):
        if svc.wire.signature is None:
            return json_context(provider)
        auth = package(provider, "_auth")
        names = {c.name: "x" for c in svc.credentials if c.default is None}
        names[svc.wire.signature.key] = DOCUMENT_KEY
        return json_context(provider, credentials=auth.Credentials(**names), verify_signatures=True)
    auth = package(provider, "_auth")
    svc = service(provider)
    names = {c.name: "x" for c in svc.credentials if c.default is None and not c.optional}
    names.update({name: "x" for name in svc.auth_one_of[:1]})
    return package(provider, "_wire").Context(credentials=auth.Credentials(**names))


def _resign(svc: ir.Service, document: dict[str, Any]) -> None:
    """Replace the example's printed hash by the real one, computed with the reference PHP
    encoder of the tests, so the example is read with signature checks on."""
    signature = svc.wire.signature if isinstance(svc.wire, ir.JsonWire) else None
    if signature is None:
        return
    node = document
    *parents, last = signature.response
    for step in parents:
        node = node.setdefault(step, {})
    node[last] = _hmac(php_json_encode(document[_message_key(svc)]))


def _hmac(text: str) -> str:
    return hmac.new(DOCUMENT_KEY.encode(), text.encode(), hashlib.sha512).hexdigest()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_document_example_file_is_used(provider: str) -> None:
    """Each file in examples/ is a vector of an operation or callback, or excused in the spec
    with a ledger id (the loader refuses anything else; this pins the counts)."""
    svc = service(provider)
    used = {f for op in svc.operations for ex in op.examples for f in (ex.request, ex.response) if f}
    used |= {cb.example_file for cb in svc.callbacks if cb.example_file}
    excused = {f for f, _ in svc.examples_not_vectors}
    on_disk = {f"examples/{p.name}" for p in (SPECS / provider / "examples").iterdir()}
    assert used | excused == on_disk
    expected = {"billink": (20, 0), "billit": (7, 0), "billmate": (28, 1), "inkassogram": (2, 0)}[provider]
    assert (len(used), len(excused)) == expected


def _check_json_envelope(svc: ir.Service, op: ir.Operation, example: dict[str, Any], sent: dict[str, Any]) -> None:
    """The example's envelope members are the ones the client writes."""
    assert isinstance(svc.wire, ir.JsonWire)
    constants = dict(op.constants)
    for member in svc.wire.body:
        if member.source == "operation":
            assert example[member.key] == constants[member.key] == sent[member.key]
        elif member.source == "credentials":
            # The documents show fewer members than the client sends at most (serverdata is
            # optional; updateCheckout's example leaves out language and time).
            optional = {m.key for m in svc.wire.credentials if m.source == "option" and m.type == "map"}
            assert set(example[member.key]) <= set(sent[member.key]) | optional
    assert set(example) == set(sent)


@pytest.mark.parametrize("provider, op, ex", _examples("request"))
def test_request_example_round_trips(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    wire = package(provider, "_wire")
    svc = service(provider)
    ctx = _context(provider)
    raw = (SPECS / provider / ex.request).read_bytes()

    if isinstance(svc.wire, ir.RestWire):
        document = json_mended(raw, ex.mends, None)
        request = wire.decode_request_body(op.name, json_text(document).encode())
        errors = list(schema_validator(provider, f"{op.name}.request.schema.json").iter_errors(
            request.model_dump(mode="json", by_alias=True, exclude_none=True)))
        assert not errors, errors
        call = getattr(wire, f"encode_{op.name}")(request)
        assert (call.method, call.path) == (op.method, op.path)
        json_apply_edits(document, ex.normalisations)
        assert json.loads(call.body, parse_float=Decimal) == document
        return

    if isinstance(svc.wire, ir.JsonWire):
        key = _message_key(svc)
        document = json_mended(raw, ex.mends, key)
        _resign(svc, document)
        envelope, request = wire.decode_request(op.name, json_text(document).encode(), ctx)
        assert envelope.keys() == document.keys() - {key}
    else:
        element = mended(raw, ex.mends, svc.wire.request_element)
        envelope, request = wire.decode_request(op.name, etree.tostring(element))
        # The envelope the document shows is the one the client writes.
        constants = dict(op.constants)
        for entry in svc.wire.envelope:
            if entry.const is not None:
                assert envelope[entry.wire] == entry.const
            elif entry.credential is None:
                assert envelope[entry.wire] == constants[entry.wire]
        # XML documents carry the credentials in the envelope: write back the same ones.
        in_body = {e.credential: envelope[e.wire] for e in svc.wire.envelope if e.credential is not None}
        auth = package(provider, "_auth")
        ctx = wire.Context(
            credentials=auth.Credentials(**{c.name: in_body.get(c.name, "x") for c in svc.credentials if c.default is None})
        )

    # The typed request matches the published schema in its canonical JSON form.
    canonical_json = request.model_dump(mode="json", by_alias=True, exclude_none=True)
    errors = list(schema_validator(provider, f"{op.name}.request.schema.json").iter_errors(canonical_json))
    assert not errors, errors

    encoded = getattr(wire, f"encode_{op.name}")(request, ctx)
    if isinstance(svc.wire, ir.JsonWire):
        sent = json.loads(encoded)
        _check_json_envelope(svc, op, document, sent)
        if svc.wire.signature is not None:
            assert sent["credentials"]["hash"] == _hmac(php_json_encode(sent[key]))
        json_apply_edits(document[key], ex.normalisations)
        assert sent[key] == document[key]
    else:
        apply_edits(element, ex.normalisations, svc.wire.request_element)
        assert canonical(parse(encoded)) == canonical(element)


@pytest.mark.parametrize("provider, op, ex", _examples("response"))
def test_response_example_round_trips(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    wire = package(provider, "_wire")
    outcomes = package(provider, "_outcomes")
    errors = package(provider, "errors")
    svc = service(provider)
    ctx = _context(provider)
    raw = (SPECS / provider / ex.response).read_bytes()

    if isinstance(svc.wire, ir.JsonWire):
        key = _message_key(svc)
        document = json_mended(raw, ex.mends, key)
        _resign(svc, document)
        response = getattr(wire, f"decode_{op.name}_response")(json_text(document).encode(), ctx)
    else:
        element = mended(raw, ex.mends, svc.wire.response_element)
        response = getattr(wire, f"decode_{op.name}_response")(etree.tostring(element))

    canonical_json = response.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert not list(schema_validator(provider, f"{op.name}.response.schema.json").iter_errors(canonical_json))
    encoded = getattr(wire, f"encode_{op.name}_response")(response, ctx)
    if isinstance(svc.wire, ir.JsonWire):
        answered = json.loads(encoded)
        json_apply_edits(document[key], ex.normalisations)
        assert answered[key] == document[key]
        assert set(answered) <= set(document)
    else:
        apply_edits(element, ex.normalisations, svc.wire.response_element)
        assert canonical(parse(encoded)) == canonical(element)

    classify = getattr(outcomes, op.name)
    if ex.outcome is not None:
        result = classify(response)
        expected = package(provider, "results")
        outcome = next(o for o in op.outcomes if o.name == ex.outcome)
        assert type(result) is getattr(expected, _outcome_class(op, outcome))
    elif ex.error is not None:
        with pytest.raises(errors.__dict__[f"{''.join(p.title() for p in op.name.split('_'))}Error"]) as caught:
            classify(response)
        assert caught.value.code == ex.error
        assert caught.value.error is not None and caught.value.error.value == ex.error


@pytest.mark.parametrize("provider, op, ex", _examples("request", fragments=True))
def test_request_fragment_members_are_known_and_typed(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    """A fragment shows some members of a request ("//Other Order data..."): every one of them
    is a member of the request, and its value decodes to the member's type."""
    wire = package(provider, "_wire")
    js = package(provider, "_runtime.json")
    document = json_mended((SPECS / provider / ex.request).read_bytes(), ex.mends, None)
    table, _ = wire.REQUESTS[op.name]
    decoded = js.decode(document, table, strict=True)
    assert decoded.keys() == document.keys()
    assert all(value is not None for value in decoded.values())


def _signed_examples() -> list[Any]:
    cases = []
    for provider in PROVIDERS:
        svc = service(provider)
        if not isinstance(svc.wire, ir.JsonWire) or svc.wire.signature is None:
            continue
        for op in svc.operations:
            for ex in op.examples:
                for file in (ex.request, ex.response):
                    if file:
                        cases.append(pytest.param(provider, file, ex.mends, id=f"{provider}-{file}"))
        for cb in svc.callbacks:
            if cb.example_file:
                cases.append(pytest.param(provider, cb.example_file, (), id=f"{provider}-{cb.example_file}"))
    return cases


@pytest.mark.parametrize("provider, file, mends", _signed_examples())
def test_example_hashes_are_placeholders(provider: str, file: str, mends: tuple[ir.Edit, ...]) -> None:
    """Ledger example-hashes: no example hash is the HMAC-SHA512 of its data under the key the
    document names, so the examples cannot serve as signature vectors (tests/test_billmate_client
    computes its own)."""
    svc = service(provider)
    key = _message_key(svc)
    document = json_mended((SPECS / provider / file).read_bytes(), mends, key)
    assert document["credentials"]["hash"] != _hmac(php_json_encode(document[key]))
    assert len(document["credentials"]["hash"]) == 128


@pytest.mark.parametrize(
    "provider, callback",
    [
        pytest.param(p, cb, id=f"{p}-{cb.name}")
        for p in PROVIDERS
        for cb in service(p).callbacks
        if cb.example_file
    ],
)
def test_callback_example_parses(provider: str, callback: ir.Callback) -> None:
    """The callback and redirect examples parse into their typed notice (signature check off:
    the example hashes are placeholders), in the form each arrives in."""
    from urllib.parse import urlencode

    callbacks = package(provider, "callbacks")
    raw = (SPECS / provider / callback.example_file).read_bytes()
    document = json.loads(raw)
    parse = getattr(callbacks, f"parse_{callback.name}")
    if callback.body == "signed-json":
        notice = parse(raw, "key", verify=False)
    else:
        form = urlencode({k: json.dumps(v) for k, v in document.items()})
        notice = parse(form, "key", verify=False)
    # Written back in wire form, the notice is the example's data.
    wire = package(provider, "_wire")
    from generator.view.common import snake

    assert json.loads(getattr(wire, f"_encode_{snake(callback.message)}")(notice)) == document["data"]


def _raw_shape(shape: Any) -> Any:
    """A copy of a decoding table whose leaves keep the wire's text as it is."""
    import dataclasses

    fields = {}
    for key, spec in shape.fields.items():
        kind = type(spec).__name__
        if kind == "Leaf":
            fields[key] = dataclasses.replace(spec, decode=lambda raw: raw)
        elif kind == "Node":
            fields[key] = dataclasses.replace(spec, shape=_raw_shape(spec.shape))
        else:
            item = spec.item
            raw_item = dataclasses.replace(item, decode=lambda raw: raw) if type(item).__name__ == "Leaf" else dataclasses.replace(item, shape=_raw_shape(item.shape))
            fields[key] = dataclasses.replace(spec, item=raw_item)
    kwargs = {f.name: getattr(shape, f.name) for f in dataclasses.fields(shape) if f.init}
    kwargs["fields"] = fields
    return type(shape)(**kwargs)


def _as_written(provider: str, op: ir.Operation, ex: ir.Example) -> Any:
    """The example's message as a plain mapping of wire names to the wire's own text (what a
    user pasting the document's example writes)."""
    svc = service(provider)
    wire = package(provider, "_wire")
    raw = (SPECS / provider / ex.request).read_bytes()
    if isinstance(svc.wire, ir.RestWire):
        return json_mended(raw, ex.mends, None)
    if isinstance(svc.wire, ir.JsonWire):
        key = _message_key(svc)
        return json_mended(raw, ex.mends, key)[key]
    runtime = package(provider, "_runtime.xml")
    element = mended(raw, ex.mends, svc.wire.request_element)
    shape = _raw_shape(wire.REQUEST_SHAPES[op.request.name])
    _, data = runtime.read(
        etree.tostring(element), root=wire.ROOT, namespace=wire.NAMESPACE, element=wire.REQUEST_ELEMENT,
        shape=shape, envelope=wire.ENVELOPE, strict=True, want_envelope=False,
    )
    return data


@pytest.mark.parametrize("provider, op, ex", _examples("request"))
def test_a_documents_example_as_written_validates(provider: str, op: ir.Operation, ex: ir.Example) -> None:
    """Pasting the document's example as a mapping with its wire names and its text
    ("WORKFLOWNUMBER": "1", "BIRTHDATE": "01-01-1985") gives the request the example is
    (issue 15): the client reads the wire's text forms as the wire does."""
    client = package(provider, "client")
    models = package(provider, "models")
    written = _as_written(provider, op, ex)
    model = getattr(models, op.request.name)
    request = client._validated(model, written)
    wire = package(provider, "_wire")
    svc = service(provider)
    ctx = _context(provider)
    if isinstance(svc.wire, ir.RestWire):
        expected = wire.decode_request_body(op.name, json_text(json_mended((SPECS / provider / ex.request).read_bytes(), ex.mends, None)).encode())
    elif isinstance(svc.wire, ir.JsonWire):
        key = _message_key(svc)
        document = json_mended((SPECS / provider / ex.request).read_bytes(), ex.mends, key)
        _resign(svc, document)
        _, expected = wire.decode_request(op.name, json_text(document).encode(), ctx)
    else:
        element = mended((SPECS / provider / ex.request).read_bytes(), ex.mends, svc.wire.request_element)
        _, expected = wire.decode_request(op.name, etree.tostring(element))
    assert request == expected


def test_wire_text_stays_strict() -> None:
    """Wire text forms are read only as the wire writes them: no floats for money, no guesses."""
    client = package("billink", "client")
    models = package("billink", "models")
    errors = package("billink", "errors")
    base = {"INVOICENUMBER": "123456", "WORKFLOWNUMBER": "1", "DAYS": "14"}
    assert client._validated(models.OnHoldRequest, base).days == 14
    for wrong in ({**base, "DAYS": "14.0"}, {**base, "DAYS": "1e1"}, {**base, "WORKFLOWNUMBER": "one"}):
        with pytest.raises(errors.BillinkRequestValidationError):
            client._validated(models.OnHoldRequest, wrong)
    payment = {"INVOICENUMBER": "123", "AMOUNT": "10.50", "DESCRIPTION": "x"}
    assert client._validated(models.PaymentRequest, payment).amount == Decimal("10.50")
    with pytest.raises(errors.BillinkRequestValidationError, match="floats are refused"):
        client._validated(models.PaymentRequest, {**payment, "AMOUNT": 10.5})


def test_an_enum_written_as_the_documents_number_is_taken() -> None:
    """Inkassogram's example writes <service>1</service>; a mapping pasting it as 1 means the
    same wire value."""
    svc = service("inkassogram")
    op = svc.operations[0]
    ex = next(e for e in op.examples if e.request)
    written = _as_written("inkassogram", op, ex)
    assert written["service"] == "1"
    client = package("inkassogram", "client")
    models = package("inkassogram", "models")
    assert client._validated(models.CreateInvoiceRequest, {**written, "service": 1}).service.value == "1"


def test_a_number_for_a_flag_is_refused_but_its_wire_text_is_taken() -> None:
    """A flag written "1"/"0" on the wire takes that text; the numbers 1 and 0 are not the
    wire's text and are refused, as the schema refuses them (the fuzz found 0 taken as False)."""
    svc = service("inkassogram")
    op = svc.operations[0]
    ex = next(e for e in op.examples if e.request)
    written = _as_written("inkassogram", op, ex)
    client = package("inkassogram", "client")
    models = package("inkassogram", "models")
    errors = package("inkassogram", "errors")
    taken = client._validated(models.CreateInvoiceRequest, {**written, "makeInvoiceReservation": "0"})
    assert taken.make_invoice_reservation is False
    for number in (0, 1):
        with pytest.raises(errors.InkassogramRequestValidationError, match="makeInvoiceReservation"):
            client._validated(models.CreateInvoiceRequest, {**written, "makeInvoiceReservation": number})


def test_an_empty_list_is_an_empty_structure_only_where_senders_are_php() -> None:
    """PHP's json_encode writes [] for an empty object, so Billmate takes [] for a structure;
    on XML a list is no structure, and [] is refused as the schema refuses it (the fuzz found
    Inkassogram's careOfAddress=[] sent as an empty element)."""
    svc = service("inkassogram")
    op = svc.operations[0]
    written = _as_written("inkassogram", op, next(e for e in op.examples if e.request))
    client = package("inkassogram", "client")
    models = package("inkassogram", "models")
    errors = package("inkassogram", "errors")
    with pytest.raises(errors.InkassogramRequestValidationError, match="careOfAddress"):
        client._validated(models.CreateInvoiceRequest, {**written, "careOfAddress": []})
    billmate = package("billmate", "client")
    request = billmate._validated(package("billmate", "models").GetAccountInfoRequest, [])
    assert request.model_dump(exclude_none=True) == {}
