"""Render every output file of a provider: templates, schemas, models and docs.

`render_provider` returns the files as {path relative to generated/: bytes}, formatted. Nothing
is written here (see `write.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from . import ir
from .emit_models import models_source
from .emit_schema import published_schemas
from .fmt import format_python
from .view import build_view, docs_view, index_view, php_string

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Each protocol's templates (protocols/<dir>/) and its runtime module (_runtime/<module>.py).
PROTOCOLS = {"xml": ("xml", "xml"), "json": ("json", "json"), "rest-json": ("rest", "json")}

# Package files: output name -> template. `{protocol}` picks the protocol's own templates,
# `{runtime}` its runtime module.
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
    "client.py": "python/client.py.j2",
    "_runtime/__init__.py": "python/_runtime/__init__.py.j2",
    "_runtime/rules.py": "python/_runtime/rules.py.j2",
    "_runtime/validation.py": "python/_runtime/validation.py.j2",
    "_runtime/transport.py": "python/_runtime/transport.py.j2",
    "_runtime/{runtime}.py": "python/_runtime/{runtime}.py.j2",
}


def _pyrepr(value: Any) -> str:
    return repr(value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = _pyrepr
    env.filters["md"] = _md_cell
    env.globals["php"] = lambda value: "null" if value is None else php_string(str(value))
    return env


def _md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def render_provider(service: ir.Service, root: Path, env: jinja2.Environment | None = None) -> dict[str, bytes]:
    env = env or environment()
    view = build_view(service)
    context = view.context()
    files: dict[str, str] = {}
    base = service.provider
    package = f"{base}/{service.package}"
    package_files = dict(PACKAGE_FILES)
    if service.callbacks:
        package_files["callbacks.py"] = "python/callbacks.py.j2"
    if service.wire.xsd:
        package_files["xsd.py"] = "python/xsd.py.j2"
    if isinstance(service.wire, ir.RestWire) and service.wire.rate_limit:
        package_files["_runtime/ratelimit.py"] = "python/_runtime/ratelimit.py.j2"
    if any(op.filter for op in service.operations):
        package_files["filters.py"] = "python/filters.py.j2"
    protocol, runtime = PROTOCOLS[service.protocol]
    for name, template in package_files.items():
        text = env.get_template(template.format(protocol=protocol, runtime=runtime)).render(context)
        files[f"{package}/{name.format(protocol=protocol, runtime=runtime)}"] = text
    files[f"{package}/models.py"] = models_source(service)
    files[f"{base}/pyproject.toml"] = env.get_template("python/pyproject.toml.j2").render(context)
    files[f"{base}/README.md"] = env.get_template("docs/provider.md.j2").render(
        {**context, "docs": docs_view(service, root)}
    )
    for name, schema in published_schemas(service).items():
        files[f"{base}/schemas/{name}"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    out: dict[str, bytes] = {}
    if service.wire.xsd:  # shipped as is, from the spec directory
        out[f"{package}/schema/{service.wire.xsd}"] = (root / service.spec_dir / service.wire.xsd).read_bytes()
    for path, text in files.items():
        if path.endswith(".py") and text.strip():
            text = format_python(text, path)
        out[path] = text.encode("utf-8")
    return out


def render_index(services: list[ir.Service], root: Path, env: jinja2.Environment | None = None) -> bytes:
    env = env or environment()
    text = env.get_template("docs/index.md.j2").render(index_view(services, root))
    return text.encode("utf-8")
