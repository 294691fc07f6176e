"""The generated Inkassogram client: XSD-valid requests, the daily MD5 key, every status code,
the foreign-customer choice, retries after timeouts, the callback helper, secrets."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree
from pydantic import ValidationError

from strategies import payloads
from support import SPECS, examples, mended, package, service

ik = package("inkassogram")
wire = package("inkassogram", "_wire")
xsd = package("inkassogram", "xsd")
auth = package("inkassogram", "_auth")

PRIVATE_KEY = "0123456789abcdef0123456789ABCDEF"
NS = "https://api.inkassogram.se/API/createInvoiceBookkeeping"
NOON = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def answer(inner: str, status: int = 200) -> httpx.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><methodCall xmlns="{NS}"><methodName>createInvoice</methodName><response>{inner}</response></methodCall>'
    return httpx.Response(status, content=body.encode(), headers={"content-type": "text/xml"})


DELIVERED = answer("<statusCode>1</statusCode><ocr>123456789</ocr><pdfFile>JVBERi0=</pdfFile><description>Delivered</description>")


def refused(code: str, text: str = "server text") -> httpx.Response:
    return answer(f"<statusCode>0</statusCode><errorCode>{code}</errorCode><description>{text}</description>")


def invoice(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        test_invoice=True,
        service="1",
        print_setup="1",
        ssn="5567854616",
        due_date=date(2012, 12, 31),
        email="techsupport@inkassogram.se",
        order_no="A-1001",
        invoice_rows=[{"article_no": "4144", "text": "Biljett", "desc": None, "vat": 12, "quantity": 1, "price": 3400, "bookkeeping_account": 3010}],
    )
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


class Recorder:
    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(item, Exception):
            raise item
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)  # fresh stream


def client(recorder: Recorder, clock: Any = lambda: NOON, **kwargs: Any) -> Any:
    return ik.InkassogramClient(
        customer_no="4711",
        private_key=PRIVATE_KEY,
        public_ip="203.0.113.7",
        clock=clock,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        **kwargs,
    )


# -- wire --------------------------------------------------------------------------------------


def test_exact_request_bytes_headers_and_url() -> None:
    recorder = Recorder(DELIVERED)
    with client(recorder) as c:
        result = c.create_invoice(invoice(invoice_rows=[{"text": "Biljett", "price": 3400, "vat": 12, "quantity": "1.5"}]))
    assert isinstance(result, ik.CreateInvoiceDelivered) and result.response.ocr == "123456789"
    sent = recorder.requests[0]
    assert str(sent.url) == "https://sandbox.inkassogram.se/API/createInvoiceBookkeeping"
    assert sent.headers["content-type"] == "text/xml"
    assert sent.headers["customerNo"] == "4711"
    assert sent.content == (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<methodCall xmlns="{NS}"><methodName>createInvoice</methodName><request>'
        "<testInvoice>true</testInvoice><service>1</service><printSetup>1</printSetup><ssn>5567854616</ssn>"
        "<dueDate>1356912000</dueDate><email>techsupport@inkassogram.se</email><orderNo>A-1001</orderNo>"
        "<invoiceRows><row><text>Biljett</text><vat>12</vat><quantity>1.5</quantity><price>3400</price></row></invoiceRows>"
        "</request></methodCall>"
    ).encode()
    assert xsd.errors(sent.content) == []


@pytest.mark.parametrize(
    "now, ymd",
    [
        (datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc), "20240301"),
        (datetime(2024, 3, 1, 23, 30, tzinfo=timezone.utc), "20240302"),  # already the 2nd in Stockholm
        (datetime(2024, 7, 31, 22, 30, tzinfo=timezone.utc), "20240801"),  # summer time: UTC+2
        (datetime(2024, 7, 31, 21, 30, tzinfo=timezone.utc), "20240731"),
    ],
)
def test_key_is_md5_of_ip_date_and_private_key(now: datetime, ymd: str) -> None:
    recorder = Recorder(DELIVERED)
    with client(recorder, clock=lambda: now) as c:
        c.create_invoice(invoice())
    expected = hashlib.md5(f"203.0.113.7{ymd}{PRIVATE_KEY}".encode()).hexdigest()
    assert recorder.requests[0].headers["Key"] == expected


def test_key_with_empty_ip_and_fresh_key_per_attempt() -> None:
    """Every attempt computes its own key: a retry after midnight carries the new day's."""
    times = iter([datetime(2024, 3, 1, 22, 59, 59, tzinfo=timezone.utc), datetime(2024, 3, 1, 23, 0, 1, tzinfo=timezone.utc)])
    recorder = Recorder(httpx.ReadTimeout("slow"), DELIVERED)
    with ik.InkassogramClient(
        customer_no="1", private_key=PRIVATE_KEY, clock=lambda: next(times),
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    ) as c:
        result = c.create_invoice(invoice())
    keys = [r.headers["Key"] for r in recorder.requests]
    assert keys == [hashlib.md5(f"{d}{PRIVATE_KEY}".encode()).hexdigest() for d in ("20240301", "20240302")]
    assert result.attempts == 2


