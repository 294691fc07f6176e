"""The golden record: one synthetic provider per protocol (`tests/golden/specs/`), each using
every scalar kind its protocol carries, generated with the real pipeline into a temporary
directory, type-checked, round-tripped and driven against its own mock server.

The real specs exercise what their providers need; these exercise what the spec language
offers (the way openapi-python-client's end-to-end golden record does), so that a kind, a
parameter or a construct no real spec uses yet cannot break unseen. `make check` does not
cover them: their output is not checked in, it is made afresh by this module.

Each golden spec uses every kind in its protocol's `KINDS` and every parameter of those kinds
the protocol does not refuse (a test fails when a protocol gains a kind the golden spec does
not use), an enum with a
decode alias, a nested shape, a list of shapes and a list of scalars, optional and required
fields, a `required_when` field and rule, a sum rule, an error table, outcomes and example
documents that round-trip.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import pytest
from lxml import etree
from pydantic import TypeAdapter, ValidationError

from generator import ir, protocols
from generator.kinds import DATE_FORMATS, KINDS, int_bounds, money_unit
from generator.lint import lint_provider
from generator.naming import pascal
from generator.view.common import outcome_class
from support import (
    FORMATS,
    ROOT,
    EcmaValidator,
    apply_edits,
    canonical,
    json_apply_edits,
    json_mended,
    json_text,
    mended,
    parse,
    php_json_encode,
)

GOLDEN_SPECS = ROOT / "tests" / "golden" / "specs"
GOLDEN = sorted(p.name for p in GOLDEN_SPECS.iterdir() if (p / "service.yaml").exists())
KEY = "golden-signing-key"  # the json provider's signing key in these tests
NOW = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


@functools.cache
def golden_service(provider: str) -> ir.Service:
    built, problems = lint_provider(GOLDEN_SPECS / provider, ROOT)
    assert not problems, "\n".join(map(str, problems))
    assert built is not None
    return built


def _provider_of(protocol: str) -> str:
    found = [p for p in GOLDEN if golden_service(p).protocol == protocol]
    assert len(found) == 1, (protocol, found)
    return found[0]


# -- the golden specs keep up with the protocols (no generation needed) ------------------------


def test_there_is_one_golden_spec_per_protocol() -> None:
    assert sorted(golden_service(p).protocol for p in GOLDEN) == sorted(protocols.registry())


def _scalar_fields(svc: ir.Service) -> list[tuple[ir.Scalar, ir.Field]]:
    """Every scalar a message or shape of the service carries (list items included), with its
    field; derived fields are computed, not given, and left out."""
    shapes = [*svc.shapes, *(s for op in svc.operations for s in (op.request, op.response))]
    found = []
    for shape in shapes:
        for f in (*shape.wire_fields, *((shape.root,) if shape.root else ())):
            scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(scalar, ir.Scalar) and f.derived is None:
                found.append((scalar, f))
    return found


@pytest.mark.parametrize("provider", GOLDEN)
def test_golden_spec_uses_every_kind_its_protocol_carries(provider: str) -> None:
    """When a protocol's KINDS gains a kind, its golden spec must use it (and so generate,
    type-check and round-trip it below)."""
    svc = golden_service(provider)
    used = {scalar.kind for scalar, _ in _scalar_fields(svc)}
    carried = set(protocols.get(svc.protocol).KINDS)
    assert carried - used == set(), f"{provider}: add fields of these kinds to its golden spec"
    assert used <= carried  # lint refuses others; this says the golden spec is what it claims


@pytest.mark.parametrize("provider", GOLDEN)
def test_golden_spec_gives_every_parameter_of_its_kinds(provider: str) -> None:
    """Every parameter each kind takes is given somewhere, but for those the protocol refuses
    (date formats: each of them; bools: a wire form for False, and none), and the structures
    of the spec language are used too."""
    svc = golden_service(provider)
    protocol = protocols.get(svc.protocol)
    given: dict[str, set[str]] = {}
    formats: dict[str, set[str]] = {}
    for scalar, _ in _scalar_fields(svc):
        params = scalar.param_map
        given.setdefault(scalar.kind, set()).update(params)
        if "format" in params:
            formats.setdefault(scalar.kind, set()).add(params["format"])
        if scalar.kind == "bool" and params["wire_false"] is None:
            given[scalar.kind].add("wire_false: null")
    for kind in protocol.KINDS:
        expected = set(KINDS[kind].params) - set(protocol.REFUSED_PARAMS.get(kind, {}))
        if kind == "bool" and "wire_false" in expected:
            expected.add("wire_false: null")
        assert expected - given.get(kind, set()) == set(), f"{provider}: {kind} lacks parameters"
        if "format" in KINDS[kind].params:
            assert formats[kind] == set(DATE_FORMATS), f"{provider}: {kind} should be used with every format"
    fields = [f for s in (*svc.shapes, *(m for op in svc.operations for m in (op.request, op.response))) for f in s.wire_fields]
    assert any(isinstance(f.type, ir.EnumRef) for f in fields) and any(isinstance(f.type, ir.ShapeRef) for f in fields)
    assert any(isinstance(f.type, ir.ListOf) and isinstance(f.type.item, ir.ShapeRef) for f in fields), "a list of shapes"
    assert any(isinstance(f.type, ir.ListOf) and isinstance(f.type.item, ir.Scalar) for f in fields), "a list of scalars"
    assert {f.required for f in fields} == {True, False}
    assert any(e.decode_aliases for e in svc.enums)
    requests = [op.request for op in svc.operations]
    rules = [r for m in requests for r in m.rules]
    assert {r.kind for r in rules} >= {"required_when", "sum"}
    assert any(r.scope for r in rules if r.kind == "required_when"), "a rule inside an object, as well as one on a field"
    assert any(ex.request for op in svc.operations for ex in op.examples)
    assert any(ex.response for op in svc.operations for ex in op.examples)


def test_make_check_covers_specs_only() -> None:
    """`python -m generator check` reads `specs/` and compares `generated/`: the golden
    providers are in neither (their output is made by this module, never checked in)."""
    from generator.pipeline import provider_dirs

    real = {p.name for p in provider_dirs(ROOT / "specs")}
    assert real and not real & set(GOLDEN)
    assert not any((ROOT / "generated" / name).exists() for name in GOLDEN)
    assert "tests" not in {p.name for p in (ROOT / "specs").iterdir()}


# -- generation ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every golden provider generated in one run of the real pipeline (black included)."""
    from generator.pipeline import run

    target = tmp_path_factory.mktemp("golden")
    report = run(ROOT, GOLDEN_SPECS, target, write=True, jobs=1)
    assert [p.provider for p in report.providers] == GOLDEN
    paths = [str(target / p) for p in GOLDEN]
    sys.path[:0] = paths
    yield target
    for path in paths:
        sys.path.remove(path)
    packages = {golden_service(p).package for p in GOLDEN}
    for name in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[name]


