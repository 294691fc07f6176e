"""What `generate` remembers between runs, so that work already done is not done again.

Everything lives in `.cache/generator/` under the repository root (git-ignored; deleting it
only makes the next run slower):

- ``state.json``: a digest of every input of the last successful `generate` (the specs, the
  templates, the generator's own source, the Python and tool versions) and a digest of every
  file it left in ``generated/``. When the inputs are the same and ``generated/`` still holds
  exactly those files, there is nothing to do: a no-op run costs hashing the inputs.
- ``results.json``: black's output by digest of its input, and datamodel-code-generator's
  output by digest of its input bundle. Both tools are pure functions of their input and
  version, and the version is part of every key, so a hit is exactly what a run would produce.
  When one spec changes, only the files it changes are formatted again.

`check` uses none of this: it always renders from scratch and compares.
This module imports only the standard library (and `write`), so that a no-op run stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .write import ignored

if TYPE_CHECKING:
    from . import ir

# Tools whose output ends up in generated/: their versions are inputs too.
_TOOLS = ("black", "datamodel-code-generator", "jinja2", "pyyaml", "pydantic", "jsonschema")

CACHE_DIR = Path(".cache") / "generator"


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _files(base: Path) -> list[Path]:
    """Every file under `base`, tool droppings left out."""
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and not ignored(p.relative_to(base)))


def tool_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = [sys.version]
    for tool in _TOOLS:
        try:
            found.append(f"{tool}=={version(tool)}")
        except PackageNotFoundError:
            found.append(f"{tool} missing")
    return "\n".join(found)


def inputs_digest(root: Path, specs: Path, providers: list[str] | None) -> str:
    """One digest of everything `generate` reads."""
    return inputs_digests(root, specs, providers)[0]


def inputs_digests(
    root: Path, specs: Path, providers: list[str] | None
) -> tuple[str, dict[str, str]]:
    """One digest of everything `generate` reads, and one per provider of everything its own
    output is made from: what every provider shares (the tools, templates, the generator's
    source, the files at the top of specs/) and its own spec directory."""
    generator_dir = Path(__file__).resolve().parent
    templates = generator_dir.parent / "templates"
    shared: list[bytes | str] = [tool_versions()]
    for base, paths in (
        (templates, _files(templates)),
        # the generator's source, with the runtime it copies into every package (runtime/)
        (
            generator_dir,
            sorted(p for p in generator_dir.rglob("*.py") if "__pycache__" not in p.parts),
        ),
    ):
        for path in paths:
            shared += [path.relative_to(base).as_posix(), path.read_bytes()]
    own: dict[str, list[bytes | str]] = {}
    for path in _files(specs):
        rel = path.relative_to(specs)
        data: list[bytes | str] = [rel.as_posix(), path.read_bytes()]
        if len(rel.parts) == 1:
            shared += data  # specs/README.md and the like: every provider's input
        else:
            own.setdefault(rel.parts[0], []).extend(data)
    common = digest(*shared)
    per_provider = {name: digest(common, *parts) for name, parts in sorted(own.items())}
    overall = digest(
        common, ",".join(sorted(providers or ["*"])), json.dumps(per_provider, sort_keys=True)
    )
    return overall, per_provider


def output_digests(out: Path) -> dict[str, str]:
    """The digest of every file under generated/ (tool droppings excluded)."""
    return {p.relative_to(out).as_posix(): digest(p.read_bytes()) for p in _files(out)}


class Memo(dict[str, str]):
    """A dict that remembers which keys a run read or wrote."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> str:
        value = super().__getitem__(key)
        self.used.add(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self.used.add(key)


class Cache:
    """The on-disk memory of earlier runs. Unreadable files count as empty."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._results: dict[str, Memo] | None = None
        self._state: dict[str, Any] | None = None  # state.json as the last run left it

    def _last_state(self) -> dict[str, Any]:
        """state.json as it was when this run first looked (before `forget_run`)."""
        if self._state is None:
            self._state = self._read("state.json")
        return self._state

    # -- the no-op check -------------------------------------------------------------------
    def unchanged(self, inputs: str, out: Path) -> bool:
        """True when the last successful run had these inputs and generated/ is as it left it."""
        state = self._last_state()
        if state.get("inputs") != inputs or not isinstance(state.get("outputs"), dict):
            return False
        return bool(out.is_dir()) and output_digests(out) == state["outputs"]

    def remember_run(self, inputs: str, out: Path, providers: dict[str, str] | None = None) -> None:
        """Keep this run's inputs and outputs, overall and (`providers`: name -> inputs digest)
        per provider."""
        outputs = output_digests(out)
        per_provider = {
            name: {
                "inputs": digest_of,
                "outputs": {
                    path.removeprefix(name + "/"): value
                    for path, value in outputs.items()
                    if path.startswith(name + "/")
                },
            }
            for name, digest_of in sorted((providers or {}).items())
        }
        self._write("state.json", {"inputs": inputs, "outputs": outputs, "providers": per_provider})

    # -- providers whose inputs did not change -------------------------------------------
    def provider_unchanged(self, provider: str, inputs: str, out: Path) -> bool:
        """True when the last successful run made `provider`'s output from these inputs and
        generated/<provider>/ is still exactly as it left it."""
        providers = self._last_state().get("providers")
        entry = providers.get(provider) if isinstance(providers, dict) else None
        if not isinstance(entry, dict) or entry.get("inputs") != inputs:
            return False
        return output_digests(out / provider) == entry.get("outputs")

    def service(self, provider: str, inputs: str) -> ir.Service | None:
        """The provider's linted spec as the run that had these inputs built it (None if it is
        not kept): what the index and a skipped provider need, without linting again."""
        import pickle

        try:
            data = (self.directory / "services" / f"{provider}.{inputs}.pickle").read_bytes()
            # written by `remember_service` into this repository's own cache, never fetched
            service = pickle.loads(data)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return service if type(service).__name__ == "Service" else None

    def remember_service(self, service: ir.Service, inputs: str) -> None:
        import pickle

        folder = self.directory / "services"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{service.provider}.*.pickle"):
            old.unlink(missing_ok=True)  # one kept per provider
        tmp = folder / f".{service.provider}.{os.getpid()}.tmp"
        tmp.write_bytes(pickle.dumps(service, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, folder / f"{service.provider}.{inputs}.pickle")

    def forget_run(self) -> None:
        try:
            (self.directory / "state.json").unlink()
        except FileNotFoundError:
            pass

    # -- memoised tool output --------------------------------------------------------------
    def memo(self, tool: str) -> Memo:
        """Results of `tool` by input digest; what a run reads or adds is kept by `save`."""
        if self._results is None:
            data = self._read("results.json")
            self._results = {
                name: Memo({k: v for k, v in table.items() if isinstance(v, str)})
                for name, table in data.items()
                if isinstance(table, dict)
            }
        return self._results.setdefault(tool, Memo())

    def save(self) -> None:
        """Keep the results this run used (and only those: the cache does not grow without end)."""
        if self._results is None:
            return
        kept = {
            tool: {k: table[k] for k in sorted(table.used)}
            for tool, table in sorted(self._results.items())
        }
        self._write("results.json", kept)

    # -- files -----------------------------------------------------------------------------
    def _read(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads((self.directory / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.directory / name)