def test_every_example_request_is_xsd_valid() -> None:
    svc = service("inkassogram")
    for op in svc.operations:
        for ex in op.examples:
            if ex.request is None:
                continue
            document = mended((SPECS / "inkassogram" / ex.request).read_bytes(), ex.mends, svc.wire.request_element)
            _, request = wire.decode_request(op.name, etree.tostring(document))
            body = wire.encode_create_invoice(request, auth.Credentials(customer_no="1", private_key="k"))
            assert xsd.errors(body) == []


@settings(max_examples=examples(600), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(payload=payloads(service("inkassogram"), service("inkassogram").operations[0].request))
def test_every_valid_generated_request_is_xsd_valid(payload: dict[str, Any]) -> None:
    try:
        request = ik.CreateInvoiceRequest.model_validate(payload)
    except ValidationError:
        return  # refused before sending: nothing to validate
    body = wire.encode_create_invoice(request, auth.Credentials(customer_no="1", private_key="k"))
    assert xsd.errors(body) == [], body


def test_response_example_is_delivered() -> None:
    svc = service("inkassogram")
    ex = next(e for e in svc.operations[0].examples if e.response)
    document = mended((SPECS / "inkassogram" / ex.response).read_bytes(), ex.mends, svc.wire.response_element)
    recorder = Recorder(httpx.Response(200, content=etree.tostring(document)))
    with client(recorder) as c:
        result = c.create_invoice(invoice())
    assert isinstance(result, ik.CreateInvoiceDelivered) and result.code == "1"


# -- errors ------------------------------------------------------------------------------------


def _status_codes() -> list[Any]:
    table = service("inkassogram").error_table("status")
    return [pytest.param(c.code, c.name, c.message, c.hint, id=f"{c.code}-{c.name}") for c in table.codes]


def test_the_table_has_45_codes_and_31_twice() -> None:
    codes = [c.code for c in service("inkassogram").error_table("status").codes]
    assert len(codes) == 46 and len(set(codes)) == 45 and codes.count("31") == 2
    assert len(set(ik.StatusErrorCode)) == 45


@pytest.mark.parametrize("code, name, message, hint", _status_codes())
def test_every_status_code_raises_its_typed_error(code: str, name: str, message: str, hint: str | None) -> None:
    with client(Recorder(refused(code))) as c, pytest.raises(ik.CreateInvoiceError) as caught:
        c.create_invoice(invoice())
    err = caught.value
    assert err.code == code and err.message == "server text"
    assert err.error is getattr(ik.StatusErrorCode, name.upper())
    assert message in err.documented_message
    if hint:
        assert "forceToSend" in str(err) and err.error.hint == hint
    else:
        assert "forceToSend" not in str(err)


def test_swedish_messages_keep_their_text_and_have_a_gloss() -> None:
    member = ik.StatusErrorCode.PRIVATE_PERSON_REJECTED
    assert (member.documented_message, member.gloss) == ("Avslag på privatperson", "Private person rejected")


@pytest.mark.parametrize(
    "inner, reason",
    [
        ("<statusCode>0</statusCode><description>no code</description>", "carries no error code"),
        ("<statusCode>2</statusCode>", "the response says '2' but carries no error code"),  # kept, not a code
        ("<ocr>1</ocr>", "statusCode"),
    ],
)
def test_malformed_answers_raise_response_errors(inner: str, reason: str) -> None:
    with client(Recorder(answer(inner))) as c, pytest.raises(ik.InkassogramResponseError, match=reason):
        c.create_invoice(invoice())


def test_empty_elements_in_answers_count_as_absent() -> None:
    """The README says so (issue 15: an empty <description/> gave message='')."""
    with client(Recorder(refused("125", ""))) as c, pytest.raises(ik.CreateInvoiceError) as caught:
        c.create_invoice(invoice())
    assert (caught.value.code, caught.value.message) == ("125", None)
    assert "''" not in str(caught.value)
    empty = answer("<statusCode>1</statusCode><ocr>123456789</ocr><pdfFile>JVBERi0=</pdfFile><description/>")
    with client(Recorder(empty)) as c:
        result = c.create_invoice(invoice())
    assert (result.code, result.message) == ("1", None)


def test_an_element_in_another_namespace_is_read_by_its_name_in_answers_and_refused_in_requests() -> None:
    # Elements are found by the tag lxml reports ("{namespace}name"); one in another namespace
    # falls back to its local name: answers are read leniently, requests strictly.
    stray = '<description xmlns="urn:other">Delivered</description>'
    with client(Recorder(answer(f"<statusCode>1</statusCode><ocr>1</ocr>{stray}"))) as c:
        assert c.create_invoice(invoice()).response.description == "Delivered"
    good = wire.encode_create_invoice(ik.CreateInvoiceRequest(**invoice()), auth.Credentials(customer_no="1", private_key="k"))
    bad = good.replace(b"<orderNo>A-1001</orderNo>", b'<orderNo xmlns="urn:other">A-1001</orderNo>')
    assert wire.decode_request("create_invoice", good)[1].order_no == "A-1001"
    with pytest.raises(ValueError, match="orderNo.*namespace 'urn:other'"):
        wire.decode_request("create_invoice", bad)


def test_a_document_in_another_namespace_is_refused() -> None:
    wrong = httpx.Response(200, content=b"<methodCall><methodName>x</methodName><response><statusCode>1</statusCode></response></methodCall>")
    with client(Recorder(wrong)) as c, pytest.raises(ik.InkassogramResponseError, match="namespace"):
        c.create_invoice(invoice())


# -- rules and types ---------------------------------------------------------------------------


def _issues(request: Any) -> set[tuple[str, str]]:
    recorder = Recorder(DELIVERED)
    with client(recorder) as c, pytest.raises(ik.InkassogramRequestValidationError) as caught:
        c.create_invoice(request)
    assert recorder.requests == []
    return {(i.path, i.rule) for i in caught.value.issues}


@pytest.mark.parametrize(
    "foreign, ok",
    [
        ({"country": "Norway"}, True),
        ({"country_with_no_ssn_check": {"country_code": "GB", "address_line1": "1 High St", "address_line2": "London"}}, True),
        ({}, False),
        ({"country": "Norway", "country_with_no_ssn_check": {"country_code": "GB", "address_line1": "a", "address_line2": "b"}}, False),
    ],
)
def test_foreign_customer_is_a_choice(foreign: dict[str, Any], ok: bool) -> None:
    request = invoice(foreign_customer=foreign)
    if ok:
        with client(Recorder(DELIVERED)) as c:
            c.create_invoice(request)
    else:
        assert ("foreignCustomer.country", "exactly_one_of") in _issues(request)


def test_type_rules_are_refused_before_sending() -> None:
    assert ("invoiceRows[0].quantity", "exact_decimal") in _issues(invoice(invoice_rows=[{"text": "x", "price": 1, "quantity": "1.25"}]))
    assert ("invoiceRows[0].text", "string_too_long") in _issues(invoice(invoice_rows=[{"text": "x" * 121, "price": 1}]))
    assert ("invoiceRows", "too_short") in _issues(invoice(invoice_rows=[]))
    assert ("printSetup", "enum") in _issues(invoice(print_setup="5"))
    assert ("dueDate", "unix_time") in _issues(invoice(due_date=datetime(2024, 1, 1)))
    assert ("callback", "string_pattern_mismatch") in _issues(invoice(callback="ftp://x.y"))
    assert ("attachedDocument", "base64_data") in _issues(invoice(attached_document="not base64!"))
    assert ("orderNo", "missing") in _issues(invoice(order_no=None))


def test_dates_and_documents_are_converted_for_the_user() -> None:
    recorder = Recorder(DELIVERED)
    aware = datetime(2024, 1, 31, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    document = b"%PDF-1.4\x00\xff binary"
    with client(recorder) as c:
        c.create_invoice(invoice(invoice_date=aware, due_date=1356912000, attached_document=document))
    sent = etree.fromstring(recorder.requests[0].content)
    text = {etree.QName(e).localname: e.text for e in sent.iter()}
    assert text["invoiceDate"] == str(int(aware.timestamp())) and text["dueDate"] == "1356912000"
    assert text["attachedDocument"] == "JVBERi0xLjQA/yBiaW5hcnk="
    assert text["attachedDocumentMd5"] == hashlib.md5(document).hexdigest()
    assert xsd.errors(recorder.requests[0].content) == []


def test_attached_document_size_limit() -> None:
    assert ("attachedDocument", "base64_too_long") in _issues(invoice(attached_document=b"x" * 1_364_401))
    with client(Recorder(DELIVERED)) as c:
        c.create_invoice(invoice(attached_document=b"x" * 1_364_400))  # exactly 1,819,200 characters encoded


def test_a_wrong_md5_in_a_received_request_is_refused() -> None:
    good = wire.encode_create_invoice(ik.CreateInvoiceRequest(**invoice(attached_document=b"abc")), auth.Credentials(customer_no="1", private_key="k"))
    bad = good.replace(hashlib.md5(b"abc").hexdigest().encode(), b"0" * 32)
    wire.decode_request("create_invoice", good)
    with pytest.raises(ValueError, match="not the MD5"):
        wire.decode_request("create_invoice", bad)


# -- retries -----------------------------------------------------------------------------------


def test_timeouts_are_retried_with_the_same_order_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    recorder = Recorder(httpx.ReadTimeout("read timed out"), httpx.WriteTimeout("write timed out"), DELIVERED)
    with client(recorder) as c:
        result = c.create_invoice(invoice())
    assert result.attempts == 3
    bodies = {r.content for r in recorder.requests}
    assert len(recorder.requests) == 3 and len(bodies) == 1 and b"<orderNo>A-1001</orderNo>" in bodies.pop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("same orderNo" in w for w in warnings)


def test_a_timeout_on_every_attempt_raises_with_the_count() -> None:
    recorder = Recorder(httpx.ReadTimeout("read timed out"))
    with client(recorder) as c, pytest.raises(ik.InkassogramTimeoutError) as caught:
        c.create_invoice(invoice())
    assert len(recorder.requests) == 3 and caught.value.attempts == 3
    assert "after 3 attempts" in str(caught.value)


def test_errors_answered_by_the_server_are_not_retried() -> None:
    recorder = Recorder(refused("125", "Key does not match"))
    with client(recorder) as c, pytest.raises(ik.CreateInvoiceError):
        c.create_invoice(invoice())
    assert len(recorder.requests) == 1


async def test_async_retry_after_timeout() -> None:
    calls: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow")
        return httpx.Response(200, content=DELIVERED.content)

    async with ik.AsyncInkassogramClient(
        customer_no="1", private_key=PRIVATE_KEY, clock=lambda: NOON,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    ) as c:
        result = await c.create_invoice(invoice())
    assert result.attempts == 2 and calls[0].content == calls[1].content


# -- dictionary-only fields, XSD check ---------------------------------------------------------


def test_extra_fields_are_sent_by_name_and_only_documented_names() -> None:
    recorder = Recorder(DELIVERED)
    with client(recorder) as c:
        c.create_invoice(invoice(), extra_fields={"languageCode": "en", "currencyCode": "EUR"})
        with pytest.raises(ik.InkassogramRequestValidationError, match="languagecode"):
            c.create_invoice(invoice(), extra_fields={"languagecode": "en"})
    body = recorder.requests[0].content
    assert body.endswith(b"</invoiceRows><languageCode>en</languageCode><currencyCode>EUR</currencyCode></request></methodCall>")
    assert any("languageCode" in e for e in xsd.errors(body))  # outside the 1.0 XSD, as documented


def test_validate_xsd_refuses_what_the_schema_refuses() -> None:
    recorder = Recorder(DELIVERED)
    with client(recorder, validate_xsd=True) as c:
        c.create_invoice(invoice())
        with pytest.raises(ik.InkassogramRequestValidationError) as caught:
            c.create_invoice(invoice(), extra_fields={"languageCode": "en"})
    assert len(recorder.requests) == 1
    assert caught.value.issues[0].rule == "xsd"


# -- callback ----------------------------------------------------------------------------------


def test_callback_is_parsed_into_a_typed_event() -> None:
    event = ik.parse_invoice_changed("invoiceId=xx1000&type=1")
    assert event == ik.InvoiceChanged(invoice_id="xx1000", type=ik.CallbackType.AMOUNT_CHANGED)
    assert ik.parse_invoice_changed({"invoiceId": ["7"], "type": "2"}).type is ik.CallbackType.INFORMATION_CHANGED
    assert ik.parse_invoice_changed("?invoiceId=7&type=2&shop=x", allow_extra=True).invoice_id == "7"


def test_made_callback_queries_round_trip_through_parse_invoice_changed() -> None:
    callbacks = package("inkassogram", "callbacks")
    query = callbacks.make_invoice_changed("xx 1000/ä", ik.CallbackType.AMOUNT_CHANGED)
    assert ik.parse_invoice_changed(query) == ik.InvoiceChanged(invoice_id="xx 1000/ä", type=ik.CallbackType.AMOUNT_CHANGED)
    assert ik.parse_invoice_changed(callbacks.make_invoice_changed("7", "2")).type is ik.CallbackType.INFORMATION_CHANGED


@pytest.mark.parametrize(
    "query, reason",
    [
        ("invoiceId=7", "'type' is missing"),
        ("type=1", "'invoiceId' is missing"),
        ("invoiceId=7&type=3", "must be one of '1', '2'"),
        ("invoiceId=7&type=1&type=2", "given 2 times"),
        ("invoiceId=&type=1", "'invoiceId' is empty"),
        ("invoiceld=7&type=1", "unknown parameters"),  # the document's OCR-damaged spelling
        ("invoiceId=7&type=1&x=1", "unknown parameters"),
        ("invoiceId=7&&type", "malformed"),
        ("", "'invoiceId' is missing"),
        ("a" * 9000, "longer than"),
    ],
)
def test_bad_callbacks_are_refused(query: str, reason: str) -> None:
    with pytest.raises(ik.InkassogramCallbackError, match=reason) as caught:
        ik.parse_invoice_changed(query)
    assert isinstance(caught.value, ValueError)


# -- secrets -----------------------------------------------------------------------------------


def test_private_key_and_daily_key_never_leak(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    daily = hashlib.md5(f"203.0.113.7" f"20240301{PRIVATE_KEY}".encode()).hexdigest()
    texts: list[str] = []
    for item in (
        httpx.Response(500, content=f"bad key {daily} for {PRIVATE_KEY}".encode()),
        httpx.ConnectError(f"refused {PRIVATE_KEY}"),
        refused("125"),
    ):
        with client(Recorder(item), connect_retries=0) as c:
            texts.append(repr(c))
            try:
                c.create_invoice(invoice())
            except ik.InkassogramError as exc:
                texts += [str(exc), repr(exc)]
    texts += [r.getMessage() for r in caplog.records]
    assert all(PRIVATE_KEY not in t and daily not in t for t in texts)
    assert "private_key='***'" in texts[0]


# -- the spec mirrors the XSD ------------------------------------------------------------------

XS = "{http://www.w3.org/2001/XMLSchema}"


def _xsd_sequences() -> dict[str, list[tuple[str, str, bool]]]:
    """complexType name -> [(element, type, required)] in order, from the shipped XSD."""
    tree = etree.parse(str(SPECS / "inkassogram" / "createInvoiceBookkeepingSchema1.0.xsd"))
    out = {}
    for ct in tree.getroot().iter(f"{XS}complexType"):
        elements = []
        for el in ct.iter(f"{XS}element"):
            restriction = el.find(f".//{XS}restriction")
            xs_type = el.get("type") or (restriction.get("base") if restriction is not None else "")
            elements.append((el.get("name"), xs_type.split(":")[-1], el.get("minOccurs", "1") != "0"))
        out[ct.get("name")] = elements
    return out


@pytest.mark.parametrize(
    "xsd_type, shape",
    [
        ("requestType", "CreateInvoiceRequest"),
        ("rowType", "Row"),
        ("careOfType", "CareOf"),
        ("careOfAddressType", "CareOfAddress"),
        ("countryWithNoSsnCheckType", "CountryWithNoSsnCheck"),
        ("foreignCustomerType", "ForeignCustomer"),
    ],
)
def test_spec_shapes_mirror_the_xsd(xsd_type: str, shape: str) -> None:
    from generator import ir

    expected = _xsd_sequences()[xsd_type]
    fields = service("inkassogram").shape(shape).wire_fields
    assert [f.wire for f in fields] == [name for name, _, _ in expected]
    for f, (name, xs_type, required) in zip(fields, expected):
        if xsd_type == "foreignCustomerType":
            required = False  # both sides of the choice are optional; the rule demands one
        assert f.required == required or (name == "invoiceRows" and f.required), name
        t = f.type
        if xs_type == "int" and isinstance(t, ir.Scalar) and t.kind in ("int", "money_minor"):
            assert t.param_map.get("bits") == 32, name
        kinds = {"int": {"int", "money_minor", "unix_time", "bool"}, "float": {"decimal"}, "string": {"string", "email", "url", "ip", "country", "bool", "base64"}}
        if isinstance(t, ir.Scalar) and xs_type in kinds:
            assert t.kind in kinds[xs_type], (name, t.kind, xs_type)
