"""The provider as a whole: service.yaml (environments, credentials, auth, the protocol's wire,
callbacks, test data, the mock server's state), the error tables and the discrepancy ledger."""

from __future__ import annotations

from typing import Any

from .. import ir, protocols
from ..changelog import build_releases
from ..load import Document, PathKey
from ..naming import did_you_mean, is_snake
from .context import Context, field_hint
from .types import build_field


def build_discrepancies(ctx: Context) -> None:
    doc = ctx.sources.discrepancies
    if doc is None:
        return
    found: list[ir.Discrepancy] = []
    for i, entry in enumerate(doc.data.get("discrepancies", [])):
        if entry["id"] in ctx.ledger_ids:
            ctx.report(doc, ("discrepancies", i, "id"), f"duplicate ledger id {entry['id']!r}")
        ctx.ledger_ids.add(entry["id"])
        found.append(
            ir.Discrepancy(
                id=entry["id"],
                where=entry["where"],
                document_says=entry["document_says"],
                decision=entry["decision"],
                other_says=entry.get("other_says", ""),
                status=entry.get("status", "decided"),
                mark=doc.mark(("discrepancies", i)),
            )
        )
    ctx.discrepancies = tuple(found)


def build_error_tables(ctx: Context) -> list[ir.ErrorTable]:
    doc = ctx.sources.errors
    tables: list[ir.ErrorTable] = []
    if doc is None:
        return tables
    names: set[str] = set()
    for i, raw in enumerate(doc.data.get("tables", [])):
        path: PathKey = ("tables", i)
        if raw["name"] in names:
            ctx.report(doc, path + ("name",), f"duplicate error table {raw['name']!r}")
        names.add(raw["name"])
        seen_codes: set[str] = set()
        seen_names: set[str] = set()
        codes = []
        for j, code in enumerate(raw["codes"]):
            cpath = path + ("codes", j)
            if code["code"] in seen_codes and not code.get("duplicate"):
                ctx.report(
                    doc,
                    cpath + ("code",),
                    f"table {raw['name']}: code {code['code']!r} appears twice (mark the second "
                    f"'duplicate: true' with a ledger entry if the document repeats it)",
                )
            if code.get("duplicate") and (code["code"] not in seen_codes or not code.get("ledger")):
                ctx.report(
                    doc,
                    cpath + ("duplicate",),
                    f"table {raw['name']}: code {code['code']!r} is marked duplicate but needs an "
                    f"earlier row with the same code and a ledger entry",
                    at_key=True,
                )
            if not is_snake(code["name"]) or code["name"] in seen_names:
                ctx.report(
                    doc,
                    cpath + ("name",),
                    f"table {raw['name']}: code name {code['name']!r} must be a unique snake_case "
                    f"name",
                )
            seen_codes.add(code["code"])
            seen_names.add(code["name"])
            codes.append(
                ir.ErrorCode(
                    code=code["code"],
                    name=code["name"],
                    message=code["message"],
                    gloss=code.get("gloss"),
                    outcome=code.get("outcome"),
                    ledger=ctx.ledger(doc, cpath + ("ledger",), code.get("ledger")),
                    hint=code.get("hint"),
                    duplicate=bool(code.get("duplicate", False)),
                    mark=doc.mark(cpath),
                )
            )
        tables.append(
            ir.ErrorTable(
                name=raw["name"],
                title=raw["title"],
                source=raw["source"],
                codes=tuple(codes),
                description=raw.get("description", ""),
                inferred=bool(raw.get("inferred", False)),
                mark=doc.mark(path),
            )
        )
    return tables


