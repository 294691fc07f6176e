"""The floor of the request and response paths: what the same work costs with no generator.

Pydantic validation of the payload by plain models that datamodel-code-generator makes from
the same published JSON Schemas (default options), then a hand-written encoder: string joins
for XML, `json.dumps` shaped like PHP's `json_encode` plus HMAC-SHA512 for Billmate, plain
`json.dumps` for Billit. The encoders walk the validated model in field order and write what
the document's envelope needs; `run.py` checks that they produce the same document as the
generated client before timing anything. Answers (end of this file): the same parse as the
bare baseline, a hand-written reading into the wire dict, the plain model, the signature check.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.util
import json
import sys
import time
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"


def _generated(provider: str, schema: str, output: str, prefix: str, **options: Any) -> Any:
    """The module datamodel-code-generator makes from generated/<provider>/schemas/<schema>
    with `output` (a DataModelType name) and `options`, imported; its root class is `Root`."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType

    text = (ROOT / "generated" / provider / "schemas" / schema).read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. constraints msgspec.Meta cannot carry
        source = generate(
            text,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType[output],
            class_name="Root",
            disable_timestamp=True,
            **options,
        )
    assert isinstance(source, str)
    WORK.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}_{provider}_{schema.split('.')[0]}"
    path = WORK / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def plain_model(provider: str, schema: str) -> type[BaseModel]:
    """The root model datamodel-code-generator makes from generated/<provider>/schemas/<schema>
    (default options; no email-validator here: e-mail addresses are plain strings to the floor).
    Made once per schema: the request cases, the answers and the bounds all ask for them."""
    model = _generated(provider, schema, "PydanticV2BaseModel", "floor", type_mappings=["string+email=string"]).Root
    model.model_rebuild()
    return model  # type: ignore[no-any-return]


def msgspec_struct(provider: str, schema: str) -> type:
    """The root msgspec Struct datamodel-code-generator makes from the same published schema
    (its msgspec output): the answer types another architecture would give consumers."""
    return _generated(provider, schema, "MsgspecStruct", "msgspec").Root  # type: ignore[no-any-return]


def _wire_items(model: BaseModel) -> list[tuple[str, Any]]:
    """(wire name, value) of the fields that are set, in schema order."""
    out = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is not None:
            out.append((field.alias or name, value))
    return out


def _text(value: Any, date_format: str = "%Y-%m-%d") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "value"):  # an enum
        return _text(value.value)
    if isinstance(value, date):
        return value.strftime(date_format)
    return str(value)


# -- XML -----------------------------------------------------------------------------------
def xml_elements(model: BaseModel, out: list[str], item_names: dict[str, str], date_format: str) -> None:
    for wire, value in _wire_items(model):
        if isinstance(value, list):
            inner = item_names[wire]
            out.append(f"<{wire}>")
            for item in value:
                out.append(f"<{inner}>")
                xml_elements(item, out, item_names, date_format)
                out.append(f"</{inner}>")
            out.append(f"</{wire}>")
        elif isinstance(value, BaseModel):
            out.append(f"<{wire}>")
            xml_elements(value, out, item_names, date_format)
            out.append(f"</{wire}>")
        else:
            out.append(f"<{wire}>{escape(_text(value, date_format))}</{wire}>")


def billink_order(model: BaseModel, username: str, client_id: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<API>',
        "<VERSION>BILLINK2.0</VERSION>",
        f"<CLIENTUSERNAME>{escape(username)}</CLIENTUSERNAME>",
        f"<CLIENTID>{escape(client_id)}</CLIENTID>",
        "<ACTION>order</ACTION>",
    ]
    xml_elements(model, out, {"ITEMS": "ITEM"}, "%d-%m-%Y")
    out.append("</API>")
    return "".join(out).encode("utf-8")


