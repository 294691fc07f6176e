"""A synthetic provider for the scale benchmark: N operations of 30 request fields each.

It reuses Billink's field library, shapes, error tables and ledger (so it is a valid spec of
the xml protocol) and adds N operations whose requests mix every common kind: text with
limits, integers with ranges, decimals, dates, enums and a list of nested items.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "specs" / "billink"
_SHAPES = {"OrderItem", "Msg", "ErrorInfo"}

_KINDS = [
    "{{wire: {W}, name: {n}, type: string, max_length: 64, description: Text field {i}.}}",
    "{{wire: {W}, name: {n}, type: int, minimum: 0, maximum: 99999, description: Count {i}.}}",
    "{{wire: {W}, name: {n}, type: decimal, description: Amount {i}.}}",
    "{{wire: {W}, name: {n}, type: date, format: DD-MM-YYYY, description: Date {i}.}}",
    "{{wire: {W}, name: {n}, type: enum, enum: Currency, description: Currency {i}.}}",
]


def _operation(k: int) -> str:
    fields = []
    for i in range(29):  # every third one required
        text = _KINDS[i % len(_KINDS)].format(W=f"FIELD{i:02d}", n=f"field_{i:02d}", i=i)
        if i % 3 == 0:
            text = text.replace("description:", "required: true, description:")
        fields.append("    - " + text)
    fields.append("    - {wire: ITEMS, name: items, type: list, item_wire: ITEM, of: OrderItem, description: The lines.}")
    return f"""name: op_{k:03d}
title: Operation {k}
path: /op-{k:03d}
source: synthetic
summary: Synthetic operation {k}.
constants: {{ACTION: op-{k:03d}}}

request:
  name: Op{k:03d}Request
  fields:
{chr(10).join(fields)}

response:
  name: Op{k:03d}Response
  fields:
    - {{use: RESULT}}
    - {{wire: MSG, name: msg, type: object, shape: Msg}}
    - {{wire: ERROR, name: error, type: object, shape: ErrorInfo, ledger: error-block}}

outcomes:
  - {{code: "500", name: done, description: Done.}}

errors: common
"""


def write(root: Path, operations: int) -> None:
    """Make root/specs/synthetic/ with `operations` operations."""
    target = root / "specs" / "synthetic"
    if target.exists():
        shutil.rmtree(target)
    (target / "operations").mkdir(parents=True)
    for name in ("fields.yaml", "errors.yaml", "discrepancies.yaml", "changelog.yaml"):
        shutil.copy(BASE / name, target / name)
    shapes = yaml.safe_load((BASE / "shapes.yaml").read_text(encoding="utf-8"))
    shapes["shapes"] = [s for s in shapes["shapes"] if s["name"] in _SHAPES]
    (target / "shapes.yaml").write_text(yaml.safe_dump(shapes, sort_keys=False, allow_unicode=True), encoding="utf-8")
    service = (BASE / "service.yaml").read_text(encoding="utf-8")
    names = ", ".join(f"op_{k:03d}" for k in range(operations))
    service = (
        service.replace("provider: billink", "provider: synthetic")
        .replace("package: billink_client", "package: synthetic_client")
        .replace("client: BillinkClient", "client: SyntheticClient")
        .replace("error_prefix: Billink", "error_prefix: Synthetic")
        .replace("title: Billink API", "title: Synthetic API")
    )
    # Billink's mock section names Billink's operations, which the synthetic spec does not have.
    start, end = service.index("\nmock:"), service.index("\nnotes:")
    service = service[:start] + service[end:]
    lines = service.splitlines()
    lines = [f"operations: [{names}]" if line.startswith("operations:") else line for line in lines]
    (target / "service.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for k in range(operations):
        (target / "operations" / f"op-{k:03d}.yaml").write_text(_operation(k), encoding="utf-8")
