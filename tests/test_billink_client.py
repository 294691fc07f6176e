"""The generated Billink client through httpx.MockTransport: exact bytes sent, typed results,
every documented error code, hostile and broken answers, transport failures, secrets."""

from __future__ import annotations

import logging
import time
from datetime import date
from decimal import Decimal
from typing import Any, Callable

import httpx
import pytest

from support import SPECS, package, service

billink = package("billink")
errors = package("billink", "errors")

SECRET = "d38a3439590889df026367bf01d621e687b8d278"
PRELUDE = '<?xml version="1.0" encoding="UTF-8"?><API><VERSION>BILLINK2.0</VERSION><CLIENTUSERNAME>usertest</CLIENTUSERNAME><CLIENTID>d38a3439590889df026367bf01d621e687b8d278</CLIENTID>'


def xml_response(body: str, status: int = 200, content_type: str = "text/xml") -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers={"content-type": content_type})


def msg(code: str, description: str = "", extra: str = "") -> str:
    return f"<API><RESULT>MSG</RESULT><MSG><CODE>{code}</CODE><DESCRIPTION>{description}</DESCRIPTION></MSG>{extra}</API>"


class Recorder:
    """A MockTransport handler that records requests and answers with canned responses."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)  # fresh stream


def client(recorder: Recorder, **kwargs: Any) -> Any:
    return billink.BillinkClient(
        username="usertest", client_id=SECRET, http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kwargs
    )


def private_check(**changes: Any) -> Any:
    fields: dict[str, Any] = dict(
        order_type="P",
        workflow_number=1,
        first_name="Test",
        last_name="Test",
        initials="T",
        street="Wilhelminakade",
        house_number="159",
        house_extension="A",
        postal_code="3072AP",
        city="Rotterdam",
        country_code="NL",
        phone_number="0104141473",
        birth_date=date(1985, 1, 1),
        email="test@billink.nl",
        order_amount=Decimal("100"),
        ip="172.2.168.1",
        delivery_street="Wilhelminakade",
        delivery_house_number="159",
        delivery_house_extension="B",
        delivery_postal_code="3072AP",
        delivery_city="Rotterdam",
        delivery_country_code="NL",
    )
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def private_order(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        order_type="P",
        workflow_number=1,
        order_number="1234567",
        date=date(2021, 5, 1),
        first_name="Test",
        last_name="Test",
        sex="O",
        street="Wilhelminakade",
        house_number="159",
        postal_code="3072AP",
        city="Rotterdam",
        country_code="NL",
        phone_number="0104141473",
        birth_date=date(1985, 1, 1),
        email="test@billink.nl",
        ip="172.2.168.1",
        additional_text="Toegevoegde tekst 1",
        check_uuid="XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX",
        currency="EUR",
        items=[
            {"code": "001", "description": "Test product 1", "quantity": 1, "price_incl": Decimal("9.95"), "vat": "21"},
            {"code": "002", "description": "Korting", "quantity": 1, "price_incl": "-0.95", "vat": "21"},
        ],
    )
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


# -- exact bytes -------------------------------------------------------------------------------

EXACT = {
    "check": (
        billink.CheckRequest(**private_check()),
        "<ACTION>check</ACTION><TYPE>P</TYPE><WORKFLOWNUMBER>1</WORKFLOWNUMBER><FIRSTNAME>Test</FIRSTNAME>"
        "<LASTNAME>Test</LASTNAME><INITIALS>T</INITIALS><STREET>Wilhelminakade</STREET><HOUSENUMBER>159</HOUSENUMBER>"
        "<HOUSEEXTENSION>A</HOUSEEXTENSION><POSTALCODE>3072AP</POSTALCODE><CITY>Rotterdam</CITY>"
        "<COUNTRYCODE>NL</COUNTRYCODE><PHONENUMBER>0104141473</PHONENUMBER><BIRTHDATE>01-01-1985</BIRTHDATE>"
        "<EMAIL>test@billink.nl</EMAIL><ORDERAMOUNT>100</ORDERAMOUNT><IP>172.2.168.1</IP>"
        "<DELIVERYSTEET>Wilhelminakade</DELIVERYSTEET><DELIVERYHOUSENUMBER>159</DELIVERYHOUSENUMBER>"
        "<DELIVERYHOUSEEXTENSION>B</DELIVERYHOUSEEXTENSION><DELIVERYPOSTALCODE>3072AP</DELIVERYPOSTALCODE>"
        "<DELIVERYCITY>Rotterdam</DELIVERYCITY><DELIVERYCOUNTRYCODE>NL</DELIVERYCOUNTRYCODE></API>",
        "/check",
        msg("500", "Advies=1", "<UUID>abc-123</UUID>"),
    ),
    "order": (
        billink.OrderRequest(**private_order()),
        "<ACTION>order</ACTION><TYPE>P</TYPE><WORKFLOWNUMBER>1</WORKFLOWNUMBER><ORDERNUMBER>1234567</ORDERNUMBER>"
        "<DATE>01-05-2021</DATE><FIRSTNAME>Test</FIRSTNAME><LASTNAME>Test</LASTNAME><SEX>O</SEX>"
        "<STREET>Wilhelminakade</STREET><HOUSENUMBER>159</HOUSENUMBER><POSTALCODE>3072AP</POSTALCODE>"
        "<CITY>Rotterdam</CITY><COUNTRYCODE>NL</COUNTRYCODE><PHONENUMBER>0104141473</PHONENUMBER>"
        "<BIRTHDATE>01-01-1985</BIRTHDATE><EMAIL>test@billink.nl</EMAIL><IP>172.2.168.1</IP>"
        "<ADITIONALTEXT>Toegevoegde tekst 1</ADITIONALTEXT><CHECKUUID>XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX</CHECKUUID>"
        "<CURRENCY>EUR</CURRENCY><ITEMS><ITEM><CODE>001</CODE><DESCRIPTION>Test product 1</DESCRIPTION>"
        "<ORDERQUANTITY>1</ORDERQUANTITY><PRICEINCL>9.95</PRICEINCL><BTW>21</BTW></ITEM><ITEM><CODE>002</CODE>"
        "<DESCRIPTION>Korting</DESCRIPTION><ORDERQUANTITY>1</ORDERQUANTITY><PRICEINCL>-0.95</PRICEINCL>"
        "<BTW>21</BTW></ITEM></ITEMS></API>",
        "/order",
        msg("200", "Order successfully added"),
    ),
    "credit": (
        billink.CreditRequest(invoices=[{"invoice_number": "123456", "credit_amount": "10.95", "description": "Test credit"}]),
        "<ACTION>credit</ACTION><INVOICES><ITEM><INVOICENUMBER>123456</INVOICENUMBER><CREDITAMOUNT>10.95</CREDITAMOUNT>"
        "<DESCRIPTION>Test credit</DESCRIPTION></ITEM></INVOICES></API>",
        "/credit",
        "<API><RESULT>MSG</RESULT><MSG><STATUSES><ITEM><INVOICENUMBER>123456</INVOICENUMBER>"
        "<MESSAGE>Credit applied</MESSAGE><CODE>200</CODE></ITEM></STATUSES></MSG></API>",
    ),
    "start_workflow": (
        billink.StartWorkflowRequest(invoices=[{"invoice_number": "123456", "workflow_number": 1, "track_and_trace": "3SHEM123456789"}]),
        "<ACTION>activate order</ACTION><INVOICES><ITEM><INVOICENUMBER>123456</INVOICENUMBER>"
        "<WORKFLOWNUMBER>1</WORKFLOWNUMBER><TRACKANDTRACE>3SHEM123456789</TRACKANDTRACE></ITEM></INVOICES></API>",
        "/start-workflow",
        "<API><RESULT>MSG</RESULT><MSG><CODE>500</CODE><STATUSES><ITEM><INVOICENUMBER>123456</INVOICENUMBER>"
        "<MESSAGE>Success</MESSAGE><CODE>500</CODE></ITEM></STATUSES></MSG></API>",
    ),
    "on_hold": (
        billink.OnHoldRequest(invoice_number="123456", workflow_number=1, days=14),
        "<ACTION>on-hold</ACTION><INVOICENUMBER>123456</INVOICENUMBER><WORKFLOWNUMBER>1</WORKFLOWNUMBER><DAYS>14</DAYS></API>",
        "/on-hold",
        msg("500", "Order successfully set on hold till 2021-05-05"),
    ),
    "payment": (
        billink.PaymentRequest(invoice_number="123456", amount=Decimal("10.95"), description="Betaling van de klant"),
        "<ACTION>payment</ACTION><INVOICENUMBER>123456</INVOICENUMBER><AMOUNT>10.95</AMOUNT>"
        "<DESCRIPTION>Betaling van de klant</DESCRIPTION></API>",
        "/payment",
        "<API><RESULT>MSG</RESULT><MSG><INVOICES><ITEM><INVOICENUMBER>123456</INVOICENUMBER><MESSAGE>Success</MESSAGE>"
        "<CODE>500</CODE></ITEM></INVOICES></MSG></API>",
    ),
    "status": (
        billink.StatusRequest(invoice_number="123456", workflow_number=1),
        "<ACTION>status</ACTION><INVOICENUMBER>123456</INVOICENUMBER><WORKFLOWNUMBER>1</WORKFLOWNUMBER></API>",
        "/status",
        "<API><RESULT>MSG</RESULT><MSG><CODE>200</CODE><INVOICES><INVOICE><INVOICENUMBER>123456</INVOICENUMBER>"
        "<STATUS>1</STATUS><DESCRIPTION>FACTUUR</DESCRIPTION></INVOICE></INVOICES></MSG></API>",
    ),
    "message": (
        billink.MessageRequest(workflow_number=1, invoice_number="123456", message="Bericht & <info>"),
        "<ACTION>message</ACTION><WORKFLOWNUMBER>1</WORKFLOWNUMBER><INVOICENUMBER>123456</INVOICENUMBER>"
        "<MESSAGE>Bericht &amp; &lt;info&gt;</MESSAGE></API>",
        "/message",
        "<API><RESULT>SUCCESS</RESULT><MSG><CODE>500</CODE><DESCRIPTION>Bericht toegevoegd</DESCRIPTION></MSG></API>",
    ),
}


@pytest.mark.parametrize("operation", list(EXACT))
def test_exact_request_bytes(operation: str) -> None:
    request, tail, path, answer = EXACT[operation]
    recorder = Recorder(xml_response(answer))
    with client(recorder) as c:
        getattr(c, operation)(request)
    sent = recorder.requests[0]
    assert sent.method == "POST"
    assert str(sent.url) == f"https://test.billink.nl/api{path}"
    assert sent.headers["content-type"] == "text/xml"
    assert sent.content == (PRELUDE + tail).encode()


def test_every_operation_is_covered() -> None:
    assert set(EXACT) == {op.name for op in service("billink").operations}


def test_production_environment_and_base_url_override() -> None:
    recorder = Recorder(xml_response(msg("500", "Advies=1", "<UUID>u</UUID>")))
    with client(recorder, environment="production") as c:
        c.check(private_check())
    with client(recorder, base_url="http://127.0.0.1:8080/api/") as c:
        c.check(private_check())
    assert [str(r.url) for r in recorder.requests] == [
        "https://client.billink.nl/api/check",
        "http://127.0.0.1:8080/api/check",
    ]
    with pytest.raises(ValueError, match="unknown environment"):
        billink.BillinkClient(username="u", client_id="k", environment="staging")


def test_a_mapping_with_wire_names_is_accepted() -> None:
    recorder = Recorder(xml_response(EXACT["on_hold"][3]))
    with client(recorder) as c:
        c.on_hold({"INVOICENUMBER": "123456", "WORKFLOWNUMBER": 1, "DAYS": 14})
    assert recorder.requests[0].content.endswith(EXACT["on_hold"][1].encode())


def test_a_lowercase_dutch_postcode_is_taken_and_sent_in_upper_case() -> None:
    """A shop form sends "3072ap": it is a valid Dutch postcode, and it travels as the
    document's examples write it (issue 15)."""
    recorder = Recorder(xml_response((SPECS / "billink/examples/check-approved.response.xml").read_text()))
    with client(recorder) as c:
        c.check(private_check(postal_code="3072 ap"))
    assert b"<POSTALCODE>3072 AP</POSTALCODE>" in recorder.requests[0].content
    for wrong in ("3072a", "0072AP", "3072-AP"):
        error = _refused("check", private_check(postal_code=wrong))
        assert ("POSTALCODE", "pattern_when") in {(i.path, i.rule) for i in error.issues}


