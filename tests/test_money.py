"""Money is exact everywhere, the same way: every money kind of every provider refuses floats
with a message naming the unit and what to pass, and takes Decimal, int and exact text alike."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from generator.emit_schema import python_type_of
from generator.kinds import int_bounds, minor_text_pattern, money_unit
from generator.view.types import used_python_types
from support import PROVIDERS, package, service

MONEY = ("money", "money_minor")


def _money_types() -> list[Any]:
    found = []
    for provider in PROVIDERS:
        for name, scalar in used_python_types(service(provider)).items():
            if scalar.kind in MONEY:
                found.append(pytest.param(provider, name, scalar, id=f"{provider}-{name}"))
    return found


def test_every_provider_but_one_uses_money() -> None:
    """Billink, Billit and Billmate amounts are money kinds, and Inkassogram's row price."""
    assert {p.values[0] for p in _money_types()} == set(PROVIDERS)


@pytest.mark.parametrize("provider, name, scalar", _money_types())
def test_money_refuses_floats_naming_the_unit(provider: str, name: str, scalar: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(package(provider, "_types"), name))
    unit = money_unit(scalar.kind, scalar.param_map)
    for value in (20.0, 20.5, 1e3, float("nan")):
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(value)
        message = caught.value.errors()[0]["msg"]
        assert unit in message and "floats are refused" in message, message
        assert ("an int" in message or "a Decimal" in message), message


@pytest.mark.parametrize("provider, name, scalar", _money_types())
def test_money_takes_decimal_int_and_text_alike(provider: str, name: str, scalar: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(package(provider, "_types"), name))
    got = {adapter.validate_python(v) for v in (1995, Decimal("1995"), "1995")}
    assert got == {1995}
    for wrong in (True, "1 995", "1,995", "19.95.1", None):
        with pytest.raises(ValidationError):
            adapter.validate_python(wrong)
    if scalar.kind == "money_minor":  # whole amounts: a fraction is refused, never rounded
        for fraction in (Decimal("19.95"), "19.95"):
            with pytest.raises(ValidationError):
                adapter.validate_python(fraction)
        assert adapter.validate_python(Decimal("1995.00")) == 1995


def test_billmate_article_amounts_refuse_floats_and_take_the_wire_text() -> None:
    models = package("billmate", "models")
    base = {"artnr": "A1", "title": "Book", "quantity": "1", "aprice": 1000, "taxrate": "25", "discount": "0", "withouttax": 1000}
    assert models.Article.model_validate(base).unit_price == 1000
    for key, value in (("aprice", 1000.0), ("withouttax", 20.00)):
        with pytest.raises(ValidationError, match="1/100 of the currency"):
            models.Article.model_validate({**base, key: value})
    assert models.Article.model_validate({**base, "aprice": "10000"}).unit_price == 10000


def test_inkassogram_price_takes_text_and_refuses_floats() -> None:
    types = package("inkassogram", "_types")
    adapter: TypeAdapter[Any] = TypeAdapter(types.MinorUnits32)
    assert adapter.validate_python("5") == 5
    with pytest.raises(ValidationError, match="kronor or öre"):
        adapter.validate_python(1.0)
    with pytest.raises(ValidationError):
        adapter.validate_python(2**31)


def test_python_types_of_money_are_not_shared_with_plain_numbers() -> None:
    svc = service("billmate")
    article = svc.shape("Article")
    field = article.field("aprice")
    assert field is not None
    assert python_type_of(svc, field.type, "request", field.required)[0] == "MinorUnits"  # type: ignore[arg-type]


_RANGES = [
    {}, {"bits": 32}, {"minimum": 0}, {"minimum": 0, "maximum": 99}, {"minimum": 0, "maximum": 100000},
    {"maximum": 0}, {"maximum": 5}, {"maximum": 1000}, {"minimum": -5, "maximum": 5}, {"minimum": -100},
    {"minimum": -10, "maximum": 9}, {"minimum": 1}, {"maximum": -1}, {"minimum": 0, "bits": 32},
]


@pytest.mark.parametrize("params", _RANGES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "unbounded")
def test_minor_text_pattern_takes_only_texts_within_the_range(params: dict[str, Any]) -> None:
    """Every text the pattern takes is in range whatever its digits (a schema cannot compare
    a text with a number, so this is how schema and model agree), and no digit count that
    always is in range is left out: 0..99 takes "99", 0..5 takes no text (a "7" would be out)."""
    pattern = minor_text_pattern(params)
    lo, hi = int_bounds(params)

    def in_range(n: int) -> bool:
        return (lo is None or n >= lo) and (hi is None or n <= hi)

    for sign in ("", "-"):
        for count in range(1, 13):
            extremes = [sign + "0" * count, sign + "9" * count]  # the smallest and largest of that many digits
            taken = [pattern is not None and re.fullmatch(pattern, text) is not None for text in extremes]
            always = all(in_range(int(text)) for text in extremes)
            assert taken[0] == taken[1], (pattern, extremes)  # by digit count only
            assert taken[1] == always, (pattern, extremes, "taken" if taken[1] else "left out")
