# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one argument spec of ``asr.mobility.agent``.

Used by the module (Linux, on the target), by the action plugin for Windows hosts (validated on the
controller) and extended by ``asr.mobility.rollout_plan``. The options are documented once, in the
doc fragment ``asr.mobility.agent`` (``plugins/doc_fragments/agent.py``); ansible-test's
validate-modules checks that fragment against this spec through the module.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

STATES = ['present', 'latest', 'absent']
CONTROL_PLANES = ['classic', 'modernized']
PLATFORMS = ['VmWare', 'Azure']
DEFAULT_INSTALL_DIR = '/usr/local/ASR'

_SPEC = dict(
    state=dict(type='str', default='present', choices=STATES),
    installer=dict(type='path'),
    installer_sha256=dict(type='str'),
    version=dict(type='str'),
    control_plane=dict(type='str', choices=CONTROL_PLANES),
    migrate=dict(type='bool', default=False),
    platform=dict(type='str', default='VmWare', choices=PLATFORMS),
    install_dir=dict(type='path', default=DEFAULT_INSTALL_DIR),
    register=dict(type='bool', default=True),
    cs_address=dict(type='str'),
    cs_port=dict(type='int', default=443),
    passphrase=dict(type='str', no_log=True),
    # A JSON string, or the mapping ansible-core 2.16 makes of one: always written as JSON (inputs.config_text).
    config=dict(type='raw', no_log=True),
    os_token_overrides=dict(type='dict', default={}, no_log=False),
    work_dir=dict(type='path'),
    rollback_on_failure=dict(type='bool', default=True),
    lock_timeout=dict(type='int', default=600),
    keep_installers=dict(type='int'),
    # Linux, check mode: figures for the caller's preflight refusals, measured in the deciding call.
    preflight=dict(type='dict', options=dict(
        space=dict(type='list', elements='dict', default=[], options=dict(path=dict(type='str', required=True))),
        connect=dict(type='list', elements='dict', default=[], options=dict(
            name=dict(type='str', required=True), host=dict(type='str', required=True),
            port=dict(type='int', required=True))),
        timeout=dict(type='int', default=10),
    )),
)

REQUIRED_IF = [('state', 'present', ('control_plane',)), ('state', 'latest', ('control_plane',))]

# Options whose values are secrets (the spec marks them no_log).
SECRET_OPTIONS = tuple(sorted(name for name, spec in _SPEC.items() if spec.get('no_log')))


def agent_argument_spec():
    """A fresh copy of the spec (callers may extend or relax it)."""
    return copy.deepcopy(_SPEC)


def module_kwargs():
    """Keyword arguments for ``AnsibleModule`` (and ``validate_argument_spec``)."""
    return dict(argument_spec=agent_argument_spec(), required_if=list(REQUIRED_IF))
