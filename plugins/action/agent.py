# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``asr.mobility.agent``: one task name for Linux and Windows hosts.

Like core's ``package`` it chooses a backend; unlike ``package`` no task option selects it (the
options are the module's contract). The host decides, in order: the host variable
``asr_mobility_os_family``, the ``os_family`` fact, the connection's shell family.

* Linux: the module ``asr.mobility.agent`` runs on the host with the task's arguments unchanged
  (module_defaults, check mode, diff and async are honoured as for any module).
* Windows: the same lifecycle (``module_utils.agent_lifecycle``), options (``module_utils.agent_args``)
  and return keys, acted out by ``plugin_utils.windows_agent.WindowsHost`` through ``ansible.windows``
  modules called from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.utils.display import Display

from ansible_collections.asr.mobility.plugins.module_utils import agent_args, agent_lifecycle, inputs
from ansible_collections.asr.mobility.plugins.plugin_utils.action_base import AsrAction
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_agent import WindowsHost
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import (
    WINDOWS, ModuleCaller, connection_shell_family, host_os_family)

display = Display()

MODULE = 'asr.mobility.agent'
WINDOWS_FACTS_SUBSET = ['!all', '!min', 'distribution', 'platform']

try:  # ansible-core >= 2.17 (what core's package action uses)
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # pragma: no cover - ansible-core 2.16
    _apply_action_arg_defaults = None


class ActionModule(AsrAction):

    SUPPORTS_ASYNC = True

    def act(self, result, task_vars):
        family, evidence = host_os_family(self._host_vars(task_vars), connection_shell_family(self._connection))
        display.vvv('asr.mobility.agent: %s backend (%s)' % (family, evidence))
        if family != WINDOWS:
            return self._run_linux(task_vars)
        return self._run_windows(task_vars)

    def _host_vars(self, task_vars):
        if self._task.delegate_to:
            return (task_vars.get('hostvars') or {}).get(self._task.delegate_to, {})
        return task_vars

    def _run_linux(self, task_vars):
        module_args = self._task.args.copy()
        if _apply_action_arg_defaults is not None:
            # module_defaults for asr.mobility.agent are already in the task args (same name);
            # this keeps group defaults working the way core's package action does.
            module_args = _apply_action_arg_defaults(MODULE, self._task, module_args, self._templar)
        return self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars,
                                    wrap_async=self._task.async_val)

    def _run_windows(self, task_vars):
        if self._task.async_val:
            raise AnsibleActionFail('asr.mobility.agent does not support async on Windows hosts')
        validation, params = self.validate_argument_spec(**agent_args.module_kwargs())
        secrets = set(validation._no_log_values)
        if params.get('config'):
            secrets.update(inputs.secret_strings(params['config']))
        caller = ModuleCaller(self, task_vars)
        host = WindowsHost(caller, facts=self._windows_facts(task_vars, caller),
                           host_name=task_vars.get('inventory_hostname'))
        result = agent_lifecycle.run(host, params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff))
        if host.warnings:
            result['warnings'] = list(host.warnings)
        # Nothing a vendor program or a log printed may carry a secret back to the controller's output.
        return remove_values(result, secrets) if secrets else result

    def _windows_facts(self, task_vars, caller):
        """Gathered facts when they are a Windows host's; otherwise the two subsets the token needs."""
        facts = task_vars.get('ansible_facts') or {}
        if str(facts.get('os_family') or '').lower() == WINDOWS and facts.get('distribution'):
            return facts
        gathered = caller('ansible.windows.setup', {'gather_subset': WINDOWS_FACTS_SUBSET}, read_only=True)
        return gathered.get('ansible_facts') or {}
