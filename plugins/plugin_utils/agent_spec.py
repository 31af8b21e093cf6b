# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of ``asr.mobility.agent`` for the controller side (the action plugin).

The module ``plugins/modules/agent.py`` is the contract: its DOCUMENTATION is checked against its
argument_spec by ansible-test's validate-modules, so the action plugin derives its argument spec
from that DOCUMENTATION instead of keeping a second hand-written copy that could drift.
Only what DOCUMENTATION cannot say (``no_log`` and ``required_if``) is repeated here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.asr.mobility.plugins.modules import agent as agent_module

# Options the module declares no_log=True (DOCUMENTATION has no field for it).
NO_LOG_OPTIONS = ('passphrase', 'config')
# The module's required_if, repeated.
REQUIRED_IF = [('state', 'present', ('control_plane',)), ('state', 'latest', ('control_plane',))]

_KEYS = ('type', 'choices', 'default', 'elements', 'required', 'aliases')


def _option_spec(doc):
    spec = dict((key, doc[key]) for key in _KEYS if key in doc)
    if 'options' in doc:
        spec['options'] = dict((name, _option_spec(sub)) for name, sub in doc['options'].items())
    return spec


def argument_spec():
    """The module's argument spec, rebuilt from its DOCUMENTATION."""
    doc = yaml.safe_load(agent_module.DOCUMENTATION)
    spec = dict((name, _option_spec(option)) for name, option in doc['options'].items())
    for name in NO_LOG_OPTIONS:
        if name in spec:
            spec[name]['no_log'] = True
    return spec
