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
  check_mode:
    support: full
    description: Returns the plan and touches nothing.
  diff_mode:
    support: full
    description: Shows version, control plane and registration before and after.
  platform:
    support: full
    platforms: posix
    description: Linux; Windows is handled by the action plugin.
options:
  state:
    description:
      - C(present) installs the agent when missing; an installed agent of any version is left as it is
        unless O(version) pins one.
      - C(latest) upgrades to the version of O(installer) when the installed agent is older.
      - C(absent) uninstalls the agent and verifies the state file is gone.
    type: str
    choices: [present, latest, absent]
    default: present
  installer:
    description:
      - Path on the host to the installer package C(Microsoft-ASR_UA_<version>_<TOKEN>_..._release.tar.gz).
      - Needed only when an install or upgrade is planned.
      - On Windows, a C(.exe) on the host; its version is read from the file name.
    type: path
  version:
    description:
      - Pin the agent version, either C(9.NN) (any build of that release) or C(9.NN.build.rev).
      - An installed agent newer than the pin is refused, not downgraded.
    type: str
  control_plane:
    description:
      - C(classic) registers with a configuration server (C(-c CSLegacy)); C(modernized) with a replication
        appliance (C(-c CSPrime)). Required unless O(state=absent); there is no silent default.
    type: str
    choices: [classic, modernized]
  migrate:
    description:
      - Allow a classic agent to be migrated to modernized when O(control_plane=modernized).
      - Without it, such a host is refused so a migration never happens by accident.
    type: bool
    default: false
  platform:
    description: The C(-v) platform of the installer. C(VmWare) for VMware VMs and physical servers.
    type: str
    choices: [VmWare, Azure]
    default: VmWare
  install_dir:
    description:
      - The C(-d) install directory. Any value other than C(/usr/local/ASR) gets C(/ASR) appended by the vendor.
      - On Windows the C(/InstallLocation); the default means the vendor's default location under Program Files (x86),
        other values must be Windows paths.
    type: path
    default: /usr/local/ASR
  register:
    description: Whether the agent must end up registered with the configuration server or appliance.
    type: bool
    default: true
  cs_address:
    description: Configuration server IP or FQDN (classic). Required when a classic registration is planned.
    type: str
  cs_port:
    description: Configuration server port (classic).
    type: int
    default: 443
  passphrase:
    description:
      - The configuration server passphrase (classic), for example from Ansible Vault.
      - Required when a classic registration is planned. Never logged, never on a command line.
    type: str
  config:
    description:
      - Content of the appliance C(config.json) for this machine (modernized).
      - Required when a modernized registration is planned. Never logged, never on a command line.
    type: str
  os_token_overrides:
    description:
      - Map of C(<Distribution> [<version>]) to installer token that wins over the built-in table.
      - 'For example C({"Debian 13": "DEBIAN13-64"}). The most specific key wins (full version, major.minor, major, name).'
    type: dict
    default: {}
  work_dir:
    description:
      - Directory on the host in which the private temporary directories (extracted package, secret file)
        are created. Defaults to the system temporary directory.
      - On Windows, the parent of the private secret directory (default the Windows temporary directory).
    type: path
  rollback_on_failure:
    description:
      - When this run installed the agent on a host that had none and a later step (registration) fails,
        uninstall it again so the host is left as it was. Upgrades and migrations cannot be undone.
    type: bool
    default: true
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
  description: Whether the vendor asked for a reboot (Linux installer exit 98; Windows exit 3010/1641 or registry Reboot_Required).
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

from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
from ansible_collections.asr.mobility.plugins.module_utils.installer import compare_versions
from ansible_collections.asr.mobility.plugins.module_utils.planner import REGISTER, UNINSTALL, plan, result_base


def _describe(state):
    if not state.get('installed'):
        return 'installed: false\n'
    return ('installed: true\nversion: %s\ncontrol_plane: %s\nregistered: %s\ncs_address: %s\n'
            % (state.get('version'), state.get('control_plane'), state.get('registered'), state.get('cs_address')))


