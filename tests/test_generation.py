"""The pipeline as a whole: drift is caught, output is deterministic, packages install alone."""

from __future__ import annotations

import shutil
from typing import Any
import subprocess
import sys
from pathlib import Path

import pytest

from support import GENERATED, PROVIDERS, ROOT, service


def _copy_repo(tmp_path: Path) -> Path:
    for name in ("generator", "templates", "specs", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", ".tmp-*", ".old-*"))
    return tmp_path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_check_fails_when_a_spec_changes_and_passes_after_generate(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    assert _run(repo, "check").returncode == 0
    spec = repo / "specs/billink/operations/on-hold.yaml"
    spec.write_text(spec.read_text().replace("(max 14).", "(at most 14)."))
    drift = _run(repo, "check")
    assert drift.returncode == 1
    assert "generated/ differs from what the specs produce" in drift.stdout
    assert "differs or missing: generated/billink/README.md" in drift.stdout
    assert "differs or missing: generated/billink/schemas/on_hold.request.schema.json" in drift.stdout
    generate = _run(repo, "generate")
    assert generate.returncode == 0, generate.stderr
    assert "billink" in generate.stdout and "written" in generate.stdout
    assert _run(repo, "check").returncode == 0


def test_check_catches_hand_edits_and_stray_files(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    client = repo / "generated/billink/billink_client/client.py"
    client.write_text(client.read_text() + "\n# a hand edit\n")
    (repo / "generated/billink/stray.txt").write_text("x")
    run = _run(repo, "check")
    assert run.returncode == 1
    assert "differs or missing: generated/billink/billink_client/client.py" in run.stdout
    assert "not produced by the specs: generated/billink/stray.txt" in run.stdout


def test_two_generations_give_identical_bytes(tmp_path: Path) -> None:
    first = _copy_repo(tmp_path / "a")
    second = _copy_repo(tmp_path / "b")
    shutil.rmtree(first / "generated")
    shutil.rmtree(second / "generated")
    assert _run(first, "generate").returncode == 0
    assert _run(second, "generate").returncode == 0
    produced = _tree(first / "generated")
    assert produced == _tree(second / "generated")
    # ... and identical to what is checked in.
    assert produced == _tree(ROOT / "generated")


def test_generate_reports_per_provider(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    run = _run(repo, "generate")
    assert run.returncode == 0
    lines = run.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == PROVIDERS
    assert all("0 written" in line and "unchanged" in line for line in lines[:-1])
    assert lines[-1].startswith(f"{len(PROVIDERS)} providers: 0 of ")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_package_installs_and_imports_on_its_own(tmp_path: Path, provider: str) -> None:
    target = tmp_path / "site"
    source = tmp_path / "source"  # setuptools builds in the source tree: keep generated/ clean
    shutil.copytree(ROOT / "generated" / provider, source)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    package = service(provider).package
    assert (target / package / "py.typed").exists()
    probe = subprocess.run(
        [sys.executable, "-c", f"import {package}, sys; print({package}.__file__); print({package}.__version__)"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines()[0].startswith(str(target))


# -- the cache of `generate` and the formatter (see generator/cache.py, generator/fmt.py) --------


def test_noop_generate_does_nothing_and_any_change_is_noticed(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    first = _run(repo, "generate")
    assert first.returncode == 0, first.stderr
    assert "nothing to do" not in first.stdout
    again = _run(repo, "generate")
    assert "nothing to do" in again.stdout, again.stdout
    # A hand edit of the output is noticed (and undone) even though no input changed.
    target = repo / "generated/billink/billink_client/client.py"
    pristine = target.read_bytes()
    target.write_bytes(pristine + b"# edited\n")
    repaired = _run(repo, "generate")
    assert "nothing to do" not in repaired.stdout
    assert target.read_bytes() == pristine
    # A spec edit is noticed; the files it does not touch come from the cache, not from black.
    spec = repo / "specs/billink/operations/on-hold.yaml"
    spec.write_text(spec.read_text().replace("(max 14).", "(at most 14)."))
    edited = _run(repo, "generate")
    assert "nothing to do" not in edited.stdout
    assert "(at most 14)" in (repo / "generated/billink/billink_client/models.py").read_text()
    # The providers whose specs did not change are kept, not linted and rendered again.
    kept = sorted(line.split()[0] for line in edited.stdout.splitlines() if "kept: its spec did not change" in line)
    assert kept == sorted(set(PROVIDERS) - {"billink"}), edited.stdout
    formatted = int(edited.stdout.split("(")[-1].split(" formatted")[0])
    assert 0 < formatted <= 6, edited.stdout
    # A hand edit of a kept provider's output is undone: it is made again, not kept.
    other = repo / "generated/billit/billit_client/errors.py"
    other_pristine = other.read_bytes()
    other.write_bytes(other_pristine + b"# edited\n")
    spec.write_text(spec.read_text().replace("(at most 14).", "(max 14)."))
    both = _run(repo, "generate")
    assert "billit" in both.stdout and "billit" not in [l.split()[0] for l in both.stdout.splitlines() if "kept:" in l], both.stdout
    assert other.read_bytes() == other_pristine
    # A kept provider's remembered spec that cannot be read is linted again instead.
    for pickled in (repo / ".cache/generator/services").glob("billmate.*.pickle"):
        pickled.write_bytes(b"not a pickle")
    spec.write_text(spec.read_text().replace("(max 14).", "(at most 14)."))
    relinted = _run(repo, "generate")
    assert relinted.returncode == 0 and "billmate" not in [l.split()[0] for l in relinted.stdout.splitlines() if "kept:" in l], relinted.stdout
    # An edit of the runtime is an input too: it reaches every package's copy of the module.
    runtime = repo / "generator/runtime/rules.py"
    runtime.write_bytes(runtime.read_bytes() + b"# edited\n")
    copied = _run(repo, "generate")
    assert "nothing to do" not in copied.stdout, copied.stdout
    for provider in PROVIDERS:
        assert (repo / "generated" / provider / service(provider).package / "_runtime/rules.py").read_bytes() == runtime.read_bytes()
    # The cached run produced what a run from scratch produces.
    assert _run(repo, "check").returncode == 0


def test_a_broken_cache_is_ignored(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    assert _run(repo, "generate").returncode == 0
    for name in ("state.json", "results.json"):
        (repo / ".cache/generator" / name).write_text("{not json")
    again = _run(repo, "generate")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" not in again.stdout
    assert _run(repo, "check").returncode == 0


def test_formatting_in_pieces_and_in_workers_gives_black_s_bytes() -> None:
    """The formatter cuts big files at top-level definitions, sets comment headers aside and
    formats in worker processes; the result must be exactly black's, file by file."""
    from generator.fmt import Formatter, format_python, split_units

    source = "# header line\n# second\n" + "\n".join(
        f"def f{i}(a,b):\n    return {{'a':a,'b':[b,b,b]}}\n\n\nclass C{i}:\n    x:int=1\n" for i in range(600)
    )
    assert len(split_units(source.split("\n", 2)[2], target=100)) > 5
    odd = "x=1\n@decorator\ndef g():\n    pass\ndef h(): ...\ndef k(): ...\n" * 300
    # a line that looks like a top-level definition inside a string: a cut there is refused by
    # black (unterminated string), and the file is formatted whole
    stringy = "\n".join(f'def s{i}():\n    """Doc\n\n\ndef not_code(x):\n    """\n    return {i}\n\n' for i in range(400))
    assert len(split_units(stringy, target=100)) > 1
    # a long import list directly followed by a table: black puts a blank line after imports,
    # so no cut there; tables after tables are cut
    tables = "from m import (\n" + "".join(f"    n{i},\n" for i in range(300)) + ")\n" + "".join(
        f"T{i} = dict(\n    a={i},\n)\n" for i in range(300)
    )
    units = split_units(tables, target=100)
    assert len(units) > 3 and not units[1].source.startswith("T0 ")
    formatter = Formatter(jobs=2)
    formatter.submit("a.py", source)
    formatter.submit("b.py", odd)
    formatter.submit("c.py", source)  # a duplicate: formatted once
    formatter.submit("d.py", stringy)
    formatter.submit("e.py", tables)
    out = formatter.results()
    assert out["a.py"] == out["c.py"] == format_python(source, "a.py")
    assert out["b.py"] == format_python(odd, "b.py")
    assert out["d.py"] == format_python(stringy, "d.py")
    assert out["e.py"] == format_python(tables, "e.py")
    assert formatter.whole == ["d.py"]
    serial = Formatter(jobs=1)
    serial.submit("d.py", stringy)
    assert serial.results()["d.py"] == out["d.py"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_modules_cut_small_format_as_black_formats_them_whole(provider: str) -> None:
    """Every kind of cut the formatter makes (before top-level definitions, between top-level
    tables, between methods of a class), made every 60 lines of the rendered modules: the
    pieces put together are black's result for the whole module, byte for byte."""
    from generator.fmt import Formatter, format_python, split_header, split_units
    from generator.render import environment, iter_sources

    sources = {
        path: text
        for path, text in iter_sources(service(provider), ROOT, environment(), None)
        if isinstance(text, str) and path.endswith(".py") and len(split_units(split_header(text)[1], 60)) > 3
    }
    assert sources
    formatter = Formatter(jobs=1, chunk_lines=60)
    for path, text in sources.items():
        formatter.submit(path, text)
    out = formatter.results()
    assert formatter.whole == []  # no cut was refused: the pieces below are what is compared
    joints = {unit.joint for text in sources.values() for unit in split_units(split_header(text)[1], 60)}
    assert joints >= {"", "\n", "\n\n"}  # all three kinds of cut
    for path, text in sources.items():
        assert out[path] == format_python(text, path), path


def test_every_generated_module_is_a_fixed_point_of_black() -> None:
    """Black leaves every generated module as it is. The generator runs one pass of black (not
    format_str's two) on pieces of the big modules: this is what makes that exact. A failure
    names a module whose template output needs black's second pass, or a bad cut."""
    from generator.fmt import black_stable, split_header, split_units

    cut = 0
    for path in sorted((ROOT / "generated").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        cut += len(split_units(split_header(text)[1])) > 1
        assert black_stable(text), path
    assert cut >= 4  # the big modules (models, _wire, mock of the larger specs) were cut


def test_invalid_generated_python_is_reported_with_its_file() -> None:
    from generator.fmt import Formatter

    formatter = Formatter(jobs=1)
    with pytest.raises(ValueError, match="broken.py: generated code is not valid Python"):
        formatter.submit("broken.py", "def f(:\n")
        formatter.results()


def test_encoder_locals_named_after_fields_hide_nothing() -> None:
    """Encoders read an optional field once, into a local named like the field
    (`naming.local_name`). Such a local must not hide a module-level name, a builtin or a
    parameter of its function: the name list in `local_name` is checked here against every
    rendered wire module, so a template that binds a new name cannot fall out of step with it."""
    import ast
    import builtins

    from generator.naming import local_name

    seen = 0
    for path in sorted((ROOT / "generated").glob("*/*_client/_wire.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_names = {
            alias.asname or alias.name.split(".")[0] for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names
        }
        module_names |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        module_names |= {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
            walrus = {node.target for node in ast.walk(function) if isinstance(node, ast.NamedExpr)}
            other_locals = {
                node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node not in walrus
            }
            for target in walrus:
                name = target.id
                seen += 1
                where = f"{path.relative_to(ROOT)}: {function.name}: {name}"
                assert name not in module_names | parameters | other_locals, where
                assert not hasattr(builtins, name), where
                # and the generator would give these names a trailing "_" too
                assert local_name(name.rstrip("_")) == name, where
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        bound = {n.id for f in functions for n in ast.walk(f) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        bound |= {a.arg for f in functions for a in f.args.args + f.args.kwonlyargs}
        spec = service(path.parts[-3])
        shapes = [*spec.shapes, *(s for op in spec.operations for s in (op.request, op.response))]
        field_locals = {local_name(f.name) for shape in shapes for f in shape.wire_fields}
        for name in module_names | (bound - field_locals):
            if name.islower() and not name.startswith("_"):
                assert local_name(name) != name, f"{path.relative_to(ROOT)}: {name} is missing from naming._WIRE_NAMES"
    assert seen > 100


def test_text_filters_keep_the_text_and_fit_the_line() -> None:
    """The template filters that lay out long strings and docstrings: a string literal reads
    back as the same string; docstring text keeps its words, examples and list items."""
    import ast

    from generator.fmt import LINE_LENGTH
    from generator.render import _docstring, _paragraphs, _pystr

    text = 'A patch sets at least one property (Billit refuses an empty one: "No valid properties or values were supplied"). ' * 2
    for indent, prefix in ((0, 0), (8, 12), (12, 40)):
        literal = _pystr(text, indent, prefix)
        assert ast.literal_eval(literal) == text
        assert all(len(line) <= LINE_LENGTH for line in (" " * (indent + prefix) + literal + ",").splitlines())
    assert _pystr("short", 8, 12) == "'short'"

    doc = _docstring("word " * 40, 8)
    assert doc.startswith('"""word') and doc.endswith('word"""') and doc.count("\n") >= 1
    assert " ".join(ast.literal_eval(doc.replace("\n        ", "\n")).split()) == " ".join(["word"] * 40)
    assert _docstring("Fits on one line.", 4) == '"""Fits on one line."""'

    reflowed = _paragraphs("A first\nparagraph.\n\n    code(stays,   as written)\n\n- an item " + "long " * 30 + "\n- another")
    paragraphs = reflowed.split("\n\n")
    assert paragraphs[0] == "A first paragraph."
    assert paragraphs[1] == "    code(stays,   as written)"
    items = paragraphs[2].splitlines()
    assert items[0].startswith("- an item") and items[1].startswith("  long") and items[-1] == "- another"
    assert all(len(line) <= LINE_LENGTH - 3 for line in reflowed.splitlines())


def test_generated_text_reads_as_written_by_hand() -> None:
    """pyproject.toml says `>=` (tojson wrote `\\u003e=`), and docstrings say 'an Order', 'an
    updatePayment' ('a Order', 'a addPayment' before)."""
    for provider in PROVIDERS:
        text = (GENERATED / provider / "pyproject.toml").read_text()
        assert "\\u00" not in text and '"httpx>=' in text, provider
    billink = (GENERATED / "billink" / "billink_client" / "_wire.py").read_text()
    billmate = (GENERATED / "billmate" / "billmate_client" / "_wire.py").read_text()
    assert "The body of an Order API request." in billink and "of a Order" not in billink
    assert "The body of an updatePayment request." in billmate and "a addPayment" not in billmate
    assert "The body of a getAddress request." in billmate


def test_lint_takes_only_the_providers_named(capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    assert main(["lint", "--provider", "billit"]) == 0
    out = capsys.readouterr().out
    assert "billit" in out and "billink" not in out
    assert main(["lint", "--provider", "bilit"]) == 2
    assert "no provider 'bilit'" in capsys.readouterr().err


def test_what_pip_install_leaves_is_removed_by_generate_and_said(tmp_path: Path) -> None:
    """`pip install generated/<p>` (setuptools builds in the source tree) leaves build/ and an
    egg-info beside the package; `check` saw build/'s copies as files the specs do not produce,
    and they stayed. `generate` removes them first and names each; `check` ignores them."""
    from generator import write

    out = tmp_path / "generated"
    shutil.copytree(ROOT / "generated" / "billink", out / "billink")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
         "--target", str(tmp_path / "site"), str(out / "billink")],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    left = sorted(p.name for p in (out / "billink").iterdir() if p.name in ("build", "billink_client.egg-info"))
    assert left == ["billink_client.egg-info", "build"], "pip no longer builds in the tree"
    files = {
        f"billink/{p.relative_to(ROOT / 'generated' / 'billink').as_posix()}": p.read_bytes()
        for p in (ROOT / "generated" / "billink").rglob("*")
        if p.is_file() and not write.ignored(p.relative_to(ROOT / "generated" / "billink"))
    }
    assert write.compare(out, "billink", files).removed == []  # check: not stale output
    assert write.remove_build_leftovers(out) == [
        "generated/billink/billink_client.egg-info/",
        "generated/billink/build/",
    ]
    assert not (out / "billink" / "build").exists()
    assert not (out / "billink" / "billink_client.egg-info").exists()
    assert (out / "billink" / "billink_client" / "client.py").is_file()
    assert write.remove_build_leftovers(out) == []


def test_the_models_cache_key_covers_the_options_the_tool_is_called_with(monkeypatch: Any) -> None:
    """datamodel-code-generator's output is remembered by its input; the options emit_models
    calls it with are input too (changing one once left the old models in place until the
    cache was deleted)."""
    from generator import emit_models
    from support import service

    svc = service("billink")
    memo: dict[str, str] = {}
    first = emit_models.models_source(svc, memo)
    monkeypatch.setattr(emit_models, "_OPTIONS_SOURCE", emit_models._OPTIONS_SOURCE + "\n# changed")
    monkeypatch.setattr(emit_models, "_generate", lambda *args: "models made with other options")
    assert emit_models.models_source(svc, memo) == "models made with other options"
    assert len(memo) == 2 and first in memo.values()


def test_the_models_worker_makes_what_the_in_process_call_makes() -> None:
    """The pipeline makes models in a worker process (warmed up by a run on the least input,
    then one provider after another); each module is byte for byte what a call in this process
    makes, and the worker takes and fills the same memo."""
    from generator import emit_models
    from support import service

    providers = ("billink", "billit", "billmate", "inkassogram")
    memo: dict[str, str] = {}
    worker = emit_models.ModelsWorker(memo)
    try:
        pending = {p: worker.start(service(p)) for p in providers}
        made = {p: result() for p, result in pending.items()}
    finally:
        worker.close()
    assert len(memo) == 4
    for provider, source in made.items():
        assert source == emit_models.models_source(service(provider)), provider
        assert "class " in source and "WireModel" in source
    # a memo hit is not sent to the worker at all
    worker = emit_models.ModelsWorker(memo)
    try:
        again = worker.start(service("billink"))
    finally:
        worker.close()
    assert again() == made["billink"]
