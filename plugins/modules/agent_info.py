#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: agent_info
short_description: Report the Azure Site Recovery Mobility Service agent state of a Linux host
version_added: 0.1.0
description:
  - Reads C(/usr/local/.vx_version), C(drscout.conf), the agent's services and the host's release files.
  - Never changes anything.
  - Always returns the host's installer token, or null with the reason when the OS is unsupported.
author:
  - asr.mobility developers (@asr-mobility)
attributes:
  platform:
    description: Linux; Windows hosts are read by the Windows support of the collection.
extends_documentation_fragment:
  - asr.mobility.attributes.info
  - asr.mobility.attributes.posix
options:
  os_token_overrides:
    description:
      - Map of C(<Distribution> [<version>]) to installer token that wins over the built-in table.
    type: dict
    default: {}
seealso:
  - module: asr.mobility.agent
'''

EXAMPLES = r'''
- name: Read the agent state
  asr.mobility.agent_info:
  register: asr_info

- name: Show it
  ansible.builtin.debug:
    msg: "{{ asr_info.os_token }} {{ asr_info.version | default('not installed') }}"
'''

RETURN = r'''
installed:
  description: Whether the agent is installed (C(/usr/local/.vx_version) exists).
  returned: always
  type: bool
version:
  description: Installed version, with the build number from C(BUILD_TAG) where known.
  returned: always
  type: str
  sample: 9.66.7567.0
build:
  description: Build number of the installed agent.
  returned: always
  type: int
control_plane:
  description: C(classic) (CSLegacy) or C(modernized) (CSPrime).
  returned: always
  type: str
platform:
  description: C(VmPlatform) from drscout.conf.
  returned: always
  type: str
configuration_status:
  description: C(AGENT_CONFIGURATION_STATUS) (Succeeded or Failed).
  returned: always
  type: str
registered:
  description: Whether the configuration status is Succeeded.
  returned: always
  type: bool
cs_address:
  description: Configuration server the agent talks to (drscout.conf transport Hostname).
  returned: always
  type: str
install_dir:
  description: C(INSTALLATION_DIR) from the state file.
  returned: always
  type: str
services:
  description: States of the vxagent and uarespawnd units and whether an svagents process runs.
  returned: always
  type: dict
  sample: {"vxagent": "active", "uarespawnd": "inactive", "svagents": "running"}
reboot_required:
  description: Whether a reboot is pending for the agent; null where the host does not record it (Linux).
  returned: always
  type: bool
os_token:
  description: The installer token for this host, null when unsupported.
  returned: always
  type: str
os_token_confirmed:
  description: False when the vendor has not published the token.
  returned: always
  type: bool
unsupported_reason:
  description: Why the OS is unsupported (null when supported).
  returned: always
  type: str
distribution:
  description: Distribution as read from the release files.
  returned: always
  type: str
distribution_version:
  description: Distribution version as read from the release files.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asr.mobility.plugins.module_utils import linux_agent


def main():
    module = AnsibleModule(
        argument_spec=dict(os_token_overrides=dict(type='dict', default={}, no_log=False)),
        supports_check_mode=True,
    )
    detected = linux_agent.detect_os(module.params['os_token_overrides'])
    state = linux_agent.read_state()

    def run(argv, cwd=None):
        # A missing program (no systemctl on RHEL 6, SLES 11, Ubuntu 14.04, Debian 7) must raise
        # OSError for service_states() to report 'unknown', not fail the whole module.
        return module.run_command(argv, cwd=cwd, handle_exceptions=False)

    result = dict(
        changed=False,
        installed=state['installed'], version=state['version'], build=state['build'],
        control_plane=state['control_plane'], platform=state['platform'],
        configuration_status=state['configuration_status'], registered=state['registered'],
        cs_address=state['cs_address'], install_dir=state['install_dir'],
        reboot_required=state['reboot_required'],
        services=linux_agent.service_states(run),
        os_token=detected['token'], os_token_confirmed=detected['confirmed'],
        unsupported_reason=None if detected['supported'] else detected['reason'],
        distribution=detected['distribution'], distribution_version=detected['version'],
    )
    module.exit_json(**result)


if __name__ == '__main__':
    main()
