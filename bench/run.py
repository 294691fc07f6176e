"""`make bench`: every figure is a ratio against a baseline measured in the same run.

1. Request path per provider (10 and 100 items): the generated client's validate + rules +
   encode (+ sign), no network, against (a) the floor, plain pydantic models from the same
   schemas plus a hand-written encoder (`floor.py`), target <= 1.0x; (b) the figure's bound
   (`bounds.py`, the least any client of this architecture must spend, measured in the same
   run), target <= 1.5x; and (c) jsonschema validation alone, shown with no target (the packages
   never use it at run time).
2. Response path: decode + verify a documented response against the answer's floor, the same
   hardened parse plus the plain pydantic model (plus Billmate's HMAC check, `floor.py`), target
   <= 1.0x; against its bound, target <= 1.5x; and against a bare hardened parse (lxml without
   entities or network / json.loads) of the same bytes, shown with no target.
3. Generation: `python -m generator generate` from clean (no generated/, no cache) against the
   datamodel-codegen CLI alone on the same JSON Schemas, target <= 1x; a no-op regenerate,
   target <= 0.1x of the same baseline; and the maintainer's loop, generate after a one-field
   spec edit with the cache warm, in the benchmark's copy, at most 1.0 s, quoted against the
   no-op regenerate of the same run.
4. Scale: a synthetic spec of 40 and of 400 operations (30 fields each): time and peak memory
   per operation at 400 against 40, target <= 1x (no worse than linear).
5. Imports: `import <package>` beyond its dependencies against the dependencies' own cost
   (httpx, lxml, a first pydantic model), fresh interpreters, bytecode cached; target <= 1x.

Self-checks (the run stops if one fails): each floor produces the client's document, every
payload is valid by its schema, the benchmark's generation reproduces generated/, the edit
reaches the generated model. Results: the bounds and a table on stdout, bench/results.json
and bench/bounds.json. Exit code 0 exactly when every target is met; otherwise 1, and the
misses are named on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import bounds, floor, payloads, synthetic, timing

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
PYTHON = sys.executable
PROVIDERS = ("billink", "billit", "billmate", "inkassogram")
for _p in PROVIDERS:
    sys.path.insert(0, str(ROOT / "generated" / _p))

Result = dict[str, Any]


def result(name: str, value: float, baseline: float, unit: str, target: float | None, ceiling: float | None = None) -> Result:
    """A figure: `value` against `baseline` measured in the same run. `target` bounds the ratio
    (None: shown, no target); `ceiling`, when given, bounds the value itself (in `unit`)."""
    return {
        "name": name,
        "value": value,
        "baseline": baseline,
        "unit": unit,
        "ratio": value / baseline,
        "target": target,
        "ceiling": ceiling,
    }


def missed(r: Result) -> bool:
    """Whether a figure misses its target (its ratio) or its ceiling (its value)."""
    over_target = r["target"] is not None and r["ratio"] > r["target"]
    return over_target or (r.get("ceiling") is not None and r["value"] > r["ceiling"])


FLOOR_TARGET, BOUND_TARGET = 1.0, 1.5
"""Every request and answer figure: at most its floor (pydantic from the same schemas plus a
hand-written encoder or reader, `floor.py`) and at most 1.5x its bound (`bounds.py`: the least
any client of this architecture must spend), issue 18."""

LOOP_CEILING = 1.0
"""Seconds `python -m generator generate` may take after a one-field spec edit, cache warm."""


# -- 1. request path -----------------------------------------------------------------------
def _xml_items(body: bytes) -> list[tuple[str, str]]:
    from lxml import etree

    root = etree.fromstring(body)
    return [(etree.QName(e).localname, (e.text or "").strip()) for e in root.iter()]


def _json_data(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal)


def _request_cases() -> list[tuple[str, str, Callable[[int], dict[str, Any]], Any]]:
    """(label, provider, payload maker, setup) per provider."""
    return [
        ("Billink order", "billink", payloads.billink_order, _billink),
        ("Billmate addPayment", "billmate", payloads.billmate_add_payment, _billmate),
        ("Inkassogram createInvoice", "inkassogram", payloads.inkassogram_invoice, _inkassogram),
        ("Billit create order", "billit", payloads.billit_order, _billit),
    ]


def _billink(payload: dict[str, Any]) -> tuple[Callable[[], bytes], Callable[[], bytes], str, Callable[[bytes], Any]]:
    from billink_client import _wire, client, models

    c = client.BillinkClient("usertest", "d38a3439590889df026367bf01d621e687b8d278")
    plain = floor.plain_model("billink", "order.request.schema.json")
    ours = lambda: _wire.encode_order(client._validated(models.OrderRequest, payload), c._context)  # noqa: E731
    base = lambda: floor.billink_order(plain.model_validate(payload), "usertest", "d38a3439590889df026367bf01d621e687b8d278")  # noqa: E731
    return ours, base, "order.request.schema.json", _xml_items


def _billmate(payload: dict[str, Any]) -> tuple[Callable[[], bytes], Callable[[], bytes], str, Callable[[bytes], Any]]:
    from billmate_client import _wire, client, models

    c = client.BillmateClient("12345", "1234567890")
    plain = floor.plain_model("billmate", "add_payment.request.schema.json")
    ours = lambda: _wire.encode_add_payment(client._validated(models.AddPaymentRequest, payload), c._context)  # noqa: E731
    base = lambda: floor.billmate_add_payment(plain.model_validate(payload), "12345", "1234567890")  # noqa: E731

    def same(body: bytes) -> Any:
        document = _json_data(body)
        # the same data, signed the same, in the same envelope (the time differs)
        return document["data"], document["function"], sorted(document["credentials"]), document["credentials"]["hash"]

    return ours, base, "add_payment.request.schema.json", same


def _inkassogram(payload: dict[str, Any]) -> tuple[Callable[[], bytes], Callable[[], bytes], str, Callable[[bytes], Any]]:
    from inkassogram_client import _wire, client, models

    c = client.InkassogramClient("1234", "private-key", "192.0.2.1")
    plain = floor.plain_model("inkassogram", "create_invoice.request.schema.json")
    ours = lambda: _wire.encode_create_invoice(client._validated(models.CreateInvoiceRequest, payload), c._context)  # noqa: E731
    base = lambda: floor.inkassogram_invoice(plain.model_validate(payload))  # noqa: E731
    return ours, base, "create_invoice.request.schema.json", _xml_items


def _billit(payload: dict[str, Any]) -> tuple[Callable[[], bytes], Callable[[], bytes], str, Callable[[bytes], Any]]:
    from billit_client import _wire, client, models

    plain = floor.plain_model("billit", "create_order.request.schema.json")

    def ours() -> bytes:
        body = _wire.encode_create_order(client._validated(models.CreateOrderRequest, payload)).body
        assert body is not None
        return body

    base = lambda: floor.billit_order(plain.model_validate(payload))  # noqa: E731

    def same(body: bytes) -> Any:
        return json.loads(json.dumps(json.loads(body, parse_float=Decimal), default=str), parse_float=Decimal)

    return ours, base, "create_order.request.schema.json", same


def request_path(quick: bool) -> list[Result]:
    from jsonschema import Draft202012Validator

    cases: list[tuple[str, list[Callable[[], object]]]] = []
    for label, provider, make, setup in _request_cases():
        for n in (10, 100):
            payload = make(n)
            ours, base, schema_name, same = setup(payload)
            mine, theirs = ours(), base()
            if same(mine) != same(theirs):  # the floor must do the same work
                raise SystemExit(f"{label}: the floor encoder does not produce the client's document")
            schema = json.loads((ROOT / "generated" / provider / "schemas" / schema_name).read_text())
            # jsonschema as one would use it on these schemas: Draft 2020-12 with its format
            # checker (dates, e-mail, IP). It does not evaluate our x-rules: it does less.
            validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
            errors = list(validator.iter_errors(payload))
            if errors:
                raise SystemExit(f"{label}: the payload is not valid by the schema: {errors[0].message}")
            cases.append((f"{label}, {n} items", [ours, base, lambda v=validator, p=payload: v.validate(p)]))
    # the three of a case in the same rounds: both figures share one measurement of the client
    out: list[Result] = []
    for (name, _), (value, floor_time, jsonschema_time) in zip(cases, timing.in_passes([fns for _, fns in cases], rounds=timing.rounds(quick))):
        out.append(result(f"{name}: generated vs floor", value * 1e6, floor_time * 1e6, "µs", FLOOR_TARGET))
        out.append(result(f"{name}: generated vs jsonschema", value * 1e6, jsonschema_time * 1e6, "µs", None))
    return out


# -- 2. response path ----------------------------------------------------------------------
def hardened_xml(body: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(body, parser)


@dataclass(frozen=True)
class Answer:
    """A documented answer: its bytes, the client's decode + verify and the bare parse of it."""

    label: str
    provider: str
    body: bytes
    decode: Callable[[], object]
    bare: Callable[[], object]
    floor: Callable[[], object]