def pkg(provider: str, module: str = "") -> ModuleType:
    return importlib.import_module(golden_service(provider).package + (f".{module}" if module else ""))


def test_generated_packages_pass_mypy_strict(out: Path) -> None:
    packages = [arg for p in GOLDEN for arg in ("-p", golden_service(p).package)]
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / ".mypy_cache" / "golden"), *packages],
        cwd=out,
        env={**os.environ, "MYPYPATH": os.pathsep.join(str(out / p) for p in GOLDEN)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_two_generations_give_identical_bytes(out: Path) -> None:
    """The pipeline's check mode, in another process with another hash seed (set and dict
    orders that depend on it would show), finds the output exactly as written."""
    script = (
        "import sys\nfrom pathlib import Path\nfrom generator.pipeline import run\n"
        "report = run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), write=False, jobs=1)\n"
        "for p in report.providers:\n    print(p.provider, sorted(p.changes.written), sorted(p.changes.removed))\n"
        "sys.exit(1 if report.changed else 0)\n"
    )
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    checked = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), str(GOLDEN_SPECS), str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.split() == [w for p in GOLDEN for w in (p, "[]", "[]")]


# -- typed payloads: every field of every request ----------------------------------------------

DOCUMENT = b"%PDF-1.4 golden\x00\xff"
# Text with what each wire must escape or keep: markup, quotes, "/", a tab, line ends, non-ASCII
# and a character beyond the BMP (a surrogate pair in PHP's JSON).
TRICKY = 'Fish & chips <b>"1/2"</b> \'x\' \t–\r\nGrüße ✓ 😀 \\ end'


def xml_register() -> dict[str, Any]:
    return {
        "reference": "REG-0001",
        "name": "Jan de Vries",
        "note": TRICKY,
        "email": "jan@golden.example",
        "language": "nl",
        "currency": "EUR",
        "ip": "2001:db8::1",
        "kind": "P",
        "birth_date": date(1985, 1, 31),
        "start": date(2024, 2, 29),
        "count": 99,
        "small": -(2**31),
        "total": 2600,
        "shipping": 100,
        "tip": "0001995",  # whole amounts may be given as their digits: sent as 1995
        "points": Decimal("1200"),  # a whole Decimal is a whole amount
        "deposit": Decimal("1E+2"),  # sent in plain notation
        "discount": "5.00",  # decimal text, its zeros kept
        "price": Decimal("19.95"),
        "rate": Decimal("0.000125"),
        "active": False,
        "test": True,
        "newsletter": False,
        "when": datetime(2024, 3, 1, 12, tzinfo=timezone.utc),
        "document": DOCUMENT,
        "homepage": "https://jan.golden.example/",
        "callback": "https://shop.example/cb?id=1&x=a+b%20c",
        "address": {"street": "Wilhelminakade 159", "postcode": "3072 ap", "country": "NL"},  # sent upper-cased
        "lines": [
            {"article": "A-1", "quantity": Decimal("1.5"), "amount": 1500, "vat": 21},
            {"article": "B-2", "quantity": 2, "amount": 1000},
        ],
        "deliveries": [{"street": "Meir 1", "postcode": "2000 an", "country": "BE"}],
        "tags": ["new", "", "vip & co"],
    }


def json_create() -> dict[str, Any]:
    return {
        "order_id": "P-1",
        "voucher": "ab12",  # sent upper-cased
        "message_text": TRICKY,
        "method": "4",
        "currency": "SEK",
        "language": "sv",
        "country": "SE",
        "email": "kund@golden.example",
        "ip": "192.0.2.1",
        "payment_plan_id": 7,
        "months": 36,
        "total": 2500,
        "handling": "500",  # the digits as text
        "bonus": 2**31 - 1,
        "deposit": Decimal("1E-7"),  # sent in plain notation
        "fee": Decimal("1E+1"),  # sent in plain notation
        "rate": Decimal("0.0125"),
        "factor": Decimal("-3.14159"),
        "payment_date": date(2024, 2, 29),
        "due_date": date(2024, 3, 31),
        "auto_activate": date(2024, 3, 15),
        "auto_cancel": date(2024, 4, 1),
        "auto_credit": False,
        "prompt_name": True,
        "recurring": True,
        "accept_url": "https://shop.example/accept",
        "callback_url": "https://shop.example/cb?id=1&x=a+b",
        "customer": {
            "pno": "195501011018",
            "email": "kund@golden.example",
            "country": "SE",
            "language": "sv",
            "ip": "2001:db8::2",
        },
        "articles": [
            {"artnr": "A1", "title": "Tröja", "quantity": Decimal("1.5"), "aprice": 1000, "without_tax": 1500, "tax_rate": 25},
            {"artnr": "B2", "quantity": 1, "aprice": 500, "without_tax": 500},
        ],
        "tags": ["new", "vip"],
        "amounts": [100, -5],
    }


