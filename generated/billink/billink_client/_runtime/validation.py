# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Turn pydantic's validation errors into `Issue`s that name the wire path and the rule."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

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

    def __str__(self) -> str:
        where = self.path or "(message)"
        return f"{where}: {self.message} [{self.rule}]"


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


def wire_path(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """``("items", 1, "price_incl")`` -> ``"ITEMS[1].PRICEINCL"``, whichever names were used."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        name = part
        if model is not None:
            fields = model.model_fields
            info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
            if info is not None:
                name = info.alias or part
                model = _model_in(info.annotation)
            else:
                model = None
        out += f".{name}" if out else name
    return out


def issues(exc: ValidationError, model: type[BaseModel]) -> list[Issue]:
    found: list[Issue] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, RuleViolations):
            prefix = wire_path(model, loc)
            for v in cause.violations:
                path = f"{prefix}.{v.path}" if prefix else v.path
                found.append(Issue(path, v.rule, v.message, v.code))
            continue
        found.append(Issue(wire_path(model, loc), error["type"], error["msg"]))
    return found
