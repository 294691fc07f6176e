"""Formatting of generated Python files with black, in-process.

Black is the slowest step of a run (~3,000 lines/s), so `Formatter` does as little of it as it
can, without changing a byte of the result:

- one pass of black per piece, not `format_str`'s two (see `_black`);
- the comment header every generated file starts with is set aside and the rest formatted
  (black leaves leading comments as they are), so files that differ only in the header (the
  runtime modules every provider ships) are formatted once;
- results are looked up by the digest of their input, in this run and in the cache of earlier
  runs (`cache.py`);
- big files are cut into pieces (before top-level definitions, between top-level tables,
  between methods: `split_units`), formatted apart and joined as black joins them;
- what is left is formatted in a pool of worker processes while the main process goes on
  rendering the next provider (forked with the parent's objects frozen, so their garbage
  collector does not walk the parent's heap).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from .cache import digest
from .heap import frozen

LINE_LENGTH = 100
CHUNK_LINES = 400  # lines per piece handed to a formatting worker (see split_units)


def _mode() -> Any:
    import black
    from black.mode import TargetVersion

    return black.Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)


def _black(source: str) -> str:
    """One formatting pass of black.

    `black.format_str` formats a changed source twice: the second pass settles the rare line
    whose trailing comma, added by the first pass, changes how its brackets split. Generated
    code is never already formatted, so that doubles the cost of every file. One pass is
    what black makes of our files (all of them are black's fixed points: a test holds
    `generated/` to it, and would name a template whose output needs the second pass)."""
    import black

    once = getattr(black, "_format_str_once", None)  # private; format_str where it is gone
    if once is None:  # pragma: no cover
        return str(black.format_str(source, mode=_mode()))
    return str(once(source, mode=_mode()))


def format_python(source: str, name: str) -> str:
    """One whole file by `black.format_str` itself (no cache, pieces, workers or single pass):
    the reference `Formatter` is held to. Raises ValueError for a file that is not Python."""
    import black
    from black.parsing import InvalidInput

    try:
        return str(black.format_str(source, mode=_mode()))
    except InvalidInput as exc:
        raise ValueError(f"{name}: generated code is not valid Python: {exc}") from None


def black_stable(source: str) -> bool:
    """Whether black leaves `source` exactly as it is."""
    return format_python(source, "source") == source


def split_header(source: str) -> tuple[str, str]:
    """(the leading comment lines, the rest), split only where black would keep the comments
    exactly as they are: clean `# ` lines directly followed by code."""
    end = 0
    while source.startswith("#", end):
        newline = source.find("\n", end)
        line = source[end:newline]
        if newline < 0 or line != line.rstrip() or not (line == "#" or line.startswith("# ")):
            return "", source
        end = newline + 1
    body = source[end:]
    if not body.strip() or body.startswith(("\n", " ", "\t")):
        return "", source
    return source[:end], body


@dataclass(frozen=True)
class Unit:
    """A piece of a module for black. `joint` goes between the formatted previous piece and
    this one; a piece cut from inside a class body is given to black under `IN_CLASS`, which
    is taken off again."""

    source: str
    joint: str = ""
    in_class: bool = False

    def text(self) -> str:
        return IN_CLASS + self.source if self.in_class else self.source


IN_CLASS = "class _InClass:\n"
_TOP_LEVEL_DEF = ("def ", "async def ", "class ", "@")
_METHOD = ("    def ", "    async def ", "    @")
_CLOSING = (")\n", "]\n", "}\n")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:: [^=\n]+)? = ")


def _cut(lines: list[str], i: int) -> Unit | None:
    """How a piece starting at line `i` joins the one before, if a cut there keeps black's
    result: None where it might not."""
    line, before, before2 = lines[i], lines[i - 1], lines[i - 2]
    if line.startswith(_TOP_LEVEL_DEF):
        # black puts exactly two blank lines before a top-level definition, whatever precedes
        # it (a comment or decorator just above would belong to it: no cut then)
        if before == "\n" and before2 == "\n" and not lines[i - 3].startswith(("#", "@")):
            return Unit("", "\n\n")
        return None
    if before in _CLOSING and _ASSIGNMENT.match(line) and not _after_import(lines, i - 1):
        # a top-level assignment right after the closing bracket of another top-level
        # statement (a table of tables): black keeps them without blank lines (but puts one
        # after an import)
        return Unit("", "")
    if line.startswith(_METHOD) and before == "\n" and before2.startswith("        "):
        # a method after the body of another one (one blank line, which black keeps)
        return Unit("", "\n", in_class=True)
    return None


def _after_import(lines: list[str], end: int) -> bool:
    """Whether the top-level statement whose closing bracket is line `end` is an import."""
    for j in range(end - 1, -1, -1):
        line = lines[j]
        if line[:1] not in ("", " ", "\t", "\n", "#", ")", "]", "}"):
            return line.startswith(("from ", "import "))
    return False


def split_units(body: str, target: int = CHUNK_LINES) -> list[Unit]:
    """The body cut into pieces of about `target` lines that black formats to the same text
    separately as together. (Black's time per line grows with the size of a file, and one piece
    per worker keeps both CPUs busy on the one big module of a large spec.)

    Cuts fall before a top-level definition, between the top-level tables of a table of tables,
    and between the methods of a class (see `_cut`). This is a scan of lines, not a parse
    (parsing the big modules cost more than a tenth of a run): the one place such a line can be
    that is not what it looks like is inside a triple-quoted string, and then the piece before
    the cut ends in an unterminated string, which black refuses; `Formatter` then formats the
    file whole (`_whole`). A test holds the pieces of every generated module, cut small, to
    black's result for the whole module."""
    lines = body.splitlines(keepends=True)
    if len(lines) < 2 * target:
        return [Unit(body)]
    units: list[Unit] = []
    begin, joint, in_class = 0, "", False
    for i in range(target, len(lines) - target // 2):
        if i - begin < target:
            continue
        cut = _cut(lines, i)
        if cut is not None:
            units.append(Unit("".join(lines[begin:i]), joint, in_class))
            begin, joint, in_class = i, cut.joint, cut.in_class
    units.append(Unit("".join(lines[begin:]), joint, in_class))
    return units


def join_units(units: list[Unit], formatted: list[str]) -> str | None:
    """The formatted pieces put together; None if a piece cut from a class body did not come
    back from black under its wrapper (then the module is formatted whole)."""
    parts = []
    for unit, text in zip(units, formatted, strict=True):
        if unit.in_class:
            if not text.startswith(IN_CLASS):
                return None
            text = text[len(IN_CLASS) :].lstrip("\n")
        parts.append(unit.joint + text)
    return "".join(parts)


def _format_body(body: str) -> str | tuple[str]:
    """In a worker: the formatted body, or (error text,) when it is not valid Python."""
    from black.parsing import InvalidInput

    try:
        return _black(body)
    except InvalidInput as exc:
        return (str(exc),)


def _start_worker() -> None:
    """A formatting worker collects its garbage itself, once a piece is done (`_format_piece`),
    and leaves what it was forked with (black's modules, the parent's objects) out of it."""
    gc.disable()
    gc.freeze()


def _format_piece(body: str) -> str | tuple[str]:
    """`_format_body` in a worker, then its garbage collected. Black's syntax trees are cyclic
    (a node points to its parent): left to the automatic collector, each piece's tree outlives
    the young collections made while it was in use and waits for a full one, and full
    collections of a growing old generation made a big run's formatting cost more per line
    (in the workers, ~7 s of 45 at 400 operations). Collected when the piece is done, the tree
    is all there is to walk: the parent's objects are frozen."""
    try:
        return _format_body(body)
    finally:
        gc.collect()


class Formatter:
    """Formats many files; `submit` them all, then take `results`."""

    def __init__(
        self,
        *,
        jobs: int | None = None,
        memo: dict[str, str] | None = None,
        chunk_lines: int = CHUNK_LINES,
    ) -> None:
        import black

        self._version = f"black {black.__version__} line-length {LINE_LENGTH} py311"  # type: ignore[attr-defined]
        self._jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self._chunk_lines = chunk_lines
        self._memo = memo if memo is not None else {}
        self._pool: Executor | None = None
        self._pending: dict[str, tuple[str, Future[str | tuple[str]]]] = {}  # key -> (file, result)
        self._files: dict[
            str, tuple[str, list[Unit], list[str]]
        ] = {}  # file -> (header, units, keys)
        self._bodies: dict[str, str] = {}  # file -> body, for files cut into pieces
        self._failed: dict[str, str] = {}  # file -> black's complaint about one of its pieces
        self.formatted = 0  # pieces black actually ran on
        self.whole: list[str] = []  # files cut into pieces that had to be formatted whole

    def submit(self, name: str, source: str) -> None:
        header, body = split_header(source)
        keys = []
        units = split_units(body, self._chunk_lines)
        if len(units) > 1:
            self._bodies[name] = body
        for unit in units:
            text = unit.text()
            key = digest(self._version, text)
            keys.append(key)
            if key not in self._memo and key not in self._pending:
                self._start(name, key, text)
        self._files[name] = (header, units, keys)

    def _start(self, name: str, key: str, unit: str) -> None:
        self.formatted += 1
        if self._jobs <= 1:
            self._record(name, key, _format_body(unit))
            return
        if self._pool is None:
            # Forked workers start with black already imported; spawn elsewhere. They fork on
            # the first submit: with the parent's objects frozen, their garbage collector does
            # not walk (and copy, page by page) the parent's heap, which for a big spec is the
            # whole IR and every rendered module.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(
                max_workers=self._jobs, mp_context=context, initializer=_start_worker
            )
            with frozen():
                self._pending[key] = (name, self._pool.submit(_format_piece, unit))
            return
        self._pending[key] = (name, self._pool.submit(_format_piece, unit))

    def results(self) -> dict[str, str]:
        """Every submitted file, formatted. Raises ValueError for a file that is not Python."""
        try:
            for key, (name, future) in self._pending.items():
                self._record(name, key, future.result())
        finally:
            self.close()
        self._pending.clear()
        out = {}
        for name, (header, units, keys) in self._files.items():
            joined = None
            if name not in self._failed and all(key in self._memo for key in keys):
                joined = join_units(units, [self._memo[key] for key in keys])
            out[name] = header + (
                joined if joined is not None else self._whole(name, self._failed.get(name, ""))
            )
        return out

    def _record(self, name: str, key: str, result: str | tuple[str]) -> None:
        if isinstance(result, tuple):
            self._failed.setdefault(name, result[0])
        else:
            self._memo[key] = result

    def _whole(self, name: str, complaint: str) -> str:
        """A file black refused a piece of: formatted whole if it was cut (a cut inside a
        string), else the complaint is about the file itself."""
        body = self._bodies.get(name)
        if body is None:
            return self._checked(name, (complaint,))
        self.whole.append(name)
        return self._checked(name, _format_body(body))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @staticmethod
    def _checked(name: str, result: str | tuple[str]) -> str:
        if isinstance(result, tuple):  # a template produced invalid Python: a generator bug
            raise ValueError(f"{name}: generated code is not valid Python: {result[0]}")
        return result