# -- typed results -----------------------------------------------------------------------------


def test_check_approval_and_rejection_are_results() -> None:
    recorder = Recorder(
        xml_response((SPECS / "billink/examples/check-approved.response.xml").read_text()),
        xml_response((SPECS / "billink/examples/check-rejected.response.xml").read_text()),
    )
    with client(recorder) as c:
        approved = c.check(private_check())
        rejected = c.check(private_check())
    assert isinstance(approved, billink.CheckApproved)
    assert (approved.code, approved.message, approved.uuid) == ("500", "Advies=1", "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX")
    assert isinstance(rejected, billink.CheckRejected)
    assert (rejected.code, rejected.message) == ("501", "Advies=0")


def test_results_of_every_operation() -> None:
    outcomes = {}
    for operation, (request, _, _, answer) in EXACT.items():
        with client(Recorder(xml_response(answer))) as c:
            outcomes[operation] = getattr(c, operation)(request)
    assert type(outcomes["order"]).__name__ == "OrderAdded"
    credit = outcomes["credit"]
    assert isinstance(credit, billink.CreditProcessed) and credit.ok and credit.statuses[0].invoice_number == "123456"
    assert isinstance(outcomes["start_workflow"], billink.StartWorkflowStarted) and outcomes["start_workflow"].ok
    assert isinstance(outcomes["on_hold"], billink.OnHoldPlaced)
    assert isinstance(outcomes["payment"], billink.PaymentBooked) and outcomes["payment"].ok
    status = outcomes["status"]
    assert isinstance(status, billink.StatusReport)
    assert status.invoices[0].status is billink.InvoiceStatus.PAID
    assert isinstance(outcomes["message"], billink.MessageAdded) and outcomes["message"].message == "Bericht toegevoegd"


