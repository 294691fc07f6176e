"""The generated mock servers (`<package>.mock`), end to end over real loopback HTTP.

Every operation of every provider, sync and async, goes from the generated client through
httpx to the provider's mock and back: the mock routes it, checks its credentials the
provider's way, validates it with the package's validators and answers the operation's first
outcome. Wrong credentials, refused requests and forced errors give the documented codes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

import test_billink_client as billink_tests
import test_billit_client as billit_tests
import test_billmate_client as billmate_tests
import test_inkassogram_client as inkassogram_tests
from generator import samples
from support import GENERATED, PROVIDERS, package, service

# Payloads for the operations whose smallest valid message needs more than the spec's required
# fields (rules across fields); the others use samples.minimal.
SPECIAL: dict[tuple[str, str], Any] = {
    ("billink", "check"): lambda: billink_tests.private_check(),
    ("billink", "order"): lambda: billink_tests.private_order(),
    ("billmate", "add_payment"): lambda: billmate_tests.payment(),
    ("billit", "create_order"): lambda: billit_tests.order(),
}


def _payload(provider: str, op: Any) -> Any:
    if (provider, op.name) in SPECIAL:
        return SPECIAL[(provider, op.name)]()
    payload = samples.minimal(service(provider), op.request)
    cart = payload.get("Cart") if isinstance(payload, dict) else None
    if isinstance(cart, dict) and "Total" in cart:  # Billmate: totals that add up
        for name in ("Handling", "Shipping"):
            cart.pop(name, None)
        net = sum(int(a.get("withouttax", 0)) for a in payload.get("Articles", []))
        total = cart["Total"]
        for key in total:
            total[key] = 0
        total.update({k: v for k, v in {"withouttax": net, "withtax": net}.items() if k in total})
    return payload


def _credentials(provider: str) -> dict[str, str]:
    return dict(package(provider, "mock").EXAMPLE_CREDENTIALS)


def _client(provider: str, url: str, asynchronous: bool = False, **extra: Any) -> Any:
    mod = package(provider, "client")
    name = service(provider).client
    cls = getattr(mod, ("Async" + name) if asynchronous else name)
    return cls(**{**_credentials(provider), **extra}, base_url=url)


def _operations() -> list[Any]:
    return [pytest.param(p, op.name, id=f"{p}-{op.name}") for p in PROVIDERS for op in service(p).operations]


@pytest.fixture(scope="module")
def servers() -> Any:
    running = {p: package(p, "mock").MockServer(**_credentials(p)).start() for p in PROVIDERS}
    yield running
    for server in running.values():
        server.stop()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider, operation", _operations())
def test_every_operation_end_to_end(servers: Any, provider: str, operation: str, asynchronous: bool) -> None:
    server = servers[provider]
    op = next(o for o in service(provider).operations if o.name == operation)
    payload = _payload(provider, op)
    for state in service(provider).mock_state:  # quote a value the mock handed out
        path = dict(state.users).get(operation)
        if path is not None:
            issuer = next(o for o in service(provider).operations if o.name == state.issuer)
            with _client(provider, server.url) as client:
                getattr(client, issuer.name)(_payload(provider, issuer))
            field = op.request.field(path[0])
            if len(path) == 1 and field is not None and field.wire not in payload and not any(k.isupper() for k in payload):
                path = (field.name,)  # the payload is keyed by Python names
            samples.set_path(payload, path, server.issued(state.name)[-1])
    before = len(server.requests)
    if asynchronous:
        async def go() -> Any:
            async with _client(provider, server.url, True) as client:
                return await getattr(client, operation)(payload)

        result = asyncio.run(go())
    else:
        with _client(provider, server.url) as client:
            result = getattr(client, operation)(payload)
    assert result is not None
    seen = server.requests[before:]
    assert [(r.operation, r.status) for r in seen] == [(operation, 200)], seen


@pytest.mark.parametrize("provider", PROVIDERS)
def test_wrong_credentials_get_the_documented_answer(servers: Any, provider: str) -> None:
    svc = service(provider)
    server = servers[provider]
    op = svc.operations[0]
    secret = next(c.name for c in svc.credentials if c.secret and c.name in _credentials(provider))
    errors = package(provider, "errors")
    with _client(provider, server.url, **{secret: "wrong-secret"}) as client:
        with pytest.raises(getattr(errors, f"{svc.error_prefix}Error")) as caught:
            getattr(client, op.name)(_payload(provider, op))
    expected = "401" if svc.protocol == "rest-json" else svc.mock_unauthorized
    assert expected in str(caught.value), caught.value
    assert "wrong-secret" not in str(caught.value)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_forced_error_code_reaches_the_client_typed(servers: Any, provider: str) -> None:
    svc = service(provider)
    server = servers[provider]
    op = next(o for o in svc.operations if o.errors and svc.error_table(o.errors).codes) if svc.protocol != "rest-json" else svc.operations[1]
    code = "409" if svc.protocol == "rest-json" else svc.error_table(op.errors).codes[-1].code
    http = httpx.Client(headers={"X-Mock-Error": code})
    errors = package(provider, "errors")
    with _client(provider, server.url, http_client=http) as client:
        with pytest.raises(getattr(errors, f"{svc.error_prefix}Error")) as caught:
            getattr(client, op.name)(_payload(provider, op))
    assert code in str(caught.value), caught.value
    if svc.protocol != "rest-json":
        assert caught.value.code == code  # type: ignore[attr-defined]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_request_the_validators_refuse_gets_the_documented_code(servers: Any, provider: str) -> None:
    """Sent around the client (which would refuse it), as a broken shop would."""
    svc = service(provider)
    server = servers[provider]
    op = svc.operations[0]
    before = len(server.requests)
    if svc.protocol == "rest-json":
        op = next(o for o in svc.operations if o.name == "create_order")
        answer = httpx.post(f"{server.url}/v1/orders", content=b'{"OrderType": 12}',
                            headers={"ApiKey": _credentials(provider)["api_key"]})
        assert answer.status_code == 400
        assert json.loads(answer.content)["errors"]
        return
    # A valid body written by the client's own encoder, then damaged.
    assert svc.mock_invalid is not None
    client = _client(provider, server.url)  # for its encoder context and headers only
    wire = package(provider, "_wire")
    model = getattr(package(provider, "models"), op.request.name).model_validate(_payload(provider, op))
    body = getattr(wire, f"encode_{op.name}")(model, client._context)
    if svc.protocol == "xml":  # an element the XSD / field list does not have
        end = body.rindex(b"</")
        broken = body[:end] + b"<BOGUS>1</BOGUS>" + body[end:]
        expected = b">" + svc.mock_invalid.encode() + b"<"
    else:  # a member the documents do not have, signed properly (else it is an auth error)
        php = package(provider, "_runtime.phpjson")
        document = json.loads(body)
        document["data"]["bogus"] = "1"
        document["credentials"]["hash"] = php.sign(_credentials(provider)["key"], php.php_encode(document["data"]))
        broken = json.dumps(document).encode()
        expected = b'"' + svc.mock_invalid.encode() + b'"'
    headers, _ = client._request_headers()
    answer = httpx.post(client._url(op.path) if svc.protocol == "xml" else client.base_url, content=broken, headers=headers)
    assert answer.status_code == 200
    record = server.requests[before]
    assert record.operation == op.name
    assert expected in answer.content, answer.content


def test_a_missing_field_gets_its_own_documented_code(servers: Any) -> None:
    """Billink documents a code per missing field (e.g. 417 "Phone number is missing")."""
    import re

    svc = service("billink")
    op = next(o for o in svc.operations if o.name == "check")
    field = op.request.field("PHONENUMBER")
    assert field is not None and field.codes.missing
    client = _client("billink", servers["billink"].url)
    model = package("billink", "models").CheckRequest.model_validate(_payload("billink", op))
    body = package("billink", "_wire").encode_check(model, client._context)
    broken = re.sub(rb"<PHONENUMBER>[^<]*</PHONENUMBER>", b"", body)
    assert broken != body
    answer = httpx.post(client._url(op.path), content=broken, headers=client._request_headers()[0])
    assert b">" + field.codes.missing[0].encode() + b"<" in answer.content, answer.content


# -- the documented flows, with the state the mock keeps --------------------------------------


def _op(provider: str, name: str) -> Any:
    return next(o for o in service(provider).operations if o.name == name)


def test_billink_flow_check_order_workflow_status_and_one_use_per_uuid(servers: Any) -> None:
    errors = package("billink", "errors")
    with _client("billink", servers["billink"].url) as client:
        approved = client.check(billink_tests.private_check())
        order = billink_tests.private_order()
        order["check_uuid"] = approved.uuid
        assert client.order(order) is not None
        with pytest.raises(errors.OrderError) as again:  # a CHECK-UUID is good for one order
            client.order(order)
        assert again.value.code == "446"
        order["check_uuid"] = "00000000-0000-0000-0000-000000000000"
        with pytest.raises(errors.OrderError) as unknown:
            client.order(order)
        assert unknown.value.code == "440"
        assert client.start_workflow(_payload("billink", _op("billink", "start_workflow"))) is not None
        assert client.status(_payload("billink", _op("billink", "status"))) is not None


def test_billmate_flow_add_activate_credit_and_unknown_numbers(servers: Any) -> None:
    errors = package("billmate", "errors")

    async def flow() -> None:
        async with _client("billmate", servers["billmate"].url, True) as client:
            created = await client.add_payment(billmate_tests.payment())
            assert (await client.activate_payment({"number": created.number})) is not None
            credit = _payload("billmate", _op("billmate", "credit_payment"))
            credit["PaymentData"]["number"] = created.number
            assert (await client.credit_payment(credit)) is not None
            with pytest.raises(errors.CancelPaymentError) as unknown:
                await client.cancel_payment({"number": 999_999})
            assert unknown.value.code == "9005"

    asyncio.run(flow())


def test_billit_flow_create_get_patch_send_and_unknown_orders(servers: Any) -> None:
    errors = package("billit", "errors")
    server = servers["billit"]
    with _client("billit", server.url) as client:
        created = client.create_order(billit_tests.order())
        assert client.get_order({"orderID": created.order_id}) is not None
        assert client.patch_order({"orderID": created.order_id, "Paid": True}) is not None
        send = _payload("billit", _op("billit", "send_orders"))
        assert client.send_orders(send) is not None
        with pytest.raises(errors.BillitNotFoundError):
            client.get_order({"orderID": created.order_id + 10_000})
    methods = [(r.method, r.path.split("?")[0], r.status) for r in server.requests[-5:]]
    assert methods[0] == ("POST", "/v1/orders", 200) and methods[-1][2] == 404


def test_many_threads_never_share_a_check_uuid(servers: Any) -> None:
    """Concurrent orders quoting the same CHECK-UUID: exactly one is accepted."""
    from concurrent.futures import ThreadPoolExecutor

    errors = package("billink", "errors")
    with _client("billink", servers["billink"].url) as client:
        uuid = client.check(billink_tests.private_check()).uuid

    def place(_: int) -> str:
        order = billink_tests.private_order()
        order["check_uuid"] = uuid
        with _client("billink", servers["billink"].url) as c:
            try:
                c.order(order)
                return "accepted"
            except errors.OrderError as exc:
                return str(exc.code)

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(pool.map(place, range(8)))
    assert outcomes == ["446"] * 7 + ["accepted"], outcomes


# -- outcomes, slow answers and retries against the mock's state --------------------------------


def test_a_forced_outcome_is_a_typed_result(servers: Any) -> None:
    results = package("billink", "results")
    http = httpx.Client(headers={"X-Mock-Outcome": "rejected"})
    with _client("billink", servers["billink"].url, http_client=http) as client:
        result = client.check(billink_tests.private_check())
    assert isinstance(result, results.CheckRejected), result


def test_a_retried_billit_create_makes_one_order(servers: Any) -> None:
    """The first attempt is processed but answered too late; the retry carries the same
    Idempotency-Key, so the mock answers it with the first order: one order, not two."""
    server = servers["billit"]
    before_orders = len(server.issued("order_id"))
    before = len(server.requests)
    server.delay_next(1.0)
    with _client("billit", server.url, timeout=0.3) as client:
        created = client.create_order(billit_tests.order())
    seen = server.requests[before:]
    assert [r.method for r in seen] == ["POST", "POST"]
    keys = {r.headers.get("Idempotency-Key") for r in seen}
    assert len(keys) == 1 and None not in keys
    assert server.issued("order_id")[before_orders:] == [created.order_id]  # exactly one order
    assert created.attempts == 2


def test_a_billink_order_that_timed_out_is_not_sent_again(servers: Any) -> None:
    """The order was placed but its answer came too late: the client does not retry (it could
    place it twice); quoting the same CHECK-UUID again is refused, so nothing is duplicated."""
    server = servers["billink"]
    errors = package("billink", "errors")
    with _client("billink", server.url) as client:
        uuid = client.check(billink_tests.private_check()).uuid
    order = billink_tests.private_order()
    order["check_uuid"] = uuid
    before = len(server.requests)
    server.delay_next(1.0)
    with _client("billink", server.url, timeout=0.3) as client:
        with pytest.raises(errors.BillinkTimeoutError):
            client.order(order)
        assert len(server.requests) - before == 1
        with pytest.raises(errors.OrderError) as again:
            client.order(order)
    assert again.value.code == "446"


def test_an_inkassogram_retry_sends_the_same_order_number(servers: Any) -> None:
    server = servers["inkassogram"]
    before = len(server.requests)
    server.delay_next(1.0)
    with _client("inkassogram", server.url, timeout=0.3) as client:
        result = client.create_invoice(inkassogram_tests.invoice())
    seen = server.requests[before:]
    assert len(seen) == 2 and seen[0].body == seen[1].body  # same orderNo, same bytes
    assert result.attempts == 2


def test_billit_orders_are_kept_read_listed_patched_and_deleted(servers: Any) -> None:
    errors = package("billit", "errors")
    with _client("billit", servers["billit"].url) as client:
        created = client.create_order(billit_tests.order(order_number="KEPT-1"))
        fetched = client.get_order({"orderID": created.order_id})
        assert fetched.order.order_id == created.order_id and fetched.order.order_number == "KEPT-1"
        client.patch_order({"orderID": created.order_id, "Paid": True})
        assert client.get_order({"orderID": created.order_id}).order.paid is True
        listed = client.list_orders({})
        assert created.order_id in [o.order_id for o in listed.orders]
        client.delete_order({"orderID": created.order_id})
        with pytest.raises(errors.BillitNotFoundError):
            client.get_order({"orderID": created.order_id})


def test_an_envelope_value_with_child_elements_is_refused(servers: Any) -> None:
    """<VERSION>BILLINK2.0<x/></VERSION> is no version: the request decoder refuses it (601)."""
    op = _op("billink", "status")
    client = _client("billink", servers["billink"].url)
    model = package("billink", "models").StatusRequest.model_validate(_payload("billink", op))
    body = package("billink", "_wire").encode_status(model, client._context)
    broken = body.replace(b"BILLINK2.0</VERSION>", b"BILLINK2.0<x/></VERSION>")
    assert broken != body
    answer = httpx.post(client._url(op.path), content=broken, headers=client._request_headers()[0])
    assert b">601<" in answer.content, answer.content


def test_the_mock_runs_from_the_command_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "billink_client.mock", "--port", "0"],
        cwd=GENERATED / "billink", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert "Billink API mock on http://127.0.0.1:" in line, line
        url = line.split(" on ")[1].split(",")[0]
        # it says which credentials it accepts, and so does --help
        assert "username='mock-username'" in line and "client_id='mock-client-id'" in line, line
        with _client("billink", url) as client:
            assert client.status(_payload("billink", _op("billink", "status"))) is not None
    finally:
        process.terminate()
        process.wait(timeout=10)
    helped = subprocess.run(
        [sys.executable, "-m", "billink_client.mock", "--help"], cwd=GENERATED / "billink", capture_output=True, text=True, timeout=60
    )
    assert "client_id='mock-client-id'" in helped.stdout, helped.stdout


# -- a mock consumers can test against (issue 17) -----------------------------------------------


@pytest.mark.parametrize("header, value, says", [
    ("X-Mock-Outcome", "CheckRejected", "is not an outcome of check (outcomes: approved, rejected)"),
    ("X-Mock-Error", "9999", "is not a documented code of check"),
])
def test_an_unknown_forced_outcome_or_error_names_the_valid_ones(servers: Any, header: str, value: str, says: str) -> None:
    errors = package("billink", "errors")
    http = httpx.Client(headers={header: value})
    with _client("billink", servers["billink"].url, http_client=http) as client:
        with pytest.raises(errors.BillinkHTTPStatusError) as caught:
            client.check(billink_tests.private_check())
    assert caught.value.status_code == 400
    assert says in servers["billink"].requests[-1].answer.decode()


def test_answers_reflect_what_was_sent(servers: Any) -> None:
    """activate_payment(number=N) answers number N, not the sample's."""
    with _client("billmate", servers["billmate"].url) as client:
        created = client.add_payment(billmate_tests.payment())
        activated = client.activate_payment({"number": created.number})
    assert str(activated.number) == str(created.number)


