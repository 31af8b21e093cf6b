# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One read of a Windows host for the converged fast path (issue 16).

``READ_SNAPSHOT_PS`` runs once through ``ansible.windows.win_powershell`` and returns, as one JSON
object, everything the converged decision reads:

* the OS data the installer token needs, as ``ansible.windows.setup`` reports it (so no ``setup``):
  ``distribution`` (Win32_OperatingSystem Caption), ``distribution_version``
  ([Environment]::OSVersion.Version) and ``architecture2`` (the processor architecture);
* the registry keys the agent's state is read from (``windows_vendor.UNINSTALL_KEYS``,
  ``PRODUCT_KEY``, ``PRODUCTS_KEY``) and the Defender policy keys (``windows_defender.POLICY_KEY``,
  ``POLICY_PATHS_KEY``): every named value of each key as ``win_reg_stat`` reports its ``value``
  (ansible.windows win_reg_stat.ps1: expanded, DWORD/QWORD unsigned), or null when the key does not
  exist; a key that exists but cannot be read fails the script, as it fails ``win_reg_stat``;
* ``drscout.conf`` at ``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (InstallDirectory of
  the product key, else ``<install location>\\agent``; ``windows_vendor.drscout_path``), base64;
* the Defender preference exactly as ``windows_defender.READ_PREFERENCE_PS`` reads it (the same text).

``SnapshotCaller`` answers the ``win_reg_stat``, ``slurp`` and Defender-read calls of
``windows_agent.WindowsHost.read_state`` and ``windows_defender.DefenderExclusions.read`` from that
object, so the full path's read functions decide from the snapshot unchanged. Any other call, or a
read the snapshot does not hold, is recorded as a miss and answered with an error: the fast path then
says "not converged" and the full path reads the host itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import ntpath

from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_defender import (
    POLICY_KEY, POLICY_PATHS_KEY, READ_PREFERENCE_PS)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_vendor import (
    DRSCOUT_RELATIVE, PRODUCT_KEY, PRODUCTS_KEY, UNINSTALL_KEYS)

SNAPSHOT_VERSION = 1
SNAPSHOT_KEYS = tuple(UNINSTALL_KEYS) + (PRODUCT_KEY, PRODUCTS_KEY, POLICY_PATHS_KEY, POLICY_KEY)
_RESULT_LINE_PS = '$Ansible.Result = $info'
if _RESULT_LINE_PS not in READ_PREFERENCE_PS:  # pragma: no cover - guards the composition below
    raise ImportError('windows_defender.READ_PREFERENCE_PS no longer ends with %r' % _RESULT_LINE_PS)

# Read-only. The Defender part is READ_PREFERENCE_PS itself, up to where it would return $info.
READ_SNAPSHOT_PS = r'''
param(
    [Parameter(Mandatory = $true)][string[]]$Keys,
    [Parameter(Mandatory = $true)][string]$ProductKey,
    [Parameter(Mandatory = $true)][string]$DefaultAgentDir,
    [Parameter(Mandatory = $true)][string]$DrscoutRelative
)
# asr.mobility converged snapshot: registry, drscout.conf, OS data and Defender in one read
''' + READ_PREFERENCE_PS.split(_RESULT_LINE_PS, 1)[0] + r'''
$defender = $info

# Each value as win_reg_stat returns it in "value": expanded, DWORD/QWORD unsigned, binary as bytes.
# A key that exists but cannot be read fails the script (as win_reg_stat fails): no guess.
function Read-RegistryKey {
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        return $null
    }
    $key = Get-Item -LiteralPath $Path
    $values = @{}
    foreach ($name in $key.GetValueNames()) {
        $value = $key.GetValue($name, $null, [Microsoft.Win32.RegistryValueOptions]::None)
        if ($null -eq $value -or $name -eq '') {
            continue
        }
        $kind = $key.GetValueKind($name)
        if ($kind -eq [Microsoft.Win32.RegistryValueKind]::DWord) {
            $value = [UInt32]("0x{0:x}" -f $value)
        }
        elseif ($kind -eq [Microsoft.Win32.RegistryValueKind]::QWord) {
            $value = [UInt64]("0x{0:x}" -f $value)
        }
        elseif ($value -is [byte[]]) {
            $value = @($value | ForEach-Object { [int]$_ })
        }
        $values[$name] = $value
    }
    return $values
}

$registry = @{}
foreach ($path in $Keys) {
    $registry[$path] = Read-RegistryKey -Path $path
}

$agentDir = $DefaultAgentDir
$product = $registry[$ProductKey]
if ($null -ne $product -and $product['InstallDirectory']) {
    $agentDir = [string]$product['InstallDirectory']
}
$drscout = $agentDir.TrimEnd('\') + '\' + $DrscoutRelative
$file = @{ exists = $false; content = $null; error = $null }
try {
    if (Test-Path -LiteralPath $drscout -PathType Leaf) {
        $file.content = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($drscout))
        $file.exists = $true
    }
}
catch {
    $file.error = $_.Exception.Message
}
$files = @{}
$files[$drscout] = $file

$os = @{
    os_family = 'Windows'
    distribution = $null
    distribution_version = [Environment]::OSVersion.Version.ToString()
    architecture2 = 'unknown'
}
try {
    $os.distribution = (Get-CimInstance -ClassName Win32_OperatingSystem -Property Caption).Caption
}
catch {
    $os.distribution = $null
}
$architecture = $env:PROCESSOR_ARCHITEW6432
if (-not $architecture) {
    $architecture = $env:PROCESSOR_ARCHITECTURE
}
$os.architecture2 = switch ($architecture) {
    'AMD64' { 'x86_64' }
    'x86' { 'i386' }
    'ARM64' { 'arm64' }
    'IA64' { 'ia64' }
    default { 'unknown' }
}

$snapshot = @{
    version = 1
    os = $os
    registry = $registry
    files = $files
    defender = $defender
}
$Ansible.Result = ConvertTo-Json -InputObject $snapshot -Depth 8 -Compress
'''


