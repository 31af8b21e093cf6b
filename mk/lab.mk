# Podman lab: images (tests/lab/images), lab control (tests/lab/lab.py), molecule shared config
# (molecule/shared) and its smoke scenario. See tests/lab/images/README.md.
LAB_CONTAINERS_CONF := $(CURDIR)/tests/lab/podman/containers.conf
LAB_BUILD := $(PYTHON) tests/lab/images/build.py
LAB_CTL := $(PYTHON) tests/lab/lab.py
LAB_CACHE ?= /var/cache/asr-lab
LAB_JOBS ?= 3
# Every molecule scenario of the lab: `$(LAB_MOLECULE) test -s <scenario>`.
LAB_MOLECULE = CONTAINERS_CONF=$(LAB_CONTAINERS_CONF) $(BIN)/molecule -c $(CURDIR)/molecule/shared/base.yml
# make lab-up LAB_HOSTS=deb12=debian12,rhel7=spoof-rhel7
LAB_HOSTS ?= deb12=debian12
LAB_CS_PASSPHRASE_FILE ?= $(BUILD)/lab/cs.passphrase
LAB_MIRROR_DIR ?= $(BUILD)/lab/mirror

.PHONY: lab-deps lab-deps-ubuntu lab-images lab-images-all lab-verify lab-smoke lab-up lab-down \
	lab-status

# Host packages, installed only when missing (CI starts from a fresh Debian 12 machine).
lab-deps:
	@missing=""; \
	for t in podman runc debootstrap; do \
	  command -v $$t >/dev/null || [ -x /usr/sbin/$$t ] || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install -y$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Ubuntu suites also need zstd (jammy/noble .debs) and gpg (pinning the archive keyring).
lab-deps-ubuntu: lab-deps
	@missing=""; \
	command -v zstd >/dev/null || missing="$$missing zstd"; \
	command -v gpg >/dev/null || missing="$$missing gpg"; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install -y$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Required images: debian11/12/13, svc, spoof-* (cached by recipe hash; ~1 s when current).
lab-images: lab-deps
	$(LAB_BUILD) --cache-dir $(LAB_CACHE) --jobs $(LAB_JOBS)

# Plus the opt-in Ubuntu images; each is SKIPPED (loudly) when Ubuntu's archive does not answer.
lab-images-all: lab-deps-ubuntu
	$(LAB_BUILD) --set all --cache-dir $(LAB_CACHE) --jobs $(LAB_JOBS)

# Boot every spoofed image and check the facts Ansible gathers (table -> build/lab/verify.md).
lab-verify: lab-images venv
	mkdir -p $(BUILD)/lab
	$(LAB_BUILD) --cache-dir $(LAB_CACHE) --verify --ansible $(BIN)/ansible \
		$(if $(wildcard $(VENV216)/bin/ansible),--ansible216 $(VENV216)/bin/ansible) \
		--report $(BUILD)/lab/verify.md

# molecule/_smoke: one Debian 12 host through the shared create/destroy (create, converge,
# idempotence, verify, destroy).
lab-smoke: lab-deps collection
	$(LAB_BUILD) --cache-dir $(LAB_CACHE) --only debian12
	$(LAB_MOLECULE) test -s _smoke

lab-up: lab-images
	$(LAB_CTL) up --hosts $(LAB_HOSTS) --cs-passphrase-file $(LAB_CS_PASSPHRASE_FILE) \
		--generate-passphrase --mirror-dir $(LAB_MIRROR_DIR)

lab-down:
	$(LAB_CTL) down

lab-status:
	$(LAB_CTL) status
