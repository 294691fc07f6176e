"""Hypothesis strategies for messages in their canonical JSON form, driven by the IR.

`payloads(service, message)` draws a payload that is often valid (fields drawn within their
types, optional ones sometimes left out, then repaired to satisfy the message's cross-field
rules most of the time) and applies zero to three mutations aimed at the edges where
validators tend to disagree: types, nulls, lengths, patterns (trailing newlines, control
characters, non-ASCII digits), dates that do not exist, decimals in forms JSON Schema and
Python read differently, unknown keys, empty lists, rule violations.

Known, documented difference excluded here: an integral float (1.0) where an amount or a decimal
is expected is an "integer" to JSON Schema but a float to Python; the models refuse floats for
money (money, money_minor) and decimals.
"""

from __future__ import annotations

import base64
import re
import string
from typing import Any

from hypothesis import strategies as st

from generator import ir
from generator.kinds import int_bounds

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_TRICKY_STRINGS = st.sampled_from(
    ["", " ", "123\n", "\n", "12\x01", "٣٤", "1e5", "+1", "1.", ".5", " 1", "1 ", "-0", "00", "\x7f", "\ufffe",
     "2021-02-30", "2021-13-01", "01-01-1985", "1985-01-01", "1985-1-1", "1.2.3.4", "::1", "fe80::1%eth0",
     "01.2.3.4", "a@b.c", "a@b", "a b@c.d", "NL", "nl", "EUR", "P", "p", "B", "3072AP", "3072 AP", "3072ap",
     "1234", "0123", "x" * 60]
)
_PLAIN = string.ascii_letters + string.digits + " .-'éü"