def rest_create_item() -> dict[str, Any]:
    return {
        "channel": "web shop",
        "notify": True,
        "name": "Golden Book",
        "note": TRICKY,
        "reference": "REF-1",
        "sku": "gb-0042",  # sent upper-cased
        "kind": "Book",
        "email": "author@golden.example",
        "country": "BE",
        "currency": "EUR",
        "language": "nl",
        "ip": "203.0.113.7",
        "count": -(2**31),
        "stock": 1000,
        "price_cents": 2599,
        "shipping_cents": "100",  # the digits as text: a JSON number on the wire
        "points": -(2**31),
        "deposit": Decimal("1E+2"),  # sent in plain notation
        "discount": "5.00",
        "price": Decimal("25.99"),
        "weight": Decimal("0.000125"),
        "release_date": date(2024, 2, 29),
        "printed_date": date(2024, 1, 31),
        "available": False,
        "created": datetime(2024, 3, 1, 12, 30, 45, 123456),
        "modified": date(2024, 3, 2),
        "homepage": "https://golden.example/book",
        "thumbnail": b"\x89PNG\r\n\x1a\n",
        "extra": {"any": [1, Decimal("2.5"), "three", None, True, {"nested": {}}]},
        "dimensions": {"width": Decimal("21.5"), "height": Decimal("29.7"), "unit": "cm"},
        "parts": [
            {"part_number": "P-1", "quantity": 1, "price_cents": 1999, "fragile": True},
            {"part_number": "P-2", "quantity": 2, "price_cents": 500},
        ],
        "attachments": [
            {"file_name": "book.pdf", "mime_type": "application/pdf", "file_content": b"%PDF-1.4"},
            {"file_name": "cover.png", "file_content": b"\x89PNG\r\n\x1a\n"},
        ],
        "tags": ["new", ""],
        "ratings": [Decimal("4.5"), 5, Decimal("3.25")],
    }


def rest_get_item() -> dict[str, Any]:
    return {"item_id": 42, "as_of": date(2024, 3, 1), "include_parts": True, "region": "se", "include": ["Name", "Parts"]}


def rest_list_items() -> dict[str, Any]:
    return {
        "top": 50,
        "skip": 0,
        "kind": "Music",
        "since": datetime(2024, 1, 31, 23, 59, 59),
        "tags": ["new", "a&b=c"],
        "min_price": Decimal("9.50"),
        "max_discount": Decimal("1E+1"),  # sent in plain notation
        "promo": "spring",  # sent upper-cased
    }


PAYLOADS: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
    ("xml", "register"): xml_register,
    ("xml", "lookup"): lambda: {"references": ["REG-0001", "REG-0002"]},
    ("json", "create"): json_create,
    ("json", "fetch"): lambda: {"number": "1000"},
    ("rest-json", "create_item"): rest_create_item,
    ("rest-json", "get_item"): rest_get_item,
    ("rest-json", "list_items"): rest_list_items,
}


def _operations() -> list[Any]:
    return [pytest.param(p, op.name, id=f"{p}-{op.name}") for p in GOLDEN for op in golden_service(p).operations]


def _xml_register_sent(payload: dict[str, Any]) -> None:
    for address in (payload["address"], *payload["deliveries"]):
        address["postcode"] = address["postcode"].upper()


def _rest_create_item_sent(payload: dict[str, Any]) -> None:
    payload["attachments"][1]["mime_type"] = "image/png"
    payload["sku"] = payload["sku"].upper()


# What the client sends otherwise than given, on purpose: text whose kind says `sent_uppercase`
# (the model keeps what was given), the media type of a file whose type is not given (its
# extension's).
SENT_OTHERWISE: dict[tuple[str, str], Callable[[dict[str, Any]], None]] = {
    ("xml", "register"): _xml_register_sent,
    ("json", "create"): lambda payload: payload.update(voucher=payload["voucher"].upper()),
    ("rest-json", "create_item"): _rest_create_item_sent,
}


def _request(provider: str, operation: str, **changes: Any) -> Any:
    svc = golden_service(provider)
    op = next(o for o in svc.operations if o.name == operation)
    model = getattr(pkg(provider, "models"), op.request.name)
    return model.model_validate({**PAYLOADS[(svc.protocol, operation)](), **changes})


def test_there_is_a_payload_per_operation() -> None:
    assert sorted(PAYLOADS) == sorted((golden_service(p).protocol, op.name) for p in GOLDEN for op in golden_service(p).operations)


@pytest.mark.parametrize("provider, operation", _operations())
def test_the_payload_gives_every_field(out: Path, provider: str, operation: str) -> None:
    """The round trips below cover every field: each payload sets every field of its request
    and of the objects in it."""
    request = _request(provider, operation)
    assert request.model_fields_set == set(type(request).model_fields)
    for f in _op(provider, operation).request.fields:
        if isinstance(f.type, ir.ShapeRef):
            nested = getattr(request, f.name)
            assert nested.model_fields_set == set(type(nested).model_fields), f.wire


# -- wire contexts ----------------------------------------------------------------------------


def _context(provider: str, **credentials: str) -> Any:
    svc = golden_service(provider)
    wire = pkg(provider, "_wire")
    auth = pkg(provider, "_auth")
    if svc.protocol == "json":
        creds = auth.Credentials(**{"id": "12345", "key": KEY, **credentials})
        return wire.Context(credentials=creds, test="true", language="sv", clock=lambda: NOW, verify_signatures=True)
    if svc.protocol == "xml":
        return wire.Context(credentials=auth.Credentials(**{"account": "acc-1", "client_id": "s3cr&t<id>", **credentials}))
    return wire.Context(credentials=auth.Credentials(api_key="k"))


def _sign(document: dict[str, Any]) -> None:
    """Put the real signature (the json protocol's HMAC-SHA512 of the PHP-encoded data under
    KEY) where the document carries it: the example files hold placeholders."""
    holder = document["credentials"] = dict(document.get("credentials", {}))
    holder["hash"] = hmac.new(KEY.encode(), php_json_encode(document["data"]).encode(), hashlib.sha512).hexdigest()