def build_service(
    ctx: Context, operations: list[ir.Operation], error_tables: list[ir.ErrorTable]
) -> ir.Service | None:
    doc = ctx.sources.service
    assert doc is not None
    data = doc.data
    envs = _environments(ctx, doc, data)
    credentials = _credentials(ctx, doc, data)
    auth = data.get("auth")
    if auth:
        optional = {c.name for c in credentials if c.optional}
        for j, name in enumerate(auth["one_of"]):
            if name not in optional:
                ctx.report(
                    doc,
                    ("auth", "one_of", j),
                    f"auth: {name!r} must be an optional credential (exactly one of "
                    f"{auth['one_of']} is given)",
                )
    protocol = protocols.find(data["protocol"])
    if protocol is None:
        return None
    wire = protocol.build_wire(ctx, doc, data.get("wire", {}), {c.name for c in credentials}, envs)
    if wire is None:
        return None
    by_name = {op.name: op for op in operations}
    for i, name in enumerate(data["operations"]):
        if name not in by_name:
            ctx.report(
                doc,
                ("operations", i),
                f"operation {name!r} has no file in operations/ (found: "
                f"{', '.join(sorted(by_name)) or 'none'})",
            )
    for name in sorted(set(by_name) - set(data["operations"])):
        ctx.report(
            doc, ("operations",), f"operation {name!r} (operations/) is missing from this list"
        )
    operations = [by_name[n] for n in data["operations"] if n in by_name]
    callbacks = [
        _callback(ctx, doc, ("callbacks", i), raw, protocol, wire)
        for i, raw in enumerate(data.get("callbacks", []))
    ]
    _check_example_files(ctx, doc, data, list(by_name.values()), callbacks)
    test_data = tuple(
        ir.TestData(t["title"], t["usage"], tuple(t["values"].items()))
        for t in data.get("test_data", [])
    )
    mock_state = _mock_state(ctx, doc, data.get("mock", {}), operations, error_tables)
    releases, found = build_releases(ctx.sources.changelog, doc, ctx.sources.display_dir)
    ctx.problems.extend(found)
    return ir.Service(
        provider=data["provider"],
        title=data["title"],
        api_version=data.get("api_version", ""),
        source=data["source"],
        document_date=data.get("document_date", ""),
        summary=data["summary"],
        package=data["package"],
        client=data["client"],
        error_prefix=data["error_prefix"],
        protocol=data["protocol"],
        wire=wire,
        environments=tuple(envs),
        credentials=tuple(credentials),
        notes=tuple(ir.Note(n["title"], n["text"]) for n in data.get("notes", [])),
        mock_unauthorized=data.get("mock", {}).get("unauthorized"),
        mock_invalid=data.get("mock", {}).get("invalid"),
        mock_state=mock_state,
        enums=tuple(ctx.enums.values()),
        shapes=tuple(s for s in ctx.shapes.values() if s.role == "shape"),
        operations=tuple(operations),
        error_tables=tuple(error_tables),
        discrepancies=ctx.discrepancies,
        spec_dir=ctx.sources.display_dir,
        callbacks=tuple(callbacks),
        test_data=test_data,
        examples_not_vectors=tuple(
            (e["file"], ctx.ledger(doc, ("examples_not_vectors", i, "ledger"), e["ledger"]))
            for i, e in enumerate(data.get("examples_not_vectors", []))
        ),
        auth_one_of=tuple(auth["one_of"]) if auth else (),
        auth_description=auth["description"] if auth else "",
        auth_ledger=ctx.ledger(doc, ("auth", "ledger"), auth.get("ledger")) if auth else (),
        version=data["version"],
        releases=releases,
        marks=tuple((key, doc.key_mark((key,))) for key in data),
    )


def _environments(ctx: Context, doc: Document, data: dict[str, Any]) -> list[ir.Environment]:
    envs = []
    defaults = 0
    names: set[str] = set()
    for i, raw in enumerate(data["environments"]):
        if raw["name"] in names:
            ctx.report(doc, ("environments", i, "name"), f"duplicate environment {raw['name']!r}")
        names.add(raw["name"])
        defaults += bool(raw.get("default"))
        envs.append(
            ir.Environment(
                raw["name"],
                raw["url"],
                bool(raw.get("default")),
                raw.get("description", ""),
                tuple(sorted(raw.get("values", {}).items())),
                doc.mark(("environments", i)),
            )
        )
    if defaults != 1:
        ctx.report(
            doc,
            ("environments",),
            f"exactly one environment must be 'default: true' (found {defaults})",
        )
    return envs


