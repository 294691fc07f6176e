"""A declarative, spec-driven client generator for payment and invoicing APIs.

Stages, one module each: `load` (YAML with positions), `lint` (meta-schema) and `build`
(semantic checks, the IR in `ir`), `emit_schema` (JSON Schemas), `emit_models` (pydantic models
via datamodel-code-generator), `view` (template contexts), `render` (Jinja), `fmt` (black),
`write` (atomic output), `pipeline` and `cli`.
"""
