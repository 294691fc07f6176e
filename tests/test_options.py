"""Per-call options and raw access (issue 17.3): `options=RequestOptions(...)` on every operation
(timeout, max_retries, extra_headers) reaches the wire for that call only; an extra header never
replaces one the call sets itself; `client.with_raw_response(client.op, ...)` gives the typed
result with the HTTP status, headers and body; Billit's list result carries its next-page link.
Through recorders (httpx.MockTransport) and the generated mock servers, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import test_billink_client as billink_tests
import test_billit_client as billit_tests
from support import PROVIDERS, package, service
from test_mock import _client, _payload, servers  # noqa: F401  (servers: the fixture)

billink = package("billink")
billit = package("billit")

# An operation of each provider that needs no value the mock handed out first.
FIRST = {"billink": "check", "billit": "create_order", "billmate": "get_address", "inkassogram": "create_invoice"}

# A header each provider's calls set themselves (credentials, signature or content type),
# spelled in another case than the client spells it.
OWN_HEADER = {"billink": "content-type", "billit": "apikey", "billmate": "CONTENT-TYPE", "inkassogram": "Key"}


def _op(provider: str) -> Any:
    return next(o for o in service(provider).operations if o.name == FIRST[provider])


# -- with_raw_response against the mock servers ------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_raw_response_gives_status_headers_body_and_result(servers: Any, provider: str) -> None:  # noqa: F811
    server = servers[provider]
    payload = _payload(provider, _op(provider))
    with _client(provider, server.url) as client:
        raw = client.with_raw_response(getattr(client, FIRST[provider]), payload)
        plain = getattr(client, FIRST[provider])(payload)
    assert raw.status_code == 200
    assert raw.headers["content-type"] == raw.headers["Content-Type"] != ""
    assert int(raw.headers["content-length"]) == len(raw.content) > 0
    assert type(raw.parsed) is type(plain)
    assert raw.attempts == 1
    assert "content" not in repr(raw) and "headers" not in repr(raw)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_raw_response_async(servers: Any, provider: str) -> None:  # noqa: F811
    server = servers[provider]
    payload = _payload(provider, _op(provider))

    async def go() -> Any:
        async with _client(provider, server.url, True) as client:
            return await client.with_raw_response(getattr(client, FIRST[provider]), payload)

    raw = asyncio.run(go())
    assert raw.status_code == 200 and raw.content and raw.parsed is not None


def test_raw_response_needs_an_operation_of_the_client() -> None:
    with billink_tests.client(billink_tests.Recorder()) as client:
        with pytest.raises(TypeError, match="is not an operation"):
            client.with_raw_response(lambda: 1)


def test_raw_response_raises_what_the_call_raises() -> None:
    recorder = billit_tests.Recorder(billit_tests.errors(404, ("NotFound", "no such order")))
    with billit_tests.client(recorder) as client:
        with pytest.raises(billit.BillitNotFoundError):
            client.with_raw_response(client.get_order, {"order_id": 1})


# -- extra headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_extra_headers_reach_the_mock_for_that_call_only(servers: Any, provider: str) -> None:  # noqa: F811
    server = servers[provider]
    payload = _payload(provider, _op(provider))
    http = httpx.Client(event_hooks={"request": [lambda r: sent.append(dict(r.headers))]})
    sent: list[dict[str, str]] = []
    options = package(provider).RequestOptions(extra_headers={"X-Trace-Id": "abc-123"})
    with _client(provider, server.url, http_client=http) as client:
        getattr(client, FIRST[provider])(payload, options=options)
        getattr(client, FIRST[provider])(payload)
    http.close()
    assert sent[0]["x-trace-id"] == "abc-123"
    assert "x-trace-id" not in sent[1]


def test_extra_headers_send_the_mock_outcome() -> None:
    server = package("billink", "mock").MockServer(**dict(package("billink", "mock").EXAMPLE_CREDENTIALS)).start()
    try:
        with _client("billink", server.url) as client:
            options = billink.RequestOptions(extra_headers={"X-Mock-Outcome": "rejected"})
            assert isinstance(client.check(billink_tests.private_check(), options=options), billink.CheckRejected)
            assert isinstance(client.check(billink_tests.private_check()), billink.CheckApproved)
    finally:
        server.stop()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_extra_header_never_replaces_the_calls_own(servers: Any, provider: str) -> None:  # noqa: F811
    server = servers[provider]
    before = len(server.requests)
    options = package(provider).RequestOptions(extra_headers={OWN_HEADER[provider]: "forged"})
    with _client(provider, server.url) as client:
        with pytest.raises(ValueError, match="may not replace the call's own headers: " + OWN_HEADER[provider]):
            getattr(client, FIRST[provider])(_payload(provider, _op(provider)), options=options)
    assert len(server.requests) == before  # nothing was sent


def test_the_idempotency_key_is_not_an_extra_header() -> None:
    recorder = billit_tests.Recorder(billit_tests.ok(1))
    options = billit.RequestOptions(extra_headers={"idempotency-key": "mine"})
    with billit_tests.client(recorder) as client:
        with pytest.raises(ValueError, match="Idempotency-Key|idempotency-key"):
            client.create_order(billit_tests.order(), options=options)
        client.create_order(billit_tests.order(), idempotency_key="mine")
    assert [r.headers["Idempotency-Key"] for r in recorder.requests] == ["mine"]


def test_options_repr_names_headers_never_values() -> None:
    options = billit.RequestOptions(timeout=5, extra_headers={"Authorization": "Bearer s3cr3t-token"})
    assert "s3cr3t" not in repr(options) and "Authorization" in repr(options)
    with pytest.raises(ValueError, match="max_retries"):
        billit.RequestOptions(max_retries=-1)
    with pytest.raises(TypeError):
        billit.RequestOptions(extra_headers={"X-Count": 1})


# -- timeout and retries -----------------------------------------------------------------------


def test_timeout_is_for_that_call_only() -> None:
    recorder = billink_tests.Recorder(_check_answer())
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return recorder(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    with billink.BillinkClient(username="usertest", client_id=billink_tests.SECRET, http_client=http) as client:
        client.check(billink_tests.private_check(), options=billink.RequestOptions(timeout=3.5))
        client.check(billink_tests.private_check())
    assert seen[0] == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}
    assert seen[1]["read"] != 3.5


def _check_answer() -> httpx.Response:
    return billink_tests.xml_response(billink_tests.msg("500", "Advies=1", "<UUID>u</UUID>"))


def test_max_retries_zero_stops_the_connect_retry() -> None:
    def answers() -> Any:
        return billink_tests.Recorder(httpx.ConnectError("refused"), _check_answer())

    first = answers()
    with billink_tests.client(first) as client:
        assert client.check(billink_tests.private_check()).attempts == 2
    second = answers()
    with billink_tests.client(second) as client:
        with pytest.raises(billink.BillinkTransportError):
            client.check(billink_tests.private_check(), options=billink.RequestOptions(max_retries=0))
        assert len(second.requests) == 1
        assert client.check(billink_tests.private_check()).attempts == 1  # the next call: its own retries


def test_max_retries_caps_billits_gateway_retries_async() -> None:
    recorder = billit_tests.Recorder(billit_tests.errors(503), billit_tests.errors(503), billit_tests.ok(1))

    async def go(options: Any) -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        clock = billit_tests.Clock()
        async with billit.AsyncBillitClient(
            api_key=billit_tests.API_KEY, party_id="588708", http_client=http, rate_limiter=clock.limiter()
        ) as client:
            client._transport.sleep = clock.async_sleep  # no real pauses
            return await client.create_order(billit_tests.order(), options=options)

    with pytest.raises(billit.BillitServerError):
        asyncio.run(go(billit.RequestOptions(max_retries=1)))
    assert len(recorder.requests) == 2
    recorder.requests.clear()
    assert asyncio.run(go(None)).order_id == 1
    assert len(recorder.requests) == 3


# -- Billit's next-page link on the result -----------------------------------------------------


def test_next_link_is_on_the_list_result() -> None:
    link = "https://api.sandbox.billit.be/v1/orders?$skip=120&$top=120"
    recorder = billit_tests.Recorder(
        billit_tests.ok({"Items": [{"OrderID": 1}], "NextPageLink": link, "Count": 2}),
        billit_tests.ok({"Items": [{"OrderID": 2}], "Count": 2}),
    )
    with billit_tests.client(recorder) as client:
        assert client.list_orders({}).next_link == link
        assert client.list_orders({"skip": 120}).next_link is None


def test_next_link_against_the_mock_async(servers: Any) -> None:  # noqa: F811
    async def go() -> Any:
        async with _client("billit", servers["billit"].url, True) as client:
            return await client.list_orders({}, options=billit.RequestOptions(timeout=10))

    result = asyncio.run(go())
    assert hasattr(result, "next_link") and result.next_link == result.response.next_page_link


# -- the types a consumer sees -----------------------------------------------------------------

CONSUMER = '''
from billit_client import BillitClient, ListOrdersRequest, RawResponse, RequestOptions
from billit_client.results import ListOrdersListed

with BillitClient(api_key="k", party_id="1") as client:
    options = RequestOptions(timeout=5.0, max_retries=0, extra_headers={"X-Trace-Id": "t"})
    raw: RawResponse[ListOrdersListed] = client.with_raw_response(client.list_orders, ListOrdersRequest(), options=options)
    status: int = raw.status_code
    body: bytes = raw.content
    link: str | None = raw.parsed.next_link
    client.with_raw_response(client.list_orders, ListOrdersRequest(), option=options)  # BAD
'''


def test_raw_response_and_options_are_typed_for_mypy(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    from support import GENERATED

    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(GENERATED / "billit")},
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    bad = CONSUMER.splitlines().index(next(line for line in CONSUMER.splitlines() if line.endswith("# BAD"))) + 1
    # an operation with a keyword form is overloaded: mypy names the mismatch, not the keyword
    assert len(errors) == 1 and f"consumer.py:{bad}:" in errors[0] and "[arg-type]" in errors[0], run.stdout
