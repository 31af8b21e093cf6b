# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the ``ansible.windows`` modules: a fake Windows host that records every call.

The contract harness (``harness.py``) generates one tiny WANT_JSON module per ``ansible.windows``
module name that runs this file. Each call:

1. is appended to ``$ASR_CONTRACT_LOG`` (JSON lines: module, args without ``_ansible_*`` keys,
   ``check_mode``, ``no_log``);
2. is answered from the fake host in ``$ASR_CONTRACT_STATE`` (JSON: facts, registry, files, logs,
   defender, command and script rules), which calls may change (an install writes the registry),
   so later reads see earlier changes as on a real host.

The host's state and answers are ``tests/windows_host_model.py``, the model the unit double of
the action plugin tests shares. Answers have the shape of the real modules' returns. Nothing outside
the two files is touched:
with ``ansible_connection=local`` the "host" is this process.

What the fake host models, and the source it follows (Microsoft's installer C#,
thedarksage/AzMigrate-Hydration at commit 822a039e, under host/ASRSetup/; ansible.windows):

* ``registry``: only what the installer writes (``Installed Products\\5``: Version, Build_Number,
  InstallDirectory, PostInstallActions, AgentConfigurationStatus, Reboot_Required;
  UnifiedAgentInstaller/InstallActionProcessor.cs:619-633, SetupFramework/Constants.cs:82, 534);
* ``logs`` are the files ``slurp`` reads: ``<InstallDirectory>\\Application Data\\etc\\drscout.conf``
  (SetupFramework/Constants.cs:116; CSType/VmPlatform/HostId, Hostname/Port; a missing CSType is
  CSLegacy, SetupFramework/SetupHelper.cs:3429-3479) and ``C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json``
  (``{"Errors": [{"error_name", "default_message"}]}``, SetupFramework/InstallerExceptionUtils.cs:14-49,
  rewritten by each installer run, UnifiedAgentInstaller/Program.cs:110); a command rule's ``set_logs``
  writes them (98/97 + a reboot code: UnifiedAgentInstaller/Program.cs:195-228,
  SetupFramework/PortedCustomActions.cs:600-613);
* a rule's ``extract_to_x`` puts the named files into the directory of ``/x:"<dir>"`` (reference §2.1);
* a rule's ``start_error`` is a program win_command cannot start: failed, ``Failed to run: ...``, rc = the
  Windows error (ansible.windows win_command.ps1:112-129);
* ``win_powershell`` of the collection's private-directory script creates the directory and refuses an
  existing one, as ``NEW_PRIVATE_DIR_PS`` does;
* ``win_powershell`` of the fast path's snapshot script (``READ_SNAPSHOT_PS``, issue 16) answers from the
  same state (``WindowsHostModel._snapshot``): it models OUR script, so it only proves our belief of what the
  script returns; where each value lives on a real host is cited there (registry keys, drscout.conf);
* ``defender.hidden``: ``Get-MpPreference`` shows ``N/A: Must be an administrator to view exclusions``
  (HideExclusionsFromLocalAdmins, Defender platform 4.18.23070+; reference §7).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import json
import os
import sys

# The fake host itself is the state model the unit double shares (tests/windows_host_model.py).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from windows_host_model import WindowsHostModel  # noqa: E402 pylint: disable=wrong-import-position


def _load(path):
    with open(path) as handle:
        return json.load(handle)


def _save(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.rename(tmp, path)


class FakeHost(WindowsHostModel):
    """The stand-in's host: the shared model, answering a failed result for a command or script the
    scenario has no rule for (``WindowsHostModel(strict=False)``)."""

    lock = None
    state_path = None

    def pause(self, waiting):
        """While a program waits (``hold_until``) other calls may use the host: save and unlock,
        then lock and read back what they changed."""
        if self.lock is None:
            return
        if waiting:
            _save(self.state_path, self.host)
            fcntl.flock(self.lock, fcntl.LOCK_UN)
        else:
            fcntl.flock(self.lock, fcntl.LOCK_EX)
            self.host = _load(self.state_path)


def main(args_path):
    with open(args_path) as handle:
        raw = json.load(handle)
    module = raw.get('_ansible_module_name', 'unknown').split('.')[-1]
    check_mode = bool(raw.get('_ansible_check_mode'))
    no_log = bool(raw.get('_ansible_no_log'))
    args = dict((k, v) for k, v in raw.items() if not k.startswith('_ansible_'))
    entry = {'module': raw.get('_ansible_module_name'), 'args': args, 'check_mode': check_mode, 'no_log': no_log}
    if os.environ.get('ASR_CONTRACT_HOST'):  # the second stand-in host (the replication appliance, issue 14)
        entry['host'] = os.environ['ASR_CONTRACT_HOST']
    with open(os.environ['ASR_CONTRACT_LOG'], 'a') as log:
        log.write(json.dumps(entry, sort_keys=True) + '\n')
    state_path = os.environ['ASR_CONTRACT_STATE']
    # One call at a time per fake host: parallel hosts (forks) asking one appliance would otherwise
    # lose each other's changes to the state file (read, change, write).
    lock = open(state_path + '.lock', 'a')
    fcntl.flock(lock, fcntl.LOCK_EX)
    host = FakeHost(_load(state_path))
    host.lock, host.state_path = lock, state_path
    handler = getattr(host, module, None)
    if handler is None:
        result = {'failed': True, 'msg': 'stand-in: module %s is not simulated' % module}
    elif check_mode and module in ('win_command', 'win_powershell', 'win_reboot'):
        # As the real modules: win_command does not run in check mode; win_powershell scripts
        # without SupportsShouldProcess do not either; win_reboot does not reboot.
        result = {'changed': True, 'skipped': module == 'win_command',
                  'msg': 'stand-in: %s not run in check mode' % module}
    else:
        if module == 'win_copy':
            args['_check_mode'] = check_mode
        if check_mode and module in ('win_file', 'win_get_url', 'win_acl', 'win_acl_inheritance'):
            result = {'changed': True}
        else:
            result = handler(args)
        _save(state_path, host.host)
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1])
