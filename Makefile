# Every target sets up its own virtual environment first; see the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup serve demo check test lint typecheck layers schema bench bench-setup clean graphiql mutation

$(STAMP): pyproject.toml constraints.txt
	@echo "Setting up .venv: installing Demarche and the packages it pins (about a minute, once) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -c constraints.txt -e ".[dev]" | grep -E "^(Collecting|Successfully installed)" | cut -c1-100 || true
	@test -x $(BIN)/demarche || { echo "the install failed; run: $(BIN)/pip install -c constraints.txt -e '.[dev]'"; exit 1; }
	touch $(STAMP)
	@echo "Set up."

setup: $(STAMP)

## Serve the API with the March 2022 demo record on SQLite (demarche.db); `make serve PORT=8001` listens on another port.
serve: $(STAMP)
	@echo "Starting Demarche on SQLite (demarche.db), loading the demo record on first start ..."
	$(BIN)/demarche serve$(if $(PORT), --port $(PORT))

demo: $(STAMP)
	$(BIN)/demarche demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## The layer contracts in pyproject.toml ([tool.importlinter]): which package may import which.
layers: $(STAMP)
	$(BIN)/lint-imports

schema: $(STAMP)
	$(BIN)/demarche schema --write

## The fast tier, under a minute: lint, type checks, the layer contracts, and the unit tests (the domain on in-memory
## fakes, no database). One process: on two cores, xdist's workers cost more to start than the tests take. The
## schemathesis and anyio plugins serve only other tiers, and loading them is a third of the startup.
check: lint typecheck layers
	$(BIN)/pytest -q -n 0 -p no:schemathesis -p no:anyio --durations=5 tests/unit

## Lint, type checks, the layer contracts, the schema contract (the published files match the code; no breaking change
## against the released schema, docs/schema/), then every test on SQLite and PostgreSQL; last, the load
## tier (tests/load), alone in one process, so that nothing else shares the cores while it measures latency.
test: lint typecheck
	$(BIN)/lint-imports
	$(BIN)/demarche schema --check
	$(BIN)/demarche schema --breaking-against docs/schema/schema.graphql
	$(BIN)/pytest
	$(BIN)/pytest -n 0 -m load tests/load

## Mutation testing, outside `make test` (long: about an hour for all of domain/ on two idle cores): mutmut 3 mutates domain/
## ([tool.mutmut] in pyproject.toml) and runs the unit tests that cover each mutant, at the lowest priority and in one
## child, since the machine is shared; then tests/mutation_report.py prints the figures per module and fails on a survivor
## of the target modules that docs/testing.md does not explain. A fresh run each time (cached verdicts would not see new
## tests); MUTANTS='domain.read.pagination.* domain.record.checks.*' reruns only those mutants, keeping the other verdicts.
mutation: $(STAMP)
	$(if $(MUTANTS),,rm -rf mutants)
	nice -n 19 $(BIN)/mutmut run --max-children 1 $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/python -m tests.mutation_report

## The benchmark over real HTTP (SQLite and PostgreSQL); writes bench/results.json and docs/benchmarks.md. Its load
## generator is wrk (Debian: apt-get install -y wrk); the PostGraphile peers (v4, and v5 with its own Node 22) come from
## npm into bench/.peer/ from the lockfiles there. Not part of `make test` nor of CI.
bench-setup: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@command -v wrk >/dev/null || { echo "the benchmark needs wrk: apt-get install -y wrk (Debian, Ubuntu) or brew install wrk"; exit 1; }
	$(BIN)/python -m bench.peer

bench: bench-setup
	$(BIN)/python -m bench.run --scales 10000 100000 --databases sqlite postgresql
	$(BIN)/python -m bench.versus --scale 100000 --duration 10 --rounds 3

## Rebuild GraphiQL's bundle in api/http/static/graphiql/ from graphiql/ (exact versions in its package-lock.json); commit the result.
graphiql:
	cd graphiql && npm ci --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache mutants
