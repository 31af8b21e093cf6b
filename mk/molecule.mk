# Per-distro molecule scenarios (molecule/<distro>/ + molecule/common/), run by
# tests/lab/scenarios.py, which ends with a table distro -> passed/failed/skipped and why
# (also build/scenarios/results.md). See molecule/common/README.md.
#
#   make lab-scenarios                   required: Debian 11/12/13 + every spoofed distribution
#   make lab-scenarios-all               plus the opt-in Ubuntu ones (16.04/18.04 on .venv216)
#   make lab-scenario S=debian12         one scenario (any name from `make lab-scenarios-list`)
#   make lab-scenarios SCENARIO_JOBS=3   scenarios run in parallel (default 2)
SCENARIOS := $(BIN)/python tests/lab/scenarios.py
SCENARIO_JOBS ?= 2
SCENARIO_ARGS ?=

.PHONY: lab-scenarios lab-scenarios-all lab-scenario lab-scenarios-list lab-scenarios-down

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
