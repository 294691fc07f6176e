"""The whole run: lint every provider, render everything, then write (or check) it.

Used by the CLI, the tests and the benchmarks. Problems in any spec stop the run before
anything is rendered; a failure while rendering stops it before anything is written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import ir
from .lint import lint_provider
from .load import Problem, SpecErrors
from .render import environment, render_index, render_provider
from .write import Changes, apply, compare

INDEX = "README.md"


@dataclass
class ProviderReport:
    provider: str
    changes: Changes
    seconds: float


@dataclass
class RunReport:
    providers: list[ProviderReport] = field(default_factory=list)
    index: Changes | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(p.changes.changed for p in self.providers) or bool(self.index and self.index.changed)


def provider_dirs(specs: Path) -> list[Path]:
    return sorted(p for p in specs.iterdir() if p.is_dir() and (p / "service.yaml").exists())


def lint_all(root: Path, specs: Path) -> tuple[list[ir.Service], list[Problem]]:
    services: list[ir.Service] = []
    problems: list[Problem] = []
    for provider_dir in provider_dirs(specs):
        service, found = lint_provider(provider_dir, root)
        problems.extend(found)
        if service is not None:
            services.append(service)
    return services, problems


def run(root: Path, specs: Path, out: Path, *, write: bool, providers: list[str] | None = None) -> RunReport:
    """Generate (write=True) or check (write=False) the output of every provider."""
    started = time.perf_counter()
    services, problems = lint_all(root, specs)
    if problems:
        raise SpecErrors(problems)
    unknown = set(providers or ()) - {s.provider for s in services}
    if unknown:
        raise SpecErrors([Problem(_mark(specs), f"no provider named {name!r} in {specs}") for name in sorted(unknown)])
    env = environment()
    rendered: list[tuple[ir.Service, dict[str, bytes], float]] = []
    for service in services:
        if providers and service.provider not in providers:
            continue
        t0 = time.perf_counter()
        rendered.append((service, render_provider(service, root, env), time.perf_counter() - t0))
    index = {INDEX: render_index(services, root, env)}
    report = RunReport()
    for service, files, seconds in rendered:
        t0 = time.perf_counter()
        changes = apply(out, service.provider, files) if write else compare(out, service.provider, files)
        report.providers.append(ProviderReport(service.provider, changes, seconds + time.perf_counter() - t0))
    report.index = apply(out, INDEX, index) if write else compare(out, INDEX, index)
    report.seconds = time.perf_counter() - started
    return report


def _mark(path: Path):  # type: ignore[no-untyped-def]
    from .load import Mark

    return Mark(path.as_posix(), 1, 1)