class Strategies:
    """Per-field strategies of one provider, built once."""

    def __init__(self, service: ir.Service) -> None:
        self.service = service
        self._values: dict[int, st.SearchStrategy[Any]] = {}
        self._shapes: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
        self._wrong: dict[int, st.SearchStrategy[Any]] = {}

    # -- valid values ------------------------------------------------------------------------

    def scalar(self, f: ir.Field, t: ir.Scalar) -> st.SearchStrategy[Any]:
        params = t.param_map
        kind = t.kind
        if kind == "string":
            lo, hi = params.get("min_length", 0), params.get("max_length", 30)
            if f.required:
                lo = max(lo, 1)
            if params.get("pattern"):
                return st.from_regex(params["pattern"], fullmatch=True).filter(lambda s: lo <= len(s) <= hi)
            text = st.text(alphabet=_PLAIN, min_size=lo, max_size=min(hi, lo + 12))
            if self.service.wire.text_pattern:  # the protocol's rule for all text (Billmate: no edge spaces)
                allowed = re.compile(self.service.wire.text_pattern.removesuffix("$") + r"\Z")
                text = text.filter(lambda v: allowed.match(v) is not None)
            return text
        if kind == "email":
            return st.from_regex(r"[a-z0-9.]{1,8}@[a-z0-9]{1,8}\.[a-z]{2,3}", fullmatch=True)
        if kind == "country":
            return st.sampled_from(["NL", "BE", "DE", "GB", "SE"])
        if kind == "currency":
            return st.sampled_from(["EUR", "USD", "SEK"])
        if kind == "language":
            return st.sampled_from(["nl", "en", "sv"])
        if kind == "int":
            lo, hi = int_bounds(params)
            return st.integers(-(10**6) if lo is None else lo, 10**6 if hi is None else hi)
        if kind in ("decimal", "money"):
            scale = params.get("scale", 4)
            return st.one_of(
                st.integers(-(10**6), 10**6),
                st.decimals(min_value=-(10**6), max_value=10**6, places=scale, allow_nan=False).map(lambda d: format(d, "f")),
            )
        if kind == "date":
            return st.dates().map(lambda d: d.isoformat())
        if kind == "ip":
            return st.ip_addresses().map(str)
        if kind == "bool":
            return st.booleans()
        if kind == "unix_time":
            return st.integers(0, 2**31 - 1)
        if kind == "base64":
            return st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode())
        if kind == "money_minor":
            lo, hi = int_bounds(params)
            whole = st.integers(-(10**9) if lo is None else lo, 10**9 if hi is None else hi)
            return st.one_of(whole, whole.filter(lambda n: abs(n) < 10**8).map(str))  # its digits as text too
        if kind == "datetime":
            return st.datetimes().map(lambda d: d.isoformat())
        if kind == "date_or_datetime":
            return st.one_of(st.dates().map(lambda d: d.isoformat()), st.datetimes().map(lambda d: d.isoformat()))
        if kind == "json":
            return st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                max_leaves=6,
            )
        if kind == "bool_or_date":
            return st.one_of(st.booleans(), st.dates().map(lambda d: d.isoformat()))
        if kind == "url":
            return st.from_regex(r"https?://[a-z]{1,8}\.[a-z]{2,3}(/[a-z0-9]{0,5}(\?[a-z]=[0-9])?)?", fullmatch=True)
        raise AssertionError(f"no strategy for kind {kind}")  # a new kind needs one

    def value(self, f: ir.Field, t: ir.TypeRef | None = None) -> st.SearchStrategy[Any]:
        t = t or f.type
        key = id(t) if t is not f.type else id(f)
        if key not in self._values:
            if isinstance(t, ir.Scalar):
                s = self.scalar(f, t)
            elif isinstance(t, ir.EnumRef):
                s = st.sampled_from([v.wire for v in self.service.enum(t.enum).values])
            elif isinstance(t, ir.ShapeRef):
                s = st.deferred(lambda: self.shape(self.service.shape(t.shape)))  # type: ignore[union-attr]
            else:
                lo = t.min_items or 0
                s = st.lists(self.value(f, t.item), min_size=lo, max_size=lo + 3)
            self._values[key] = s
        return self._values[key]

    def shape(self, s: ir.Shape) -> st.SearchStrategy[dict[str, Any]]:
        if s.name not in self._shapes:
            self._shapes[s.name] = st.fixed_dictionaries(
                {f.wire: self.value(f) for f in s.fields if f.required},
                optional={f.wire: self.value(f) for f in s.fields if not f.required},
            )
        return self._shapes[s.name]

    # -- edges -------------------------------------------------------------------------------

    def edges(self, f: ir.Field) -> list[Any]:
        """Values at and just past the field's limits, and the classic confusions of its type."""
        t = f.type
        values: list[Any] = [None, True, 0, 1.5, "", " ", [], {}]
        if isinstance(t, ir.ListOf):
            lo = t.min_items or 0
            return values + ([["x"]] if lo else [])
        if not isinstance(t, ir.Scalar):
            return values + ["x", 1]
        params = t.param_map
        for key in ("min_length", "max_length"):
            if key in params:
                n = params[key]
                values += ["x" * n, "x" * (n + 1), "x" * max(n - 1, 0), "1" * n, "1" * (n + 1)]
        for n in int_bounds(params) if t.kind in ("int", "money_minor") else ():
            if n is not None:
                values += [n - 1, n, n + 1, str(n), str(n - 1)] + ([float(n)] if t.kind == "int" else [])
        if t.kind in ("string", "email", "country", "currency", "language", "ip"):
            values += [" 1", "1 ", "12 3", "123\n", "12\x01", "٣٤", "AB", "ab", "1234AB", "x@y.z", "1.2.3.4"]
        if t.kind == "int":
            values += [1.0, -1, "1", 10**20, 2.0**63, -(2.0**64), 1e300]  # beyond 64 bits too
        if t.kind in ("decimal", "money"):
            values += ["1", "-0.95", "1e5", "+1", "1.", ".5", " 1", 10**20]  # no integral floats: see module doc
            if "scale" in params:
                values += ["1." + "5" * params["scale"], "1." + "5" * (params["scale"] + 1)]
        if t.kind == "date":
            values += ["1985-01-01", "2021-02-30", "2021-13-01", "01-01-1985", "19850101", "1985-1-1", 19850101]
        if t.kind == "bool":
            values += [False, 1, "true", "1", "0", "false"]
        if t.kind == "unix_time":
            values += [-1, 2**31 - 1, 2**31, 1356912000, 1.0, "1356912000", "2012-12-31"]
        if t.kind == "base64":
            values += ["YQ==", "YQ", "YQ=", "abc", "====", "YWJj\n", "YW Jj", "YWJj", "Y" * 4 + "=" * 4]
            if "max_length" in params:
                values += ["A" * params["max_length"], "A" * (params["max_length"] + 4)]
        if t.kind == "money_minor":
            values += [-1, "1", "100", "-5", "1.0", "1e2", " 1", "+1", 10**20, -(10**20), "1" * 30]  # no integral floats: see module doc
        if t.kind in ("datetime", "date_or_datetime"):
            values += ["2024-01-01T10:00:00", "2024-01-01T10:00", "2024-01-01T10:00:00.1234567", "2024-01-01T10:00:00.12345678",
                       "2024-01-01T10:00:00Z", "2024-01-01T10:00:00+01:00", "2024-02-30T00:00:00", "2024-01-01 10:00:00",
                       "2024-01-01", "2024-1-1", 20240101]
        if t.kind == "bool_or_date":
            values += [False, "2015-02-28", "2015-02-30", "15-02-28", "1", "0", "true", 1]
        if t.kind == "url":
            values += ["https://a.bc/x", "http://a", "ftp://a.bc", "https://a b.c", "https://", "javascript:alert(1)"]
        return values

    def patterns(self, shape: ir.Shape, f: ir.Field) -> list[str]:
        """The field's own pattern and those of the rules that apply to it in `shape`."""
        found = []
        if isinstance(f.type, ir.Scalar) and f.type.param_map.get("pattern"):
            found.append(f.type.param_map["pattern"])
        for op in self.service.operations:
            for message in (op.request, op.response):
                for rule in message.rules:
                    if rule.pattern and f.wire in rule.fields and _scope_shape(self.service, message, rule.scope) is shape:
                        found.append(rule.pattern)
        return found

    def edge_values(self, shape: ir.Shape, f: ir.Field) -> st.SearchStrategy[Any]:
        """Edge values of `f`: the fixed ones, and near misses of strings its patterns accept."""
        options: list[st.SearchStrategy[Any]] = [st.sampled_from(self.edges(f))]
        for pattern in self.patterns(shape, f):
            options.append(st.from_regex(pattern, fullmatch=True).flatmap(lambda s: st.sampled_from(_near_misses(s))))
        return st.one_of(options)

    # -- wrong values ------------------------------------------------------------------------

    def wrong(self, f: ir.Field) -> st.SearchStrategy[Any]:
        if id(f) not in self._wrong:
            options: list[st.SearchStrategy[Any]] = [
                st.none(),
                st.booleans(),
                st.integers(-5, 5),
                st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
                _TRICKY_STRINGS,
                _TEXT,
                st.just([]),
                st.just({}),
            ]
            t = f.type
            if isinstance(t, ir.Scalar):
                params = t.param_map
                if "max_length" in params:
                    options.append(st.just("x" * (params["max_length"] + 1)))
                if t.kind == "int":
                    options.append(st.sampled_from([1.0, -3.0, 10**20, params.get("maximum", 0) + 1, params.get("minimum", 0) - 1]))
                if t.kind == "string" and params.get("pattern"):
                    options.append(st.from_regex(params["pattern"], fullmatch=True).map(lambda s: s + "\n"))
            self._wrong[id(f)] = st.one_of(options)
        return self._wrong[id(f)]


