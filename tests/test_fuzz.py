"""Fuzzing the generated clients: hostile input never crashes them, never goes on the wire.

1. Requests: hypothesis-made payloads (valid ones and mutated ones: dropped, wrong-typed,
   unknown and out-of-range fields, broken rules) go through each client method. A payload the
   published schema refuses must be refused by the client with its RequestValidationError,
   naming each problem's wire path and rule, before any byte is sent; nothing else may be
   raised.
2. Answers: random bytes and damaged documented answers go through every decoder; the result
   is a typed answer or one of the package's own errors, never a crash or a hang.

`make test` runs a sample; `make fuzz` runs FUZZ_EXAMPLES (10,000) per provider and part.
"""

from __future__ import annotations

import copy
import functools
import os
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel, ValidationError

import support
from generator import ir, samples
from strategies import payloads
from support import canonical_request, PROVIDERS, SPECS, package, schema_validator, service

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # per provider and part
SETTINGS = dict(deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


class Sent(Exception):
    """Raised by the test transport: the client put a request on the wire."""


def _refuse_to_answer(request: httpx.Request) -> httpx.Response:
    raise Sent(request.url.path)


def _client(provider: str) -> Any:
    mod = package(provider, "client")
    http = httpx.Client(transport=httpx.MockTransport(_refuse_to_answer))
    if provider == "billink":
        return mod.BillinkClient("usertest", "secret-uid", http_client=http)
    if provider == "billmate":
        return mod.BillmateClient("12345", "secret-key", http_client=http)
    if provider == "inkassogram":
        return mod.InkassogramClient("4711", "secret-key", "203.0.113.7", http_client=http)
    if provider == "billit":
        return mod.BillitClient(api_key="secret-api-key", party_id="1", http_client=http)
    raise AssertionError(provider)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_bad_requests_are_refused_with_a_path_before_sending(provider: str) -> None:
    svc = service(provider)
    client = _client(provider)
    refused_type = getattr(package(provider, "errors"), f"{svc.error_prefix}RequestValidationError")
    operations = [op for op in svc.operations if op.request.fields or op.request.root is not None]
    shapes = package(provider, "_wire").REQUEST_SHAPES
    verdicts: Counter[str] = Counter()
    for op in operations:
        validator = schema_validator(provider, f"{op.name}.request.schema.json")
        method = getattr(client, op.name)

        @settings(max_examples=max(1, EXAMPLES // len(operations)), **SETTINGS)  # type: ignore[arg-type]
        @given(payload=payloads(svc, op.request))
        def fuzz(payload: Any) -> None:
            # a mapping may give members as the wire writes them; the schema reads canonical values
            # (only messages the client reads wire forms of: REST parameters are typed values)
            seen = canonical_request(svc, op.request, payload) if op.request.name in shapes else payload
            valid = not any(True for _ in validator.iter_errors(seen))
            try:
                method(payload)
            except Sent:
                assert valid, f"{op.name}: sent a payload the schema refuses: {payload!r}"
                verdicts["sent"] += 1
                return
            except refused_type as exc:
                assert exc.issues, exc
                for issue in exc.issues:
                    assert issue.rule and f"[{issue.rule}]" in str(issue), issue
                assert not valid, (
                    f"{op.name}: refused a payload the schema accepts: {payload!r}: {exc}"
                )
                verdicts["refused"] += 1
                return
            raise AssertionError(f"{op.name}: neither sent nor refused: {payload!r}")

        fuzz()
    assert verdicts["refused"] >= EXAMPLES // 10 and verdicts["sent"] >= EXAMPLES // 20, verdicts


# -- answers -------------------------------------------------------------------------------------


def _decoders(provider: str) -> list[tuple[str, Any]]:
    """(operation, decode(body) -> typed answer) for every operation of the provider."""
    svc = service(provider)
    wire = package(provider, "_wire")
    client = _client(provider)
    out = []
    for op in svc.operations:
        decode = getattr(wire, f"decode_{op.name}_response")
        if isinstance(svc.wire, ir.RestWire):
            out.append((op.name, lambda body, d=decode: d(200, body)))
        else:
            out.append((op.name, lambda body, d=decode: d(body, client._context)))
    return out


def _documented_answers(provider: str) -> list[bytes]:
    svc = service(provider)
    files = [ex.response for op in svc.operations for ex in op.examples if ex.response]
    return [(SPECS / provider / f).read_bytes() for f in files] or [b'{"OrderID": 1}']


@st.composite
def _damaged(draw: st.DrawFn, documents: list[bytes]) -> bytes:
    """Random bytes, or a documented answer cut, spliced or with bytes replaced."""
    kind = draw(st.sampled_from(["random", "cut", "flip", "splice"]))
    if kind == "random":
        return draw(st.binary(max_size=300))
    doc = draw(st.sampled_from(documents))
    if kind == "cut":
        return doc[: draw(st.integers(0, len(doc)))]
    if kind == "flip":
        out = bytearray(doc)
        for _ in range(draw(st.integers(1, 8))):
            out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
        return bytes(out)
    at = draw(st.integers(0, len(doc)))
    return doc[:at] + draw(st.binary(max_size=40)) + doc[at:]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_random_and_damaged_answers_never_crash_the_decoders(provider: str) -> None:
    svc = service(provider)
    errors = package(provider, "errors")
    wire = package(provider, "_wire")
    allowed = (getattr(errors, f"{svc.error_prefix}Error"), wire.WireError, ValidationError)
    decoders = _decoders(provider)
    documents = _documented_answers(provider)
    outcomes: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, **SETTINGS)  # type: ignore[arg-type]
    @given(body=_damaged(documents), index=st.integers(0, len(decoders) - 1))
    def fuzz(body: bytes, index: int) -> None:
        name, decode = decoders[index]
        started = time.monotonic()
        try:
            decode(body)
            outcomes["decoded"] += 1
        except allowed as exc:
            if isinstance(exc, ValidationError):
                assert "input_value" not in str(exc)  # input hidden from errors (personal data)
            outcomes[type(exc).__name__] += 1
        assert time.monotonic() - started < 1.0, (name, body[:80])

    fuzz()
    assert sum(outcomes.values()) >= EXAMPLES


# -- answers the documents allow ------------------------------------------------------------------
#
# Valid answers varied the ways the documents leave open (issue 15): an enum value they do not
# list, text where a kind is only text in an answer (an empty email, a lower-case country, a URL
# without a scheme), a decimal amount with decimals, an optional member left out. Each must be
# read, keeping what the server said; none may fail the answer.

_TEXT = st.one_of(st.just(""), st.just("se"), st.from_regex(r"[a-z][a-z0-9 .@/-]{0,15}", fullmatch=True))
_TOKEN = st.from_regex(r"[A-Z][A-Za-z0-9]{0,11}", fullmatch=True)
_DECIMAL = "1234.50"


def _every_path(svc: ir.Service, shape: ir.Shape, depth: int = 0) -> list[tuple[str, ...]]:
    if depth > 4:
        return []
    if shape.root is not None:
        t = shape.root.type.item if isinstance(shape.root.type, ir.ListOf) else shape.root.type
        return _every_path(svc, svc.shape(t.shape), depth + 1) if isinstance(t, ir.ShapeRef) else [()]
    paths: list[tuple[str, ...]] = []
    for f in shape.fields:
        t = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        inner = _every_path(svc, svc.shape(t.shape), depth + 1) if isinstance(t, ir.ShapeRef) else []
        paths += [(f.wire, *p) for p in inner] or [(f.wire,)]
    return paths


def _answer_fields(svc: ir.Service, shape: ir.Shape) -> dict[str, ir.Field]:
    """Every field reachable from an answer by wire name; a name two fields share with different
    types is left out (the walk below cannot tell which is meant)."""
    found: dict[str, ir.Field | None] = {}
    seen: set[str] = set()

    def walk(s: ir.Shape) -> None:
        if s.name in seen:
            return
        seen.add(s.name)
        for f in (s.root,) if s.root is not None else s.fields:
            if f.wire in found and found[f.wire] is not None and found[f.wire] != f:
                other = found[f.wire]
                assert other is not None
                if (other.type, other.required) != (f.type, f.required):
                    found[f.wire] = None
            elif f.wire not in found:
                found[f.wire] = f
            t = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(t, ir.ShapeRef):
                walk(svc.shape(t.shape))

    walk(shape)
    return {k: v for k, v in found.items() if v is not None}


def _variations(field: ir.Field, leaf: bool) -> list[str]:
    out = [] if field.required else ["absent"]
    if not leaf:
        return out
    if isinstance(field.type, ir.EnumRef):
        out.append("unknown-enum")
    elif isinstance(field.type, ir.Scalar):
        if field.type.kind in ("string", "email", "url", "country", "currency", "language", "ip"):
            out.append("text")
        elif field.type.kind == "money":
            out.append("decimal")
    return out


def _valid_answers(provider: str) -> list[tuple[ir.Operation, str, Any]]:
    """(operation, wire format, parsed valid answer) for every answer the document shows, or
    (where it shows none) a sample with every member the spec names."""
    svc = service(provider)
    out: list[tuple[ir.Operation, str, Any]] = []
    for op in svc.operations:
        for ex in op.examples:
            if ex.response and not ex.error:
                raw = (SPECS / provider / ex.response).read_bytes()
                if isinstance(svc.wire, ir.XmlWire):
                    out.append((op, "xml", support.mended(raw, ex.mends, svc.wire.response_element)))
                else:
                    key = None
                    if isinstance(svc.wire, ir.JsonWire):
                        key = next(m.key for m in svc.wire.body if m.source == "message")
                    out.append((op, "json", support.json_mended(raw, ex.mends, key)))
        if isinstance(svc.wire, ir.RestWire) and not any(e.response for e in op.examples):
            out.append((op, "json", samples.minimal(svc, op.response, tuple(_every_path(svc, op.response)))))
    return out


def _spots(document: Any, fields: dict[str, ir.Field], skip: set[str]) -> list[tuple[Any, Any, ir.Field, str]]:
    """(container, key or element, field, variation) for every member of a parsed answer."""
    spots: list[tuple[Any, Any, ir.Field, str]] = []
    if isinstance(document, etree._Element):
        for el in document.iter():
            if not isinstance(el.tag, str) or el is document:
                continue
            name = etree.QName(el).localname
            f = fields.get(name)
            if f is None or name in skip:
                continue
            leaf = len(el) == 0 and bool((el.text or "").strip())
            spots += [(el.getparent(), el, f, v) for v in _variations(f, leaf)]
        return spots

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                f = fields.get(key)
                if f is not None and key not in skip:
                    leaf = isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != ""
                    spots.extend((node, key, f, v) for v in _variations(f, leaf))
                walk(value)

    walk(document)
    return spots


def _vary(fmt: str, document: Any, spot: tuple[Any, Any, ir.Field, str], text: str) -> bytes:
    container, key, _, variation = spot
    if fmt == "xml":
        if variation == "absent":
            container.remove(key)
        else:
            key.text = _DECIMAL if variation == "decimal" else text
        return etree.tostring(document)
    if variation == "absent":
        del container[key]
        return support.json_text(document).encode()
    if variation == "decimal" and not isinstance(container[key], str):
        container[key] = "@@DECIMAL@@"
        return support.json_text(document).replace('"@@DECIMAL@@"', _DECIMAL).encode()
    container[key] = _DECIMAL if variation == "decimal" else text
    return support.json_text(document).encode()


def _values(value: Any) -> list[Any]:
    if isinstance(value, BaseModel):
        return _values(dict(value))
    if isinstance(value, dict):
        return [x for v in value.values() for x in _values(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _values(v)]
    return [value]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_answers_varied_as_the_documents_allow_are_read(provider: str) -> None:
    svc = service(provider)
    decoders = dict(_decoders(provider))
    if isinstance(svc.wire, ir.JsonWire):  # the documents' hashes are placeholders
        wire, ctx = package(provider, "_wire"), support.json_context(provider)
        decoders = {op.name: functools.partial(getattr(wire, f"decode_{op.name}_response"), ctx=ctx) for op in svc.operations}
    skip = {path[-1] for path in svc.wire.result_code}  # the code that picks the outcome
    cases: dict[str, list[tuple[ir.Operation, str, Any, dict[str, ir.Field], int]]] = {}
    for op, fmt, document in _valid_answers(provider):
        body = etree.tostring(document) if fmt == "xml" else support.json_text(document).encode()
        decoders[op.name](body)  # the unvaried answer is read
        fields = _answer_fields(svc, op.response)
        for i, spot in enumerate(_spots(document, fields, skip)):
            cases.setdefault(spot[3], []).append((op, fmt, document, fields, i))
    varied: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, **SETTINGS)  # type: ignore[arg-type]
    @given(kind=st.sampled_from(sorted(cases)), data=st.data(), text=st.one_of(_TEXT, _TOKEN))
    def fuzz(kind: str, data: st.DataObject, text: str) -> None:
        op, fmt, original, fields, index = data.draw(st.sampled_from(cases[kind]))
        document = copy.deepcopy(original)  # the spot is found again in the copy, to vary it
        spot = _spots(document, fields, skip)[index]
        body = _vary(fmt, document, spot, text)
        result = decoders[op.name](body)
        variation = spot[3]
        values = _values(result)
        if variation in ("text", "unknown-enum") and text.strip():
            assert text in values or text.strip() in values, (op.name, spot[2].wire, text, result)
        if variation == "decimal":
            assert Decimal(_DECIMAL) in values, (op.name, spot[2].wire, result)
        varied[variation] += 1

    fuzz()
    assert "absent" in cases and set(varied) == set(cases), (sorted(cases), varied)
