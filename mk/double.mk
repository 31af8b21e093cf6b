# Installer double + fake configuration server (tests/lab/double, tests/lab/fake_cs; lab only,
# never shipped). See tests/lab/double/README.md.
DOUBLE_TEMPLATES := tests/lab/double/templates
DOUBLE_SCRIPTS := $(addprefix $(DOUBLE_TEMPLATES)/,install install_vx uninstall.sh OS_details.sh \
	prereq_check_install.sh libcommon.sh) $(wildcard $(DOUBLE_TEMPLATES)/payload/Vx/bin/*)
DOUBLE_VERSION ?= 9.66.7567.1
DOUBLE_TOKEN ?= DEBIAN12-64
DOUBLE_FAULTS ?=

.PHONY: double-units double-shellcheck double-installer

# Unit tests: the real scripts run re-rooted in temporary directories, the fake CS on 127.0.0.1.
double-units: venv
	tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider tests/unit/lab

# bash -n always; shellcheck when installed (apt-get install -y shellcheck).
double-shellcheck:
	for f in $(DOUBLE_SCRIPTS); do bash -n "$$f"; done
	if command -v shellcheck >/dev/null; then shellcheck -x -s bash $(DOUBLE_SCRIPTS); \
	else echo "shellcheck not installed: bash -n only"; fi

# One installer double into build/installers, e.g.
#   make double-installer DOUBLE_VERSION=9.67.7700.1 DOUBLE_TOKEN=RHEL8-64 DOUBLE_FAULTS="kernel slow=5"
double-installer:
	$(PYTHON) tests/lab/double/build_installer.py --version $(DOUBLE_VERSION) --token $(DOUBLE_TOKEN) \
		--out-dir $(BUILD)/installers $(foreach f,$(DOUBLE_FAULTS),--fault $(f))