def test_item_level_failures_are_typed_not_raised() -> None:
    answer = (
        "<API><RESULT>MSG</RESULT><MSG><STATUSES>"
        "<ITEM><INVOICENUMBER>1</INVOICENUMBER><MESSAGE>Credit applied</MESSAGE><CODE>200</CODE></ITEM>"
        "<ITEM><INVOICENUMBER>2</INVOICENUMBER><MESSAGE>Invoice not found.</MESSAGE><CODE>706</CODE></ITEM>"
        "</STATUSES></MSG></API>"
    )
    with client(Recorder(xml_response(answer))) as c:
        result = c.credit(EXACT["credit"][0])
    assert not result.ok
    assert [s.invoice_number for s in result.failures] == ["2"]
    [error] = result.errors
    assert isinstance(error, billink.CreditError)
    assert error.error is billink.CreditErrorCode.INVOICE_NOT_FOUND


def _codes() -> list[Any]:
    svc = service("billink")
    cases = []
    for op in svc.operations:
        table = svc.error_table(op.errors)
        outcome_codes = {o.code for o in op.outcomes}
        for code in table.codes:
            if code.code in outcome_codes:
                continue
            cases.append(pytest.param(op.name, table.name, code.code, code.name, code.message, id=f"{op.name}-{code.code}"))
    return cases