def _schema_errors(provider: str, operation: str, role: str, model: Any, out: Path) -> list[Any]:
    schema = json.loads((out / provider / "schemas" / f"{operation}.{role}.schema.json").read_text())
    canonical_json = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return list(EcmaValidator(schema, format_checker=FORMATS).iter_errors(canonical_json))


def _rest_parameters(op: ir.Operation, request: Any) -> dict[str, Any]:
    """The path, query and header fields given in a request (what `decode_request_body`
    takes beside the body)."""
    return {f.name: getattr(request, f.name) for f in op.request.fields if f.location != "body" and getattr(request, f.name) is not None}


def _parameter_texts(provider: str, op: ir.Operation, request: Any) -> list[tuple[str, str, str]]:
    """(location, wire name, text) of every path, query and header field given, as the
    package writes such values."""
    js = pkg(provider, "_runtime.json")
    found = []
    for f in op.request.fields:
        value = getattr(request, f.name)
        if f.location == "body" or value is None:
            continue
        scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        if isinstance(scalar, ir.Scalar) and scalar.param_map.get("sent_uppercase"):
            value = [item.upper() for item in value] if isinstance(value, list) else value.upper()
        if f.location == "header" and isinstance(value, list):  # one header: the items joined
            found.append((f.location, f.wire, ", ".join(js.parameter_text(item) for item in value)))
            continue
        for item in value if isinstance(value, list) else [value]:
            found.append((f.location, f.wire, js.path_segment(item) if f.location == "path" else js.parameter_text(item)))
    return sorted(found)


def _call_texts(op: ir.Operation, call: Any) -> list[tuple[str, str, str]]:
    """(location, wire name, text) of every parameter a `Call` carries."""
    names = re.findall(r"\{([A-Za-z0-9_]+)\}", op.path)
    pattern = re.escape(op.path)
    for name in names:
        pattern = pattern.replace(re.escape("{" + name + "}"), "([^/]+)")
    matched = re.fullmatch(pattern, call.path)
    assert matched, (op.path, call.path)
    path = [("path", name, text) for name, text in zip(names, matched.groups())]
    return sorted(path + [("query", k, v) for k, v in call.query] + [("header", k, v) for k, v in call.headers])


def round_trip(provider: str, operation: str, request: Any) -> tuple[Any, Any]:
    """(what was sent, the request decoded back from it) through the package's own wire; for
    a rest-json call without a body, (the call, None): its parameters are checked as text."""
    svc = golden_service(provider)
    op = _op(provider, operation)
    wire = pkg(provider, "_wire")
    if svc.protocol == "rest-json":
        call = getattr(wire, f"encode_{operation}")(request)
        assert (call.method, _call_texts(op, call)) == (op.method, _parameter_texts(provider, op, request))
        if call.body is None:
            return call, None
        return call, wire.decode_request_body(operation, call.body, **_rest_parameters(op, request))
    ctx = _context(provider)
    body = getattr(wire, f"encode_{operation}")(request, ctx)
    if svc.protocol == "json":
        return body, wire.decode_request(operation, body, ctx)[1]
    envelope, decoded = wire.decode_request(operation, body)
    assert envelope == {"VERSION": "GOLDEN1", "CLIENTID": "s3cr&t<id>", "ACTION": operation}
    return body, decoded


@pytest.mark.parametrize("provider, operation", _operations())
def test_every_request_round_trips(out: Path, provider: str, operation: str) -> None:
    """Typed values -> the package's encoder -> its request decoder: the same model (a REST
    call without a body: every parameter in the path, query or headers), and the model agrees
    with the published schema."""
    svc = golden_service(provider)
    request = _request(provider, operation)
    _, decoded = round_trip(provider, operation, request)
    if decoded is None:
        assert svc.protocol == "rest-json"
    else:
        expected = PAYLOADS[(svc.protocol, operation)]()
        SENT_OTHERWISE.get((svc.protocol, operation), lambda payload: None)(expected)
        assert _differences(_request(provider, operation, **expected), decoded) == {}
    assert not _schema_errors(provider, operation, "request", request, out)


def _differences(sent: Any, back: Any) -> dict[str, tuple[Any, Any]]:
    """The fields whose values differ between two models of one class (for readable failures)."""
    return {name: (getattr(sent, name), getattr(back, name)) for name in type(sent).model_fields if getattr(sent, name) != getattr(back, name)}


# -- what each kind's parameters put on the wire ---------------------------------------------


def test_xml_writes_every_kind_as_its_parameters_say(out: Path) -> None:
    body, _ = round_trip(_provider_of("xml"), "register", _request(_provider_of("xml"), "register"))
    root = parse(body)
    ns = {"g": "https://golden.example/xml"}

    def text(path: str) -> str | None:
        found = root.find(f"g:request/g:{path}", ns)
        return None if found is None else (found.text or "")

    assert text("NOTE") == TRICKY  # escaped, and read back the same (a CR included)
    assert (text("BIRTHDATE"), text("START")) == ("31-01-1985", "2024-02-29")
    assert (text("ACTIVE"), text("TEST"), text("NEWSLETTER")) == ("0", "true", "false")
    assert (text("PRICE"), text("RATE"), text("SMALL")) == ("19.95", "0.000125", "-2147483648")
    assert text("WHEN") == "1709294400"
    assert text("DOCUMENT") == base64.b64encode(DOCUMENT).decode()
    assert text("DOCUMENTMD5") == hashlib.md5(DOCUMENT).hexdigest()
    assert text("CALLBACK") == "https%3A%2F%2Fshop.example%2Fcb%3Fid%3D1%26x%3Da%2Bb%2520c"
    assert [t.text or "" for t in root.findall("g:request/g:TAGS/g:TAG", ns)] == ["new", "", "vip & co"]
    # money_minor: the digits "0001995" were taken as 1995; a whole Decimal is an int; money: plain notation
    assert (text("TIP"), text("POINTS"), text("DEPOSIT"), text("DISCOUNT")) == ("1995", "1200", "100", "5.00")
    # sent_uppercase: in the nested object and in each item of a list of them
    assert (text("ADDRESS/g:POSTCODE"), text("DELIVERIES/g:DELIVERY/g:POSTCODE")) == ("3072 AP", "2000 AN")
    given = _request(_provider_of("xml"), "register")
    assert (given.address.postcode, given.deliveries[0].postcode) == ("3072 ap", "2000 an")  # the model keeps what was given
    assert (given.tip, type(given.tip), given.points, type(given.points)) == (1995, int, 1200, int)


