"""The meta-schema every spec file is validated against (JSON Schema 2020-12).

It checks the shape of each file: which keys exist, their types, the allowed values of closed
vocabularies. Whether references resolve, names are legal and parameters suit their type is
checked afterwards, by `build.py`, which knows the whole provider.
"""

from __future__ import annotations

from typing import Any

from .kinds import ALL_PARAMS, ALL_TYPE_NAMES
from .versions import CLASSES, DATE_PATTERN, SEMVER_PATTERN

_STR = {"type": "string", "minLength": 1}
_TEXT = {"type": "string"}
_CODE = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_.-]+( [A-Za-z0-9_.-]+)*$"}
_LEDGER_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}
_LEDGER = {"oneOf": [_LEDGER_ID, {"type": "array", "items": _LEDGER_ID, "minItems": 1}]}
# Fragments the protocol modules use in the meta-schemas of their `wire:` sections.
STR, TEXT, LEDGER = _STR, _TEXT, _LEDGER
# `description` says in an error what a pattern stands for (lint's messages quote it).
_SEMVER = {
    "type": "string",
    "pattern": SEMVER_PATTERN,
    "description": "MAJOR.MINOR.PATCH (semantic versioning, e.g. 0.1.0)",
}
_DATE = {"type": "string", "pattern": DATE_PATTERN, "description": "a date YYYY-MM-DD"}
_CONDITION = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
        ]
    },
}

_FIELD_PROPERTIES: dict[str, Any] = {
    "wire": _STR,
    "name": _STR,
    "use": _STR,
    "type": {"enum": ALL_TYPE_NAMES},
    "required": {"type": "boolean"},
    "required_when": _CONDITION,
    "description": _TEXT,
    "note": _TEXT,
    "source": _TEXT,
    "ledger": _LEDGER,
    "codes": {
        "type": "object",
        "propertyNames": {"enum": ["missing", "invalid", "server"]},
        "additionalProperties": {
            "oneOf": [_CODE, {"type": "array", "items": _CODE, "minItems": 1}]
        },
    },
    # type parameters
    "enum": _STR,
    "shape": _STR,
    "of": _STR,
    "item_wire": _STR,
    "min_items": {"type": "integer", "minimum": 0},
    "max_items": {"type": "integer", "minimum": 1},
    "min_length": {"type": "integer", "minimum": 0},
    "max_length": {"type": "integer", "minimum": 1},
    "pattern": _STR,
    "pattern_description": _STR,
    "minimum": {"type": "integer"},
    "maximum": {"type": "integer"},
    "scale": {"type": "integer", "minimum": 0, "maximum": 18},
    "bits": {"enum": [32, 64]},
    "format": {"enum": ["DD-MM-YYYY", "YYYY-MM-DD"]},
    "wire_true": {"type": "string"},
    "wire_false": {"type": ["string", "null"]},
    "percent_encoded": {"type": "boolean"},
    "unit": _STR,  # what a money amount counts, for messages and docs
    "sent_uppercase": {"type": "boolean"},  # text normalised to upper case on the wire
    # Where a request field travels in a rest-json request (default: the JSON body).
    "in": {"enum": ["body", "path", "query", "header"]},
    # When the field is not given, the client sends the media type of another field's file name
    # (by its extension, from `types`); an unknown extension sends nothing.
    "fallback": {
        "type": "object",
        "required": ["mime_type_of", "types"],
        "properties": {
            "mime_type_of": _STR,
            "types": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "string", "pattern": "^[a-z]+/[A-Za-z0-9.+-]+$"},
            },
        },
        "additionalProperties": False,
    },
    "derived": {
        "type": "object",
        "required": ["digest", "of"],
        "properties": {"digest": {"enum": ["md5"]}, "of": _STR},
        "additionalProperties": False,
    },
}
assert set(ALL_PARAMS) <= set(_FIELD_PROPERTIES), set(ALL_PARAMS) - set(_FIELD_PROPERTIES)

