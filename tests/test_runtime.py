"""The runtime (generator/runtime/), tested once as the plain Python it is, and the copies of it
in every generated package: byte for byte the source, only the modules a protocol needs, and
each package's errors built on the runtime's bases."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import ir
from generator.render import RUNTIME, runtime_modules
from generator.runtime import errors as rt_errors
from generator.runtime import json as rt_json
from generator.runtime import phpjson as rt_php
from generator.runtime import ratelimit as rt_ratelimit
from generator.runtime import signing as rt_signing
from generator.runtime import transport as rt
from generator.runtime import xml as rt_xml
from support import GENERATED, PROVIDERS, package, service

# -- the copies ----------------------------------------------------------------------------------


def _runtime_dir(provider: str) -> Path:
    return GENERATED / provider / service(provider).package / "_runtime"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_runtime_module_of_a_package_is_the_source_byte_for_byte(provider: str) -> None:
    shipped = sorted(p.name for p in _runtime_dir(provider).iterdir() if p.suffix == ".py")
    assert shipped == runtime_modules(service(provider))
    for name in shipped:
        assert (_runtime_dir(provider) / name).read_bytes() == (RUNTIME / name).read_bytes(), name


def test_each_protocol_ships_only_the_runtime_it_needs() -> None:
    shipped = {p: set(runtime_modules(service(p))) for p in PROVIDERS}
    common = {"__init__.py", "errors.py", "rules.py", "transport.py", "validation.py"}
    assert shipped["billink"] == shipped["inkassogram"] == common | {"xml.py"}
    assert shipped["billmate"] == common | {"json.py", "phpjson.py", "signing.py"}
    assert shipped["billit"] == common | {"json.py", "ratelimit.py", "signing.py"}  # signed webhooks
    assert all(isinstance(service(p).wire, ir.RestWire) == ("ratelimit.py" in shipped[p]) for p in PROVIDERS)


def test_the_runtime_source_has_no_per_package_text() -> None:
    for path in sorted(RUNTIME.glob("*.py")):
        text = path.read_text()
        assert "{{" not in text and "{%" not in text, path
        for provider in PROVIDERS:
            assert provider not in text.lower(), (path.name, provider)


def test_every_signature_check_goes_through_the_one_comparison_helper() -> None:
    """Issue 15: the Billit webhook check called hmac.compare_digest itself, without the ASCII
    guard the Billmate one had. Now only _runtime/signing.py compares signatures."""
    comparing = sorted(
        str(path.relative_to(GENERATED))
        for path in GENERATED.rglob("*.py")
        if "compare_digest" in path.read_text() or "hmac.new" in path.read_text()
    )
    assert comparing == [
        "billit/billit_client/_runtime/signing.py",
        "billmate/billmate_client/_runtime/phpjson.py",  # hmac.new once per key, to copy it per signature
        "billmate/billmate_client/_runtime/signing.py",
    ], comparing
    assert "hex_matches" in (RUNTIME / "phpjson.py").read_text()
    assert "signing.hex_matches" in (GENERATED / "billit/billit_client/callbacks.py").read_text()


@pytest.mark.parametrize(
    "given, matches",
    [("ab12", True), ("AB12", True), (b"ab12", True), ("ab13", False), ("é", False), ("ab1\u0663", False),
     (b"\xff", False), (None, False), (12, False), ("", False), ("ab12 ", False), ("ff\udc80", False)],
)
def test_hex_matches_never_raises(given: object, matches: bool) -> None:
    assert rt_signing.hex_matches("ab12", given) is matches


@pytest.mark.parametrize("provider", ["billit", "billmate"])
def test_json_packages_neither_require_nor_import_lxml(provider: str) -> None:
    pyproject = (GENERATED / provider / "pyproject.toml").read_text()
    assert "lxml" not in pyproject
    name = service(provider).package
    # Import the whole package (mock server included) where lxml cannot be imported at all.
    probe = (
        "import sys\n"
        "class NoLxml:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'lxml' or name.startswith('lxml.'):\n"
        "            raise ImportError('lxml is not installed')\n"
        "sys.meta_path.insert(0, NoLxml())\n"
        f"import {name}, {name}.mock, {name}.callbacks\n"
        "assert not any(m == 'lxml' or m.startswith('lxml.') for m in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=GENERATED / provider, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("provider", ["billink", "inkassogram"])
def test_xml_packages_require_lxml(provider: str) -> None:
    assert '"lxml>=5"' in (GENERATED / provider / "pyproject.toml").read_text()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_package_s_errors_derive_from_its_runtime_bases(provider: str) -> None:
    prefix = service(provider).error_prefix
    errors = package(provider, "errors")
    bases = package(provider, "_runtime.errors")
    pairs = {
        "Error": bases.ClientError,
        "RequestValidationError": bases.RequestValidationError,
        "TransportError": bases.TransportError,
        "TimeoutError": bases.TransportTimeoutError,
        "HTTPStatusError": bases.HTTPStatusError,
        "ResponseError": bases.ResponseError,
        "ApiError": bases.ApiError,
    }
    for suffix, base in pairs.items():
        cls = getattr(errors, prefix + suffix)
        assert issubclass(cls, base) and issubclass(cls, getattr(errors, prefix + "Error")), suffix
    assert issubclass(getattr(errors, prefix + "RequestValidationError"), ValueError)
    table = errors.RUNTIME_CLASSES
    assert (table.transport, table.timeout, table.status, table.response) == tuple(
        getattr(errors, prefix + s) for s in ("TransportError", "TimeoutError", "HTTPStatusError", "ResponseError")
    )


def test_the_package_logger_is_named_after_the_package() -> None:
    assert package("billink", "_runtime.transport").logger.name == "billink_client"
    assert package("billit", "_runtime.transport").logger.name == "billit_client"
    assert rt.logger.name == "generator.runtime.transport"


_RETRYING = """
import logging, sys
import httpx
import test_billit_client as billit_tests
import test_inkassogram_client as ik_tests
if sys.argv[1] == "configured":
    logging.basicConfig(level=logging.WARNING)