def test_xml_a_false_without_wire_form_is_not_sent(out: Path) -> None:
    provider = _provider_of("xml")
    body, decoded = round_trip(provider, "register", _request(provider, "register", test=False))
    assert b"<TEST>" not in body and decoded.test is None


def test_xml_a_derived_digest_is_checked_when_read(out: Path) -> None:
    provider = _provider_of("xml")
    body, _ = round_trip(provider, "register", _request(provider, "register"))
    digest = hashlib.md5(DOCUMENT).hexdigest().encode()
    with pytest.raises(Exception, match="DOCUMENTMD5"):
        pkg(provider, "_wire").decode_request("register", body.replace(digest, b"0" * 32))


def _json_sent(provider: str, request: Any) -> tuple[bytes, dict[str, Any]]:
    body = pkg(provider, "_wire").encode_create(request, _context(provider))
    return body, json.loads(body)


def test_json_writes_every_kind_as_its_parameters_say(out: Path) -> None:
    provider = _provider_of("json")
    body, sent = _json_sent(provider, _request(provider, "create"))
    data = sent["data"]
    # PHP's json_encode of the data, byte for byte, is what is sent and signed
    assert php_json_encode(data).encode() in body
    assert sent["credentials"]["hash"] == hmac.new(KEY.encode(), php_json_encode(data).encode(), hashlib.sha512).hexdigest()
    assert data["message"] == TRICKY and "\\/" in body.decode() and "\\ud83d\\ude00" in body.decode()
    assert (data["paymentdate"], data["duedate"]) == ("2024-02-29", "31-03-2024")
    assert (data["autoactivate"], data["autocancel"]) == ("2024-03-15", "01-04-2024")
    assert (data["autocredit"], data["promptname"], data["recurring"]) == ("false", "1", "1")
    assert (data["months"], data["total"], data["rate"], data["factor"]) == ("36", "2500", "0.0125", "-3.14159")
    assert data["callbackurl"] == "https://shop.example/cb?id=1&x=a+b" and "https:\\/\\/shop.example\\/cb" in body.decode()
    assert data["Amounts"] == ["100", "-5"]
    assert (data["handling"], data["bonus"], data["deposit"], data["fee"]) == ("500", "2147483647", "0.0000001", "10")
    # sent_uppercase: upper case is what is sent and signed; the model keeps what was given
    assert data["voucher"] == "AB12" and _request(provider, "create").voucher == "ab12"
    flags = json.loads(_json_sent(provider, _request(provider, "create", auto_activate=True, auto_cancel=False))[0])["data"]
    assert (flags["autoactivate"], flags["autocancel"]) == ("1", "no")


def test_json_a_false_without_wire_form_is_not_sent(out: Path) -> None:
    provider = _provider_of("json")
    body, sent = _json_sent(provider, _request(provider, "create", recurring=False))
    assert "recurring" not in sent["data"]
    assert pkg(provider, "_wire").decode_request("create", body, _context(provider))[1].recurring is None


def test_rest_writes_every_kind_and_parameter_as_the_spec_says(out: Path) -> None:
    provider = _provider_of("rest-json")
    wire = pkg(provider, "_wire")
    call = wire.encode_create_item(_request(provider, "create_item"))
    assert (call.method, call.path, call.query, call.headers) == ("POST", "/v1/items", (("notify", "true"),), (("X-Channel", "web shop"),))
    body = json.loads(call.body, parse_float=Decimal)
    assert (body["ReleaseDate"], body["PrintedDate"]) == ("2024-02-29", "31-01-2024")
    assert (body["Created"], body["Modified"]) == ("2024-03-01T12:30:45.123456", "2024-03-02")
    assert (body["Price"], body["Weight"], body["Ratings"]) == (Decimal("25.99"), Decimal("0.000125"), [Decimal("4.5"), 5, Decimal("3.25")])
    assert body["Thumbnail"] == base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    assert body["Attachments"][1]["MimeType"] == "image/png"  # the fallback: the extension's type
    assert body["Extra"] == {"any": [1, Decimal("2.5"), "three", None, True, {"nested": {}}]}
    # money_minor given as the digits "100" travels as a JSON number; money in plain notation
    assert (body["ShippingCents"], body["Points"], body["Deposit"], body["Discount"]) == (100, -(2**31), 100, Decimal("5.00"))
    assert b'"ShippingCents":100,' in call.body and b'"Deposit":100,' in call.body and b'"Discount":5.00,' in call.body
    assert body["Sku"] == "GB-0042" and _request(provider, "create_item").sku == "gb-0042"  # sent_uppercase
    get = wire.encode_get_item(_request(provider, "get_item"))
    assert (get.method, get.path, get.query, get.headers, get.body) == (
        "GET", "/v1/items/42", (("asOf", "2024-03-01"),),
        (("X-Include-Parts", "true"), ("X-Region", "SE"), ("X-Fields", "Name, Parts")), None,
    )  # a header too is sent upper-cased (sent_uppercase)
    listed = wire.encode_list_items(_request(provider, "list_items"))
    assert listed.query == (
        ("$top", "50"), ("$skip", "0"), ("kind", "Music"), ("since", "2024-01-31T23:59:59"),
        ("tag", "new"), ("tag", "a&b=c"), ("minPrice", "9.50"), ("maxDiscount", "10"), ("promo", "SPRING"),
    )


