#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: agent
short_description: Install, upgrade, register and uninstall the Azure Site Recovery Mobility Service agent
version_added: 0.1.0
description:
  - Manages the Azure Site Recovery Mobility Service (Unified Agent) on a Linux host.
  - Reads the installed state from C(/usr/local/.vx_version) and C(drscout.conf), decides with the
    collection's planner which vendor programs must run, and runs only those.
  - An installer is never run when the wanted version is already installed (the vendor installer
    re-runs and returns 98 on the same version); an installed agent newer than wanted is refused,
    never downgraded.
  - Before anything runs, the package's own C(.vx_version) C(OS_BUILT_FOR) is checked against the
    host's installer token.
  - The passphrase and the appliance configuration never appear on a command line; they are written
    to a C(0600) file in a private directory that is removed in every outcome.
  - On Windows hosts, the action plugin of the same name drives C(ansible.windows) modules instead.
author:
  - asr.mobility developers (@asr-mobility)
attributes:
  diff_mode:
    description: Shows version, control plane and registration before and after.
  platform:
    description: Linux; Windows is handled by the action plugin.
extends_documentation_fragment:
  - asr.mobility.agent
  - asr.mobility.attributes
  - asr.mobility.attributes.posix
notes:
  - Run with C(become=true); the vendor installer exits 119 when not run as root.
  - Exit codes are mapped to messages from the collection's exit code tables; on failure the tail of
    the vendor log is returned in RV(log_tail).
seealso:
  - module: asr.mobility.agent_info
'''

EXAMPLES = r'''
- name: Install and register the agent (modernized)
  asr.mobility.agent:
    installer: /var/tmp/Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release.tar.gz
    control_plane: modernized
    config: "{{ lookup('ansible.builtin.file', 'appliance/' + inventory_hostname + '.json') }}"
  become: true

- name: Keep the agent at the newest installer offered (classic)
  asr.mobility.agent:
    state: latest
    installer: /var/tmp/Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz
    control_plane: classic
    cs_address: 10.0.0.5
    passphrase: "{{ vault_asr_passphrase }}"
  become: true

- name: Uninstall
  asr.mobility.agent:
    state: absent
  become: true
'''

RETURN = r'''
changed:
  description: Whether any vendor program ran (or would run, in check mode).
  returned: always
  type: bool
actions:
  description: The planned (check mode) or performed actions in order, each with its reason.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "install", "reason": "agent not installed; installing 9.66.7567.1 (modernized)"}]
os_token:
  description: The host's installer token, or null when the OS is unsupported.
  returned: always
  type: str
  sample: RHEL8-64
os_token_confirmed:
  description: False when the token is not published by the vendor (for example Debian 12).
  returned: always
  type: bool
unsupported_reason:
  description: Why the host's OS is unsupported.
  returned: when the OS is unsupported
  type: str
installer_version:
  description: Version read from the package's own .vx_version (Windows, from the file name).
  returned: when an installer was given and read
  type: str
version_before:
  description: Agent version before the run (null when not installed).
  returned: always
  type: str
version_after:
  description: Agent version after the run (predicted in check mode; null when absent).
  returned: always
  type: str
control_plane:
  description: Control plane of the agent after the run (classic or modernized).
  returned: always
  type: str
registered:
  description: Whether the agent is registered after the run (predicted in check mode).
  returned: always
  type: bool
reboot_required:
  description:
    - Whether the vendor asked for a reboot. Linux installer exit 98. Windows installer exit 98 or 97 with a
      reboot code in C(InstallerErrors.json) (97 only when every entry is a reboot code, one of them mandatory),
      exit 1641/3010 (configurator), or msiexec 3010/1641. The registry value C(Reboot_Required) is not a reboot signal.
  returned: always
  type: bool
vendor_exit_code:
  description: Exit code of the vendor program that failed.
  returned: on vendor failure
  type: int
vendor_message:
  description: What the vendor means by that exit code.
  returned: on vendor failure
  type: str
installer_needed:
  description:
    - Whether the plan runs the installer (install, upgrade, migration or repair). In check mode the
      installer does not have to exist yet, so a role can decide first and copy the package only when needed.
  returned: unless the run failed before planning
  type: bool
registered_before:
  description: Whether the agent was registered before the run.
  returned: unless the run failed before reading the host
  type: bool
