"""Broken specs get `file:line:column: message`, all problems at once, and nothing is generated.

Each case copies specs/billink, changes one spot, and expects exactly one problem at the
position of an anchor text in the changed file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.kinds import ALL_TYPE_NAMES
from generator.lint import lint_provider
from generator.metaschema import _FIELD_PROPERTIES
from support import ROOT, SPECS

CASES = [
    # (id, file, old, new, anchor, message)
    ("unknown-type", "fields.yaml", "    type: date\n", "    type: datee\n", "datee",
     f"field 'BIRTHDATE': unknown type 'datee' (expected one of: {', '.join(ALL_TYPE_NAMES)}); did you mean 'date'?"),
    ("unknown-key", "fields.yaml", "    max_length: 10\n    description: Extension of the billing address.",
     "    maxlength: 10\n    description: Extension of the billing address.", "maxlength",
     f"field 'HOUSEEXTENSION': unknown key 'maxlength' (expected one of: {', '.join(sorted(_FIELD_PROPERTIES))}); did you mean 'max_length'?"),
    ("split-text", "operations/payment.yaml", "description: Description with payment.,", "description: Description, with payment.,", "with payment.",
     f"field 'DESCRIPTION': unknown key 'with payment.' (expected one of: {', '.join(sorted(_FIELD_PROPERTIES))}); an unquoted comma inside {{...}} starts a new key: quote the text before it"),
    ("missing-key", "operations/check.yaml", "path: /check\n", "", "name: check",
     "missing required key 'path'"),
    ("unquoted-code", "errors.yaml", '{code: "104", name: workflow_number_missing', "{code: 104, name: workflow_number_missing", "104",
     "code 104: 'code' must be a string, not 104 (quote it)"),
    ("duplicate-key", "operations/check.yaml", "summary: Check the", "summary: x\nsummary: Check the", "summary: Check",
     "duplicate key 'summary' in this mapping"),
    ("yaml-syntax", "operations/credit.yaml", "name: credit\n", "name: credit\n  bad: indent\n", ": indent",
     "YAML syntax error: mapping values are not allowed here (a ': ' inside text that needs quotes, or a line indented deeper than the key above it)"),
    ("unknown-library-field", "operations/check.yaml", "{use: FIRSTNAME, required: true", "{use: FIRSTNAM, required: true", "FIRSTNAM,",
     None),
    ("unknown-enum", "fields.yaml", "    enum: OrderType\n", "    enum: OrderTyp\n", "OrderTyp\n",
     "field 'TYPE': unknown enum 'OrderTyp' (known: Currency, InvoiceStatus, OrderType, Sex, VatRate); did you mean 'OrderType'?"),
    ("unknown-shape", "operations/order.yaml", "type: list, of: OrderItem,", "type: list, of: OrderItm,", "OrderItm",
     "field 'ITEMS': unknown shape 'OrderItm' (known: CreditItem, CreditMsg, ErrorInfo, InvoiceState, ItemStatus, Msg, OrderItem, PaymentMsg, StartWorkflowMsg, StatusMsg, WorkflowItem); did you mean 'OrderItem'?"),
    ("param-not-applicable", "operations/payment.yaml", "type: money, required: true, description: The amount",
     "type: string, scale: 2, required: true, description: The amount", "scale",
     "field 'AMOUNT': 'scale' does not apply to type 'string' (it takes: max_length, min_length, pattern, pattern_description, sent_uppercase)"),
    ("non-portable-pattern", "fields.yaml", "    pattern: '^[0-9]+$'\n", "    pattern: '^\\d+$'\n", "'^\\d+$'",
     "field 'PHONENUMBER': pattern '^\\\\d+$' uses \\d, \\w, \\s or \\b (engines disagree on non-ASCII)"),
    ("unanchored-pattern", "fields.yaml", "    pattern: '^[0-9]+$'\n", "    pattern: '[0-9]+'\n", "'[0-9]+'",
     "field 'PHONENUMBER': pattern '[0-9]+' must be anchored: start with ^ and end with $"),
    ("python-name", "fields.yaml", "    name: first_name\n", "    name: FirstName\n", "FirstName",
     "field 'FIRSTNAME': Python name 'FirstName' must be a snake_case identifier, not a keyword or pydantic attribute"),
    ("keyword-name", "fields.yaml", "    name: city\n", "    name: class\n", "class",
     "field 'CITY': Python name 'class' must be a snake_case identifier, not a keyword or pydantic attribute"),
    ("call-keyword-name", "operations/message.yaml", "{wire: MESSAGE, name: message,", "{wire: MESSAGE, name: options,", "options,",
     "field 'MESSAGE': Python name 'options' is a parameter of every client method (the fields are its keywords too); choose another"),
    ("duplicate-wire", "operations/message.yaml", "    - {use: INVOICENUMBER, required: true}\n    - {wire: MESSAGE",
     "    - {use: INVOICENUMBER, required: true}\n    - {use: INVOICENUMBER}\n    - {wire: MESSAGE", "{use: INVOICENUMBER}",
     "MessageRequest: wire name 'INVOICENUMBER' appears twice"),
    ("condition-value", "operations/check.yaml", "{use: BIRTHDATE, required_when: {TYPE: P}", "{use: BIRTHDATE, required_when: {TYPE: X}", "X}",
     "condition TYPE: 'X' is not a value of OrderType (B, P)"),
    ("ledger-missing", "fields.yaml", "    ledger: type-case\n", "    ledger: type-cas\n", "type-cas",
     "ledger entry 'type-cas' does not exist in discrepancies.yaml; did you mean 'type-case'?"),
    ("example-missing", "operations/credit.yaml", "request: examples/credit.request.xml", "request: examples/credit2.request.xml", "examples/credit2",
     "example file 'examples/credit2.request.xml' does not exist in specs/billink"),
    ("returns-path", "operations/check.yaml", "returns: {uuid: UUID}", "returns: {uuid: UUIDX}", "UUIDX",
     "outcome approved: CheckResponse has no path 'UUIDX'; did you mean 'UUID'?"),
    ("error-table", "operations/check.yaml", "errors: check\n", "errors: chek\n", "chek",
     "operation check: no error table 'chek' (tables: check, common, credit, on_hold, order, payment, start_workflow); did you mean 'check'?"),
    ("min-above-max", "fields.yaml", "    min_length: 2\n    max_length: 50\n", "    min_length: 60\n    max_length: 50\n", "60",
     "field 'COMPANYNAME': min_length 60 is above max_length 50"),
    ("two-defaults", "service.yaml", "    url: https://client.billink.nl/api\n", "    url: https://client.billink.nl/api\n    default: true\n", "- name: test",
     "exactly one environment must be 'default: true' (found 2)"),
    ("date-without-format", "operations/order.yaml", "type: date, format: DD-MM-YYYY, required: true,", "type: date, required: true,", "date, required",
     "field 'DATE': type 'date' needs a wire 'format' (one of DD-MM-YYYY, YYYY-MM-DD)"),
    ("envelope-constant", "operations/status.yaml", "constants: {ACTION: status}\n", "", "status",
     "operation status: the envelope needs constants: {ACTION: ...}"),
    ("unused-shape", "shapes.yaml", "shapes:\n", "shapes:\n  - name: Orphan\n    fields: [{wire: X, name: x, type: string}]\n", "Orphan",
     "shape 'Orphan' is not used by any message"),
    ("operation-not-listed", "service.yaml", "operations: [check, order,", "operations: [check,", "[check,",
     "operation 'order' (operations/) is missing from this list"),
    ("mock-unknown-code", "service.yaml", 'unauthorized: "101"', 'unauthorized: "1O1"', '"1O1"',
     "mock code '1O1' is in no error table (and is no HTTP error status)"),
    ("mock-state-operation", "service.yaml", "used_by: {order: CHECKUUID}", "used_by: {ordr: CHECKUUID}", "name: check_uuid",
     "mock state 'check_uuid': no operation 'ordr'; did you mean 'order'?"),
    ("mock-state-path", "service.yaml", "used_by: {order: CHECKUUID}", "used_by: {order: CHECK_UUID}", "CHECK_UUID}",
     "'CHECK_UUID': no field 'CHECK_UUID' in OrderRequest; did you mean 'CHECKUUID'?"),
    ("kind-not-carried", "operations/payment.yaml", "type: money, required: true, description: The amount",
     "type: datetime, required: true, description: The amount", "datetime",
     "field 'AMOUNT': the xml protocol cannot carry type 'datetime' (it carries: base64, bool, country, currency, date, "
     "decimal, email, int, ip, language, money, money_minor, string, unix_time, url)"),
    ("wire-unknown-key", "service.yaml", "  root: API\n", "  root: API\n  rooot: API\n", "rooot",
     "unknown key 'rooot' (expected one of: content_type, declaration, envelope, headers, namespace, request_element, "
     "response_element, result, root, xsd); did you mean 'root'?"),
    ("unknown-protocol", "service.yaml", "protocol: xml\n", "protocol: soap\n", "soap",
     "unknown protocol 'soap' (expected one of: json, rest-json, xml)"),
    ("money-units-differ", "shapes.yaml", "{wire: PRICEINCL, name: price_incl, type: money,", "{wire: PRICEINCL, name: price_incl, type: money, unit: EUR,", "{wire: PRICEINCL",
     "field 'PRICEINCL': unit 'EUR' differs from 'the currency of the message', the unit of the other money fields of the same range; give them one unit"),
    ("answer-required-without-evidence", "operations/check.yaml", "{wire: UUID, name: uuid, type: string, description:",
     "{wire: UUID, name: uuid, type: string, required: true, description:", "{wire: UUID",
     "field 'UUID': an answer's field is required only where the document says so; give the evidence (source: or a ledger id) or leave it optional"),
    ("version-not-semver", "service.yaml", "version: 0.1.0\n", "version: 1.0.0-rc1\n", "1.0.0-rc1",
     "'version': '1.0.0-rc1' is not MAJOR.MINOR.PATCH (semantic versioning, e.g. 0.1.0)"),
    ("version-not-released", "service.yaml", "version: 0.1.0\n", "version: 0.2.0\n", "0.2.0",
     "version 0.2.0 is not the last release in specs/billink/changelog.yaml (0.1.0); record the release with "
     "`python -m generator diff --record --date YYYY-MM-DD`"),
    ("changelog-date-unquoted", "changelog.yaml", '    date: "2026-12-03"', "    date: 2026-12-03", "2026-12-03",
     "'date' must be a string, not datetime.date(2026, 12, 3) (quote it)"),
    ("changelog-release-without-changes", "changelog.yaml", "    note: initial\n", "", "version: 0.1.0",
     "release 0.1.0 lists no changes: say why in `note`"),
    ("required-and-required-when", "operations/order.yaml", "{use: BIRTHDATE, required_when: {TYPE: P},", "{use: BIRTHDATE, required: true, required_when: {TYPE: P},", "required_when: {TYPE: P}, description: Date",
     "field 'BIRTHDATE': is both required and required_when"),
    # A YAML syntax error is reported at its fault, with what usually causes it.
    ("yaml-tab", "operations/check.yaml", "  name: CheckRequest\n", "\tname: CheckRequest\n", "\tname",
     "YAML syntax error: a tab character: YAML indents with spaces only"),
    ("yaml-indent", "operations/check.yaml", "  description: The consumer and order data", "   description: The consumer and order data", ": The consumer and order",
     "YAML syntax error: mapping values are not allowed here (a ': ' inside text that needs quotes, or a line indented deeper than the key above it)"),
    ("yaml-unclosed-quote", "operations/check.yaml", "title: Check API\n", 'title: "Check API\n', '"Check API',
     "YAML syntax error: the quoted text that starts here runs on to the next line (is its closing quote missing?); the parser stopped at 4:10: expected <block end>, but found '<scalar>'"),
    ("yaml-unclosed-quote-at-end", "operations/check.yaml", "title: Check API\n", "title: Check API\nsee: 'the end\n", "'the end",
     "YAML syntax error: the quoted text that starts here runs on to the next line (is its closing quote missing?); the parser stopped at 44:82: expected <block end>, but found '<scalar>'"),
    ("yaml-unclosed-brace", "operations/check.yaml", "{use: FIRSTNAME, required: true, codes: {missing: \"412\"}}", "{use: FIRSTNAME, required: true, codes: {missing: \"412\"}", "{use: FIRSTNAME, required: true, codes: {missing: \"412\"}\n",
     "YAML syntax error: the {...} that starts here is not closed (a missing '}'); the parser stopped at 20:5: expected ',' or '}', but got '-'"),
    # A name that is looked up and not found comes with the nearest known one (difflib).
    ("suggest-kind", "fields.yaml", "    name: first_name\n    type: string\n", "    name: first_name\n    type: strng\n", "strng",
     f"field 'FIRSTNAME': unknown type 'strng' (expected one of: {', '.join(ALL_TYPE_NAMES)}); did you mean 'string'?"),
    ("suggest-enum-case", "fields.yaml", "    enum: OrderType\n", "    enum: ordertype\n", "ordertype\n",
     "field 'TYPE': unknown enum 'ordertype' (known: Currency, InvoiceStatus, OrderType, Sex, VatRate); did you mean 'OrderType'?"),
    ("suggest-top-level-key", "operations/check.yaml", "constants: {ACTION: check}", "constans: {ACTION: check}", "constans",
     "unknown key 'constans' (expected one of: constants, description, errors, examples, filter, ledger, method, name, "
     "outcomes, paging, path, request, response, retry, source, summary, text_answer, title); did you mean 'constants'?"),
    ("suggest-rule-field", "operations/order.yaml", "field: PRICEINCL, when: {TYPE: P},\n       description: Private orders give each",
     "field: PRICEINCLL, when: {TYPE: P},\n       description: Private orders give each", "PRICEINCLL",
     "rule required_when: OrderItem has no field 'PRICEINCLL'; did you mean 'PRICEINCL'?"),
    ("suggest-rule-scope", "operations/order.yaml", 'in: "ITEMS[]", field: PRICEINCL,', 'in: "ITEM[]", field: PRICEINCL,', '"ITEM[]"',
     "'in: ITEM[]': OrderRequest has no field 'ITEM[]'; did you mean 'ITEMS[]'?"),
    ("suggest-condition-value", "operations/check.yaml", "{use: BIRTHDATE, required_when: {TYPE: P}", "{use: BIRTHDATE, required_when: {TYPE: p}", "p}",
     "condition TYPE: 'p' is not a value of OrderType (B, P); did you mean 'P'?"),
]


def _copy_specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs" / "billink"
    shutil.copytree(SPECS / "billink", target)
    return target


def _mutate(tmp_path: Path, file: str, old: str, new: str) -> Path:
    provider = _copy_specs(tmp_path)
    path = provider / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{file}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return provider


def _position(path: Path, anchor: str) -> tuple[int, int]:
    text = path.read_text(encoding="utf-8")
    index = text.index(anchor)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_spec_is_reported_at_its_position(tmp_path: Path, case: tuple[str, str, str, str, str, str | None]) -> None:
    _, file, old, new, anchor, message = case
    provider = _mutate(tmp_path, file, old, new)
    service, problems = lint_provider(provider, tmp_path)
    assert service is None
    line, column = _position(provider / file, anchor)
    where = f"specs/billink/{file}:{line}:{column}"
    rendered = [str(p) for p in problems]
    if message is None:  # long message: check the start
        assert len(rendered) == 1 and rendered[0].startswith(f"{where}: field 'use: FIRSTNAM' names no library field"), rendered
        assert rendered[0].endswith("; did you mean 'FIRSTNAME'?"), rendered
    else:
        assert rendered == [f"{where}: {message}"]


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASES) >= 15


def test_a_kind_the_protocol_cannot_carry_is_a_lint_error(tmp_path: Path) -> None:
    """A Billmate field changed to unix_time (which the json protocol has no codec for) is
    refused at the position of its type, instead of crashing the render later."""
    target = tmp_path / "specs" / "billmate"
    shutil.copytree(SPECS / "billmate", target)
    shapes = target / "shapes.yaml"
    old = "{wire: paymentterms, name: payment_terms, type: int,"
    text = shapes.read_text(encoding="utf-8")
    assert old in text
    shapes.write_text(text.replace(old, "{wire: paymentterms, name: payment_terms, type: unix_time,", 1), encoding="utf-8")
    service, problems = lint_provider(target, tmp_path)
    assert service is None
    line, column = _position(shapes, "unix_time")
    assert [str(p) for p in problems] == [
        f"specs/billmate/shapes.yaml:{line}:{column}: field 'paymentterms': the json protocol cannot carry type "
        "'unix_time' (it carries: bool, bool_or_date, country, currency, date, decimal, email, int, ip, language, "
        "money, money_minor, string, url)"
    ]


# What a protocol's codecs cannot write, refused where the spec says it rather than ignored or
# mangled by the generated code: (id, provider, file, old, new, anchor, message).
UNWRITABLE = [
    ("json-percent-encoded-url", "billmate", "shapes.yaml", "{wire: accepturl, name: accept_url, type: url,",
     "{wire: accepturl, name: accept_url, type: url, percent_encoded: true,", "percent_encoded",
     "field 'accepturl': the json protocol cannot carry 'percent_encoded' of type 'url' (a URL member travels as its text)"),
    ("rest-bool-wire-form", "billit", "operations/patch-order.yaml", "{wire: Paid, name: paid, type: bool,",
     "{wire: Paid, name: paid, type: bool, wire_false: null,", "wire_false",
     "field 'Paid': the rest-json protocol cannot carry 'wire_false' of type 'bool' (a bool is JSON true or false)"),
    ("rest-parameter-date-format", "billit", "operations/list-orders.yaml", "{wire: fullTextSearch, name: full_text_search, type: string,",
     "{wire: fullTextSearch, name: full_text_search, type: date, format: DD-MM-YYYY,", "format: DD",
     "field 'fullTextSearch': a query parameter carries a date as YYYY-MM-DD (format: YYYY-MM-DD)"),
    ("rest-derived", "billit", "shapes.yaml", "required: true, description: The file (bytes; sent base64 encoded).}\n",
     "required: true, description: The file (bytes; sent base64 encoded).}\n      - {wire: FileMd5, derived: {digest: md5, of: FileContent}}\n",
     "{wire: FileMd5", "field 'FileMd5': the rest-json protocol computes no derived fields (its members are what the message holds)"),
    ("xml-scalar-list-item-wire", "billink", "operations/status.yaml", "    - {use: INVOICENUMBER, required: true}\n",
     "    - {use: INVOICENUMBER, required: true}\n    - {wire: TAGS, name: tags, type: list, of: string}\n", "{wire: TAGS",
     "field 'TAGS': an XML list of scalars needs 'item_wire' (the element each item is written in)"),
    ("json-standard-encoding", "billmate", "service.yaml", "  encoding: php\n", "  encoding: standard\n", "standard",
     "'encoding' is 'standard'; expected one of: php"),
    ("json-numbers-as-numbers", "billmate", "service.yaml", "  strings: true\n", "  strings: false\n", "false",
     "'strings' is False; expected one of: True"),
    ("required-bool-without-false", "inkassogram", "operations/create-invoice.yaml", 'wire_true: "true", wire_false: null,',
     'wire_true: "true", wire_false: null, required: true,', "wire_false",
     "field 'testInvoice': a required bool needs a wire form for False ('wire_false: null' sends nothing)"),
]


@pytest.mark.parametrize("provider, file, old, new, anchor, message", [c[1:] for c in UNWRITABLE], ids=[c[0] for c in UNWRITABLE])
def test_what_the_protocol_cannot_write_is_a_lint_error(
    tmp_path: Path, provider: str, file: str, old: str, new: str, anchor: str, message: str
) -> None:
    """A parameter or a field the protocol's codecs have no wire form for (a JSON member sent
    percent-encoded, a REST bool not sent when False, a DD-MM-YYYY query date, a derived REST
    member, XML list items without an element name, a required bool that sends nothing for
    False) is refused at its position, instead of being ignored or mangled by the generated
    code, or crashing the render."""
    target = tmp_path / "specs" / provider
    shutil.copytree(SPECS / provider, target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    service, problems = lint_provider(target, tmp_path)
    assert service is None
    line, column = _position(path, anchor)
    assert [str(p) for p in problems] == [f"specs/{provider}/{file}:{line}:{column}: {message}"]


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    provider = _copy_specs(tmp_path)
    fields = provider / "fields.yaml"
    fields.write_text(fields.read_text().replace("    type: date\n", "    type: datee\n").replace("    name: city\n", "    name: City\n"))
    check = provider / "operations" / "check.yaml"
    check.write_text(check.read_text().replace("errors: check\n", "errors: chek\n"))
    _, problems = lint_provider(provider, tmp_path)
    # The meta-schema problem stops semantic checks of the same run only for broken files;
    # every file's schema problems are listed together, sorted by position.
    assert [p.message.split(":")[0] for p in problems] == ["field 'BIRTHDATE'"]
    fields.write_text(fields.read_text().replace("type: datee", "type: date"))
    _, problems = lint_provider(provider, tmp_path)
    assert len(problems) == 2
    assert problems == sorted(problems)
    assert {p.mark.file for p in problems} == {"specs/billink/fields.yaml", "specs/billink/operations/check.yaml"}


def test_country_code_no_stays_a_string(tmp_path: Path) -> None:
    """YAML 1.1 would read NO as false; the loader keeps it a string."""
    provider = _mutate(tmp_path, "fields.yaml", "      - {wire: EUR, name: eur}", "      - {wire: NO, name: nok}")
    service, problems = lint_provider(provider, tmp_path)
    assert not problems and service is not None
    assert [v.wire for v in service.enum("Currency").values] == ["NO", "USD", "GBP"]


def _tree_digest(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_cli_reports_problems_and_leaves_generated_untouched(tmp_path: Path) -> None:
    for name in ("generator", "templates", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    provider = _copy_specs(tmp_path)
    before = _tree_digest(tmp_path / "generated")
    check = provider / "operations" / "check.yaml"
    check.write_text(check.read_text().replace("errors: check\n", "errors: chek\n").replace("path: /check\n", "path: check\n"))
    for command in ("generate", "lint", "check"):
        run = subprocess.run(
            [sys.executable, "-m", "generator", command], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 1, run.stderr
        lines = run.stderr.strip().splitlines()
        assert lines[0].startswith("specs/billink/operations/check.yaml:3:7: 'path': 'check' does not match")
        assert lines[-1] == "1 problem in the specs; generated/ left untouched"
    assert _tree_digest(tmp_path / "generated") == before


def test_an_example_file_no_spec_uses_is_reported(tmp_path: Path) -> None:
    """A document example nobody turned into a vector (nor excused with a ledger id) is lost
    knowledge: the loader says so."""
    provider = _copy_specs(tmp_path)
    (provider / "examples" / "forgotten.response.xml").write_text("<API/>")
    service, problems = lint_provider(provider, tmp_path)
    assert service is None
    assert [str(p) for p in problems] == [
        "specs/billink/service.yaml:1:11: example file 'examples/forgotten.response.xml' is not used by any "
        "operation or callback; make it a test vector, or list it under examples_not_vectors with the "
        "ledger id that says why it cannot be one"
    ]
