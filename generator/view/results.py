"""The views of `results.py` (what each operation returns) and `_outcomes.py` (how a response
becomes a result or an error: the code and message paths, and the attribute each result takes
from where in the response)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from .common import annotation, item_ref, outcome_class, resolves, result_type, walk_path


@dataclass(frozen=True)
class Returned:
    attr: str
    type: str  # with "| None" when the answer may lack it
    path: str
    accessor: str


@dataclass(frozen=True)
class OutcomeResult:
    class_name: str
    code: str | None
    name: str
    description: str
    returns: tuple[Returned, ...]
    item_success: list[str]  # written as a list literal
    # outcomes judged per item: the item model and the returned list holding them
    item_class: str = ""
    item_attr: str = ""


@dataclass(frozen=True)
class OperationResults:
    name: str
    title: str
    response_class: str
    outcomes: tuple[OutcomeResult, ...]
    result_alias: str


@dataclass(frozen=True)
class ResultsView:
    operations: tuple[OperationResults, ...]
    model_imports: list[str]
    needs_decimal: bool
    needs_date: bool
    has_items: bool
    item_code_attr: str
    item_message_attr: str


def _accessor_name(chain: list[ir.Field]) -> str:
    return "_".join(f.name for f in chain)


def results_view(service: ir.Service) -> ResultsView:
    operations = []
    models: set[str] = set()
    annotations: list[str] = []
    item_attrs: set[tuple[str, str]] = set()
    for op in service.operations:
        models.add(op.response.name)
        outcomes = []
        for outcome in op.outcomes:
            returns = []
            item_class = item_attr = ""
            for attr, path in outcome.returns:
                chain = walk_path(service, op.response, path)
                last = chain[-1]
                ann = annotation(last.type, answer=True)
                annotations.append(ann)
                typed = f"{ann} | None" if attr in outcome.optional else ann
                returns.append(Returned(attr, typed, ".".join(path), _accessor_name(chain)))
                ref = item_ref(last)
                if isinstance(ref, (ir.ShapeRef, ir.EnumRef)):
                    models.add(ref.shape if isinstance(ref, ir.ShapeRef) else ref.enum)
                if isinstance(last.type, ir.ListOf) and outcome.item_success:
                    assert isinstance(ref, ir.ShapeRef)
                    item_shape = service.shape(ref.shape)
                    code_field = item_shape.field(service.wire.item_code or "")
                    message_field = item_shape.field(service.wire.item_message or "")
                    assert code_field is not None
                    item_class, item_attr = ref.shape, attr
                    item_attrs.add(
                        (code_field.name, message_field.name if message_field else "None")
                    )
            outcomes.append(
                OutcomeResult(
                    class_name=outcome_class(op, outcome),
                    code=outcome.code,
                    name=outcome.name,
                    description=outcome.description,
                    returns=tuple(returns),
                    item_success=list(outcome.item_success),
                    item_class=item_class,
                    item_attr=item_attr,
                )
            )
        operations.append(
            OperationResults(op.name, op.title, op.response.name, tuple(outcomes), result_type(op))
        )
    assert len(item_attrs) <= 1, (
        f"item code/message attributes differ between results: {item_attrs}"
    )
    code_attr, message_attr = next(iter(item_attrs), ("", ""))
    return ResultsView(
        operations=tuple(operations),
        model_imports=sorted(models),
        needs_decimal=any("Decimal" in a for a in annotations),
        needs_date=any("date" in a for a in annotations),
        has_items=bool(item_attrs),
        item_code_attr=code_attr,
        item_message_attr=message_attr,
    )


@dataclass(frozen=True)
class AccessStep:
    """`var = source.attr` (then None-checked), the last step returned."""

    var: str
    source: str
    attr: str


@dataclass(frozen=True)
class Accessor:
    name: str
    type: str
    steps: tuple[AccessStep, ...]


@dataclass(frozen=True)
class ReturnedFrom:
    attr: str
    accessor: str
    path: str
    optional: bool = False  # None when absent (else a ResponseError)


@dataclass(frozen=True)
class OutcomeRoute:
    class_name: str
    code: str | None
    returns: tuple[ReturnedFrom, ...]


@dataclass(frozen=True)
class OperationOutcomes:
    name: str
    title: str
    response_class: str
    result_type: str
    accessors: tuple[Accessor, ...]
    outcomes: tuple[OutcomeRoute, ...]
    has_codeless_outcome: bool


@dataclass(frozen=True)
class OutcomesView:
    operations: tuple[OperationOutcomes, ...]
    model_imports: list[str]
    code_paths: str
    message_paths: str
    code_attr_paths: tuple[tuple[str, ...], ...]
    error_code_attr_paths: tuple[tuple[str, ...], ...]
    message_attr_paths: tuple[tuple[str, ...], ...]
    separate_error_code: bool
    errors_in_wire: bool  # error answers are raised while decoding (JSON protocols)


def _accessor(service: ir.Service, op: ir.Operation, path: tuple[str, ...]) -> Accessor:
    chain = walk_path(service, op.response, path)
    steps = []
    source = "response"
    for f in chain:
        attr = "root" if f is op.response.root else f.name
        steps.append(AccessStep(attr, source, attr))
        source = attr
    return Accessor(_accessor_name(chain), annotation(chain[-1].type, answer=True), tuple(steps))


def _attr_paths(
    service: ir.Service, paths: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], ...]:
    """Wire paths of the result code / message -> attribute paths, the same in every response."""
    found: list[tuple[str, ...]] = []
    for path in paths:
        attrs = {
            tuple(f.name for f in walk_path(service, op.response, path))
            for op in service.operations
            if resolves(service, op.response, path)
        }
        if len(attrs) > 1:
            raise ValueError(
                f"{'.'.join(path)} has different Python names in different responses: "
                f"{sorted(attrs)}"
            )
        found.extend(attrs)
    return tuple(found)


def _model_names_in(ann: str) -> set[str]:
    inner = ann.removeprefix("list[").removesuffix("]")
    return {name for name in inner.split(" | ") if name[:1].isupper() and name not in ("Decimal",)}


def outcomes_view(service: ir.Service) -> OutcomesView:
    operations = []
    models: set[str] = set()
    for op in service.operations:
        models.add(op.response.name)
        accessors: dict[str, Accessor] = {}
        outcomes = []
        for outcome in op.outcomes:
            returns = []
            for attr, path in outcome.returns:
                acc = _accessor(service, op, path)
                accessors[acc.name] = acc
                returns.append(
                    ReturnedFrom(attr, acc.name, ".".join(path), attr in outcome.optional)
                )
            outcomes.append(OutcomeRoute(outcome_class(op, outcome), outcome.code, tuple(returns)))
        for acc in accessors.values():
            models |= _model_names_in(acc.type)
        operations.append(
            OperationOutcomes(
                name=op.name,
                title=op.title,
                response_class=op.response.name,
                result_type=result_type(op),
                accessors=tuple(accessors.values()),
                outcomes=tuple(outcomes),
                has_codeless_outcome=any(o.code is None for o in op.outcomes),
            )
        )
    wire = service.wire
    return OutcomesView(
        operations=tuple(operations),
        model_imports=sorted(models),
        code_paths=", ".join(".".join(p) for p in wire.result_code),
        message_paths=", ".join(".".join(p) for p in wire.result_message),
        code_attr_paths=_attr_paths(service, wire.result_code),
        error_code_attr_paths=_attr_paths(service, wire.error_code_paths),
        message_attr_paths=_attr_paths(service, wire.result_message),
        separate_error_code=bool(wire.result_error_code) and bool(wire.result_code),
        errors_in_wire=isinstance(wire, (ir.JsonWire, ir.RestWire)),
    )
