"""The spec diff classes each edit of a corpus as expected.

Every case copies one provider's specs, applies its edits, builds both trees with
`lint_provider` and compares them with `diff_services`, in-process (no git). A case lists every
change it expects as (class, what); the report must hold exactly those.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import ir
from generator.diff import diff_services, highest
from generator.lint import lint_provider
from generator.versions import BREAKING_CONSUMER as BC
from generator.versions import BREAKING_WIRE as BW
from generator.versions import CLASSES
from generator.versions import COMPATIBLE as OK
from generator.versions import DOCS
from support import PROVIDERS, ROOT, SPECS, service

PROTOCOLS = {"billink": "xml", "billit": "rest-json", "billmate": "json", "inkassogram": "xml"}


@dataclass(frozen=True)
class Case:
    id: str
    provider: str
    edits: tuple[tuple[str, str, str | None], ...]  # (file, old text, new text); None deletes the file
    expect: frozenset[tuple[str, str]]


def case(id: str, provider: str, edits: list[tuple[str, str, str | None]], *expect: tuple[str, str]) -> Case:
    return Case(id, provider, tuple(edits), frozenset(expect))


CASES = [
    # ---- Billink (xml) ----------------------------------------------------------------------------
    case("bk-new-required-when", "billink",
         [("operations/check.yaml", "{use: INITIALS, description:", "{use: INITIALS, required_when: {TYPE: P}, description:")],
         (BC, "CheckRequest rule required_when INITIALS")),
    case("bk-optional-to-required", "billink",
         [("operations/check.yaml", "{use: INITIALS, description:", "{use: INITIALS, required: true, description:")],
         (BC, "CheckRequest.INITIALS")),
    case("bk-required-to-optional", "billink",
         [("operations/check.yaml", "{use: STREET, required: true, ledger: check-optional-fields}", "{use: STREET, ledger: check-optional-fields}")],
         (OK, "CheckRequest.STREET")),
    case("bk-request-field-removed", "billink",
         [("operations/check.yaml", "    - {use: DELIVERYCITY}\n", "")],
         (BC, "CheckRequest.DELIVERYCITY")),
    case("bk-optional-field-added", "billink",
         [("operations/check.yaml", "    - {use: DELIVERYCITY}\n", "    - {use: DELIVERYCITY}\n    - {wire: REMARK, name: remark, type: string}\n")],
         (OK, "CheckRequest.REMARK")),
    case("bk-required-field-added", "billink",
         [("operations/check.yaml", "    - {use: DELIVERYCITY}\n", "    - {use: DELIVERYCITY}\n    - {wire: REMARK, name: remark, type: string, required: true}\n")],
         (BC, "CheckRequest.REMARK")),
    case("bk-python-name-changed", "billink",
         [("operations/check.yaml", "{wire: ORDERAMOUNT, name: order_amount,", "{wire: ORDERAMOUNT, name: total_amount,")],
         (BC, "CheckRequest.ORDERAMOUNT")),
    case("bk-wire-name-changed", "billink",
         [("operations/check.yaml", "{wire: ORDERAMOUNT, name: order_amount,", "{wire: ORDER_AMOUNT, name: order_amount,")],
         (BW, "CheckRequest.ORDERAMOUNT")),
    case("bk-element-order", "billink",
         [("operations/check.yaml", "    - {use: FIRSTNAME, required: true, codes: {missing: \"412\"}}\n    - {use: LASTNAME, required: true, codes: {missing: \"410\"}}\n",
           "    - {use: LASTNAME, required: true, codes: {missing: \"410\"}}\n    - {use: FIRSTNAME, required: true, codes: {missing: \"412\"}}\n")],
         (BW, "CheckRequest")),
    case("bk-date-format-in-library", "billink",
         [("fields.yaml", "    type: date\n    format: DD-MM-YYYY\n", "    type: date\n    format: YYYY-MM-DD\n")],
         (BW, "library field BIRTHDATE (in CheckRequest, OrderRequest)")),
    case("bk-enum-wire-value-python-name-kept", "billink",
         [("fields.yaml", "{wire: V, name: female,", "{wire: F, name: female,")],
         (BW, "enum Sex value female")),
    case("bk-enum-python-name-wire-kept", "billink",
         [("fields.yaml", "{wire: V, name: female,", "{wire: V, name: woman,")],
         (BC, "enum Sex value 'V'")),
    case("bk-enum-value-added", "billink",
         [("fields.yaml", "      - {wire: GBP, name: gbp}\n", "      - {wire: GBP, name: gbp}\n      - {wire: SEK, name: sek}\n")],
         (OK, "enum Currency value 'SEK'")),
    case("bk-enum-value-removed", "billink",
         [("fields.yaml", "      - {wire: GBP, name: gbp}\n", "")],
         (BC, "enum Currency value 'GBP'")),
    case("bk-error-code-in-shared-table", "billink",
         [("errors.yaml", "", "      - {code: \"604\", name: busy, message: Try again later.}\n")],  # appended: the last table
         (OK, "error table common code 604")),
    case("bk-error-code-renamed", "billink",
         [("errors.yaml", "{code: \"422\", name: minimum_age,", "{code: \"422\", name: under_age,")],
         (BC, "error table check code 422")),
    case("bk-outcome-turned-into-error", "billink",
         [("operations/check.yaml", "  - {code: \"501\", name: rejected, description: 'Consumer has been rejected (\"Advies=0\").'}\n", ""),
          ("operations/check.yaml", "    outcome: rejected\n", "    error: \"501\"\n"),
          ("errors.yaml", "message: Consumer has been rejected., outcome: rejected}", "message: Consumer has been rejected.}")],
         (BC, "check outcome rejected (501)"), (DOCS, "error table check code 501"), (DOCS, "check example rejection")),
    case("bk-result-read-elsewhere", "billink",
         [("operations/check.yaml", "returns: {uuid: UUID}", "returns: {uuid: MSG.DESCRIPTION}")],
         (BW, "check outcome approved (500)")),
    case("bk-path", "billink", [("operations/check.yaml", "path: /check\n", "path: /check2\n")], (BW, "operation check")),
    case("bk-constant", "billink", [("operations/check.yaml", "constants: {ACTION: check}", "constants: {ACTION: checks}")], (BW, "operation check")),
    case("bk-envelope-version", "billink", [("service.yaml", "{wire: VERSION, const: BILLINK2.0,", "{wire: VERSION, const: BILLINK2.1,")], (BW, "wire envelope")),
    case("bk-host", "billink", [("service.yaml", "url: https://client.billink.nl/api\n", "url: https://api.billink.nl/api\n")], (BW, "environment production")),
    case("bk-operation-renamed", "billink",
         [("operations/status.yaml", "name: status\ntitle:", "name: invoice_status\ntitle:"),
          ("service.yaml", "on_hold, payment, status, message]", "on_hold, payment, invoice_status, message]")],
         (BC, "operation status")),
    case("bk-operation-removed", "billink",
         [("operations/message.yaml", "", None),
          ("service.yaml", "on_hold, payment, status, message]", "on_hold, payment, status]"),
          ("examples/message.request.xml", "", None), ("examples/message.response.xml", "", None)],
         (BC, "operation message")),
    case("bk-length-widened-in-library", "billink",
         [("fields.yaml", "    min_length: 2\n    max_length: 50\n", "    min_length: 2\n    max_length: 100\n")],
         (OK, "library field COMPANYNAME (in CheckRequest, OrderRequest)")),
    case("bk-pattern-changed", "billink",
         [("fields.yaml", "    pattern: '^[0-9]+$'\n", "    pattern: '^[0-9]{6,}$'\n")],
         (BC, "library field PHONENUMBER (in CheckRequest, OrderRequest)")),
    case("bk-answer-limit-in-shared-shape", "billink",
         [("shapes.yaml", "      - {use: DESCRIPTION, description: Human-readable result text.}", "      - {use: DESCRIPTION, max_length: 100, description: Human-readable result text.}")],
         (DOCS, "Msg.DESCRIPTION")),
    case("bk-summary", "billink",
         [("operations/check.yaml", "summary: Check the creditworthiness of a consumer;", "summary: Check the creditworthiness of a buyer;")],
         (DOCS, "operation check")),
    case("bk-ledger-text", "billink",
         [("discrepancies.yaml", "    decision: >-\n      Send the documented uppercase P / B.", "    decision: >-\n      Send the uppercase P / B the field lists document.")],
         (DOCS, "ledger entry type-case")),
    case("bk-example-file", "billink",
         [("examples/check-approved.response.xml", "<API>", "<API>\n")],
         (DOCS, "check example approval")),
    # ---- Billit (rest-json) ---------------------------------------------------------------------------
    case("bi-header-renamed", "billit",
         [("service.yaml", "    - {name: PartyID, credential: party_id,", "    - {name: PartyId, credential: party_id,")],
         (BW, "wire auth headers")),
    case("bi-path", "billit", [("operations/get-order.yaml", "path: /v1/orders/{orderID}", "path: /v1/order/{orderID}")], (BW, "operation get_order")),
    case("bi-method", "billit", [("operations/patch-order.yaml", "method: PATCH\n", "method: PUT\n")], (BW, "operation patch_order")),
    case("bi-query-to-header", "billit",
         [("operations/list-orders.yaml", "{wire: fullTextSearch, name: full_text_search, type: string, in: query,",
           "{wire: fullTextSearch, name: full_text_search, type: string, in: header,")],
         (BW, "ListOrdersRequest.fullTextSearch")),
    case("bi-status-added", "billit",
         [("service.yaml", "      - {status: 404, name: NotFound,", "      - {status: 403, name: Forbidden, description: Not allowed.}\n      - {status: 404, name: NotFound,")],
         (OK, "HTTP status 403")),
    case("bi-status-class-renamed", "billit",
         [("service.yaml", "      - {status: 404, name: NotFound,", "      - {status: 404, name: Missing,")],
         (BC, "HTTP status 404")),
    case("bi-retries", "billit", [("service.yaml", "    attempts: 4\n", "    attempts: 3\n")], (OK, "wire retry attempts")),
    case("bi-min-items-raised", "billit",
         [("operations/create-order.yaml", "type: list, of: OrderLine, required: true, min_items: 1,", "type: list, of: OrderLine, required: true, min_items: 2,")],
         (BC, "CreateOrderRequest.OrderLines")),
    case("bi-maximum-widened", "billit",
         [("operations/list-orders.yaml", "type: int, minimum: 1, maximum: 120, in: query,", "type: int, minimum: 1, maximum: 200, in: query,")],
         (OK, "ListOrdersRequest.$top")),
    case("bi-filter-property-added", "billit",
         [("operations/list-orders.yaml", "    - {path: OrderID, name: order_id, type: int}\n",
           "    - {path: OrderID, name: order_id, type: int}\n    - {path: DeliveryDate, name: delivery_date, type: date}\n")],
         (OK, "operation list_orders")),
    case("ik-answer-required-to-optional", "inkassogram",
         [("operations/create-invoice.yaml", "enum: StatusCode, required: true, source:", "enum: StatusCode, source:")],
         (BC, "CreateInvoiceResponse.statusCode")),
    case("bi-answer-optional-to-required", "billit",
         [("shapes.yaml", "      - {wire: OrderSubType, name: order_sub_type, type: string,", "      - {wire: OrderSubType, name: order_sub_type, type: string, required: true, source: 'a later document',")],
         (BW, "Order.OrderSubType"), ("docs", "Order.OrderSubType")),
    case("bm-result-attribute-may-be-absent", "billmate",
         [("operations/init-checkout.yaml", "returns: {number: number, status: status, url: url}", "returns: {number: number, status: status, url: url?}")],
         (BC, "init_checkout outcome initiated")),
    case("bi-enum-value-added", "billit",
         [("fields.yaml", "      - {wire: CBE, name: cbe,", "      - {wire: KBO, name: kbo}\n      - {wire: CBE, name: cbe,")],
         (OK, "enum IdentifierType value 'KBO'")),
    case("bi-error-code-in-shared-table", "billit",
         [("errors.yaml", "      - {code: InvalidAccessToken, name: invalid_access_token,",
           "      - {code: InvalidPartyID, name: invalid_party_id, message: Wrong Party ID.}\n      - {code: InvalidAccessToken, name: invalid_access_token,")],
         (OK, "error table billit code InvalidPartyID")),
    case("bi-rule-applies-in-more-cases", "billit",
         [("operations/create-order.yaml", "{kind: forbidden_when, field: SupplierID, when: {OrderDirection: Income},",
           "{kind: forbidden_when, field: SupplierID, when: {OrderDirection: [Income, Cost]},")],
         (BC, "CreateOrderRequest rule forbidden_when SupplierID")),
    case("bi-rule-removed", "billit",
         [("operations/patch-order.yaml", "  rules:\n    - {kind: at_least_one_of, fields: [Paid, PaidDate, IsSent, ApprovalStatus, AccountCode, InternalInfo, Invoiced, AccountantVerificationNeeded],\n"
           "       description: 'A patch sets at least one property (Billit refuses an empty one: \"No valid properties or values were supplied\").'}\n", "")],
         (OK, "PatchOrderRequest rule at_least_one_of Paid, PaidDate, IsSent, ApprovalStatus, AccountCode, InternalInfo, Invoiced, AccountantVerificationNeeded")),
    case("bi-idempotency-header", "billit", [("service.yaml", "    header: Idempotency-Key\n", "    header: Idempotent-Key\n")], (BW, "wire idempotency header")),
    case("bi-description", "billit", [("operations/get-order.yaml", "title: Get order", "title: Fetch order")], (DOCS, "operation get_order")),
    # ---- Billmate (json, signed) -----------------------------------------------------------------------
    case("bm-signing-input", "billmate", [("service.yaml", "    response: credentials.hash\n", "    response: credentials.signature\n")], (BW, "wire signature")),
    case("bm-content-type", "billmate", [("service.yaml", "  content_type: application/json\n", "  content_type: application/json; charset=utf-8\n")], (BW, "wire content type")),
    case("bm-option-values-narrowed", "billmate", [("service.yaml", "values: [sv, en],", "values: [sv],")], (BC, "wire credentials member language")),
    case("bm-constant-member", "billmate", [("service.yaml", "{key: version, const: \"2.1.7\",", "{key: version, const: \"2.1.8\",")], (BW, "wire credentials member version")),
    case("bm-new-sum-rule", "billmate",
         [("operations/add-payment.yaml", "    - {kind: sum, field: Cart.Total.withtax,",
           "    - {kind: sum, field: Cart.Total.rounding, of: [Cart.Handling.withouttax, Cart.Shipping.withouttax], description: Rounding is the charges.}\n    - {kind: sum, field: Cart.Total.withtax,")],
         (BC, "AddPaymentRequest rule sum Cart.Total.rounding")),
    case("bm-max-length-in-shared-shape", "billmate",
         [("shapes.yaml", "    source: \"003: AddPayment, Articles\"\n    fields:\n      - {wire: artnr, name: article_number, type: string, description: Article number.}\n      - {wire: title, name: title, type: string,",
           "    source: \"003: AddPayment, Articles\"\n    fields:\n      - {wire: artnr, name: article_number, type: string, description: Article number.}\n      - {wire: title, name: title, type: string, max_length: 100,")],
         (BC, "Article.title")),
    case("bm-scale-in-library", "billmate",
         [("fields.yaml", "  - {wire: taxrate, name: tax_rate, type: decimal,", "  - {wire: taxrate, name: tax_rate, type: decimal, scale: 2,")],
         (BC, "library field taxrate (in Article, CartFee)"), (BW, "library field taxrate (in ArticleInfo, CartFeeInfo)")),
    case("bm-callback-method", "billmate",
         [("service.yaml", "    method: POST\n    body: signed-json\n", "    method: GET\n    body: signed-json\n")],
         (BW, "callback payment_callback")),
    case("bm-credential-added", "billmate",
         [("service.yaml", "credentials:\n  - name: id\n", "credentials:\n  - name: shop\n    description: The shop.\n  - name: id\n")],
         (BC, "credential shop")),
    case("bm-text-pattern", "billmate",
         [("service.yaml", "    description: printable ISO-8859-1 characters, no leading or trailing space\n",
           "    description: printable ISO-8859-1 characters without leading or trailing spaces\n")],
         (DOCS, "wire text description")),
    case("bm-error-code-python-name-kept", "billmate",
         [("errors.yaml", "{code: \"2553\", name: date_format_wrong,", "{code: \"2554\", name: date_format_wrong,")],
         (BW, "error table billmate code date_format_wrong")),
    case("bm-request-field-type", "billmate",
         [("shapes.yaml", "    source: \"003: AddPayment, Articles\"\n    fields:\n      - {wire: artnr, name: article_number, type: string, description: Article number.}\n      - {wire: title, name: title, type: string, description: Article description.}\n      - {wire: quantity, name: quantity, type: decimal,",
           "    source: \"003: AddPayment, Articles\"\n    fields:\n      - {wire: artnr, name: article_number, type: string, description: Article number.}\n      - {wire: title, name: title, type: string, description: Article description.}\n      - {wire: quantity, name: quantity, type: int,")],
         (BC, "Article.quantity")),
    case("bm-error-code-in-shared-table", "billmate",
         [("errors.yaml", "", "      - {code: \"50019\", name: checkout_amount_invalid, message: 'Checkout: Amount is invalid'}\n")],
         (OK, "error table billmate code 50019")),
    case("bm-option-added", "billmate",
         [("service.yaml", "    - {key: time, clock: microtime,", "    - {key: channel, option: channel, description: The sales channel; not sent unless given.}\n    - {key: time, clock: microtime,")],
         (OK, "wire credentials member channel")),
    case("bm-option-added-with-default", "billmate",
         [("service.yaml", "    - {key: time, clock: microtime,", "    - {key: channel, option: channel, default: web, description: The sales channel.}\n    - {key: time, clock: microtime,")],
         (BW, "wire credentials member channel")),
    case("bm-answer-member-order", "billmate",
         [("operations/get-address.yaml", "    - {use: firstname, description: The first name of the entity.}\n    - {use: lastname, description: The last name of the entity.}\n",
           "    - {use: lastname, description: The last name of the entity.}\n    - {use: firstname, description: The first name of the entity.}\n")],
         (DOCS, "GetAddressResponse")),
    # ---- Inkassogram (xml + XSD) -----------------------------------------------------------------------
    case("ik-xsd-contents", "inkassogram",
         [("createInvoiceBookkeepingSchema1.0.xsd", "</xs:schema>", "<!-- v1.1 -->\n</xs:schema>")],
         (BW, "XSD createInvoiceBookkeepingSchema1.0.xsd")),
    case("ik-key-header-inputs", "inkassogram",
         [("service.yaml", "{date: YYYYMMDD, timezone: Europe/Stockholm}", "{date: YYYYMMDD, timezone: Europe/Berlin}")],
         (BW, "wire headers")),
    case("ik-namespace", "inkassogram",
         [("service.yaml", "namespace: https://api.inkassogram.se/API/createInvoiceBookkeeping\n", "namespace: https://api.inkassogram.se/API/createInvoiceBookkeeping2\n")],
         (BW, "wire namespace")),
    case("ik-bool-wire-forms", "inkassogram",
         [("operations/create-invoice.yaml", "{wire: forceToSend, name: force_to_send, type: bool, wire_true: \"1\", wire_false: \"0\",",
           "{wire: forceToSend, name: force_to_send, type: bool, wire_true: \"true\", wire_false: \"false\",")],
         (BW, "CreateInvoiceRequest.forceToSend")),
    case("ik-item-element", "inkassogram",
         [("operations/create-invoice.yaml", "type: list, of: Row, item_wire: row, required: true,", "type: list, of: Row, item_wire: invoiceRow, required: true,")],
         (BW, "CreateInvoiceRequest.invoiceRows")),
    case("ik-base64-length-narrowed", "inkassogram",
         [("operations/create-invoice.yaml", "type: base64, max_length: 1819200,", "type: base64, max_length: 1000000,")],
         (BC, "CreateInvoiceRequest.attachedDocument")),
    case("ik-answer-field-added", "inkassogram",
         [("operations/create-invoice.yaml", "    - {wire: description, name: description, type: string, description: Description of the status.}\n",
           "    - {wire: description, name: description, type: string, description: Description of the status.}\n    - {wire: dueDate, name: due_date, type: string}\n")],
         (OK, "CreateInvoiceResponse.dueDate")),
    case("ik-extra-field-removed", "inkassogram",
         [("operations/create-invoice.yaml", "      - {wire: termsOfDelivery, description: Terms of delivery.}\n", "")],
         (BC, "operation create_invoice")),
    case("ik-retry", "inkassogram", [("operations/create-invoice.yaml", "  attempts: 3\n", "  attempts: 2\n")], (OK, "operation create_invoice")),
    case("ik-description", "inkassogram",
         [("operations/create-invoice.yaml", "description: Customer city.}", "description: The customer's city.}")],
         (DOCS, "CreateInvoiceResponse.customerCity")),
]


def _apply(tmp_path: Path, c: Case) -> Path:
    target = tmp_path / "specs" / c.provider
    shutil.copytree(SPECS / c.provider, target)
    for file, old, new in c.edits:
        path = target / file
        if new is None:
            path.unlink()
            continue
        text = path.read_text(encoding="utf-8")
        if not old:  # append
            path.write_text(text + new, encoding="utf-8")
            continue
        assert text.count(old) == 1, f"{c.id}: {file}: {old!r} found {text.count(old)} times"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return target


def _diff(tmp_path: Path, c: Case) -> list[tuple[str, str]]:
    provider = _apply(tmp_path, c)
    new, problems = lint_provider(provider, tmp_path)
    assert not problems, "\n".join(map(str, problems))
    assert new is not None
    changes = diff_services(service(c.provider), new, old_root=ROOT, new_root=tmp_path)
    return changes


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_corpus_edit_is_classed_as_expected(tmp_path: Path, c: Case) -> None:
    changes = _diff(tmp_path, c)
    found = {(x.change_class, x.what) for x in changes}
    assert found == set(c.expect), "\n".join(f"{x.change_class} | {x.what} | {x.change} | {x.why}" for x in changes)
    assert highest(changes) == min((cls for cls, _ in c.expect), key=CLASSES.index)
    for x in changes:  # every line says where, on the side(s) where the thing exists
        assert x.old is not None or x.new is not None, x
        assert x.why, x


def test_the_corpus_covers_every_provider_protocol_and_class() -> None:
    assert len(CASES) >= 40
    assert {c.provider for c in CASES} == set(PROVIDERS)
    for protocol in set(PROTOCOLS.values()):
        classes = {cls for c in CASES if PROTOCOLS[c.provider] == protocol for cls, _ in c.expect}
        assert classes == set(CLASSES), (protocol, classes)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unchanged_specs_give_no_changes(provider: str) -> None:
    built, problems = lint_provider(SPECS / provider, ROOT)
    assert not problems and built is not None
    assert diff_services(service(provider), built, old_root=ROOT, new_root=ROOT) == []
