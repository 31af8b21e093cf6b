#!/usr/bin/env bash
# `make demo`: a small lab (systemd containers + installer mirror + fake configuration server),
# deploy_mobility.yml run against it twice; the second run must change nothing.
#
#   DEMO_HOSTS   name=image list for lab.py (default: two Debian hosts and a spoofed RHEL 8)
#   DEMO_KEEP=1  leave the lab running afterwards (default: leave it; `make demo-down` removes it)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
bin="$repo/.venv/bin"
lab="$repo/build/lab"
mirror="$lab/mirror"
export ANSIBLE_COLLECTIONS_PATH="$repo/build/collections"
export ANSIBLE_VAULT_PASSWORD_FILE="$repo/inventories/lab/vault-password.lab"
export ANSIBLE_HOST_KEY_CHECKING=false
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-false}
hosts=${DEMO_HOSTS:-deb12=debian12,deb11=debian11,rhel8=spoof-rhel8}
images=$(echo "$hosts" | tr ',' '\n' | cut -d= -f2 | sort -u | tr '\n' ' ')

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "images: $images"
# shellcheck disable=SC2086
python3 tests/lab/images/build.py --only $images svc

say "installers for the lab's tokens (the installer double), with SHA256SUMS"
rm -rf "$mirror" && mkdir -p "$mirror"
for token in DEBIAN11-64 DEBIAN12-64 DEBIAN13-64 RHEL8-64 RHEL7-64; do
  for version in 9.65.7411.1 9.66.7567.1; do
    python3 tests/lab/double/build_installer.py --version "$version" --token "$token" --out-dir "$mirror" >/dev/null
  done
done
(cd "$mirror" && sha256sum Microsoft-ASR_UA_* > SHA256SUMS)
for f in "$mirror"/*; do echo "   ${f##*/}"; done

say "the fake configuration server's passphrase comes from the lab vault"
mkdir -p "$lab"
umask 077
"$bin/ansible-vault" view inventories/lab/group_vars/asr_mobility/vault.yml |
  sed -n 's/^vault_asr_mobility_passphrase: *//p' > "$lab/cs.passphrase"
umask 022

say "lab up: $hosts"
python3 tests/lab/lab.py up --hosts "$hosts" --cs-passphrase-file "$lab/cs.passphrase" \
  --mirror-dir "$mirror" --inventory inventories/lab/hosts.yml

# A spoofed RHEL 8 host runs this machine's Debian kernel, which no .el8 rule of the vendor's
# prereq_check_install.sh accepts: the double reads the kernel a RHEL 8 host has from
# /etc/asr-double/kernel, and the role's preflight is skipped there (as in the spoofed lab scenarios).
spoofed="$lab/demo-spoofed.yml"
entries=""
for pair in $(echo "$hosts" | tr ',' ' '); do
  case "${pair#*=}" in
    *spoof-rhel8*)
      podman exec "asr-lab-${pair%%=*}" sh -c \
        'mkdir -p /etc/asr-double && echo 4.18.0-513.5.1.el8_9.x86_64 > /etc/asr-double/kernel'
      entries="$entries    ${pair%%=*}:\n      mobility_service_preflight: false\n" ;;
  esac
done
if [ -n "$entries" ]; then printf 'all:\n  hosts:\n%b' "$entries" >"$spoofed"; else printf 'all: {}\n' >"$spoofed"; fi

run() {
  "$bin/ansible-playbook" -i inventories/lab -i "$spoofed" playbooks/deploy_mobility.yml | tee "$lab/last-run.log"
}

say "first run: install and register"
run
say "second run: must change nothing"
run
if grep -E '^[a-z0-9_.-]+ +: ok=' "$lab/last-run.log" | grep -v 'localhost' | grep -vq 'changed=0 '; then
  echo "demo: the second run changed something" >&2
  exit 1
fi
say "the fake configuration server's registrations"
python3 tests/lab/lab.py status || true
echo
echo "demo: second run changed nothing. Remove the lab with: make demo-down"