def test_a_patched_order_keeps_its_paid_date(servers: Any) -> None:
    from datetime import date, datetime

    with _client("billit", servers["billit"].url) as client:
        created = client.create_order(billit_tests.order())
        client.patch_order({"orderID": created.order_id, "Paid": True, "PaidDate": date(2026, 11, 30)})
        order = client.get_order({"orderID": created.order_id}).order
    assert order.paid is True and order.paid_date == datetime(2026, 11, 30)


def test_billit_lists_are_filtered_sorted_and_paged() -> None:
    """$filter (what filters.OrderFilter writes), $orderby, $top / $skip and the next-page link,
    so iter_orders can be tested against the mock."""
    mock = package("billit", "mock")
    filters = package("billit", "filters")
    models = package("billit", "models")
    with mock.MockServer(**_credentials("billit")) as server, _client("billit", server.url) as client:
        made = [client.create_order(billit_tests.order(order_number=f"N-{i}")).order_id for i in range(5)]
        credit = client.create_order(billit_tests.order(order_number="C-1", order_type="CreditNote")).order_id
        invoices = filters.OrderFilter.order_type.eq(models.OrderType.INVOICE)
        page = client.list_orders({"filter": invoices, "order_by": "OrderNumber desc", "top": 2})
        assert [o.order_number for o in page.orders] == ["N-4", "N-3"]
        assert page.response.next_page_link and "%24skip=2" in page.response.next_page_link
        every = [o.order_id for o in client.iter_orders({"filter": invoices, "top": 2})]
        assert sorted(every) == sorted(made) and credit not in every
        requests = [r for r in server.requests if r.path.startswith("/v1/orders?") or r.path == "/v1/orders"]
        assert sum(r.method == "GET" for r in requests) >= 4  # 3 pages of the walk + the first list
        with pytest.raises(package("billit", "errors").BillitBadRequestError):  # the mock says what it cannot read
            client.list_orders({"filter": "OrderType eq 'Invoice' or Paid eq true"})


def test_concurrent_creates_with_one_idempotency_key_make_one_order() -> None:
    from concurrent.futures import ThreadPoolExecutor

    mock = package("billit", "mock")
    with mock.MockServer(**_credentials("billit")) as server:
        def create(_: int) -> int:
            with _client("billit", server.url) as client:
                return int(client.create_order(billit_tests.order(), idempotency_key="same-key").order_id)

        for _ in range(3):
            with ThreadPoolExecutor(8) as pool:
                ids = set(pool.map(create, range(8)))
            assert len(ids) == 1
        assert len(server.issued("order_id")) == 1


def test_a_stopped_mock_answers_nobody_even_on_kept_alive_connections() -> None:
    mock = package("billink", "mock")
    errors = package("billink", "errors")
    server = mock.MockServer(**_credentials("billink")).start()
    with _client("billink", server.url) as client:
        client.status(_payload("billink", _op("billink", "status")))  # opens a kept-alive connection
        server.stop()
        with pytest.raises(errors.BillinkTransportError):
            client.status(_payload("billink", _op("billink", "status")))
