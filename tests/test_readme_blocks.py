"""Every ```python block of every generated README runs, in order and in one namespace, against
the package's own mock server (in-process, on loopback): `MOCK_URL` is the mock's URL, the
credentials are the mock's. A block preceded by `<!-- not run: <why> -->` is shown, not run:
each such block is reported as a skipped test giving its reason."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import GENERATED, PROVIDERS, ROOT, package

FENCE = re.compile(r"^```python\n(.*?)^```\n", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->\s*\n$")


@dataclass(frozen=True)
class Block:
    line: int
    code: str
    not_run: str | None  # why the README does not run it, or None


def blocks(text: str) -> list[Block]:
    """The python blocks of a README, each with its line and its not-run reason (if any)."""
    found = []
    for m in FENCE.finditer(text):
        before = text[: m.start()]
        reason = NOT_RUN.search(before[-300:])
        found.append(Block(before.count("\n") + 1, m.group(1), reason.group(1) if reason else None))
    return found


def readme_blocks(provider: str) -> list[Block]:
    return blocks((GENERATED / provider / "README.md").read_text(encoding="utf-8"))


def test_blocks_are_found_and_marked() -> None:
    text = (
        "x\n\n```python\na = 1\n```\n\n<!-- not run: a signature -->\n```python\ndef f(): ...\n"
        "```\n\n```\nnot python\n```\n"
    )
    assert blocks(text) == [Block(3, "a = 1\n", None), Block(8, "def f(): ...\n", "a signature")]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_has_runnable_blocks(provider: str) -> None:
    runnable = [b for b in readme_blocks(provider) if b.not_run is None]
    assert len(runnable) >= 4, runnable  # use, per-call options, mock server, forcing
    assert all("(...)" not in b.code for b in runnable), "placeholder left in a runnable block"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_blocks_run_against_the_mock(provider: str) -> None:
    mock = package(provider, "mock")
    namespace: dict[str, object] = {"__name__": f"readme_{provider}"}
    ran = 0
    with mock.MockServer(**dict(mock.EXAMPLE_CREDENTIALS)) as server:
        namespace["MOCK_URL"] = server.url
        for block in readme_blocks(provider):
            if block.not_run is not None:
                continue
            try:
                exec(compile(block.code, f"{provider}/README.md:{block.line}", "exec"), namespace)
            except BaseException as error:  # SystemExit too: a block must run to its end
                pytest.fail(
                    f"generated/{provider}/README.md, block at line {block.line} failed: "
                    f"{type(error).__name__}: {error}\n{block.code}"
                )
            ran += 1
    assert ran >= 4


NOT_RUN_BLOCKS = [
    pytest.param(p, b, id=f"{p}-line{b.line}", marks=pytest.mark.skip(reason=f"not run: {b.not_run}"))
    for p in PROVIDERS
    for b in readme_blocks(p)
    if b.not_run is not None
]


@pytest.mark.parametrize("provider,block", NOT_RUN_BLOCKS or [pytest.param(None, None, marks=pytest.mark.skip(reason="no README block is marked not run"))])
def test_not_run_blocks_are_reported(provider: str, block: Block) -> None:
    raise AssertionError("skipped: each marked block is counted and reported by its skip reason")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_readme_blocks_pass_mypy_strict(provider: str, tmp_path: Path) -> None:
    """The README's runnable blocks, in order as one script, are what a consumer would write:
    they pass `mypy --strict` against the package (typed values, enum members or their text
    in keywords, nothing a type checker refuses)."""
    script = tmp_path / f"readme_{provider}.py"
    script.write_text(
        'MOCK_URL = "http://127.0.0.1:1"\n'
        + "".join(f"# README.md line {b.line}\n{b.code}" for b in readme_blocks(provider) if b.not_run is None)
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / ".mypy_cache" / "consumer"), str(script)],
        cwd=GENERATED / provider,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
