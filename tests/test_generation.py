"""The pipeline as a whole: drift is caught, output is deterministic, packages install alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import PROVIDERS, ROOT, service


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