def answers() -> list[Answer]:
    from billink_client import _wire as billink_wire
    from billink_client import client as billink
    from billit_client import _wire as billit_wire
    from billmate_client import _wire as billmate_wire
    from billmate_client import client as billmate
    from billmate_client import models as billmate_models
    from inkassogram_client import _wire as inkassogram_wire
    from inkassogram_client import models as inkassogram_models

    billink_ctx = billink.BillinkClient("usertest", "x")._context
    billink_body = (ROOT / "specs/billink/examples/status.response.xml").read_bytes()

    billmate_ctx = billmate.BillmateClient("12345", "1234567890")._context
    # The document's addPayment answer (its printed hash is illustrative): signed with the key.
    answer = billmate_models.AddPaymentResponse.model_validate(
        {"number": 12345, "status": "Created", "orderid": "P123456789",
         "url": "https://developer.billmate.se/invoice/140544658153c38f1cdf279"}
    )
    billmate_body = billmate_wire.encode_add_payment_response(answer, billmate_ctx)

    # The document's createInvoice answer elements, filled in (the printed one is all empty).
    delivered = inkassogram_models.CreateInvoiceResponse.model_validate(
        {"statusCode": "1", "ocr": "1234567890123", "customerName": "Test Testsson", "customerAddress": "Gatan 1",
         "customerZip": "12345", "customerCity": "Göteborg", "companyOrgNo": "5567854616", "companyName": "Inkassogram AB",
         "companyAddress": "Box 1", "companyZip": "41101", "companyCity": "Göteborg", "pdfFile": "https://example.se/f.pdf",
         "bgAccount": "123-4567", "pgAccount": "12345-6", "ibanAccount": "SE3550000000054910000003",
         "swiftAccount": "ESSESESS", "invoiceDisclaimer": "Betalning sker till Inkassogram.", "description": "Faktura"}
    )
    inkassogram_body = inkassogram_wire.encode_create_invoice_response(delivered)

    # Billit: an order as GET /v1/orders/{id} returns it (the create example with its ids, and
    # its dates as .NET writes a DateTime, which is what the answer's schema describes).
    order = payloads.billit_order(10)
    order.update({"OrderID": 123456, "CustomerID": 42, "OrderDate": "2026-11-23T00:00:00", "ExpiryDate": "2026-12-23T00:00:00"})
    billit_body = json.dumps(order, default=str).encode()
    billit_body = billit_body.replace(b'"UnitPriceExcl": "', b'"UnitPriceExcl": ').replace(b'", "Description"', b', "Description"')
    json.loads(billit_body)

    plain = {(p, o): floor.plain_model(p, f"{o}.response.schema.json")
             for p, o in [("billink", "status"), ("billmate", "add_payment"), ("inkassogram", "create_invoice"), ("billit", "get_order")]}
    return [
        Answer("Billink status answer", "billink", billink_body,
               lambda: billink_wire.decode_status_response(billink_body, billink_ctx), lambda: hardened_xml(billink_body),
               lambda: floor.xml_answer(hardened_xml, plain["billink", "status"], billink_body, None, frozenset({"INVOICES"}))),
        Answer("Billmate addPayment answer (hash verified)", "billmate", billmate_body,
               lambda: billmate_wire.decode_add_payment_response(billmate_body, billmate_ctx), lambda: json.loads(billmate_body),
               lambda: floor.billmate_answer(plain["billmate", "add_payment"], billmate_body, b"1234567890")),
        Answer("Inkassogram createInvoice answer", "inkassogram", inkassogram_body,
               lambda: inkassogram_wire.decode_create_invoice_response(inkassogram_body), lambda: hardened_xml(inkassogram_body),
               lambda: floor.xml_answer(hardened_xml, plain["inkassogram", "create_invoice"], inkassogram_body, "response", frozenset())),
        Answer("Billit get order answer, 10 lines", "billit", billit_body,
               lambda: billit_wire.decode_get_order_response(200, billit_body), lambda: json.loads(billit_body),
               lambda: floor.billit_answer(plain["billit", "get_order"], billit_body)),
    ]


