# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Mobility Service agent on a Windows host, driven from the controller (reference §2).

Same decision engine as Linux (``planner.plan`` over ``state.windows_state``), same options and
return keys as the module ``asr.mobility.agent``; only the acting differs: every step is one
``ansible.windows`` module call made through a ``caller`` (see ``windows_calls.ModuleCaller``):

============================  ==========================================================
read state                    ``win_reg_stat`` (uninstall key, both registry views; the
                              ``InMage Systems\\Installed Products\\5`` key)
installer present?            ``win_stat``
extract the self-extractor    ``win_command`` ``<exe> /q /x:"<dir>"`` (only when not extracted)
install / upgrade             ``win_command`` ``UnifiedAgent.exe`` (classic) or
                              ``UnifiedAgentInstaller.exe`` (modernized), reference §2.2
secret file (no_log)          ``win_powershell`` with the secret as a ``sensitive_parameters``
                              SecureString, written into a fresh directory only SYSTEM and
                              Administrators can open
register                      ``win_command`` ``UnifiedAgentConfigurator.exe``, reference §2.3
remove the secret             ``win_file state=absent`` (always, in ``finally``)
uninstall                     ``win_command`` ``msiexec.exe /qn /x {275197FC-...} /L+*V <log>``
log tail on failure           ``slurp``, decoded and tailed on the controller
============================  ==========================================================
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ntpath
import re
import uuid

from ansible_collections.asr.mobility.plugins.module_utils import exit_codes, os_tokens
from ansible_collections.asr.mobility.plugins.module_utils.agent_lifecycle import AgentHost
from ansible_collections.asr.mobility.plugins.module_utils.errors import LOG_TAIL_LINES, VendorError
from ansible_collections.asr.mobility.plugins.module_utils.installer import InstallerNameError, parse_name
from ansible_collections.asr.mobility.plugins.module_utils.state import windows_state
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import ModuleCallError

PRODUCT_CODE = '{275197FC-14FD-4560-A5EB-38217F80CBD1}'
# The MSI of a 32-bit product registers under Wow6432Node when seen from 64-bit PowerShell; the
# reference names the 64-bit path. Either one present means installed.
UNINSTALL_KEYS = (
    'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\' + PRODUCT_CODE,
    'HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\' + PRODUCT_CODE,
)
PRODUCT_KEY = 'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products\\5'
DEFAULT_INSTALL_LOCATION = 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery'
LINUX_DEFAULT_INSTALL_DIR = '/usr/local/ASR'
DEFAULT_WORK_DIR = 'C:\\Windows\\Temp'
LOG_DIR = 'C:\\ProgramData\\ASRSetupLogs'
LOGS = {
    'installer': LOG_DIR + '\\ASRUnifiedAgentInstaller.log',
    'errors': LOG_DIR + '\\InstallerErrors.json',
    'configurator': LOG_DIR + '\\ASRUnifiedAgentConfigurator.log',
    'uninstall': LOG_DIR + '\\UnifiedAgentMSIUninstall.log',
}
INSTALLER_EXE = {'CSLegacy': 'UnifiedAgent.exe', 'CSPrime': 'UnifiedAgentInstaller.exe'}
CONFIGURATOR_EXE = 'UnifiedAgentConfigurator.exe'
SECRET_FILE = {'classic': 'connection.passphrase', 'modernized': 'config.json'}