@pytest.mark.parametrize("operation, table, code, member, message", _codes())
def test_every_documented_code_raises_its_typed_error(operation: str, table: str, code: str, member: str, message: str) -> None:
    request, _, _, _ = EXACT[operation]
    error_class = getattr(errors, "".join(p.title() for p in operation.split("_")) + "Error")
    enum_class = getattr(errors, "".join(p.title() for p in table.split("_")) + "ErrorCode")
    with client(Recorder(xml_response(msg(code, "server text")))) as c, pytest.raises(error_class) as caught:
        getattr(c, operation)(request)
    err = caught.value
    assert isinstance(err, billink.BillinkApiError)
    assert (err.operation, err.code, err.message) == (operation, code, "server text")
    assert err.error is getattr(enum_class, member.upper())
    assert err.documented_message == message
    assert f"code {code}" in str(err)


def test_check_outcome_codes_are_in_the_enum_but_never_raised() -> None:
    assert billink.CheckErrorCode.APPROVED.documented_message == "Consumer has been approved."
    assert billink.CheckErrorCode("501") is billink.CheckErrorCode.REJECTED


def test_error_block_form_is_understood() -> None:
    answer = "<API><RESULT>ERROR</RESULT><ERROR><CODE>101</CODE><DESCRIPTION>The username or the UID is incorrect.</DESCRIPTION></ERROR></API>"
    with client(Recorder(xml_response(answer))) as c, pytest.raises(billink.OrderError) as caught:
        c.order(private_order())
    assert caught.value.error is billink.OrderErrorCode.CREDENTIALS_INCORRECT
    assert "documented" not in str(caught.value)  # server text equals the table's