def _credentials(ctx: Context, doc: Document, data: dict[str, Any]) -> list[ir.Credential]:
    credentials = []
    seen_default = False
    for i, raw in enumerate(data["credentials"]):
        if "default" in raw or raw.get("optional"):
            seen_default = True
        elif seen_default:
            ctx.report(
                doc,
                ("credentials", i, "name"),
                f"credential {raw['name']!r} has no default but follows one that has; list "
                f"credentials with defaults last",
            )
        if not is_snake(raw["name"]):
            ctx.report(
                doc,
                ("credentials", i, "name"),
                f"credential name {raw['name']!r} must be snake_case",
            )
        credentials.append(
            ir.Credential(
                raw["name"],
                raw["description"],
                raw.get("wire"),
                bool(raw.get("secret", False)),
                raw.get("default"),
                bool(raw.get("optional", False)),
                doc.mark(("credentials", i)),
            )
        )
    return credentials


def _callback(
    ctx: Context,
    doc: Document,
    cpath: PathKey,
    raw: dict[str, Any],
    protocol: protocols.Protocol,
    wire: ir.Wire,
) -> ir.Callback:
    params = [
        build_field(ctx, doc, cpath + ("params", j), p, in_message=True)
        for j, p in enumerate(raw.get("params", []))
    ]
    body = raw.get("body", "query")
    if body != "query":
        target = ctx.shapes.get(raw["message"])
        if target is None or target.role != "shape":
            ctx.report(
                doc,
                cpath + ("message",),
                f"callback {raw['name']}: no shape named {raw['message']!r}",
            )
        elif body == "signed-header" and "signature" not in raw:
            ctx.report(
                doc,
                cpath + ("body",),
                f"callback {raw['name']}: a signed-header callback needs 'signature'",
            )
        else:
            refused = protocol.callback_problem(body, wire)
            if refused is not None:
                ctx.report(doc, cpath + ("body",), f"callback {raw['name']}: {refused}")
            else:
                ctx.callback_shapes.add(raw["message"])
    if "signature" in raw and body != "signed-header":
        ctx.report(
            doc,
            cpath + ("signature",),
            f"callback {raw['name']}: 'signature' is for body signed-header",
            at_key=True,
        )
    raw_sig = raw.get("signature")
    header_signature = (
        ir.HeaderSignature(
            raw_sig["header"],
            raw_sig["algorithm"],
            raw_sig["timestamp"],
            raw_sig["value"],
            raw_sig["tolerance"],
            ctx.ledger(doc, cpath + ("signature", "ledger"), raw_sig.get("ledger")),
        )
        if raw_sig and body == "signed-header"
        else None
    )
    return ir.Callback(
        name=raw["name"],
        title=raw["title"],
        source=raw["source"],
        method=raw["method"],
        description=raw["description"],
        params=tuple(p for p in params if p is not None),
        example=raw.get("example", ""),
        example_file=raw.get("example_file", ""),
        ledger=ctx.ledger(doc, cpath + ("ledger",), raw.get("ledger")),
        body=body,
        message=raw.get("message"),
        signature=header_signature,
        mark=doc.mark(cpath),
    )


def _check_example_files(
    ctx: Context,
    doc: Document,
    data: dict[str, Any],
    operations: list[ir.Operation],
    callbacks: list[ir.Callback],
) -> None:
    """Every file in examples/ is a test vector (of an operation or a callback) or is listed,
    with the reason, under examples_not_vectors: no document example is silently dropped."""
    spec_dir = ctx.sources.provider_dir
    shown = ctx.sources.display_dir
    used = {f for op in operations for ex in op.examples for f in (ex.request, ex.response) if f}
    for i, cb in enumerate(callbacks):
        if cb.example_file:
            used.add(cb.example_file)
            if not (spec_dir / cb.example_file).is_file():
                ctx.report(
                    doc,
                    ("callbacks", i, "example_file"),
                    f"example file {cb.example_file!r} does not exist in {shown}",
                )
    excused = set()
    for i, entry in enumerate(data.get("examples_not_vectors", [])):
        excused.add(entry["file"])
        if not (spec_dir / entry["file"]).is_file():
            ctx.report(
                doc,
                ("examples_not_vectors", i, "file"),
                f"example file {entry['file']!r} does not exist in {shown}",
            )
        elif entry["file"] in used:
            ctx.report(
                doc,
                ("examples_not_vectors", i, "file"),
                f"example file {entry['file']!r} is used as a test vector; it cannot also be "
                f"listed here",
            )
    if any(not (spec_dir / f).is_file() for f in used):
        return  # a broken reference is already reported; an "unused file" would repeat it
    folder = spec_dir / "examples"
    on_disk = (
        sorted(f"examples/{p.name}" for p in folder.iterdir() if p.is_file())
        if folder.is_dir()
        else []
    )
    for name in on_disk:
        if name not in used and name not in excused:
            ctx.report(
                doc,
                ("provider",),
                f"example file {name!r} is not used by any operation or callback; make it a test "
                f"vector, "
                "or list it under examples_not_vectors with the ledger id that says why it cannot "
                "be one",
            )


