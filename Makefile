# asr.mobility — developer entry points. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
VENV216 := $(CURDIR)/.venv216
BIN := $(VENV)/bin
BUILD := $(CURDIR)/build
# Ansible finds this collection through a symlinked ansible_collections tree; the bundled
# collections (ansible.windows, community.general, containers.podman, ...) come from the venv.
COLL_TREE := $(BUILD)/collections
COLL_LINK := $(COLL_TREE)/ansible_collections/asr/mobility
export ANSIBLE_COLLECTIONS_PATH := $(COLL_TREE)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := true
export PATH := $(BIN):$(PATH)
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: help venv venv216 collection units compile sanity lint test test-all clean

help:
	@echo "make demo      run deploy_mobility.yml against a built-in lab and print the summary"
	@echo "make test      everything CI runs: units, sanity, lint, lab scenarios"
	@echo "make test-all  as test, plus every optional lab scenario"

$(VENV)/.stamp: tests/requirements-controller.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>/dev/null
	$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-controller.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/ansible --version | head -1
	touch $@

venv: $(VENV)/.stamp

$(VENV216)/.stamp: tests/requirements-controller-216.txt
	$(PYTHON) -m venv $(VENV216)
	$(VENV216)/bin/pip install $(PIP_QUIET) -r tests/requirements-controller-216.txt 2>&1 | grep -v "^WARNING: Location" || true
	touch $@

venv216: $(VENV216)/.stamp

$(COLL_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

collection: venv $(COLL_LINK)

clean:
	rm -rf $(BUILD) tests/output .pytest_cache

-include mk/*.mk