def _near_misses(s: str) -> list[str]:
    """Strings one small step away from `s`, which a pattern may or may not accept."""
    digits = "".join(c for c in s if c.isdigit())
    misses = {s.lower(), s.upper(), s.swapcase(), s + " ", " " + s, s + "\n", s[:-1], s + s[-1:], s + "x", "0" + s,
              "0" + s[1:], digits, "0" + digits[1:]}
    misses.discard(s)
    return sorted(misses) or [s + "x"]


def _scope_shape(service: ir.Service, message: ir.Shape, scope: tuple[str, ...]) -> ir.Shape:
    shape = message
    for wire in scope:
        f = shape.field(wire)
        assert f is not None
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        assert isinstance(ref, ir.ShapeRef)
        shape = service.shape(ref.shape)
    return shape


_CACHE: dict[str, Strategies] = {}


def _strategies(service: ir.Service) -> Strategies:
    if service.provider not in _CACHE:
        _CACHE[service.provider] = Strategies(service)
    return _CACHE[service.provider]


# -- rules -------------------------------------------------------------------------------------


def _holds(payload: dict[str, Any], when: tuple[ir.Condition, ...]) -> bool:
    for c in when:
        value: Any = payload
        for wire in c.path:
            value = value.get(wire) if isinstance(value, dict) else None
        if value not in c.values:
            return False
    return True