def response_path(quick: bool) -> list[Result]:
    cases = answers()
    for case in cases:
        case.decode(), case.floor()  # both decode (raise if the body is not what they expect)
    # the three of a case in the same rounds: both figures share one measurement of the client
    times = timing.in_passes([[case.decode, case.bare, case.floor] for case in cases], rounds=timing.rounds(quick))
    out = []
    for case, (value, bare, floor_time) in zip(cases, times):
        out.append(result(f"{case.label}: decode + verify vs bare parse", value * 1e6, bare * 1e6, "µs", None))
        out.append(result(f"{case.label}: decode + verify vs floor", value * 1e6, floor_time * 1e6, "µs", FLOOR_TARGET))
    return out


# -- 3. generation -------------------------------------------------------------------------
def _fresh_root(name: str, specs: Path) -> Path:
    root = WORK / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(specs, root / "specs")
    return root


def _timed(command: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def _generate(root: Path) -> float:
    return _timed([PYTHON, "-m", "generator", "--root", str(root), "generate"], ROOT)


def _codegen_cli(out: Path) -> float:
    """datamodel-codegen, the CLI alone, on each provider's published JSON Schemas."""
    if out.exists():
        shutil.rmtree(out)
    cli = str(Path(PYTHON).with_name("datamodel-codegen"))
    total = 0.0
    for provider in PROVIDERS:
        total += _timed(
            [cli, "--input", str(ROOT / "generated" / provider / "schemas"), "--input-file-type", "jsonschema",
             "--output", str(out / provider), "--output-model-type", "pydantic_v2.BaseModel", "--disable-timestamp"],
            ROOT,
        )
    return total


def generation(quick: bool) -> list[Result]:
    clean: list[float] = []
    cli: list[float] = []
    noop: list[float] = []
    for _ in range(1 if quick else 2):  # alternated, best of each
        root = _fresh_root("generate", ROOT / "specs")
        clean.append(_generate(root))
        noop.extend(_generate(root) for _ in range(3))
        cli.append(_codegen_cli(WORK / "codegen-cli"))
    produced = {p.relative_to(WORK / "generate" / "generated").as_posix(): p.read_bytes()
                for p in (WORK / "generate" / "generated").rglob("*") if p.is_file()}
    expected = {p.relative_to(ROOT / "generated").as_posix(): p.read_bytes()
                for p in (ROOT / "generated").rglob("*") if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)}
    if produced != expected:
        raise SystemExit("the benchmark's generation does not reproduce generated/")
    loop = _maintainer_loop(WORK / "generate", 1 if quick else 3)
    baseline = min(cli)
    return [
        result("generate all providers from clean vs datamodel-codegen CLI", min(clean), baseline, "s", 1.0),
        result("no-op regenerate vs datamodel-codegen CLI", min(noop), baseline, "s", 0.1),
        result(f"generate after a one-field spec edit vs no-op regenerate (<= {LOOP_CEILING:g} s)",
               min(loop), min(noop), "s", None, ceiling=LOOP_CEILING),
    ]


