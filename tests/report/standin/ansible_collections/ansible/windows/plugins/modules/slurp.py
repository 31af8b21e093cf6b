# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Test stand-in (tests/report): a file's text from ``files`` of the JSON file named by ASR_WINDOWS_STANDIN,
# returned in the shape of ansible.windows.slurp (content base64, encoding, source); a missing file fails
# as the real module does ("Path ... is not found").

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(src=dict(type='path', required=True, aliases=['path'])),
                           supports_check_mode=True)
    with open(os.environ['ASR_WINDOWS_STANDIN']) as handle:
        files = json.load(handle).get('files') or {}
    src = module.params['src']
    text = dict((k.lower(), v) for k, v in files.items()).get(src.lower())
    if text is None:
        module.fail_json(msg='Path %s is not found' % src)
    module.exit_json(changed=False, content=base64.b64encode(text.encode('utf-8')).decode('ascii'),
                     encoding='base64', source=src)


if __name__ == '__main__':
    main()
