"""The published JSON Schemas and the generated pydantic models accept and reject the same
payloads: generated cases per request and per response message (answers are checked for types
only, so there is less to explore), a good share of each verdict. `make test` runs 300 cases per
request and 100 per response; `make fuzz` runs AGREE_EXAMPLES (2,000) per request and a third of
that per response.

The schemas are read with JSON Schema's own semantics (ECMA-262 `pattern`, formats checked);
the models validate the same Python dict. See `strategies.py` for the one known difference
that is excluded on purpose (integral floats as money).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from strategies import batches
from support import PROVIDERS, package, schema_validator, service

# hypothesis examples per message; each checks a batch of payloads
_REQUEST_CASES = int(os.environ.get("AGREE_EXAMPLES", "300"))
CASES = {"request": _REQUEST_CASES, "response": max(1, _REQUEST_CASES // 3)}


def _messages() -> list[Any]:
    """Every message that has something to vary. A message with no fields (getAccountinfo's
    request) has one valid payload, {}; the edge sweep covers it."""
    return [
        pytest.param(provider, op.name, role, id=f"{provider}-{op.name}-{role}")
        for provider in PROVIDERS
        for op in service(provider).operations
        for role in ("request", "response")
        if (m := op.request if role == "request" else op.response).fields or m.root is not None
    ]


@pytest.mark.parametrize("provider, operation, role", _messages())
def test_schema_and_model_agree(provider: str, operation: str, role: str) -> None:
    svc = service(provider)
    op = next(o for o in svc.operations if o.name == operation)
    message = op.request if role == "request" else op.response
    model = getattr(package(provider, "models"), message.name)
    validator = schema_validator(provider, f"{operation}.{role}.schema.json")
    verdicts: Counter[bool] = Counter()

    @settings(
        max_examples=CASES[role],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(batch=batches(svc, message))
    def agree(batch: list[dict[str, Any]]) -> None:
        for payload in batch:
            schema_errors = [e.message for e in validator.iter_errors(payload)]
            try:
                model.model_validate(payload)
                model_errors: list[Any] = []
            except ValidationError as exc:
                model_errors = exc.errors(include_input=False, include_url=False)
            assert bool(schema_errors) == bool(model_errors), (
                f"{payload!r}: schema says {schema_errors or 'valid'}; model says {model_errors or 'valid'}"
            )
            verdicts[not schema_errors] += 1

    agree()
    total = sum(verdicts.values())
    assert total >= CASES[role]
    # Both verdicts are well represented, or the test would prove little.
    assert verdicts[True] >= total // 10, verdicts
    assert verdicts[False] >= total // 10, verdicts