_EDITED = ("specs/billink/fields.yaml", """    description: '"P" for individuals, "B" for business orders.'""")
"""The maintainer's edit: one field's description (Billink's TYPE), which every Billink
artefact that shows it (model, schema, docs) must follow."""


def _maintainer_loop(root: Path, times: int) -> list[float]:
    """Seconds of `python -m generator generate` after a one-field spec edit, the cache warm from
    the runs before (as a maintainer has it), in `root` (a copy: the repository is not touched).
    Each run edits the description anew, so that each has a change to generate."""
    spec = root / _EDITED[0]
    text = spec.read_text(encoding="utf-8")
    if text.count(_EDITED[1]) != 1:
        raise SystemExit(f"{_EDITED[0]}: the field the maintainer loop edits is not there once")
    seconds = []
    for i in range(times):
        spec.write_text(text.replace(_EDITED[1], _EDITED[1][:-1] + f" Edit {i}.'"), encoding="utf-8")
        seconds.append(_generate(root))
        if f"Edit {i}." not in (root / "generated" / "billink" / "billink_client" / "models.py").read_text(encoding="utf-8"):
            raise SystemExit("the maintainer loop's edit did not reach the generated model")
    spec.write_text(text, encoding="utf-8")
    return seconds


# -- 4. scale ------------------------------------------------------------------------------
_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from generator.pipeline import run
root = Path(sys.argv[1])
t0 = time.perf_counter()
run(root, root / "specs", root / "generated", write=True)
seconds = time.perf_counter() - t0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": own + workers}))
"""


def scale(quick: bool) -> list[Result]:
    """Each size generated from clean in a fresh process. The small one takes seconds, so a
    slow moment of the machine can spoil it: it is run twice (once when quick) around the large
    one and the best kept. The large one (about a minute) averages such moments out, and is run
    once to keep `make bench` within its five minutes."""
    best: dict[int, dict[str, float]] = {}
    for operations in (40, 400) if quick else (40, 400, 40):
        root = WORK / f"scale-{operations}"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        synthetic.write(root, operations)
        done = subprocess.run([PYTHON, "-c", _MEASURE, str(root)], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"scale {operations}: {done.stderr}")
        got = json.loads(done.stdout.splitlines()[-1])
        seen = best.setdefault(operations, got)
        best[operations] = {key: min(seen[key], got[key]) for key in got}
    small, large = best[40], best[400]
    return [
        result("scale: generation time per operation, 400 ops vs 40 ops", large["seconds"] / 400, small["seconds"] / 40, "s/op", 1.0),
        result("scale: peak memory per operation, 400 ops vs 40 ops", large["peak_kib"] / 400 / 1024, small["peak_kib"] / 40 / 1024, "MiB/op", 1.0),
    ]


# -- 5. import time ------------------------------------------------------------------------
_IMPORT = """
import time
t0 = time.perf_counter()
import httpx, lxml.etree
from pydantic import BaseModel
class Ready(BaseModel):  # pydantic loads most of itself lazily, on the first model
    x: int
