# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Windows host for the action plugin tests.

The action plugins are tested the way ansible.windows tests its win_updates action: the plugin's
``_execute_module`` is replaced, here by ``FakeWindowsHost.execute``, which records each call
(module, arguments, whether it ran with no_log and in check mode) and answers from the fake host's
state model, ``tests/windows_host_model.py``, which the contract stand-in (tests/contract) runs too:
results shaped like the real ``ansible.windows`` modules return them (win_reg_stat ``properties``
with raw_value/type/value, win_command ``rc``/``stdout``/``failed`` ...). Commands are matched by
regular expression and may change the fake registry and files, so a read after an install sees the
install.

What the fake host models, and the vendor source it follows (Microsoft's installer C#,
thedarksage/AzMigrate-Hydration at commit 822a039e, under host/ASRSetup/):

* the registry values the installer writes under ``InMage Systems\\Installed Products\\5``
  (``Version``, ``Build_Number``, ``InstallDirectory``, ``PostInstallActions``,
  ``AgentConfigurationStatus``; UnifiedAgentInstaller/InstallActionProcessor.cs:619-633,
  SetupFramework/Constants.cs:82, 534) and nothing else: no CSType, no CS address;
* ``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (SetupFramework/Constants.cs:116) with
  ``[vxagent] CSType`` / ``VmPlatform`` / ``HostId`` and ``[vxagent.transport] Hostname`` / ``Port``
  (``drscout()``); a missing CSType means CSLegacy (SetupFramework/SetupHelper.cs:3429-3479);
  Hostname ``0.0.0.0`` means no CS (UnifiedAgentConfigurator/CSRegistrationOperations.cs:903);
* ``C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json`` as ``{"Errors": [{"error_name",
  "error_params", "default_message"}]}`` (SetupFramework/InstallerExceptionUtils.cs:14-49,
  HelperClasses/ErrorLogger.cs), written fresh by each installer run (UnifiedAgentInstaller/Program.cs:110),
  ``installer_errors_json()``;
* the self-extractor writes the installer into the ``/x:`` directory it is given (reference §2.1);
* win_command that cannot start a program fails with ``Failed to run: ...`` and the Windows error as
  rc (ansible.windows win_command.ps1:112-129), ``Rule(start_error=...)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import re
import sys
from unittest.mock import MagicMock

from ansible_collections.asr.mobility.plugins.plugin_utils import (
    windows_agent, windows_defender, windows_snapshot, windows_vendor)

# The host's state and answers: the model the contract stand-in shares (tests/windows_host_model.py).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

from windows_host_model import WindowsHostModel  # noqa: E402 pylint: disable=wrong-import-position

UNINSTALL_KEY = windows_agent.UNINSTALL_KEYS[0]
UNINSTALL_KEY_WOW = windows_agent.UNINSTALL_KEYS[1]
PRODUCT_KEY = windows_agent.PRODUCT_KEY
REMOTE_DIR = 'C:\\Windows\\Temp\\asr-mobility'
INSTALLER_NAME = 'Microsoft-ASR_UA_9.66.7567.1_Windows_GA_20Sep2025_release.exe'
INSTALLER = REMOTE_DIR + '\\' + INSTALLER_NAME
# Where the old code extracted (next to the installer, reused when present): a tree planted there
# must never run.
PLANTED_DIR = REMOTE_DIR + '\\Microsoft-ASR_UA_9.66.7567.1_Windows_GA_20Sep2025_release'
LOCATION = 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery'
CONFIGURATOR = LOCATION + '\\agent\\UnifiedAgentConfigurator.exe'
SECRET_ID = '0123456789abcdef0123456789abcdef'
SECRET_DIR = 'C:\\Windows\\Temp\\asr-mobility-' + SECRET_ID
# The tests fix uuid4 to SECRET_ID, so the fresh extraction directory is predictable here.
EXTRACT_DIR = 'C:\\Windows\\Temp\\asr-mobility-' + SECRET_ID + '-setup'
DRSCOUT = LOCATION + '\\agent\\Application Data\\etc\\drscout.conf'
ERRORS_JSON = 'C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json'
MANDATORY_REBOOT = 'ASRMobilityServiceInstallerSuccessfulMandatoryReboot'
RECOMMENDED_REBOOT = 'ASRMobilityServiceInstallerSuccessfulRecommendedReboot'
PASSPHRASE = 'S3cret-Passphrase-Do-Not-Log'
# The fake machine's WMI Win32_ComputerSystemProduct UUID and a config.json the appliance made for it
# (agent source AgentConfig.h lines 64-108: BiosId, Fqdn, ClientCertificate, ...).
BIOS_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
CONFIG_JSON = ('{"BiosId": "%s", "ApplianceId": "a1", "ClientCertificate": "Config-Json-Secret-Do-Not-Log"}'
               % BIOS_ID)

