"""Typed parameters (issue 17, point 2): an operation whose request has no required field is
callable with no argument."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import PROVIDERS, ROOT, package, service


def _client_class(provider: str, asynchronous: bool = False) -> Any:
    name = service(provider).client
    return getattr(package(provider, "client"), ("Async" + name) if asynchronous else name)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_request_without_required_fields_may_be_left_out(provider: str) -> None:
    models = package(provider, "models")
    for op in service(provider).operations:
        model = getattr(models, op.request.name)
        optional = op.request.root is None and not any(f.required for f in op.request.fields)
        for asynchronous in (False, True):
            method = getattr(_client_class(provider, asynchronous), op.name)
            default = inspect.signature(method).parameters["request"].default
            assert (default is None) == optional, (provider, op.name, asynchronous)
            if optional:
                model()  # and the model can be built empty


@pytest.mark.parametrize(("provider", "operation"), [("billmate", "get_account_info"), ("billit", "list_orders")])
def test_called_with_no_argument_against_the_mock(provider: str, operation: str) -> None:
    mock = package(provider, "mock")
    credentials = dict(mock.EXAMPLE_CREDENTIALS)
    with mock.MockServer(**credentials) as server:
        with _client_class(provider)(**credentials, base_url=server.url) as client:
            assert getattr(client, operation)() is not None

        async def call() -> Any:
            async with _client_class(provider, True)(**credentials, base_url=server.url) as client:
                return await getattr(client, operation)()

        assert asyncio.run(call()) is not None


def test_mypy_strict_accepts_a_call_with_no_argument(tmp_path: Path) -> None:
    """The consumer's view: `get_account_info()` type-checks under mypy --strict (it demanded
    a request); a wrong argument type is still an error, so the check can fail."""
    good = tmp_path / "good.py"
    good.write_text(
        "from billmate_client import BillmateClient\n\n\n"
        "def use(client: BillmateClient) -> None:\n"
        "    client.get_account_info()\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from billmate_client import BillmateClient\n\n\n"
        "def use(client: BillmateClient) -> None:\n"
        "    client.get_account_info(42)\n"
    )
    cache = ["--cache-dir", str(ROOT / ".mypy_cache" / "consumer")]
    for script, passes in ((good, True), (bad, False)):
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", *cache, str(script)],
            cwd=ROOT / "generated" / "billmate",
            capture_output=True,
            text=True,
        )
        assert (done.returncode == 0) == passes, done.stdout
