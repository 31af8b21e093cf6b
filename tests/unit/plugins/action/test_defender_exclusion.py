# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin asr.mobility.defender_exclusion against a fake host answering like
ansible.windows.win_powershell / win_reg_stat."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.asr.mobility.plugins.action.defender_exclusion import ActionModule
from ansible_collections.asr.mobility.plugins.plugin_utils import windows_defender

from asr_windows_double import FakeWindowsHost, make_action

AGENT = 'C:\\ProgramData\\ASR\\agent'
PROGRAM = 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery'
OTHER = 'D:\\SQLData'


def defender_host(paths=(), policy=(), tamper=None, sticky=True, service=True, cmdlet=True, error=None,
                  merge_disabled=False):
    registry = {}
    if policy:
        registry[windows_defender.POLICY_PATHS_KEY] = dict((p, '0') for p in policy)
    if merge_disabled:
        registry[windows_defender.POLICY_KEY] = {'DisableLocalAdminMerge': 1}
    return FakeWindowsHost(registry=registry, defender={
        'paths': list(paths), 'tamper_protected': tamper, 'sticky': sticky, 'service': service,
        'cmdlet': cmdlet, 'error': error})


def run(host, args, **kwargs):
    return make_action(ActionModule, args, host, **kwargs).run(task_vars={})


def change_calls(host):
    return [c for c in host.calls if c['module'] == 'ansible.windows.win_powershell'
            and c['args']['script'] == windows_defender.CHANGE_PREFERENCE_PS]


def test_present_adds_only_what_is_missing():
    host = defender_host(paths=[OTHER, AGENT.lower() + '\\'])
    result = run(host, {'paths': [AGENT, PROGRAM]})
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert result['added'] == [PROGRAM]
    assert result['removed'] == []
    calls = change_calls(host)
    assert len(calls) == 1
    assert calls[0]['args']['parameters'] == {'Paths': [PROGRAM], 'Action': 'add'}
    assert calls[0]['args']['error_action'] == 'stop'
    assert PROGRAM in result['exclusions']
    assert result['defender_available'] is True


def test_present_is_idempotent():
    host = defender_host(paths=[AGENT, PROGRAM])
    result = run(host, {'paths': [AGENT, PROGRAM]})
    assert result['changed'] is False
    assert change_calls(host) == []


def test_reads_run_in_check_mode_changes_do_not():
    host = defender_host(paths=[OTHER])
    result = run(host, {'paths': [AGENT, PROGRAM]}, check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['added'] == [AGENT, PROGRAM]
    assert change_calls(host) == []
    assert all(c['check_mode'] is False for c in host.calls)
    assert result['diff']['before'] == OTHER + '\n'
    assert result['diff']['after'] == '%s\n%s\n%s\n' % (PROGRAM, AGENT, OTHER)  # sorted, without case
    assert [c['module'] for c in host.calls] == ['ansible.windows.win_powershell', 'ansible.windows.win_reg_stat',
                                                 'ansible.windows.win_reg_stat']


def test_absent_removes_local_exclusions_only():
    host = defender_host(paths=[OTHER, AGENT])
    result = run(host, {'paths': [AGENT, PROGRAM], 'state': 'absent'})
    assert result['changed'] is True
    assert result['removed'] == [AGENT]
    assert change_calls(host)[0]['args']['parameters'] == {'Paths': [AGENT], 'Action': 'remove'}
    assert result['exclusions'] == [OTHER]


def test_group_policy_exclusions_are_reported_not_fought():
    host = defender_host(paths=[AGENT], policy=[AGENT])
    present = run(host, {'paths': [AGENT, PROGRAM]})
    assert present['policy_paths'] == [AGENT]
    assert present['policy_managed'] == [AGENT]
    assert present['added'] == [PROGRAM]
    assert any('Group Policy' in w for w in present['warnings'])

    host = defender_host(paths=[AGENT], policy=[AGENT])
    absent = run(host, {'paths': [AGENT], 'state': 'absent'})
    assert absent['changed'] is False
    assert absent['removed'] == []
    assert change_calls(host) == []
    assert any('kept' in w for w in absent['warnings'])


@pytest.mark.parametrize('kwargs, why', [
    ({'service': False}, 'the WinDefend service is missing'),
    ({'cmdlet': False}, 'Get-MpPreference is not found'),
    ({'error': 'Operation failed with the following error: 0x800106ba'}, '0x800106ba'),
])
def test_defender_absent_is_a_clear_message_not_a_failure(kwargs, why):
    host = defender_host(**kwargs)
    result = run(host, {'paths': [AGENT]})
    assert not result.get('failed')
    assert result['changed'] is False
    assert result['defender_available'] is False
    assert 'Microsoft Defender is not available' in result['msg'] and why in result['msg']
    assert result['warnings'] == [result['msg']]
    assert change_calls(host) == []


def test_tamper_protection_blocks_the_change():
    host = defender_host(paths=[], tamper=True, sticky=False)
    result = run(host, {'paths': [AGENT]})
    assert result['failed'] is True
    assert result['tamper_protected'] is True
    assert 'did not keep the change' in result['msg'] and 'tamper protection is on' in result['msg']
    assert len(change_calls(host)) == 1


def test_policy_without_local_merge_blocks_the_change():
    host = defender_host(paths=[], sticky=False, merge_disabled=True)
    result = run(host, {'paths': [AGENT]})
    assert result['failed'] is True
    assert 'DisableLocalAdminMerge=1' in result['msg']


def test_hidden_exclusions_are_set_with_a_warning_and_never_fail():
    """STIG HideExclusionsFromLocalAdmins=1 / Defender >= 4.18.23070: the list reads N/A (reference §7 [R2])."""
    host = defender_host(paths=[OTHER], policy=[PROGRAM])
    host.defender['hidden'] = True
    result = run(host, {'paths': [AGENT, PROGRAM]})
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert result['exclusions_hidden'] is True
    assert result['added'] == [AGENT]
    assert result['policy_managed'] == [PROGRAM]
    assert [c['args']['parameters'] for c in change_calls(host)] == [{'Paths': [AGENT], 'Action': 'add'}]
    assert AGENT in host.defender['paths']
    assert any('cannot be read back' in w for w in result['warnings'])


def test_hidden_exclusions_in_check_mode_change_nothing():
    host = defender_host(paths=[])
    host.defender['hidden'] = True
    result = run(host, {'paths': [AGENT]}, check_mode=True)
    assert not result.get('failed'), result
    assert result['changed'] is True and result['exclusions_hidden'] is True
    assert change_calls(host) == []


def test_hidden_exclusions_whose_change_fails_only_warn():
    host = defender_host(paths=[])
    host.defender['hidden'] = True
    original = host._win_powershell

    def failing(args):
        if args['script'] == windows_defender.CHANGE_PREFERENCE_PS:
            return {'failed': True, 'msg': 'Operation failed with the following error: 0x800106ba'}
        return original(args)
    host._win_powershell = failing
    result = run(host, {'paths': [AGENT]})
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert any('0x800106ba' in w and 'probably not in place' in w for w in result['warnings'])


def test_empty_paths_are_refused():
    with pytest.raises(AnsibleActionFail):
        run(defender_host(), {'paths': ['', ' ']})


def test_decide_is_case_and_slash_insensitive():
    decision = windows_defender.decide(['c:/programdata/asr/agent', PROGRAM, PROGRAM.upper()], 'present',
                                       [AGENT + '\\'], [])
    assert decision == {'add': [PROGRAM], 'remove': [], 'policy_managed': []}