Ready(x=1)
t1 = time.perf_counter()
import {package}
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def imports(quick: bool) -> list[Result]:
    """What users feel first (the GUIDE): the time `import <package>` takes beyond its
    dependencies, in a fresh interpreter, with bytecode cached as an installed package has it
    (a first run writes it), against the dependencies' own cost: importing httpx and lxml and
    making a first pydantic model (pydantic loads most of itself then). Target <= 1x."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = []
    for provider in PROVIDERS:
        package = f"{provider}_client"
        code = _IMPORT.format(package=package)
        cwd = ROOT / "generated" / provider
        deps, own = [], []
        for _ in range(1 + (3 if quick else 9)):  # the first writes the bytecode, and is dropped
            done = subprocess.run([PYTHON, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"import {package}: {done.stderr}")
            a, b = (float(x) for x in done.stdout.split())
            deps.append(a)
            own.append(b)
        value, baseline = min(own[1:]) * 1e3, min(deps[1:]) * 1e3
        out.append(result(f"import {package}: its own modules vs its dependencies", value, baseline, "ms", 1.0))
    return out


# -- report --------------------------------------------------------------------------------
def _table(rows: list[Result]) -> str:
    lines = [f"{'benchmark':<72} {'value':>12} {'baseline':>12} {'ratio':>8} {'target':>7}  "]
    for r in rows:
        ok = "MISSED" if missed(r) else "ok"
        if r["target"] is not None:
            target = f"{r['target']:.2f}"
        elif r.get("ceiling") is not None:
            target = f"<={r['ceiling']:g}{r['unit']}"
            ok = ok + f" ({r['value']:.3g} {r['unit']})"
        else:
            target, ok = "-", "shown"
        lines.append(
            f"{r['name']:<72} {r['value']:>10.4g} {r['unit']:<2}"[:88].ljust(88)
            + f"{r['baseline']:>10.4g}  {r['ratio']:>8.3f} {target:>7}  {ok}"
        )
    return "\n".join(lines)


def against_bounds(rows: list[Result], lower: list[dict[str, Any]]) -> list[Result]:
    """Each request and answer figure against its bound (`bounds.py`, measured in this run):
    the client's time, measured in the same rounds as the bound's parts, over their sum."""
    bound_of = {b["name"].split(": bound vs ")[0]: b for b in lower}
    out = []
    for r in rows:
        figure, sep, against = r["name"].rpartition(": ")
        if not sep or not against.endswith("vs floor"):
            continue
        bound = bound_of.get(figure)
        if bound is None:
            raise SystemExit(f"{figure}: no bound measured for it (bounds.py)")
        out.append(result(f"{figure}: generated vs bound", bound["client"], bound["value"], r["unit"], BOUND_TARGET))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test of the benchmark itself)")
    parser.add_argument("--only", choices=["request", "response", "generation", "scale", "imports", "bounds"], action="append")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    sections = {"request": request_path, "response": response_path, "generation": generation, "scale": scale, "imports": imports}
    rows: list[Result] = []
    started = time.perf_counter()
    for name, section in sections.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        rows.extend(section(args.quick))
        print(f"# {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    # the bounds: what the architecture allows (bounds.py); every request and answer figure
    # has a target against its bound, so they are measured whenever those figures are
    lower: list[dict[str, Any]] = []
    if not args.only or {"bounds", "request", "response"} & set(args.only):
        t0 = time.perf_counter()
        lower = bounds.bounds(args.quick)
        print(f"# bounds: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        print(bounds.table(lower) + "\n")
        args.output.with_name("bounds.json").write_text(json.dumps(lower, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        rows.extend(against_bounds(rows, lower))
    if rows:
        print(_table(rows))
        args.output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    misses = [r for r in rows if missed(r)]
    judged = [r for r in rows if r["target"] is not None or r.get("ceiling") is not None]
    if rows:
        print(f"\n{len(judged) - len(misses)} of {len(judged)} within target", end="; ")
    print(f"{time.perf_counter() - started:.0f} s; cpus: {os.cpu_count()}")
    for r in misses:
        limit = f"{r['target']:.2f}x" if r["target"] is not None else f"{r['ceiling']:g} {r['unit']}"
        print(f"MISSED: {r['name']}: {r['ratio']:.3f}x ({r['value']:.4g} {r['unit']}), target {limit}", file=sys.stderr)
    return 1 if misses else 0
