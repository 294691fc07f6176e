"""Compare two builds of a provider's specs and class every change for the people who use it.

`diff_services(old, new)` is a pure function over two `ir.Service` values (the specs at a base
revision and now, built by the same generator) and returns every change with its class:

- breaking for consumers: code that uses the package must change (something removed or
  renamed, a Python name or type changed, optional became required, a new cross-field rule, a
  narrowed limit, an outcome that now raises);
- breaking on the wire: the Python surface stayed, but what travels changed (a wire name,
  element order, a date format, an encoding, the signing input, a header, a path, a host), or
  answers accepted before are refused now;
- compatible: something added that nobody has to use (an optional field, an operation, an enum
  value, an outcome, an error code), a widened limit, client behaviour (retries, pacing, the
  mock server);
- docs only: descriptions, examples, ledger text.

Identity survives renames where it sensibly can: operations by name (or, renamed, by method,
path and constants), fields by wire name within their message or shape (a field whose wire
name changed but whose Python name stayed is a wire rename), enum values by wire value and by
name, error codes by code within their table. A named shape is compared once, naming the
operations that use it; a change of a library field (fields.yaml) that every message using it
shows the same way is reported once, at the library.

Each change says where it is (spec `file:line` on both sides) and why it is classed so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import ir
from .kinds import KINDS
from .load import Mark
from .naming import pascal
from .versions import BREAKING, BREAKING_CONSUMER, BREAKING_WIRE, CLASSES, COMPATIBLE, DOCS

# Scalar parameters by what they do. Bounds: a lower bound raised, an upper bound lowered, or a
# pattern added or changed narrows what is accepted (a regular expression cannot be proven
# wider, so any change of one counts as narrowing).
_LOWER = frozenset({"min_length", "minimum", "min_items"})
_UPPER = frozenset({"max_length", "maximum", "max_items", "scale", "bits"})
_WIRE_PARAMS = frozenset({"format", "wire_true", "wire_false", "percent_encoded"})
_DOC_PARAMS = frozenset({"pattern_description"})
# What answers are checked against (emit_schema: responses keep `format` and `scale` of a
# scalar, lists keep their item counts); other limits of response fields are documentation.
RESPONSE_CHECKED = frozenset({"scale", "min_items", "max_items"})

# Documentation of a field (of a shape, an operation: their own lists below).
_DOC_ATTRS = ("description", "note", "source", "ledger")


def _is_doc(name: str) -> bool:
    """Attributes of wire settings, mock states and the like that are documentation."""
    return name.endswith(("description", "ledger")) or name == "note"


@dataclass(frozen=True)
class Change:
    """One classified change. `what` names the thing, `change` says what happened to it and
    `why` why that is its class; `old` / `new` are its spec positions (None where it does not
    exist); `used_by` the operations it reaches."""

    change_class: str
    what: str
    change: str
    why: str
    old: Mark | None = None
    new: Mark | None = None
    used_by: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """What a changelog entry must match (positions move with every edit; this does not)."""
        return (self.change_class, self.what, self.change)

    def entry(self) -> ir.ChangeEntry:
        why = self.why + (f"; used by {', '.join(self.used_by)}" if len(self.used_by) > 1 else "")
        return ir.ChangeEntry(self.change_class, self.what, self.change, why)

    def as_json(self) -> dict[str, Any]:
        return {
            "class": self.change_class,
            "what": self.what,
            "change": self.change,
            "why": self.why,
            "old": where(self.old),
            "new": where(self.new),
            "used_by": list(self.used_by),
        }


def where(mark: Mark | None) -> str | None:
    return f"{mark.file}:{mark.line}" if mark is not None else None


def diff_services(
    old: ir.Service, new: ir.Service, *, old_root: Path | None = None, new_root: Path | None = None
) -> list[Change]:
    """Every change from `old` to `new`, most severe first. With the roots of both spec trees,
    the contents of example files and of the XSD are compared too."""
    differ = _Differ(old, new, old_root, new_root)
    differ.run()
    return differ.result()


def highest(changes: Iterable[Change]) -> str | None:
    """The most severe class among `changes` (None for none)."""
    found = [CLASSES.index(c.change_class) for c in changes]
    return CLASSES[min(found)] if found else None


def is_breaking(changes: Iterable[Change]) -> bool:
    return any(c.change_class in BREAKING for c in changes)


# -- usage: which operations reach a shape, an enum or an error table --------------------------


@dataclass
class _Usage:
    shape_ops: dict[str, set[str]]
    shape_role: dict[str, str]
    enum_ops: dict[str, set[str]]
    enum_roles: dict[str, set[str]]
    table_ops: dict[str, list[str]]


def _usage(service: ir.Service) -> _Usage:
    usage = _Usage({}, {}, {}, {}, {})
    shapes = {s.name: s for s in service.shapes}

    def walk(shape: ir.Shape, user: str, role: str, seen: set[str]) -> None:
        for f in shape.wire_fields + ((shape.root,) if shape.root else ()):
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(ref, ir.EnumRef):
                usage.enum_ops.setdefault(ref.enum, set()).add(user)
                usage.enum_roles.setdefault(ref.enum, set()).add(role)
            elif isinstance(ref, ir.ShapeRef) and ref.shape in shapes and ref.shape not in seen:
                seen.add(ref.shape)
                usage.shape_ops.setdefault(ref.shape, set()).add(user)
                usage.shape_role.setdefault(ref.shape, role)
                walk(shapes[ref.shape], user, role, seen)

    for op in service.operations:
        walk(op.request, op.name, "request", set())
        walk(op.response, op.name, "response", set())
        usage.table_ops.setdefault(op.errors, []).append(op.name)
    for cb in service.callbacks:
        user = f"callback {cb.name}"
        if cb.message and cb.message in shapes:
            usage.shape_ops.setdefault(cb.message, set()).add(user)
            usage.shape_role.setdefault(cb.message, "response")
            walk(shapes[cb.message], user, "response", {cb.message})
        walk(ir.Shape(cb.name, cb.params), user, "response", set())
    return usage


# -- helpers -------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A short, stable text of a value for a change line."""
    if value is None or value == () or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        if all(isinstance(v, tuple) and all(isinstance(x, str) for x in v) for v in value):
            return ", ".join(".".join(v) for v in value)  # paths
        if all(isinstance(v, (str, int)) for v in value):
            return "[" + ", ".join(_show(v) for v in value) + "]"
        return ", ".join(_show(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = []
        for f in dataclasses.fields(value):
            if not f.compare or _is_doc(f.name):
                continue
            v = getattr(value, f.name)
            if v != f.default and v not in ((), None, ""):
                parts.append(f"{f.name}={_show(v)}")
        return f"{{{', '.join(parts)}}}"
    return str(value)


def _show_change(a: Any, b: Any) -> str:
    """`a → b`, for lists of settings only the items that differ."""
    if (
        isinstance(a, tuple)
        and isinstance(b, tuple)
        and a
        and b
        and all(dataclasses.is_dataclass(x) for x in a + b)
    ):
        if len(a) == len(b):
            return "; ".join(
                f"{_show(x)} → {_show(y)}"
                for x, y in zip(a, b, strict=True)
                if _strip_docs(x) != _strip_docs(y)
            )
        gone = [x for x in a if _strip_docs(x) not in _strip_docs(b)]
        came = [y for y in b if _strip_docs(y) not in _strip_docs(a)]
        parts = [f"removed {_show(x)}" for x in gone] + [f"added {_show(y)}" for y in came]
        return "; ".join(parts) or f"order {_show(a)} → {_show(b)}"
    return f"{_show(a)} → {_show(b)}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _strip_docs(value: Any) -> Any:
    """`value` with its documentation attributes (description, ledger, ...) blanked, at any
    depth: what is left is what the package does."""
    if isinstance(value, tuple):
        return tuple(_strip_docs(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.compare:
                continue
            if _is_doc(f.name):
                changes[f.name] = () if isinstance(getattr(value, f.name), tuple) else ""
            else:
                changes[f.name] = _strip_docs(getattr(value, f.name))
        return dataclasses.replace(value, **changes)
    return value


def _doc_diff(old: Any, new: Any, attrs: Iterable[str]) -> list[str]:
    return [a for a in attrs if getattr(old, a) != getattr(new, a)]


def _type_text(t: ir.TypeRef) -> str:
    if isinstance(t, ir.Scalar):
        return t.kind
    if isinstance(t, ir.EnumRef):
        return f"enum {t.enum}"
    if isinstance(t, ir.ShapeRef):
        return f"object {t.shape}"
    return f"list of {_type_text(t.item)}"


def _terms_text(terms: tuple[tuple[str, ...], ...]) -> str:
    return " + ".join(".".join(t) for t in terms)


def _when_text(when: tuple[ir.Condition, ...]) -> str:
    return (
        " and ".join(
            f"{'.'.join(c.path)} is {' or '.join(repr(v) for v in c.values)}" for c in when
        )
        or "always"
    )


def _covers(a: tuple[ir.Condition, ...], b: tuple[ir.Condition, ...]) -> bool:
    """Whether a rule with conditions `a` applies wherever one with `b` does (every
    condition of `a` is implied by one of `b` on the same path)."""
    given = {c.path: set(c.values) for c in b}
    return all(c.path in given and given[c.path] <= set(c.values) for c in a)


class _Differ:
    def __init__(
        self, old: ir.Service, new: ir.Service, old_root: Path | None, new_root: Path | None
    ) -> None:
        self.old, self.new = old, new
        self.old_root, self.new_root = old_root, new_root
        self.old_use, self.new_use = _usage(old), _usage(new)
        self.changes: list[Change] = []
        # Changes of fields that come from a library definition, for grouping:
        # index in self.changes -> (library wire, owner, library positions)
        self.library: dict[int, tuple[str, str, Mark | None, Mark | None]] = {}
        # library wire -> every message or shape that uses it (now)
        self.library_users: dict[str, set[str]] = {}
        owners = [(m.name, m.wire_fields) for m in new.messages()] + [
            (s.name, s.wire_fields) for s in new.shapes
        ]
        owners += [(f"callback {cb.name}", cb.params) for cb in new.callbacks]
        for owner, fields in owners:
            for f in fields:
                if f.library_mark is not None:
                    self.library_users.setdefault(f.wire, set()).add(owner)

    def add(
        self,
        cls: str,
        what: str,
        change: str,
        why: str,
        old: Mark | None = None,
        new: Mark | None = None,
        used_by: Iterable[str] = (),
    ) -> int:
        self.changes.append(
            Change(cls, what, _short(change, 240), why, old, new, tuple(sorted(set(used_by))))
        )
        return len(self.changes) - 1

    def run(self) -> None:
        self.service()
        self.wire()
        self.environments()
        self.credentials()
        self.enums()
        self.shapes()
        self.operations()
        self.error_tables()
        self.callbacks()
        self.ledger()

    def result(self) -> list[Change]:
        changes = self._grouped()

        def order(c: Change) -> tuple[Any, ...]:
            mark = c.new or c.old
            return (
                CLASSES.index(c.change_class),
                mark.file if mark else "",
                mark.line if mark else 0,
                c.what,
                c.change,
            )

        return sorted(changes, key=order)

    def _grouped(self) -> list[Change]:
        """A library field's change that every message using it shows the same way, once (one
        line per class: a limit narrowed is breaking in requests and docs in answers)."""
        groups: dict[tuple[str, str], list[int]] = {}
        for index, (wire, _owner, _o, _n) in self.library.items():
            groups.setdefault((wire, self.changes[index].change), []).append(index)
        merged: set[int] = set()
        out: list[Change] = []
        for (wire, change), indices in groups.items():
            owners = {self.library[i][1] for i in indices}
            if len(owners) < 2 or owners != self.library_users.get(wire, set()):
                continue
            merged.update(indices)
            _, _, lib_old, lib_new = self.library[indices[0]]
            for cls in CLASSES:
                mine = [i for i in indices if self.changes[i].change_class == cls]
                if not mine:
                    continue
                names = sorted({self.library[i][1] for i in mine})
                users = sorted({u for i in mine for u in self.changes[i].used_by})
                first = self.changes[mine[0]]
                out.append(
                    Change(
                        cls,
                        f"library field {wire} (in {', '.join(names)})",
                        change,
                        first.why,
                        lib_old,
                        lib_new,
                        tuple(users),
                    )
                )
        out += [c for i, c in enumerate(self.changes) if i not in merged]
        return out

    # -- service ---------------------------------------------------------------------------------

    def service(self) -> None:
        o, n = self.old, self.new

        def at(key: str) -> tuple[Mark, Mark]:
            return o.key_mark(key), n.key_mark(key)

        for attr, what, why in (
            ("package", "package", "the import name changed"),
            ("client", "client class", "the class consumers construct changed its name"),
            ("error_prefix", "error prefix", "every error class changes its name"),
        ):
            if getattr(o, attr) != getattr(n, attr):
                self.add(
                    BREAKING_CONSUMER,
                    what,
                    f"{getattr(o, attr)} → {getattr(n, attr)}",
                    why,
                    *at(attr),
                )
        if o.protocol != n.protocol:
            self.add(
                BREAKING_WIRE,
                "protocol",
                f"{o.protocol} → {n.protocol}",
                "everything travels differently",
                *at("protocol"),
            )
        if o.auth_one_of != n.auth_one_of:
            self.add(
                BREAKING_CONSUMER,
                "auth",
                f"one of {_show(o.auth_one_of)} → one of {_show(n.auth_one_of)}",
                "which credentials a client may be given changed",
                *at("auth"),
            )
        elif (o.auth_description, o.auth_ledger) != (n.auth_description, n.auth_ledger):
            self.add(DOCS, "auth", "description or ledger changed", "text only", *at("auth"))
        for attr in (
            "title",
            "summary",
            "source",
            "document_date",
            "api_version",
            "notes",
            "test_data",
            "examples_not_vectors",
        ):
            if getattr(o, attr) != getattr(n, attr):
                self.add(
                    DOCS,
                    attr.replace("_", " "),
                    "changed",
                    "documentation of the package only",
                    *at(attr),
                )
        mock = ("mock_unauthorized", "mock_invalid", "mock_state")
        changed = [a for a in mock if getattr(o, a) != getattr(n, a)]
        if changed and any(
            _strip_docs(getattr(o, a)) != _strip_docs(getattr(n, a)) for a in changed
        ):
            self.add(
                COMPATIBLE,
                "mock server",
                f"{', '.join(a.removeprefix('mock_') for a in changed)} changed",
                "only the package's mock server answers differently; clients and the wire are the "
                "same",
                *at("mock"),
            )
        elif changed:
            self.add(DOCS, "mock server", "descriptions changed", "text only", *at("mock"))

    # -- wire --------------------------------------------------------------------------------------

    def wire(self) -> None:
        o, n = self.old.wire, self.new.wire
        if type(o) is not type(n):
            return  # the protocol change says it all
        special = {"body", "credentials", "statuses", "text", "signature", "xsd"}
        compatible = {"rate_limit", "retry_attempts", "retry_statuses", "retry_safe_methods"}
        for f in dataclasses.fields(o):
            name = f.name
            if not f.compare or name in special:
                continue
            a, b = getattr(o, name), getattr(n, name)
            if a == b:
                continue
            label = f"wire {name.replace('_', ' ')}"
            if name.endswith(("description", "ledger")):
                self.add(DOCS, label, "changed", "text only", o.mark, n.mark)
            elif _strip_docs(a) == _strip_docs(b):
                self.add(
                    DOCS, label, "descriptions or ledger links changed", "text only", o.mark, n.mark
                )
            elif name in compatible:
                self.add(
                    COMPATIBLE,
                    label,
                    f"{_show(a)} → {_show(b)}",
                    "the client paces or retries differently; the messages are the same",
                    o.mark,
                    n.mark,
                )
            else:
                why = {
                    "headers": "the headers sent (or the inputs of a digest header, the signing "
                    "input) changed",
                    "auth_headers": "the headers that carry credentials changed",
                    "envelope": "the elements every request starts with changed",
                    "content_type": "the media type sent changed",
                    "encoding": "the encoding of the body changed",
                    "strings": "how scalars are written changed",
                }.get(
                    name,
                    "the client reads or writes the messages differently; the Python surface is "
                    "the same",
                )
                self.add(BREAKING_WIRE, label, _show_change(a, b), why, o.mark, n.mark)
        if isinstance(o, ir.JsonWire) and isinstance(n, ir.JsonWire):
            self._json_members("body", o.body, n.body, o.mark, n.mark)
            self._json_members("credentials", o.credentials, n.credentials, o.mark, n.mark)
            if o.signature != n.signature:
                if _strip_docs(o.signature) == _strip_docs(n.signature):
                    self.add(DOCS, "wire signature", "ledger changed", "text only", o.mark, n.mark)
                else:
                    self.add(
                        BREAKING_WIRE,
                        "wire signature",
                        f"{_show(o.signature)} → {_show(n.signature)}",
                        "the signing input or algorithm changed: signatures no longer match",
                        o.mark,
                        n.mark,
                    )
            if o.text != n.text:
                if n.text is None:
                    self.add(
                        COMPATIBLE,
                        "wire text",
                        f"pattern {o.text!r} removed",
                        "request text accepted is wider",
                        o.mark,
                        n.mark,
                    )
                else:
                    self.add(
                        BREAKING_CONSUMER,
                        "wire text",
                        f"pattern {_show(o.text)} → {n.text!r}",
                        "every request text is checked against it; a pattern cannot be proven "
                        "wider, so it counts as narrowed",
                        o.mark,
                        n.mark,
                    )
        if isinstance(o, ir.RestWire) and isinstance(n, ir.RestWire):
            self._statuses(o, n)
        if isinstance(o, ir.XmlWire) and isinstance(n, ir.XmlWire):
            if o.xsd != n.xsd:
                self.add(
                    BREAKING_WIRE,
                    "wire xsd",
                    f"{_show(o.xsd)} → {_show(n.xsd)}",
                    "requests are validated against another XSD",
                    o.mark,
                    n.mark,
                )
            elif o.xsd and self._file_changed(o.xsd, o.xsd):
                self.add(
                    BREAKING_WIRE,
                    f"XSD {o.xsd}",
                    "contents changed",
                    "requests must validate against it; an XSD edit is not classified further, so "
                    "it counts as breaking",
                    Mark(f"{self.old.spec_dir}/{o.xsd}", 1, 1),
                    Mark(f"{self.new.spec_dir}/{n.xsd}", 1, 1),
                )

    def _json_members(
        self,
        where: str,
        old: tuple[ir.JsonMember, ...],
        new: tuple[ir.JsonMember, ...],
        om: Mark | None,
        nm: Mark | None,
    ) -> None:
        if old == new:
            return
        by_key_old, by_key_new = {m.key: m for m in old}, {m.key: m for m in new}
        label = f"wire {where}"
        for key, m in by_key_old.items():
            if key not in by_key_new:
                cls = BREAKING_CONSUMER if m.source == "option" else BREAKING_WIRE
                why = (
                    f"the client option {m.value} is gone"
                    if m.source == "option"
                    else "the member is no longer sent"
                )
                self.add(cls, f"{label} member {key}", "removed", why, om, nm)
                continue
            k = by_key_new[key]
            if m == k:
                continue
            if _strip_docs(m) == _strip_docs(k):
                self.add(
                    DOCS,
                    f"{label} member {key}",
                    "description or ledger changed",
                    "text only",
                    om,
                    nm,
                )
            elif (
                m.source == "option" == k.source
                and m.value == k.value
                and m.type == k.type
                and m.default == k.default
            ):
                gone = set(m.values) - set(k.values)
                cls = BREAKING_CONSUMER if gone or (k.values and not m.values) else COMPATIBLE
                self.add(
                    cls,
                    f"{label} member {key}",
                    f"values {_show(m.values)} → {_show(k.values)}",
                    "option values accepted before are refused now"
                    if cls == BREAKING_CONSUMER
                    else "the option accepts more values",
                    om,
                    nm,
                )
            elif m.source == "option" and k.source == "option" and m.value != k.value:
                self.add(
                    BREAKING_CONSUMER,
                    f"{label} member {key}",
                    f"client option {m.value} → {k.value}",
                    "the option's Python name changed",
                    om,
                    nm,
                )
            else:
                self.add(
                    BREAKING_WIRE,
                    f"{label} member {key}",
                    f"{_show(m)} → {_show(k)}",
                    "what the member carries changed",
                    om,
                    nm,
                )
        for key, k in by_key_new.items():
            if key not in by_key_old:
                if k.source == "option" and k.default is None:
                    self.add(
                        COMPATIBLE,
                        f"{label} member {key}",
                        "added (a client option)",
                        "a new client option, sent only when given",
                        om,
                        nm,
                    )
                elif k.source == "option":
                    self.add(
                        BREAKING_WIRE,
                        f"{label} member {key}",
                        f"added (a client option, default {k.default!r})",
                        "every request carries a new member unless the option is changed",
                        om,
                        nm,
                    )
                else:
                    self.add(
                        BREAKING_WIRE,
                        f"{label} member {key}",
                        f"added: {_show(k)}",
                        "every request carries a new member",
                        om,
                        nm,
                    )
        common_old = [m.key for m in old if m.key in by_key_new]
        common_new = [m.key for m in new if m.key in by_key_old]
        if common_old != common_new:
            self.add(
                BREAKING_WIRE,
                f"{label} order",
                f"{', '.join(common_old)} → {', '.join(common_new)}",
                "the bytes sent (and signed) are in another order",
                om,
                nm,
            )

    def _statuses(self, o: ir.RestWire, n: ir.RestWire) -> None:
        old, new = {s.status: s for s in o.statuses}, {s.status: s for s in n.statuses}
        prefix_o, prefix_n = self.old.error_prefix, self.new.error_prefix
        for status, s in old.items():
            label = f"HTTP status {status}"
            if status not in new:
                self.add(
                    BREAKING_CONSUMER,
                    label,
                    f"removed (class {prefix_o}{s.name}Error)",
                    "its error class is gone",
                    o.mark,
                    n.mark,
                )
                continue
            t = new[status]
            if s.name != t.name:
                self.add(
                    BREAKING_CONSUMER,
                    label,
                    f"error class {prefix_o}{s.name}Error → {prefix_n}{t.name}Error",
                    "the class consumers catch changed its name",
                    o.mark,
                    n.mark,
                )
            if s.up_to != t.up_to:
                self.add(
                    BREAKING_WIRE,
                    label,
                    f"range up to {_show(s.up_to)} → {_show(t.up_to)}",
                    "which statuses raise this class changed",
                    o.mark,
                    n.mark,
                )
            if (s.description, s.ledger) != (t.description, t.ledger):
                self.add(DOCS, label, "description or ledger changed", "text only", o.mark, n.mark)
        for status, t in new.items():
            if status not in old:
                self.add(
                    COMPATIBLE,
                    f"HTTP status {status}",
                    f"added (class {prefix_n}{t.name}Error)",
                    "a new, more specific error class; the base class still catches it",
                    o.mark,
                    n.mark,
                )

    # -- environments and credentials ------------------------------------------------------------

    def environments(self) -> None:
        old = {e.name: e for e in self.old.environments}
        new = {e.name: e for e in self.new.environments}
        for name, e in old.items():
            if name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"environment {name}",
                    "removed",
                    "code that chooses it fails",
                    e.mark,
                    None,
                )
                continue
            f = new[name]
            if e.url != f.url:
                self.add(
                    BREAKING_WIRE,
                    f"environment {name}",
                    f"host {e.url} → {f.url}",
                    "requests go to another host",
                    e.mark,
                    f.mark,
                )
            if e.default != f.default:
                self.add(
                    BREAKING_WIRE,
                    f"environment {name}",
                    "is the default now" if f.default else "is no longer the default",
                    "clients that do not choose an environment talk to another host",
                    e.mark,
                    f.mark,
                )
            if e.values != f.values:
                self.add(
                    BREAKING_WIRE,
                    f"environment {name}",
                    f"values {_show(e.values)} → {_show(f.values)}",
                    "what requests carry in this environment changed",
                    e.mark,
                    f.mark,
                )
            if e.description != f.description:
                self.add(
                    DOCS, f"environment {name}", "description changed", "text only", e.mark, f.mark
                )
        for name, f in new.items():
            if name not in old:
                self.add(
                    COMPATIBLE,
                    f"environment {name}",
                    "added",
                    "a new choice; the default is unchanged"
                    if not f.default
                    else "a new environment",
                    None,
                    f.mark,
                )

    def credentials(self) -> None:
        old = {c.name: c for c in self.old.credentials}
        new = {c.name: c for c in self.new.credentials}
        for name, c in old.items():
            if name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"credential {name}",
                    "removed",
                    "code that passes it fails",
                    c.mark,
                    None,
                )
                continue
            d = new[name]
            needed_o = not c.optional and c.default is None
            needed_n = not d.optional and d.default is None
            if needed_n and not needed_o:
                self.add(
                    BREAKING_CONSUMER,
                    f"credential {name}",
                    "required now",
                    "every client must be given it",
                    c.mark,
                    d.mark,
                )
            elif needed_o and not needed_n:
                self.add(
                    COMPATIBLE,
                    f"credential {name}",
                    "optional now",
                    "clients may leave it out",
                    c.mark,
                    d.mark,
                )
            if c.wire != d.wire:
                self.add(
                    BREAKING_WIRE,
                    f"credential {name}",
                    f"wire name {_show(c.wire)} → {_show(d.wire)}",
                    "it travels under another name",
                    c.mark,
                    d.mark,
                )
            if c.default != d.default and needed_o == needed_n:
                self.add(
                    BREAKING_WIRE,
                    f"credential {name}",
                    f"default {_show(c.default)} → {_show(d.default)}",
                    "clients that do not give it send another value",
                    c.mark,
                    d.mark,
                )
            if c.secret != d.secret:
                self.add(
                    COMPATIBLE,
                    f"credential {name}",
                    "secret now" if d.secret else "no longer secret",
                    "only reprs, logs and errors show it differently",
                    c.mark,
                    d.mark,
                )
            if c.description != d.description:
                self.add(
                    DOCS, f"credential {name}", "description changed", "text only", c.mark, d.mark
                )
        for name, d in new.items():
            if name not in old:
                if not d.optional and d.default is None:
                    self.add(
                        BREAKING_CONSUMER,
                        f"credential {name}",
                        "added, required",
                        "every client must be given it",
                        None,
                        d.mark,
                    )
                else:
                    self.add(
                        COMPATIBLE,
                        f"credential {name}",
                        "added, optional",
                        "clients may give it",
                        None,
                        d.mark,
                    )

    # -- enums -------------------------------------------------------------------------------------

    def enums(self) -> None:
        old = {e.name: e for e in self.old.enums}
        new = {e.name: e for e in self.new.enums}
        renamed = self._renames(old, new, lambda e: _strip_docs(e.values))
        for name, e in old.items():
            users = self.new_use.enum_ops.get(name, set()) | self.old_use.enum_ops.get(name, set())
            if name in renamed:
                f = new[renamed[name]]
                self.add(
                    BREAKING_CONSUMER,
                    f"enum {name}",
                    f"renamed to {f.name}",
                    "the Python class consumers use changed its name",
                    e.mark,
                    f.mark,
                    users,
                )
                self._enum(e, f)
            elif name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"enum {name}",
                    "removed",
                    "the Python class is gone",
                    e.mark,
                    None,
                    users,
                )
            else:
                self._enum(e, new[name])
        for name, f in new.items():
            if name not in old and name not in renamed.values():
                self.add(
                    COMPATIBLE,
                    f"enum {name}",
                    "added",
                    "a new class nobody has to use",
                    None,
                    f.mark,
                    self.new_use.enum_ops.get(name, ()),
                )

    def _enum(self, e: ir.EnumType, f: ir.EnumType) -> None:
        users = sorted(self.new_use.enum_ops.get(f.name, set()))
        in_answers = "response" in self.new_use.enum_roles.get(f.name, set())
        what = f"enum {f.name}"
        new_by_wire = {v.wire: v for v in f.values}
        new_by_name = {v.name: v for v in f.values}
        old_wires = {v.wire for v in e.values}
        matched: set[str] = set()
        for v in e.values:
            w = new_by_wire.get(v.wire)
            if w is not None:
                matched.add(w.wire)
                if w.name != v.name:
                    self.add(
                        BREAKING_CONSUMER,
                        f"{what} value {v.wire!r}",
                        f"Python name {v.name} → {w.name}",
                        "the member consumers use changed its name (the wire value is the same)",
                        v.mark,
                        w.mark,
                        users,
                    )
                if w.description != v.description:
                    self.add(
                        DOCS,
                        f"{what} value {v.wire!r}",
                        "description changed",
                        "text only",
                        v.mark,
                        w.mark,
                        users,
                    )
                continue
            w = new_by_name.get(v.name)
            if w is not None and w.wire not in old_wires:
                matched.add(w.wire)
                self.add(
                    BREAKING_WIRE,
                    f"{what} value {v.name}",
                    f"wire value {v.wire!r} → {w.wire!r} (Python name kept)",
                    "the same member travels as another value",
                    v.mark,
                    w.mark,
                    users,
                )
                continue
            self.add(
                BREAKING_CONSUMER,
                f"{what} value {v.wire!r}",
                f"removed ({v.name})",
                "the member is gone; code that uses it fails"
                + (" and answers carrying it are refused" if in_answers else ""),
                v.mark,
                f.mark,
                users,
            )
        for w in f.values:
            if w.wire not in matched:
                why = "a new member; requests need not use it"
                if in_answers:
                    why = (
                        "a new member; answers may carry it, so code that matches every member"
                        " should handle it"
                    )
                self.add(
                    COMPATIBLE,
                    f"{what} value {w.wire!r}",
                    f"added ({w.name})",
                    why,
                    e.mark,
                    w.mark,
                    users,
                )
        old_order = [v.wire for v in e.values if v.wire in new_by_wire]
        new_order = [v.wire for v in f.values if v.wire in old_wires]
        if old_order != new_order:
            self.add(
                DOCS,
                what,
                "order of the values changed",
                "enum members are used by name",
                e.mark,
                f.mark,
                users,
            )
        if e.decode_aliases != f.decode_aliases:
            gone = set(e.decode_aliases) - set(f.decode_aliases)
            if gone:
                self.add(
                    BREAKING_WIRE,
                    what,
                    f"decode aliases {_show(e.decode_aliases)} → {_show(f.decode_aliases)}",
                    "answers using an alias that is gone are refused",
                    e.mark,
                    f.mark,
                    users,
                )
            else:
                self.add(
                    COMPATIBLE,
                    what,
                    f"decode aliases {_show(e.decode_aliases)} → {_show(f.decode_aliases)}",
                    "more spellings are read",
                    e.mark,
                    f.mark,
                    users,
                )
        docs = _doc_diff(e, f, ("description", "ledger"))
        if docs:
            self.add(
                DOCS, what, f"{' and '.join(docs)} changed", "text only", e.mark, f.mark, users
            )

    # -- shapes and fields -----------------------------------------------------------------------

    def shapes(self) -> None:
        old = {s.name: s for s in self.old.shapes}
        new = {s.name: s for s in self.new.shapes}
        renamed = self._renames(old, new, lambda s: _strip_docs(s.wire_fields))
        for name, s in old.items():
            users = self.new_use.shape_ops.get(name, set()) | self.old_use.shape_ops.get(
                name, set()
            )
            if name in renamed:
                t = new[renamed[name]]
                self.add(
                    BREAKING_CONSUMER,
                    f"shape {name}",
                    f"renamed to {t.name}",
                    "the Python class consumers use changed its name",
                    s.mark,
                    t.mark,
                    users,
                )
                self._shape_pair(s, t)
            elif name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"shape {name}",
                    "removed",
                    "the Python class is gone",
                    s.mark,
                    None,
                    users,
                )
            else:
                self._shape_pair(s, new[name])
        for name, t in new.items():
            if name not in old and name not in renamed.values():
                self.add(
                    COMPATIBLE,
                    f"shape {name}",
                    "added",
                    "a new class",
                    None,
                    t.mark,
                    self.new_use.shape_ops.get(name, ()),
                )

    def _shape_pair(self, s: ir.Shape, t: ir.Shape) -> None:
        role = self.new_use.shape_role.get(t.name) or self.old_use.shape_role.get(s.name, "request")
        users = sorted(self.new_use.shape_ops.get(t.name, set()))
        self._fields(t.name, s, t, role, users)
        docs = _doc_diff(s, t, ("description", "source"))
        if docs:
            self.add(
                DOCS,
                f"shape {t.name}",
                f"{' and '.join(docs)} changed",
                "text only",
                s.mark,
                t.mark,
                users,
            )

    def _fields(
        self, owner: str, old: ir.Shape, new: ir.Shape, role: str, users: Iterable[str]
    ) -> None:
        """The fields of a message or shape, matched by wire name (or, renamed on the wire, by
        Python name)."""
        users = tuple(users)
        old_by_wire = {f.wire: f for f in old.wire_fields}
        new_by_wire = {f.wire: f for f in new.wire_fields}
        removed = [f for f in old.wire_fields if f.wire not in new_by_wire]
        added = [f for f in new.wire_fields if f.wire not in old_by_wire]
        pairs = [(f, new_by_wire[f.wire]) for f in old.wire_fields if f.wire in new_by_wire]
        for f in list(removed):
            same = [g for g in added if f.name and g.name == f.name]
            if len(same) == 1:
                g = same[0]
                removed.remove(f)
                added.remove(g)
                pairs.append((f, g))
                self.add(
                    BREAKING_WIRE,
                    f"{owner}.{f.wire}",
                    f"wire name {f.wire} → {g.wire} (Python name {g.name} kept)",
                    "the server sees another name; consumer code is the same",
                    f.mark,
                    g.mark,
                    users,
                )
        for f, g in pairs:
            self._field(owner, f, g, role, users)
        request = role == "request"
        for f in removed:
            if f.derived is not None:
                self.add(
                    BREAKING_WIRE,
                    f"{owner}.{f.wire}",
                    "removed (a value the client computed)",
                    "requests no longer carry it",
                    f.mark,
                    new.mark,
                    users,
                )
            else:
                why = "code that passes it fails" if request else "code that reads it fails"
                self.add(
                    BREAKING_CONSUMER,
                    f"{owner}.{f.wire}",
                    f"removed ({f.name})",
                    why,
                    f.mark,
                    new.mark,
                    users,
                )
        for g in added:
            what = f"{owner}.{g.wire}"
            if g.derived is not None:
                self.add(
                    BREAKING_WIRE,
                    what,
                    f"added (computed by the client from {g.derived.of})",
                    "requests carry a new element",
                    old.mark,
                    g.mark,
                    users,
                )
            elif request and g.required:
                self.add(
                    BREAKING_CONSUMER,
                    what,
                    f"added, required ({g.name})",
                    "every request must now give it",
                    old.mark,
                    g.mark,
                    users,
                )
            elif request:
                self.add(
                    COMPATIBLE,
                    what,
                    f"added, optional ({g.name})",
                    "requests may leave it out",
                    old.mark,
                    g.mark,
                    users,
                )
            elif g.required:
                self.add(
                    BREAKING_WIRE,
                    what,
                    f"added, required ({g.name})",
                    "answers without it, accepted before, are refused now",
                    old.mark,
                    g.mark,
                    users,
                )
            else:
                self.add(
                    COMPATIBLE,
                    what,
                    f"added, optional ({g.name})",
                    "a new attribute of the answer",
                    old.mark,
                    g.mark,
                    users,
                )
        renamed_to = {f.wire: g.wire for f, g in pairs}
        old_order = [renamed_to[f.wire] for f in old.wire_fields if f.wire in renamed_to]
        order_of = {g.wire: i for i, g in enumerate(new.wire_fields)}
        new_order = sorted(old_order, key=order_of.__getitem__)
        if old_order != new_order:
            ordered = self.new.protocol == "xml" and request
            self.add(
                BREAKING_WIRE if ordered else DOCS,
                owner,
                "element order changed" if ordered else "member order changed",
                "XML request elements are written, and validated, in this order"
                if ordered
                else "members are read and written by name",
                old.mark,
                new.mark,
                users,
            )
        if old.root is not None or new.root is not None:
            if old.root is None or new.root is None:
                self.add(
                    BREAKING_CONSUMER,
                    owner,
                    "is no longer an object" if new.root is not None else "is an object now",
                    "the Python type of the message changed",
                    old.mark,
                    new.mark,
                    users,
                )
            else:
                self._field(owner, old.root, new.root, role, users)

    def _field(
        self, owner: str, f: ir.Field, g: ir.Field, role: str, users: tuple[str, ...]
    ) -> None:
        what = f"{owner}.{g.wire}" if g.wire != "." else owner
        request = role == "request"
        first = len(self.changes)

        def add(cls: str, change: str, why: str) -> None:
            self.add(cls, what, change, why, f.mark, g.mark, users)

        if f.name != g.name and f.derived is None and g.derived is None:
            add(
                BREAKING_CONSUMER,
                f"Python name {f.name} → {g.name} (wire name kept)",
                "code that uses the old name fails",
            )
        for cls, change, why in _type_changes(f.type, g.type, role, self.old, self.new):
            add(cls, change, why)
        if f.required != g.required:
            if request:
                if g.required:
                    add(BREAKING_CONSUMER, "optional → required", "every request must now give it")
                else:
                    add(COMPATIBLE, "required → optional", "requests may leave it out")
            elif g.required:
                add(
                    BREAKING_WIRE,
                    "optional → required",
                    "answers without it, accepted before, are refused now",
                )
            else:
                add(
                    BREAKING_CONSUMER,
                    "required → optional",
                    "the attribute may be None now; code that reads it must handle that",
                )
        if f.location != g.location:
            add(
                BREAKING_WIRE,
                f"travels in the {g.location}, was the {f.location}",
                "the server finds it elsewhere",
            )
        if f.derived != g.derived:
            add(
                BREAKING_WIRE,
                f"computed {_show(f.derived)} → {_show(g.derived)}",
                "the client computes another value",
            )
        if (f.fallback_of, f.fallback_types) != (g.fallback_of, g.fallback_types):
            add(
                BREAKING_WIRE,
                "fallback changed",
                "what the client sends when it is not given changed",
            )
        if f.codes != g.codes:
            add(
                COMPATIBLE,
                f"codes {_codes(f.codes)} → {_codes(g.codes)}",
                "the provider codes a local check stands for (the docs and the mock server's "
                "answers)",
            )
        docs = _doc_diff(f, g, _DOC_ATTRS)
        if docs:
            add(DOCS, f"{' and '.join(docs)} changed", "text only")
        if f.library_mark is not None and g.library_mark is not None:
            for index in range(first, len(self.changes)):
                self.library[index] = (g.wire, owner, f.library_mark, g.library_mark)

    # -- operations ------------------------------------------------------------------------------

    def operations(self) -> None:
        old = {op.name: op for op in self.old.operations}
        new = {op.name: op for op in self.new.operations}
        renamed = self._renames(old, new, lambda op: (op.method, op.path, op.constants))
        for name, op in old.items():
            if name in renamed:
                nop = new[renamed[name]]
                self.add(
                    BREAKING_CONSUMER,
                    f"operation {name}",
                    f"renamed to {nop.name}",
                    "the client method consumers call changed its name",
                    op.mark,
                    nop.mark,
                    [nop.name],
                )
                self._operation(op, nop)
            elif name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"operation {name}",
                    "removed",
                    "the client method is gone",
                    op.mark,
                    None,
                    [name],
                )
            else:
                self._operation(op, new[name])
        for name, nop in new.items():
            if name not in old and name not in renamed.values():
                self.add(
                    COMPATIBLE,
                    f"operation {name}",
                    "added",
                    "a new client method",
                    None,
                    nop.mark,
                    [name],
                )
        old_order = [n for n in old if n in new]
        new_order = [n for n in new if n in old]
        if old_order != new_order:
            self.add(
                DOCS,
                "operations",
                "order changed",
                "the docs list them in this order",
                self.old.key_mark("operations"),
                self.new.key_mark("operations"),
            )

    def _operation(self, o: ir.Operation, n: ir.Operation) -> None:
        what = f"operation {n.name}"
        users = [n.name]

        def add(cls: str, change: str, why: str) -> None:
            self.add(cls, what, change, why, o.mark, n.mark, users)

        if o.path != n.path:
            add(BREAKING_WIRE, f"path {o.path} → {n.path}", "requests go to another URL")
        if o.method != n.method:
            add(
                BREAKING_WIRE, f"method {o.method} → {n.method}", "requests use another HTTP method"
            )
        if o.constants != n.constants:
            add(
                BREAKING_WIRE,
                f"constants {_show(o.constants)} → {_show(n.constants)}",
                "every request of it carries other constant values",
            )
        for role, om, nm in (
            ("request", o.request, n.request),
            ("response", o.response, n.response),
        ):
            if om.name != nm.name:
                self.add(
                    BREAKING_CONSUMER,
                    f"{n.name} {role}",
                    f"class {om.name} → {nm.name}",
                    "the Python class consumers use changed its name",
                    om.mark,
                    nm.mark,
                    users,
                )
            self._fields(nm.name, om, nm, role, users)
            self._rules(nm.name, om, nm, role, users)
            if om.description != nm.description:
                self.add(DOCS, nm.name, "description changed", "text only", om.mark, nm.mark, users)
        self._outcomes(o, n)
        if o.errors != n.errors:
            add(
                BREAKING_CONSUMER,
                f"error table {o.errors} → {n.errors}",
                "its error codes are another Python enum now",
            )
        docs = _doc_diff(
            o, n, ("title", "summary", "description", "source", "ledger", "extra_ledger")
        )
        if docs:
            add(DOCS, f"{', '.join(docs)} changed", "text only")
        self._examples(o, n)
        if o.retry != n.retry:
            add(
                COMPATIBLE,
                f"retry {_show(o.retry)} → {_show(n.retry)}",
                "the client retries differently; the messages are the same",
            )
        old_extra = {e.wire: e for e in o.extra_fields}
        new_extra = {e.wire: e for e in n.extra_fields}
        for wire in old_extra.keys() - new_extra.keys():
            add(
                BREAKING_CONSUMER,
                f"extra field {wire} removed",
                "the client refuses it in extra_fields now",
            )
        for wire in sorted(new_extra.keys() - old_extra.keys()):
            add(COMPATIBLE, f"extra field {wire} added", "extra_fields accepts it")
        if any(old_extra[w] != new_extra[w] for w in old_extra.keys() & new_extra.keys()):
            add(DOCS, "extra field descriptions changed", "text only")
        if o.text_answer != n.text_answer:
            if o.text_answer is None:
                add(COMPATIBLE, "bare text answers accepted", "answers accepted before still are")
            elif n.text_answer is None:
                add(
                    BREAKING_WIRE,
                    "bare text answers no longer accepted",
                    "answers accepted before are refused now",
                )
            else:
                add(DOCS, "text answer ledger changed", "text only")
        self._paging(o, n, add)
        self._filter(o, n, add)

    def _paging(self, o: ir.Operation, n: ir.Operation, add: Any) -> None:
        if o.paging == n.paging:
            return
        if n.paging is None:
            add(
                BREAKING_CONSUMER,
                "paging removed",
                f"the iterator iter_{o.name.removeprefix('list_')} is gone",
            )
        elif o.paging is None:
            add(COMPATIBLE, "paging added", f"a new iterator iter_{n.name.removeprefix('list_')}")
        elif _strip_docs(o.paging) == _strip_docs(n.paging):
            add(DOCS, "paging ledger changed", "text only")
        elif (o.paging.items, o.paging.next_link, o.paging.skip, o.paging.top) != (
            n.paging.items,
            n.paging.next_link,
            n.paging.skip,
            n.paging.top,
        ):
            add(
                BREAKING_WIRE,
                f"paging {_show(o.paging)} → {_show(n.paging)}",
                "the iterator reads or sends other members",
            )
        else:
            add(
                COMPATIBLE,
                f"page size {o.paging.page_size} → {n.paging.page_size}",
                "the iterator asks for pages of another size",
            )

    def _filter(self, o: ir.Operation, n: ir.Operation, add: Any) -> None:
        a, b = o.filter, n.filter
        if a == b:
            return
        if b is None:
            assert a is not None
            add(BREAKING_CONSUMER, f"filter builder {a.class_name} removed", "the class is gone")
            return
        if a is None:
            add(COMPATIBLE, f"filter builder {b.class_name} added", "a new class")
            return
        if a.class_name != b.class_name:
            add(
                BREAKING_CONSUMER,
                f"filter builder {a.class_name} → {b.class_name}",
                "the class consumers use changed its name",
            )
        if (a.param, a.order_by) != (b.param, b.order_by):
            add(
                BREAKING_WIRE,
                f"filter parameters {_show((a.param, a.order_by))} → "
                f"{_show((b.param, b.order_by))}",
                "the query travels under another name",
            )
        old, new = {p.name: p for p in a.properties}, {p.name: p for p in b.properties}
        for name in sorted(old.keys() - new.keys()):
            add(
                BREAKING_CONSUMER,
                f"filter property {name} removed",
                "code that filters on it fails",
            )
        for name in sorted(new.keys() - old.keys()):
            add(COMPATIBLE, f"filter property {name} added", "a new property to filter on")
        for name in sorted(old.keys() & new.keys()):
            p, q = old[name], new[name]
            if p.path != q.path:
                add(
                    BREAKING_WIRE,
                    f"filter property {name}: path {p.path} → {q.path}",
                    "the query names another property",
                )
            if (p.kind, p.enum) != (q.kind, q.enum):
                add(
                    BREAKING_CONSUMER,
                    f"filter property {name}: type {p.kind} → {q.kind}",
                    "the Python type of its values changed",
                )
            if p.description != q.description:
                add(DOCS, f"filter property {name}: description changed", "text only")
        if (a.source, a.ledger) != (b.source, b.ledger):
            add(DOCS, "filter source or ledger changed", "text only")

    def _rules(self, owner: str, old: ir.Shape, new: ir.Shape, role: str, users: list[str]) -> None:
        request = role == "request"

        def exact(r: ir.Rule) -> tuple[Any, ...]:
            return (r.kind, r.scope, r.fields, r.target, r.when, r.pattern, r.terms)

        def base(r: ir.Rule) -> tuple[Any, ...]:
            return (r.kind, r.scope, r.fields, r.target)

        def label(r: ir.Rule) -> str:
            subject = ", ".join(r.fields) or ".".join(r.target)
            scope = f" in {'.'.join(r.scope)}" if r.scope else ""
            return f"{owner} rule {r.kind} {subject}{scope}"

        remaining_new = list(new.rules)
        unmatched_old: list[ir.Rule] = []
        for r in old.rules:
            same = next((s for s in remaining_new if exact(s) == exact(r)), None)
            if same is None:
                unmatched_old.append(r)
                continue
            remaining_new.remove(same)
            if r.code != same.code:
                self.add(
                    COMPATIBLE,
                    label(same),
                    f"code {_show(r.code)} → {_show(same.code)}",
                    "a refused request reports another provider code",
                    r.mark,
                    same.mark,
                    users,
                )
            if (r.description, r.ledger) != (same.description, same.ledger):
                self.add(
                    DOCS,
                    label(same),
                    "description or ledger changed",
                    "text only (the message of a refused request)",
                    r.mark,
                    same.mark,
                    users,
                )
        narrowed = BREAKING_CONSUMER if request else BREAKING_WIRE
        narrowed_why = (
            "a request that was valid can be refused now"
            if request
            else "answers accepted before can be refused now"
        )
        for r in list(unmatched_old):
            candidates = [s for s in remaining_new if base(s) == base(r)]
            if len(candidates) != 1 or len([q for q in unmatched_old if base(q) == base(r)]) != 1:
                continue
            s = candidates[0]
            unmatched_old.remove(r)
            remaining_new.remove(s)
            if r.when != s.when:
                change = f"condition {_when_text(r.when)} → {_when_text(s.when)}"
                if _covers(r.when, s.when) and not _covers(s.when, r.when):
                    self.add(
                        COMPATIBLE,
                        label(s),
                        change,
                        "the rule applies in fewer cases",
                        r.mark,
                        s.mark,
                        users,
                    )
                else:
                    wider = _covers(s.when, r.when)
                    self.add(
                        narrowed,
                        label(s),
                        change,
                        (
                            "the rule applies in more cases: "
                            if wider
                            else "the rule applies in other cases (not fewer): "
                        )
                        + narrowed_why,
                        r.mark,
                        s.mark,
                        users,
                    )
            if r.pattern != s.pattern:
                self.add(
                    narrowed,
                    label(s),
                    f"pattern {_show(r.pattern)} → {_show(s.pattern)}",
                    "a pattern cannot be proven wider, so it counts as narrowed: " + narrowed_why,
                    r.mark,
                    s.mark,
                    users,
                )
            if r.terms != s.terms:
                self.add(
                    narrowed,
                    label(s),
                    f"sum of {_terms_text(r.terms)} → {_terms_text(s.terms)}",
                    "the total must be another sum: " + narrowed_why,
                    r.mark,
                    s.mark,
                    users,
                )
        for r in unmatched_old:
            self.add(
                COMPATIBLE,
                label(r),
                f"removed ({_when_text(r.when)})",
                "requests it refused are accepted now"
                if request
                else "answers it refused are accepted now",
                r.mark,
                new.mark,
                users,
            )
        for s in remaining_new:
            self.add(
                narrowed,
                label(s),
                f"added ({s.description})",
                narrowed_why,
                old.mark,
                s.mark,
                users,
            )

    def _outcomes(self, o: ir.Operation, n: ir.Operation) -> None:
        old = {x.code: x for x in o.outcomes}
        new = {x.code: x for x in n.outcomes}
        users = [n.name]
        error_codes = (
            {c.code for c in self.new.error_table(n.errors).codes if c.outcome is None}
            if n.errors in {t.name for t in self.new.error_tables}
            else set()
        )
        for code, x in old.items():
            label = f"{n.name} outcome {x.name}" + (f" ({code})" if code is not None else "")
            if code not in new:
                if code in error_codes:
                    self.add(
                        BREAKING_CONSUMER,
                        label,
                        f"turned into an error: code {code} raises now",
                        "code that handled the result gets an exception",
                        x.mark,
                        n.mark,
                        users,
                    )
                else:
                    self.add(
                        BREAKING_CONSUMER,
                        label,
                        "removed",
                        f"the result class {pascal(o.name)}{pascal(x.name)} is gone",
                        x.mark,
                        n.mark,
                        users,
                    )
                continue
            y = new[code]
            if x.name != y.name:
                self.add(
                    BREAKING_CONSUMER,
                    label,
                    f"result class {pascal(o.name)}{pascal(x.name)} → "
                    f"{pascal(n.name)}{pascal(y.name)}",
                    "the class consumers match on changed its name",
                    x.mark,
                    y.mark,
                    users,
                )
            old_returns, new_returns = dict(x.returns), dict(y.returns)
            for attr in sorted(old_returns.keys() - new_returns.keys()):
                self.add(
                    BREAKING_CONSUMER,
                    label,
                    f"result attribute {attr} removed",
                    "code that reads it fails",
                    x.mark,
                    y.mark,
                    users,
                )
            for attr in sorted(new_returns.keys() - old_returns.keys()):
                self.add(
                    COMPATIBLE,
                    label,
                    f"result attribute {attr} added",
                    "a new attribute of the result",
                    x.mark,
                    y.mark,
                    users,
                )
            for attr in sorted(old_returns.keys() & new_returns.keys()):
                if old_returns[attr] != new_returns[attr]:
                    self.add(
                        BREAKING_WIRE,
                        label,
                        f"result attribute {attr} read from {'.'.join(old_returns[attr])} → "
                        f"{'.'.join(new_returns[attr])}",
                        "the same attribute comes from another element",
                        x.mark,
                        y.mark,
                        users,
                    )
            for attr in sorted(set(x.optional) ^ set(y.optional)):
                if attr not in old_returns or attr not in new_returns:
                    continue
                if attr in y.optional:
                    self.add(
                        BREAKING_CONSUMER,
                        label,
                        f"result attribute {attr} may be absent now",
                        "its type gains None: code that uses it must check",
                        x.mark,
                        y.mark,
                        users,
                    )
                else:
                    self.add(
                        BREAKING_WIRE,
                        label,
                        f"result attribute {attr} required now",
                        "answers without it, a result before, are a ResponseError now",
                        x.mark,
                        y.mark,
                        users,
                    )
            if x.item_success != y.item_success:
                self.add(
                    BREAKING_WIRE,
                    label,
                    f"item success codes {_show(x.item_success)} → {_show(y.item_success)}",
                    "items are judged by other codes",
                    x.mark,
                    y.mark,
                    users,
                )
            if x.description != y.description:
                self.add(DOCS, label, "description changed", "text only", x.mark, y.mark, users)
        for code, y in new.items():
            if code not in old:
                label = f"{n.name} outcome {y.name}" + (f" ({code})" if code is not None else "")
                self.add(
                    COMPATIBLE,
                    label,
                    "added",
                    f"code {code} returns a result now" if code is not None else "a new result",
                    o.mark,
                    y.mark,
                    users,
                )

    def _examples(self, o: ir.Operation, n: ir.Operation) -> None:
        old = {e.name: e for e in o.examples}
        new = {e.name: e for e in n.examples}
        for name in old.keys() - new.keys():
            self.add(
                DOCS,
                f"{n.name} example {name}",
                "removed",
                "examples are docs and test vectors",
                old[name].mark,
                n.mark,
                [n.name],
            )
        for name in new.keys() - old.keys():
            self.add(
                DOCS,
                f"{n.name} example {name}",
                "added",
                "examples are docs and test vectors",
                o.mark,
                new[name].mark,
                [n.name],
            )
        for name in sorted(old.keys() & new.keys()):
            e, f = old[name], new[name]
            files = [
                rel
                for rel in (f.request, f.response)
                if rel and rel in (e.request, e.response) and self._file_changed(rel, rel)
            ]
            if e != f or files:
                detail = "file contents changed" if e == f else "changed"
                self.add(
                    DOCS,
                    f"{n.name} example {name}",
                    detail,
                    "examples are docs and test vectors",
                    e.mark,
                    f.mark,
                    [n.name],
                )

    def _file_changed(self, old_rel: str, new_rel: str) -> bool:
        if self.old_root is None or self.new_root is None:
            return False
        a = self.old_root / self.old.spec_dir / old_rel
        b = self.new_root / self.new.spec_dir / new_rel
        if not a.is_file() or not b.is_file():
            return a.is_file() != b.is_file()
        return a.read_bytes() != b.read_bytes()

    # -- error tables ----------------------------------------------------------------------------

    def error_tables(self) -> None:
        old = {t.name: t for t in self.old.error_tables}
        new = {t.name: t for t in self.new.error_tables}
        for name, t in old.items():
            users = self.new_use.table_ops.get(name, []) or self.old_use.table_ops.get(name, [])
            if name not in new:
                self.add(
                    BREAKING_CONSUMER,
                    f"error table {name}",
                    "removed",
                    f"its enum {pascal(name)}ErrorCode is gone",
                    t.mark,
                    None,
                    users,
                )
                continue
            u = new[name]
            self._codes(t, u, users)
            docs = _doc_diff(t, u, ("title", "source", "description", "inferred"))
            if docs:
                self.add(
                    DOCS,
                    f"error table {name}",
                    f"{', '.join(docs)} changed",
                    "text only",
                    t.mark,
                    u.mark,
                    users,
                )
        for name, u in new.items():
            if name not in old:
                self.add(
                    COMPATIBLE,
                    f"error table {name}",
                    "added",
                    "a new enum of error codes",
                    None,
                    u.mark,
                    self.new_use.table_ops.get(name, []),
                )

    def _codes(self, t: ir.ErrorTable, u: ir.ErrorTable, users: list[str]) -> None:
        def keyed(table: ir.ErrorTable) -> dict[tuple[str, int], ir.ErrorCode]:
            seen: dict[str, int] = {}
            out = {}
            for c in table.codes:
                seen[c.code] = seen.get(c.code, 0) + 1
                out[(c.code, seen[c.code])] = c
            return out

        old, new = keyed(t), keyed(u)
        what = f"error table {u.name}"
        new_by_name = {c.name: k for k, c in new.items()}
        matched: set[tuple[str, int]] = set()
        for key, c in old.items():
            if key in new:
                d = new[key]
                matched.add(key)
                if c.name != d.name:
                    self.add(
                        BREAKING_CONSUMER,
                        f"{what} code {c.code}",
                        f"Python name {c.name} → {d.name}",
                        "the enum member consumers use changed its name",
                        c.mark,
                        d.mark,
                        users,
                    )
                docs = _doc_diff(
                    c, d, ("message", "gloss", "hint", "ledger", "outcome", "duplicate")
                )
                if docs:
                    self.add(
                        DOCS,
                        f"{what} code {c.code}",
                        f"{', '.join(docs)} changed",
                        "text only",
                        c.mark,
                        d.mark,
                        users,
                    )
                continue
            other = new_by_name.get(c.name)
            if other is not None and other not in old:
                matched.add(other)
                d = new[other]
                self.add(
                    BREAKING_WIRE,
                    f"{what} code {c.name}",
                    f"code {c.code!r} → {d.code!r} (Python name kept)",
                    "the same member stands for another code from the server",
                    c.mark,
                    d.mark,
                    users,
                )
                continue
            self.add(
                BREAKING_CONSUMER,
                f"{what} code {c.code}",
                f"removed ({c.name})",
                "the enum member is gone; code that uses it fails",
                c.mark,
                u.mark,
                users,
            )
        for key, d in new.items():
            if key not in matched:
                self.add(
                    COMPATIBLE,
                    f"{what} code {d.code}",
                    f"added ({d.name})",
                    f"a new member of {pascal(u.name)}ErrorCode; the error class is the same",
                    t.mark,
                    d.mark,
                    users,
                )

    # -- callbacks and ledger --------------------------------------------------------------------

    def callbacks(self) -> None:
        old = {c.name: c for c in self.old.callbacks}
        new = {c.name: c for c in self.new.callbacks}
        for name, c in old.items():
            what = f"callback {name}"
            if name not in new:
                self.add(BREAKING_CONSUMER, what, "removed", f"parse_{name} is gone", c.mark, None)
                continue
            d = new[name]
            if (c.method, c.body) != (d.method, d.body):
                self.add(
                    BREAKING_WIRE,
                    what,
                    f"{c.method} {c.body} → {d.method} {d.body}",
                    "the provider's request is read differently",
                    c.mark,
                    d.mark,
                )
            if c.message != d.message:
                self.add(
                    BREAKING_CONSUMER,
                    what,
                    f"message {_show(c.message)} → {_show(d.message)}",
                    "parse_{name} returns another class".replace("{name}", name),
                    c.mark,
                    d.mark,
                )
            if _strip_docs(c.signature) != _strip_docs(d.signature):
                self.add(
                    BREAKING_WIRE,
                    what,
                    f"signature {_show(c.signature)} → {_show(d.signature)}",
                    "the signing input or algorithm changed: signatures no longer match",
                    c.mark,
                    d.mark,
                )
            self._fields(
                what,
                ir.Shape(name, c.params, mark=c.mark),
                ir.Shape(name, d.params, mark=d.mark),
                "response",
                [what],
            )
            docs = _doc_diff(
                c, d, ("title", "source", "description", "example", "example_file", "ledger")
            )
            if _strip_docs(c.signature) == _strip_docs(d.signature) and c.signature != d.signature:
                docs.append("signature ledger")
            if (
                d.example_file
                and d.example_file == c.example_file
                and self._file_changed(c.example_file, d.example_file)
            ):
                docs.append("example file contents")
            if docs:
                self.add(DOCS, what, f"{', '.join(docs)} changed", "text only", c.mark, d.mark)
        for name, d in new.items():
            if name not in old:
                self.add(
                    COMPATIBLE, f"callback {name}", "added", f"a new parse_{name}", None, d.mark
                )

    def ledger(self) -> None:
        old = {d.id: d for d in self.old.discrepancies}
        new = {d.id: d for d in self.new.discrepancies}
        for key in sorted(old.keys() | new.keys()):
            a, b = old.get(key), new.get(key)
            if a == b:
                continue
            change = "added" if a is None else "removed" if b is None else "changed"
            self.add(
                DOCS,
                f"ledger entry {key}",
                change,
                "the discrepancy ledger is documentation",
                a.mark if a else None,
                b.mark if b else None,
            )

    # -- renames ---------------------------------------------------------------------------------

    @staticmethod
    def _renames(old: dict[str, Any], new: dict[str, Any], identity: Any) -> dict[str, str]:
        """Old name -> new name for things that left under one name and came under another
        with the same identity (one candidate each way)."""
        gone = [k for k in old if k not in new]
        came = [k for k in new if k not in old]
        out = {}
        for k in gone:
            same = [m for m in came if identity(new[m]) == identity(old[k])]
            if len(same) == 1 and [
                g for g in gone if identity(old[g]) == identity(new[same[0]])
            ] == [k]:
                out[k] = same[0]
        return out