recorder = ik_tests.Recorder(httpx.ReadTimeout("slow"), ik_tests.DELIVERED)
with ik_tests.client(recorder) as c:
    assert c.create_invoice(ik_tests.invoice()).attempts == 2
recorder = billit_tests.Recorder(billit_tests.ok("busy", 503), billit_tests.ok(7))
with billit_tests.client(recorder) as c:  # a simulated clock: the 0.5 s pause takes none
    assert c.create_order(billit_tests.order()).attempts == 2
print("done")
"""


@pytest.mark.parametrize("logging_set_up", [False, True])
def test_retries_are_logged_to_the_package_logger_only(logging_set_up: bool) -> None:
    """Quiet by default (issue 17 point 4): a retry's warning goes to the package's logger,
    which reaches stderr only when the application configures logging (a logger without
    handlers fell back to Python's last-resort handler, which writes warnings to stderr)."""
    tests = Path(__file__).resolve().parent
    run = subprocess.run(
        [sys.executable, "-c", _RETRYING, "configured" if logging_set_up else "plain"],
        cwd=tests, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(tests), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0 and run.stdout == "done\n", run.stderr
    if logging_set_up:
        assert "WARNING:inkassogram_client:create_invoice: timed out after sending" in run.stderr
        assert "WARNING:billit_client:create_order: HTTP 503; retrying" in run.stderr
    else:
        assert run.stderr == ""


# -- transport -----------------------------------------------------------------------------------

ERRORS = rt_errors.ErrorClasses(
    transport=rt_errors.TransportError,
    timeout=rt_errors.TransportTimeoutError,
    status=rt_errors.HTTPStatusError,
    response=rt_errors.ResponseError,
)


def _transport(handler: Any, **limits: Any) -> rt.SyncTransport:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return rt.SyncTransport(client, rt.Limits(**limits), ("s3cr3t-value",), ERRORS, sleep=lambda _: None)


def _no_headers() -> tuple[dict[str, str], tuple[str, ...]]:
    return {}, ()


def test_a_reply_carries_status_type_body_and_attempts() -> None:
    reply = _transport(lambda r: httpx.Response(200, content=b"ok", headers={"content-type": "text/plain"})).post(
        "op", "https://x.test/", b"body", _no_headers
    )
    assert (reply.status_code, reply.content_type, reply.body, reply.attempts) == (200, "text/plain", b"ok", 1)


def test_an_error_status_raises_the_status_class_with_a_redacted_excerpt() -> None:
    transport = _transport(lambda r: httpx.Response(503, content=b"down; key s3cr3t-value"))
    with pytest.raises(rt_errors.HTTPStatusError) as caught:
        transport.post("op", "https://x.test/", b"", _no_headers)
    assert caught.value.status_code == 503 and "s3cr3t-value" not in str(caught.value) and "down" in str(caught.value)


def test_connect_errors_are_retried_and_timeouts_only_when_the_retry_allows() -> None:
    calls: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused")

    with pytest.raises(rt_errors.TransportError) as caught:
        _transport(refuse, connect_retries=2).post("op", "https://x.test/", b"", _no_headers)
    assert len(calls) == 3 and caught.value.attempts == 3 and "after 3 attempts" in str(caught.value)

    answers = [httpx.ReadTimeout("slow"), httpx.Response(200, content=b"ok")]

    def slow_then_ok(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with pytest.raises(rt_errors.TransportTimeoutError):
        _transport(slow_then_ok).post("op", "https://x.test/", b"", _no_headers)
    answers[:] = [httpx.ReadTimeout("slow"), httpx.Response(200, content=b"ok")]
    reply = _transport(slow_then_ok).post("op", "https://x.test/", b"", _no_headers, rt.Retry(timeouts=1, reason="safe"))
    assert reply.attempts == 2


def test_a_reset_after_sending_is_retried_only_where_the_retry_says_so() -> None:
    def flaky() -> Any:
        answers: list[Any] = [httpx.ReadError("reset"), httpx.RemoteProtocolError("cut"), httpx.Response(200, content=b"ok")]

        def handler(request: httpx.Request) -> httpx.Response:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return handler

    with pytest.raises(rt_errors.TransportError) as caught:
        _transport(flaky()).post("op", "https://x.test/", b"", _no_headers, rt.Retry(timeouts=3))
    assert caught.value.attempts == 1
    assert caught.value.__context__ is None and caught.value.__cause__ is None  # no httpx exception kept
    reply = _transport(flaky()).post("op", "https://x.test/", b"", _no_headers, rt.Retry(timeouts=3, resets=True))
    assert reply.attempts == 3 and reply.body == b"ok"


def test_the_deadline_holds_even_when_no_timeout_can_fire() -> None:
    """A transport that blocks (a MockTransport handler: no socket, so no timeout applies): the
    sync call still ends at its deadline, its attempt left to a worker thread; the async one is
    cancelled."""

    def blocking(request: httpx.Request) -> httpx.Response:
        time.sleep(2)
        return httpx.Response(200)

    started = time.monotonic()
    with pytest.raises(rt_errors.TransportTimeoutError, match="deadline of 0.2 s"):
        _transport(blocking, deadline=0.2).post("op", "https://x.test/", b"", _no_headers)
    assert time.monotonic() - started < 0.6

    async def sleeping(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(2)
        return httpx.Response(200)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(sleeping)) as client:
            transport = rt.AsyncTransport(client, rt.Limits(deadline=0.2), (), ERRORS)
            with pytest.raises(rt_errors.TransportTimeoutError, match="deadline"):
                await transport.post("op", "https://x.test/", b"", _no_headers)

    started = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - started < 0.6


def test_a_pause_that_would_pass_the_deadline_is_not_taken() -> None:
    slept: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(503, headers={"Retry-After": "5"})))
    transport = rt.SyncTransport(client, rt.Limits(deadline=2.0), (), ERRORS, sleep=slept.append)
    retry = rt.Retry(timeouts=3, statuses=frozenset({503}), throttled=frozenset({429}), throttle_retries=3)
    with pytest.raises(rt_errors.HTTPStatusError):
        transport.post("op", "https://x.test/", b"", _no_headers, retry)
    assert slept == [0.5, 1.0]  # the next pause (2 s) would end past the deadline


def test_the_timeouts_of_an_attempt_are_cut_to_the_time_left() -> None:
    seen: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), timeout=httpx.Timeout(30.0, connect=10.0))
    rt.SyncTransport(client, rt.Limits(deadline=1.5), (), ERRORS).post("op", "https://x.test/", b"", _no_headers)
    assert all(0 < value <= 1.5 for value in seen[0].values()), seen


