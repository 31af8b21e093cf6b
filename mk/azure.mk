# After failover to Azure: role azure_guest_agent and playbooks/post_failover.yml.
#   make azure-units            role data and fact-driven choices, no host (~10 s)
#   make azure-contract         Windows part: stand-in ansible.windows records every call (~1 min)
#   make azure-molecule         podman lab: Debian 12 and Debian 11 install the REAL waagent from
#                               Debian's archive (walinuxagent.service running), on-premises hosts
#                               left alone; each converge + idempotence (0 changed) + verify
#   make azure-molecule-ubuntu  opt-in: SKIPPED (loudly) without localhost/asr-lab:ubuntu2204
#   make azure-tests            units + contract + molecule (not Ubuntu)
#   make azure-molecule AZURE_SCENARIOS=azure_guest_onprem   a subset
AZURE_SCENARIOS ?= azure_guest_debian12 azure_guest_debian11 azure_guest_onprem
AZURE_UBUNTU_IMAGE ?= localhost/asr-lab:ubuntu2204
AZURE_PYTEST = tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider

.PHONY: azure-tests azure-units azure-contract azure-lab-images azure-molecule azure-molecule-ubuntu

azure-units: collection
	$(AZURE_PYTEST) tests/unit/roles/test_azure_guest_agent.py

azure-contract: collection
	$(AZURE_PYTEST) $$($(BIN)/python -c 'import xdist' 2>/dev/null && echo -n '-n 3') tests/contract/azure_guest_agent

# Only the images these scenarios use (cached by recipe hash: ~1 s when current).
azure-lab-images: lab-deps
	$(LAB_BUILD) --cache-dir $(LAB_CACHE) --only debian11 debian12

# Every scenario runs even when one fails (AZURE_MOLECULE_JOBS at a time, logs in
# build/azure-molecule/); a table of results and times at the end.
AZURE_MOLECULE_JOBS ?= 3
azure-molecule: azure-lab-images collection
	@rm -rf .ansible; rc=0; \
	MOLECULE="env $(LAB_MOLECULE)" molecule/azure_guest_shared/run_scenarios.sh $(AZURE_MOLECULE_JOBS) \
		$(BUILD)/azure-molecule $(AZURE_SCENARIOS) || rc=$$?; \
	rm -rf .ansible; exit $$rc

azure-molecule-ubuntu: collection
	@if podman image exists $(AZURE_UBUNTU_IMAGE); then \
	  $(LAB_MOLECULE) test -s azure_guest_ubuntu2204; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
	  echo "!! SKIPPED azure_guest_ubuntu2204: no image $(AZURE_UBUNTU_IMAGE)" >&2; \
	  echo "!! (make lab-images-all builds it when Ubuntu's archive answers)" >&2; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
	fi

azure-tests: azure-units azure-contract azure-molecule
