#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: rollout_plan
short_description: Tell, in one task, whether a host already has the Mobility Service agent as wanted
version_added: 0.1.0
description:
  - The converged fast path of the C(asr.mobility.mobility_service) role. It checks the role's inputs, works
    out the installer token from the gathered facts, lists the installers (controller directory, the mirror's
    checksum file, or the host directory when O(state=latest)), chooses one as the role does, and runs
    M(asr.mobility.agent) in check mode on the host.
  - Returns RV(converged=true) only when all of that says nothing is to be done, with the per-host record
    the role keeps in C(mobility_service_result). Anything else (a bad input, an unsupported OS, no installer,
    a planned action) returns RV(converged=false) and the reason; the role then runs its full path, which
    decides again and reports any error in its own words.
  - On a Windows host the one module it runs is M(ansible.windows.win_powershell), a read of the agent's
    registry keys, its C(drscout.conf), the OS data of the token and the Microsoft Defender exclusions; the
    role's own Windows decision then runs on that read. With O(antivirus_exclusions=true) the exclusions
    O(exclusion_paths) must also be in place (absent for O(state=absent)) for RV(converged=true).
  - When converged, the result carries the keys of the role's per-host record at its top (RV(host), RV(os_token),
    RV(version_before), ...), so the role registers it as C(mobility_service_result) and needs no further task.
  - Never changes the host; with O(mode=fast_path) (the default) it never fails on what it finds.
  - This is an action plugin; the only module it runs on a Linux host is M(asr.mobility.agent) in check mode
    (and M(ansible.builtin.find) for O(installer_source=host) with O(state=latest)).
  - With O(mode=choose) it is the first task of the role's full path instead, on Linux and Windows, with the same
    input checks, installer token and installer choice, but it fails with the role's error message when one of
    them refuses the host, runs no check-mode decision, and returns RV(os), RV(installer) and RV(installer_sha256).
    For O(installer_source=host) it lists the host directory and reads its checksum file
    (M(ansible.builtin.find), M(ansible.builtin.slurp), both read-only).
author:
  - asr.mobility developers (@asr-mobility)
attributes:
  action:
    support: full
    description: Implemented by an action plugin.
  check_mode:
    support: full
    description: Always read-only.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  platform:
    support: full
    platforms: [posix, windows]
    description: Linux hosts (M(asr.mobility.agent) in check mode) and Windows hosts (one read-only
      M(ansible.windows.win_powershell) call).
