# Documentation checks and the collection docs site (issue 17 item 4).
#   make docs-lint    antsibull-docs lint-collection-docs --plugin-docs (every plugin, filter, role)
#   make docs-site    antsibull-docs sphinx-init + build -> build/docs-site/build/html/index.html
#   make docs-tests   both, then the site in headless Chromium (index lists every module, filter, role)
DOCS_SITE := $(BUILD)/docs-site
DOCS_ENV := PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLL_TREE)

.PHONY: docs-deps docs-lint docs-site docs-tests

docs-deps: venv
	@$(BIN)/python -c 'import sphinx_ansible_theme, antsibull_docs' 2>/dev/null || \
		$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-docs.txt 2>&1 | grep -v "^WARNING: Location" || true

docs-lint: docs-deps collection
	$(DOCS_ENV) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# Offline: no intersphinx (docs.ansible.com and docs.python.org are out of reach), so links into
# Ansible's own docs (common return values, action plugins, ansible.builtin) stay plain text and
# their "undefined label" warnings are suppressed; every other Sphinx warning fails the build.
docs-site: docs-deps collection
	rm -rf $(DOCS_SITE) && mkdir -p $(DOCS_SITE)
	$(DOCS_ENV) $(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS_SITE) \
		--project asr.mobility --title asr.mobility --copyright "asr.mobility contributors" asr.mobility >/dev/null
	printf '\n# make docs-site: offline build\nintersphinx_mapping = {}\nsuppress_warnings = ["ref.ref"]\n' \
		>> $(DOCS_SITE)/conf.py
	mkdir -p $(DOCS_SITE)/rst && chmod og-w $(DOCS_SITE)/rst
	cd $(DOCS_SITE) && $(DOCS_ENV) $(BIN)/antsibull-docs --config-file antsibull-docs.cfg collection \
		--cleanup everything --fail-on-error --use-current --dest-dir rst asr.mobility
	cd $(DOCS_SITE) && $(DOCS_ENV) $(BIN)/sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "docs site: $(DOCS_SITE)/build/html/index.html"

docs-tests: docs-lint docs-site chromium
	$(AWX_PYTEST) tests/docs
