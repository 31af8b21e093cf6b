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

.PHONY: help venv venv216 collection units compile sanity lint test test-all clean ansible-test-cache

help:
	@echo "make demo      run deploy_mobility.yml against a built-in lab and print the summary"
	@echo "make test      everything CI runs: units, sanity, lint, lab scenarios"
	@echo "make test-all  as test, plus every optional lab scenario"

$(VENV)/.stamp: tests/requirements-controller.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>/dev/null
	$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-controller.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c 'import ansible.release as r; print("ansible-core", r.__version__)'
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

# ---------------------------------------------------------------------------------------------
# Unit tests: plain pytest on the symlinked collection (fast), then ansible-test units on a copy.
PYENV_BINS := $(wildcard /root/.pyenv/versions/*/bin)
# Outside the checkout: inside it, git would report the copy as ignored and ansible-test would skip it.
ATEST_ROOT := /tmp/asr-mobility-ansible-test/$(subst /,_,$(CURDIR))
ATEST_TREE := $(ATEST_ROOT)/ansible_collections/asr/mobility

ansible-test-cache: venv venv216
	tests/tools/install_get_pip_standin.sh $(VENV) $(VENV216) >/dev/null

# ansible-test wants the tree at .../ansible_collections/asr/mobility: copy what git knows about.
atest-tree: collection
	rm -rf $(ATEST_ROOT) && mkdir -p $(ATEST_TREE)
	git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' | \
		tar -cf - -T - | tar -xf - -C $(ATEST_TREE)

# All of tests/unit, once: plugins (the Windows action tests with the PowerShell syntax check, which
# needs tree-sitter), roles, the lab doubles. double-units, windows-units and azure-units run parts of
# it on their own for a quick look; `make test` does not run them again (TEST_SUITES).
units: collection
	@$(BIN)/python -c 'import tree_sitter, tree_sitter_powershell' 2>/dev/null || \
		$(BIN)/pip install $(PIP_QUIET) tree-sitter tree-sitter-powershell
	ASR_REQUIRE_TREE_SITTER=1 PYTHONPATH=$(COLL_TREE) tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider tests/unit

units-ansible-test: atest-tree ansible-test-cache
	cd $(ATEST_TREE) && $(BIN)/ansible-test units --venv --python 3.11 --requirements

# Sanity: every test on the controller Python, compile on every target Python we have here.
# ansible-core 2.19's ansible-test compiles for 3.8-3.13; the 2.16 one for 2.7 and 3.6;
# vermin proves the Python 3.5 floor (no 3.5 interpreter exists on this machine).
SANITY_COMPILE_NEW := 3.8 3.9 3.10 3.12 3.13
SANITY_COMPILE_OLD := 2.7 3.6
sanity: atest-tree ansible-test-cache
	cd $(ATEST_TREE) && PATH="$(subst $(eval) ,:,$(PYENV_BINS)):$$PATH" $(BIN)/ansible-test sanity --venv --python 3.11
	cd $(ATEST_TREE) && for v in $(SANITY_COMPILE_NEW); do \
		if command -v python$$v >/dev/null || ls /root/.pyenv/versions/$$v*/bin/python$$v >/dev/null 2>&1; then \
			PATH="$(subst $(eval) ,:,$(PYENV_BINS)):$$PATH" $(BIN)/ansible-test sanity --test compile --venv --python $$v; \
		else echo "SKIPPED compile $$v: no python$$v here"; fi; done
	cd $(ATEST_TREE) && for v in $(SANITY_COMPILE_OLD); do \
		if ls /root/.pyenv/versions/$$v*/bin/python$$v >/dev/null 2>&1; then \
			PATH="$(subst $(eval) ,:,$(PYENV_BINS)):$$PATH" $(VENV216)/bin/ansible-test sanity --test compile \
				--python-interpreter $$(ls /root/.pyenv/versions/$$v*/bin/python$$v | head -1) --python $$v; \
		else echo "SKIPPED compile $$v: no python$$v here"; fi; done
	$(BIN)/vermin --no-tips --violations -t=2.7- -t=3.5- --eval-annotations plugins/modules plugins/module_utils

# ansible-lint, production profile, offline, against this collection and the bundled ones.
lint: collection
	rm -rf .ansible
	ANSIBLE_COLLECTIONS_PATH=$(COLL_TREE) $(BIN)/ansible-lint --offline --profile production
	rm -rf .ansible

-include mk/*.mk

# ---------------------------------------------------------------------------------------------
# The README's test command: everything CI runs, fastest first. Each suite is a target of its own
# (mk/*.mk); TEST_SUITES lists them in order.
# `units` already ran tests/unit whole: of windows-tests and azure-tests only the parts outside it.
TEST_SUITES := units sanity lint windows-contract awx-tests bad-input lab-scenarios \
	azure-contract azure-molecule runner-tests

.PHONY: azure-tests
azure-tests: azure-contract azure-molecule

test: venv venv216
	@mkdir -p $(BUILD); rm -f $(BUILD)/test-summary.txt; failed=""; start=$$(date +%s); \
	for suite in $(TEST_SUITES); do \
		t0=$$(date +%s); echo "=== make $$suite"; \
		if $(MAKE) --no-print-directory $$suite; then r=passed; else r=FAILED; failed="$$failed $$suite"; fi; \
		printf '%-16s %-7s %5ss\n' "$$suite" "$$r" "$$(( $$(date +%s) - t0 ))" >> $(BUILD)/test-summary.txt; \
	done; \
	echo; echo "=== make test summary (total $$(( $$(date +%s) - start ))s)"; cat $(BUILD)/test-summary.txt; \
	rm -f $(BUILD)/test-summary.txt; \
	if [ -n "$$failed" ]; then echo "FAILED suites:$$failed"; exit 1; fi

# ---------------------------------------------------------------------------------------------
.PHONY: demo demo-down
demo: collection
	tests/lab/demo.sh

demo-down:
	python3 tests/lab/lab.py down

# The bad-input matrix: every case fails with its own message before the host changes.
.PHONY: bad-input
bad-input: collection
	tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider tests/integration/test_bad_input.py
