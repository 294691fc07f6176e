"""The generated READMEs say what the packages do: each callback section gives its parser's
real signature and the helper that makes a callback for the consumer's tests."""

from __future__ import annotations

import inspect

import pytest

from support import GENERATED, package, service

CALLBACKS = [
    (provider, cb.name)
    for provider in ("billink", "billit", "billmate", "inkassogram")
    for cb in service(provider).callbacks
]


@pytest.mark.parametrize("provider, name", CALLBACKS)
def test_readme_names_each_callback_parser_and_helper_as_they_are(provider: str, name: str) -> None:
    callbacks = package(provider, "callbacks")
    readme = (GENERATED / provider / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"`parse_{name}()`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    parser = inspect.signature(getattr(callbacks, f"parse_{name}"))
    first = [p for p in parser.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert f"`parse_{name}({', '.join(p.name for p in first)}" in section
    assert f"make_{name}(" in section and hasattr(callbacks, f"make_{name}")
    assert "| Python name |" in section and section.count("\n| `") >= 1, "the table is empty"