def test_server_text_differing_from_the_table_is_kept() -> None:
    answer = (SPECS / "billink/examples/order-error.response.xml").read_text()
    with client(Recorder(xml_response(answer))) as c, pytest.raises(billink.OrderError) as caught:
        c.order(private_order())
    err = caught.value
    assert err.error is billink.OrderErrorCode.CHECK_UUID_MISSING
    assert err.message == "Missing check request uuid"
    assert err.documented_message == "CHECK-UUID is missing."


def test_unknown_code_raises_the_operation_error_undocumented() -> None:
    with client(Recorder(xml_response(msg("999", "Something new")))) as c, pytest.raises(billink.CheckError) as caught:
        c.check(private_check())
    assert caught.value.error is None and not caught.value.documented
    assert "undocumented" in str(caught.value)


def test_order_501_is_an_error_not_a_result() -> None:
    with client(Recorder(xml_response(msg("501", "Fraud")))) as c, pytest.raises(billink.OrderError) as caught:
        c.order(private_order())
    assert caught.value.error is billink.OrderErrorCode.REFUSED_FRAUD


# -- bad requests are refused before sending ---------------------------------------------------


def _refused(operation: str, request: Any) -> Any:
    recorder = Recorder(xml_response(msg("500")))
    with client(recorder) as c, pytest.raises(billink.BillinkRequestValidationError) as caught:
        getattr(c, operation)(request)
    assert recorder.requests == []  # nothing went on the wire
    assert isinstance(caught.value, ValueError)
    return caught.value