def _codes(codes: ir.FieldCodes) -> str:
    parts = []
    if codes.missing:
        parts.append("missing " + "/".join(codes.missing))
    if codes.invalid:
        parts.append("invalid " + "/".join(codes.invalid))
    if codes.server:
        parts.append("answered by the server " + "/".join(codes.server))
    return ", ".join(parts) or "none"


def _type_changes(
    a: ir.TypeRef, b: ir.TypeRef, role: str, old: ir.Service, new: ir.Service
) -> list[tuple[str, str, str]]:
    """The changes from type `a` to type `b` of a field in a request or response."""
    request = role == "request"
    if (
        type(a) is not type(b)
        or (isinstance(a, ir.EnumRef) and a != b)
        or (isinstance(a, ir.ShapeRef) and a != b)
    ):
        return [
            (
                BREAKING_CONSUMER,
                f"type {_type_text(a)} → {_type_text(b)}",
                "the Python type changed",
            )
        ]
    if isinstance(a, ir.ListOf) and isinstance(b, ir.ListOf):
        out = [
            (cls, f"items: {change}", why)
            for cls, change, why in _type_changes(a.item, b.item, role, old, new)
        ]
        if a.item_wire != b.item_wire:
            out.append(
                (
                    BREAKING_WIRE,
                    f"item element {_show(a.item_wire)} → {_show(b.item_wire)}",
                    "each item travels under another element name",
                )
            )
        out += _limits(
            {"min_items": a.min_items, "max_items": a.max_items},
            {"min_items": b.min_items, "max_items": b.max_items},
            role,
        )
        return out
    if not (isinstance(a, ir.Scalar) and isinstance(b, ir.Scalar)):
        return []
    if a.kind != b.kind:
        pa, pb = KINDS[a.kind].python_type(a.param_map), KINDS[b.kind].python_type(b.param_map)
        change = f"type {a.kind} → {b.kind}"
        if pa != pb:
            return [(BREAKING_CONSUMER, change, f"the Python type changed ({pa} → {pb})")]
        plain = b.kind == "string" and not (set(b.param_map) - _DOC_PARAMS)
        if not request:
            return [
                (DOCS, change, f"the Python type stays {pb} and answers are checked for it only")
            ]
        if plain:
            return [(COMPATIBLE, change, "plain text accepts everything the old kind did")]
        return [
            (
                BREAKING_CONSUMER,
                change,
                "values accepted before may be refused now (the kinds check differently)",
            )
        ]
    return _limits(a.param_map, b.param_map, role)