_FIELD = {
    "type": "object",
    "properties": _FIELD_PROPERTIES,
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"not": {"anyOf": [{"required": ["use"]}, {"required": ["derived"]}]}},
            "then": {"required": ["wire", "name", "type"]},
        },
        {
            "if": {"required": ["derived"]},
            "then": {"required": ["wire"], "not": {"required": ["type"]}},
        },
    ],
}

_RULE = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {
            "enum": [
                "required_when",
                "forbidden_when",
                "required_unless",
                "exactly_one_of",
                "at_least_one_of",
                "pattern_when",
                "sum",
            ]
        },
        # required_unless: `field` is required unless `unless` (a field of the same object) is
        # given.
        "unless": _STR,
        "of": {"type": "array", "items": _STR, "minItems": 2},
        "in": _STR,
        "field": _STR,
        "fields": {"type": "array", "items": _STR, "minItems": 2},
        "when": _CONDITION,
        "pattern": _STR,
        "description": _STR,
        "code": _CODE,
        "ledger": _LEDGER,
    },
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"kind": {"enum": ["required_when", "forbidden_when"]}}},
            "then": {"required": ["field", "when"]},
        },
        {
            "if": {"properties": {"kind": {"const": "required_unless"}}},
            "then": {"required": ["field", "unless"], "not": {"required": ["when"]}},
        },
        {
            "if": {"properties": {"kind": {"enum": ["exactly_one_of", "at_least_one_of"]}}},
            "then": {"required": ["fields"]},
        },
        {
            "if": {"properties": {"kind": {"const": "pattern_when"}}},
            "then": {"required": ["field", "when", "pattern", "description"]},
        },
        {
            "if": {"properties": {"kind": {"const": "sum"}}},
            "then": {
                "required": ["field", "of", "description"],
                "not": {"anyOf": [{"required": ["in"]}, {"required": ["when"]}]},
            },
        },
    ],
}

_MESSAGE = {
    "type": "object",
    "required": ["name"],
    "oneOf": [{"required": ["fields"]}, {"required": ["root"]}],
    "properties": {
        "name": _STR,
        "description": _TEXT,
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
        "root": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": ["list", "string", "int", "object"]},
                "of": _STR,
                "name": _STR,
                "description": _TEXT,
            },
            "additionalProperties": False,
        },
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        "extra_fields": {
            "type": "object",
            "required": ["fields", "ledger"],
            "properties": {
                "ledger": _LEDGER,
                "fields": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["wire", "description"],
                        "properties": {"wire": _STR, "description": _STR},
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

_EDIT = {
    "type": "object",
    "required": ["ledger"],
    "properties": {
        "path": _STR,
        "from": _TEXT,
        "to": _TEXT,
        "find": {"type": "string", "minLength": 1},
        "replace": _TEXT,
        "attribute": _STR,
        "drop": {"const": True},
        # A member the client adds (JSON protocols): `path` gets the text `add`.
        "add": _STR,
        "ledger": _LEDGER,
    },
    "additionalProperties": False,
    "oneOf": [
        {
            "required": ["path", "add"],
            "not": {
                "anyOf": [{"required": ["drop"]}, {"required": ["from"]}, {"required": ["find"]}]
            },
        },
        {
            "required": ["path", "from", "to"],
            "not": {
                "anyOf": [{"required": ["drop"]}, {"required": ["find"]}, {"required": ["add"]}]
            },
        },
        {
            "required": ["path", "drop"],
            "not": {
                "anyOf": [{"required": ["from"]}, {"required": ["find"]}, {"required": ["add"]}]
            },
        },
        {
            "required": ["attribute", "drop"],
            "not": {"anyOf": [{"required": ["path"]}, {"required": ["find"]}]},
        },
        {
            "required": ["find", "replace"],
            "not": {"anyOf": [{"required": ["path"]}, {"required": ["attribute"]}]},
        },
    ],
}

_EXAMPLE = {
    "type": "object",
    "required": ["name", "title"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "title": _STR,
        "request": _STR,
        "response": _STR,
        "outcome": _STR,
        "error": _CODE,
        "mend": {"type": "array", "items": _EDIT},
        "normalise": {"type": "array", "items": _EDIT},
        "fragment": {"type": "boolean"},
        "ledger": _LEDGER,
    },
    "additionalProperties": False,
    "anyOf": [{"required": ["request"]}, {"required": ["response"]}],
}

_OUTCOME = {
    "type": "object",
    "required": ["code", "name", "description"],
    "properties": {
        "code": {"oneOf": [_CODE, {"type": "null"}]},
        "name": _STR,
        "description": _TEXT,
        "returns": {"type": "object", "additionalProperties": _STR},
        "item_success": {"type": "array", "items": _CODE, "minItems": 1},
    },
    "additionalProperties": False,
}

_ENUM = {
    "type": "object",
    "required": ["name", "values"],
    "properties": {
        "name": _STR,
        "description": _TEXT,
        "values": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["wire", "name"],
                "properties": {"wire": {"type": "string"}, "name": _STR, "description": _TEXT},
                "additionalProperties": False,
            },
        },
        "decode_aliases": {"type": "object", "additionalProperties": {"type": "string"}},
        "ledger": _LEDGER,
    },
    "additionalProperties": False,
}

