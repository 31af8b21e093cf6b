#!/usr/bin/env bash
# `make demo`: a small lab (systemd containers + installer mirror + fake configuration server +
# a stand-in replication appliance), deploy_mobility.yml run against it twice; the second run must
# change nothing.
#
#   CONTROL_PLANE  modernized (default: install, each host's config.json made by the lab appliance,
#                  register) or classic (configuration server + passphrase, retired by Microsoft)
#   DEMO_HOSTS     name=image list for lab.py (default: two Debian hosts and a spoofed RHEL 8)
#   The lab is left running afterwards; `make demo-down` removes it.
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
plane=${CONTROL_PLANE:-modernized}
case "$plane" in modernized|classic) ;; *) echo "CONTROL_PLANE must be modernized or classic" >&2; exit 2 ;; esac
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

ansible_args=(-i inventories/lab -i "$spoofed")
appliance="$lab/appliance"
if [ "$plane" = modernized ]; then
  say "the replication appliance: a stand-in Windows host (tests/lab/appliance.py; no Windows host here)"
  rm -rf "$appliance"
  standin_tree=$(python3 tests/lab/appliance.py up "$appliance")
  # The stand-in ansible.windows first: only the appliance (a Windows host) uses it.
  export ANSIBLE_COLLECTIONS_PATH="$standin_tree:$ANSIBLE_COLLECTIONS_PATH"
  # Extra variables: the lab inventory's group_vars choose classic, and they outrank inventory-file vars.
  printf 'mobility_service_control_plane: modernized\nmobility_service_config_source: appliance\n'\
'mobility_service_appliance: appliance\n' >"$lab/demo-modernized.yml"
  ansible_args+=(-i "$appliance/inventory.yml" -e "@$lab/demo-modernized.yml")
fi

run() {
  "$bin/ansible-playbook" "${ansible_args[@]}" playbooks/deploy_mobility.yml | tee "$lab/last-run.log" "$lab/run-$1.log"
}

say "first run: install and register ($plane)"
run 1
say "second run: must change nothing"
run 2
if grep -E '^[a-z0-9_.-]+ +: ok=' "$lab/last-run.log" | grep -v 'localhost' | grep -vq 'changed=0 '; then
  echo "demo: the second run changed something" >&2
  exit 1
fi
if [ "$plane" = modernized ]; then
  say "each host's registration, read on the host (asr.mobility.agent_info)"
  "$bin/ansible" "${ansible_args[@]}" asr_mobility -m asr.mobility.agent_info -o 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    host, _, rest = line.partition(" | ")
    status, _, doc = rest.partition(" => ")
    info = json.loads(doc) if doc.strip().startswith("{") else {}
    print("  %-8s %s: version %s, control plane %s, registered %s (%s)" % (host, status, info.get("version"),
          info.get("control_plane"), info.get("registered"), info.get("configuration_status")))
'
  say "the appliance: configs made and left, and where its certificate (the configs' secret) shows"
  python3 tests/lab/appliance.py calls "$appliance"
  cert=$(python3 tests/lab/appliance.py secret "$appliance")
  leaks=$(grep -l -F -- "$cert" "$lab"/run-*.log "$appliance/calls.jsonl" 2>/dev/null || true)
  for pair in $(echo "$hosts" | tr ',' ' '); do
    # Our staging, secret and temporary places; the agent's own persisted copy
    # (<root>/Vx/etc/SourceConfig.json, owner-only, as the vendor keeps it) is not ours to remove.
    if podman exec "asr-lab-${pair%%=*}" grep -rlF -- "$cert" /var/lib/asr-mobility /run /tmp /var/tmp /root \
        2>/dev/null; then leaks="$leaks asr-lab-${pair%%=*}"; fi
  done
  if [ -n "$leaks" ]; then echo "demo: the appliance's certificate was found in: $leaks" >&2; exit 1; fi
  echo "  not in either run's output, the appliance's call log, nor the hosts' staging, /run, /tmp, /var/tmp, /root"
else
  say "the fake configuration server's registrations"
  python3 tests/lab/lab.py status || true
fi
echo
echo "demo ($plane): second run changed nothing. Remove the lab with: make demo-down"
