"""Helpers shared by the tests: the IR of each provider, its generated package, XML comparison."""

from __future__ import annotations

import functools
import importlib
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft202012Validator
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
    text = raw.decode("utf-8")
    for edit in edits:
        if edit.kind == "replace":
            assert text.count(edit.old) == 1, f"mend {edit.old!r} found {text.count(edit.old)} times"
            text = text.replace(edit.old, edit.new)
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


EcmaValidator = extend(Draft202012Validator, {"pattern": _ecma_pattern})


@functools.cache
def schema_validator(provider: str, file_name: str) -> Any:
    schema = published_schemas(service(provider))[file_name]
    return EcmaValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
