"""Helpers shared by the tests: the IR of each provider, its generated package, example mends
and comparison for XML and JSON documents."""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import extend
from lxml import etree

from generator import ir
from generator.emit_schema import published_schemas
from generator.lint import lint_provider

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
PROVIDERS = sorted(p.name for p in SPECS.iterdir() if (p / "service.yaml").exists())


@functools.cache
def service(provider: str) -> ir.Service:
    built, problems = lint_provider(SPECS / provider, ROOT)
    assert not problems, "\n".join(map(str, problems))
    assert built is not None
    return built


def package(provider: str, module: str = "") -> ModuleType:
    """Import the generated package of `provider` (or one of its modules) from generated/."""
    path = str(GENERATED / provider)
    if path not in sys.path:
        sys.path.insert(0, path)
    name = service(provider).package + (f".{module}" if module else "")
    return importlib.import_module(name)


# -- XML ---------------------------------------------------------------------------------------


def canonical(element: etree._Element) -> Any:
    """(tag with namespace, attributes, text, children): 'same elements, order and text'. Leaf
    text is compared exactly; the whitespace that pretty-prints containers is not content."""
    children = [canonical(child) for child in element if isinstance(child.tag, str)]
    text = None if children else (element.text or "")
    return (element.tag, sorted(element.attrib.items()), text, children)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def element_at(root: etree._Element, path: str) -> etree._Element:
    """`EMAIL` or `ITEMS[0].CODE`: names of child elements, [n] the n-th child of a list."""
    node = root
    for segment in path.split("."):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\[([0-9]+)\])?", segment)
        assert m, segment
        found = [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == m.group(1)]
        assert len(found) == 1, f"{path}: {len(found)} elements named {m.group(1)}"
        node = found[0]
        if m.group(2) is not None:
            node = [c for c in node if isinstance(c.tag, str)][int(m.group(2))]
    return node


def mended(raw: bytes, edits: tuple[ir.Edit, ...], message_element: str | None) -> etree._Element:
    """The example after its mends: raw-text replacements first (the document may not even be
    XML before them), then element edits. Each edit must find exactly what it claims."""
    text = mend_text(raw, edits)
    document = parse(text.encode("utf-8"))
    apply_edits(document, tuple(e for e in edits if e.kind != "replace"), message_element)
    return document


def apply_edits(root: etree._Element, edits: tuple[ir.Edit, ...], message_element: str | None = None) -> None:
    """Apply element edits (paths are inside the message element, when the protocol has one)."""
    message = element_at(root, message_element) if message_element else root
    for edit in edits:
        if edit.kind == "drop_attribute":
            assert edit.path in root.attrib, f"no attribute {edit.path} on the root"
            del root.attrib[edit.path]
            continue
        element = element_at(message, edit.path)
        if edit.kind == "drop":
            parent = element.getparent()
            assert parent is not None
            parent.remove(element)
        else:
            assert (element.text or "") == edit.old, f"{edit.path}: expected {edit.old!r}, found {element.text!r}"
            element.text = edit.new


def mend_text(raw: bytes, edits: tuple[ir.Edit, ...]) -> str:
    """The document's text after its raw-text mends, each found exactly once."""
    text = raw.decode("utf-8")
    for edit in edits:
        if edit.kind == "replace":
            assert text.count(edit.old) == 1, f"mend {edit.old!r} found {text.count(edit.old)} times"
            text = text.replace(edit.old, edit.new)
    return text


# -- JSON --------------------------------------------------------------------------------------


def json_at(document: Any, path: str) -> tuple[Any, str | int]:
    """The container holding `path` (`PaymentData.paymentplanid`, `Articles[0].artnr`) and the
    key of the value in it."""
    parts: list[str | int] = []
    for segment in path.split("."):
        m = re.fullmatch(r"([^.\[\]]+)((?:\[[0-9]+\])*)", segment)
        assert m, segment
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[([0-9]+)\]", m.group(2)))
    node = document
    for part in parts[:-1]:
        node = node[part]
    last = parts[-1]
    if isinstance(last, str):
        assert isinstance(node, dict) and last in node, f"{path}: no member {last!r}"
    return node, last


