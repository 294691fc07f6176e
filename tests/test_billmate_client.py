"""The generated Billmate client through httpx.MockTransport: the exact bytes sent and their
HMAC-SHA512 signature, PHP json_encode compatibility, verified answers, both error forms, every
documented code, hostile answers, rules refused before sending, callbacks, secrets."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import PHP, SPECS, examples, package, php, php_json_encode, service

billmate = package("billmate")
errors = package("billmate", "errors")
wire = package("billmate", "_wire")
js = package("billmate", "_runtime.json")
phpjs = package("billmate", "_runtime.phpjson")
callbacks = package("billmate", "callbacks")

STORE_ID = "12345"
KEY = "1234567890"  # the key the document's examples name
OTHER_KEY = "0987654321"
CLOCK = datetime.fromtimestamp(1417004339.9291, tz=timezone.utc)


def hmac512(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha512).hexdigest()


def signed(data: Any, key: str = KEY, data_text: str | None = None) -> httpx.Response:
    """An answer as Billmate signs it: the hash is over PHP's encoding of data."""
    text = data_text if data_text is not None else phpjs.php_encode(data)
    body = '{"credentials":{"hash":"' + hmac512(key, text) + '"},"data":' + text + "}"
    return httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"})


def raw(body: str | bytes, status: int = 200, content_type: str = "application/json") -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, content=content, headers={"content-type": content_type})


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
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def client(recorder: Recorder, **kwargs: Any) -> Any:
    kwargs.setdefault("clock", lambda: CLOCK)
    return billmate.BillmateClient(
        STORE_ID, KEY, http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kwargs
    )


def data_text(body: bytes) -> str:
    """The `data` member exactly as sent (between ,"data": and ,"function":)."""
    text = body.decode("ascii")
    start = text.index(',"data":') + len(',"data":')
    end = text.rindex(',"function":')
    return text[start:end]


def payment(**changes: Any) -> dict[str, Any]:
    """The document's addPayment example, as Python names."""
    request: dict[str, Any] = {
        "payment_data": {"method": "1", "currency": "SEK", "language": "sv", "country": "SE",
                         "auto_activate": False, "order_id": "P123456789", "logo": "Logo2.jpg"},
        "payment_info": {"payment_date": "2014-07-31", "payment_terms": 14, "your_reference": "Purchaser X",
                         "our_reference": "Seller Y", "project_name": "Project Z", "delivery_method": "Post",
                         "delivery_terms": "FOB", "auto_credit": False},
        "card": {"accept_url": "https://www.mystore.se/completedpayment",
                 "cancel_url": "https://www.mystore.se/failedpayment",
                 "callback_url": "https://www.mystore.se/callback.php"},
        "customer": {
            "number": "12", "pno": "550101-1018",
            "billing": {"first_name": "Testperson", "last_name": "Approved", "company": "Company",
                        "street": "Teststreet", "street2": "Street2", "zip": "12345", "city": "Testcity",
                        "country": "Sverige", "phone": "0712-345678", "email": "test@developer.billmate.se"},
            "shipping": {"first_name": "Testperson", "last_name": "Approved", "company": "Company",
                         "street": "Teststreet", "street2": "Shipping Street2", "zip": "12345",
                         "city": "Testcity", "country": "Sverige", "phone": "0711-345678"},
        },
        "articles": [
            {"article_number": "A123", "title": "Article 1", "quantity": "2", "unit_price": 1234,
             "discount": "0", "without_tax": 2468, "tax_rate": "25"},
            {"article_number": "B456", "title": "Article 2", "quantity": "3.5", "unit_price": 56780,
             "discount": "10", "without_tax": 178857, "tax_rate": "25"},
        ],
        "cart": {"handling": {"without_tax": 1000, "tax_rate": "25"},
                 "shipping": {"without_tax": 3000, "tax_rate": "25"},
                 "total": {"without_tax": 185325, "tax": 46331, "rounding": 44, "with_tax": 231700}},
    }
    for path, value in changes.items():
        node = request
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return request


CREATED = {"number": "12345", "status": "Created", "orderid": "P123456789",
           "url": "https://api.billmate.se/invoice/15108/2014073149e4a4d2f2d35b24e5b0bf8c4fa5da2a"}


# -- the exact bytes and the signature ------------------------------------------------------


def test_get_address_sends_exactly_these_bytes() -> None:
    recorder = Recorder(signed({"firstname": "Testperson", "street": "Testgatan 1", "zip": "12345", "city": "Teststad"}))
    with client(recorder) as c:
        result = c.get_address({"pno": "195501011018", "country": "SE"})
    sent = recorder.requests[0]
    data = '{"pno":"195501011018","country":"SE"}'
    assert sent.content.decode() == (
        '{"credentials":{"id":"12345","hash":"' + hmac512(KEY, data) + '","version":"2.1.7",'
        '"client":"billmate_client:0.1.0","language":"sv","time":"1417004339.9291","test":"true"},'
        '"data":' + data + ',"function":"getAddress"}'
    )
    assert sent.method == "POST" and str(sent.url) == "https://api.billmate.se"
    assert sent.headers["content-type"] == "application/json"
    assert (result.street, result.zip, result.city) == ("Testgatan 1", "12345", "Teststad")


def test_the_signature_covers_the_bytes_sent_and_their_php_re_encoding() -> None:
    """Billmate may hash the raw text or re-encode what it decoded: both give the same hash."""
    recorder = Recorder(signed(CREATED))
    with client(recorder) as c:
        c.add_payment(payment(customer__billing__city="Göteborg/Öster", articles=[
            {"title": "Tröja \"XL\" 1/2", "without_tax": 178857 + 2468, "tax_rate": "25"}]))
    body = recorder.requests[0].content
    document = json.loads(body)
    sent = data_text(body)
    assert document["credentials"]["hash"] == hmac512(KEY, sent)
    assert phpjs.php_encode(document["data"]) == sent
    assert '"city":"G\\u00f6teborg\\/\\u00d6ster"' in sent
    assert '"title":"Tr\\u00f6ja \\"XL\\" 1\\/2"' in sent
    assert body.isascii()