# -- money: exact amounts, and what each counts -------------------------------------------------


def _money_fields(kind: str) -> list[Any]:
    """(provider, operation, field) for each request field of a money kind (lists of them too)."""
    found = []
    for provider in GOLDEN:
        for op in golden_service(provider).operations:
            for f in op.request.fields:
                scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
                if isinstance(scalar, ir.Scalar) and scalar.kind == kind:
                    found.append(pytest.param(provider, op.name, f, id=f"{provider}-{op.name}-{f.wire}"))
    return found


def test_golden_money_fields_count_several_units() -> None:
    """The float test below sees units given in the spec, not only the defaults."""
    units = set()
    for kind in ("money", "money_minor"):
        for param in _money_fields(kind):
            f = param.values[2]
            scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            assert isinstance(scalar, ir.Scalar)
            units.add(money_unit(scalar.kind, scalar.param_map))
    defaults = {"the currency of the message", "1/100 of the currency (öre, cents)"}
    assert units >= {"loyalty points", "bonus points", "euro", "kronor"} | defaults


@pytest.mark.parametrize("provider, operation, f", _money_fields("money") + _money_fields("money_minor"))
def test_money_refuses_floats_naming_its_unit(out: Path, provider: str, operation: str, f: ir.Field) -> None:
    """A float is refused, a whole one too (20.0 might mean 20 kronor or 20 öre), and the error
    names what the field counts."""
    scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
    assert isinstance(scalar, ir.Scalar)
    unit = money_unit(scalar.kind, scalar.param_map)
    for value in (20.0, 19.95):
        with pytest.raises(ValidationError) as caught:
            _request(provider, operation, **{f.name: [value] if isinstance(f.type, ir.ListOf) else value})
        messages = [e["msg"] for e in caught.value.errors() if e["loc"][0] in (f.name, f.wire)]
        assert messages and all(unit in m and "floats are refused" in m for m in messages), messages


def _texts_around(lo: int | None, hi: int | None) -> set[str]:
    texts = {"0", "1995", "0001995", "-1", "-1995"} | {sign + d * n for sign in ("", "-") for d in "19" for n in range(1, 12)}
    for bound in (lo, hi):
        if bound is not None:
            texts |= {str(bound), str(bound + 1), str(bound - 1)}
    return texts


@pytest.mark.parametrize("provider, operation, f", _money_fields("money_minor"))
def test_money_minor_text_agrees_with_the_schema(out: Path, provider: str, operation: str, f: ir.Field) -> None:
    """A whole amount given as its digits is taken by the model exactly when the published
    schema takes it (only digit counts always within the field's range), for every field of
    one Python type alike; a number in range is taken by both."""
    scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
    assert isinstance(scalar, ir.Scalar)
    model = type(_request(provider, operation))
    info = model.model_fields[f.name]
    annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    schema = json.loads((out / provider / "schemas" / f"{operation}.request.schema.json").read_text())["properties"][f.wire]
    validator = EcmaValidator(schema, format_checker=FORMATS)
    lo, hi = int_bounds(scalar.param_map)
    disagree = []
    for text in sorted(_texts_around(lo, hi)):
        given: object = [text] if isinstance(f.type, ir.ListOf) else text
        try:
            adapter.validate_python(given)
            model_takes = True
        except ValidationError:
            model_takes = False
        if model_takes != validator.is_valid(given):
            disagree.append((text, "model" if model_takes else "schema"))
    assert disagree == [], f"texts one side takes: {disagree}"
    in_range = [n for n in (lo, hi, 0, 1995) if n is not None and (lo is None or n >= lo) and (hi is None or n <= hi)]
    for n in in_range:
        number: object = [n] if isinstance(f.type, ir.ListOf) else n
        assert validator.is_valid(number) and adapter.validate_python(number) == number


# -- the example documents ----------------------------------------------------------------------


def _examples(role: str) -> list[Any]:
    return [
        pytest.param(p, op, ex, id=f"{p}-{op.name}-{ex.name}")
        for p in GOLDEN
        for op in golden_service(p).operations
        for ex in op.examples
        if getattr(ex, role) is not None
    ]


def test_every_example_file_is_used() -> None:
    for provider in GOLDEN:
        svc = golden_service(provider)
        used = {f for op in svc.operations for ex in op.examples for f in (ex.request, ex.response) if f}
        assert used == {f"examples/{p.name}" for p in (GOLDEN_SPECS / provider / "examples").iterdir()}


@pytest.mark.parametrize("provider, op, ex", _examples("request"))
def test_request_example_round_trips(out: Path, provider: str, op: ir.Operation, ex: ir.Example) -> None:
    """The document decodes into the typed request, matches the schema, and encodes back to
    the same document (but for the normalisations the spec records)."""
    svc = golden_service(provider)
    wire = pkg(provider, "_wire")
    raw = (GOLDEN_SPECS / provider / ex.request).read_bytes()
    if svc.protocol == "rest-json":
        document = json_mended(raw, ex.mends, None)
        request = wire.decode_request_body(op.name, json_text(document).encode())
        call = getattr(wire, f"encode_{op.name}")(request)
        json_apply_edits(document, ex.normalisations)
        assert json.loads(call.body, parse_float=Decimal) == document
    elif svc.protocol == "json":
        document = json_mended(raw, ex.mends, "data")
        _sign(document)
        ctx = _context(provider)
        envelope, request = wire.decode_request(op.name, json_text(document).encode(), ctx)
        assert envelope["function"] == dict(op.constants)["function"]
        sent = json.loads(getattr(wire, f"encode_{op.name}")(request, ctx))
        json_apply_edits(document["data"], ex.normalisations)
        assert sent["data"] == document["data"]
        assert set(sent["credentials"]) >= set(document["credentials"])
    else:
        element = mended(raw, ex.mends, svc.wire.request_element)
        envelope, request = wire.decode_request(op.name, etree.tostring(element))
        encoded = getattr(wire, f"encode_{op.name}")(request, _context(provider, client_id=envelope["CLIENTID"]))
        apply_edits(element, ex.normalisations, svc.wire.request_element)
        assert canonical(parse(encoded)) == canonical(element)
    assert not _schema_errors(provider, op.name, "request", request, out)


