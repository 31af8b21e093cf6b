# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's action plugins (``agent``, ``defender_exclusion``, ``rollout_plan``).

None transfers files, all support check mode; ``run`` sets the flags, runs core's ``ActionBase.run``
(argument and mode checks) and hands its result and the task variables (never None) to ``act``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class AsrAction(ActionBase):

    TRANSFERS_FILES = False
    # Whether the plugin runs with async (only asr.mobility.agent on Linux hosts does).
    SUPPORTS_ASYNC = False

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = self.SUPPORTS_ASYNC
        result = super(AsrAction, self).run(tmp, task_vars)
        return self.act(result, task_vars or {})

    def act(self, result, task_vars):
        raise NotImplementedError