def _targets(payload: Any, scope: tuple[str, ...]) -> list[dict[str, Any]]:
    """The dicts a scoped rule applies to: items of lists and given objects along `scope`."""
    if not scope:
        return [payload] if isinstance(payload, dict) else []
    value = payload.get(scope[0]) if isinstance(payload, dict) else None
    items = value if isinstance(value, list) else [value]
    return [t for item in items for t in _targets(item, scope[1:])]


@st.composite
def _repair(draw: st.DrawFn, service: ir.Service, message: ir.Shape, payload: dict[str, Any]) -> dict[str, Any]:
    """Make the payload satisfy the message's rules (values for required, removal for forbidden)."""
    strategies = _strategies(service)
    for rule in message.rules:
        if rule.kind == "sum":
            continue  # after the others, below
        if not _holds(payload, rule.when):
            continue
        scope_shape = _scope_shape(service, message, rule.scope)
        for target in _targets(payload, rule.scope):
            fields = [scope_shape.field(w) for w in rule.fields]
            if rule.kind == "required_when" and target.get(rule.fields[0]) is None:
                target[rule.fields[0]] = draw(strategies.value(fields[0]))  # type: ignore[arg-type]
            elif rule.kind == "forbidden_when":
                target.pop(rule.fields[0], None)
            elif rule.kind == "required_unless" and all(target.get(w) is None for w in rule.fields):
                target[rule.fields[0]] = draw(strategies.value(fields[0]))  # type: ignore[arg-type]
            elif rule.kind == "at_least_one_of" and all(target.get(f.wire) is None for f in fields):  # type: ignore[union-attr]
                f = draw(st.sampled_from(fields))
                target[f.wire] = draw(strategies.value(f))  # type: ignore[union-attr, arg-type]
            elif rule.kind == "exactly_one_of":
                keep = draw(st.sampled_from(range(len(fields))))
                for i, f in enumerate(fields):
                    if i == keep and target.get(f.wire) is None:  # type: ignore[union-attr]
                        target[f.wire] = draw(strategies.value(f))  # type: ignore[union-attr, arg-type]
                    elif i != keep:
                        target.pop(f.wire, None)  # type: ignore[union-attr]
            elif rule.kind == "pattern_when" and isinstance(target.get(rule.fields[0]), str):
                assert rule.pattern is not None
                target[rule.fields[0]] = draw(st.from_regex(rule.pattern, fullmatch=True))
    # A total may be a term of another sum (Cart.Total.withouttax): repeat until settled.
    sums = [r for r in message.rules if r.kind == "sum"]
    for _ in sums:
        for rule in sums:
            _repair_sum(payload, rule)
    return payload


def _values_at(payload: Any, path: tuple[str, ...]) -> list[Any]:
    """Values at a rule path; a segment ending in [] steps into every item of a list."""
    values = [payload]
    for segment in path:
        wire, many = segment.removesuffix("[]"), segment.endswith("[]")
        found = []
        for v in values:
            item = v.get(wire) if isinstance(v, dict) else None
            if item is not None:
                found.extend(item if many and isinstance(item, list) else [item])
        values = found
    return values


def _repair_sum(payload: dict[str, Any], rule: ir.Rule) -> None:
    """Set the total of a sum rule to the sum of its terms (when all are given as integers or
    their digits)."""
    parts = [v for term in rule.terms for v in _values_at(payload, term)]
    holder = _values_at(payload, rule.target[:-1])
    if len(holder) == 1 and isinstance(holder[0], dict) and rule.target[-1] in holder[0]:
        numbers = [int(v) if isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v) else v for v in parts]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
            holder[0][rule.target[-1]] = sum(numbers)


# -- mutations ---------------------------------------------------------------------------------