def test_the_xml_request_example_holds_the_typed_values(out: Path) -> None:
    """Read from the document (not only written and read back): the parameters' wire forms
    mean the values the spec says."""
    xml = _provider_of("xml")
    raw = (GOLDEN_SPECS / xml / "examples/register.request.xml").read_bytes()
    _, register = pkg(xml, "_wire").decode_request("register", raw)
    assert register.kind.value == "P" and register.birth_date == date(1985, 1, 31) and register.start == date(2024, 2, 29)
    assert (register.active, register.test, register.newsletter) == (False, True, False)
    assert register.callback == "https://shop.example/cb?id=1&x=a+b"
    assert register.document == b"%PDF-1.4 golden\x00\xff" and register.when == 1709294400
    assert register.note == "Fish & chips <extra> \"quoted\" 'single' – Grüße ✓"
    assert register.tags == ["new", "", "vip & co"]
    assert (register.tip, register.points, register.deposit, register.discount) == (0, 1200, Decimal("250.125"), Decimal("5.00"))
    assert register.address.postcode == "3072 ap"  # read as written; sent upper-cased (the example's normalisation)


def test_the_json_request_example_holds_the_typed_values(out: Path) -> None:
    js = _provider_of("json")
    document = json_mended((GOLDEN_SPECS / js / "examples/create.request.json").read_bytes(), (), "data")
    _sign(document)
    _, create = pkg(js, "_wire").decode_request("create", json_text(document).encode(), _context(js))
    assert create.method.value == "1" and create.due_date == date(2024, 3, 31)
    assert (create.auto_activate, create.auto_cancel) == (date(2024, 3, 15), date(2024, 4, 1))
    assert (create.auto_credit, create.prompt_name, create.recurring) == (False, True, True)
    assert create.callback_url == "https://shop.example/cb?id=1&x=a+b"
    assert create.message_text == 'Grüße / ✓ 😀 "quoted"'
    assert (create.voucher, create.handling, create.bonus) == ("ab12", 500, 1200)
    assert (create.deposit, create.fee) == (Decimal("250.125"), Decimal("5.00"))


def test_the_rest_request_example_holds_the_typed_values(out: Path) -> None:
    rest = _provider_of("rest-json")
    raw = (GOLDEN_SPECS / rest / "examples/create-item.request.json").read_bytes()
    item = pkg(rest, "_wire").decode_request_body("create_item", raw)
    assert item.kind.value == "Book" and item.printed_date == date(2024, 1, 31)
    assert item.created == datetime(2024, 3, 1, 12, 30, 45, 123456) and item.modified == date(2024, 3, 2)
    assert item.thumbnail == b"\x89PNG\r\n\x1a\n" and item.price == Decimal("25.99")
    assert item.extra == {"any": [1, Decimal("2.5"), "three", None, True, {"nested": {}}]}
    assert (item.sku, item.shipping_cents, item.points) == ("gb-0042", 100, 1200)
    assert (item.deposit, item.discount) == (Decimal("250.125"), Decimal("5.00"))


def _decode_response(provider: str, op: ir.Operation, body: bytes) -> Any:
    svc = golden_service(provider)
    decode = getattr(pkg(provider, "_wire"), f"decode_{op.name}_response")
    if svc.protocol == "rest-json":
        return decode(200, body)
    if svc.protocol == "json":
        return decode(body, _context(provider))
    return decode(body)


def _encode_response(provider: str, op: ir.Operation, response: Any) -> bytes:
    """An answer as the mock server writes it."""
    svc = golden_service(provider)
    if svc.protocol == "rest-json":
        return json.dumps(response.model_dump(mode="json", by_alias=True, exclude_none=True)).encode()
    return getattr(pkg(provider, "_wire"), f"encode_{op.name}_response")(response, _context(provider))


@pytest.mark.parametrize("provider, op, ex", _examples("response"))
def test_response_example_round_trips(out: Path, provider: str, op: ir.Operation, ex: ir.Example) -> None:
    """The answer decodes (signature checked), matches the schema, encodes back to the same
    document and gives the outcome or error the spec expects; encoded and decoded again, it is
    the same model."""
    svc = golden_service(provider)
    raw = (GOLDEN_SPECS / provider / ex.response).read_bytes()
    if svc.protocol == "xml":
        element = mended(raw, ex.mends, svc.wire.response_element)
        response = _decode_response(provider, op, etree.tostring(element))
        apply_edits(element, ex.normalisations, svc.wire.response_element)
        assert canonical(parse(_encode_response(provider, op, response))) == canonical(element)
    else:
        key = "data" if svc.protocol == "json" else None
        document = json_mended(raw, ex.mends, key)
        if key:
            _sign(document)
        response = _decode_response(provider, op, json_text(document).encode())
        if key:
            answered = json.loads(_encode_response(provider, op, response))
            json_apply_edits(document[key], ex.normalisations)
            assert answered[key] == document[key]
    assert not _schema_errors(provider, op.name, "response", response, out)
    again = _decode_response(provider, op, _encode_response(provider, op, response))
    if svc.protocol == "rest-json":
        # written in canonical JSON (decimals as text), as the mock server answers: a number
        # inside a json member comes back as that text, so the canonical forms are compared
        assert again.model_dump(mode="json") == response.model_dump(mode="json")
    else:
        assert again == response
    classify = getattr(pkg(provider, "_outcomes"), op.name)
    if ex.outcome is not None:
        outcome = next(o for o in op.outcomes if o.name == ex.outcome)
        assert type(classify(response)).__name__ == outcome_class(op, outcome)
    else:
        assert ex.error is not None
        errors = pkg(provider, "errors")
        with pytest.raises(getattr(errors, f"{pascal(op.name)}Error")) as caught:
            classify(response)
        assert isinstance(caught.value, getattr(errors, f"{golden_service(provider).error_prefix}ApiError"))
        assert caught.value.code == ex.error