@pytest.mark.parametrize(
    "operation, request_data, path, rule",
    [
        ("check", private_check(birth_date=None), "BIRTHDATE", "required_when"),
        ("check", private_check(postal_code="3072A"), "POSTALCODE", "pattern_when"),
        ("check", private_check(postal_code="1234", country_code="BE"), None, None),
        ("check", private_check(order_type="B", birth_date=None, company_name="x" * 51, chamber_of_commerce="12345678"), "COMPANYNAME", "string_too_long"),
        ("check", private_check(order_type="B", company_name="Billink B.V."), "CHAMBEROFCOMMERCE", "required_when"),
        ("check", private_check(order_amount=100.5), "ORDERAMOUNT", "exact_decimal"),
        ("check", private_check(phone_number="+31 10 414"), "PHONENUMBER", "string_pattern_mismatch"),
        ("check", private_check(first_name="Te\x01st"), "FIRSTNAME", "string_pattern_mismatch"),
        ("check", private_check(first_name=""), "FIRSTNAME", "string_too_short"),
        ("check", private_check(ip="300.1.1.1"), "IP", "ip_address"),
        ("check", private_check(email="not-an-email"), "EMAIL", "string_pattern_mismatch"),
        ("check", private_check(order_type="X"), "TYPE", "enum"),
        ("order", private_order(items=[{"code": "1", "description": "d", "quantity": 1, "price_incl": 9.95, "vat": "21"}]), "ITEMS[0].PRICEINCL", "exact_decimal"),
        ("order", private_order(items=[{"code": "1", "description": "d", "quantity": 1, "price_excl": "9.95", "vat": "21"}]), "ITEMS[0].PRICEINCL", "required_when"),
        ("order", private_order(items=[{"code": "1", "description": "d", "quantity": 1, "price_incl": "1", "vat": "22"}]), "ITEMS[0].BTW", "enum"),
        ("order", private_order(items=[]), "ITEMS", "too_short"),
        ("order", private_order(order_number="12/34"), "ORDERNUMBER", "string_pattern_mismatch"),
        ("order", private_order(sex=None), "SEX", "required_when"),
        ("on_hold", {"invoice_number": "1", "workflow_number": 1, "days": 15}, "DAYS", "less_than_equal"),
        ("payment", {"invoice_number": "1", "amount": "1", "description": "x" * 31}, "DESCRIPTION", "string_too_long"),
        ("payment", {"invoice_number": "1", "amount": "1", "description": "x", "EXTRA": 1}, "EXTRA", "extra_forbidden"),
    ],
)
def test_bad_requests_are_refused_with_path_and_rule(operation: str, request_data: Any, path: str | None, rule: str | None) -> None:
    if path is None:  # a Belgian postcode under BE is fine: the control case
        with client(Recorder(xml_response(msg("500", "", "<UUID>u</UUID>")))) as c:
            c.check(request_data)
        return
    error = _refused(operation, request_data)
    assert (path, rule) in {(i.path, i.rule) for i in error.issues}, error.issues
    assert path in str(error) and rule in str(error)


def test_private_order_with_business_prices_names_every_problem() -> None:
    items = [
        {"code": "1", "description": "d", "quantity": 1, "price_excl": "8.22", "vat": "21"},
        {"code": "2", "description": "d", "quantity": 1, "price_incl": "1", "price_excl": "1", "vat": "21"},
    ]
    error = _refused("order", private_order(items=items))
    assert {(i.path, i.rule) for i in error.issues} == {
        ("ITEMS[0].PRICEINCL", "required_when"),
        ("ITEMS[0].PRICEEXCL", "forbidden_when"),
        ("ITEMS[1].PRICEEXCL", "forbidden_when"),
    }


def test_business_order_needs_exactly_one_price() -> None:
    business = private_order(order_type="B", sex=None, birth_date=None, company_name="Billink B.V.", chamber_of_commerce="12345678")
    business["items"] = [{"code": "1", "description": "d", "quantity": 1, "vat": "21"}]
    error = _refused("order", business)
    assert [(i.path, i.rule) for i in error.issues] == [("ITEMS[0].PRICEINCL", "exactly_one_of")]
    business["items"] = [{"code": "1", "description": "d", "quantity": 1, "price_incl": "1", "vat": "21"}]
    with client(Recorder(xml_response(msg("200")))) as c:
        assert c.order(business).code == "200"


def test_models_are_frozen_so_a_validated_request_stays_valid() -> None:
    request = billink.OnHoldRequest(invoice_number="1", workflow_number=1, days=3)
    with pytest.raises(Exception):
        request.days = 99


# -- hostile and broken answers ----------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    "<API><RESULT>MSG</RESULT><MSG><CODE>500</CODE><DESCRIPTION>&lol9;</DESCRIPTION></MSG><UUID>u</UUID></API>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE API [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<API><RESULT>MSG</RESULT><MSG><CODE>500</CODE><DESCRIPTION>&xxe;</DESCRIPTION></MSG><UUID>u</UUID></API>"
)


