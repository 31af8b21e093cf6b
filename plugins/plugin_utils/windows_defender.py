# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft Defender path exclusions, driven from the controller (reference §7).

Reads the local preference with a short ``win_powershell`` script (``Get-MpPreference``), reads the
Group Policy exclusions with ``win_reg_stat``, changes only what differs (``Add-MpPreference`` /
``Remove-MpPreference``) and reads the result back: a change that did not stick is reported as
blocked (tamper protection, or a policy that ignores local exclusions). Exclusions set by Group
Policy are reported and never fought: they count as present, and are not removed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ntpath

POLICY_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender'
POLICY_PATHS_KEY = POLICY_KEY + '\\Exclusions\\Paths'

# Read-only. Reports whether Defender is there (service WinDefend and the Defender cmdlets), its
# path exclusions and, where the build knows it, whether tamper protection is on.
READ_PREFERENCE_PS = r'''
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$info = @{
    service = $false
    cmdlet = $false
    available = $false
    paths = @()
    tamper_protected = $null
    error = $null
}
$info.service = $null -ne (Get-Service -Name WinDefend -ErrorAction SilentlyContinue)
$info.cmdlet = $null -ne (Get-Command -Name Get-MpPreference -ErrorAction SilentlyContinue)
if ($info.service -and $info.cmdlet) {
    try {
        $preference = Get-MpPreference
        $info.paths = @($preference.ExclusionPath | Where-Object { $_ })
        $info.available = $true
    }
    catch {
        $info.error = $_.Exception.Message
    }
    try {
        $status = Get-MpComputerStatus
        if ($null -ne $status.IsTamperProtected) {
            $info.tamper_protected = [bool]$status.IsTamperProtected
        }
    }
    catch {
        $info.tamper_protected = $null
    }
}
$Ansible.Result = $info
'''

# Adds or removes exactly the paths given, then reads the exclusions back.
CHANGE_PREFERENCE_PS = r'''
param(
    [Parameter(Mandatory = $true)][string[]]$Paths,
    [Parameter(Mandatory = $true)][ValidateSet('add', 'remove')][string]$Action
)
$ErrorActionPreference = 'Stop'
if ($Action -eq 'add') {
    Add-MpPreference -ExclusionPath $Paths
}
else {
    Remove-MpPreference -ExclusionPath $Paths
}
$Ansible.Changed = $true
$Ansible.Result = @{ paths = @((Get-MpPreference).ExclusionPath | Where-Object { $_ }) }
'''


def normalize(path):
    """Windows compares paths without case and without a trailing backslash."""
    return ntpath.normcase(str(path).strip()).rstrip('\\')


def _index(paths):
    return dict((normalize(p), p) for p in paths or [])


def decide(wanted, state, local_paths, policy_paths):
    """Pure decision: ``{'add': [...], 'remove': [...], 'policy_managed': [...]}``.

    ``local_paths`` are the exclusions Get-MpPreference reports (it shows policy ones too),
    ``policy_paths`` those Group Policy sets. A wanted path set by policy counts as present and is
    never removed (``policy_managed`` lists them for the report).
    """
    local = _index(local_paths)
    policy = _index(policy_paths)
    decision = {'add': [], 'remove': [], 'policy_managed': []}
    seen = set()
    for path in wanted:
        key = normalize(path)
        if key in seen:
            continue
        seen.add(key)
        if key in policy:
            decision['policy_managed'].append(path)
            continue
        if state == 'present' and key not in local:
            decision['add'].append(path)
        elif state == 'absent' and key in local:
            decision['remove'].append(local[key])
    return decision


def not_as_wanted(result):
    """Pure: why a check-mode ``DefenderExclusions.run`` result is not "already as wanted", or None when it
    is (Defender there, nothing to add or remove, nothing failed). The fast path's Defender question."""
    result = result or {}
    if not result.get('defender_available'):
        return 'Microsoft Defender is not available: the full path reports it'
    if result.get('failed') or result.get('changed'):
        todo = ['add %s' % ', '.join(result['added'])] if result.get('added') else []
        todo += ['remove %s' % ', '.join(result['removed'])] if result.get('removed') else []
        return 'Defender exclusions: %s' % ('; '.join(todo) or result.get('msg') or 'to change')
    return None


def _policy_values(result):
    properties = (result or {}).get('properties') or {}
    return dict((name, (prop or {}).get('value')) for name, prop in properties.items())


def _diff_text(paths):
    return ''.join('%s\n' % p for p in sorted(paths, key=normalize))