@st.composite
def _mutate(draw: st.DrawFn, service: ir.Service, s: ir.Shape, payload: dict[str, Any]) -> dict[str, Any]:
    """One mutation somewhere in `payload` (which may be nested)."""
    strategies = _strategies(service)
    payload = dict(payload)
    nested = [
        f for f in s.fields
        if isinstance(payload.get(f.wire), (dict, list)) and payload[f.wire]
        and isinstance(f.type.item if isinstance(f.type, ir.ListOf) else f.type, ir.ShapeRef)
    ]
    if nested and draw(st.integers(0, 3)) == 0:
        f = draw(st.sampled_from(nested))
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        assert isinstance(ref, ir.ShapeRef)
        inner = service.shape(ref.shape)
        current = payload[f.wire]
        if isinstance(current, list):
            items = list(current)
            i = draw(st.integers(0, len(items) - 1))
            if isinstance(items[i], dict):
                items[i] = draw(_mutate(service, inner, items[i]))
            payload[f.wire] = items
        elif isinstance(current, dict):
            payload[f.wire] = draw(_mutate(service, inner, current))
        return payload
    action = draw(st.sampled_from(["drop", "wrong", "wrong", "extra", "add"])) if s.fields else "extra"
    if action == "extra":
        payload[draw(st.sampled_from(["UNKNOWN", "EXTRA_FIELD", "x"]))] = draw(_TEXT)
        return payload
    f = draw(st.sampled_from(s.fields))
    if action == "drop":
        payload.pop(f.wire, None)
    elif action == "wrong":
        payload[f.wire] = draw(strategies.wrong(f))
    elif action == "extra":
        payload[draw(st.sampled_from(["UNKNOWN", "EXTRA_FIELD", "x"]))] = draw(_TEXT)
    else:
        payload[f.wire] = draw(strategies.value(f))
    return payload


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@st.composite
def _valid_base(draw: st.DrawFn, service: ir.Service, message: ir.Shape) -> Any:
    if message.root is not None:  # a list or a string message
        return _copy(draw(_strategies(service).value(message.root)))
    payload = _copy(draw(_strategies(service).shape(message)))
    if message.rules and draw(st.integers(0, 9)) < 8:
        payload = draw(_repair(service, message, payload))
    return payload


def _root_item_shape(service: ir.Service, message: ir.Shape) -> ir.Shape | None:
    root = message.root
    if root is not None and isinstance(root.type, ir.ListOf) and isinstance(root.type.item, ir.ShapeRef):
        return service.shape(root.type.item.shape)
    return None


@st.composite
def payloads(draw: st.DrawFn, service: ir.Service, message: ir.Shape) -> Any:
    payload = draw(_valid_base(service, message))
    if message.root is not None:
        # Mutate the whole value, or one item of a list of objects.
        item_shape = _root_item_shape(service, message)
        if item_shape is not None and payload and draw(st.booleans()):
            i = draw(st.integers(0, len(payload) - 1))
            payload[i] = draw(_mutate(service, item_shape, payload[i]))
        elif draw(st.integers(0, 2)) == 0:
            payload = draw(_strategies(service).wrong(message.root))
        return payload
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        payload = draw(_mutate(service, message, payload))
    return payload


@st.composite
def batches(draw: st.DrawFn, service: ir.Service, message: ir.Shape, edges_per_batch: int = 4) -> list[dict[str, Any]]:
    """A mutated payload, plus one (mostly valid) base with one field, possibly nested, set to
    several of its edge values in turn."""
    strategies = _strategies(service)
    out = [draw(payloads(service, message))]
    base = draw(_valid_base(service, message))
    # Pick the field to probe: a field of the message or of an item / object inside it.
    holder, shape = base, message
    if message.root is not None:
        item_shape = _root_item_shape(service, message)
        if item_shape is None or not base:
            for value in draw(st.lists(st.sampled_from(strategies.edges(message.root)), min_size=1, max_size=edges_per_batch)):
                out.append(value)
            return out
        holder, shape = base[0], item_shape
    while True:
        nested = [
            f for f in shape.fields
            if isinstance(holder.get(f.wire), (dict, list)) and holder[f.wire]
            and isinstance(f.type.item if isinstance(f.type, ir.ListOf) else f.type, ir.ShapeRef)
        ]
        if not nested or draw(st.booleans()):
            break
        f = draw(st.sampled_from(nested))
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        assert isinstance(ref, ir.ShapeRef)
        inner = holder[f.wire]
        candidate = inner[0] if isinstance(inner, list) else inner
        if not isinstance(candidate, dict):
            break
        holder, shape = candidate, service.shape(ref.shape)
    if not shape.fields:
        holder["UNKNOWN"] = "x"
        out.append(_copy(base))
        return out
    target = draw(st.sampled_from(shape.fields))
    for value in draw(st.lists(strategies.edge_values(shape, target), min_size=1, max_size=edges_per_batch)):
        holder[target.wire] = value
        out.append(_copy(base))
    return out
