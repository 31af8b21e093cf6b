# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Test stand-in (tests/report): registry keys from the JSON file named by ASR_WINDOWS_STANDIN,
# returned in the shape of ansible.windows.win_reg_stat (exists, properties: {name: {value, type}}).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='str', required=True, aliases=['key']),
                                              name=dict(type='str', aliases=['entry', 'value'])),
                           supports_check_mode=True)
    with open(os.environ['ASR_WINDOWS_STANDIN']) as handle:
        registry = json.load(handle).get('registry') or {}
    path = module.params['path']
    found = dict((k.lower(), v) for k, v in registry.items()).get(path.lower())
    if found is None:
        module.exit_json(changed=False, exists=False)
    properties = dict((name, {'value': value, 'type': 'REG_DWORD' if isinstance(value, int) else 'REG_SZ',
                              'raw_value': value}) for name, value in found.items())
    module.exit_json(changed=False, exists=True, properties=properties, sub_keys=[])


if __name__ == '__main__':
    main()
