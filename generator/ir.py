"""The intermediate model: one frozen tree per provider, built from the specs by `build.py`.

Emitters (schemas, models, templates, docs) read only this; they never see YAML. Names are
already resolved: every field has its wire name and its Python name, every reference points at
a known shape or enum, every path has been checked against the message it walks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .load import Mark


@dataclass(frozen=True)
class Scalar:
    """A typed scalar: a kind from `kinds.KINDS` with its parameters."""

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def param_map(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class EnumRef:
    enum: str


@dataclass(frozen=True)
class ShapeRef:
    shape: str


@dataclass(frozen=True)
class ListOf:
    item: Scalar | EnumRef | ShapeRef
    item_wire: str | None = None
    min_items: int | None = None
    max_items: int | None = None


TypeRef = Scalar | EnumRef | ShapeRef | ListOf


@dataclass(frozen=True)
class FieldCodes:
    """Provider error codes that a local check of this field pre-empts."""

    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    # Codes about this field that only the server can answer (no local check pre-empts them).
    server: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A wire value the client computes from another field (e.g. an MD5 of a document)."""

    digest: str
    of: str


@dataclass(frozen=True)
class Field:
    wire: str
    name: str
    type: TypeRef
    required: bool
    description: str = ""
    note: str = ""
    source: str = ""
    ledger: tuple[str, ...] = ()
    codes: FieldCodes = FieldCodes()
    derived: Derived | None = None
    mark: Mark | None = field(default=None, compare=False)
    # Where a request field travels (rest-json): "body", "path", "query" or "header".
    location: str = "body"
    # Sent when not given: the media type of the file name in field `fallback_of` (its
    # extension looked up in `fallback_types`).
    fallback_of: str | None = None
    fallback_types: tuple[tuple[str, str], ...] = ()
    # Where the library definition is, when the field `use:`s one (`mark` is where it is used).
    library_mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Condition:
    """`path` (wire names from the message root) has one of `values`."""

    path: tuple[str, ...]
    values: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A cross-field rule on a message.

    `scope` is the wire path of the object or list whose items the rule applies to (empty: the
    message itself); `fields` are wire names inside that scope; `when` conditions are paths from
    the message root. A `sum` rule has `target` and `terms` instead: paths from the root, where
    a segment ending in [] means every item of that list.
    """

    kind: str
    scope: tuple[str, ...]
    fields: tuple[str, ...]
    when: tuple[Condition, ...]
    description: str
    pattern: str | None = None
    code: str | None = None
    ledger: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    terms: tuple[tuple[str, ...], ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Shape:
    """A structure: a named nested shape, or a request / response message.

    `fields` are what the model holds; `wire_fields` adds the fields the client derives
    (computed on the way out), in wire order.
    """

    name: str
    wire_fields: tuple[Field, ...]
    description: str = ""
    source: str = ""
    rules: tuple[Rule, ...] = ()
    role: str = "shape"  # "shape", "request" or "response"
    # A message that is not an object: its whole value (a list, a string), described as a field.
    root: Field | None = None
    mark: Mark | None = field(default=None, compare=False)

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.wire_fields if f.derived is None)

    def field(self, wire: str) -> Field | None:
        for f in self.wire_fields:
            if f.wire == wire:
                return f
        return None


@dataclass(frozen=True)
class EnumValue:
    wire: str
    name: str
    description: str = ""
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EnumType:
    name: str
    values: tuple[EnumValue, ...]
    description: str = ""
    decode_aliases: tuple[tuple[str, str], ...] = ()
    ledger: tuple[str, ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Outcome:
    """A response code that is a result, not a failure. `code` None: the response has no code."""

    code: str | None
    name: str
    description: str
    returns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    item_success: tuple[str, ...] = ()
    # Returned attributes the answer may lack (`path?` in the spec): None then, not an error.
    optional: tuple[str, ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ErrorCode:
    code: str
    name: str
    message: str
    gloss: str | None = None
    outcome: str | None = None
    ledger: tuple[str, ...] = ()
    hint: str | None = None
    duplicate: bool = False  # a second row with the same code (an alias of the first)
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ErrorTable:
    name: str
    title: str
    source: str
    codes: tuple[ErrorCode, ...]
    description: str = ""
    inferred: bool = False
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Edit:
    """A change to an example: a mend of the document's text before use, or a difference the
    client's output is expected to have (a normalisation).

    Kinds: `text` (element at `path`: `old` -> `new`), `drop` (element at `path` removed),
    `drop_attribute` (root attribute `path` removed), `replace` (raw text `old` -> `new`),
    `add` (a JSON member at `path` the client adds, with the text `new`).
    """

    kind: str
    path: str
    old: str
    new: str
    ledger: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    request: str | None  # path relative to the provider's spec directory
    response: str | None
    outcome: str | None = None
    error: str | None = None
    mends: tuple[Edit, ...] = ()
    normalisations: tuple[Edit, ...] = ()
    # A fragment shows some members of a request only ("//Other Order data..."): each must be a
    # known member with a well-typed value, but the request as a whole is not complete.
    fragment: bool = False
    ledger: tuple[str, ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Retry:
    """Which failures an operation retries, and what keeps a retry from doing the work twice."""

    on: str
    attempts: int
    idempotency: str
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraField:
    """A field the documents describe that the typed request does not carry (sent by name)."""

    wire: str
    description: str


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    path: str
    source: str
    summary: str
    description: str
    constants: tuple[tuple[str, str], ...]
    request: Shape
    response: Shape
    outcomes: tuple[Outcome, ...]
    errors: str
    examples: tuple[Example, ...] = ()
    ledger: tuple[str, ...] = ()
    retry: Retry | None = None
    extra_fields: tuple[ExtraField, ...] = ()
    extra_ledger: tuple[str, ...] = ()
    # The answer may be the bare text of a string-root response (not JSON, not verified), or
    # its data wrapped as {"<root name>": text}; the ledger ids say why.
    text_answer: tuple[str, ...] | None = None
    method: str = "POST"
    paging: Paging | None = None
    filter: Filter | None = None
    mark: Mark | None = field(default=None, compare=False)

    @property
    def path_params(self) -> tuple[str, ...]:
        """The `{name}` placeholders of the path, in order."""
        import re

        return tuple(re.findall(r"\{([A-Za-z][A-Za-z0-9_]*)\}", self.path))


@dataclass(frozen=True)
class Paging:
    """A list answer split in pages (wire names): the page's items, the link to the next page,
    and the request's skip / top query fields."""

    items: str
    next_link: str
    skip: str
    top: str
    page_size: int
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterProperty:
    path: str  # OData property path, "CounterParty/PartyID"
    name: str  # Python attribute of the builder
    kind: str  # string, int, decimal, bool, date, enum
    enum: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Filter:
    """A typed builder for an OData $filter / $orderby query field."""

    param: str
    class_name: str
    properties: tuple[FilterProperty, ...]
    order_by: str | None = None
    source: str = ""
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class Environment:
    name: str
    url: str
    default: bool
    description: str = ""
    values: tuple[tuple[str, str], ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Credential:
    name: str
    description: str
    wire: str | None = None
    secret: bool = False
    default: str | None = None
    optional: bool = False
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MockState:
    """A value the mock server hands out in one operation's answer and later requests must
    quote (a CHECK-UUID, a payment number, an OrderID); what it answers when they do not."""

    name: str
    description: str
    issuer: str  # operation
    issued_at: tuple[str, ...]  # wire path in its answer; () for the whole answer
    users: tuple[tuple[str, tuple[str, ...]], ...]  # (operation, wire path in its request)
    unknown: str
    used_twice: str | None = None
    ledger: tuple[str, ...] = ()
    # rest-json: the issuing request's body is kept as a resource with the value as its `id`
    # member; these operations read, patch, delete it, and list all at a wire path.
    resource_id: str | None = None
    read_by: tuple[str, ...] = ()
    patched_by: tuple[str, ...] = ()
    deleted_by: tuple[str, ...] = ()
    listed_by: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EnvelopeEntry:
    """An element every request carries before its own fields (XML protocols)."""

    wire: str
    const: str | None = None
    credential: str | None = None
    ledger: tuple[str, ...] = ()
    in_response: bool = False


@dataclass(frozen=True)
class DigestPart:
    """One input of a derived header: a credential's value or today's date."""

    credential: str | None = None
    date: str | None = None  # format, e.g. YYYYMMDD
    timezone: str | None = None


@dataclass(frozen=True)
class Header:
    """A request header: a credential as is, or a digest of several parts."""

    name: str
    credential: str | None = None
    digest: str | None = None
    parts: tuple[DigestPart, ...] = ()
    description: str = ""
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class XmlWire:
    root: str
    declaration: str
    content_type: str
    envelope: tuple[EnvelopeEntry, ...]
    result_code: tuple[tuple[str, ...], ...]
    result_message: tuple[tuple[str, ...], ...]
    result_error_code: tuple[tuple[str, ...], ...] = ()
    item_code: str | None = None
    item_message: str | None = None
    namespace: str | None = None
    request_element: str | None = None
    response_element: str | None = None
    xsd: str | None = None
    headers: tuple[Header, ...] = ()
    # What the other protocols have and this one does not.
    signature: None = None
    auth_headers: tuple[RestHeader, ...] = ()
    rate_limit: None = None
    idempotency_header: None = None
    idempotency_methods: tuple[str, ...] = ()
    mark: Mark | None = field(default=None, compare=False)

    @property
    def error_code_paths(self) -> tuple[tuple[str, ...], ...]:
        return self.result_error_code or self.result_code

    @property
    def text_pattern(self) -> str:
        from .kinds import XML_TEXT_PATTERN

        return XML_TEXT_PATTERN


@dataclass(frozen=True)
class RestHeader:
    """A header made from a credential (sent only when the credential is given)."""

    name: str
    credential: str
    prefix: str = ""
    description: str = ""
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class ErrorStatus:
    """An HTTP error status (or range `status`..`up_to`) and the error class it raises."""

    status: int
    name: str
    description: str
    up_to: int | None = None
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestWire:
    """REST over HTTP with JSON bodies: methods, paths, query, headers and status codes."""

    content_type: str
    auth_headers: tuple[RestHeader, ...]
    error_list: str  # the member of an error answer holding the list of errors
    error_code: str
    error_message: str
    statuses: tuple[ErrorStatus, ...]
    idempotency_header: str | None = None
    idempotency_methods: tuple[str, ...] = ()
    idempotency_description: str = ""
    idempotency_ledger: tuple[str, ...] = ()
    rate_limit: tuple[int, float] | None = None  # requests per seconds
    rate_limit_ledger: tuple[str, ...] = ()
    retry_attempts: int = 1
    retry_statuses: tuple[int, ...] = ()
    retry_safe_methods: tuple[str, ...] = ()
    retry_ledger: tuple[str, ...] = ()
    errors_ledger: tuple[str, ...] = ()
    # What the other protocols have and this one does not.
    result_code: tuple[tuple[str, ...], ...] = ()
    result_error_code: tuple[tuple[str, ...], ...] = ()
    result_message: tuple[tuple[str, ...], ...] = ()
    envelope: tuple[EnvelopeEntry, ...] = ()
    headers: tuple[Header, ...] = ()
    xsd: str | None = None
    namespace: str | None = None
    item_code: str | None = None
    item_message: str | None = None
    signature: None = None
    mark: Mark | None = field(default=None, compare=False)

    @property
    def error_code_paths(self) -> tuple[tuple[str, ...], ...]:
        return ((self.error_list, self.error_code),)

    @property
    def text_pattern(self) -> str | None:
        return None


@dataclass(frozen=True)
class JsonMember:
    """A member of a JSON request body or of its credentials object.

    `source` says where the value comes from: "credentials" (the credentials object), "message"
    (the request data), "const", "credential", "signature", "option" (a client option),
    "clock" or "environment" (a value of the chosen environment); `value` names the constant,
    credential, option or environment value.
    """

    key: str
    source: str
    value: str | None = None
    default: str | None = None
    values: tuple[str, ...] = ()
    type: str = "string"
    description: str = ""
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signature:
    algorithm: str
    key: str  # the credential holding the secret
    over: str  # the body member signed, exactly as sent
    response: tuple[str, ...]  # where answers carry their signature
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class JsonWire:
    content_type: str
    encoding: str
    strings: bool
    body: tuple[JsonMember, ...]
    credentials: tuple[JsonMember, ...]
    signature: Signature | None
    result_error_code: tuple[tuple[str, ...], ...]
    result_message: tuple[tuple[str, ...], ...]
    text: str | None = None
    text_description: str = ""
    text_ledger: tuple[str, ...] = ()
    result_ledger: tuple[str, ...] = ()
    # What the XML protocol has and this one does not.
    result_code: tuple[tuple[str, ...], ...] = ()
    envelope: tuple[EnvelopeEntry, ...] = ()
    headers: tuple[Header, ...] = ()
    xsd: str | None = None
    namespace: str | None = None
    item_code: str | None = None
    item_message: str | None = None
    auth_headers: tuple[RestHeader, ...] = ()
    rate_limit: None = None
    idempotency_header: None = None
    idempotency_methods: tuple[str, ...] = ()
    mark: Mark | None = field(default=None, compare=False)

    @property
    def error_code_paths(self) -> tuple[tuple[str, ...], ...]:
        return self.result_error_code

    @property
    def text_pattern(self) -> str | None:
        return self.text


Wire = XmlWire | JsonWire | RestWire


@dataclass(frozen=True)
class Callback:
    """A request the provider sends to the shop; the generated helper parses and checks it.

    `body` is "query" (GET parameters, `params`), "signed-json" (a JSON body signed like the
    protocol's answers) or "signed-form" (form fields holding JSON, signed); signed callbacks
    carry the message `message`.
    """

    name: str
    title: str
    source: str
    method: str
    description: str
    params: tuple[Field, ...] = ()
    example: str = ""
    example_file: str = ""
    ledger: tuple[str, ...] = ()
    body: str = "query"
    message: str | None = None
    signature: HeaderSignature | None = None
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class HeaderSignature:
    """A webhook signed in a header `<timestamp>=<unix>,<value>=<hex>` over "<t>.<raw body>"."""

    header: str
    algorithm: str
    timestamp: str
    value: str
    tolerance: int
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestData:
    """Test persons, companies, cards... as the document lists them."""

    title: str
    usage: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Discrepancy:
    id: str
    where: str
    document_says: str
    decision: str
    other_says: str = ""
    status: str = "decided"
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Note:
    title: str
    text: str


@dataclass(frozen=True)
class ChangeEntry:
    """One classified change of a release, as `python -m generator diff` recorded it."""

    change_class: str  # one of diff.CLASSES
    what: str
    change: str
    why: str = ""


@dataclass(frozen=True)
class Release:
    """A version of the package in changelog.yaml: its date (given by the maintainer), what the
    spec diff found since the release before, and a note."""

    version: str
    date: str
    changes: tuple[ChangeEntry, ...] = ()
    note: str = ""
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Service:
    provider: str
    title: str
    api_version: str
    source: str
    document_date: str
    summary: str
    package: str
    client: str
    error_prefix: str
    protocol: str
    wire: Wire
    environments: tuple[Environment, ...]
    credentials: tuple[Credential, ...]
    notes: tuple[Note, ...]
    enums: tuple[EnumType, ...]
    shapes: tuple[Shape, ...]
    operations: tuple[Operation, ...]
    error_tables: tuple[ErrorTable, ...]
    discrepancies: tuple[Discrepancy, ...]
    spec_dir: str
    callbacks: tuple[Callback, ...] = ()
    test_data: tuple[TestData, ...] = ()
    # Example files that cannot be test vectors, each with the ledger id saying why.
    examples_not_vectors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A client needs exactly one of these credentials (e.g. an API key or an access token).
    auth_one_of: tuple[str, ...] = ()
    auth_description: str = ""
    # What the generated mock server answers to wrong credentials and to a request the
    # validators refuse when its field names no code of its own (xml and json protocols;
    # rest-json answers with the HTTP statuses 401 and 400).
    mock_unauthorized: str | None = None
    mock_invalid: str | None = None
    mock_state: tuple[MockState, ...] = ()
    auth_ledger: tuple[str, ...] = ()
    # The package's version (semver, `version:` in service.yaml) and its history, oldest first
    # (changelog.yaml); the last release is this version.
    version: str = ""
    releases: tuple[Release, ...] = ()
    # Where each top-level key of service.yaml is written.
    marks: tuple[tuple[str, Mark], ...] = field(default=(), compare=False)

    def key_mark(self, key: str) -> Mark:
        """The position of a top-level key of service.yaml (or of the file)."""
        return dict(self.marks).get(key) or Mark(f"{self.spec_dir}/service.yaml", 1, 1)

    def shape(self, name: str) -> Shape:
        for shape in self.shapes:
            if shape.name == name:
                return shape
        for op in self.operations:
            for message in (op.request, op.response):
                if message.name == name:
                    return message
        raise KeyError(name)

    def enum(self, name: str) -> EnumType:
        for enum in self.enums:
            if enum.name == name:
                return enum
        raise KeyError(name)

    def error_table(self, name: str) -> ErrorTable:
        for table in self.error_tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def default_environment(self) -> Environment:
        return next(e for e in self.environments if e.default)

    def messages(self) -> list[Shape]:
        return [m for op in self.operations for m in (op.request, op.response)]