def test_add_payment_data_is_the_documents_example() -> None:
    recorder = Recorder(signed(CREATED))
    with client(recorder) as c:
        result = c.add_payment(payment())
    sent = json.loads(recorder.requests[0].content)
    example = json.loads((SPECS / "billmate/examples/add-payment.request.json").read_text())
    # The document sends "" for what it leaves unset; the client leaves those out (ledger empty-strings).
    del example["data"]["PaymentData"]["paymentplanid"]
    for key in ("promptname", "3dsecure", "recurring", "recurringnr", "returnmethod"):
        del example["data"]["Card"][key]
    assert sent["data"] == example["data"]
    assert sent["function"] == "addPayment"
    assert (result.number, result.status) == (12345, billmate.PaymentStatus.CREATED)
    assert result.response.url == CREATED["url"]


@pytest.mark.parametrize(
    "text, php",
    [
        ("a/b", '"a\\/b"'),
        ("é", '"\\u00e9"'),
        ("ÅÄÖ åäö", '"\\u00c5\\u00c4\\u00d6 \\u00e5\\u00e4\\u00f6"'),
        ("€", '"\\u20ac"'),
        ("😀", '"\\ud83d\\ude00"'),
        ("\x7f", '"\x7f"'),
        ("\\u007f", '"\\\\u007f"'),  # a written backslash-u007f is no DEL
        ("a\x7f\\u007f/", '"a\x7f\\\\u007f\\/"'),
        ("\x01", '"\\u0001"'),
        ("\n\t\r\b\f", '"\\n\\t\\r\\b\\f"'),
        ('"\\', '"\\"\\\\"'),
        ("<>&'", "\"<>&'\""),
        ("\u2028", '"\\u2028"'),
    ],
)
def test_strings_are_encoded_as_php_json_encode_writes_them(text: str, php: str) -> None:
    """Vectors from PHP's json_encode with default flags (php.net: escapes "/", \\uXXXX for
    non-ASCII with surrogate pairs, lowercase hex; DEL is not escaped)."""
    assert phpjs.php_string(text) == php
    assert phpjs.php_encode(text) == php


# Signature vectors: data objects as Billmate sends and receives them. The expected text and hash
# come from the reference encoder in tests/support.py, not from the package.
VECTORS: list[Any] = [
    {"pno": "195501011018", "country": "SE"},
    {"pno": "550101-1018"},
    {"number": "1000235"},
    {},
    [],
    {"PaymentData": {"currency": "SEK", "language": "sv", "country": "se", "totalwithtax": "1000"}},
    {"firstname": "Åsa", "lastname": "Öberg", "city": "Göteborg", "street": "Storgatan 1 ä"},
    {"company": "Bäckström & Söner AB", "street2": "c/o Ödman"},
    {"accepturl": "https://www.mystore.se/completedpayment", "callbackurl": "https://www.mystore.se/callback.php?x=1&y=2"},
    {"url": "https://api.billmate.se/invoice/15108/2014073149e4a4d2f2d35b24e5b0bf8c4fa5da2a"},
    {"Articles": [{"artnr": "A123", "quantity": "2", "aprice": "1234"}, {"artnr": "B456", "quantity": "3.5"}]},
    {"Articles": [[], [[]], [{"a": []}]]},
    {"Cart": {"Handling": {}, "Shipping": [], "Total": {"withtax": "231700"}}},
    {"title": 'Tröja "XL" 1/2 \\ backslash'},
    {"title": "tab\there\nnewline\rreturn\bback\fform"},
    {"title": "\x00\x01\x1f control"},
    {"title": "\x7f DEL stays"},
    {"title": "€ 20ac, — dash, “quotes”"},
    {"title": "😀 outside the BMP"},
    {"title": "\u2028\u2029 line separators"},
    {"numbers-as-strings": ["0", "-1", "3.50", "1e5", "007"]},
    {"real": [1, -2, True, False, None]},
    {"empty": "", "space": " ", "slash": "/", "two": "//"},
    {"nested": {"deeper": {"deepest": {"value": "ÅÄÖåäö"}}}},
    {"serverdata": {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)", "REQUEST_TIME": 1421313644}},
]


def test_there_are_at_least_twenty_signature_vectors() -> None:
    assert len(VECTORS) >= 20


@pytest.mark.parametrize("data", VECTORS)
def test_signature_vectors_match_the_reference(data: Any) -> None:
    """The package encodes each vector as PHP does and accepts the hash computed over the
    reference encoding; a one-character change is refused."""
    expected = php_json_encode(data)
    assert phpjs.php_encode(data) == expected
    digest = hmac512(KEY, expected)
    assert phpjs.sign(KEY, expected) == digest
    assert phpjs.signature_matches(KEY, phpjs.php_encode(data), digest)
    assert not phpjs.signature_matches(KEY, phpjs.php_encode(data), hmac512(OTHER_KEY, expected))
    assert not phpjs.signature_matches(KEY, phpjs.php_encode(data) + " ", digest)
    # As an answer: the client verifies the hash made from the reference encoding.
    ctx = wire.Context(credentials=package("billmate", "_auth").Credentials(id=STORE_ID, key=KEY), test="true")
    body = json.dumps({"credentials": {"hash": digest}, "data": data}).encode()
    assert wire._answer(body, ctx, "vector") == data


@pytest.mark.parametrize(
    "operation, request_data",
    [
        ("get_address", {"pno": "195501011018", "country": "SE"}),
        ("get_payment_info", {"number": 1000235}),
        ("get_account_info", {}),
        ("get_due_payments", {"due_date": "2024-01-31"}),
        ("get_payment_plans", {"payment_data": {"currency": "SEK", "language": "sv", "country": "SE", "total_with_tax": 1000}}),
        ("get_terms", {"payment_data": {"method": "4", "payment_plan_id": 3}, "cart": {"total": {"with_tax": 10000}}}),
        ("add_payment", payment()),
        ("add_payment", payment(customer__billing__first_name="Åsa", customer__billing__city="Göteborg",
                                customer__shipping__street2="c/o Ödman", payment_data__auto_activate="2015-02-28")),
        ("add_payment", payment(payment_data__method="8", customer=None, card={"accept_url": "https://a.se/ok?x=1&y=2",
                                "cancel_url": "https://a.se/fail", "return_method": "GET", "three_d_secure": True})),
        ("cancel_payment", {"number": 1}),
        ("activate_payment", {"number": 2}),
        ("credit_payment", {"payment_data": {"number": 1, "part_credit": False}}),
        ("update_checkout", {"payment_data": {"number": 1}, "articles": [{"title": "Kaffe ÅÄÖ", "without_tax": 100, "tax_rate": "25"}],
                             "cart": {"total": {"without_tax": 100, "tax": 25, "with_tax": 125}}}),
    ],
)
def test_requests_are_signed_over_the_reference_encoding(operation: str, request_data: Any) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"code": 9011, "message": "x"}))
    with client(recorder) as c, pytest.raises(billmate.BillmateApiError):
        getattr(c, operation)(request_data)
    body = recorder.requests[0].content
    sent = data_text(body)
    assert sent == php_json_encode(json.loads(sent))  # the bytes are PHP's encoding of themselves
    assert json.loads(body)["credentials"]["hash"] == hmac512(KEY, sent)