def test_a_too_large_answer_is_a_response_error() -> None:
    transport = _transport(lambda r: httpx.Response(200, content=b"x" * 1000), max_response_bytes=100)
    with pytest.raises(rt_errors.ResponseError, match="larger than 100 bytes"):
        transport.post("op", "https://x.test/", b"", _no_headers)


def test_the_async_transport_behaves_the_same() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=b"no")

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            transport = rt.AsyncTransport(client, rt.Limits(), (), ERRORS)
            with pytest.raises(rt_errors.HTTPStatusError):
                await transport.post("op", "https://x.test/", b"", _no_headers)
            reply = await transport.send("op", "GET", "https://x.test/", None, _no_headers, pass_errors=True)
            assert reply.status_code == 500 and reply.body == b"no"

    asyncio.run(go())


@pytest.mark.parametrize("value, seconds", [("7", 7.0), (" 3 ", 3.0), ("", None), ("soon", None), (None, None),
                                            ("Wed, 21 Oct 2015 07:28:00 GMT", 10.0)])
def test_retry_after_is_read_as_seconds_or_an_http_date(value: str | None, seconds: float | None) -> None:
    now = 1445412470.0  # ten seconds before the date above
    assert rt.retry_after_seconds(value, now=now) == seconds


# -- redaction -----------------------------------------------------------------------------------


