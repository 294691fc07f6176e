"""Render every output file of a provider: templates, schemas, models and docs.

`iter_sources` yields a provider's files with Python not yet formatted (the pipeline formats
all providers' files together, see `fmt.Formatter`, and `finish` turns them into
{path relative to generated/: bytes}). Nothing is written here (see `write.py`).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2

from . import ir, protocols
from .changelog import changelog_view
from .emit_models import ModelsWorker, models_source
from .emit_schema import published_schemas
from .fmt import LINE_LENGTH
from .view import build_view, docs_view, index_view, php_string

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RUNTIME = Path(__file__).resolve().parent / "runtime"
"""The runtime: plain Python modules, copied byte for byte into each package's ``_runtime/``."""

# The runtime modules every package ships; each protocol adds its own (its RUNTIME).
RUNTIME_MODULES = ("__init__.py", "errors.py", "rules.py", "transport.py", "validation.py")

# Package files: output name -> template. `{protocol}` picks the protocol's own templates.
PACKAGE_FILES = {
    "__init__.py": "python/__init__.py.j2",
    "py.typed": "python/py.typed.j2",
    "_base.py": "python/_base.py.j2",
    "_types.py": "python/_types.py.j2",
    "_rules.py": "python/_rules.py.j2",
    "_auth.py": "python/_auth.py.j2",
    "_wire.py": "python/protocols/{protocol}/_wire.py.j2",
    "_outcomes.py": "python/_outcomes.py.j2",
    "errors.py": "python/errors.py.j2",
    "results.py": "python/results.py.j2",
    "params.py": "python/params.py.j2",
    "client.py": "python/client.py.j2",
    "mock.py": "python/mock.py.j2",
}


def runtime_modules(service: ir.Service) -> list[str]:
    """The runtime modules `service`'s package needs (file names in ``generator/runtime/``)."""
    modules = [*RUNTIME_MODULES, *protocols.get(service.protocol).RUNTIME]
    if service.wire.rate_limit:
        modules.append("ratelimit.py")
    if any(cb.body == "signed-header" for cb in service.callbacks):
        modules.append("signing.py")  # webhooks signed in a header
    return sorted(set(modules))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    directory = TEMPLATES / "__pycache__"
    try:
        directory.mkdir(exist_ok=True)
    except OSError:  # a read-only install: compile every time
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def _pyrepr(value: Any) -> str:
    return repr(value)


def _toml(value: str) -> str:
    """A TOML basic string (`tojson` escapes `>` as `\\u003e`, which TOML reads but people
    do not)."""
    return json.dumps(value, ensure_ascii=False)


def _with_article(noun: str) -> str:
    """'an Order', 'an updatePayment', 'a Check': by the first letter as it is spoken ('a
    User', 'a Unique...': a 'u' said 'you')."""
    low = noun.lower()
    you = low.startswith(("uni", "use", "usa", "usu", "uti", "ure", "uri"))
    return f"{'an' if low[:1] in tuple('aeiou') and not you else 'a'} {noun}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        # Compiled templates are kept like Python keeps .pyc files (keyed by the template's
        # source; git-ignored): compiling them took a sixth of a run.
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = _pyrepr
    env.filters["toml"] = _toml
    env.filters["with_article"] = _with_article
    env.filters["md"] = _md_cell
    env.filters["docstring"] = _docstring
    env.filters["wrapped"] = _wrapped
    env.filters["pystr"] = _pystr
    env.filters["paragraphs"] = _paragraphs
    env.globals["php"] = lambda value: "null" if value is None else php_string(str(value))
    env.globals["from_import"] = _from_import
    env.globals["call"] = _call
    return env


