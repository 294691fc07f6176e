"""Lint a provider's specs: the meta-schema first, then the semantic checks of `build.py`.

`lint_provider` returns the built `Service` (or None) and every problem found, each at its
`file:line:column`. A file that fails the meta-schema is not built further, so semantic
messages never describe data of the wrong shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from . import ir, protocols
from .build import build_service
from .load import Document, PathKey, Problem, ProviderSources, load_provider
from .metaschema import FILE_SCHEMAS, META_SCHEMA
from .naming import did_you_mean

_VALIDATORS: dict[str, Draft202012Validator] = {}


def _validator(ref: str) -> Draft202012Validator:
    if ref not in _VALIDATORS:
        schema = {"$defs": META_SCHEMA["$defs"], "$ref": ref}
        _VALIDATORS[ref] = Draft202012Validator(schema)
    return _VALIDATORS[ref]


def _wire_validator(protocol: protocols.Protocol) -> Draft202012Validator:
    key = "wire:" + protocol.NAME
    if key not in _VALIDATORS:
        _VALIDATORS[key] = Draft202012Validator(protocol.WIRE_SCHEMA)
    return _VALIDATORS[key]


def _is_field(node: dict[str, Any]) -> bool:
    """A field's mapping (its wire name or library reference is text; service.yaml's `wire:`
    section is a mapping, and service.yaml no field)."""
    return isinstance(node.get("wire"), str) or isinstance(node.get("use"), str)


def _context(doc: Document, path: PathKey) -> str:
    """A short label for the innermost named thing around `path` ("field 'BIRTHDATE': ")."""
    node: Any = doc.data
    labels: list[str] = []
    for key in path:
        if isinstance(node, dict):
            if _is_field(node):
                labels.append(f"field {node.get('wire') or node.get('use')!r}")
            elif "code" in node and "message" in node:
                labels.append(f"code {node['code']!r}")
            elif "kind" in node:
                labels.append(f"rule {node['kind']}")
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict):
        if _is_field(node):
            labels.append(f"field {node.get('wire') or node.get('use')!r}")
        elif "kind" in node:
            labels.append(f"rule {node['kind']}")
    return f"{labels[-1]}: " if labels else ""


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _split_text_hint(key: str) -> str:
    """A key with spaces or sentence punctuation is text that an unquoted comma split off."""
    if " " in key or key.endswith((".", ")", "!")):
        return "; an unquoted comma inside {...} starts a new key: quote the text before it"
    return ""


def _explain(doc: Document, error: ValidationError, prefix: PathKey = ()) -> list[Problem]:
    path: PathKey = prefix + tuple(error.absolute_path)
    ctx = _context(doc, path)
    key = path[-1] if path else None
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = best_match(error.context)
        return _explain(doc, deepest, prefix)
    if error.validator == "additionalProperties":
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = sorted(schema.get("properties", {}))
        extras = (
            [k for k in error.instance if k not in allowed]
            if isinstance(error.instance, dict)
            else []
        )
        return [
            doc.problem(
                path + (extra,),
                f"{ctx}unknown key {extra!r} (expected one of: {', '.join(allowed)})"
                + did_you_mean(extra, allowed)
                + _split_text_hint(extra),
                at_key=True,
            )
            for extra in extras
        ]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [doc.problem(path, f"{ctx}missing required key {missing!r}")]
    if error.validator == "enum":
        values = error.validator_value if isinstance(error.validator_value, list) else []
        choices = ", ".join(str(c) for c in values)
        hint = did_you_mean(error.instance, [c for c in values if isinstance(c, str)])
        if key == "type":
            return [
                doc.problem(
                    path,
                    f"{ctx}unknown type {error.instance!r} (expected one of: {choices}){hint}",
                )
            ]
        return [
            doc.problem(
                path, f"{ctx}{key!r} is {error.instance!r}; expected one of: {choices}{hint}"
            )
        ]
    if error.validator == "type":
        expected = error.validator_value
        expected_types = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected_types)
        hint = " (quote it)" if expected == "string" and error.instance is not None else ""
        return [doc.problem(path, f"{ctx}{key!r} must be {words}, not {error.instance!r}{hint}")]
    if error.validator == "pattern":
        meaning = error.schema.get("description") if isinstance(error.schema, dict) else None
        if meaning:
            return [doc.problem(path, f"{ctx}{key!r}: {error.instance!r} is not {meaning}")]
        return [
            doc.problem(
                path,
                f"{ctx}{key!r}: {error.instance!r} does not match the pattern "
                f"{error.validator_value!r}",
            )
        ]
    if error.validator == "not" and isinstance(error.instance, dict):
        return [doc.problem(path, f"{ctx}these keys cannot be used together here")]
    return [doc.problem(path, f"{ctx}{error.message}")]


def check_document(doc: Document, kind: str) -> list[Problem]:
    problems: list[Problem] = []
    for error in _validator(FILE_SCHEMAS[kind]).iter_errors(doc.data):
        problems.extend(_explain(doc, error))
    if (
        kind == "service"
        and isinstance(doc.data, dict)
        and isinstance(doc.data.get("protocol"), str)
    ):
        name = doc.data["protocol"]
        protocol = protocols.find(name)
        wire = doc.data.get("wire")
        if protocol is None:
            names = sorted(protocols.registry())
            problems.append(
                doc.problem(
                    ("protocol",),
                    f"unknown protocol {name!r} (expected one of: {', '.join(names)})"
                    + did_you_mean(name, names),
                )
            )
        elif wire is not None:
            for error in _wire_validator(protocol).iter_errors(wire):
                problems.extend(_explain(doc, error, ("wire",)))
    return problems


def _documents(sources: ProviderSources) -> Iterable[tuple[Document, str]]:
    for name in ("service", "fields", "shapes", "errors", "discrepancies", "changelog"):
        doc = getattr(sources, name)
        if doc is not None:
            yield doc, name
    for doc in sources.operations:
        yield doc, "operation"


def lint_sources(sources: ProviderSources) -> tuple[ir.Service | None, list[Problem]]:
    problems: list[Problem] = []
    for doc, kind in _documents(sources):
        if doc.data is None:
            continue
        problems.extend(check_document(doc, kind))
    if problems or any(doc.data is None for doc, _ in _documents(sources)):
        return None, problems
    service, semantic = build_service(sources)
    return service, semantic


def lint_provider(provider_dir: Path, root: Path) -> tuple[ir.Service | None, list[Problem]]:
    sources, problems = load_provider(provider_dir, root)
    if problems:
        return None, problems
    return lint_sources(sources)