def test_redact_replaces_long_secrets_anywhere_and_short_ones_as_whole_words() -> None:
    assert rt_errors.redact("key=abcdefghij!", ("abcdefghij",)) == "key=***!"
    assert rt_errors.redact("keyabcdefghij42", ("abcdefghij",)) == "key***42"  # 8+ characters: anywhere
    assert rt_errors.redact("nothing here", ()) == "nothing here"
    assert rt_errors.redact("a  b", ("",)) == "a  b"
    # issue 17 point 4: a one-letter secret left "Conne***tion refused"
    assert rt_errors.redact("[Errno 111] Connection refused", ("n",)) == "[Errno 111] Connection refused"
    assert rt_errors.redact("n: key n rejected (n)", ("n",)) == "***: key *** rejected (***)"
    assert rt_errors.redact("pw=abc1234;", ("abc1234",)) == "pw=***;"
    assert rt_errors.redact("xabc1234", ("abc1234",)) == "xabc1234"  # 7 characters, inside a word
    # a secret that contains another is taken out whole
    assert rt_errors.redact("abcdefghijkl", ("abcdefghij", "abcdefghijkl")) == "***"


def test_scrub_redacts_every_text_an_error_carries_and_drops_a_hidden_context() -> None:
    import dataclasses
    import enum

    @dataclasses.dataclass(frozen=True)
    class Detail:
        code: str
        message: str | None

    class Member(enum.StrEnum):
        X = "s3cr3t-value"  # a documented member keeps its value

    class Failure(rt_errors.ApiError):
        def __init__(self, message: str) -> None:
            super().__init__(message)
            self.code = "s3cr3t-value"
            self.details = (Detail("s3cr3t-value", "key s3cr3t-value"), Detail("ok", None))
            self.member = Member.X

    try:
        try:
            raise ValueError("parser: s3cr3t-value")
        except ValueError:
            raise Failure("code s3cr3t-value") from None
    except Failure as caught:
        error = caught
    error.add_note("note s3cr3t-value")
    assert error.__context__ is not None
    scrubbed = rt_errors.scrub(error, ("s3cr3t-value",))
    assert scrubbed is error and str(error) == "code ***" and error.code == "***"
    assert error.details == (Detail("***", "key ***"), Detail("ok", None))
    assert error.__notes__ == ["note ***"] and error.member is Member.X
    assert error.__context__ is None  # raised "from None": nothing of it stays reachable


