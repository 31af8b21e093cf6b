# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side plumbing shared by the collection's Windows action plugins.

* ``host_os_family`` decides whether a task's host is Windows (backend choice of ``asr.mobility.agent``);
  ``host_vars_os_family`` is the same rule over a host's variables (the filter ``asr.mobility.os_family``
  every role uses).
* ``ModuleCaller`` runs one ``ansible.windows`` module through the action plugin's
  ``_execute_module``: reads run even in check mode, secret-bearing calls run with ``no_log``, and a
  failed module result becomes a ``ModuleCallError`` unless the caller wants to read it.

No PowerShell module of our own runs on the host (design: "Windows runs no custom PowerShell
module"); every call here is a module of ``ansible.windows``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError

WINDOWS = 'windows'
LINUX = 'linux'
WINDOWS_SHELLS = ('powershell', 'cmd')
OS_FAMILY_VAR = 'asr_mobility_os_family'
WINDOWS_CONNECTIONS = ('winrm', 'psrp', 'ansible.builtin.winrm', 'ansible.builtin.psrp')


class ModuleCallError(HostCallError):
    """An ``ansible.windows`` module reported a failure."""

    def __init__(self, module, result, what=None):
        self.module = module
        self.result = result or {}
        detail = self.result.get('msg') or 'no message'
        message = '%s failed: %s' % (module, detail)
        if what:
            message = '%s (%s)' % (message, what)
        super(ModuleCallError, self).__init__(message)


def connection_shell_family(connection):
    """The shell family of an action's connection (``sh``, ``powershell``, ``cmd``) or None."""
    return getattr(getattr(connection, '_shell', None), 'SHELL_FAMILY', None)


def host_os_family(task_vars, shell_family=None):
    """``(family, evidence)`` for a task's host: ``windows`` or ``linux``, and what decided.

    In order: the host variable ``asr_mobility_os_family``; the gathered fact ``os_family``
    (``ansible_facts.os_family`` or ``ansible_os_family``); the connection's shell family
    (``powershell``/``cmd`` mean Windows). Anything else is Linux, the module's own platform.
    """
    task_vars = task_vars or {}
    override = task_vars.get(OS_FAMILY_VAR)
    if override:
        return (WINDOWS if str(override).strip().lower() == WINDOWS else LINUX), OS_FAMILY_VAR
    facts = task_vars.get('ansible_facts') or {}
    family = facts.get('os_family') or task_vars.get('ansible_os_family')
    if family:
        return (WINDOWS if str(family).strip().lower() == WINDOWS else LINUX), 'os_family fact'
    if shell_family in WINDOWS_SHELLS:
        return WINDOWS, 'connection shell %s' % shell_family
    return LINUX, 'default (no os_family fact, shell %s)' % (shell_family or 'unknown')


def host_vars_os_family(host_vars):
    """``windows`` or ``linux`` from a host's variables (``hostvars[inventory_hostname]`` in a
    role): ``host_os_family`` with the connection's shell read from ``ansible_shell_type``, or
    from ``ansible_connection`` (winrm, psrp mean powershell). The filter ``asr.mobility.os_family``."""
    def get(key):
        try:
            return host_vars.get(key)
        except AttributeError:
            return None
    shell = get('ansible_shell_type')
    if not shell and get('ansible_connection') in WINDOWS_CONNECTIONS:
        shell = 'powershell'
    task_vars = {OS_FAMILY_VAR: get(OS_FAMILY_VAR), 'ansible_facts': get('ansible_facts') or {},
                 'ansible_os_family': get('ansible_os_family')}
    return host_os_family(task_vars, shell)[0]


class ModuleCaller(object):
    """``caller(module, args, read_only=False, no_log=False, allow_failed=False) -> result``.

    * ``read_only``: the call only reads the host, so it runs even when the task is in check mode
      (check mode must still read the state to return the plan).
    * ``no_log``: the module runs with ``_ansible_no_log`` whatever the task says (secrets). The
      action plugin also scrubs the secret values out of everything it returns.
    * ``allow_failed``: return a failed result instead of raising (for example ``win_command``,
      whose exit code is data, or a log file that may not exist).
    """

    def __init__(self, action, task_vars):
        self._action = action
        self._task_vars = task_vars

    def __call__(self, module, args, read_only=False, no_log=False, allow_failed=False):
        task = self._action._task
        saved = (task.check_mode, task.no_log)
        try:
            if read_only:
                task.check_mode = False
            if no_log:
                task.no_log = True
            result = self._action._execute_module(module_name=module, module_args=dict(args),
                                                  task_vars=self._task_vars)
        finally:
            task.check_mode, task.no_log = saved
        result = dict(result or {})
        if result.get('failed') and not allow_failed:
            raise ModuleCallError(module, result)
        return result
