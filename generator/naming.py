"""Names: case conversions and the legality checks that the linter applies to them."""

from __future__ import annotations

import keyword
import re

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")

# Names that would shadow something the generated code relies on.
RESERVED_ATTRIBUTES = frozenset(
    {"model_config", "model_fields", "model_computed_fields", "model_extra", "model_fields_set"}
)


def is_snake(name: str) -> bool:
    return bool(_SNAKE.match(name)) and not keyword.iskeyword(name)


def is_pascal(name: str) -> bool:
    return bool(_PASCAL.match(name))


def pascal(name: str) -> str:
    """`start_workflow` / `start-workflow` -> `StartWorkflow`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", name) if part)


def constant(name: str) -> str:
    """`private` -> `PRIVATE`, `factor_1_06` -> `FACTOR_1_06`."""
    return name.upper()