def _predicted(state, the_plan, params):
    names = the_plan.names
    if UNINSTALL in names:
        return {'installed': False}
    after = dict(state)
    if the_plan.needs_installer:
        after.update(installed=True, version=the_plan.version_after, control_plane=params['control_plane'])
    if REGISTER in names:
        after['registered'] = True
        if params['control_plane'] == 'classic':
            after['cs_address'] = params['cs_address']
    return after


def _missing_inputs(params, the_plan):
    if REGISTER not in the_plan.names:
        return []
    if params['control_plane'] == 'classic':
        return [name for name in ('cs_address', 'passphrase') if not params.get(name)]
    return [] if params.get('config') else ['config']


def _rollback(agent, state_before, done, params):
    """A fresh install whose registration failed is uninstalled again, so the host is left as it
    was (no half-configured agent). Upgrades and migrations cannot be undone and are left."""
    if state_before['installed'] or not params['rollback_on_failure']:
        return None
    if not any(d['action'] == 'install' for d in done):
        return None
    try:
        agent.uninstall(linux_agent.read_state())
    except linux_agent.VendorError as exc:
        return 'not rolled back: uninstall failed too (%s)' % exc.message
    return 'rolled back (uninstalled), so the host is as it was before this run'


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'latest', 'absent']),
            installer=dict(type='path'),
            version=dict(type='str'),
            control_plane=dict(type='str', choices=['classic', 'modernized']),
            migrate=dict(type='bool', default=False),
            platform=dict(type='str', default='VmWare', choices=['VmWare', 'Azure']),
            install_dir=dict(type='path', default='/usr/local/ASR'),
            register=dict(type='bool', default=True),
            cs_address=dict(type='str'),
            cs_port=dict(type='int', default=443),
            passphrase=dict(type='str', no_log=True),
            config=dict(type='str', no_log=True),
            os_token_overrides=dict(type='dict', default={}, no_log=False),
            work_dir=dict(type='path'),
            rollback_on_failure=dict(type='bool', default=True),
        ),
        required_if=[('state', 'present', ('control_plane',)), ('state', 'latest', ('control_plane',))],
        supports_check_mode=True,
    )
    params = module.params

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd)

    result = dict(changed=False, actions=[], reboot_required=False)
    if params['version']:
        try:
            linux_agent.check_version(params['version'])
        except ValueError as exc:
            module.fail_json(msg='version: %s' % exc, **result)

    detected = linux_agent.detect_os(params['os_token_overrides'])
    state = linux_agent.read_state()
    result.update(result_base(detected, state))
    if detected['supported'] and not detected['confirmed']:
        module.warn(detected['reason'])

    if params['state'] != 'absent' and not detected['supported']:
        module.fail_json(msg='Unsupported operating system: %s. Nothing was changed.' % detected['reason'], **result)

    def decide(candidate):
        return plan(state, params['state'], candidate=candidate, pin=params['version'],
                    control_plane=params['control_plane'], register=params['register'],
                    cs_address=params['cs_address'], migrate=params['migrate'])

    meta = None
    the_plan = None
    installer = params['installer']
    has_package = bool(installer) and params['state'] != 'absent' and os.path.isfile(installer)
    if has_package and (params['state'] != 'latest' or params['version']):
        # Reading the package decompresses it (a real one is hundreds of MB): only when the
        # decision needs it. A host already at the wanted version and registration does not.
        probe = decide(None)
        if not probe.refusal and not probe.needs_installer:
            the_plan = probe
    if has_package and the_plan is None:
        try:
            meta = linux_agent.installer_metadata(run, installer)
        except ValueError as exc:
            module.fail_json(msg='%s. Nothing was changed.' % exc, **result)
        result['installer_version'] = meta['version']
        built_for = meta['os_built_for'] or ''
        if built_for.lower() != (detected['token'] or '').lower():
            module.fail_json(msg='The installer %s was built for %s but this host needs %s (%s %s). Nothing was run; '
                                 'use the installer for %s.'
                                 % (os.path.basename(installer), built_for or 'an unknown OS', detected['token'],
                                    detected['distribution'], detected['version'], detected['token']), **result)

    if the_plan is None:
        the_plan = decide(meta['version_tuple'] if meta else None)
    if the_plan.refusal:
        refusal = the_plan.refusal
        if installer and meta is None and params['state'] != 'absent':
            refusal += ' (the installer %s does not exist on the host)' % installer
        module.fail_json(msg='%s. Nothing was changed.' % refusal, **result)
    result['installer_needed'] = the_plan.needs_installer
    if the_plan.needs_installer and meta is None and not module.check_mode:
        where = ('the file %s does not exist on the host' % installer) if installer else 'no installer was given'
        result['actions'] = the_plan.actions
        module.fail_json(msg='An installer is needed (%s) but %s. Nothing was changed.'
                             % (', '.join(the_plan.names), where), **result)
    missing = _missing_inputs(params, the_plan)
    if missing:
        module.fail_json(msg='Registration (%s) needs %s. Nothing was changed.'
                             % (params['control_plane'], ' and '.join(missing)), **result)

    result['actions'] = the_plan.actions
    result['changed'] = the_plan.changed
    predicted = _predicted(state, the_plan, params)
    if module._diff:
        result['diff'] = {'before': _describe(state), 'after': _describe(predicted)}
    if module.check_mode or not the_plan.changed:
        result.update(version_after=predicted.get('version'), registered=bool(predicted.get('registered')),
                      control_plane=predicted.get('control_plane'))
        module.exit_json(**result)

    agent = linux_agent.LinuxAgent(run, work_dir=params['work_dir'])
    done = []
    try:
        for step in the_plan.actions:
            current = linux_agent.read_state()
            if step['action'] == UNINSTALL:
                agent.uninstall(current)
            elif step['action'] == REGISTER:
                agent.register(current, params['control_plane'], cs_address=params['cs_address'],
                               cs_port=params['cs_port'], passphrase=params['passphrase'], config=params['config'])
                after = linux_agent.read_state()
                if not after['registered']:
                    raise linux_agent.VendorError(
                        'UnifiedAgentConfigurator.sh succeeded but AGENT_CONFIGURATION_STATUS is %s'
                        % (after['configuration_status'] or 'missing'), program='UnifiedAgentConfigurator.sh',
                        log_tail=linux_agent.tail(linux_agent.PATHS['install_log']))
            else:
                info = agent.install(installer, step['mode'], step['cs_type'], platform_name=params['platform'],
                                     install_dir=params['install_dir'])
                result['reboot_required'] = result['reboot_required'] or info['reboot_required']
                after = linux_agent.read_state()
                if not after['installed'] or after['version_tuple'] is None or \
                        compare_versions(after['version_tuple'], meta['version_tuple']) != 0:
                    raise linux_agent.VendorError(
                        'install exited %s (%s) but %s shows version %s, not %s'
                        % (info['code'], info['meaning'], linux_agent.PATHS['vx_version'], after['version'],
                           meta['version']), code=info['code'], meaning=info['meaning'], program='install',
                        log_tail=linux_agent.tail(linux_agent.PATHS['install_log']))
            done.append(step)
    except linux_agent.VendorError as exc:
        rollback = _rollback(agent, state, done, params)
        if rollback:
            result['rollback'] = rollback
        final = linux_agent.read_state()
        result.update(changed=bool(done) or exc.program not in ('tar', None), actions=done,
                      failed_action=step, version_after=final['version'], registered=final['registered'],
                      control_plane=final['control_plane'], vendor_exit_code=exc.code,
                      vendor_message=exc.meaning, log_tail=exc.log_tail)
        msg = '%s failed: %s' % (step['action'], exc.message)
        if rollback:
            msg += ' The fresh install was %s.' % rollback
        module.fail_json(msg=msg, **result)

    final = linux_agent.read_state()
    result.update(version_after=final['version'], registered=final['registered'],
                  control_plane=final['control_plane'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
