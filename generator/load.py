"""Load spec YAML files and remember where every value came from.

Each file becomes a `Document`: plain Python data (dicts, lists, str, int, float, bool, None)
plus the source position of every value and every mapping key, so that later stages can report
`specs/billink/order.yaml:42:7: ...` for anything they find wrong.

The YAML dialect is YAML 1.1 as PyYAML reads it, with two safety changes: only `true`/`false`
are booleans (so a country code `NO` stays the string "NO"), and duplicate mapping keys are an
error instead of silently keeping the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Mark:
    """A position in a spec file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the specs, reported as `file:line:column: message`."""

    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class SpecErrors(Exception):
    """Raised when the specs have problems; carries all of them, sorted by position."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Document:
    """One loaded YAML file: its data and the positions of its values and keys."""

    path: str
    data: Any
    marks: dict[PathKey, Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, Mark] = field(default_factory=dict)

    def mark(self, path: PathKey) -> Mark:
        """Position of the value at `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), Mark(self.path, 1, 1))

    def key_mark(self, path: PathKey) -> Mark:
        """Position of the mapping key that names `path` (falls back to the value)."""
        return self.key_marks.get(tuple(path)) or self.mark(path)

    def problem(self, path: PathKey, message: str, *, at_key: bool = False) -> Problem:
        return Problem(self.key_mark(path) if at_key else self.mark(path), message)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false (YAML 1.2 style)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# Parsing (composing nodes) is the slow half of loading; libyaml does it ~5x faster when
# PyYAML was built with it. Same resolvers, same marks; the pure-Python parser otherwise.
if getattr(yaml, "__with_libyaml__", False):

    class _Composer(yaml.CSafeLoader):
        """libyaml parser with the resolvers of `_Loader`."""

    _Composer.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - depends on how PyYAML was built
    _Composer = _Loader  # type: ignore[misc,assignment]


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _at(display: str, mark: Any) -> Mark:
    return Mark(display, mark.line + 1, mark.column + 1)


def _runaway_quote(text: str, stop: Any) -> Any:
    """The start of the last quoted text before `stop` that spans lines, if any: specs write
    none, so one is a quote left open that swallowed text up to the next quote."""
    opened = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= stop.index:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.start_mark.line != token.end_mark.line
            ):
                opened = token.start_mark
    except yaml.MarkedYAMLError:
        pass
    return opened


def syntax_problem(display: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error at the line and column of its fault, in PyYAML's words plus what
    usually causes it. The fault is where the parser stopped, except for a quoted text that
    is never closed: the parser stops at the end of the file, the fault is the opening quote."""
    problem = exc.problem or str(exc)
    context = exc.context or ""
    here, started = exc.problem_mark, exc.context_mark
    if here is None:
        where = _at(display, started) if started else Mark(display, 1, 1)
        return Problem(where, f"YAML syntax error: {problem}")
    opened = _runaway_quote(text, here)
    if opened is not None:
        return Problem(
            _at(display, opened),
            "YAML syntax error: the quoted text that starts here runs on to the next line (is "
            f"its closing quote missing?); the parser stopped at {here.line + 1}:"
            f"{here.column + 1}: {problem}",
        )
    if "'\\t'" in problem:
        message = "a tab character: YAML indents with spaces only"
    elif "quoted scalar" in context and started is not None and "end of stream" in problem:
        return Problem(
            _at(display, started),
            "YAML syntax error: the quoted text that starts here is never closed "
            f"(the file ends at {here.line + 1}:{here.column + 1})",
        )
    elif "flow mapping" in context or "flow sequence" in context:
        brackets = "{...}" if "mapping" in context else "[...]"
        if started is not None and here.line > started.line and here.column <= started.column:
            # the parser stopped on a later line that is not indented into the brackets: they
            # were left open on the line that opens them
            return Problem(
                _at(display, started),
                f"YAML syntax error: the {brackets} that starts here is not closed (a missing "
                f"'{brackets[-1]}'); the parser stopped at {here.line + 1}:{here.column + 1}: "
                f"{problem}",
            )
        opened_at = f" opened at {started.line + 1}:{started.column + 1}" if started else ""
        message = (
            f"{problem} (inside the {brackets}{opened_at}: a missing '{brackets[-1]}', or a ':' or "
            "',' in text that needs quotes)"
        )
    elif problem.startswith("expected <block end>") and started is not None:
        message = (
            f"{problem} (the block at {started.line + 1}:{started.column + 1} cannot go on here: "
            "check this line's indentation, or text after a closing quote)"
        )
    elif problem == "mapping values are not allowed here":
        message = (
            f"{problem} (a ': ' inside text that needs quotes, or a line indented deeper than "
            "the key above it)"
        )
    elif context and started is not None:
        message = f"{problem} ({context} at {started.line + 1}:{started.column + 1})"
    else:
        message = problem
    return Problem(_at(display, here), f"YAML syntax error: {message}")