WINDOWS_FACTS = {
    'os_family': 'Windows',
    'distribution': 'Microsoft Windows Server 2019 Datacenter',
    'distribution_version': '10.0.17763.0',
    'architecture': '64-bit',
    'architecture2': 'x86_64',
}

# The ansible.windows modules the fake host answers (methods of the shared model).
MODULES = ('setup', 'win_reg_stat', 'win_stat', 'win_file', 'win_copy', 'win_get_url', 'slurp', 'win_command',
           'win_powershell', 'win_wait_for', 'win_reboot')
READ_ONLY_MODULES = ('ansible.windows.win_reg_stat', 'ansible.windows.win_stat', 'ansible.windows.slurp',
                     'ansible.windows.setup')


def product_values(version='9.66.0.0', build='7567', post='Succeeded', config=None, reboot=None,
                   install_dir=LOCATION + '\\agent'):
    values = {'Version': version, 'Product_Version': version, 'Build_Number': build,
              'InstallDirectory': install_dir, 'PostInstallActions': post}
    if config is not None:
        values['AgentConfigurationStatus'] = config
    if reboot is not None:
        values['Reboot_Required'] = reboot
    return values


def drscout(cs_type='CSLegacy', hostname='10.0.0.5', port='443', platform='VmWare', host_id='hid-1'):
    """drscout.conf as the agent keeps it; ``cs_type=None`` leaves CSType out (then CSLegacy),
    ``platform=None`` leaves VmPlatform out (then the MSI's registry value, SetupHelper.cs:990-1011)."""
    lines = ['[vxagent]']
    if cs_type is not None:
        lines.append('CSType=%s' % cs_type)
    if platform is not None:
        lines.append('VmPlatform=%s' % platform)
    lines += ['HostId=%s' % host_id, '', '[vxagent.transport]',
              'Hostname=%s' % hostname, 'Port=%s' % port, '']
    return '\r\n'.join(lines)


def installer_errors_json(*names):
    """InstallerErrors.json with the given error names (InstallerExceptionUtils.cs:14-49)."""
    messages = {MANDATORY_REBOOT: 'Please reboot your machine for some changes to take effect',
                RECOMMENDED_REBOOT: 'Please reboot your machine after upgrade for some changes to take effect'}
    return json.dumps({'Errors': [{'error_name': name, 'default_message': messages.get(name, 'error %s' % name)}
                                  for name in names]}, indent=2)


def installed_registry(**kwargs):
    return {
        UNINSTALL_KEY_WOW: {'DisplayName': 'Microsoft Azure Site Recovery Mobility Service/Master Target Server',
                            'DisplayVersion': kwargs.get('version', '9.66.0.0')},
        PRODUCT_KEY: product_values(**kwargs),
    }


class Rule(object):
    """A scripted command: a rule of the shared model (a dict in ``host['commands']``), with a view
    of how often it matched."""

    def __init__(self, data):
        self.data = data

    @property
    def hits(self):
        return self.data.get('hits', 0)


