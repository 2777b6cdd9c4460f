# Charon developer entry points. Every target installs what it needs first, so each works on a
# fresh machine: `make example` renders the bundled Charon platform, `make test` runs every check.
SHELL := /bin/bash
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -c1-16)

.PHONY: venv example test lint unit peers testbed clean golden bench

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

example: venv
	$(BIN)/charon render examples/charon.yaml -o out/charon

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Debian peers (BIND, nginx, promtool, age, slapd) and Go-built peers (kube-apiserver, etcd, kwok,
# headscale, tailscale, sops, kustomize), cached under $${CHARON_CACHE:-~/.cache/charon}.
peers:
	bash testbed/install-debian.sh
	bash testbed/build.sh

testbed: peers

# The whole suite: lint, types, layer contracts, unit + golden + integration tests against real peers.
test: peers lint
	bash scripts/pytest.sh

golden: venv
	$(BIN)/pytest tests/golden --update-goldens -q

bench: venv
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	$(BIN)/python benchmarks/compile.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache
