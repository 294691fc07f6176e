"""Typed parameters (issue 17, point 2): an operation whose request has no required field is
callable with no argument."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from support import PROVIDERS, package, service


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