control_plane_before:
  description: Control plane of the agent before the run (null when none was installed).
  returned: unless the run failed before reading the host
  type: str
installers_removed:
  description:
    - With O(keep_installers), the older installers and extracted trees removed from the installer's directory
      after a successful run.
  returned: when O(keep_installers) is set and the run used the installer successfully
  type: list
  elements: str
os:
  description:
    - The host's token decision as the module detected it from its release files (C(token), C(supported),
      C(confirmed), C(reason), C(distribution), C(version), C(source), C(evidence)). Lets a role choose the
      installer without gathering facts.
  returned: on Linux hosts, unless the run failed before detecting the OS
  type: dict
kernel:
  description: The running kernel (C(uname -r)).
  returned: on Linux hosts
  type: str
  sample: 5.14.0-427.13.1.el9_4.x86_64
preflight:
  description:
    - The measurements asked for with O(preflight) (check mode, an action planned). C(free_mb) lists the MB
      available per O(preflight.space) entry in order (null when the path could not be measured, C(space_error)
      says why); C(reachable) maps each O(preflight.connect) name to whether it answered.
  returned: in check mode when O(preflight) is given and an action is planned
  type: dict
  sample: {"free_mb": [5120, 5120, 9000], "space_error": [null, null, null], "reachable": {"cs": true}}
platform_before:
  description:
    - Platform the installed agent is installed for (C(VmWare) or C(Azure)) before the run, from C(drscout.conf)
      C(VmPlatform); on Windows, when that is missing, the C(Platform) value the MSI writes under
      C(HKLM\SOFTWARE\Wow6432Node\InMage Systems\Installed Products). Null when none was installed or neither says.
  returned: unless the run failed before reading the host
  type: str
  sample: VmWare
agent_config_input:
  description:
    - The Agent Config Input of an installed modernized agent that is not registered after the run (for
      example installed with O(register=false), or migrated with the registration left for later), the base64
      the replication appliance turns into this host's C(config.json)
      (C(RcmProxyAgent.exe -createmobilityagentconfigfile -encodedinput)). Not secret.
    - Linux reads it with C(<root>/Vx/bin/AzureRcmCli --getagentconfiginput); Windows takes what the installer
      printed after a modernized install or migration, else C(AzureRcmCli.exe --getagentconfiginput).
  returned: >-
    when the agent is modernized, installed and not registered after the run; on Windows also after any
    modernized install or migration whose value could be read
  type: str
agent_config_input_decoded:
  description: The Agent Config Input decoded, C(bios_id) (system UUID) and C(fqdn) (host name).
  returned: with RV(agent_config_input)
  type: dict
rollback:
  description: What happened to a fresh install whose registration failed (see O(rollback_on_failure)).
  returned: when a fresh install was followed by a failure
  type: str
failed_action:
  description: The action that failed, with its reason.
  returned: on vendor failure
  type: dict
log_tail:
  description: Last lines of the vendor log (and of the program's output) when a vendor program failed.
  returned: on vendor failure
  type: list
  elements: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asr.mobility.plugins.module_utils import agent_args, agent_lifecycle, inputs, linux_agent, preflight
from ansible_collections.asr.mobility.plugins.module_utils.linux_host import LinuxHost


def add_preflight(result, wanted, check_mode):
    """The space and network figures of O(preflight), measured now, in the deciding call."""
    if not wanted or not check_mode or result.get('failed'):
        return
    actions = [step.get('action') for step in result.get('actions') or []]
    space, connect = preflight.checks_due(actions, wanted.get('space'), wanted.get('connect'))
    if space or connect:
        result['preflight'] = preflight.measure(space, connect, wanted.get('timeout') or 10, os.statvfs,
                                                linux_agent.tcp_reachable)


def main():
    module = AnsibleModule(supports_check_mode=True, **agent_args.module_kwargs())
    params = module.params
    if params['config']:
        # Every string inside the appliance config is a secret too, not only the whole value.
        module.no_log_values.update(inputs.secret_strings(params['config']))

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd)

    host = LinuxHost(run, work_dir=params['work_dir'])
    result = agent_lifecycle.run(host, params, check_mode=module.check_mode, diff=module._diff)
    if host.detected is not None:
        result['os'] = host.detected
    result['kernel'] = linux_agent.running_kernel()
    add_preflight(result, params.get('preflight'), module.check_mode)
    for warning in host.warnings:
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
