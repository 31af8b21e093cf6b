# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vendor's Windows interface as data and pure functions (reference §2): product code,
registry keys, paths, exit-code-free command lines, the PowerShell snippets the Windows host runs
through ``win_powershell``, and the parsers of what the vendor writes. ``windows_agent.WindowsHost``
acts with them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import ntpath
import re

PRODUCT_CODE = '{275197FC-14FD-4560-A5EB-38217F80CBD1}'
# The MSI of a 32-bit product registers under Wow6432Node when seen from 64-bit PowerShell; the
# reference names the 64-bit path. Either one present means installed.
UNINSTALL_KEYS = (
    'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\' + PRODUCT_CODE,
    'HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\' + PRODUCT_CODE,
)
# The 32-bit MSI writes ``Platform`` under the parent key (UnifiedAgentMSI/Product.wxs:893-897, a Win64="no"
# component, so Wow6432Node on 64-bit Windows; SetupFramework/Constants.cs:29-41) and the product's values
# under ``\\5`` (Constants.cs:70).
PRODUCTS_KEY = 'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products'
PRODUCT_KEY = PRODUCTS_KEY + '\\5'
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
# SetupFramework/Constants.cs:116 (DrScoutConfigRelativePath), relative to InstallDirectory (Constants.cs:534).
DRSCOUT_RELATIVE = 'Application Data\\etc\\drscout.conf'
# The reboot codes the installer writes into InstallerErrors.json (SetupFramework/ErrorCodeHelper.cs:9-10):
# 98 + either code (UnifiedAgentInstaller/Program.cs:195-228), or 97 + the mandatory one when the
# filter driver needs a reboot (SetupFramework/PortedCustomActions.cs:600-613).
MANDATORY_REBOOT = 'ASRMobilityServiceInstallerSuccessfulMandatoryReboot'
RECOMMENDED_REBOOT = 'ASRMobilityServiceInstallerSuccessfulRecommendedReboot'
REBOOT_ERRORS = (MANDATORY_REBOOT, RECOMMENDED_REBOOT)
# UnifiedAgentInstaller/Program.cs:902-905 prints it after a command-line CSPrime install;
# AzureRcmCli.exe (SetupFramework/Constants.cs:290, 1615) prints ``getagentconfiginput:<value>``.
RCM_CLI_EXE = 'AzureRcmCli.exe'
AGENT_CONFIG_INPUT_PREFIX = 'Agent Config Input:'
INSTALLER_EXE = {'CSLegacy': 'UnifiedAgent.exe', 'CSPrime': 'UnifiedAgentInstaller.exe'}
CONFIGURATOR_EXE = 'UnifiedAgentConfigurator.exe'
SECRET_FILE = {'classic': 'connection.passphrase', 'modernized': 'config.json'}

# Writes the secret (a SecureString from sensitive_parameters, never a plain argument) into a new
# directory whose ACL grants only SYSTEM and Administrators: the Windows form of a 0600 file in a
# private directory. Refuses a directory that already exists (someone else could own it).
# The machine identity the agent puts in its Agent Config Input and checks a config.json against:
# WMI Win32_ComputerSystemProduct UUID (agent source host/common/win32/portablehelpersmajor.cpp
# line 6969) and the FQDN (AgentConfigHelpers.cpp line 22). Read only.
READ_IDENTITY_PS = r'''
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$product = Get-CimInstance -ClassName Win32_ComputerSystemProduct
$system = Get-CimInstance -ClassName Win32_ComputerSystem
$fqdn = $system.DNSHostName
if ($system.PartOfDomain -and $system.Domain) {
    $fqdn = '{0}.{1}' -f $system.DNSHostName, $system.Domain
}
$Ansible.Result = @{
    bios_id = [string]$product.UUID
    fqdn = [string]$fqdn
}
'''

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

