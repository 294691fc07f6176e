"""One error family (issue 17, point 1): a request model built directly with bad data raises the
package's RequestValidationError (a ValueError too), as a client method does for a mapping, and
every issue names the Python path and the wire path."""

from __future__ import annotations

import pytest

from support import package

CASES = [
    # provider, error prefix, request class, a required field (Python name, wire name)
    ("billink", "Billink", "CheckRequest", "email", "EMAIL"),
    ("billit", "Billit", "CreateOrderRequest", "order_type", "OrderType"),
    ("billmate", "Billmate", "AddPaymentRequest", "payment_data", "PaymentData"),
    ("inkassogram", "Inkassogram", "CreateInvoiceRequest", "order_no", "orderNo"),
]


@pytest.mark.parametrize(("provider", "prefix", "request_class", "name", "wire"), CASES)
def test_building_a_request_model_with_bad_data_raises_the_package_error(
    provider: str, prefix: str, request_class: str, name: str, wire: str
) -> None:
    errors = package(provider, "errors")
    model = getattr(package(provider, "models"), request_class)
    family = getattr(errors, f"{prefix}Error")
    refused = getattr(errors, f"{prefix}RequestValidationError")
    with pytest.raises(family) as caught:
        model()
    assert type(caught.value) is refused and isinstance(caught.value, ValueError)
    issue = next(i for i in caught.value.issues if i.path == wire)
    assert (issue.name, issue.rule) == (name, "missing")
    assert f"{name} ({wire}): Field required [missing]" in str(caught.value)


@pytest.mark.parametrize(("provider", "prefix", "request_class", "name", "wire"), CASES)
def test_a_mapping_and_a_model_are_refused_alike(
    provider: str, prefix: str, request_class: str, name: str, wire: str
) -> None:
    errors = package(provider, "errors")
    model = getattr(package(provider, "models"), request_class)
    refused = getattr(errors, f"{prefix}RequestValidationError")
    with pytest.raises(refused) as built:
        model()
    validated = package(provider, "client")._validated
    with pytest.raises(refused) as mapped:
        validated(model, {})
    assert built.value.issues == mapped.value.issues


def test_a_nested_issue_names_both_paths() -> None:
    models = package("billmate", "models")
    refused = package("billmate", "errors").BillmateRequestValidationError
    with pytest.raises(refused) as caught:
        models.AddPaymentRequest(payment_data={})
    issue = next(i for i in caught.value.issues if i.path == "PaymentData.currency")
    assert issue.name == "payment_data.currency"
    with pytest.raises(refused) as caught:
        package("billmate", "client")._validated(models.AddPaymentRequest, {"PaymentData": {}})
    issue = next(i for i in caught.value.issues if i.path == "PaymentData.currency")
    assert issue.name == "payment_data.currency"
    assert "payment_data.currency (PaymentData.currency): Field required" in str(caught.value)