class DefenderExclusions(object):
    """``caller`` as in ``windows_calls.ModuleCaller``."""

    def __init__(self, caller):
        self.call = caller
        self.warnings = []

    def read(self):
        preference = self.call('ansible.windows.win_powershell', {'script': READ_PREFERENCE_PS}, read_only=True)
        info = dict(preference.get('result') or {})
        policy = _policy_values(self.call('ansible.windows.win_reg_stat', {'path': POLICY_PATHS_KEY}, read_only=True))
        settings = _policy_values(self.call('ansible.windows.win_reg_stat', {'path': POLICY_KEY}, read_only=True))
        info['policy_paths'] = sorted((name for name in policy if name), key=normalize)
        info['local_merge_disabled'] = str(settings.get('DisableLocalAdminMerge') or '0') == '1'
        info['paths'] = [p for p in (info.get('paths') or []) if p]
        return info

    def _run_hidden(self, wanted, state, info, result, shown, check_mode):
        """Defender shows ``N/A: Must be an administrator to view exclusions`` instead of the list
        (``HideExclusionsFromLocalAdmins=1``, a STIG item, and always from platform 4.18.23070;
        reference §7 [R2]). The exclusions cannot be compared or read back, so the wanted ones
        (except those Group Policy sets) are set every run and a warning says they could not be
        verified; this never fails, so it never blocks the install that follows."""
        policy = set(normalize(p) for p in info['policy_paths'])
        targets = [p for p in wanted if normalize(p) not in policy]
        managed = [p for p in wanted if normalize(p) in policy]
        action = 'add' if state == 'present' else 'remove'
        result.update(defender_available=True, exclusions_hidden=True, policy_managed=managed, exclusions=[],
                      added=targets if action == 'add' else [], removed=targets if action == 'remove' else [],
                      changed=bool(targets))
        if not targets or check_mode:
            return result
        changed = self.call('ansible.windows.win_powershell', {
            'script': CHANGE_PREFERENCE_PS, 'parameters': {'Paths': targets, 'Action': action},
            'error_action': 'stop'}, allow_failed=True)
        if changed.get('failed'):
            result.update(changed=False, added=[], removed=[])
            self.warnings.append('Microsoft Defender hides its exclusions (%s) and %s-MpPreference failed: %s. The '
                                 'exclusions (%s) are probably not in place: set them through the tool that manages '
                                 'Defender here (Intune, Group Policy).'
                                 % (shown, action.capitalize(), changed.get('msg') or 'error', ', '.join(targets)))
            return result
        self.warnings.append('Microsoft Defender hides its exclusions from local administrators (%s: '
                             'HideExclusionsFromLocalAdmins, or Defender platform 4.18.23070 and later). %s-MpPreference '
                             'succeeded for %s, but the result cannot be read back: check it in the Defender '
                             'management console.' % (shown, action.capitalize(), ', '.join(targets)))
        return result

    def run(self, paths, state, check_mode=False, diff=False):
        result = {'changed': False, 'added': [], 'removed': [], 'policy_paths': [], 'policy_managed': [],
                  'exclusions': [], 'defender_available': False, 'tamper_protected': None}
        wanted = [p for p in paths if p and str(p).strip()]
        info = self.read()
        result.update(policy_paths=info['policy_paths'], tamper_protected=info.get('tamper_protected'))
        if not info.get('available'):
            why = []
            if not info.get('service'):
                why.append('the WinDefend service is missing')
            if not info.get('cmdlet'):
                why.append('Get-MpPreference is not found')
            if info.get('error'):
                why.append('Get-MpPreference failed: %s' % info['error'])
            result['msg'] = ('Microsoft Defender is not available on this host (%s); nothing was changed. If another '
                             'antivirus product protects it, exclude these paths there: %s'
                             % ('; '.join(why) or 'unknown reason', ', '.join(wanted)))
            self.warnings.append(result['msg'])
            return result
        result['exclusions_hidden'] = False
        hidden = [p for p in info['paths'] if str(p).startswith('N/A')]
        if hidden:
            return self._run_hidden(wanted, state, info, result, hidden[0], check_mode)

        result['defender_available'] = True
        decision = decide(wanted, state, info['paths'], info['policy_paths'])
        result['policy_managed'] = decision['policy_managed']
        if decision['policy_managed']:
            verb = 'kept (state=absent is not applied to them)' if state == 'absent' else 'already excluded'
            self.warnings.append('Set by Group Policy and %s: %s' % (verb, ', '.join(decision['policy_managed'])))
        before = list(info['paths'])
        removed_keys = set(normalize(p) for p in decision['remove'])
        after = [p for p in before if normalize(p) not in removed_keys] + decision['add']
        result.update(added=decision['add'], removed=decision['remove'], exclusions=after,
                      changed=bool(decision['add'] or decision['remove']))
        if diff:
            result['diff'] = {'before': _diff_text(before), 'after': _diff_text(after),
                              'before_header': 'Defender ExclusionPath', 'after_header': 'Defender ExclusionPath'}
        if check_mode or not result['changed']:
            return result

        action, targets = ('add', decision['add']) if decision['add'] else ('remove', decision['remove'])
        changed = self.call('ansible.windows.win_powershell', {
            'script': CHANGE_PREFERENCE_PS, 'parameters': {'Paths': targets, 'Action': action},
            'error_action': 'stop'}, allow_failed=True)
        readback = [p for p in ((changed.get('result') or {}).get('paths') or []) if p]
        if changed.get('failed'):
            readback = self.read()['paths']
        result['exclusions'] = readback
        now = set(normalize(p) for p in readback)
        stuck = [p for p in targets if (normalize(p) in now) == (action == 'add')]
        if len(stuck) != len(targets):
            missing = [p for p in targets if p not in stuck]
            reasons = []
            if info.get('tamper_protected'):
                reasons.append('tamper protection is on')
            if info.get('local_merge_disabled'):
                reasons.append('Group Policy ignores local exclusions (DisableLocalAdminMerge=1)')
            if changed.get('failed'):
                reasons.append('%s-MpPreference failed: %s' % (action.capitalize(), changed.get('msg') or 'error'))
            result['failed'] = True
            result['msg'] = ('Microsoft Defender did not keep the change (%s %s): %s. Add the exclusions through the '
                             'tool that manages Defender here (Intune, Group Policy or the Security Center) instead.'
                             % (action, ', '.join(missing),
                                '; '.join(reasons) or 'something (tamper protection or a policy) blocks local changes'))
        return result