_JSON_TEXT = st.lists(st.sampled_from(["a", "/", "\\", '"', "\x7f", "\x01", "é", "😀", "{", "}", "u007f", "1.", "e"]), max_size=6).map("".join)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=examples(300), deadline=None)
@given(_JSON_VALUES)
def test_php_encoding_fast_path_is_the_reference_encoding(value: Any) -> None:
    """php_encode takes Python's C encoder when the result is PHP's too; whatever the value,
    it must give what the reference PHP encoder in the tests gives."""
    assert phpjs.php_encode(value) == php_json_encode(value)


@settings(max_examples=examples(200), deadline=None)
@given(st.recursive(st.floats(allow_nan=False, allow_infinity=False) | _JSON_TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_TEXT, inner, max_size=3), max_leaves=10))
def test_php_encoding_with_floats_takes_the_careful_walk(value: Any) -> None:
    assert phpjs.php_encode(value) == phpjs._php_encode(value)


# -- real PHP as the oracle (issue 15): run whenever `php` is on PATH, as it is in CI -----------

requires_php = pytest.mark.skipif(PHP is None, reason="php is not on PATH (.ci/run installs Debian's php-cli)")

# Member names PHP's json_decode keeps as strings: a name that is a decimal integer ("0", "12")
# becomes an array index, and an array of indexes 0..n-1 is written back as a list.
_PHP_NAMES = _JSON_TEXT.filter(lambda name: not re.fullmatch(r"-?[0-9]+", name))
# Integers within PHP's: json_decode reads a larger one as a float.
_PHP_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats(allow_nan=False, allow_infinity=False)
    | _JSON_TEXT | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_PHP_NAMES, inner, max_size=4),
    max_leaves=20,
)


@requires_php
def test_php_itself_encodes_and_signs_every_vector_as_the_client_does() -> None:
    """PHP's json_encode of each vector (decoded by PHP from standard JSON, as Billmate's
    server does) is the client's php_encode, and hash_hmac gives the client's signature."""
    answers = php([{"json": json.dumps(v), "key": KEY} for v in VECTORS])
    for value, answer in zip(VECTORS, answers, strict=True):
        assert phpjs.php_encode(value) == answer["text"], value
        assert phpjs.sign(KEY, phpjs.php_encode(value)) == answer["hash"], value


@requires_php
@settings(max_examples=8, deadline=None)
@given(st.lists(_PHP_VALUES, min_size=40, max_size=40))
def test_php_itself_agrees_on_generated_values(values: list[Any]) -> None:
    """Many values at once through one PHP process: strings with every escape PHP treats
    specially ("/", DEL, control characters, non-BMP), nesting, empty containers, and floats
    (an answer's data is re-encoded when its text as sent does not verify: PHP writes 1e16 as
    10000000000000000, 1e-5 as 1.0e-5, -0.0 as -0, which the re-encoding got wrong before)."""
    answers = php([{"json": json.dumps(v), "key": KEY} for v in values])
    wrong = [(v, a["text"]) for v, a in zip(values, answers, strict=True) if phpjs.php_encode(v) != a["text"]]
    assert not wrong, wrong[:3]


@requires_php
@pytest.mark.parametrize("request_data", [
    payment(),
    payment(customer__billing__first_name="Åsa", customer__billing__city="Göteborg/Öster",
            articles=[{"title": "Tröja \"XL\" 1/2 \u00e9", "without_tax": 181325, "tax_rate": "25"}]),
    payment(payment_data__method="8", customer=None, card={"accept_url": "https://a.se/ok?x=1&y=2",
            "cancel_url": "https://a.se/fail", "return_method": "GET", "three_d_secure": True}),
])
def test_php_verifies_what_the_client_signs(request_data: Any) -> None:
    """What Billmate's PHP does with a request: json_decode the body, json_encode its data,
    hash_hmac it with the key and compare with the hash sent."""
    recorder = Recorder(signed(CREATED))
    with client(recorder) as c:
        c.add_payment(request_data)
    body = recorder.requests[0].content.decode()
    good, forged = php([{"body": body, "key": KEY}, {"body": body, "key": OTHER_KEY}])
    assert good["verifies"] is True and forged["verifies"] is False


@requires_php
def test_the_client_verifies_what_php_signs() -> None:
    """An answer made by PHP (json_encode of the whole document, the hash over json_encode of
    its data) verifies, for data with escapes and non-ASCII text."""
    answers = [CREATED, {**CREATED, "orderid": "Ö/1 \x7f 😀", "url": "https://a.se/x?y=1&z=2"}]
    for data, made in zip(answers, php([{"answer": json.dumps(a), "key": KEY} for a in answers]), strict=True):
        with client(Recorder(raw(made["signed"]))) as c:
            assert c.add_payment(payment()).response.order_id == data.get("orderid")


@pytest.mark.parametrize("value, php_text", [
    (1e16, "10000000000000000"), (1e17, "1.0e+17"), (1.5e17, "1.5e+17"), (0.0001, "0.0001"), (1e-05, "1.0e-5"),
    (1.25e-7, "1.25e-7"), (-0.0, "-0"), (0.0, "0"), (100.0, "100"), (0.5, "0.5"), (123.456, "123.456"),
    (1.2345678901234568e17, "1.2345678901234568e+17"), (1.5e300, "1.5e+300"), (-2.5e-10, "-2.5e-10"),
])
def test_floats_are_written_as_php_writes_them(value: float, php_text: str) -> None:
    """Vectors from PHP 8.2's json_encode (serialize_precision -1)."""
    assert phpjs.php_float(value) == php_text
    assert phpjs.php_encode([value]) == f"[{php_text}]"


