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


PROVIDERS = ("billink", "billit", "billmate", "inkassogram")


def _section(readme: str, heading: str) -> str:
    return readme.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_lists_every_error_class_with_when_it_is_raised(provider: str) -> None:
    errors = package(provider, "errors")
    readme = (GENERATED / provider / "README.md").read_text(encoding="utf-8")
    table = _section(readme, "## Errors")
    classes = [
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    ]
    assert classes
    for name in classes:
        assert f"`{name}`" in table, f"{name} is not in the README's error table"
    assert "| Class | Base | When raised |" in table


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_settings_table_gives_the_clients_real_defaults(provider: str) -> None:
    client_class = getattr(package(provider), service(provider).client)
    readme = (GENERATED / provider / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Timeouts, retries and the deadline.**", 1)[1].split("\n\n", 2)[1]
    params = inspect.signature(client_class).parameters
    for name in ("timeout", "deadline", "connect_retries", "max_response_bytes"):
        default = params[name].default
        shown = default.read if name == "timeout" else default
        assert f"| `{name}` | `{shown:g}`" in table if isinstance(shown, float) else (
            f"| `{name}` | `{shown}`" in table
        ), (name, default)
    if "max_retries" in params:
        assert f"| `max_retries` | `{params['max_retries'].default}` |" in table


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_names_the_mock_outcomes_and_how_to_force_them(provider: str) -> None:
    readme = (GENERATED / provider / "README.md").read_text(encoding="utf-8")
    mock = _section(readme, "## Mock server")
    assert 'RequestOptions(extra_headers={"X-Mock-Outcome": "' in mock
    for op in service(provider).operations:
        row = next(line for line in mock.splitlines() if line.startswith(f"| `{op.name}` |"))
        for outcome in op.outcomes:
            assert f"`{outcome.name}`" in row, (op.name, outcome.name)


def test_the_documented_transport_defaults_are_the_runtime_s() -> None:
    """The docs read the transport's defaults from its source (the generator does not import
    httpx); they must be the values the imported runtime uses."""
    from generator.runtime import transport
    from generator.view.docs import transport_defaults

    read = transport_defaults()
    assert (read.read, read.connect) == (transport.DEFAULT_TIMEOUT.read, transport.DEFAULT_TIMEOUT.connect)
    assert read.deadline == transport.DEFAULT_DEADLINE
    assert read.connect_retries == transport.DEFAULT_CONNECT_RETRIES
    assert read.max_response_bytes == transport.DEFAULT_MAX_RESPONSE_BYTES


def test_generate_does_not_import_httpx() -> None:
    """httpx is the packages' dependency, not the generator's: loading it cost ~75 ms of each
    `make generate` (a twentieth of the maintainer's one-field loop)."""
    import subprocess
    import sys

    from support import ROOT

    code = (
        "import runpy, sys\n"
        "sys.argv = ['generator', 'check']\n"
        "try:\n    runpy.run_module('generator', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('httpx' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr
