"""Lower bounds of the request and response figures: what any client built the way the brief
fixes it must spend, measured part by part against the figure's own baseline, in the same run.

The brief fixes the architecture: every message is validated by a pydantic model, money is
exact (Decimal or integer minor units, never float), XML is parsed by lxml with a hardened
parser, Billmate's messages are signed and its answers verified with HMAC-SHA512. A bound adds
up the parts such a client cannot skip, each timed on its own at its fastest (in the same
rounds as the figure's baseline, as `bench/timing.py` times everything):

- requests: validation of the payload by the package's own model (exact money; the plain
  datamodel-code-generator model, which reads decimals as floats, is shown for reference),
  writing the document with pydantic-core's Rust serializer (`to_json` on the plain model:
  faster than any Python encoder, though it cannot write the providers' formats), and the
  signature;
- answers: the hardened parse (Billit's with exact decimals), one pass over the XML elements
  reading tag and text, the signature over the signed bytes (no re-encoding), and the faster
  of the two models validating the decoded message.

When a bound's ratio is above the figure's target, no change to the generator or templates
can meet that target; only a different architecture or target can. For the answers, the
reference lines show one such architecture, measured on the same bytes: answer types as
msgspec Structs (datamodel-code-generator's msgspec output of the same schemas), decoded by
msgspec from the JSON text in one pass, or converted from the XML walk's dict. `python -m bench --only
bounds` prints them and writes bench/bounds.json (the figures stay in bench/results.json).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import floor, payloads, timing

Part = tuple[str, Callable[[], object]]


def _best(fn: Callable[[], object], rounds: int) -> float:
    """Seconds per call, best of `rounds`."""
    return timing.best_each([fn], rounds=rounds)[0]


@dataclass(frozen=True)
class Bound:
    """A figure's bound: the sum of `parts` against `baseline` (`reference` parts are timed and
    shown, not added)."""

    label: str
    parts: list[Part]
    reference: list[Part]
    baseline: Callable[[], object]
    target: float | None
    client: Callable[[], object]
    """The generated client's work for the figure (as `run.py` times it), timed in the same
    rounds as the parts: the figure's ratio to its bound compares like moments of the machine."""

    def measured(self, times: list[float]) -> dict[str, Any]:
        """The bound's row from the seconds per call of its baseline and of each part."""
        base, client, *rest = times
        micro = {name: seconds * 1e6 for (name, _), seconds in zip([*self.parts, *self.reference], rest)}
        value = sum(micro[name] for name, _ in self.parts)
        return {
            "name": self.label,
            "value": value,
            "baseline": base * 1e6,
            "unit": "µs",
            "ratio": value / (base * 1e6),
            "target": self.target,
            "parts": {name: micro[name] for name, _ in self.parts},
            "reference": {name: micro[name] for name, _ in self.reference},
            "client": client * 1e6,
        }


# -- requests vs jsonschema ----------------------------------------------------------------
def _requests() -> list[Bound]:
    from billink_client import models as billink
    from billit_client import models as billit
    from billmate_client import _wire as billmate_wire
    from billmate_client import models as billmate
    from inkassogram_client import models as inkassogram
    from jsonschema import Draft202012Validator

    from .run import ROOT, _request_cases

    setups = {label: setup for label, _, _, setup in _request_cases()}

    cases: list[tuple[str, str, Callable[[int], dict[str, Any]], Any, str]] = [
        ("Billink order", "billink", payloads.billink_order, billink.OrderRequest, "order"),
        ("Billmate addPayment", "billmate", payloads.billmate_add_payment, billmate.AddPaymentRequest, "add_payment"),
        ("Inkassogram createInvoice", "inkassogram", payloads.inkassogram_invoice, inkassogram.CreateInvoiceRequest, "create_invoice"),
        ("Billit create order", "billit", payloads.billit_order, billit.CreateOrderRequest, "create_order"),
    ]
    out: list[Bound] = []
    for label, provider, make, model, operation in cases:
        schema_name = f"{operation}.request.schema.json"
        plain = floor.plain_model(provider, schema_name)
        schema = json.loads((ROOT / "generated" / provider / "schemas" / schema_name).read_text())
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        for n in (10, 100):
            payload = make(n)
            lax = plain.model_validate(payload)
            parts: list[Part] = [
                ("validation (exact)", lambda m=model, p=payload: m.model_validate(p)),
                ("writing at Rust speed (pydantic-core to_json)", lambda v=lax: v.__pydantic_serializer__.to_json(v, by_alias=True, exclude_none=True)),
            ]
            if provider == "billmate":
                data = billmate_wire._encode_add_payment_request(model.model_validate(payload)).encode()
                parts.append(("HMAC-SHA512", lambda d=data: hmac.new(b"1234567890", d, hashlib.sha512).hexdigest()))
            reference: list[Part] = [("validation (plain model, floats)", lambda m=plain, p=payload: m.model_validate(p))]
            out.append(Bound(f"{label}, {n} items: bound vs jsonschema", parts, reference, lambda v=validator, p=payload: v.validate(p), None, setups[label](payload)[0]))
    return out


# -- answers vs bare parse -----------------------------------------------------------------
def _answers(rounds: int) -> list[Bound]:
    import msgspec
    from billink_client import _wire as billink_wire
    from billink_client.models import StatusResponse
    from billit_client import _wire as billit_wire
    from billit_client.models import GetOrderResponse
    from billmate_client import _wire as billmate_wire
    from billmate_client.models import AddPaymentResponse
    from inkassogram_client import _wire as inkassogram_wire
    from inkassogram_client.models import CreateInvoiceResponse

    from .run import answers, hardened_xml

    by_provider = {a.provider: a for a in answers()}

    def xml_parts(body: bytes) -> list[Part]:
        root = hardened_xml(body)

        def read() -> None:
            for element in root.iter():
                element.tag, element.text

        return [("hardened parse", lambda: hardened_xml(body)), ("one pass over the elements", read)]

    def validation(ours: Any, message: object, provider: str, operation: str, wire: object) -> Part:
        plain = floor.plain_model(provider, f"{operation}.response.schema.json")
        ours(message), plain.model_validate(wire)  # both accept it
        exact, lax = _best(lambda: ours(message), rounds), _best(lambda: plain.model_validate(wire), rounds)
        return ("validation (faster model)", (lambda: ours(message)) if exact <= lax else (lambda: plain.model_validate(wire)))

    def alternative(provider: str, operation: str, decode: Callable[[Any], object]) -> list[Part]:
        """The msgspec reference line, or none where msgspec cannot take the schema's types: an
        open enum in an answer (issue 15: `Enum | str`) is a union of two str-like types, which
        msgspec refuses. A reference only: no target depends on it."""
        struct = floor.msgspec_struct(provider, f"{operation}.response.schema.json")
        try:
            decode(struct)  # accepts it
        except TypeError:
            return []
        return [("msgspec Structs instead of pydantic models", lambda: decode(struct))]

    out: list[Bound] = []
    billink = by_provider["billink"]
    message = billink_wire._answer(billink.body, billink_wire._STATUS_RESPONSE)
    parts = xml_parts(billink.body) + [validation(StatusResponse.model_validate, message, "billink", "status", message)]
    reference = alternative("billink", "status", lambda s, m=message: msgspec.convert(m, s))
    out.append(Bound(f"{billink.label}: bound vs bare parse", parts, reference, billink.bare, None, billink.decode))

    inkassogram = by_provider["inkassogram"]
    message = inkassogram_wire._answer(inkassogram.body, inkassogram_wire._CREATE_INVOICE_RESPONSE)
    parts = xml_parts(inkassogram.body) + [validation(CreateInvoiceResponse.model_validate, message, "inkassogram", "create_invoice", message)]
    reference = alternative("inkassogram", "create_invoice", lambda s, m=message: msgspec.convert(m, s))
    out.append(Bound(f"{inkassogram.label}: bound vs bare parse", parts, reference, inkassogram.bare, None, inkassogram.decode))

    billmate = by_provider["billmate"]
    document = json.loads(billmate.body)
    signed = json.dumps(document["data"], separators=(",", ":")).encode()  # as long as the signed text
    message = billmate_wire.js.decode(document["data"], billmate_wire._ADD_PAYMENT_RESPONSE, strict=False)
    parts = [
        ("json.loads", lambda: json.loads(billmate.body)),
        ("HMAC-SHA512 of the data", lambda: hmac.compare_digest(hmac.new(b"1234567890", signed, hashlib.sha512).hexdigest(), "0" * 128)),
        validation(AddPaymentResponse.model_validate, message, "billmate", "add_payment", document["data"]),
    ]
    reference = alternative("billmate", "add_payment", lambda s, m=message: msgspec.convert(m, s))
    out.append(Bound(f"{billmate.label}: bound vs bare parse", parts, reference, billmate.bare, None, billmate.decode))

    billit = by_provider["billit"]
    wire = json.loads(billit.body, parse_float=Decimal)
    message = billit_wire.js.value(wire, billit_wire.js.Node(billit_wire._ORDER), strict=False, path="answer")
    parts = [
        ("json.loads, decimals exact", lambda: json.loads(billit.body, parse_float=Decimal)),
        validation(GetOrderResponse.model_validate, message, "billit", "get_order", wire),
    ]
    # msgspec parses and checks in one pass, decimals exact: this replaces both parts above
    reference = alternative("billit", "get_order", lambda s: msgspec.json.decode(billit.body, type=s))
    out.append(Bound(f"{billit.label}: bound vs bare parse", parts, reference, billit.bare, None, billit.decode))
    return out


def bounds(quick: bool) -> list[dict[str, Any]]:
    """Every bound's baseline and parts in the same rounds, in passes over all the bounds."""
    rounds = timing.rounds(quick)
    pending = _requests() + _answers(rounds)
    groups = [[b.baseline, b.client, *(fn for _, fn in [*b.parts, *b.reference])] for b in pending]
    return [b.measured(times) for b, times in zip(pending, timing.in_passes(groups, rounds=rounds))]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'lower bound (parts)':<72} {'bound':>12} {'baseline':>12} {'ratio':>8} {'target':>7}"]
    for r in rows:
        target = "-" if r["target"] is None else f"{r['target']:.2f}"
        lines.append(f"{r['name']:<72} {r['value']:>9.1f} µs {r['baseline']:>9.1f} µs {r['ratio']:>8.3f} {target:>7}")
        for name, micro in r["parts"].items():
            lines.append(f"    + {name:<66} {micro:>9.1f} µs")
        for name, micro in r["reference"].items():
            lines.append(f"    ({name}: {micro:.1f} µs, not added)")
    return "\n".join(lines)
