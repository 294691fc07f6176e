"""The whole run: lint every provider, render everything, then write (or check) it.

Used by the CLI, the tests and the benchmarks. Problems in any spec stop the run before
anything is rendered; a failure while rendering stops it before anything is written.

With a `Cache` (what `generate` uses), a run whose inputs and output are as the last successful
run left them does nothing, and black's and datamodel-code-generator's results are reused where
their input did not change. The heavy modules are imported only when there is work to do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache, inputs_digests
from .heap import frozen, keep
from .load import Problem, SpecErrors
from .write import Changes, apply, compare, remove_build_leftovers, unchanged_scope

if TYPE_CHECKING:
    from . import ir

INDEX = "README.md"


@dataclass
class ProviderReport:
    provider: str
    changes: Changes
    seconds: float
    rendered: bool = True  # False: nothing it is made from changed, so it was not made again


@dataclass
class RunReport:
    providers: list[ProviderReport] = field(default_factory=list)
    index: Changes | None = None
    seconds: float = 0.0
    skipped: bool = False  # nothing changed since the last run: nothing was rendered
    formatted: int = 0  # files black ran on (the rest came from the cache or were duplicates)
    # build leftovers of `pip install generated/<provider>` that `generate` removed
    removed_leftovers: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(p.changes.changed for p in self.providers) or bool(
            self.index and self.index.changed
        )


def provider_dirs(specs: Path) -> list[Path]:
    return sorted(p for p in specs.iterdir() if p.is_dir() and (p / "service.yaml").exists())


def lint_all(
    root: Path, specs: Path, providers: list[str] | None = None
) -> tuple[list[ir.Service], list[Problem]]:
    """Lint every provider's spec (or those named in `providers`)."""
    from .lint import lint_provider

    services: list[ir.Service] = []
    problems: list[Problem] = []
    for provider_dir in provider_dirs(specs):
        if providers and provider_dir.name not in providers:
            continue
        service, found = lint_provider(provider_dir, root)
        problems.extend(found)
        if service is not None:
            services.append(service)
    return services, problems


def run(
    root: Path,
    specs: Path,
    out: Path,
    *,
    write: bool,
    providers: list[str] | None = None,
    cache: Cache | None = None,
    jobs: int | None = None,
) -> RunReport:
    """Generate (write=True) or check (write=False) the output of every provider.

    `cache` is only used when writing; `jobs` is the number of formatting processes (default:
    one per CPU; 1 formats in this process).
    """
    with frozen():  # what the run builds lasts until it ends: no collection walks it (heap.py)
        return _run(root, specs, out, write, providers, cache, jobs)


def _run(
    root: Path,
    specs: Path,
    out: Path,
    write: bool,
    providers: list[str] | None,
    cache: Cache | None,
    jobs: int | None,
) -> RunReport:
    started = time.perf_counter()
    leftovers = remove_build_leftovers(out) if write else []
    inputs = ""
    per_provider: dict[str, str] = {}
    if write and cache is not None:
        inputs, per_provider = inputs_digests(root, specs, providers)
        if cache.unchanged(inputs, out):
            report = _nothing_to_do(specs, out, providers, started)
            report.removed_leftovers = leftovers
            return report
        cache.forget_run()  # until this run succeeds
    from .emit_models import ModelsWorker

    models_memo = cache.memo("datamodel-code-generator") if write and cache else None
    # First, so that the tool's import runs while this process lints and renders.
    models = ModelsWorker(models_memo) if jobs != 1 else None
    from .fmt import Formatter
    from .lint import lint_provider
    from .render import environment, finish, iter_sources, needs_formatting, render_index

    env = environment()
    formatter = Formatter(jobs=jobs, memo=cache.memo("black") if write and cache else None)
    services: list[ir.Service] = []
    problems: list[Problem] = []
    sources: list[tuple[ir.Service, dict[str, str | bytes], float]] = []
    skipped: dict[str, float] = {}  # providers not rendered again: nothing of theirs changed
    try:
        # Provider by provider: lint, render, and hand each Python file to the formatting
        # workers as soon as it exists. After the first problem, the rest is only linted (to
        # report every problem at once); nothing is written unless there are none.
        for provider_dir in provider_dirs(specs):
            t0 = time.perf_counter()
            name = provider_dir.name
            kept = _kept_service(cache, name, per_provider.get(name), out)
            if kept is not None:  # its inputs and output are as the last run left them
                services.append(kept)
                if not (providers and name not in providers):
                    skipped[name] = time.perf_counter() - t0
                continue
            service, found = lint_provider(provider_dir, root)
            problems.extend(found)
            if service is None:
                continue
            services.append(service)
            keep()  # the IR
            if problems or (providers and service.provider not in providers):
                continue
            files: dict[str, str | bytes] = {}
            for path, content in iter_sources(service, root, env, models_memo, models):
                files[path] = content
                keep()  # the views it was rendered from live on until the provider is done
                if isinstance(content, str) and needs_formatting(path, content):
                    formatter.submit(path, content)
            sources.append((service, files, time.perf_counter() - t0))
            keep()  # the provider's IR and files
        if problems:
            raise SpecErrors(problems)
        unknown = set(providers or ()) - {s.provider for s in services}
        if unknown:
            raise SpecErrors(
                [
                    Problem(_mark(specs), f"no provider named {name!r} in {specs}")
                    for name in sorted(unknown)
                ]
            )
        t0 = time.perf_counter()
        formatted = formatter.results()
        format_seconds = time.perf_counter() - t0
    finally:
        formatter.close()
        if models is not None:
            models.close()
    index = {INDEX: render_index(services, root, env)}
    report = RunReport(formatted=formatter.formatted, removed_leftovers=leftovers)
    for name, seconds in skipped.items():
        report.providers.append(ProviderReport(name, unchanged_scope(out, name), seconds, False))
    for service, files, seconds in sources:
        t0 = time.perf_counter()
        rendered = finish(files, formatted)
        changes = (
            apply(out, service.provider, rendered)
            if write
            else compare(out, service.provider, rendered)
        )
        share = format_seconds / len(sources)  # formatting ran for all providers at once
        report.providers.append(
            ProviderReport(service.provider, changes, seconds + share + time.perf_counter() - t0)
        )
    report.index = apply(out, INDEX, index) if write else compare(out, INDEX, index)
    report.providers.sort(key=lambda p: p.provider)
    if write and cache is not None:
        for service in services:
            if service.provider not in skipped and service.provider in per_provider:
                cache.remember_service(service, per_provider[service.provider])
        cache.remember_run(inputs, out, per_provider)
        cache.save()
    report.seconds = time.perf_counter() - started
    return report


def _kept_service(
    cache: Cache | None, provider: str, inputs: str | None, out: Path
) -> ir.Service | None:
    """The provider's spec as the last run built it, when neither its inputs nor its output
    changed since (None: lint and render it)."""
    if cache is None or inputs is None or not cache.provider_unchanged(provider, inputs, out):
        return None
    return cache.service(provider, inputs)


def _nothing_to_do(
    specs: Path, out: Path, providers: list[str] | None, started: float
) -> RunReport:
    report = RunReport(skipped=True)
    for provider_dir in provider_dirs(specs):
        if providers and provider_dir.name not in providers:
            continue
        report.providers.append(
            ProviderReport(provider_dir.name, unchanged_scope(out, provider_dir.name), 0.0)
        )
    report.index = unchanged_scope(out, INDEX)
    report.seconds = time.perf_counter() - started
    return report


def _mark(path: Path):  # type: ignore[no-untyped-def]
    from .load import Mark

    return Mark(path.as_posix(), 1, 1)
