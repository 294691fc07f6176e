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

import os
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator import ir
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
    verdicts: Counter[str] = Counter()
    for op in operations:
        validator = schema_validator(provider, f"{op.name}.request.schema.json")
        method = getattr(client, op.name)

        @settings(max_examples=max(1, EXAMPLES // len(operations)), **SETTINGS)  # type: ignore[arg-type]
        @given(payload=payloads(svc, op.request))
        def fuzz(payload: Any) -> None:
            # a mapping may give members as the wire writes them; the schema reads canonical values
            valid = not any(True for _ in validator.iter_errors(canonical_request(svc, op.request, payload)))
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
