"""Money is exact everywhere, the same way: every money kind of every provider refuses floats
with a message naming the unit and what to pass, and takes Decimal, int and exact text alike."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from generator import ir
from generator.emit_schema import python_type_of, scalar_schema
from generator.kinds import KINDS, int_bounds, minor_text_pattern, money_unit
from generator.view.types import used_python_types
from generator.lint import lint_provider
from support import FORMATS, PROVIDERS, SPECS, EcmaValidator, package, service

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


def _types_module(svc: Any) -> dict[str, Any]:
    """`_types.py` of a service, rendered and run (it imports nothing of its package)."""
    from generator.render import environment
    from generator.view import build_view

    text = environment().get_template("python/_types.py.j2").render(build_view(svc).context())
    namespace: dict[str, Any] = {}
    exec(compile(text, "_types.py", "exec"), namespace)
    return namespace


def test_money_minor_of_each_range_is_a_type_that_checks_it(tmp_path: Path) -> None:
    """Amounts of different ranges are different types, each checking its range and taking
    exactly the texts the field's schema takes. They shared one type whose text pattern was
    the first field's, and nothing checked the range (datamodel-code-generator drops a
    Field(ge=, le=) on a type that also takes text): a total of -5 was taken."""
    target = tmp_path / "specs" / "billmate"
    shutil.copytree(SPECS / "billmate", target)
    shapes = target / "shapes.yaml"
    text = shapes.read_text(encoding="utf-8")
    for wire, bounds in (("tax", "minimum: 0, maximum: 100000"), ("rounding", "minimum: -99, maximum: 99"), ("withtax", "minimum: 0")):
        old = f"      - {{wire: {wire}, name: {'with_tax' if wire == 'withtax' else wire}, type: money_minor,"
        assert text.count(old) >= 1, old
        text = text.replace(old, f"{old} {bounds},", 1)
    shapes.write_text(text, encoding="utf-8")
    svc, problems = lint_provider(target, tmp_path)
    assert not problems and svc is not None, problems
    total = svc.shape("CartTotal")
    types = _types_module(svc)
    names = set()
    for wire, inside, outside in (("tax", [0, 100000, "99999"], [-1, 100001, "100000"]),
                                  ("rounding", [-99, 99, "-99", "99"], [-100, 100, "100", "-100"]),
                                  ("withtax", [0, 10**12, "1" * 20], [-1, "-1"])):
        f = total.field(wire)
        assert f is not None and isinstance(f.type, ir.Scalar)
        name, enforced = python_type_of(svc, f.type, "request", f.required)
        assert not {"minimum", "maximum"} & enforced  # the type checks them, not a Field(...)
        names.add(name)
        adapter: TypeAdapter[Any] = TypeAdapter(types[name])
        schema = EcmaValidator(scalar_schema(svc, f.type, "request", f.required), format_checker=FORMATS)
        for value in inside:
            assert adapter.validate_python(value) == int(value) and schema.is_valid(value), (wire, value)
        for value in outside:
            assert not schema.is_valid(value), (wire, value)
            with pytest.raises(ValidationError):
                adapter.validate_python(value)
    assert names == {"MinorUnitsFrom0To100000", "MinorUnitsFromMinus99To99", "MinorUnitsFrom0"}


def test_a_type_first_seen_in_an_answer_is_defined_as_answers_read_it(tmp_path: Path) -> None:
    """An answer's amount is checked for its type, not the range we send: Billmate's first
    MinorUnits is an answer's (ArticleInfo.tax); given `bits: 32` there, it still names
    MinorUnits, and MinorUnits (requests' Cart tax too) must stay unbounded. It was defined
    from the answer field's own parameters: a 32-bit range and 9-digit text, so a request's
    tax of 2**31 or "12345678901" was refused although its schema took it."""
    target = tmp_path / "specs" / "billmate"
    shutil.copytree(SPECS / "billmate", target)
    shapes = target / "shapes.yaml"
    old = "      - {wire: tax, name: tax, type: money_minor,\n         description: 'Not in the table"
    text = shapes.read_text(encoding="utf-8")
    assert text.count(old) == 1
    shapes.write_text(text.replace(old, old.replace("money_minor,", "money_minor, bits: 32,")), encoding="utf-8")
    svc, problems = lint_provider(target, tmp_path)
    assert not problems and svc is not None, problems
    used = used_python_types(svc)
    for name, scalar in used.items():  # each type is defined by parameters that name it
        if name != "WireText":
            assert KINDS[scalar.kind].python_type(scalar.param_map) == name, (name, scalar)
    adapter: TypeAdapter[Any] = TypeAdapter(_types_module(svc)["MinorUnits"])
    assert adapter.validate_python(2**31) == 2**31 and adapter.validate_python("12345678901") == 12345678901


def _decimal_types() -> list[Any]:
    return [
        pytest.param(provider, name, scalar, id=f"{provider}-{name}")
        for provider in PROVIDERS
        for name, scalar in used_python_types(service(provider)).items()
        if scalar.kind in ("decimal", "money")
    ]


@pytest.mark.parametrize("provider, name, scalar", _decimal_types())
def test_exact_decimals_are_written_to_json_in_plain_notation(provider: str, name: str, scalar: Any) -> None:
    """A model's canonical JSON (model_dump(mode="json"), what the mocks answer and echo) must
    match the published schema's pattern: pydantic wrote Decimal("1E+2") as "1E+2" and
    Decimal("1E-7") as "1E-7", which no schema takes. Python mode keeps the Decimal."""
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(package(provider, "_types"), name))
    pattern = KINDS[scalar.kind].json_schema(scalar.param_map, "any")["pattern"]
    scale = scalar.param_map.get("scale")
    for given, text in (("1E+2", "100"), ("-5E+1", "-50"), ("1E-7", "0.0000001"), ("9.950", "9.950"), ("-0.5", "-0.5"), ("12", "12")):
        if scale is not None and -int(Decimal(given).as_tuple().exponent) > scale:
            continue  # more decimals than the type takes
        value = adapter.validate_python(Decimal(given))
        assert adapter.dump_python(value, mode="json") == text and re.fullmatch(pattern, text), given
        assert adapter.dump_python(value) == Decimal(given)
        assert adapter.dump_json(value) == f'"{text}"'.encode()