class FileTable(dict):
    """The model's ``files`` ({path: info}) with the set API the tests use (``add``, ``discard``)."""

    def add(self, path):
        self.setdefault(path, {})

    def discard(self, path):
        self.pop(path, None)


class DirView(object):
    """Directories of the model (entries ``path + '\\'`` of ``files``) as a set of paths."""

    def __init__(self, files):
        self.files = files

    def __contains__(self, path):
        return path + '\\' in self.files

    def add(self, path):
        self.files[path + '\\'] = {'dir': True}


class FakeWindowsHost(WindowsHostModel):
    """The shared fake Windows host (tests/windows_host_model.py) as the action plugin's
    ``_execute_module``: records each call, and raises on a command or script without a rule."""

    def __init__(self, registry=None, files=(), logs=None, facts=None, defender=None):
        super(FakeWindowsHost, self).__init__({
            'registry': copy.deepcopy(registry or {}),
            'files': FileTable((path, {}) for path in files),
            'logs': dict(logs or {}),
            'facts': facts or {'ansible_' + k: v for k, v in WINDOWS_FACTS.items()},
            'defender': defender,  # dict: service, cmdlet, paths, tamper_protected, sticky, error, hidden
            # WMI Win32_ComputerSystemProduct UUID and FQDN (READ_IDENTITY_PS, AzureRcmCli.exe's input)
            'identity': {'bios_id': BIOS_ID, 'fqdn': 'win01.example.com'},
        }, strict=True)
        self.calls = []
        self.task = None
        self.fail_modules = {}

    # -- the state, by name ------------------------------------------------------------------
    @property
    def bios_id(self):
        return self.host['identity']['bios_id']

    @bios_id.setter
    def bios_id(self, value):
        self.host['identity']['bios_id'] = value

    @property
    def registry(self):
        return self.host['registry']

    @property
    def files(self):
        return self.host['files']

    @property
    def dirs(self):
        return DirView(self.host['files'])

    @property
    def logs(self):
        return self.host['logs']

    @property
    def defender(self):
        return self.host['defender']

    @property
    def secret_files(self):
        """{path: secret} of the secret files still on the host."""
        return dict((p, v) for p, v in self.secret_values.items() if p in self.host['files'])

    # -- scripting -----------------------------------------------------------------------
    def on(self, pattern, rc=0, stdout='', stderr='', effect=None, raises=None, start_error=None):
        data = {'match': pattern, 'rc': rc, 'stdout': stdout, 'stderr': stderr, 'effect': effect, 'raises': raises,
                'start_error': start_error}
        self.host['commands'].append(data)
        return Rule(data)

    def install_effect(self, cs_type='CSLegacy', errors=None, **kwargs):
        """The installer's registry values and drscout.conf (CSType from /CSType; an upgrade keeps
        the configuration server), and InstallerErrors.json when ``errors`` names entries."""
        def effect(host):
            host.registry.pop(UNINSTALL_KEY, None)
            previous = host.registry.get(PRODUCT_KEY, {})
            host.registry.update(installed_registry(**kwargs))
            if 'config' not in kwargs and 'AgentConfigurationStatus' in previous:
                host.registry[PRODUCT_KEY]['AgentConfigurationStatus'] = previous['AgentConfigurationStatus']
            directory = host.registry[PRODUCT_KEY]['InstallDirectory']
            path = directory + '\\Application Data\\etc\\drscout.conf'
            old = host.logs.get(path)
            hostname = '0.0.0.0'
            if old is not None:
                match = re.search(r'Hostname=(\S+)', old if isinstance(old, str) else old.decode('utf-8'))
                hostname = match.group(1) if match else hostname
            host.logs[path] = drscout(cs_type=cs_type, hostname=hostname)
            if errors is not None:
                host.logs[ERRORS_JSON] = installer_errors_json(*errors)
        return effect

    def errors_effect(self, *names):
        """A run that changes nothing but writes InstallerErrors.json (Program.cs:110 starts it afresh)."""
        def effect(host):
            host.logs[ERRORS_JSON] = installer_errors_json(*names)
        return effect

    @staticmethod
    def register_effect(status='Succeeded', hostname='10.0.0.5'):
        def effect(host):
            host.registry[PRODUCT_KEY]['AgentConfigurationStatus'] = status
            path = host.registry[PRODUCT_KEY]['InstallDirectory'] + '\\Application Data\\etc\\drscout.conf'
            old = host.logs.get(path) or drscout()
            host.logs[path] = re.sub(r'Hostname=\S+', 'Hostname=%s' % hostname, old)
        return effect

    @staticmethod
    def uninstall_effect(host):
        for key in (UNINSTALL_KEY, UNINSTALL_KEY_WOW, PRODUCT_KEY):
            host.registry.pop(key, None)

    @staticmethod
    def extract_effect(host):
        """``<exe> /q /x:"<dir>"`` extracts into ``<dir>`` (reference §2.1)."""
        target = re.search(r'/x:"([^"]+)"', host.last_command).group(1)
        for exe in ('UnifiedAgent.exe', 'UnifiedAgentInstaller.exe', 'UnifiedAgentMSI.msi'):
            host.files.add(target + '\\' + exe)

    # -- views ---------------------------------------------------------------------------
    @property
    def modules(self):
        return [c['module'] for c in self.calls]

    def commands(self):
        return [c['args']['cmd'] for c in self.calls if c['module'] == 'ansible.windows.win_command']

    def changing_calls(self):
        """Calls that change the host, leaving out the host lock (taken and removed again: no net change)."""
        return [c for c in self.agent_calls() if c['module'] not in READ_ONLY_MODULES and not (
            c['module'] == 'ansible.windows.win_powershell'
            and c['args'].get('script') in (windows_defender.READ_PREFERENCE_PS, windows_vendor.READ_IDENTITY_PS,
                                            windows_snapshot.READ_SNAPSHOT_PS))]

    def lock_calls(self):
        return [c for c in self.calls if c['module'] == 'ansible.windows.win_powershell'
                and c['args'].get('script') in (windows_vendor.ACQUIRE_LOCK_PS, windows_vendor.RELEASE_LOCK_PS)]

    def agent_calls(self):
        """Every call but the host lock's."""
        lock = self.lock_calls()
        return [c for c in self.calls if not any(c is l for l in lock)]

    # -- the module double ---------------------------------------------------------------
    def execute(self, module_name=None, module_args=None, task_vars=None, wrap_async=False, **kwargs):
        args = copy.deepcopy(module_args or {})
        self.calls.append({'module': module_name, 'args': args, 'no_log': bool(self.task.no_log),
                           'check_mode': bool(self.task.check_mode)})
        if module_name in self.fail_modules:
            return dict(self.fail_modules[module_name])
        self.host['deny_write'] = self.fail_modules.get('write_secret', ())
        name = module_name.rsplit('.', 1)[-1]
        if name not in MODULES:
            raise AssertionError('unexpected module %s' % module_name)
        # Through ``_<module>`` so that a test can replace one answer (host._win_powershell = ...).
        return getattr(self, '_' + name)(copy.deepcopy(args))


for _name in MODULES:
    setattr(FakeWindowsHost, '_' + _name, getattr(WindowsHostModel, _name))


def make_action(cls, args, host, task_vars=None, check_mode=False, diff=False, shell_family='powershell',
                no_log=False):
    task = MagicMock()
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    task.no_log = no_log
    task.async_val = 0
    task.delegate_to = None
    task.action = 'asr.mobility.agent'
    connection = MagicMock()
    connection._shell.SHELL_FAMILY = shell_family
    connection._shell.tmpdir = None
    action = cls(task, connection, MagicMock(), loader=None, templar=MagicMock(), shared_loader_obj=None)
    if host is not None:
        host.task = task
        action._execute_module = MagicMock(side_effect=host.execute)
    return action