# -- JSON, PHP-JSON, XML -------------------------------------------------------------------------


def test_json_loads_refuses_what_is_not_strict_json() -> None:
    for bad in (b"NaN", b"[Infinity]", b"\xff", b'{"a":' * 40 + b"1" + b"}" * 40, b"{"):
        with pytest.raises(rt_json.JsonError):
            rt_json.loads(bad)
    assert rt_json.loads(b'{"a": 1.50}', decimals=True) == {"a": Decimal("1.50")}
    assert rt_json.loads(b'{"a": 1.5}') == {"a": 1.5}


def test_plain_json_and_php_json_write_an_empty_object_each_their_way() -> None:
    assert rt_json.obj([]) == "{}" and rt_php.obj([]) == "[]"
    assert rt_json.obj(['"a":1']) == rt_php.obj(['"a":1']) == '{"a":1}'
    assert rt_json.json_string("é/") == '"é/"' and rt_php.php_string("é/") == '"\\u00e9\\/"'


def test_php_json_signs_and_verifies_over_the_text_sent() -> None:
    text = rt_php.php_encode({"a": "b/c"})
    signature = rt_php.sign("key", text)
    assert rt_php.signature_matches("key", text, signature)
    assert rt_php.signature_matches("key", text, signature.upper())
    assert not rt_php.signature_matches("other", text, signature)
    document, sent = rt_php.loads_member(b'{"credentials":{"hash":"x"},"data":' + text.encode() + b"}", "data")
    assert sent == text and rt_php.signed_by("key", {"a": "b/c"}, sent, signature)


def test_xml_parse_refuses_declarations_and_decodes_by_shape() -> None:
    with pytest.raises(rt_xml.XmlError, match="document type"):
        rt_xml.parse(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    shape = rt_xml.Shape("S", {"N": rt_xml.Leaf(rt_xml.integer), "T": rt_xml.Leaf(rt_xml.text, is_text=True)})
    assert rt_xml.decode(rt_xml.parse(b"<S><N> 5 </N><T> t </T><X/></S>"), shape, strict=False) == {"N": 5, "T": " t "}
    with pytest.raises(rt_xml.XmlError, match="unknown element"):
        rt_xml.decode(rt_xml.parse(b"<S><X/></S>"), shape, strict=True)



def test_xml_refuses_text_between_the_items_of_a_list_and_names_the_item() -> None:
    line = rt_xml.Shape("L", {"N": rt_xml.Leaf(rt_xml.integer)})
    shape = rt_xml.Shape("S", {"LINES": rt_xml.Many(rt_xml.Node(line), item_tag="LINE")})
    good = b"<S><LINES> <LINE><N>1</N></LINE>\n <LINE><N>2</N></LINE> </LINES></S>"
    assert rt_xml.decode(rt_xml.parse(good), shape, strict=False) == {"LINES": [{"N": 1}, {"N": 2}]}
    bad = b"<S><LINES><LINE><N>1</N></LINE>smuggled<LINE><N>2</N></LINE></LINES></S>"
    with pytest.raises(rt_xml.XmlError, match="unexpected text between elements") as caught:
        rt_xml.decode(rt_xml.parse(bad), shape, strict=False)
    assert caught.value.path == "LINES[0]"  # the text follows the first item
    with pytest.raises(rt_xml.XmlError) as nested:  # a fault inside an item names its whole path
        rt_xml.decode(rt_xml.parse(b"<S><LINES><LINE><N>x</N></LINE></LINES></S>"), shape, strict=False, path="answer")
    assert nested.value.path == "answer.LINES[0].N"



def test_json_refuses_a_number_past_decimal_s_limits_with_a_json_error() -> None:
    # jiter refuses it, and the standard library's Decimal raised InvalidOperation (a crash)
    with pytest.raises(rt_json.JsonError, match="out of range"):
        rt_json.loads(b"[1.5e" + b"9" * 30 + b"]", decimals=True)

_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


def _mutated(document: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    for where, insert in edits:
        cut = where % (len(document) + 1)
        document = document[:cut] + insert + document[cut + 1 :]
    return document


@given(
    value=_JSON_VALUES,
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(
            [b"", b"\\ud800", b"\\", b'"', b"NaN", b"-Infinity", b"1e999", b"\xff", b"\x01", b"[", b"}", b" ", b"1" * 4400]
        )),
        max_size=2,
    ),
    decimals=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_json_loads_reads_what_the_standard_library_reads(
    value: object, edits: list[tuple[int, bytes]], decimals: bool
) -> None:
    """jiter reads first and the standard library reads whatever jiter refuses: the same values
    (repr: Decimal digits, -0.0, inf) or the same refusal as the standard library alone."""
    import json as stdlib_json

    document = _mutated(stdlib_json.dumps(value, ensure_ascii=bool(edits)).encode(), edits)

    def outcome(read: Any) -> str:
        try:
            return repr(read())
        except rt_json.JsonError:
            return "JsonError"

    ours = outcome(lambda: rt_json.loads(document, decimals=decimals))
    reference = outcome(lambda: rt_json.within_depth(document, rt_json._stdlib_loads(document, decimals)))
    assert ours == reference, document

# -- rate limiting -------------------------------------------------------------------------------


def test_the_rate_limiter_spaces_requests_evenly() -> None:
    now = [100.0]
    limiter = rt_ratelimit.RateLimiter(10, 1.0, clock=lambda: now[0])
    waits = [limiter.reserve() for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])
    now[0] += 10
    assert limiter.reserve() == 0.0
    with pytest.raises(ValueError):
        rt_ratelimit.RateLimiter(0, 1.0)


