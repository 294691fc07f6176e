"""Each protocol is a plug-in: what it declares about itself holds in its templates."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import protocols
from generator.kinds import KINDS
from support import ROOT

GOLDEN_SPECS = ROOT / "tests" / "golden" / "specs"

_MACRO = re.compile(r"\{% macro (\w+)\(")


@pytest.mark.parametrize("name", sorted(protocols.registry()))
def test_every_kind_a_protocol_carries_has_its_codec_macros(name: str) -> None:
    """A kind listed in the protocol's KINDS has `<codec>_write` and `<codec>_read` in the
    protocol's codecs.j2, and codecs.j2 has no macro that nothing uses (enums aside, which are
    not scalar kinds)."""
    protocol = protocols.get(name)
    text = (ROOT / "templates" / "python" / "protocols" / protocol.TEMPLATES / "codecs.j2").read_text()
    macros = set(_MACRO.findall(text))
    codecs = set(protocol.KINDS.values())
    wanted = {f"{c}_{way}" for c in codecs | {"enum"} for way in ("write", "read")}
    assert wanted - macros == set(), f"{name}: codec macros missing"
    assert macros - wanted == set(), f"{name}: codec macros no kind uses"
    assert set(protocol.KINDS) <= set(KINDS), "a protocol lists a kind the language does not have"


def test_every_kind_defines_its_python_type() -> None:
    for name, kind in KINDS.items():
        assert kind.define is not None, name
        made = kind.define("Text", {}, None)
        assert (ROOT / "templates" / "python" / "kinds" / f"{made.template}.j2").is_file(), name


def test_protocol_modules_are_found_by_their_spec_names() -> None:
    assert sorted(protocols.registry()) == ["json", "rest-json", "xml"]
    folder = ROOT / "templates" / "python" / "protocols"
    for name, protocol in protocols.registry().items():
        assert protocol.NAME == name
        for piece in ("_wire.py.j2", "codecs.j2", "fields.j2", "wire.md.j2"):
            assert (folder / protocol.TEMPLATES / piece).is_file(), (name, piece)
        for piece in ("client.j2", "mock.j2", "docs.j2", "errors.j2"):
            assert (folder / protocol.CALLS / piece).is_file(), (name, piece)


_BRANCH = re.compile(r"\{%-?\s*(?:el)?if[^%]*(?:protocol|\.rest\b|wire_format)")


def test_shared_templates_do_not_branch_on_the_protocol() -> None:
    """client.py, mock.py, errors.py and the README call their protocol's macros instead."""
    for name in ("python/client.py.j2", "python/mock.py.j2", "python/errors.py.j2", "docs/provider.md.j2"):
        text = (ROOT / "templates" / name).read_text()
        assert not _BRANCH.findall(text), name


def test_rest_parameters_are_sent_upper_cased_when_the_spec_says_so(tmp_path: Path) -> None:
    """`sent_uppercase` holds on every wire: for rest-json in the path, the query and headers
    too (they were sent as given, only body members upper-cased)."""
    from generator.pipeline import run

    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs" / "billit", specs / "billit")
    get_order = specs / "billit" / "operations" / "get-order.yaml"
    text = get_order.read_text(encoding="utf-8")
    edits = (
        ("path: /v1/orders/{orderID}\n", "path: /v1/orders/{orderID}/{variant}\n"),
        ("{wire: documentType, name: document_type, type: string, in: query,",
         "{wire: variant, name: variant, type: string, in: path, required: true, sent_uppercase: true, description: A variant.}\n"
         "    - {wire: X-Region, name: region, type: string, in: header, sent_uppercase: true, description: A region.}\n"
         "    - {wire: documentType, name: document_type, type: string, in: query, sent_uppercase: true,"),
    )
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    get_order.write_text(text, encoding="utf-8")
    run(ROOT, specs, tmp_path / "out", write=True, jobs=1)
    script = (
        "from billit_client import _wire, models\n"
        "call = _wire.encode_get_order(models.GetOrderRequest(order_id=7, variant='a/b', region='be',"
        " document_type='pdf'))\n"
        "print(repr((call.path, call.query, call.headers)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "out" / "billit", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr(
        ("/v1/orders/7/A%2FB", (("documentType", "PDF"),), (("X-Region", "BE"),))
    )


_GENERATE = (
    "import sys\nfrom pathlib import Path\nfrom generator import protocols\n"
    "from generator.pipeline import run\nprint(' '.join(sorted(protocols.registry())))\n"
    "run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), write=True, jobs=1)\n"
)


def test_a_new_protocol_is_a_module_and_a_template_folder(tmp_path: Path) -> None:
    """Issue 16: in a copy of the generator and its templates, add one module
    (`generator/protocols/xml_plain.py`: the xml protocol under another name) and one template
    folder, and change no other file. A spec that names the new protocol is generated by it, and
    its package is the xml protocol's byte for byte (a protocol that differs would differ only
    in that module and folder)."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "generator", repo / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", repo / "templates")
    (repo / "generator" / "protocols" / "xml_plain.py").write_text(
        '"""XML as the xml protocol writes it, under another name."""\n\n'
        "from .xml import *  # noqa: F403\n\n"
        'NAME = "xml-plain"\nTEMPLATES = "xml_plain"\n'
    )
    folder = repo / "templates" / "python" / "protocols"
    shutil.copytree(folder / "xml", folder / "xml_plain")
    plain, xml = tmp_path / "plain", tmp_path / "xml"
    shutil.copytree(GOLDEN_SPECS / "golden_xml", plain / "specs" / "golden_xml")
    shutil.copytree(GOLDEN_SPECS / "golden_xml", xml / "specs" / "golden_xml")
    service_file = plain / "specs" / "golden_xml" / "service.yaml"
    text = service_file.read_text()
    assert "\nprotocol: xml\n" in text
    service_file.write_text(text.replace("\nprotocol: xml\n", "\nprotocol: xml-plain\n"))
    for where, specs in ((repo, plain), (ROOT, xml)):
        done = subprocess.run(
            [sys.executable, "-c", _GENERATE, str(where), str(specs / "specs"), str(specs / "out")],
            cwd=where, capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split()[:3] == ["json", "rest-json", "xml"]
    files = sorted(p.relative_to(plain / "out") for p in (plain / "out").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(xml / "out") for p in (xml / "out").rglob("*") if p.is_file())
    assert any(f.name == "_wire.py" for f in files)
    # the same bytes, but for where the spec lies and the protocol's name in the index table
    def made(top: Path, f: Path) -> str:
        return (top / "out" / f).read_text().replace(str(top), "<dir>").replace("| xml-plain |", "| xml |")

    differ = [f for f in files if made(plain, f) != made(xml, f)]
    assert differ == [], differ
    assert "| xml-plain |" in (plain / "out" / "README.md").read_text()
