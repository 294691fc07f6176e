# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Turn pydantic's validation errors into `Issue`s that name the wire path and the rule."""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .rules import RuleViolations


@dataclass(frozen=True)
class Issue:
    """One reason a request was refused before sending.

    `path` is the wire path (``ITEMS[1].PRICEINCL``; empty for the message itself), `rule` what
    was broken (``missing``, ``string_too_long``, ``required_when``, ...), `code` the provider's
    error code the check mirrors, where the document gives one.
    """

    path: str
    rule: str
    message: str
    code: str | None = None
    name: str | None = None
    """The Python path of the same place (``items[1].price_incl``), where it differs."""

    def __str__(self) -> str:
        where = self.path or "(message)"
        if self.name and self.name != self.path:
            where = f"{self.name} ({where})"
        return f"{where}: {self.message} [{self.rule}]"


M = TypeVar("M", bound=BaseModel)


def answer(model: type[M], data: object) -> M:
    """`model` validated from the decoded data of an answer or callback, which is keyed by
    wire names: a member that carries a field's Python name instead is not that field (it is
    ignored, as any undocumented member is). pydantic's validator is called directly: what
    `model_validate` adds (argument checks) costs about 0.4 us an answer. Raises
    ValidationError, as `model_validate` does."""
    validated: M = model.__pydantic_validator__.validate_python(data, by_name=False)
    return validated


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[OrderItem] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated or origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def paths(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """``("items", 1, "PRICEINCL")`` -> ``("items[1].price_incl", "ITEMS[1].PRICEINCL")``: the
    Python path and the wire path of one place, whichever names `loc` uses."""
    python = wire = ""
    for part in loc:
        if isinstance(part, int):
            python += f"[{part}]"
            wire += f"[{part}]"
            continue
        name = alias = part
        if model is not None:
            fields = model.model_fields
            found = next(((n, f) for n, f in fields.items() if part in (n, f.alias)), None)
            if found is not None:
                name, alias = found[0], found[1].alias or found[0]
                model = _model_in(found[1].annotation)
            else:
                model = None
        python += f".{name}" if python else name
        wire += f".{alias}" if wire else alias
    return python, wire


def wire_path(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """``("items", 1, "price_incl")`` -> ``"ITEMS[1].PRICEINCL"``, whichever names were used."""
    return paths(model, loc)[1]


_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _parts(path: str) -> tuple[int | str, ...]:
    """``"ITEMS[1].PRICEINCL"`` -> ``("ITEMS", 1, "PRICEINCL")``."""
    return tuple(int(i) if i else name for i, name in _PART.findall(path))


def issues(exc: ValidationError, model: type[BaseModel]) -> list[Issue]:
    found: list[Issue] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, RuleViolations):
            for v in cause.violations:
                name, path = paths(model, loc + _parts(v.path))
                found.append(Issue(path, v.rule, v.message, v.code, name))
            continue
        name, path = paths(model, loc)
        found.append(Issue(path, error["type"], error["msg"], name=name))
    return found


def wire_forms(data: object, shape: Any, empty_list_is_object: bool = False) -> object:
    """A mapping keyed by wire names, its values given as the wire writes them (the text of a
    document's example: ``"WORKFLOWNUMBER": "1"``, ``"BIRTHDATE": "01-01-1985"``, an enum's
    ``1``), read into typed values as the wire's own reader reads them. `shape` is the
    request's decoding table (its `fields` map wire names to readers). `empty_list_is_object`:
    an empty list given for a structure is an empty one, as PHP's json_encode writes it (on a
    wire whose senders are PHP; elsewhere it is left for the model to refuse).

    Strict all the same: a value the reader refuses, and every float, is left as it is for the
    model to refuse with its own message; keys that are not wire names (Python names) are left
    alone."""
    if isinstance(data, list) and not data and empty_list_is_object:
        return {}  # an empty object as PHP's json_encode writes it
    if not isinstance(data, typing.Mapping):
        return data
    fields = shape.fields
    out: dict[object, object] | None = None  # copied on the first value that reads otherwise
    for key, value in data.items():
        if value is None or value.__class__ is str and getattr(fields.get(key), "is_text", True):
            continue  # text is read as it is (and a key that is no wire name is left alone)
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            continue
        if value == "" and type(spec).__name__ == "Leaf":
            try:
                read = spec.decode("")
            except (ValueError, TypeError):
                # the wire's empty value of an optional number, date or flag: absent
                out = dict(data) if out is None else out
                del out[key]
                continue
        else:
            read = _wire_form(value, spec, empty_list_is_object)
        if read is not value:
            out = dict(data) if out is None else out
            out[key] = read
    if out is None:
        return data if isinstance(data, dict) else dict(data)
    return out


def _wire_form(value: object, spec: Any, empty_list_is_object: bool) -> object:
    kind = type(spec).__name__  # the protocol runtime's Leaf, Node or Many
    if kind == "Node":
        return wire_forms(value, spec.shape, empty_list_is_object)
    if kind == "Many":
        if not isinstance(value, list):
            return value
        read = [_wire_form(item, spec.item, empty_list_is_object) for item in value]
        return value if all(a is b for a, b in zip(read, value, strict=True)) else read
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value  # typed already, or a float (never money: the model refuses it)
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, int) and spec.is_text:
        return value  # a number where text is expected is not the wire's text: no guessing
    try:
        read = spec.decode(text)
    except (ValueError, TypeError):
        return value
    if read.__class__ is bool and value is not text:
        return value  # a number for a flag is no wire text ("1" is; 1 is not): no guessing
    return read