def _from_import(module: str, names: list[str]) -> str:
    """`from module import names` laid out as black lays it out: one line when it fits, else one
    name per line. Black would get there too, but splits a very long line in time that grows
    with the square of its length (a 4,000-character import took it 20 s)."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def _docstring(text: Any, indent: int) -> str:
    """`text` as a docstring at `indent` spaces: in triple quotes, on one line when it fits,
    else wrapped to the line length (black leaves the text of docstrings as it is)."""
    return '"""' + _wrapped(text, indent) + '"""'


def _wrapped(text: Any, indent: int) -> str:
    """The text of a docstring at `indent` spaces, wrapped to the line length; its first line
    follows the opening quotes, the last leaves room for closing ones. Line breaks in the text
    are kept; a blank line stays blank."""
    width = LINE_LENGTH - indent - 3
    lines: list[str] = []
    for line in str(text).splitlines() or [""]:
        lines.extend(
            textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False) or [""]
        )
    if len(lines) == 1 and len(lines[0]) > width - 3:  # one line holds both quotes
        lines = textwrap.wrap(
            lines[0], width=width - 3, break_long_words=False, break_on_hyphens=False
        )
    margin = " " * indent
    return "\n".join(lines[:1] + [margin + line if line else "" for line in lines[1:]])


def _paragraphs(text: str, indent: int = 0) -> str:
    """Docstring text reflowed to the line length at `indent`: paragraphs (split at blank
    lines) are wrapped; in a list of "- " items each item is, continued two spaces in; a
    paragraph that starts indented (an example) is kept as written."""
    width = LINE_LENGTH - indent - 3
    margin = " " * indent
    options: dict[str, Any] = {"width": width, "break_long_words": False, "break_on_hyphens": False}
    out: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = paragraph.splitlines()
        if lines[0][:1].isspace():
            out.append("\n".join(line.rstrip() for line in lines))
        elif lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- ") or not items:
                    items.append(line.strip())
                else:
                    items[-1] += " " + line.strip()
            out.append(
                "\n".join(textwrap.fill(item, subsequent_indent="  ", **options) for item in items)
            )
        else:
            out.append(textwrap.fill(" ".join(line.strip() for line in lines), **options))
    body = "\n\n".join(out)
    return "\n".join(
        margin + line if line and i else line for i, line in enumerate(body.split("\n"))
    )


def _call(callee: str, args: list[str], indent: int, suffix: str = "") -> str:
    """`callee(args)suffix` laid out as black lays out a call at `indent` spaces: on one line
    when it fits, else the arguments on a line of their own, else one per line."""
    line = f"{callee}({', '.join(args)}){suffix}"
    if indent + len(line) <= LINE_LENGTH:
        return line
    inner = " " * (indent + 4)
    joined = ", ".join(args)
    if len(inner) + len(joined) <= LINE_LENGTH:
        return f"{callee}(\n{inner}{joined}\n{' ' * indent}){suffix}"
    return f"{callee}(\n" + "".join(f"{inner}{arg},\n" for arg in args) + f"{' ' * indent}){suffix}"


def _pystr(text: str, indent: int, prefix: int = 0) -> str:
    """A string literal for a line of `indent` spaces where `prefix` characters come before it
    and a comma after: as is when it fits, else in parentheses on a line of its own, else cut
    into pieces at spaces, one per line (black does not split strings itself)."""
    literal = repr(text)
    if indent + prefix + len(literal) + 1 <= LINE_LENGTH:
        return literal
    inner = " " * (indent + 4)
    if len(inner) + len(literal) <= LINE_LENGTH:
        return f"(\n{inner}{literal}\n{' ' * indent})"
    pieces = textwrap.wrap(
        text,
        width=LINE_LENGTH - len(inner) - 3,
        drop_whitespace=False,
        replace_whitespace=False,
        expand_tabs=False,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert "".join(pieces) == text, text
    return "(\n" + "".join(f"{inner}{piece!r}\n" for piece in pieces) + " " * indent + ")"


def _md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def iter_sources(
    service: ir.Service,
    root: Path,
    env: jinja2.Environment | None = None,
    models_memo: dict[str, str] | None = None,
    models: ModelsWorker | None = None,
) -> Iterator[tuple[str, str | bytes]]:
    """Every output file of a provider as (path, content), Python as text not yet formatted,
    each as soon as it is made (so the pipeline can format one while the next renders).

    With a `models` worker, the models module is made there while the rest renders, and comes
    last; without one it is made here."""
    models_module = models.start(service) if models is not None else None
    env = env or environment()
    view = build_view(service)
    context = view.context()
    base = service.provider
    package = f"{base}/{service.package}"
    package_files = dict(PACKAGE_FILES)
    if service.callbacks:
        package_files["callbacks.py"] = "python/callbacks.py.j2"
    if service.wire.xsd:
        package_files["xsd.py"] = "python/xsd.py.j2"
    if any(op.filter for op in service.operations):
        package_files["filters.py"] = "python/filters.py.j2"
    protocol = protocols.get(service.protocol).TEMPLATES
    for name, template in package_files.items():
        text = env.get_template(template.format(protocol=protocol)).render(context)
        yield f"{package}/{name}", text
    for module in runtime_modules(service):  # bytes: copied as they are, never formatted
        yield f"{package}/_runtime/{module}", (RUNTIME / module).read_bytes()
    yield f"{base}/pyproject.toml", env.get_template("python/pyproject.toml.j2").render(context)
    yield (
        f"{base}/README.md",
        env.get_template("docs/provider.md.j2").render(
            {**context, "docs": docs_view(service, root)}
        ),
    )
    yield (
        f"{base}/CHANGELOG.md",
        env.get_template("docs/changelog.md.j2").render(
            {**context, "changelog": changelog_view(service)}
        ),
    )
    for name, schema in published_schemas(service).items():
        yield f"{base}/schemas/{name}", json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if service.wire.xsd:  # shipped as is, from the spec directory
        yield (
            f"{package}/schema/{service.wire.xsd}",
            (root / service.spec_dir / service.wire.xsd).read_bytes(),
        )
    yield (
        f"{package}/models.py",
        models_module() if models_module is not None else models_source(service, models_memo),
    )


def needs_formatting(path: str, text: str) -> bool:
    return path.endswith(".py") and bool(text.strip())


def finish(files: dict[str, str | bytes], formatted: dict[str, str]) -> dict[str, bytes]:
    """The files as bytes, with formatted Python in place of the raw text."""
    out: dict[str, bytes] = {}
    for path, content in sorted(files.items()):
        content = formatted.get(path, content)
        out[path] = content.encode("utf-8") if isinstance(content, str) else content
    return out


def render_index(
    services: list[ir.Service], root: Path, env: jinja2.Environment | None = None
) -> bytes:
    env = env or environment()
    index = index_view(services, root)
    text = env.get_template("docs/index.md.j2").render(
        generator=index.generator, providers=index.providers
    )
    return text.encode("utf-8")
