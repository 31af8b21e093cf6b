# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Test stand-in (tests/report): Windows facts from the JSON file named by ASR_WINDOWS_STANDIN.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.module_utils.basic import AnsibleModule

DEFAULTS = {
    'os_family': 'Windows', 'system': 'Win32NT', 'distribution': 'Microsoft Windows Server 2019 Datacenter',
    'distribution_version': '10.0.17763.0', 'distribution_major_version': '10', 'architecture': '64-bit',
    'architecture2': 'x86_64', 'hostname': 'WIN-STANDIN',
}


def main():
    module = AnsibleModule(argument_spec=dict(gather_subset=dict(type='list', elements='str', default=['all']),
                                              gather_timeout=dict(type='int', default=10),
                                              filter=dict(type='list', elements='str', default=[]),
                                              fact_path=dict(type='str')),
                           supports_check_mode=True)
    with open(os.environ['ASR_WINDOWS_STANDIN']) as handle:
        data = json.load(handle)
    facts = dict(DEFAULTS)
    facts.update(data.get('facts') or {})
    module.exit_json(changed=False, ansible_facts=dict(('ansible_' + k, v) for k, v in facts.items()))


if __name__ == '__main__':
    main()