def _mock_state(
    ctx: Context,
    doc: Document,
    mock: dict[str, Any],
    operations: list[ir.Operation],
    tables: list[ir.ErrorTable],
) -> tuple[ir.MockState, ...]:
    """The `mock:` section: its codes name documented errors (or, for rest-json, HTTP
    statuses), its operations exist and its paths lead to fields."""
    known = {c.code for t in tables for c in t.codes}
    by_name = {op.name: op for op in operations}

    def code_ok(path: PathKey, code: str) -> None:
        if code not in known and not (code.isdigit() and 400 <= int(code) <= 599):
            ctx.report(
                doc, path, f"mock code {code!r} is in no error table (and is no HTTP error status)"
            )

    def path_ok(where: PathKey, shape: ir.Shape, path: tuple[str, ...]) -> None:
        current: ir.Shape | None = shape
        for step in path:
            f = current.field(step) if current is not None else None
            if f is None:
                hint = field_hint(current, step) if current is not None else ""
                ctx.report(
                    doc, where, f"{'.'.join(path)!r}: no field {step!r} in {shape.name}{hint}"
                )
                return
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            current = ctx.shapes.get(ref.shape) if isinstance(ref, ir.ShapeRef) else None

    for key in ("unauthorized", "invalid"):
        if key in mock:
            code_ok(("mock", key), mock[key])
    states = []
    for i, raw in enumerate(mock.get("state", [])):
        at: PathKey = ("mock", "state", i)
        for key in ("unknown", "used_twice"):
            if key in raw:
                code_ok(at + (key,), raw[key])
        ((issuer, issued),) = raw["issued_by"].items()
        resource = raw.get("resource", {})
        for key in ("read_by", "patched_by", "deleted_by", "listed_by"):
            for name in resource.get(key, ()):
                if name not in by_name:
                    ctx.report(
                        doc,
                        at + ("resource", key),
                        f"mock state {raw['name']!r}: no operation {name!r}"
                        + did_you_mean(name, by_name),
                    )
        users = []
        for name, path in [(issuer, issued), *raw["used_by"].items()]:
            op = by_name.get(name)
            if op is None:
                if not ctx.problems:  # else it is likely a follow-on of a problem reported
                    ctx.report(
                        doc,
                        at,
                        f"mock state {raw['name']!r}: no operation {name!r}"
                        + did_you_mean(name, by_name),
                    )
                continue
            steps = () if path == "." else tuple(path.split("."))
            if name == issuer and path == issued:
                if steps:
                    path_ok(at + ("issued_by",), op.response, steps)
            else:
                path_ok(at + ("used_by", name), op.request, steps)
                users.append((name, steps))
        states.append(
            ir.MockState(
                name=raw["name"],
                description=raw["description"],
                issuer=issuer,
                issued_at=() if issued == "." else tuple(issued.split(".")),
                users=tuple(users),
                unknown=raw["unknown"],
                used_twice=raw.get("used_twice"),
                ledger=ctx.ledger(doc, at + ("ledger",), raw.get("ledger")),
                resource_id=resource.get("id"),
                read_by=tuple(resource.get("read_by", ())),
                patched_by=tuple(resource.get("patched_by", ())),
                deleted_by=tuple(resource.get("deleted_by", ())),
                listed_by=tuple(resource.get("listed_by", {}).items()),
            )
        )
    return tuple(states)