# A new, empty directory only SYSTEM and Administrators can open (the installer is extracted into
# it); refuses a directory that already exists, so nothing planted beforehand is ever run.
NEW_PRIVATE_DIR_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Directory
)
$ErrorActionPreference = 'Stop'
if (Test-Path -LiteralPath $Directory) {
    throw "refusing to reuse the existing directory $Directory"
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
$Ansible.Changed = $true
$Ansible.Result = @{ path = $Directory }
'''

# One acting run per Windows host (issue 15; the Windows form of the Linux flock on
# /run/lock/asr-mobility.lock). A lock can only outlive one WinRM call as a file, so the lock is a file
# created with CreateNew (atomic: exactly one creator wins) in a directory only SYSTEM and
# Administrators can open; it holds the owner (run id, controller, controller pid, time) as JSON and is
# removed by the run that made it, in every outcome (agent_lifecycle.run's ``finally``). A lock older
# than LOCK_STALE_SECONDS (a run that was killed and never came back) or whose owner the controller
# knows is gone (``StaleOwner``: exactly that content) is taken over. Users may create folders in
# C:\ProgramData, so an existing lock directory that grants anyone else access is refused.
LOCK_DIR = 'C:\\ProgramData\\asr-mobility'
LOCK_FILE = LOCK_DIR + '\\agent.lock'
# Longer than any vendor program may run (the installer's own waits are well under an hour).
LOCK_STALE_SECONDS = 4 * 3600

ACQUIRE_LOCK_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Path,
    [Parameter(Mandatory = $true)][string]$Owner,
    [int]$TimeoutSeconds = 0,
    [int]$StaleSeconds = 14400,
    [string]$StaleOwner = ''
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$admins = @('S-1-5-18', 'S-1-5-32-544')
$directory = Split-Path -Path $Path -Parent
if (Test-Path -LiteralPath $directory) {
    $item = Get-Item -LiteralPath $directory -Force
    if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
        throw "the lock directory $directory is a link: remove it and run again"
    }
    $acl = Get-Acl -LiteralPath $directory
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    $others = @($acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier]) |
        Where-Object { $admins -notcontains $_.IdentityReference.Value } |
        ForEach-Object { $_.IdentityReference.Value })
    if ($admins -notcontains $owner -or $others.Count -gt 0) {
        $who = 'owner {0}; also {1}' -f $owner, ($others -join ', ')
        throw ("the lock directory $directory is not private to SYSTEM and Administrators ($who): " +
            'another user could hold or remove the lock. Remove it and run again')
    }
}
else {
    $acl = New-Object -TypeName System.Security.AccessControl.DirectorySecurity
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in $admins) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList @(
            $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')
        $acl.AddAccessRule($rule)
    }
    $null = [System.IO.Directory]::CreateDirectory($directory, $acl)
}
$deadline = (Get-Date).AddSeconds($TimeoutSeconds)
$takenOver = $null
$result = $null
while ($null -eq $result) {
    try {
        $stream = [System.IO.File]::Open($Path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write,
            [System.IO.FileShare]::Read)
        try {
            $bytes = (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false).GetBytes($Owner)
            $stream.Write($bytes, 0, $bytes.Length)
        }
        finally {
            $stream.Dispose()
        }
        $Ansible.Changed = $true
        $result = @{ acquired = $true; taken_over = $takenOver }
    }
    catch [System.IO.IOException] {
        $holder = ''
        $age = 0
        try {
            $holder = [System.IO.File]::ReadAllText($Path)
            $age = [int]((Get-Date).ToUniversalTime() - [System.IO.File]::GetLastWriteTimeUtc($Path)).TotalSeconds
        }
        catch {
            if (-not (Test-Path -LiteralPath $Path)) {
                continue
            }
            $holder = 'unreadable'
        }
        if ($age -ge $StaleSeconds -or ($StaleOwner -and $holder -eq $StaleOwner)) {
            if ([System.IO.File]::ReadAllText($Path) -eq $holder) {
                Remove-Item -LiteralPath $Path -Force
                $takenOver = $holder
            }
        }
        elseif ((Get-Date) -ge $deadline) {
            $result = @{ acquired = $false; holder = $holder; age = $age }
        }
        else {
            Start-Sleep -Seconds 1
        }
    }
}
$Ansible.Result = $result
'''

# Removes the lock only when it still holds this run's owner text (a lock taken over as stale is
# another run's now).
RELEASE_LOCK_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Path,
    [Parameter(Mandatory = $true)][string]$Owner
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$holder = $null
if (Test-Path -LiteralPath $Path) {
    $holder = [System.IO.File]::ReadAllText($Path)
    if ($holder -eq $Owner) {
        Remove-Item -LiteralPath $Path -Force
        $Ansible.Changed = $true
    }
}
$Ansible.Result = @{ released = [bool]$Ansible.Changed; holder = $holder }
'''


# Keep-N clean-up of the staging directory (module_utils/staging.py decides on the controller): list
# the entries without following reparse points, then remove the chosen ones, checking each again.
# Directory.Delete(path, true) removes a junction or symbolic link inside the tree, never its target.
LIST_STAGING_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Directory
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$entries = @()
foreach ($item in @(Get-ChildItem -LiteralPath $Directory -Force -Filter 'Microsoft-ASR_UA_*')) {
    $kind = 'file'
    if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
        $kind = 'link'
    }
    elseif ($item.PSIsContainer) {
        $kind = 'dir'
    }
    $entries += @{ name = $item.Name; kind = $kind }
}
$Ansible.Result = @{ entries = $entries }
'''

REMOVE_STAGED_PS = r'''
param(
    [Parameter(Mandatory = $true)][string]$Directory,
    [Parameter(Mandatory = $true)][string[]]$Names
)
$ErrorActionPreference = 'Stop'
$removed = @()
$failed = @()
foreach ($name in $Names) {
    $path = Join-Path -Path $Directory -ChildPath $name
    try {
        $item = Get-Item -LiteralPath $path -Force
        if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
            continue
        }
        if ($item.PSIsContainer) {
            [System.IO.Directory]::Delete($path, $true)
        }
        else {
            [System.IO.File]::Delete($path)
        }
        $removed += $path
    }
    catch {
        $failed += ('{0}: {1}' -f $path, $_.Exception.Message)
    }
}
$Ansible.Changed = $removed.Count -gt 0
$Ansible.Result = @{ removed = $removed; failed = $failed }
'''


_WINDOWS_PATH = re.compile(r'^(?:[A-Za-z]:\\|\\\\)')


def quote(value):
    """One Windows command-line argument in double quotes. Paths and hosts never contain a
    double quote; trailing backslashes are dropped so they cannot escape the closing quote."""
    value = str(value)
    if '"' in value:
        raise ValueError('%r contains a double quote and cannot be passed on a command line' % value)
    return '"%s"' % value.rstrip('\\')


def extract_dir_for(work_dir, run_id):
    """A fresh extraction directory for this run: ``<work_dir>\\asr-mobility-<random>-setup``. Never the
    installer's own directory (users may create folders in ``C:\\Windows\\Temp``), never reused."""
    return ntpath.join(work_dir or DEFAULT_WORK_DIR, 'asr-mobility-%s-setup' % run_id)


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
    """reference §2.5; ``/norestart`` so Windows Installer never restarts the host behind Ansible's
    back (it then returns 3010, reported as reboot_required)."""
    return 'msiexec.exe /qn /norestart /x %s /L+*V %s' % (PRODUCT_CODE, quote(LOGS['uninstall']))


def installer_errors(text):
    """``InstallerErrors.json`` (``{"Errors": [{"error_name", "error_params", "default_message"}]}``,
    SetupFramework/InstallerExceptionUtils.cs:14-49) -> list of ``(error_name, default_message)``;
    [] for an empty, missing or unreadable file."""
    try:
        data = json.loads(text or '')
    except ValueError:
        return []
    errors = (data.get('Errors') if isinstance(data, dict) else None) or []
    found = []
    for entry in errors if isinstance(errors, list) else []:
        if isinstance(entry, dict) and entry.get('error_name'):
            found.append((str(entry['error_name']), str(entry.get('default_message') or '')))
    return found


def agent_config_input(output):
    """The Agent Config Input from the installer's output (``Agent Config Input: <value>``) or from
    ``AzureRcmCli.exe --getagentconfiginput`` (``getagentconfiginput:<value>``; the vendor keeps what
    follows the last colon, SetupFramework/ValidationHelper.cs:2341). None when absent."""
    for line in reversed((output or '').splitlines()):
        line = line.strip()
        if line.startswith(AGENT_CONFIG_INPUT_PREFIX) or line.lower().startswith('getagentconfiginput:'):
            value = line.rsplit(':', 1)[1].strip()
            if value:
                return value
    return None


def drscout_path(install_dir, install_location):
    """``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (SetupHelper.cs:3437-3455): the
    registry's InstallDirectory (it ends in ``\\agent``), else ``<install location>\\agent``."""
    base = (install_dir or ntpath.join(install_location, 'agent')).rstrip('\\')
    return ntpath.join(base, DRSCOUT_RELATIVE)


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