def test_php_encoding_of_containers() -> None:
    assert phpjs.php_encode({}) == "[]"
    assert phpjs.php_encode([]) == "[]"
    assert phpjs.php_encode({"a": [1, "2", None, True, False], "b": {}}) == '{"a":[1,"2",null,true,false],"b":[]}'
    assert phpjs.php_encode({"x": 1.5, "y": 10.0}) == '{"x":1.5,"y":10}'


def test_get_account_info_sends_and_signs_an_empty_data_member() -> None:
    recorder = Recorder(signed({"company": "Billmate AB", "paymentoptions": [{"method": "1", "currency": "SEK", "language": "sv"}]}))
    with client(recorder) as c:
        result = c.get_account_info({})
    body = recorder.requests[0].content
    assert data_text(body) == "[]"
    assert json.loads(body)["credentials"]["hash"] == hmac512(KEY, "[]")
    assert result.company == "Billmate AB"
    assert result.payment_options[0].method is billmate.PaymentMethod.FACTORING


def test_production_sends_test_false_and_serverdata_when_given() -> None:
    recorder = Recorder(signed({"street": "s", "zip": "1", "city": "c"}))
    with client(recorder, environment="production", serverdata={"HTTP_USER_AGENT": "Mozilla/5.0"}, language="en",
                client_name="Shop:Plugin:2.0") as c:
        c.get_address({"pno": "195501011018"})
    credentials = json.loads(recorder.requests[0].content)["credentials"]
    assert credentials["test"] == "false"
    assert credentials["language"] == "en"
    assert credentials["client"] == "Shop:Plugin:2.0"
    assert credentials["serverdata"] == {"HTTP_USER_AGENT": "Mozilla/5.0"}
    assert b'"Mozilla\\/5.0"' in recorder.requests[0].content


def test_the_key_is_never_sent_nor_shown() -> None:
    recorder = Recorder(raw('{"code": 9013, "message": "Authentication is failed."}'))
    with client(recorder) as c, pytest.raises(billmate.GetAddressError) as caught:
        c.get_address({"pno": "195501011018"})
    assert KEY.encode() not in recorder.requests[0].content
    for text in (repr(c), str(c.__dict__), str(caught.value), repr(caught.value)):
        assert KEY not in text
    assert "key=" not in repr(c) or "***" in repr(c)


# -- answers: verified, typed, and refused when forged -------------------------------------


def test_answers_with_a_wrong_signature_are_refused() -> None:
    forged = signed(CREATED, key=OTHER_KEY)
    with client(Recorder(forged)) as c, pytest.raises(billmate.BillmateSignatureError) as caught:
        c.add_payment(payment())
    assert isinstance(caught.value, billmate.BillmateResponseError)
    assert KEY not in str(caught.value) and OTHER_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        # tampered data, signature of the original
        '{"credentials":{"hash":"' + hmac512(KEY, phpjs.php_encode(CREATED)) + '"},"data":'
        + phpjs.php_encode({**CREATED, "status": "Paid"}) + "}",
        # no hash, empty hash, hash of another type
        '{"credentials":{},"data":' + phpjs.php_encode(CREATED) + "}",
        '{"credentials":{"hash":""},"data":' + phpjs.php_encode(CREATED) + "}",
        '{"credentials":{"hash":12},"data":' + phpjs.php_encode(CREATED) + "}",
        '{"data":' + phpjs.php_encode(CREATED) + "}",
        # non-ASCII in the hash (hmac.compare_digest raised TypeError on it; found by fuzzing)
        '{"credentials":{"hash":"\u0080' + hmac512(KEY, phpjs.php_encode(CREATED))[1:] + '"},"data":' + phpjs.php_encode(CREATED) + "}",
    ],
    ids=["tampered", "no-hash", "empty-hash", "number-hash", "no-credentials", "non-ascii-hash"],
)
def test_unverifiable_answers_are_refused(body: str) -> None:
    with client(Recorder(raw(body))) as c, pytest.raises(billmate.BillmateSignatureError):
        c.add_payment(payment())


def test_verification_is_over_the_decoded_data_not_the_layout() -> None:
    """A pretty-printed answer with unescaped "/" and UTF-8 verifies: Billmate's own class
    re-encodes the decoded data before hashing, and so does the client."""
    data = {**CREATED, "orderid": "Ö/1"}
    text = json.dumps({"credentials": {"hash": hmac512(KEY, phpjs.php_encode(data)).upper()}, "data": data},
                      indent=4, ensure_ascii=False)
    with client(Recorder(raw(text))) as c:
        result = c.add_payment(payment())
    assert result.response.order_id == "Ö/1"


def test_verification_is_over_the_text_as_sent_when_php_would_write_it_otherwise() -> None:
    """A server that signs and sends its own compact encoding (here "/" and "Ö" unescaped, as
    json_encode does with JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) verifies: the
    signature is checked over the member's text as sent before any re-encoding."""
    data = {**CREATED, "orderid": "Ö/1"}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    assert text != phpjs.php_encode(data)
    body = '{"credentials":{"hash":"' + hmac512(KEY, text) + '"},"data":' + text + "}"
    with client(Recorder(raw(body.encode()))) as c:
        assert c.add_payment(payment()).response.order_id == "Ö/1"


def test_a_second_data_member_is_what_the_signature_must_cover() -> None:
    """json.loads keeps the last of two members with one name, so the signature must cover the
    last: a signed first `data` beside a forged second one is refused."""
    good, forged = phpjs.php_encode(CREATED), phpjs.php_encode({**CREATED, "status": "Paid"})
    body = '{"data":' + good + ',"credentials":{"hash":"' + hmac512(KEY, good) + '"},"data":' + forged + "}"
    with client(Recorder(raw(body))) as c, pytest.raises(billmate.BillmateSignatureError):
        c.add_payment(payment())
    body = '{"data":' + forged + ',"credentials":{"hash":"' + hmac512(KEY, good) + '"},"data":' + good + "}"
    with client(Recorder(raw(body))) as c:
        assert c.add_payment(payment()).response.status.value == "Created"


