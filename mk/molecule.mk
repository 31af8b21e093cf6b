# Per-distro molecule scenarios (molecule/<distro>/ + molecule/common/), run by
# tests/lab/scenarios.py, which ends with a table distro -> passed/failed/skipped and why
# (also build/scenarios/results.md). See molecule/common/README.md.
#
#   make lab-scenarios                   required: Debian 11/12/13 + every spoofed distribution
#   make lab-scenarios-all               plus the opt-in Ubuntu ones (16.04 Python 2.7 / 18.04 on
#                                        .venv216, 16.04 Python 3.5 on .venv215)
#   make lab-scenario S=debian12         one scenario (any name from `make lab-scenarios-list`)
#   make lab-scenarios SCENARIO_JOBS=3   scenarios run in parallel (default 2)
SCENARIOS := $(BIN)/python tests/lab/scenarios.py
SCENARIO_JOBS ?= 2
SCENARIO_ARGS ?=
# Python 3.5 targets (Ubuntu 16.04's python3): ansible-core 2.16 refuses them ("requires a minimum
# of Python2 version 2.7 or Python3 version 3.6"); 2.15 is the last line that manages 3.5.
VENV215 := $(CURDIR)/.venv215
VENV215_PIN := ansible==8.7.0

.PHONY: lab-scenarios lab-scenarios-all lab-scenario lab-scenarios-list lab-scenarios-down venv215

# Its containers.podman (1.11) lacks options molecule/shared uses (delete_time): the main venv's
# (1.18, requires_ansible >=2.8) replaces it.

$(VENV215)/.stamp: $(VENV)/.stamp
	$(PYTHON_OLD) -m venv $(VENV215)
	$(VENV215)/bin/pip install $(PIP_QUIET) '$(VENV215_PIN)' jmespath 2>&1 | grep -v "^WARNING: Location" || true
	pod=$$(ls -d $(VENV)/lib/python3*/site-packages/ansible_collections/containers/podman) && \
		dest=$$(ls -d $(VENV215)/lib/python3*/site-packages/ansible_collections/containers) && \
		rm -rf $$dest/podman && cp -a $$pod $$dest/podman
	$(VENV215)/bin/ansible --version | sed -n 1p
	touch $@

venv215: $(VENV215)/.stamp

lab-scenarios: lab-images collection
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) run --set required --jobs $(SCENARIO_JOBS) $(SCENARIO_ARGS)

# Ubuntu images are built when Ubuntu's archive answers (lab-images-all reports the others as
# SKIPPED); their scenarios are then SKIPPED too, with the reason in the table. The Python
# 2.7/3.5/3.6 targets need .venv216 (ansible-core 2.16): built here, SKIPPED if that fails.
lab-scenarios-all: lab-images-all collection
	-$(MAKE) --no-print-directory venv216
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) run --set all --jobs $(SCENARIO_JOBS) $(SCENARIO_ARGS)

lab-scenario: lab-images collection
	test -n "$(S)" || { echo "usage: make lab-scenario S=<scenario>" >&2; exit 2; }
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) run --only $(S) --jobs 1 --keep-services $(SCENARIO_ARGS)

lab-scenarios-list: venv
	$(SCENARIOS) list

lab-scenarios-down:
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) services --down