options:
  mode:
    description:
      - V(fast_path) answers RV(converged); it never fails on what it finds.
      - V(choose) checks the inputs, works out the token and chooses the installer, failing with the role's
        message when the host must be refused (the role's full path).
    type: str
    choices: [fast_path, choose]
    default: fast_path
  state:
    description: Wanted state, as O(asr.mobility.agent#module:state).
    type: str
    default: present
  reboot:
    description: Reboot policy of the role (checked only).
    type: str
    default: never
  version:
    description: Version pin (V(9.66) or V(9.66.7567.1)); empty for none.
    type: str
    default: ''
  control_plane:
    description: V(classic) or V(modernized).
    type: str
    default: ''
  migrate:
    description: As O(asr.mobility.agent#module:migrate).
    type: bool
    default: false
  platform:
    description: As O(asr.mobility.agent#module:platform).
    type: str
    default: VmWare
  install_dir:
    description: As O(asr.mobility.agent#module:install_dir).
    type: str
    default: /usr/local/ASR
  register:
    description: Whether the agent must be registered.
    type: bool
    default: true
  cs_address:
    description: Configuration server address (classic).
    type: str
    default: ''
  cs_port:
    description: Configuration server port (classic).
    type: int
    default: 443
  passphrase:
    description: Configuration server passphrase (classic). Never logged.
    type: str
    default: ''
  config:
    description: Appliance C(config.json) content (modernized). Never logged.
    type: str
    default: ''
  os_token_overrides:
    description: Installer token overrides, as O(asr.mobility.agent#module:os_token_overrides).
    type: dict
    default: {}
  installer_source:
    description: Where the installers are, V(controller), V(url) or V(host).
    type: str
    default: controller
  installer_dir:
    description: Installer directory on the controller (relative paths are relative to the playbook).
    type: str
    default: ''
  installer_url:
    description: Base URL of the installer mirror; its O(checksum_file) lists the installers.
    type: str
    default: ''
  installer_host_dir:
    description: Installer directory on the host.
    type: str
    default: ''
  checksum_file:
    description: Name of the checksum file next to the installers.
    type: str
    default: SHA256SUMS
  checksums:
    description:
      - sha256 per installer file name (O(mode=choose)); when empty, read from O(checksum_file) next to the
        installers.
    type: dict
    default: {}
  remote_dir:
    description: Where the role places installers on the host.
    type: str
    default: /var/lib/asr-mobility
  verify_checksum:
    description: Whether installers are verified (the role's C(mobility_service_verify_checksum)).
    type: bool
    default: true
  allow_insecure_http:
    description:
      - Accept a plain C(http://) O(installer_url) whose checksums are not pinned in O(checksums); a warning says so.
      - Without it such a mirror is an input problem (the checksum file and the installer would share one untrusted
        channel).
    type: bool
    default: false
  url_username:
    description: User name for the mirror, sent as HTTP basic auth.
    type: str
    default: ''
  url_password:
    description: Password for the mirror. Never logged.
    type: str
    default: ''
  url_timeout:
    description: Seconds to wait for the mirror's checksum file.
    type: int
    default: 10
  config_source:
    description:
      - Where a modernized host's C(config.json) comes from (role variable C(mobility_service_config_source)).
      - C(inline) is O(config); C(dir) a controller file (O(config_dir), O(config_files)); C(appliance) the
        replication appliance O(appliance) makes it from the host's Agent Config Input.
      - A bad value is an input problem (the fast path says so, O(mode=choose) fails), not an argument error.
    type: str
    default: inline
  config_dir:
    description: Controller directory of C(<inventory_hostname>.json) files (O(config_source=dir)).
    type: str
    default: ''
  config_files:
    description: Map of inventory host name to its config file, relative to O(config_dir) or absolute (O(config_source=dir)).
    type: dict
    default: {}
  appliance:
    description:
      - Inventory name of the replication appliance (O(config_source=appliance)); O(mode=choose) fails when it is
        not in the inventory or not a Windows host.
    type: str
    default: ''
  antivirus_exclusions:
    description:
      - Windows, O(mode=fast_path) only. Whether the role keeps the Microsoft Defender exclusions
        O(exclusion_paths) (C(mobility_service_antivirus_exclusions)); when true a host is converged only when
        they are already as the role would leave them.
    type: bool
    default: false
  exclusion_paths:
    description:
      - The Defender exclusions the role keeps (C(antivirus_exclusions_paths) of C(asr.mobility.antivirus_exclusions)).
    type: list
    elements: str
    default: []
notes:
  - Used by the C(asr.mobility.mobility_service) role (variable C(mobility_service_fast_path)); see
    C(docs/performance.md) for what it saves on a converged fleet.
'''

EXAMPLES = r'''
- name: Is this host already as wanted?
  asr.mobility.rollout_plan:
    state: latest
    control_plane: classic
    cs_address: 10.0.0.5
    passphrase: "{{ vault_cs_passphrase }}"
    installer_source: url
    installer_url: http://mirror.example.internal/asr
  become: true
  register: asr_plan

- name: Run the full rollout only where something is to be done
  ansible.builtin.include_role:
    name: asr.mobility.mobility_service
  when: not asr_plan.converged
'''

RETURN = r'''
converged:
  description: True when the host is as wanted and nothing needs to run.
  returned: always
  type: bool
  sample: true
reason:
  description: Why the host is not known to be converged (or C(nothing to do)).
  returned: always
  type: str
  sample: "planned: upgrade"
host:
  description:
    - With the keys below, the role's per-host record for a converged host (the role registers this task's
      result as C(mobility_service_result)). Only returned when converged, so a result without it is not a record.
  returned: when converged
  type: str
  sample: web01
os_token:
  description: Installer token from the gathered facts.
  returned: when converged
  type: str
  sample: RHEL8-64
installer:
  description:
    - The installer the role would use (none when not listed); with O(mode=choose) the parsed installer
      (C(name), C(version), C(token), ...); a dict with only C(error), the reason, when none matches; empty for
      O(state=absent).
  returned: when converged, or O(mode=choose)
  type: raw
  sample: Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_10Nov2025_release.tar.gz
version_before:
  description: Installed agent version.
  returned: when converged
  type: str
  sample: 9.66.7567.0
version_after:
  description: Same as RV(version_before) (nothing runs).
  returned: when converged
  type: str
  sample: 9.66.7567.0
actions:
  description: Always empty for a converged host.
  returned: when converged
  type: list
  elements: str
  sample: []
registered:
  description: Whether the agent is registered as wanted.
  returned: when converged
  type: bool
  sample: true
reboot_required:
  description: Always false (nothing ran).
  returned: when converged
  type: bool
  sample: false
rebooted:
  description: Always false.
  returned: when converged
  type: bool
  sample: false
checksum_verified:
  description: Always false (no installer was needed).
  returned: when converged
  type: bool
  sample: false
failure_reason:
  description: Always empty.
  returned: when converged
  type: str
  sample: ""
defender_exclusions:
  description: The Microsoft Defender path exclusions in place (empty when O(antivirus_exclusions=false)).
  returned: when converged on a Windows host
  type: list
  elements: str
  sample: ['C:\ProgramData\ASR\agent']
plan:
  description: The check-mode result of M(asr.mobility.agent) (its return keys, without invocation).
  returned: when converged
  type: dict
os:
  description: The installer token decision from the gathered facts (C(token), C(supported), C(reason), ...).
  returned: O(mode=choose)
  type: dict
  sample:
    token: RHEL8-64
    supported: true
    distribution: RedHat
    version: "8.10"
os_family:
  description: C(windows) or C(linux), by the rule of the filter C(asr.mobility.os_family).
  returned: O(mode=choose)
  type: str
  sample: linux
installer_sha256:
  description: The known sha256 of the chosen installer (empty when none is known or none was chosen).
  returned: O(mode=choose)
  type: str
  sample: 3f1c...
config_file:
  description: The controller path of this host's config.json (O(config_source=dir)).
  returned: O(mode=choose), modernized registration with O(config_source=dir)
  type: str
  sample: /srv/asr-configs/web01.json
config_file_exists:
  description: Whether RV(config_file) exists (the role refuses a missing one only when a registration is due).
  returned: O(mode=choose), modernized registration with O(config_source=dir)
  type: bool
appliance:
  description: The replication appliance's inventory name, checked to be a Windows host of the inventory.
  returned: O(mode=choose), modernized registration with O(config_source=appliance)
  type: str
'''