def test_the_package_rate_limiter_has_the_provider_s_limit_as_default() -> None:
    limiter = package("billit").RateLimiter()
    assert isinstance(limiter, package("billit", "_runtime.ratelimit").RateLimiter)
    assert limiter.interval == pytest.approx(1 / 25)
    assert limiter.clock is time.monotonic and limiter.burst == 1


# -- per-call options ------------------------------------------------------------------------------


def test_request_options_narrow_never_widen() -> None:
    retry = rt.Retry(timeouts=3, throttle_retries=5, statuses=frozenset({503}))
    limits = rt.Limits(connect_retries=2)
    capped = rt.RequestOptions(max_retries=1)
    assert capped.retry(retry) == rt.Retry(timeouts=1, throttle_retries=1, statuses=frozenset({503}))
    assert capped.limits(limits).connect_retries == 1
    many = rt.RequestOptions(max_retries=10)  # never makes an unsafe call retried
    assert many.retry(rt.NO_RETRY) == rt.NO_RETRY and many.limits(limits).connect_retries == 2
    assert rt.NO_OPTIONS.retry(retry) is retry and rt.NO_OPTIONS.limits(limits) is limits
    assert rt.RequestOptions(timeout=2).timeouts(httpx.Timeout(30)) == httpx.Timeout(2)
    assert rt.NO_OPTIONS.timeouts(httpx.Timeout(30)) == httpx.Timeout(30)


def test_request_options_add_headers_but_never_replace() -> None:
    options = rt.RequestOptions(extra_headers={"X-Trace": "t"})
    assert options.headers({"ApiKey": "k"}) == {"ApiKey": "k", "X-Trace": "t"}
    with pytest.raises(ValueError, match="replace the call.s own headers: APIKEY"):
        rt.RequestOptions(extra_headers={"APIKEY": "forged"}).headers({"ApiKey": "k"})


def test_the_transport_keeps_the_answers_headers() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"ok", headers=[("X-Request-Id", "r1"), ("Set-Cookie", "a"), ("Set-Cookie", "b")])

    http = httpx.Client(transport=httpx.MockTransport(answer))
    transport = rt.SyncTransport(http, rt.Limits(), (), package("billink", "errors").RUNTIME_CLASSES)
    reply = transport.post("op", "https://example.test/", b"x", lambda: ({}, ()))
    raw = rt.RawResponse.of(reply, "parsed")
    assert raw.headers["x-request-id"] == "r1" and raw.headers.get_list("set-cookie") == ["a", "b"]
    assert raw.content == b"ok" and raw.parsed == "parsed" and raw.status_code == 200
