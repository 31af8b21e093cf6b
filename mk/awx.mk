# AWX readiness and the fleet report (issue 7): execution environment, AWX as code, report
# rendering, and deploy_mobility.yml run through ansible-runner as AWX runs it (needs the lab).
#
#   make awx-tests      EE build context + AWX-as-code checks + report (unit, playbook, Chromium)
#   make runner-tests   ansible-runner jobs against the podman lab (sliced and unsliced)
#   make ee-context     collection tarball + ansible-builder create -> build/ee/context
#   make report-demo    the fleet report of the lab inventory (after `make demo`)
AWX_PYTEST := PYTHONPATH=$(COLL_TREE) tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider

.PHONY: awx-tests runner-tests ee-context awx-deps chromium report-demo

# Controller tools these targets need beyond tests/requirements-controller.txt (until it lists
# them): ansible-runner and ansible-builder from PyPI.
awx-deps: venv
	@$(BIN)/python -c 'import ansible_runner, ansible_builder' 2>/dev/null || \
		$(BIN)/pip install $(PIP_QUIET) 'ansible-runner>=2.4,<3' 'ansible-builder>=3.1,<4'

# Headless Chromium for the report tests (Debian's package), installed only when missing.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

ee-context: awx-deps collection
	$(BIN)/python tests/awx/build_ee_context.py

awx-tests: awx-deps collection chromium
	time $(AWX_PYTEST) tests/awx tests/report

runner-tests: awx-deps collection chromium lab-deps
	time $(AWX_PYTEST) -s tests/runner

report-demo: collection
	ANSIBLE_VAULT_PASSWORD_FILE=$(CURDIR)/inventories/lab/vault-password.lab \
		$(BIN)/ansible-playbook -i inventories/lab playbooks/mobility_report.yml \
		-e mobility_report_dir=$(BUILD)/report
	@echo "open $(BUILD)/report/asr-mobility-report.html"