@pytest.mark.parametrize(
    "text",
    [
        '{"credentials":{"hash":"ab"},"data":{"a":"1","b":[1,2,{"c":null}]}}',
        '{"data":[],"credentials":{"hash":"ab"}}',
        '{"data":"x\\"}',
        '{"a":1,"a":2,"data":{}}',
        '{}',
        ' {"data":{}}',
        '{"data" : {}}',
        '{"data":{}} ',
        '{"data":{}}x',
        '{"data":{},}',
        '{"data":{}',
        '[{"data":{}}]',
        '"data"',
        '{"data":NaN}',
        "",
    ],
)
def test_the_member_reader_agrees_with_loads(text: str) -> None:
    """`loads_member` parses exactly as `loads` does (same value, same error), and the text it
    gives for the member, when it gives one, is the text that value was read from."""
    body = text.encode()
    try:
        expected: Any = js.loads(body)
    except js.JsonError as exc:
        with pytest.raises(js.JsonError) as caught:
            phpjs.loads_member(body, "data")
        assert str(caught.value) == str(exc)
        return
    document, member = phpjs.loads_member(body, "data")
    assert document == expected and type(document) is type(expected)
    if member is not None:
        assert isinstance(expected, dict) and json.loads(member) == expected["data"]
        assert text.startswith("{") and " " not in text  # only PHP's compact layout is read so


def test_verification_can_be_turned_off_on_purpose() -> None:
    with client(Recorder(signed(CREATED, key=OTHER_KEY)), verify_signatures=False) as c:
        assert c.add_payment(payment()).number == 12345


def test_signed_answers_of_every_operation_decode() -> None:
    """Each operation's own encoder (used by mock servers) signs answers the client accepts."""
    ctx = wire.Context(credentials=package("billmate", "_auth").Credentials(id=STORE_ID, key=KEY), test="true")
    from support import decode_example

    for op in service("billmate").operations:
        ex = next((e for e in op.examples if e.response), None)
        if ex is None:
            continue
        response = decode_example("billmate", op, ex, "response")
        body = getattr(wire, f"encode_{op.name}_response")(response, ctx)
        assert getattr(wire, f"decode_{op.name}_response")(body, ctx) == response


def test_due_payments_and_plans_are_lists() -> None:
    due = [{"number": "1000", "orderid": "1", "invoiceDate": "2024-01-02", "invoiceStatus": "Due",
            "dueDate": "2024-02-01", "topay": "200.50"}]
    with client(Recorder(signed(due), signed([]))) as c:
        listed = c.get_due_payments({})
        assert listed.due_payments[0].to_pay == Decimal("200.50")
        assert listed.due_payments[0].invoice_status is billmate.DueStatus.DUE
        assert c.get_due_payments({"due_date": "2024-01-01"}).due_payments == []


TERMS = {"payment_data": {"method": "1"}, "cart": {"total": {"with_tax": 10000}}}


@pytest.mark.parametrize(
    "answer",
    [
        raw("<h1>Köpvillkor</h1><p>30 dagar</p>", content_type="text/html; charset=utf-8"),
        raw("\n  <h1>Köpvillkor</h1><p>30 dagar</p>", content_type="text/html"),
        signed("<h1>Köpvillkor</h1><p>30 dagar</p>"),
        signed({"terms": "<h1>Köpvillkor</h1><p>30 dagar</p>"}),
    ],
    ids=["bare-html", "bare-html-leading-space", "signed-string", "signed-terms-member"],
)
def test_get_terms_reads_each_form_of_the_answer(answer: httpx.Response) -> None:
    """Ledger terms-rendered-text: bare HTML (as the official PHP class passes it through), or a
    signed JSON answer whose data is the HTML or {"terms": html}."""
    with client(Recorder(answer)) as c:
        result = c.get_terms(TERMS)
    assert result.terms.strip() == "<h1>Köpvillkor</h1><p>30 dagar</p>"


@pytest.mark.parametrize(
    "answer, error",
    [
        (raw(""), "empty"),
        (raw(b"\xff<html>"), "not UTF-8"),
        (signed("<h1>x</h1>", key=OTHER_KEY), "does not verify"),
        (raw('{"code": 9001, "message": "no"}'), "code 9001"),
    ],
    ids=["empty", "not-utf8", "forged-json", "error-code"],
)
def test_get_terms_still_refuses_bad_answers(answer: httpx.Response, error: str) -> None:
    with client(Recorder(answer)) as c, pytest.raises(billmate.BillmateError, match=error):
        c.get_terms(TERMS)


def test_empty_strings_in_answers_mean_absent_except_for_text() -> None:
    info = {"PaymentData": {"method": "1", "paymentplanid": "", "currency": "SEK", "status": "Paid",
                            "orderid": "1", "url": ""},
            "Card": {"promptname": "", "recurringnr": "", "returnmethod": ""},
            "Articles": [{"artnr": "", "withouttax": "100", "taxrate": "25"}],
            "Cart": {"Total": {"withtax": "125"}}}
    with client(Recorder(signed(info))) as c:
        result = c.get_payment_info({"number": 1})
    assert result.payment_data.payment_plan_id is None
    assert result.payment_data.url == ""
    assert result.response.card.recurring_number is None
    assert result.articles[0].article_number == ""


def test_unknown_members_of_answers_are_ignored() -> None:
    with client(Recorder(signed({**CREATED, "newfield": {"x": 1}}))) as c:
        assert c.add_payment(payment()).number == 12345


# -- errors: both forms, every documented code ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"code": 9011, "message": "Invalid credentials."}',
        '{"code": "9011", "message": "Invalid credentials."}',
        '{"credentials": {"hash": "x"}, "data": {"code": "9011", "message": "Invalid credentials."}}',
        '{"credentials": [], "data": {"code": 9011, "message": "Invalid credentials."}}',
    ],
    ids=["top-int", "top-string", "in-data", "in-data-int"],
)
def test_error_answers_in_either_documented_form(body: str) -> None:
    with client(Recorder(raw(body))) as c, pytest.raises(billmate.AddPaymentError) as caught:
        c.add_payment(payment())
    error = caught.value
    assert error.code == "9011"
    assert error.error is billmate.BillmateErrorCode.CREDENTIALS_INVALID
    assert error.message == "Invalid credentials."
    assert error.documented


