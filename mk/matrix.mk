# Controller matrix (issue 17): ansible-core 2.21 (.venv, Python 3.12) is the main controller and
# runs every suite; the older lines run what proves they still work.
#   make matrix-219   ansible-core 2.19 (.venv219, Python 3.11): units, sanity, lint, lab scenario
#   make matrix-216   ansible-core 2.16 (.venv216): units, lab scenario (compile 2.7/3.6: make sanity)
#   make matrix       both; `make test` runs it as the suite "matrix"
MATRIX_SCENARIO ?= debian12
MATRIX_UNITS := tests/unit/plugins tests/unit/test_yaml_conditionals.py

.PHONY: matrix matrix-219 matrix-216 controller-matrix-table

matrix: matrix-219 matrix-216

matrix-219: venv219 atest-tree ansible-test-cache lab-images
	PYTHONPATH=$(COLL_TREE) tests/tools/run-pytest $(VENV219)/bin/pytest -q -p no:cacheprovider $(MATRIX_UNITS)
	cd $(ATEST_TREE) && $(PYENV_PATH) $(VENV219)/bin/ansible-test sanity --venv --python 3.11
	rm -rf .ansible && ANSIBLE_COLLECTIONS_PATH=$(COLL_TREE) $(VENV219)/bin/ansible-lint --offline \
		--profile production && rm -rf .ansible
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) run --only $(MATRIX_SCENARIO) --controller 2.19 --jobs 1

matrix-216: venv216 collection lab-images
	PYTHONPATH=$(COLL_TREE) tests/tools/run-pytest $(VENV216)/bin/pytest -q -p no:cacheprovider $(MATRIX_UNITS)
	CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(SCENARIOS) run --only $(MATRIX_SCENARIO) --controller 2.16 --jobs 1

# What ran on which controller (printed at the end of `make test`; also in docs/controllers.md).
controller-matrix-table:
	@echo; echo "=== controller matrix"
	@printf '%-30s %-12s %s\n' controller python "suites"
	@for v in "$(VENV):every suite (units sanity lint lab bad-input awx azure runner ...)" \
		"$(VENV219):matrix-219: units, sanity, lint, lab $(MATRIX_SCENARIO); sanity compile 3.8" \
		"$(VENV216):matrix-216: units, lab $(MATRIX_SCENARIO); sanity compile 2.7 3.6"; do \
		d=$${v%%:*}; what=$${v#*:}; \
		if [ -x $$d/bin/python ]; then \
			core=$$($$d/bin/python -c 'import ansible.release as r; print(r.__version__)' 2>/dev/null || echo '?'); \
			py=$$($$d/bin/python -c 'import platform; print(platform.python_version())'); \
		else core="(no $$(basename $$d))"; py=-; fi; \
		printf '%-30s %-12s %s\n' "ansible-core $$core" "$$py" "$$what"; done