def json_mended(raw: bytes, edits: tuple[ir.Edit, ...], message_key: str | None) -> dict[str, Any]:
    """The parsed example after its mends: raw-text replacements (the document may not be JSON
    before them), then edits of values inside the message member (the whole document when the
    protocol has none). Numbers with a fraction are read as Decimal."""
    from decimal import Decimal

    document = json.loads(mend_text(raw, edits), parse_float=Decimal)
    assert isinstance(document, dict)
    message = document[message_key] if message_key else document
    json_apply_edits(message, tuple(e for e in edits if e.kind != "replace"))
    return document


def json_text(value: Any) -> str:
    """JSON text of parsed data in which numbers may be Decimal (written exactly)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + json_text(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    return json.dumps(value)


def json_apply_edits(message: Any, edits: tuple[ir.Edit, ...]) -> None:
    for edit in edits:
        if edit.kind == "add":
            parent_path, _, member = edit.path.rpartition(".")
            parent = json_at(message, parent_path)[0][json_at(message, parent_path)[1]] if parent_path else message
            assert member not in parent, f"{edit.path}: already there"
            parent[member] = edit.new
            continue
        node, key = json_at(message, edit.path)
        if edit.kind == "drop":
            del node[key]
        else:
            assert edit.kind == "text", edit.kind
            assert node[key] == edit.old, f"{edit.path}: expected {edit.old!r}, found {node[key]!r}"
            node[key] = edit.new


def php_json_encode(value: Any) -> str:
    """A reference of PHP's json_encode with default flags, written for the tests (the generated
    package has its own): no spaces; in strings "/" as "\\/", the short escapes for
    \\b \\f \\n \\r \\t, other control characters and every non-ASCII character as
    lowercase \\uXXXX (UTF-16 surrogate pairs beyond the BMP), DEL as is; an empty array or
    object as []."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _php_string(value)
    if isinstance(value, list):
        return "[" + ",".join(php_json_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "[]"
        return "{" + ",".join(_php_string(k) + ":" + php_json_encode(v) for k, v in value.items()) + "}"
    raise TypeError(type(value))


_SHORT = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _php_string(text: str) -> str:
    out = ['"']
    for ch in text:
        cp = ord(ch)
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif cp < 0x20:
            out.append(f"\\u{cp:04x}")
        elif cp < 0x80:
            out.append(ch)
        elif cp < 0x10000:
            out.append(f"\\u{cp:04x}")
        else:
            cp -= 0x10000
            out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
    out.append('"')
    return "".join(out)


# -- real PHP, the oracle of Billmate's signing (issue 15) -------------------------------------

PHP = shutil.which("php")
"""The `php` command when it is installed (CI installs Debian's php-cli: see .ci/run)."""

# Reads one job per line: {"json": <JSON text>, "key": <HMAC key>, "body": <a whole request or
# answer, optional>}; writes one answer per line. What Billmate's PHP does: json_decode (to
# arrays, as its class does), json_encode with default flags, hash_hmac('sha512', ..., key).
_PHP_ORACLE = r"""
while (($line = fgets(STDIN)) !== false) {
    $job = json_decode($line, true);
    $out = [];
    if (array_key_exists("json", $job)) {
        $text = json_encode(json_decode($job["json"], true));
        $out["text"] = $text;
        $out["hash"] = hash_hmac("sha512", $text, $job["key"]);
    }
    if (array_key_exists("body", $job)) {
        $document = json_decode($job["body"], true);
        $data = json_encode($document["data"]);
        $out["verifies"] = hash_equals(hash_hmac("sha512", $data, $job["key"]), (string) $document["credentials"]["hash"]);
    }
    if (array_key_exists("answer", $job)) {
        $data = json_decode($job["answer"], true);
        $out["signed"] = json_encode(["credentials" => ["hash" => hash_hmac("sha512", json_encode($data), $job["key"])], "data" => $data]);
    }
    echo json_encode($out), "\n";
}
"""


def php(jobs: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Run the jobs through real PHP, one process for all (see `_PHP_ORACLE`)."""
    assert PHP is not None, "php is not installed"
    lines = "".join(json.dumps(job) + "\n" for job in jobs)
    done = subprocess.run([PHP, "-r", _PHP_ORACLE], input=lines, capture_output=True, text=True, timeout=120, check=True)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(jobs), done.stderr
    return answers


# -- JSON Schema -------------------------------------------------------------------------------


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema's `pattern` with ECMA-262 semantics for our portable patterns: `$` is the end
    of the string (Python's `$` also matches before a final newline)."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string"):
        return
    compiled = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    if re.search(compiled, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _values_at(instance: Any, path: str) -> list[Any]:
    """The values at a rule path (`Cart.Total.withtax`, `Articles[].withouttax`), skipping what
    is absent or null, as the models' rule runtime does."""
    values = [instance]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step.removesuffix("[]")
        found = []
        for v in values:
            item = v.get(key) if isinstance(v, dict) else None
            if item is None:
                continue
            found.extend(item if many and isinstance(item, list) else [item])
        values = found
    return [v for v in values if v is not None]


def _x_rules(validator: Any, rules: Any, instance: Any, schema: Any) -> Any:
    """The cross-field rules JSON Schema cannot express (`x-rules`, written by the generator
    beside the schema): a sum rule says the value at `field` equals the sum of the values at
    `of`. Values of the wrong type are left to the other keywords."""
    from jsonschema.exceptions import ValidationError

    if not isinstance(instance, dict):
        return
    for rule in rules:
        assert rule["kind"] == "sum", rule
        totals = _values_at(instance, rule["field"])
        if not totals:
            continue
        parts = [v for term in rule["of"] for v in _values_at(instance, term)]
        numbers = [_amount(validator, v) for v in (totals[0], *parts)]
        # JSON Schema's integers include integral floats (1.0), and amounts may be given as
        # their digits; anything else is another keyword's error.
        if any(n is None for n in numbers):
            continue
        if numbers[0] != sum(n for n in numbers[1:] if n is not None):
            yield ValidationError(f"{rule['field']}: {rule['description']}")


def _amount(validator: Any, value: Any) -> Any:
    """The exact number a sum term holds: an integer (1.0 included, as JSON Schema counts it)
    or decimal text; None for anything else."""
    from decimal import Decimal

    if validator.is_type(value, "integer"):
        return Decimal(int(value))
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return Decimal(value)
    return None


EcmaValidator = extend(Draft202012Validator, {"pattern": _ecma_pattern, "x-rules": _x_rules})

FORMATS = FormatChecker(formats=())
FORMATS.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("local-date-time", raises=ValueError)
def _local_date_time(instance: object) -> bool:
    """Our schemas' non-standard format: an ISO date and time without offset that exists (the
    pattern checks the form; this the calendar)."""
    from datetime import datetime

    if not isinstance(instance, str):
        return True
    datetime.fromisoformat(instance.partition(".")[0])
    return True


def decode_example(provider: str, op: ir.Operation, ex: ir.Example, role: str, ctx: Any = None) -> Any:
    """The typed request or response of an example (after its mends), read without verifying
    signatures (the documents' example hashes are placeholders)."""
    svc = service(provider)
    wire = package(provider, "_wire")
    file = ex.request if role == "request" else ex.response
    assert file is not None
    raw = (SPECS / provider / file).read_bytes()
    if isinstance(svc.wire, ir.RestWire):
        body = json_text(json_mended(raw, ex.mends, None)).encode()
        if role == "request":
            return wire.decode_request_body(op.name, body)
        return getattr(wire, f"decode_{op.name}_response")(200, body)
    if isinstance(svc.wire, ir.JsonWire):
        key = next(m.key for m in svc.wire.body if m.source == "message")
        body = json_text(json_mended(raw, ex.mends, key)).encode()
        ctx = ctx or json_context(provider)
    else:
        element = svc.wire.request_element if role == "request" else svc.wire.response_element
        body = etree.tostring(mended(raw, ex.mends, element))
    if role == "request":
        return wire.decode_request(op.name, body, ctx)[1]
    return getattr(wire, f"decode_{op.name}_response")(body, ctx)


def json_context(provider: str, **overrides: Any) -> Any:
    """A JSON wire context of the default environment with placeholder credentials, not
    verifying signatures unless told."""
    svc = service(provider)
    assert isinstance(svc.wire, ir.JsonWire)
    wire = package(provider, "_wire")
    auth = package(provider, "_auth")
    credentials = overrides.pop("credentials", None) or auth.Credentials(
        **{c.name: "x" for c in svc.credentials if c.default is None}
    )
    env = next(e for e in svc.environments if e.default)
    values = dict(env.values)
    env_fields = {m.value: values[m.key] for m in svc.wire.credentials if m.source == "environment"}
    options = {"verify_signatures": False, **env_fields, **overrides}
    return wire.Context(credentials=credentials, **options)


@functools.cache
def schema_validator(provider: str, file_name: str) -> Any:
    schema = published_schemas(service(provider))[file_name]
    return EcmaValidator(schema, format_checker=FORMATS)


def canonical_request(svc: ir.Service, shape: ir.Shape, payload: Any) -> Any:
    """A request mapping with wire names as the published schema reads it: members given as
    the wire writes them (digits for a whole number, a DD-MM-YYYY date, a bool's wire form, an
    enum's wire value as a number, "" for an optional number or date) replaced by their
    canonical JSON values. An independent reading of what `_runtime.validation.wire_forms`
    promises, so the fuzz oracle can judge mappings written either way."""
    import datetime as _dt

    if isinstance(payload, list) and not payload and isinstance(svc.wire, ir.JsonWire):
        return {}
    if not isinstance(payload, dict):
        return payload
    out = dict(payload)
    for f in shape.fields:
        if f.wire not in payload or payload[f.wire] is None:
            continue
        value = payload[f.wire]
        t = f.type
        if isinstance(t, ir.ShapeRef):
            out[f.wire] = canonical_request(svc, svc.shape(t.shape), value)
            continue
        if isinstance(t, ir.ListOf):
            if isinstance(value, list) and isinstance(t.item, ir.ShapeRef):
                out[f.wire] = [canonical_request(svc, svc.shape(t.item.shape), v) for v in value]
            elif isinstance(value, list):
                out[f.wire] = [_canonical_scalar(svc, f, t.item, v, _dt) for v in value]
            continue
        converted = _canonical_scalar(svc, f, t, value, _dt)
        if converted is _ABSENT:
            del out[f.wire]
        else:
            out[f.wire] = converted
    return out


_ABSENT = object()


def _canonical_scalar(svc: ir.Service, f: ir.Field, t: Any, value: Any, _dt: Any) -> Any:
    if isinstance(t, ir.EnumRef):
        if value == "":
            return _ABSENT  # the wire's empty value of an optional member
        if isinstance(value, int) and not isinstance(value, bool):
            wires = {v.wire for v in svc.enum(t.enum).values}
            return str(value) if str(value) in wires else value
        return value
    if not isinstance(t, ir.Scalar) or isinstance(value, bool) or not isinstance(value, str):
        return value
    kind, params = t.kind, t.param_map
    text_kinds = ("string", "email", "country", "currency", "language", "url", "ip", "base64", "json")
    if value == "" and kind not in text_kinds:
        return _ABSENT
    if kind in ("int", "unix_time") and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if kind == "date":
        m = re.fullmatch(r"([0-9]{2})-([0-9]{2})-([0-9]{4})", value) if params.get("format") == "DD-MM-YYYY" else None
        if m:
            try:
                return _dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
            except ValueError:
                return value
        return value
    if kind == "bool":
        if value == params.get("wire_true"):
            return True
        if params.get("wire_false") is not None and value == params.get("wire_false"):
            return False
    return value


def examples(full: int) -> int:
    """Hypothesis examples for a property test: `full` under `make fuzz` (which sets
    FUZZ_EXAMPLES), a quarter of it (at least 50) in `make test`, which must stay within its
    five minutes on the shared 2-core machine (issue 18). The assertions are the same in both."""
    return full if os.environ.get("FUZZ_EXAMPLES") else max(50, full // 4)