@pytest.mark.parametrize("code", [c.code for c in service("billmate").error_table("billmate").codes])
def test_every_documented_code_raises_its_member(code: str) -> None:
    table = service("billmate").error_table("billmate")
    entry = next(c for c in table.codes if c.code == code)
    body = json.dumps({"code": int(code), "message": "Servern säger nej"})
    with client(Recorder(raw(body))) as c, pytest.raises(billmate.CancelPaymentError) as caught:
        c.cancel_payment({"number": 1})
    assert caught.value.error is not None and caught.value.error.value == code
    assert caught.value.error.name == entry.name.upper()
    assert caught.value.documented_message == entry.message
    assert "Servern säger nej" in str(caught.value)


def test_an_undocumented_code_still_raises_the_operation_error() -> None:
    with client(Recorder(raw('{"code": 424242, "message": "Nytt fel"}'))) as c, pytest.raises(billmate.GetTermsError) as caught:
        c.get_terms({"payment_data": {"method": "1"}, "cart": {"total": {"with_tax": 1}}})
    assert caught.value.code == "424242" and caught.value.error is None
    assert "undocumented" in str(caught.value)


# -- hostile and broken answers -------------------------------------------------------------


@pytest.mark.parametrize(
    "response, expected",
    [
        (raw("<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"), "not well-formed"),
        (raw('{"credentials":{"hash":"ab"},"data":{"number":"1"'), "not well-formed"),
        (raw(""), "not well-formed"),
        (raw(b"\xff\xfe{}"), "not UTF-8"),
        (raw('{"data": NaN}'), "not JSON"),
        (raw('{"data": Infinity}'), "not JSON"),
        (raw("[" * 100000 + "]" * 100000), "nesting too deep"),
        (raw('{"data":' + "[" * 40 + "]" * 40 + "}"), "nesting too deep"),
        (raw('{"data": 1' + "0" * 5000 + "}"), "not well-formed"),
        (raw("[1, 2]"), "expected a JSON object"),
        (raw('{"credentials": {}}'), "neither data nor an error code"),
    ],
    ids=["html", "truncated", "empty", "not-utf8", "nan", "infinity", "deep-array", "deep-data", "huge-number",
         "array", "no-data"],
)
def test_hostile_answers_get_a_typed_error(response: httpx.Response, expected: str) -> None:
    with client(Recorder(response)) as c, pytest.raises(billmate.BillmateResponseError) as caught:
        c.cancel_payment({"number": 1})
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    "data, where",
    [
        ({"number": "12x", "status": "Cancelled"}, "number"),
        ({"number": "1", "status": ["Cancelled"]}, "status"),
        ({"status": "Cancelled"}, "number"),
        ("just text", "expected an object"),
    ],
)
def test_answers_of_the_wrong_shape_name_the_member(data: Any, where: str) -> None:
    with client(Recorder(signed(data))) as c, pytest.raises(billmate.BillmateResponseError) as caught:
        c.cancel_payment({"number": 1})
    assert where in str(caught.value)


def test_oversized_answers_are_cut_off() -> None:
    big = signed({**CREATED, "orderid": "x" * 5000})
    with client(Recorder(big), max_response_bytes=1000) as c, pytest.raises(billmate.BillmateResponseError):
        c.add_payment(payment())


def test_http_errors_are_typed() -> None:
    with client(Recorder(raw("Service Unavailable", status=503, content_type="text/plain"))) as c:
        with pytest.raises(billmate.BillmateHTTPStatusError) as caught:
            c.cancel_payment({"number": 1})
    assert caught.value.status_code == 503


def test_connection_failures_are_typed_and_not_retried_after_sending() -> None:
    recorder = Recorder(httpx.ReadError("connection reset"))
    with client(recorder) as c, pytest.raises(billmate.BillmateTransportError):
        c.add_payment(payment())
    assert len(recorder.requests) == 1  # addPayment is not idempotent: never resent blindly


# -- bad requests are refused before sending ------------------------------------------------


def _refused(operation: str, request: Any) -> Any:
    recorder = Recorder(signed(CREATED))
    with client(recorder) as c, pytest.raises(billmate.BillmateRequestValidationError) as caught:
        getattr(c, operation)(request)
    assert recorder.requests == []  # nothing went on the wire
    return caught.value


@pytest.mark.parametrize(
    "request_data, path, rule",
    [
        (payment(customer__billing__first_name="Łukasz"), "Customer.Billing.firstname", "string_pattern_mismatch"),
        (payment(customer__billing__first_name="Anna "), "Customer.Billing.firstname", "string_pattern_mismatch"),
        (payment(articles=[{"title": "Mug ☕", "without_tax": 181325, "tax_rate": "25"}]), "Articles[0].title", "string_pattern_mismatch"),
        (payment(cart__total__with_tax=231701), "Cart.Total.withtax", "sum"),
        (payment(cart__handling=None), "Cart.Total.withouttax", "sum"),
        (payment(articles=[{"without_tax": 12.5, "tax_rate": "25"}]), "Articles[0].withouttax", "money_minor"),
        (payment(articles=[{"without_tax": 20.0, "tax_rate": "25"}]), "Articles[0].withouttax", "money_minor"),
        (payment(articles=[{"without_tax": Decimal("12.5"), "tax_rate": "25"}]), "Articles[0].withouttax", "money_minor"),
        (payment(articles=[{"without_tax": "1813.25", "tax_rate": "25"}]), "Articles[0].withouttax", "money_minor"),
        (payment(articles=[]), "Articles", "too_short"),
        (payment(customer__billing__first_name=None), "Customer.Billing.firstname", "required_when"),
        (payment(customer__billing__city=None), "Customer.Billing.city", "required_when"),
        (payment(customer__shipping__zip=None), "Customer.Shipping.zip", "required_when"),
        (payment(payment_data__method="4", payment_data__payment_plan_id=1, customer__billing__last_name=None),
         "Customer.Billing.lastname", "required_when"),
        (payment(payment_data__method="4"), "PaymentData.paymentplanid", "required_when"),
        (payment(payment_data__method="4", payment_data__payment_plan_id=1, payment_data__currency="EUR"), "PaymentData.currency", "pattern_when"),
        (payment(customer__pno=None), "Customer.pno", "required_when"),
        (payment(customer=None), "Customer", "required_when"),
        (payment(customer__billing__email=None), "Customer.Billing.email", "required_when"),
        (payment(payment_data__country="se"), "PaymentData.country", "string_pattern_mismatch"),
        (payment(payment_data__method="3"), "PaymentData.method", "enum"),
        (payment(card__accept_url="javascript:alert(1)"), "Card.accepturl", "string_pattern_mismatch"),
        (payment(payment_data__order_id=None), "PaymentData.orderid", "missing"),
        (payment(extra_member=1), "extra_member", "extra_forbidden"),
    ],
)
def test_bad_add_payments_are_refused_with_path_and_rule(request_data: Any, path: str, rule: str) -> None:
    error = _refused("add_payment", request_data)
    assert (path, rule) in {(i.path, i.rule) for i in error.issues}, error.issues
    assert path in str(error)