@pytest.mark.parametrize(
    "answer, reason",
    [
        (xml_response("<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"), "not the documented XML"),
        (xml_response("<!DOCTYPE html><html><body>Error</body></html>", content_type="text/html"), "document type declarations"),
        (xml_response("<API><RESULT>MSG</RESULT><MSG><CODE>500</CO"), "not well-formed"),
        (xml_response(""), "not well-formed"),
        (xml_response(BILLION_LAUGHS), "document type declarations"),
        (xml_response(EXTERNAL_ENTITY), "document type declarations"),
        (httpx.Response(200, content=EXTERNAL_ENTITY.encode("utf-16")), "document type declarations"),
        (xml_response("<API>" * 5000 + "</API>" * 5000), "not"),
        (xml_response("<API><RESULT>MSG</RESULT></API>"), "no result code"),
        (xml_response(msg("500", "Advies=1")), "has no UUID"),
        (xml_response("<API><MSG><CODE>500</CODE><CODE>501</CODE></MSG></API>"), "appears twice"),
        (xml_response("<API><MSG><CODE><X/></CODE></MSG></API>"), "expected text"),
        (xml_response("<API>stray text<MSG><CODE>500</CODE></MSG></API>"), "unexpected text"),
        (xml_response('{"code": 500}', content_type="application/json"), "not well-formed"),
    ],
)
def test_bad_answers_raise_typed_errors_quickly(answer: httpx.Response, reason: str) -> None:
    started = time.monotonic()
    with client(Recorder(answer)) as c, pytest.raises(billink.BillinkResponseError, match=reason):
        c.check(private_check())
    assert time.monotonic() - started < 2.0


def test_an_undocumented_enum_value_in_an_answer_is_kept_as_text() -> None:
    """An answer naming a status the document does not list is read, not thrown away (issue
    15); documented values are the enum's members."""
    answer = msg("200").replace(
        "</MSG>",
        "<INVOICES><INVOICE><INVOICENUMBER>1</INVOICENUMBER><STATUS>7</STATUS></INVOICE>"
        "<INVOICE><INVOICENUMBER>2</INVOICENUMBER><STATUS>1</STATUS></INVOICE></INVOICES></MSG>",
    )
    with client(Recorder(xml_response(answer))) as c:
        invoices = c.status(EXACT["status"][0]).response.msg.invoices
    assert invoices[0].status == "7" and not isinstance(invoices[0].status, billink.InvoiceStatus)
    assert invoices[1].status is billink.InvoiceStatus("1")


def test_unknown_elements_in_answers_are_ignored() -> None:
    answer = msg("500", "Advies=1", "<UUID>u</UUID><NEWTHING><A>1</A></NEWTHING>")
    with client(Recorder(xml_response(answer))) as c:
        assert c.check(private_check()).uuid == "u"


def test_response_size_is_limited() -> None:
    big = msg("500", "x" * 5000, "<UUID>u</UUID>")
    with client(Recorder(xml_response(big)), max_response_bytes=1000) as c:
        with pytest.raises(billink.BillinkResponseError, match="larger than 1000 bytes"):
            c.check(private_check())


def test_empty_elements_in_answers_count_as_absent() -> None:
    """The README says so (issue 15: an empty <CODE/> gave code='' and an error for code '')."""
    with client(Recorder(xml_response("<API><RESULT>MSG</RESULT><MSG><CODE/><DESCRIPTION/></MSG></API>"))) as c:
        with pytest.raises(billink.BillinkResponseError, match="carries no result code"):
            c.check(private_check())
    with client(Recorder(xml_response(msg("500", "", "<UUID>u</UUID>")))) as c:
        approved = c.check(private_check())
    assert (approved.code, approved.message, approved.uuid) == ("500", None, "u")
    with client(Recorder(xml_response(msg("500", "", "<UUID></UUID>")))) as c:
        with pytest.raises(billink.BillinkResponseError, match="has no UUID"):
            c.check(private_check())


# -- transport ---------------------------------------------------------------------------------


def test_connect_errors_are_retried_then_raised() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"))
    with client(recorder, connect_retries=2) as c, pytest.raises(billink.BillinkTransportError, match="connection refused"):
        c.check(private_check())
    assert len(recorder.requests) == 3


def test_connect_error_then_success() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), xml_response(msg("500", "", "<UUID>u</UUID>")))
    with client(recorder) as c:
        assert c.check(private_check()).uuid == "u"
    assert len(recorder.requests) == 2


def test_timeouts_are_not_retried() -> None:
    recorder = Recorder(httpx.ReadTimeout("read timed out"))
    with client(recorder) as c, pytest.raises(billink.BillinkTimeoutError):
        c.order(private_order())
    assert len(recorder.requests) == 1  # the order may have been placed: never sent twice