def _limits(a: dict[str, Any], b: dict[str, Any], role: str) -> list[tuple[str, str, str]]:
    request = role == "request"
    out = []
    for p in sorted(set(a) | set(b)):
        x, y = a.get(p), b.get(p)
        if x == y:
            continue
        before = _show(x) if x is not None else "none"
        after = _show(y) if y is not None else "none"
        change = f"{p.replace('_', ' ')} {before} → {after}"
        if p in _WIRE_PARAMS:
            out.append(
                (
                    BREAKING_WIRE,
                    change,
                    "the value's wire form changed (the Python value is the same)",
                )
            )
            continue
        if p in _DOC_PARAMS:
            out.append((DOCS, change, "text only"))
            continue
        if p == "pattern":
            narrower = y is not None
        elif p in _LOWER:
            narrower = y is not None and (x is None or y > x)
        else:  # _UPPER and anything else bounded from above
            narrower = y is not None and (x is None or y < x)
        if not request and p not in RESPONSE_CHECKED:
            out.append(
                (DOCS, change, "answers are not checked against this limit; it is documentation")
            )
        elif narrower:
            why = "values accepted before are refused now"
            if p == "pattern" and x is not None:
                why = "a pattern cannot be proven wider, so it counts as narrowed: " + why
            out.append(
                (
                    BREAKING_CONSUMER if request else BREAKING_WIRE,
                    change,
                    why if request else "answers accepted before are refused now",
                )
            )
        else:
            out.append((COMPATIBLE, change, "more values are accepted"))
    return out