def test_address_fields_are_only_demanded_for_factoring_and_part_payment() -> None:
    """Card (8) needs neither Billing nor its names; invoice by e-mail (2) needs no zip."""
    with client(Recorder(signed(CREATED))) as c:
        c.add_payment(payment(payment_data__method="8", customer=None))
        c.add_payment(payment(payment_data__method="2", customer__billing__zip=None, customer__shipping=None))


def test_amounts_computed_as_decimal_are_taken_when_whole() -> None:
    request = payment(articles=[{"without_tax": Decimal("181325.00"), "tax_rate": "25"}])
    recorder = Recorder(signed(CREATED))
    with client(recorder) as c:
        c.add_payment(request)
    assert json.loads(recorder.requests[0].content)["data"]["Articles"] == [{"withouttax": "181325", "taxrate": "25"}]


def test_card_payments_need_no_customer() -> None:
    card = payment(payment_data__method="8", customer=None)
    with client(Recorder(signed({**CREATED, "status": "Created", "url": "https://cardpay.billmate.se/x"}))) as c:
        result = c.add_payment(card)
    assert result.response.url.startswith("https://cardpay")


def test_rule_violations_carry_the_providers_code() -> None:
    error = _refused("add_payment", payment(cart__total__with_tax=1))
    issue = next(i for i in error.issues if i.rule == "sum")
    assert (issue.path, issue.code) == ("Cart.Total.withtax", "9107")
    assert "expected 231700, found 1" in str(issue)


def test_sums_are_checked_on_credits_and_checkout_updates() -> None:
    articles = [{"without_tax": 100, "tax_rate": "25"}]
    cart = {"total": {"without_tax": 100, "tax": 25, "with_tax": 126}}
    _refused("credit_payment", {"payment_data": {"number": 1}, "articles": articles, "cart": cart})
    _refused("update_checkout", {"payment_data": {"number": 1}, "articles": articles, "cart": cart})
    cart["total"]["with_tax"] = 125
    with client(Recorder(signed({"number": "1", "status": "Credited"}))) as c:
        assert c.credit_payment({"payment_data": {"number": 1, "part_credit": True}, "articles": articles, "cart": cart}).number == 1


# -- callbacks ------------------------------------------------------------------------------


NOTICE = {"number": "1234", "status": "Paid", "orderid": "P1", "url": "https://api.billmate.se/invoice/1/abc"}


def _callback_body(data: Any, key: str = KEY) -> bytes:
    return json.dumps({"credentials": {"hash": hmac512(key, phpjs.php_encode(data))}, "data": data}).encode()


def test_a_status_the_document_does_not_list_is_kept_in_answers_and_callbacks() -> None:
    notice = callbacks.parse_payment_callback(_callback_body({**NOTICE, "status": "Exploded"}), KEY)
    assert notice.status == "Exploded"
    with client(Recorder(signed({**CREATED, "status": "Handled2027"}))) as c:
        assert c.add_payment(payment()).status == "Handled2027"


def test_callback_is_verified_and_typed() -> None:
    notice = callbacks.parse_payment_callback(_callback_body(NOTICE), KEY)
    assert (notice.number, notice.status, notice.order_id) == (1234, billmate.PaymentStatus.PAID, "P1")


@pytest.mark.parametrize(
    "body, error",
    [
        (_callback_body(NOTICE, key=OTHER_KEY), "BillmateSignatureError"),
        (b"number=1234&status=Paid", "BillmateCallbackError"),
        (b'{"credentials": {}}', "BillmateCallbackError"),
        (b"<html></html>", "BillmateCallbackError"),
    ],
    ids=["forged", "form-body", "no-data", "html"],
)
def test_bad_callbacks_are_refused(body: bytes, error: str) -> None:
    with pytest.raises(getattr(billmate, error)):
        callbacks.parse_payment_callback(body, KEY)


def test_tampered_callback_is_refused() -> None:
    document = json.loads(_callback_body(NOTICE))
    document["data"]["status"] = "Paid" if NOTICE["status"] != "Paid" else "Created"
    with pytest.raises(billmate.BillmateSignatureError):
        callbacks.parse_payment_callback(json.dumps(document), KEY)


def test_callbacks_signed_over_the_text_as_sent_verify() -> None:
    """A callback whose data a server signed in its own compact encoding ("/" and "Ö"
    unescaped) verifies over that text, in a raw body and in a form field; the same text with
    a changed value does not."""
    notice = {**NOTICE, "orderid": "Ö/1"}
    text = json.dumps(notice, separators=(",", ":"), ensure_ascii=False)
    assert text != phpjs.php_encode(notice)
    body = '{"credentials":{"hash":"' + hmac512(KEY, text) + '"},"data":' + text + "}"
    assert callbacks.parse_payment_callback(body.encode(), KEY).order_id == "Ö/1"
    fields = {"credentials": json.dumps({"hash": hmac512(KEY, text)}), "data": text}
    assert callbacks.parse_accept_redirect(fields, KEY).order_id == "Ö/1"
    with pytest.raises(billmate.BillmateSignatureError):
        callbacks.parse_accept_redirect({**fields, "data": text.replace("Ö/1", "Ö/2")}, KEY)
    with pytest.raises(billmate.BillmateSignatureError):
        callbacks.parse_payment_callback(body.replace("Ö/1", "Ö/2").encode(), KEY)