def inkassogram_invoice(model: BaseModel) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<methodCall xmlns="https://api.inkassogram.se/API/createInvoiceBookkeeping">'
        "<methodName>createInvoice</methodName><request>"
    ]
    xml_elements(model, out, {"invoiceRows": "row"}, "%Y-%m-%d")
    out.append("</request></methodCall>")
    return "".join(out).encode("utf-8")


# -- JSON ----------------------------------------------------------------------------------
def _plain(value: Any, numbers_as_strings: bool) -> Any:
    if isinstance(value, BaseModel):
        return {wire: _plain(v, numbers_as_strings) for wire, v in _wire_items(value)}
    if isinstance(value, list):
        return [_plain(v, numbers_as_strings) for v in value]
    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) and numbers_as_strings:  # PHP-style flags
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value) if numbers_as_strings else value
    return value


def php_json(value: Any) -> str:
    """PHP's json_encode of string-only data: no spaces, `\\/`, non-ASCII as \\uXXXX."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def billmate_add_payment(model: BaseModel, merchant_id: str, key: str) -> bytes:
    data = php_json(_plain(model, numbers_as_strings=True))
    signature = hmac.new(key.encode(), data.encode(), hashlib.sha512).hexdigest()
    credentials = php_json(
        {"id": merchant_id, "hash": signature, "version": "2.1.7", "client": "billmate_client:0.1.0",
         "language": "sv", "time": f"{time.time():.4f}", "test": "true"}
    )
    return ('{"credentials":' + credentials + ',"data":' + data + ',"function":"addPayment"}').encode()


class _Number(float):
    """A decimal written exactly as the shop gave it (json.dumps calls float.__repr__)."""

    def __new__(cls, text: str) -> _Number:
        number = super().__new__(cls, text)
        number.text = text  # type: ignore[attr-defined]
        return number

    def __repr__(self) -> str:
        return self.text  # type: ignore[attr-defined,no-any-return]


# The decimal members of a Billit order line that travel as JSON numbers.
_BILLIT_NUMBERS = {"Quantity", "UnitPriceExcl", "UnitPriceIncl", "VATPercentage", "DiscountPercentage", "TotalExcl", "TotalIncl", "TotalVAT"}


def _billit_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _Number(v) if k in _BILLIT_NUMBERS and isinstance(v, str) else _billit_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_billit_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return _Number(format(value, "f"))
    return value


def billit_order(model: BaseModel) -> bytes:
    return json.dumps(_billit_numbers(_plain(model, numbers_as_strings=False)), separators=(",", ":")).encode()


# -- answers -------------------------------------------------------------------------------
# The floor of the response path: the same hardened parse as the bare baseline, a hand-written
# reading of the parsed document into the wire-keyed dict the plain model takes, the plain
# model's validation, and for Billmate the HMAC-SHA512 check over the data as PHP encodes it.
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_dict(element: Any, lists: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        tag = _local(child.tag)
        if tag in lists:
            out[tag] = [_xml_dict(item, lists) for item in child]
        elif len(child):
            out[tag] = _xml_dict(child, lists)
        else:
            out[tag] = child.text or ""
    return out


def xml_answer(parse: Any, model: type[BaseModel], body: bytes, message: str | None, lists: frozenset[str]) -> BaseModel:
    """Parse with `parse`, read the root (or its child named `message`), validate."""
    root = parse(body)
    if message is not None:
        root = next(child for child in root if _local(child.tag) == message)
    return model.model_validate(_xml_dict(root, lists))


def billmate_answer(model: type[BaseModel], body: bytes, key: bytes) -> BaseModel:
    document = json.loads(body)
    data = document["data"]
    expected = hmac.new(key, php_json(data).encode(), hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected, str(document["credentials"]["hash"])):
        raise ValueError("the answer's signature does not match")
    return model.model_validate(data)


def billit_answer(model: type[BaseModel], body: bytes) -> BaseModel:
    return model.model_validate(json.loads(body, parse_float=Decimal))
