# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``asr.mobility.defender_exclusion`` (documented in plugins/modules/defender_exclusion.py).

Drives ``ansible.windows.win_powershell`` and ``ansible.windows.win_reg_stat`` from the controller;
the logic is in ``plugin_utils.windows_defender``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail

from ansible_collections.asr.mobility.plugins.plugin_utils.action_base import AsrAction
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import ModuleCaller
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_defender import DefenderExclusions

ARGUMENT_SPEC = {
    'paths': {'type': 'list', 'elements': 'str', 'required': True},
    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
}


class ActionModule(AsrAction):

    def act(self, result, task_vars):
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not [p for p in params['paths'] if p and str(p).strip()]:
            raise AnsibleActionFail('paths must name at least one directory')
        exclusions = DefenderExclusions(ModuleCaller(self, task_vars))
        result = exclusions.run(params['paths'], params['state'], check_mode=bool(self._task.check_mode),
                                diff=bool(self._task.diff))
        if exclusions.warnings:
            result['warnings'] = list(exclusions.warnings)
        return result
