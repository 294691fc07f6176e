# Every target installs what it needs: a fresh clone needs only `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROVIDERS := $(patsubst generated/%/pyproject.toml,%,$(wildcard generated/*/pyproject.toml))

.PHONY: all venv generate check lint-specs diff typecheck test bench fuzz clean

all: generate

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Regenerate generated/ from specs/ (lint first; nothing is written if a spec is wrong).
generate: $(STAMP)
	$(PY) -m generator generate

## Fail if generated/ is not exactly what the specs produce, or the generator's source is not
## as ruff lints and formats it (the runtime: as black formats it at the packages' length, 100).
check: $(STAMP)
	$(PY) -m generator check
	$(VENV)/bin/ruff check generator
	$(VENV)/bin/ruff format --check generator
	$(PY) -m black --quiet --check -l 100 generator/runtime

## Check the specs only.
lint-specs: $(STAMP)
	$(PY) -m generator lint

## The spec changes since BASE (default: the merge base with main), classed, as Markdown;
## exit 1 when something is breaking. `make diff BASE=HEAD~3`, `make diff ARGS=--format=json`.
diff: $(STAMP)
	$(PY) -m generator diff $(BASE) $(ARGS)

## mypy --strict on every generated package, and on the generator.
typecheck: $(STAMP)
	@for p in $(PROVIDERS); do \
		echo "mypy --strict generated/$$p"; \
		(cd generated/$$p && ../../$(PY) -m mypy --strict --cache-dir ../../.mypy_cache/$$p -p $${p}_client) || exit 1; \
	done
	$(PY) -m mypy --strict generator

test: $(STAMP)
	$(PY) -m generator check
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -q -n 3 --dist worksteal

## Hostile input: 10,000 hypothesis cases per provider for requests and for answers (make test runs
## 150), schema/model agreement at 2,000 cases per request message (make test runs 300), and the
## clients' property tests at their full example counts (make test runs a quarter: tests/support.py).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=10000 AGREE_EXAMPLES=2000 $(PY) -m pytest -q -n 2 -p no:randomly tests/test_fuzz.py tests/test_validators_agree.py \
		tests/test_billit_client.py tests/test_billmate_client.py tests/test_inkassogram_client.py

## Speed figures, each a ratio against a baseline measured in the same run (bench/results.json,
## bench/bounds.json); exit 0 exactly when every target is met (each request and answer figure
## <= 1.0x its floor and <= 1.5x its bound; generate after a one-field edit <= 1.0 s).
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis .cache bench/.work