def test_accept_redirect_reads_form_fields_and_query_strings() -> None:
    fields = {"credentials": json.dumps({"hash": hmac512(KEY, phpjs.php_encode(NOTICE))}), "data": json.dumps(NOTICE)}
    by_post = callbacks.parse_accept_redirect(fields, KEY)
    by_get = callbacks.parse_accept_redirect("?" + urlencode(fields), KEY)
    assert by_post == by_get
    assert by_post.status is billmate.PaymentStatus.PAID
    cancelled = {**NOTICE, "status": "Cancelled", "url": ""}
    fields = {"credentials": json.dumps({"hash": hmac512(KEY, phpjs.php_encode(cancelled))}), "data": json.dumps(cancelled)}
    assert callbacks.parse_cancel_redirect(fields, KEY).status is billmate.PaymentStatus.CANCELLED
    with pytest.raises(billmate.BillmateCallbackError, match="'data'"):
        callbacks.parse_accept_redirect({"credentials": fields["credentials"]}, KEY)
    with pytest.raises(billmate.BillmateCallbackError, match="not JSON"):
        callbacks.parse_accept_redirect({"credentials": "{", "data": "{}"}, KEY)


# -- logging and async ----------------------------------------------------------------------


def test_nothing_secret_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with client(Recorder(signed(CREATED, key=OTHER_KEY))) as c, pytest.raises(billmate.BillmateSignatureError):
        c.add_payment(payment())
    assert KEY not in caplog.text


async def test_async_client_signs_and_verifies() -> None:
    recorder = Recorder(signed(CREATED))
    async with billmate.AsyncBillmateClient(
        STORE_ID, KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)), clock=lambda: CLOCK
    ) as c:
        result = await c.add_payment(payment())
    assert result.number == 12345
    body = recorder.requests[0].content
    assert json.loads(body)["credentials"]["hash"] == hmac512(KEY, data_text(body))


# -- nothing that breaks the hash is signed; answers are read for types (issue 15) -------------


@pytest.mark.parametrize(
    "request_data, path",
    [
        (payment(card={"accept_url": "https://shop.example/ok/\U0001f600", "cancel_url": "https://shop.example/no",
                       "callback_url": "https://shop.example/cb"}), "Card.accepturl"),
        (payment(customer__billing__email="anna@\u0141\u00f3d\u017a.pl"), "Customer.Billing.email"),
    ],
)
def test_text_outside_ascii_in_addresses_is_refused_before_signing(request_data: Any, path: str) -> None:
    """The server converts data to ISO-8859-1: a URL or address with other characters would be
    signed, sent and fail the hash. URLs and e-mail addresses are ASCII (percent-encode a URL)."""
    error = _refused("add_payment", request_data)
    assert path in {i.path for i in error.issues}, error.issues


def test_init_checkout_terms_url_outside_ascii_is_refused() -> None:
    data = {"CheckoutData": {"terms": "https://shop.example/\u0141\u00f3d\u017a/villkor"}, "PaymentData": {"currency": "SEK",
            "language": "sv", "country": "SE", "orderid": "1"}}
    error = _refused("init_checkout", data)
    assert "CheckoutData.terms" in {i.path for i in error.issues}, error.issues


def test_answers_read_addresses_and_codes_as_text() -> None:
    """An empty e-mail, a lowercase country (Billmate answers "se") are kept, not a reason to
    lose the whole answer."""
    recorder = Recorder(signed({"firstname": "Testperson", "street": "Testgatan 1", "zip": "12345", "city": "Teststad",
                                "country": "se", "email": ""}))
    with client(recorder) as c:
        result = c.get_address({"pno": "195501011018", "country": "SE"})
    assert (result.response.country, result.response.email) == ("se", "")


def test_answers_keep_the_documents_types_and_presence() -> None:
    """getPaymentinfo's article and charge amounts are dec in the document (1/100 of the
    currency, with a point): "1234.50" is read exactly. Fields the document does not promise
    (PaymentData, Cart, getAddress street / zip / city) may be missing."""
    info = {"Articles": [{"artnr": "A", "aprice": "1234.50", "withouttax": "2469.00", "taxrate": "25"}],
            "Cart": {"Handling": {"withouttax": "99.5", "taxrate": "25"}, "Total": {"withtax": "3210"}}}
    with client(Recorder(signed(info))) as c:
        result = c.get_payment_info({"number": 1})
    article = result.articles[0]
    assert (article.unit_price, article.without_tax) == (Decimal("1234.50"), Decimal("2469.00"))
    assert result.response.cart.handling.without_tax == Decimal("99.5")
    assert result.payment_data is None
    with client(Recorder(signed({"firstname": "Testperson"}))) as c:
        address = c.get_address({"pno": "195501011018", "country": "SE"})
    assert (address.street, address.zip, address.city) == (None, None, None)


def test_a_cancel_redirect_with_an_error_tells_the_shop_why() -> None:
    """The cancelurl gets "error message and code as for addPayment" (the tables): a notice
    with code and message, not a crash."""
    failed = {"code": "2401", "message": "Betalningen avbröts"}
    fields = {"credentials": json.dumps({"hash": hmac512(KEY, phpjs.php_encode(failed))}), "data": json.dumps(failed)}
    notice = callbacks.parse_cancel_redirect(fields, KEY)
    assert (notice.code, notice.message, notice.number, notice.status) == ("2401", "Betalningen avbröts", None, None)


def test_made_callbacks_round_trip_through_their_parsers() -> None:
    """make_<callback> signs as Billmate does (HMAC-SHA512 over PHP's JSON of data): each
    parse_<callback> accepts what it makes, and refuses it under another key."""
    notice = {**NOTICE, "orderid": "Ö/1"}
    body = callbacks.make_payment_callback(notice, KEY)
    assert json.loads(body)["credentials"]["hash"] == hmac512(KEY, phpjs.php_encode(notice))
    assert callbacks.parse_payment_callback(body, KEY) == callbacks.parse_payment_callback(_callback_body(notice), KEY)
    assert callbacks.parse_payment_callback(body, KEY).order_id == "Ö/1"
    accepted = callbacks.make_accept_redirect(notice, KEY)
    assert callbacks.parse_accept_redirect(accepted, KEY).status is billmate.PaymentStatus.PAID
    cancelled = callbacks.make_cancel_redirect({**NOTICE, "status": "Cancelled", "url": ""}, KEY)
    assert callbacks.parse_cancel_redirect(cancelled, KEY).status is billmate.PaymentStatus.CANCELLED
    with pytest.raises(billmate.BillmateSignatureError):
        callbacks.parse_payment_callback(callbacks.make_payment_callback(notice, OTHER_KEY), KEY)
    with pytest.raises(billmate.BillmateSignatureError):
        callbacks.parse_accept_redirect(callbacks.make_accept_redirect(notice, OTHER_KEY), KEY)