def test_the_xml_response_example_holds_the_typed_values(out: Path) -> None:
    xml = _provider_of("xml")
    ops = {op.name: op for op in golden_service(xml).operations}
    raw = (GOLDEN_SPECS / xml / "examples/lookup.response.xml").read_bytes()
    lookup = _decode_response(xml, ops["lookup"], raw)
    first, second = lookup.msg.items
    assert (first.state.value, first.since, first.balance, first.changed) == ("1", date(2024, 3, 1), Decimal("-12.345"), 1709294400)
    assert (first.paid, second.paid, first.receipt, second.receipt) == (True, False, b"receipt", None)
    assert (first.points, second.points) == (-40, None)
    register = {op.name: op for op in golden_service(xml).operations}["register"]
    approved = _decode_response(xml, register, (GOLDEN_SPECS / xml / "examples/register-approved.response.xml").read_bytes())
    assert approved.credit == Decimal("1.50")
    processed = pkg(xml, "_outcomes").lookup(lookup)
    assert not processed.ok and [i.reference for i in processed.failures] == ["REG-0002"]
    assert [e.code for e in processed.errors] == ["404"]


def test_the_json_response_example_holds_the_typed_values(out: Path) -> None:
    js = _provider_of("json")
    ops = {op.name: op for op in golden_service(js).operations}
    document = json_mended((GOLDEN_SPECS / js / "examples/fetch.response.json").read_bytes(), (), "data")
    _sign(document)
    info = _decode_response(js, ops["fetch"], json_text(document).encode()).payment_info
    assert (info.paid, info.paid_date, info.due_date, info.activate) == (True, date(2024, 3, 2), date(2024, 3, 31), False)
    assert (info.amount, info.rate, info.status.value) == (2500, Decimal("0.0125"), "Paid")
    assert (info.bonus, info.balance) == (-40, Decimal("0.005"))
    document["data"]["PaymentInfo"]["amount"] = "2501"  # a signed answer changed in transit
    with pytest.raises(pkg(js, "errors").GoldenJsonSignatureError, match="does not verify"):
        _decode_response(js, ops["fetch"], json_text(document).encode())


def test_the_rest_response_example_holds_the_typed_values(out: Path) -> None:
    rest = _provider_of("rest-json")
    ops = {op.name: op for op in golden_service(rest).operations}
    item = _decode_response(rest, ops["get_item"], (GOLDEN_SPECS / rest / "examples/get-item.response.json").read_bytes()).root
    assert item.created == datetime(2024, 3, 1, 12, 30, 45, 123456)  # the 7th digit is below a microsecond
    assert item.modified == datetime(2024, 3, 2, 8, 0) and item.price == Decimal("25.99")
    assert item.thumbnail == b"\x89PNG\r\n\x1a\n" and item.extra == {"shelf": "B3", "levels": [1, Decimal("2.5")]}
    assert (item.points, item.discount, item.deposit) == (-40, Decimal("1.50"), Decimal("0.005"))


# -- clients against their mock servers ------------------------------------------------------


@pytest.fixture(scope="module")
def servers(out: Path) -> Iterator[dict[str, Any]]:
    """The providers' mock servers, each started when a test first asks for it (so that one
    package that cannot be imported fails its own tests only)."""
    running: dict[str, Any] = {}
    yield running
    for server in running.values():
        server.stop()


def _server(servers: dict[str, Any], provider: str) -> Any:
    if provider not in servers:
        mock = pkg(provider, "mock")
        servers[provider] = mock.MockServer(**mock.EXAMPLE_CREDENTIALS).start()
    return servers[provider]


def _client(provider: str, url: str, asynchronous: bool) -> Any:
    name = golden_service(provider).client
    cls = getattr(pkg(provider, "client"), ("Async" + name) if asynchronous else name)
    return cls(**pkg(provider, "mock").EXAMPLE_CREDENTIALS, base_url=url)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider, operation", _operations())
def test_every_operation_against_the_mock(servers: dict[str, Any], provider: str, operation: str, asynchronous: bool) -> None:
    """The full payload of each operation through the client, httpx and the provider's mock
    (which checks credentials and validates the request with the package's validators)."""
    svc = golden_service(provider)
    server = _server(servers, provider)
    payload = PAYLOADS[(svc.protocol, operation)]()
    for state in svc.mock_state:  # quote a value the mock handed out
        path = dict(state.users).get(operation)
        if path is not None:
            issuer = state.issuer
            with _client(provider, server.url, False) as client:
                getattr(client, issuer)(PAYLOADS[(svc.protocol, issuer)]())
            payload[next(f.name for f in _op(provider, operation).request.fields if f.wire == path[0])] = server.issued(state.name)[-1]
    before = len(server.requests)

    async def call_async() -> Any:
        async with _client(provider, server.url, True) as client:
            return await getattr(client, operation)(payload)

    if asynchronous:
        result = asyncio.run(call_async())
    else:
        with _client(provider, server.url, False) as client:
            result = getattr(client, operation)(payload)
    op = _op(provider, operation)
    assert type(result).__name__ == outcome_class(op, op.outcomes[0])
    seen = server.requests[before:]
    assert [(r.operation, r.status) for r in seen] == [(operation, 200)]
    if isinstance(svc.wire, ir.RestWire) and svc.wire.idempotency_header:  # a POST carries its key
        keyed = op.method in svc.wire.idempotency_methods
        assert (svc.wire.idempotency_header in seen[0].headers) == keyed


def _op(provider: str, name: str) -> ir.Operation:
    return next(o for o in golden_service(provider).operations if o.name == name)
