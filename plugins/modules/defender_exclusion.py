#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: defender_exclusion
short_description: Manage Microsoft Defender path exclusions on Windows hosts
version_added: 0.1.0
description:
  - Adds or removes Microsoft Defender antivirus path exclusions (C(Add-MpPreference -ExclusionPath)),
    changing only the paths that differ from the C(ExclusionPath) that C(Get-MpPreference) reports.
  - Exclusions set by Group Policy (C(HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Paths))
    are reported in RV(policy_paths) and never fought; a wanted path that policy already sets counts as
    present, and O(state=absent) does not remove it.
  - The change is read back. When Defender did not keep it (tamper protection, or a policy that ignores
    local exclusions), the task fails and says so.
  - When Defender is absent (no C(WinDefend) service or no C(Get-MpPreference)), nothing is changed and
    a warning says so.
  - This is an action plugin, it runs C(ansible.windows.win_powershell) and C(ansible.windows.win_reg_stat)
    on the host; no module of this collection runs there.
author:
  - asr.mobility developers (@asr-mobility)
attributes:
  action:
    description: Implemented by an action plugin that drives C(ansible.windows) modules.
  check_mode:
    description: Reads the exclusions and returns what would change.
  diff_mode:
    description: Shows the exclusion list before and after.
  platform:
    description: Windows hosts with Microsoft Defender.
extends_documentation_fragment:
  - asr.mobility.attributes
  - asr.mobility.attributes.action
  - asr.mobility.attributes.windows
options:
  paths:
    description:
      - Directories to exclude from (or no longer exclude from) Defender scanning.
      - Compared without case and without a trailing backslash.
    type: list
    elements: str
    required: true
  state:
    description:
      - C(present) adds the paths that are missing; C(absent) removes those that are set locally.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Run as an administrator; Defender hides its exclusions from other accounts.
seealso:
  - module: asr.mobility.agent
'''

EXAMPLES = r'''
- name: Exclude the Mobility Service directories from Defender scanning
  asr.mobility.defender_exclusion:
    paths:
      - C:\ProgramData\ASR\agent
      - C:\Program Files (x86)\Microsoft Azure Site Recovery
'''

RETURN = r'''
added:
  description: Paths added (or that would be added, in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: Paths removed (or that would be removed, in check mode).
  returned: always
  type: list
  elements: str
exclusions:
  description: Defender's path exclusions after the run (predicted in check mode).
  returned: always
  type: list
  elements: str
policy_paths:
  description: Path exclusions set by Group Policy.
  returned: always
  type: list
  elements: str
policy_managed:
  description: The requested paths that Group Policy sets (left alone).
  returned: always
  type: list
  elements: str
defender_available:
  description: Whether Microsoft Defender is present and answered.
  returned: always
  type: bool
tamper_protected:
  description: Whether tamper protection is on (null when this Defender build does not say).
  returned: always
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    # Reached only when the action plugin is bypassed: say so instead of doing anything.
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type='list', elements='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg='asr.mobility.defender_exclusion is implemented by its action plugin; this module '
                         'file only documents it and changes nothing.')


if __name__ == '__main__':
    main()