class SnapshotError(ValueError):
    """The snapshot call failed or answered something this code does not understand."""


def snapshot_args(install_location):
    """The ``win_powershell`` arguments of the one snapshot call for an agent installed under
    ``install_location`` (``windows_vendor.install_location_for``)."""
    return {
        'script': READ_SNAPSHOT_PS,
        'parameters': {
            'Keys': list(SNAPSHOT_KEYS),
            'ProductKey': PRODUCT_KEY,
            'DefaultAgentDir': ntpath.join(install_location, 'agent'),
            'DrscoutRelative': DRSCOUT_RELATIVE,
        },
        'error_action': 'stop',
    }


def _text(value, what):
    if value is not None and not isinstance(value, str):
        raise SnapshotError('%s is not text: %r' % (what, value))
    return value


def parse_snapshot(result):
    """The ``win_powershell`` result of ``READ_SNAPSHOT_PS`` -> ``{'facts', 'registry', 'files',
    'defender'}``; raises ``SnapshotError`` (what is wrong) for a failed call or anything unexpected.

    ``registry``: {key: {value name: data} or None (no such key)} for every ``SNAPSHOT_KEYS`` key;
    ``files``: {path: {'exists', 'content' (base64 or None), 'error'}}; ``facts``: the
    ``ansible_facts`` keys the token needs (``os_family``, ``distribution``, ``distribution_version``,
    ``architecture2``); ``defender``: READ_PREFERENCE_PS's result."""
    result = result or {}
    if result.get('failed'):
        raise SnapshotError('the snapshot script failed: %s' % (result.get('msg') or 'no message'))
    raw = result.get('result')
    if not isinstance(raw, str):
        raise SnapshotError('the snapshot script returned no JSON text (%s)' % type(raw).__name__)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SnapshotError('the snapshot is not JSON: %s' % exc)
    if not isinstance(data, dict) or data.get('version') != SNAPSHOT_VERSION:
        raise SnapshotError('the snapshot is not a version %d object' % SNAPSHOT_VERSION)
    os_data, registry, files, defender = (data.get(k) for k in ('os', 'registry', 'files', 'defender'))
    for name, value in (('os', os_data), ('registry', registry), ('files', files), ('defender', defender)):
        if not isinstance(value, dict):
            raise SnapshotError('the snapshot has no %s object' % name)
    missing = [k for k in SNAPSHOT_KEYS if k not in registry]
    if missing:
        raise SnapshotError('the snapshot misses the registry key %s' % missing[0])
    keys = {}
    for key, values in registry.items():
        if values is not None and not isinstance(values, dict):
            raise SnapshotError('the registry key %s is not an object' % key)
        keys[key] = None if values is None else dict(values)
    found = {}
    for path, info in files.items():
        if not isinstance(info, dict) or not isinstance(info.get('exists'), bool):
            raise SnapshotError('the file entry %s is not understood' % path)
        content = _text(info.get('content'), 'the content of %s' % path)
        if info['exists'] and content is None:
            raise SnapshotError('%s exists but has no content' % path)
        found[path] = {'exists': info['exists'], 'content': content, 'error': info.get('error')}
    facts = {'os_family': 'Windows'}
    for name in ('distribution', 'distribution_version', 'architecture2'):
        facts[name] = _text(os_data.get(name), 'the OS value %s' % name)
    return {'facts': facts, 'registry': keys, 'files': found, 'defender': dict(defender)}


class SnapshotMiss(HostCallError):
    """A read the snapshot does not answer."""


class SnapshotCaller(object):
    """A caller as ``windows_calls.ModuleCaller`` that answers the state and Defender reads from a
    parsed snapshot (``parse_snapshot``) and nothing else. ``missed`` lists what it could not answer;
    any miss means the decision is not the snapshot's alone."""

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.missed = []
        self.calls = []

    def __call__(self, module, args, read_only=False, no_log=False, allow_failed=False):
        self.calls.append(module)
        answer = self._answer(module, dict(args or {}))
        if answer is None:
            what = '%s %s' % (module, json.dumps(args, sort_keys=True)[:200])
            self.missed.append(what)
            raise SnapshotMiss('not in the snapshot: %s' % what)
        if answer.get('failed') and not allow_failed:
            self.missed.append('%s (failed: %s)' % (module, answer.get('msg')))
            raise SnapshotMiss('%s failed: %s' % (module, answer.get('msg')))
        return answer

    def _answer(self, module, args):
        registry, files = self.snapshot['registry'], self.snapshot['files']
        if module == 'ansible.windows.win_reg_stat' and list(args) == ['path'] and args['path'] in registry:
            values = registry[args['path']]
            if values is None:
                return {'changed': False, 'exists': False}
            return {'changed': False, 'exists': True, 'sub_keys': [],
                    'properties': dict((name, {'value': value}) for name, value in values.items())}
        if module == 'ansible.windows.slurp' and list(args) == ['src'] and args['src'] in files:
            info = files[args['src']]
            if info['error']:
                return None  # unreadable here: the full path's slurp says why
            if not info['exists']:
                return {'failed': True, 'msg': 'Path %s is not found' % args['src']}
            return {'changed': False, 'content': info['content'], 'encoding': 'base64', 'source': args['src']}
        if module == 'ansible.windows.win_powershell' and args == {'script': READ_PREFERENCE_PS}:
            return {'changed': False, 'result': dict(self.snapshot['defender'])}
        return None