def test_other_transport_errors_are_not_retried() -> None:
    recorder = Recorder(httpx.RemoteProtocolError("peer closed connection"))
    with client(recorder) as c, pytest.raises(billink.BillinkTransportError):
        c.order(private_order())
    assert len(recorder.requests) == 1


def test_http_errors_carry_status_and_a_redacted_excerpt() -> None:
    echo = httpx.Response(500, content=f"<h1>Internal error</h1> request was CLIENTID={SECRET}".encode())
    with client(Recorder(echo)) as c, pytest.raises(billink.BillinkHTTPStatusError) as caught:
        c.check(private_check())
    assert caught.value.status_code == 500
    assert "Internal error" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_secret_never_appears_in_reprs_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    answers: list[Any] = [
        xml_response(msg("500", "", "<UUID>u</UUID>")),
        xml_response(msg("101", "The username or the UID is incorrect.")),
        httpx.Response(500, content=SECRET.encode()),
        httpx.ConnectError(f"failed for {SECRET}"),
        xml_response(f"<API><MSG><CODE>{SECRET}"),
    ]
    for answer in answers:
        with client(Recorder(answer), connect_retries=0) as c:
            texts.append(repr(c))
            try:
                c.check(private_check())
            except billink.BillinkError as exc:
                texts += [str(exc), repr(exc)]
    with client(Recorder(xml_response(msg("500"))) ) as c:
        try:
            c.check({"bad": SECRET})
        except billink.BillinkError as exc:
            texts += [str(exc), repr(exc)]
    texts += [r.getMessage() for r in caplog.records]
    assert caplog.records, "the client logs its calls"
    assert all(SECRET not in t for t in texts)
    assert "client_id='***'" in texts[0]


# -- async -------------------------------------------------------------------------------------


async def test_async_client_sends_the_same_bytes_and_returns_the_same_results() -> None:
    request, tail, path, answer = EXACT["order"]
    seen: list[httpx.Request] = []

    async def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return xml_response(answer)

    async with billink.AsyncBillinkClient(
        username="usertest", client_id=SECRET, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ) as c:
        result = await c.order(request)
    assert isinstance(result, billink.OrderAdded)
    assert seen[0].content == (PRELUDE + tail).encode()


async def test_async_errors_and_refusals() -> None:
    async def handler(req: httpx.Request) -> httpx.Response:
        return xml_response(msg("446", "used"))

    async with billink.AsyncBillinkClient(
        username="u", client_id=SECRET, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ) as c:
        with pytest.raises(billink.OrderError) as caught:
            await c.order(private_order())
        assert caught.value.error is billink.OrderErrorCode.CHECK_UUID_USED
        with pytest.raises(billink.BillinkRequestValidationError):
            await c.order(private_order(items=[]))


async def test_async_timeout() -> None:
    async def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("connect timed out")

    async with billink.AsyncBillinkClient(
        username="u", client_id="k", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ) as c:
        with pytest.raises(billink.BillinkTimeoutError):
            await c.status({"INVOICENUMBER": "1", "WORKFLOWNUMBER": 1})


def test_own_http_client_is_not_closed_but_ours_is() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(xml_response(msg("500")))))
    with billink.BillinkClient(username="u", client_id="k", http_client=http):
        pass
    assert not http.is_closed
    c = billink.BillinkClient(username="u", client_id="k")
    c.close()
    assert c._http.is_closed


def test_a_listed_answer_status_given_to_model_validate_is_its_member() -> None:
    """An answer's open enum (InvoiceStatus | text) reads a listed value as its member, also
    through model_validate (the smart union kept '1' as text before); another value stays text."""
    state = billink.models.InvoiceState.model_validate({"INVOICENUMBER": "1", "STATUS": "1"})
    assert state.status is billink.models.InvoiceStatus.PAID
    other = billink.models.InvoiceState.model_validate({"INVOICENUMBER": "1", "STATUS": "7"})
    assert other.status == "7" and not isinstance(other.status, billink.models.InvoiceStatus)
