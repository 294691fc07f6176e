"""Formatting of generated Python files with black, in-process."""

from __future__ import annotations

import black
from black.mode import TargetVersion
from black.parsing import InvalidInput

LINE_LENGTH = 100
_MODE = black.Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)


def format_python(source: str, name: str) -> str:
    try:
        return black.format_str(source, mode=_MODE)
    except InvalidInput as exc:  # a template produced invalid Python: a generator bug
        raise ValueError(f"{name}: generated code is not valid Python: {exc}") from exc