# Writes the secret (a SecureString from sensitive_parameters, never a plain argument) into a new
# directory whose ACL grants only SYSTEM and Administrators: the Windows form of a 0600 file in a
# private directory. Refuses a directory that already exists (someone else could own it).
WRITE_SECRET_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Directory,
    [Parameter(Mandatory = $true)][string]$FileName,
    [Parameter(Mandatory = $true)][System.Security.SecureString]$Secret
)
$ErrorActionPreference = 'Stop'
if (Test-Path -LiteralPath $Directory) {
    throw "refusing to reuse the existing directory $Directory"
}
$parent = Split-Path -Path $Directory -Parent
if (-not (Test-Path -LiteralPath $parent)) {
    $null = New-Item -Path $parent -ItemType Directory -Force
}
$acl = New-Object -TypeName System.Security.AccessControl.DirectorySecurity
$acl.SetAccessRuleProtection($true, $false)
foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
    $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
    $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList @(
        $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')
    $acl.AddAccessRule($rule)
}
$null = [System.IO.Directory]::CreateDirectory($Directory, $acl)
$path = Join-Path -Path $Directory -ChildPath $FileName
$bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Secret)
try {
    $text = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    $encoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    [System.IO.File]::WriteAllText($path, $text, $encoding)
}
finally {
    [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
}
$Ansible.Changed = $true
$Ansible.Result = @{ path = $path }
'''

_WINDOWS_PATH = re.compile(r'^(?:[A-Za-z]:\\|\\\\)')


def quote(value):
    """One Windows command-line argument in double quotes. Paths and hosts never contain a
    double quote; trailing backslashes are dropped so they cannot escape the closing quote."""
    value = str(value)
    if '"' in value:
        raise ValueError('%r contains a double quote and cannot be passed on a command line' % value)
    return '"%s"' % value.rstrip('\\')


def extract_dir_for(installer):
    """``C:\\...\\Microsoft-ASR_UA_..._release.exe`` -> ``C:\\...\\Microsoft-ASR_UA_..._release``:
    the version is in the directory name, so an extracted tree is never mistaken for another's."""
    base, ext = ntpath.splitext(installer)
    return base if ext.lower() == '.exe' else installer + '.extracted'


def extract_command(installer, extract_dir):
    return '%s /q /x:%s' % (quote(installer), quote(extract_dir))


def install_command(extract_dir, cs_type, mode, install_location, platform='VmWare'):
    """reference §2.2: the documented command lines, plus ``/InstallationType Upgrade`` for upgrades."""
    exe = quote(ntpath.join(extract_dir, INSTALLER_EXE[cs_type]))
    if cs_type == 'CSLegacy':
        cmd = '%s /Role "MS" /InstallLocation %s /Platform "%s" /Silent /CSType CSLegacy' % (
            exe, quote(install_location), platform)
    else:
        cmd = '%s /Platform %s /Silent /Role MS /CSType CSPrime /InstallLocation %s' % (
            exe, platform, quote(install_location))
    if mode == 'Upgrade':
        cmd += ' /InstallationType Upgrade'
    return cmd


def configurator_path(install_dir, install_location):
    """``<InstallLocation>\\agent\\UnifiedAgentConfigurator.exe``; the registry's InstallDirectory
    is used when known (with or without its ``\\agent`` suffix)."""
    base = (install_dir or install_location).rstrip('\\')
    if ntpath.basename(base).lower() != 'agent':
        base = ntpath.join(base, 'agent')
    return ntpath.join(base, CONFIGURATOR_EXE)


def configurator_command(configurator, control_plane, secret_path, cs_address=None, cs_port=None):
    """reference §2.3. The secret is a file path here, never the secret itself."""
    if control_plane == 'classic':
        if not re.match(r'^[A-Za-z0-9.:\-\[\]_]+$', str(cs_address or '')):
            raise ValueError('cs_address %r is not an IP address or host name' % (cs_address,))
        cmd = '%s /CSEndPoint %s /PassphraseFilePath %s' % (quote(configurator), cs_address, quote(secret_path))
        if cs_port:
            cmd += ' /CSPort %d' % int(cs_port)
        return cmd
    return '%s /SourceConfigFilePath %s /CSType CSPrime' % (quote(configurator), quote(secret_path))


def uninstall_command():
    """reference §2.5."""
    return 'msiexec.exe /qn /x %s /L+*V %s' % (PRODUCT_CODE, quote(LOGS['uninstall']))


def decode_log(content_b64):
    """slurp content -> text; vendor logs are UTF-16 (with BOM) or UTF-8/ANSI."""
    data = base64.b64decode(content_b64 or '')
    if data.startswith(b'\xff\xfe') or data.startswith(b'\xfe\xff'):
        return data.decode('utf-16', 'replace')
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8', 'replace')
    if len(data) > 3 and data[1:2] == b'\x00' and data[3:4] == b'\x00':
        return data.decode('utf-16-le', 'replace')
    return data.decode('utf-8', 'replace')


def install_location_for(install_dir):
    """The module's ``install_dir`` on Windows: its Linux default means the Windows default
    (``C:\\Program Files (x86)\\Microsoft Azure Site Recovery``); anything else must be a Windows path."""
    if not install_dir or install_dir.rstrip('/') == LINUX_DEFAULT_INSTALL_DIR:
        return DEFAULT_INSTALL_LOCATION
    if not _WINDOWS_PATH.match(install_dir):
        raise ValueError('install_dir %r is not a Windows path (for example %s)' % (install_dir, DEFAULT_INSTALL_LOCATION))
    return install_dir.rstrip('\\')


def _registry_values(result):
    properties = (result or {}).get('properties') or {}
    return dict((name, (prop or {}).get('value')) for name, prop in properties.items())


def windows_facts(facts):
    """Ansible facts (with or without the ``ansible_`` prefix) -> distribution, version, architecture."""
    facts = dict(facts or {})
    for key in list(facts):
        if key.startswith('ansible_'):
            facts.setdefault(key[len('ansible_'):], facts[key])
    return {
        'distribution': facts.get('distribution'),
        'version': facts.get('distribution_version'),
        # architecture2 is x86_64/i386 on every locale; architecture is the localized "64-bit".
        'architecture': facts.get('architecture2') or facts.get('architecture'),
    }


class WindowsHost(AgentHost):
    """The lifecycle's Windows host (``agent_lifecycle.AgentHost``): acts through ``caller``
    (``windows_calls.ModuleCaller`` or a test double) from the controller. ``facts`` are the host's
    gathered facts (distribution, version, architecture)."""

    metadata_is_cheap = True  # the version is in the installer's file name

    def __init__(self, caller, facts=None, secret_id=None):
        super(WindowsHost, self).__init__()
        self.call = caller
        self.facts = facts or {}
        self.secret_id = secret_id or uuid.uuid4().hex

    # -- what the lifecycle asks ---------------------------------------------------------------
    def check_inputs(self, params):
        install_location_for(params.get('install_dir'))

    def check_register_inputs(self, params):
        configurator_command('x', params['control_plane'], 'x', params.get('cs_address'), params.get('cs_port'))

    def detect(self, params):
        host = windows_facts(self.facts)
        return os_tokens.detect(distribution=host['distribution'], version=host['version'],
                                architecture=host['architecture'], os_family='Windows',
                                overrides=params.get('os_token_overrides') or {})

    def describe_os(self, detected):
        return detected['reason']

    def installer_readable(self, installer):
        return True  # only its name is read; whether it is on the host is checked before acting

    def installer_present(self, installer):
        return self.file_exists(installer)

    def installer_metadata(self, installer):
        try:
            meta = parse_name(installer)
        except InstallerNameError as exc:
            raise ValueError('%s. On Windows the version is read from the installer file name, so keep the '
                             'vendor name' % exc)
        meta = dict(meta)
        meta['os_built_for'] = meta['token']
        return meta

    def install_not_verified(self, info, state, meta):
        return VendorError('the installer exited %s (%s) but the registry shows version %s, not %s'
                           % (info['code'], info['meaning'], state['version'], meta['version']),
                           code=info['code'], meaning=info['meaning'], program='UnifiedAgent installer',
                           log_tail=self.log_tail(LOGS['installer'], [LOGS['errors']]))

    def register_not_verified(self, info, state):
        return VendorError('UnifiedAgentConfigurator.exe exited %s but AgentConfigurationStatus is %s'
                           % (info['code'], state['configuration_status'] or 'missing'),
                           code=info['code'], meaning=info['meaning'], program='UnifiedAgentConfigurator.exe',
                           log_tail=self.log_tail(LOGS['configurator']))

    def uninstall_not_verified(self, info, state):
        return VendorError('msiexec exited %s (%s) but the product %s is still registered: the uninstall did '
                           'not finish. Read %s on the host, fix the cause, then run again.'
                           % (info['code'], info['meaning'], PRODUCT_CODE, LOGS['uninstall']),
                           code=info['code'], meaning=info['meaning'], program='msiexec',
                           log_tail=self.log_tail(LOGS['uninstall']))

    # -- reading ---------------------------------------------------------------------------
    def read_state(self):
        exists = False
        uninstall = {}
        for key in UNINSTALL_KEYS:
            found = self.call('ansible.windows.win_reg_stat', {'path': key}, read_only=True)
            if found.get('exists'):
                exists = True
                uninstall = _registry_values(found)
                break
        values = {}
        if exists:
            values = _registry_values(self.call('ansible.windows.win_reg_stat', {'path': PRODUCT_KEY}, read_only=True))
        state = windows_state(exists, values)
        state['display_version'] = uninstall.get('DisplayVersion')
        return state

    def file_exists(self, path):
        result = self.call('ansible.windows.win_stat', {'path': path, 'get_checksum': False}, read_only=True)
        return bool((result.get('stat') or {}).get('exists'))

    def log_tail(self, main_log, extra_logs=(), output=None):
        """Same shape as the Linux failures: main log tail, then ``--- <log> ---`` sections, then
        ``--- program output ---``."""
        lines = self._read_log(main_log)[-LOG_TAIL_LINES:]
        for path in extra_logs:
            extra = self._read_log(path)
            if extra:
                lines += ['--- %s ---' % path] + extra[-10:]
        output = [line for line in (output or '').splitlines() if line.strip()]
        if output:
            lines += ['--- program output ---'] + output[-10:]
        return lines

    def _read_log(self, path):
        try:
            result = self.call('ansible.windows.slurp', {'src': path}, read_only=True, allow_failed=True)
        except ModuleCallError:
            return []
        if result.get('failed') or not result.get('content'):
            return []
        return [line for line in decode_log(result['content']).splitlines() if line.strip()]

    # -- acting ----------------------------------------------------------------------------
    def _command(self, cmd, chdir=None):
        args = {'cmd': cmd}
        if chdir:
            args['chdir'] = chdir
        result = self.call('ansible.windows.win_command', args, allow_failed=True)
        if 'rc' not in result:
            raise ModuleCallError('ansible.windows.win_command', result, what=cmd)
        output = '%s\n%s' % (result.get('stdout') or '', result.get('stderr') or '')
        return result['rc'], output

    def _failure(self, table, rc, output, main_log, extra_logs=()):
        info = exit_codes.interpret(table, rc)
        return VendorError(exit_codes.describe(table, rc), code=info['code'], meaning=info['meaning'],
                           log_tail=self.log_tail(main_log, extra_logs, output),
                           program=exit_codes.PROGRAM_NAMES[table])

    def ensure_extracted(self, installer, cs_type):
        """Extract the self-extractor next to itself unless the program to run is already there."""
        extract_dir = extract_dir_for(installer)
        if self.file_exists(ntpath.join(extract_dir, INSTALLER_EXE[cs_type])):
            return extract_dir
        rc, output = self._command(extract_command(installer, extract_dir))
        if rc != 0:
            raise VendorError('could not extract %s (exit %s): %s' % (installer, rc, output.strip() or 'no output'),
                              code=rc, program='extractor')
        if not self.file_exists(ntpath.join(extract_dir, INSTALLER_EXE[cs_type])):
            raise VendorError('%s was extracted to %s but %s is not there: is it a Mobility Service installer?'
                              % (installer, extract_dir, INSTALLER_EXE[cs_type]), code=rc, program='extractor')
        return extract_dir

    def install(self, installer, step, params):
        extract_dir = self.ensure_extracted(installer, step['cs_type'])
        cmd = install_command(extract_dir, step['cs_type'], step['mode'], install_location_for(params.get('install_dir')),
                              params.get('platform') or 'VmWare')
        rc, output = self._command(cmd, chdir=extract_dir)
        info = exit_codes.interpret('windows_installer', rc)
        if not info['ok']:
            raise self._failure('windows_installer', rc, output, LOGS['installer'], [LOGS['errors']])
        return info

    def register(self, state, params):
        """UnifiedAgentConfigurator.exe with the secret in a private file that is removed whatever happens."""
        control_plane = params['control_plane']
        secret = params['passphrase'] if control_plane == 'classic' else params['config']
        directory = ntpath.join(params.get('work_dir') or DEFAULT_WORK_DIR, 'asr-mobility-%s' % self.secret_id)
        secret_path = ntpath.join(directory, SECRET_FILE[control_plane])
        install_location = install_location_for(params.get('install_dir'))
        cmd = configurator_command(configurator_path(state.get('install_dir'), install_location), control_plane,
                                   secret_path, params.get('cs_address'), params.get('cs_port'))
        try:
            self.call('ansible.windows.win_powershell', {
                'script': WRITE_SECRET_PS,
                'parameters': {'Directory': directory, 'FileName': SECRET_FILE[control_plane]},
                'sensitive_parameters': [{'name': 'Secret', 'value': secret}],
                'error_action': 'stop',
            }, no_log=True)
            rc, output = self._command(cmd)
        finally:
            self._remove_secret(directory)
        info = exit_codes.interpret('windows_configurator', rc)
        if not info['ok']:
            raise self._failure('windows_configurator', rc, output, LOGS['configurator'])
        return info

    def _remove_secret(self, directory):
        try:
            result = self.call('ansible.windows.win_file', {'path': directory, 'state': 'absent'}, allow_failed=True)
            if result.get('failed'):
                self.cleanup_error = '%s (%s)' % (directory, result.get('msg') or 'win_file failed')
        except Exception as exc:  # pylint: disable=broad-except
            # A connection error here must not hide the error that is already propagating.
            self.cleanup_error = '%s (%s)' % (directory, exc)

    def uninstall(self, state=None):
        rc, output = self._command(uninstall_command())
        info = exit_codes.interpret('msiexec', rc)
        if not info['ok']:
            raise self._failure('msiexec', rc, output, LOGS['uninstall'])
        return info