_SHAPE = {
    "type": "object",
    "required": ["name", "fields"],
    "properties": {
        "name": _STR,
        "description": _TEXT,
        "source": _TEXT,
        "fields": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/field"}},
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
    },
    "additionalProperties": False,
}

META_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "field": _FIELD,
        "rule": _RULE,
        "service": {
            "type": "object",
            "required": [
                "provider",
                "title",
                "source",
                "summary",
                "package",
                "client",
                "error_prefix",
                "version",
                "operations",
                "protocol",
                "wire",
                "environments",
                "credentials",
            ],
            "properties": {
                "provider": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "title": _STR,
                "api_version": _STR,
                "source": _STR,
                "document_date": _STR,
                "summary": _STR,
                "package": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "client": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*Client$"},
                "error_prefix": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                "version": _SEMVER,
                "operations": {"type": "array", "items": _STR, "minItems": 1, "uniqueItems": True},
                "protocol": _STR,  # one of generator.protocols (lint says which)
                "examples_not_vectors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["file", "ledger"],
                        "properties": {
                            "file": {"type": "string", "pattern": "^examples/"},
                            "ledger": _LEDGER,
                        },
                        "additionalProperties": False,
                    },
                },
                "test_data": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "usage", "values"],
                        "properties": {
                            "title": _STR,
                            "usage": _STR,
                            "values": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "additionalProperties": False,
                    },
                },
                "wire": {"type": "object"},
                "auth": {
                    # Which credentials a client needs: exactly one of `one_of` (e.g. an API key
                    # or an OAuth access token).
                    "type": "object",
                    "required": ["one_of", "description"],
                    "properties": {
                        "one_of": {
                            "type": "array",
                            "items": _STR,
                            "minItems": 2,
                            "uniqueItems": True,
                        },
                        "description": _STR,
                        "ledger": _LEDGER,
                    },
                    "additionalProperties": False,
                },
                "environments": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["name", "url"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                            "url": {"type": "string", "pattern": "^https://[^\\s]+[^/]$"},
                            "default": {"type": "boolean"},
                            "description": _TEXT,
                            "values": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "additionalProperties": False,
                    },
                },
                "credentials": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "description"],
                        "properties": {
                            "name": _STR,
                            "wire": _STR,
                            "secret": {"type": "boolean"},
                            "optional": {"type": "boolean"},
                            "default": {"type": "string"},
                            "description": _TEXT,
                        },
                        "additionalProperties": False,
                    },
                },
                "mock": {
                    "type": "object",
                    "description": "Error codes the generated mock server answers with.",
                    "properties": {
                        "unauthorized": {
                            "type": "string",
                            "description": "wrong or missing credentials",
                        },
                        "invalid": {
                            "type": "string",
                            "description": "a refused request whose field names no code",
                        },
                        "state": {
                            "type": "array",
                            "description": "Values the mock hands out and later requests must "
                            "quote.",
                            "items": {
                                "type": "object",
                                "required": [
                                    "name",
                                    "description",
                                    "issued_by",
                                    "used_by",
                                    "unknown",
                                ],
                                "properties": {
                                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                                    "description": _STR,
                                    # {operation: wire path in its answer}
                                    # ("." for the whole answer)
                                    "issued_by": {
                                        "type": "object",
                                        "minProperties": 1,
                                        "maxProperties": 1,
                                        "additionalProperties": {"type": "string"},
                                    },
                                    # {operation: wire path in its request}
                                    "used_by": {
                                        "type": "object",
                                        "minProperties": 1,
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "unknown": {
                                        "type": "string",
                                        "description": "code for a value never handed out",
                                    },
                                    "used_twice": {
                                        "type": "string",
                                        "description": "code for a second use (one use only)",
                                    },
                                    # rest-json: the issuing request creates a resource the
                                    # others read, patch, delete, list
                                    "resource": {
                                        "type": "object",
                                        "required": ["id"],
                                        "properties": {
                                            "id": _STR,
                                            "read_by": {"type": "array", "items": _STR},
                                            "patched_by": {"type": "array", "items": _STR},
                                            "deleted_by": {"type": "array", "items": _STR},
                                            "listed_by": {
                                                "type": "object",
                                                "additionalProperties": {"type": "string"},
                                            },
                                        },
                                        "additionalProperties": False,
                                    },
                                    "ledger": {"oneOf": [_STR, {"type": "array", "items": _STR}]},
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
                "notes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "text"],
                        "properties": {"title": _STR, "text": _STR},
                        "additionalProperties": False,
                    },
                },
                "callbacks": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "title", "source", "method", "description"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                            "title": _STR,
                            "source": _STR,
                            "method": {"enum": ["GET", "POST"]},
                            "description": _STR,
                            "body": {
                                "enum": ["query", "signed-json", "signed-form", "signed-header"]
                            },
                            "message": _STR,
                            "signature": {
                                # signed-header: a header `t=<unix time>,s=<hex>` whose HMAC is
                                # over `over` ("{timestamp}.{body}": the raw body bytes).
                                "type": "object",
                                "required": [
                                    "header",
                                    "algorithm",
                                    "timestamp",
                                    "value",
                                    "over",
                                    "tolerance",
                                ],
                                "properties": {
                                    "header": _STR,
                                    "algorithm": {"enum": ["hmac-sha256"]},
                                    "timestamp": _STR,
                                    "value": _STR,
                                    "over": {"const": "{timestamp}.{body}"},
                                    "tolerance": {"type": "integer", "minimum": 1},
                                    "ledger": _LEDGER,
                                },
                                "additionalProperties": False,
                            },
                            "params": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"$ref": "#/$defs/field"},
                            },
                            "example": _STR,
                            "example_file": {"type": "string", "pattern": "^examples/"},
                            "ledger": _LEDGER,
                        },
                        "additionalProperties": False,
                        "if": {
                            "properties": {
                                "body": {"enum": ["signed-json", "signed-form", "signed-header"]}
                            },
                            "required": ["body"],
                        },
                        "then": {"required": ["message"]},
                        "else": {"required": ["params"]},
                    },
                },
            },
            "additionalProperties": False,
        },
        "fields_file": {
            "type": "object",
            "properties": {
                "enums": {"type": "array", "items": _ENUM},
                "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
            },
            "additionalProperties": False,
        },
        "shapes_file": {
            "type": "object",
            "required": ["shapes"],
            "properties": {"shapes": {"type": "array", "items": _SHAPE}},
            "additionalProperties": False,
        },
        "errors_file": {
            "type": "object",
            "required": ["tables"],
            "properties": {
                "tables": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "title", "source", "codes"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                            "title": _STR,
                            "source": _STR,
                            "description": _TEXT,
                            "inferred": {"type": "boolean"},
                            "codes": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["code", "name", "message"],
                                    "properties": {
                                        "code": _CODE,
                                        "name": _STR,
                                        "message": _STR,
                                        "gloss": _STR,
                                        "hint": _STR,
                                        "duplicate": {"const": True},
                                        "outcome": _STR,
                                        "ledger": _LEDGER,
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                }
            },
            "additionalProperties": False,
        },
        "discrepancies_file": {
            "type": "object",
            "required": ["discrepancies"],
            "properties": {
                "discrepancies": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "where", "document_says", "decision"],
                        "properties": {
                            "id": _LEDGER_ID,
                            "where": _STR,
                            "document_says": _STR,
                            "other_says": _STR,
                            "decision": _STR,
                            "status": {"enum": ["decided", "open", "assumption"]},
                        },
                        "additionalProperties": False,
                    },
                }
            },
            "additionalProperties": False,
        },
        "changelog_file": {
            # The package's history, oldest release first; `generator diff --record` appends.
            "type": "object",
            "required": ["releases"],
            "properties": {
                "releases": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["version", "date"],
                        "properties": {
                            "version": _SEMVER,
                            "date": _DATE,
                            "note": _STR,
                            "changes": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["class", "what", "change"],
                                    "properties": {
                                        "class": {"enum": list(CLASSES)},
                                        "what": _STR,
                                        "change": _STR,
                                        "why": _TEXT,
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                }
            },
            "additionalProperties": False,
        },
        "operation_file": {
            "type": "object",
            "required": [
                "name",
                "title",
                "path",
                "source",
                "summary",
                "request",
                "response",
                "outcomes",
                "errors",
            ],
            "properties": {
                "name": _STR,
                "title": _STR,
                "path": {
                    "type": "string",
                    "pattern": "^(/([A-Za-z0-9_.-]|\\{[A-Za-z][A-Za-z0-9_]*\\})*)*$",
                },
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                "paging": {
                    # A list answer split in pages: `items` holds a page, `next_link` the URL of
                    # the next one (absent on the last); `skip` / `top` are the query fields.
                    "type": "object",
                    "required": ["items", "next_link", "skip", "top", "page_size"],
                    "properties": {
                        "items": _STR,
                        "next_link": _STR,
                        "skip": _STR,
                        "top": _STR,
                        "page_size": {"type": "integer", "minimum": 1},
                        "ledger": _LEDGER,
                    },
                    "additionalProperties": False,
                },
                "filter": {
                    # A typed builder for an OData filter / order-by query field.
                    "type": "object",
                    "required": ["param", "class", "properties"],
                    "properties": {
                        "param": _STR,
                        "order_by": _STR,
                        "class": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                        "source": _STR,
                        "ledger": _LEDGER,
                        "properties": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["path", "name", "type"],
                                "properties": {
                                    "path": {
                                        "type": "string",
                                        "pattern": "^[A-Za-z][A-Za-z0-9]*(/[A-Za-z][A-Za-z0-9]*)*$",
                                    },
                                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                                    "type": {
                                        "enum": ["string", "int", "decimal", "bool", "date", "enum"]
                                    },
                                    "enum": _STR,
                                    "description": _TEXT,
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
                "source": _STR,
                "summary": _STR,
                "description": _TEXT,
                "constants": {"type": "object", "additionalProperties": {"type": "string"}},
                "request": _MESSAGE,
                "response": _MESSAGE,
                "outcomes": {"type": "array", "minItems": 1, "items": _OUTCOME},
                "errors": _STR,
                "examples": {"type": "array", "items": _EXAMPLE},
                "ledger": _LEDGER,
                "text_answer": {
                    # The answer may be the text itself rather than the protocol's document
                    # (Billmate's getTerms): only for a response whose root is a string.
                    "type": "object",
                    "required": ["ledger"],
                    "properties": {"ledger": _LEDGER},
                    "additionalProperties": False,
                },
                "retry": {
                    "type": "object",
                    "required": ["on", "attempts", "idempotency"],
                    "properties": {
                        "on": {"enum": ["timeout"]},
                        "attempts": {"type": "integer", "minimum": 2, "maximum": 5},
                        "idempotency": _STR,
                        "ledger": _LEDGER,
                    },
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
    },
}

# Which definition each kind of spec file is checked against.
FILE_SCHEMAS = {
    "service": "#/$defs/service",
    "fields": "#/$defs/fields_file",
    "shapes": "#/$defs/shapes_file",
    "errors": "#/$defs/errors_file",
    "discrepancies": "#/$defs/discrepancies_file",
    "changelog": "#/$defs/changelog_file",
    "operation": "#/$defs/operation_file",
}