def load_document(path: Path, display: str) -> tuple[Document, list[Problem]]:
    """Parse one YAML file. Syntax errors and duplicate keys come back as problems."""
    text = path.read_text(encoding="utf-8")
    doc = Document(display, None)
    problems: list[Problem] = []
    try:
        try:
            node = yaml.compose(text, Loader=_Composer)
        except yaml.MarkedYAMLError:  # parse again for PyYAML's own wording of the error
            node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        problems.append(syntax_problem(display, text, exc))
        return doc, problems
    if node is None:
        problems.append(Problem(Mark(display, 1, 1), "file is empty"))
        return doc, problems
    constructor = _Loader(text)
    doc.data = _convert(node, (), doc, constructor, problems)
    return doc, problems


def _convert(
    node: yaml.Node,
    path: PathKey,
    doc: Document,
    constructor: _Loader,
    problems: list[Problem],
) -> Any:
    doc.marks[path] = _mark(doc.path, node)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                problems.append(
                    Problem(
                        _mark(doc.path, key_node),
                        f"mapping key {key!r} must be a string (quote it)",
                    )
                )
                key = str(key)
            if key in result:
                problems.append(
                    Problem(_mark(doc.path, key_node), f"duplicate key {key!r} in this mapping")
                )
            doc.key_marks[path + (key,)] = _mark(doc.path, key_node)
            result[key] = _convert(value_node, path + (key,), doc, constructor, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (index,), doc, constructor, problems)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)


@dataclass
class ProviderSources:
    """Every spec file of one provider, loaded."""

    provider_dir: Path
    display_dir: str
    service: Document | None = None
    fields: Document | None = None
    shapes: Document | None = None
    errors: Document | None = None
    discrepancies: Document | None = None
    changelog: Document | None = None
    operations: list[Document] = field(default_factory=list)

    def all_documents(self) -> list[Document]:
        docs = [
            self.service,
            self.fields,
            self.shapes,
            self.errors,
            self.discrepancies,
            self.changelog,
        ]
        return [d for d in docs if d is not None] + self.operations


OPTIONAL_FILES = ("fields", "shapes", "errors", "discrepancies")
# The package's history (not part of the API: `generator diff` leaves it out).
HISTORY_FILE = "changelog"
SPEC_DATA_DIRS = ("operations", "examples", "schemas", "docs")


def load_provider(provider_dir: Path, root: Path) -> tuple[ProviderSources, list[Problem]]:
    """Load `specs/<provider>/`: service.yaml, the optional library files and operations/*.yaml."""
    display_dir = _display(provider_dir, root)
    sources = ProviderSources(provider_dir, display_dir)
    problems: list[Problem] = []

    def load(path: Path) -> Document:
        doc, found = load_document(path, _display(path, root))
        problems.extend(found)
        return doc

    service = provider_dir / "service.yaml"
    if not service.is_file():
        problems.append(Problem(Mark(display_dir, 1, 1), "missing service.yaml"))
    else:
        sources.service = load(service)
    for name in (*OPTIONAL_FILES, HISTORY_FILE):
        path = provider_dir / f"{name}.yaml"
        if path.is_file():
            setattr(sources, name, load(path))
    for path in sorted((provider_dir / "operations").glob("*.yaml")):
        sources.operations.append(load(path))
    known = {"service.yaml", *(f"{n}.yaml" for n in (*OPTIONAL_FILES, HISTORY_FILE))}
    for path in sorted(provider_dir.iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml") and path.name not in known:
            problems.append(
                Problem(
                    Mark(_display(path, root), 1, 1),
                    f"unexpected spec file {path.name!r} (expected service.yaml, "
                    f"{', '.join(f'{n}.yaml' for n in (*OPTIONAL_FILES, HISTORY_FILE))} or "
                    f"operations/*.yaml)",
                )
            )
    return sources, problems


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
