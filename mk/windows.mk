# Windows: action plugins (unit, fake ansible.windows host), PowerShell snippet syntax (tree-sitter),
# and the playbook-level contract (stand-in ansible.windows recording every call).
# ASR_CONTRACT_PLAYBOOKS=a.yml,b.yml runs the contract scenarios against other playbooks.
.PHONY: windows-tests windows-units windows-contract

WINDOWS_PYTEST := tests/tools/run-pytest $(BIN)/pytest -q -p no:cacheprovider

windows-units: collection
	@$(BIN)/python -c 'import tree_sitter, tree_sitter_powershell' 2>/dev/null || \
		$(BIN)/pip install --quiet --disable-pip-version-check tree-sitter tree-sitter-powershell
	ASR_REQUIRE_TREE_SITTER=1 PYTHONPATH=$(COLL_TREE) $(WINDOWS_PYTEST) tests/unit/plugins/action

windows-contract: collection
	$(WINDOWS_PYTEST) $$($(BIN)/python -c 'import xdist' 2>/dev/null && echo -n auto | sed 's/^/-n /') tests/contract --ignore=tests/contract/azure_guest_agent

windows-tests: windows-units windows-contract
