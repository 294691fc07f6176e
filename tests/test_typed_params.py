"""Typed parameters (issue 17, point 2): an operation whose request has no required field is
callable with no argument."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import typing
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
            # with a keyword form, the first overload says whether the request may be left out
            forms = typing.get_overloads(method) or [method]
            default = inspect.signature(forms[0]).parameters["request"].default
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


# -- the request's fields as keyword arguments, typed by its dict form (params.py) ------------


def _python_named(svc: Any, shape: Any, payload: Any) -> Any:
    """A wire-named sample as the same dict by Python names, all the way down."""
    from generator import ir

    if shape.root is not None or not isinstance(payload, dict):
        return payload
    out = {}
    for f in shape.fields:
        if f.wire in payload:
            value = payload[f.wire]
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(ref, ir.ShapeRef):
                inner = svc.shape(ref.shape)
                value = [_python_named(svc, inner, v) for v in value] if isinstance(value, list) else _python_named(svc, inner, value)
            out[f.name] = value
    return out


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_dict_form_has_the_models_fields_and_required_keys(provider: str) -> None:
    """The dict form of a model has its fields by Python name, the required ones required (at
    run time too), and an enum item takes the enum's values as text."""
    svc = service(provider)
    params = package(provider, "params")
    models = package(provider, "models")
    forms = [getattr(params, name) for name in params.__all__]
    assert forms, provider
    for form in forms:
        model = getattr(models, form.__name__.removesuffix("Dict"))
        shape = svc.shape(model.__name__)
        assert set(form.__annotations__) == set(model.model_fields), form.__name__
        assert form.__required_keys__ == {f.name for f in shape.fields if f.required}, form.__name__
        for f in shape.fields:
            hint = str(typing.get_type_hints(form)[f.name])
            if type(f.type).__name__ == "EnumRef":
                for value in svc.enum(f.type.enum).values:
                    assert repr(value.wire) in hint, (form.__name__, f.name, hint)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_keywords_send_what_the_model_sends(provider: str) -> None:
    """Every operation with a keyword form, called with a small valid request's fields as
    keywords, puts the same bytes on the wire as with the request as a model."""
    import httpx

    from generator import samples

    svc = service(provider)
    mock = package(provider, "mock")
    models = package(provider, "models")
    sent: list[bytes] = []

    def capture(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.raw_path + b" " + request.content)
        raise httpx.ConnectError("captured", request=request)

    errors = package(provider, "errors")
    transport_error = getattr(errors, f"{svc.error_prefix}TransportError")
    checked = 0
    for op in svc.operations:
        if op.request.root is not None or not op.request.fields:
            continue
        fields = _python_named(svc, op.request, samples.minimal(svc, op.request, strict=True))
        try:
            model = getattr(models, op.request.name).model_validate(fields)
        except ValueError:
            continue  # the minimal sample does not meet a sum rule: nothing to compare
        clock = {"clock": lambda: __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").timezone.utc)}
        extra = clock if "clock" in inspect.signature(_client_class(provider)).parameters else {}
        with _client_class(provider)(**dict(mock.EXAMPLE_CREDENTIALS), http_client=httpx.Client(transport=httpx.MockTransport(capture)), connect_retries=0, **extra) as client:
            method = getattr(client, op.name)
            kwargs = {"idempotency_key": "k"} if "idempotency_key" in inspect.signature(method).parameters else {}
            for call in (lambda: method(model, **kwargs), lambda: method(**fields, **kwargs)):
                with pytest.raises(transport_error):
                    call()
        assert len(sent) == 2 and sent[0] == sent[1], (op.name, sent)
        sent.clear()
        checked += 1
    assert checked >= 1, provider


def test_keywords_and_a_request_together_are_refused() -> None:
    client_module = package("billink", "client")
    errors = package("billink", "errors")
    client = client_module.BillinkClient("user", "id")
    with pytest.raises(TypeError, match="not both"):
        client.message({"workflow_number": 1, "invoice_number": "1", "message": "x"}, message="y")
    with pytest.raises(errors.BillinkRequestValidationError, match="mesage"):
        client.message(workflow_number=1, invoice_number="1", mesage="x")  # type: ignore[call-overload]


CONSUMER = '''\
from decimal import Decimal

from billink_client import BillinkClient
from billink_client.params import OrderItemDict, StatusRequestDict


def use(client: BillinkClient) -> None:
    item: OrderItemDict = {"code": "A1", "description": "Socks", "quantity": Decimal(2), "vat": "21"}
    client.message(workflow_number=1, invoice_number="2024-001", message="Paid by bank")
    status: StatusRequestDict = {"workflow_number": 1, "invoice_number": "2024-001"}
    client.status(**status)
    client.status(status)
    print(item)
    client.message(workflow_number=1, invoice_number="2024-001")  # BAD: message is required
    client.message(workflow_number=1, invoice_number="2024-001", message="x", mesage="y")  # BAD: no such field
    bad_vat: OrderItemDict = {"code": "A1", "description": "Socks", "quantity": Decimal(2), "vat": "22"}  # BAD: not a rate
    client.status(workflow_number="1", invoice_number="2024-001")  # BAD: a number, not text
'''


def test_mypy_strict_checks_keywords_literals_and_dicts(tmp_path: Path) -> None:
    """The consumer's view (issue 17): keyword arguments, an enum value as a string literal and
    a typed dict pass mypy --strict; each line marked BAD is an error on that line, and only
    those."""
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / ".mypy_cache" / "consumer"), str(script)],
        cwd=ROOT / "generated" / "billink",
        capture_output=True,
        text=True,
    )
    lines = [n for n, line in enumerate(CONSUMER.splitlines(), 1) if "# BAD" in line]
    flagged = sorted({int(line.split(":")[1]) for line in done.stdout.splitlines() if ": error:" in line})
    assert flagged == lines, done.stdout
