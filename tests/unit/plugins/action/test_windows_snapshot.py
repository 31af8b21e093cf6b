# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils.windows_snapshot: the Windows fast path's one read (issue 16), parsed and served to the
full path's own read functions (WindowsHost.read_state, DefenderExclusions.read)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.plugin_utils import windows_defender
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_agent import WindowsHost
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_defender import DefenderExclusions
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_snapshot import (
    READ_SNAPSHOT_PS, SNAPSHOT_KEYS, SnapshotCaller, SnapshotError, SnapshotMiss, parse_snapshot, snapshot_args)

from asr_windows_double import (DRSCOUT, LOCATION, PRODUCT_KEY, UNINSTALL_KEY, UNINSTALL_KEY_WOW, FakeWindowsHost,
                                drscout, installed_registry)

DEFENDER = {'service': True, 'cmdlet': True, 'available': True, 'paths': ['C:\\ProgramData\\ASR\\agent'],
            'tamper_protected': False, 'error': None}
OS = {'os_family': 'Windows', 'distribution': 'Microsoft Windows Server 2022 Standard',
      'distribution_version': '10.0.20348.0', 'architecture2': 'x86_64'}


def answer(registry=None, files=None, os_data=None, defender=None, version=1):
    """A win_powershell result as READ_SNAPSHOT_PS returns it: $Ansible.Result is one JSON text."""
    keys = dict((k, None) for k in SNAPSHOT_KEYS)
    keys.update(registry or {})
    data = {'version': version, 'os': os_data or OS, 'registry': keys, 'files': files or {},
            'defender': defender or DEFENDER}
    return {'changed': False, 'result': json.dumps(data)}


def snapshot_of(host):
    """The fake host's answer to the real snapshot call (the model of our script, tests/windows_host_model.py)."""
    return parse_snapshot(host.win_powershell(snapshot_args(LOCATION)))


def test_the_call_reads_every_key_the_decision_reads():
    args = snapshot_args(LOCATION)
    assert args['script'] == READ_SNAPSHOT_PS
    assert args['parameters']['Keys'] == list(SNAPSHOT_KEYS)
    assert args['parameters']['DefaultAgentDir'] == LOCATION + '\\agent'
    for key in (UNINSTALL_KEY, UNINSTALL_KEY_WOW, PRODUCT_KEY, windows_defender.POLICY_KEY,
                windows_defender.POLICY_PATHS_KEY):
        assert key in SNAPSHOT_KEYS
    # the Defender part is the Defender read itself, not a second copy of it
    assert windows_defender.READ_PREFERENCE_PS.split('$Ansible.Result = $info', 1)[0] in READ_SNAPSHOT_PS


_TEXT = st.text(st.characters(blacklist_categories=('Cs',)), max_size=20)
_VALUE = st.one_of(_TEXT, st.integers(-2 ** 31, 2 ** 32), st.lists(_TEXT, max_size=3),
                   st.lists(st.integers(0, 255), max_size=4))


@given(registry=st.fixed_dictionaries(dict((k, st.one_of(st.none(), st.dictionaries(_TEXT, _VALUE, max_size=4)))
                                           for k in SNAPSHOT_KEYS)),
       content=st.one_of(st.none(), st.binary(max_size=64)),
       os_data=st.fixed_dictionaries({'distribution': st.one_of(st.none(), _TEXT),
                                      'distribution_version': _TEXT, 'architecture2': _TEXT}))
def test_parse_keeps_every_value_it_was_given(registry, content, os_data):
    files = {DRSCOUT: {'exists': content is not None, 'error': None,
                       'content': None if content is None else base64.b64encode(content).decode('ascii')}}
    parsed = parse_snapshot(answer(registry, files, dict(os_data, os_family='Windows')))
    assert parsed['registry'] == registry
    assert parsed['files'] == files
    assert parsed['facts'] == dict(os_data, os_family='Windows')
    assert parsed['defender'] == DEFENDER


@pytest.mark.parametrize('result, says', [
    ({'failed': True, 'msg': 'Access is denied'}, 'the snapshot script failed: Access is denied'),
    ({'result': {'version': 1}}, 'no JSON text (dict)'),
    ({'result': 'not json'}, 'not JSON'),
    ({'result': '[]'}, 'not a version 1 object'),
    (answer(version=2), 'not a version 1 object'),
    ({'result': json.dumps({'version': 1, 'os': {}, 'registry': {}, 'files': {}, 'defender': {}})},
     'misses the registry key HKLM:'),
    (answer(registry={PRODUCT_KEY: ['x']}), 'is not an object'),
    (answer(files={DRSCOUT: {'exists': True, 'content': None}}), 'exists but has no content'),
    (answer(files={DRSCOUT: {'exists': 'yes'}}), 'is not understood'),
    (answer(os_data={'distribution': 10}), 'the OS value distribution is not text'),
])
def test_parse_refuses_what_it_does_not_understand(result, says):
    with pytest.raises(SnapshotError) as caught:
        parse_snapshot(result)
    assert says in str(caught.value)


@given(st.text(max_size=40))
def test_parse_never_fails_other_than_with_a_snapshot_error(text):
    try:
        parse_snapshot({'result': text})
    except SnapshotError:
        pass


def test_the_caller_answers_as_the_modules_do():
    text = drscout()
    parsed = parse_snapshot(answer(
        registry={PRODUCT_KEY: {'Version': '9.66.0.0', 'Reboot_Required': 0}},
        files={DRSCOUT: {'exists': True, 'error': None, 'content': base64.b64encode(text.encode()).decode()},
               'C:\\gone.conf': {'exists': False, 'content': None, 'error': None},
               'C:\\locked.conf': {'exists': True, 'content': '', 'error': 'in use'}}))
    caller = SnapshotCaller(parsed)
    found = caller('ansible.windows.win_reg_stat', {'path': PRODUCT_KEY}, read_only=True)
    assert found['exists'] is True
    assert found['properties'] == {'Version': {'value': '9.66.0.0'}, 'Reboot_Required': {'value': 0}}
    assert caller('ansible.windows.win_reg_stat', {'path': UNINSTALL_KEY})['exists'] is False
    assert base64.b64decode(caller('ansible.windows.slurp', {'src': DRSCOUT})['content']).decode() == text
    assert caller('ansible.windows.slurp', {'src': 'C:\\gone.conf'}, allow_failed=True)['failed'] is True
    assert caller('ansible.windows.win_powershell', {'script': windows_defender.READ_PREFERENCE_PS})['result'] == \
        DEFENDER
    assert caller.missed == []
    for module, args in (('ansible.windows.slurp', {'src': 'C:\\locked.conf'}),        # unreadable there
                         ('ansible.windows.slurp', {'src': 'C:\\other.conf'}),         # not read
                         ('ansible.windows.win_reg_stat', {'path': 'HKLM:\\SOFTWARE\\Other'}),
                         ('ansible.windows.win_reg_stat', {'path': PRODUCT_KEY, 'name': 'Version'}),
                         ('ansible.windows.win_stat', {'path': 'C:\\x.exe'}),
                         ('ansible.windows.slurp', {'src': 'C:\\gone.conf'})):           # failed, not allowed
        with pytest.raises(SnapshotMiss):
            caller(module, args, allow_failed=False)
    assert len(caller.missed) == 6


HOSTS = {
    'not installed': dict(registry={}),
    'installed, registered': dict(registry=installed_registry(config='Succeeded'), logs={DRSCOUT: drscout()}),
    'installed, no VmPlatform: the MSI Platform': dict(
        registry=dict(installed_registry(), **{'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products':
                                               {'Platform': 'Azure'}}),
        logs={DRSCOUT: drscout(platform=None)}),
    'installed elsewhere': dict(registry=installed_registry(install_dir='D:\\ASR\\agent', config='Failed'),
                                logs={'D:\\ASR\\agent\\Application Data\\etc\\drscout.conf': drscout(cs_type='CSPrime')}),
    'installed, drscout.conf missing': dict(registry=installed_registry(post='Failed')),
}


@pytest.mark.parametrize('name', sorted(HOSTS))
def test_read_state_from_the_snapshot_is_read_state_from_the_host(name):
    """The same WindowsHost.read_state, once through the modules and once through the one read."""
    host = FakeWindowsHost(**copy.deepcopy(HOSTS[name]))
    direct = WindowsHost(lambda module, args, **kw: getattr(host, module.rsplit('.', 1)[-1])(args)).read_state()
    reader = SnapshotCaller(snapshot_of(host))
    assert WindowsHost(reader).read_state() == direct
    assert reader.missed == []


@pytest.mark.parametrize('defender', [
    None, {'paths': []}, {'paths': ['C:\\ProgramData\\ASR\\agent']}, {'paths': ['x'], 'hidden': True},
    {'service': False}, {'error': 'The service is stopped'}])
def test_defender_from_the_snapshot_is_defender_from_the_host(defender):
    host = FakeWindowsHost(registry={windows_defender.POLICY_PATHS_KEY: {'C:\\ProgramData\\ASR\\agent': '0'},
                                     windows_defender.POLICY_KEY: {'DisableLocalAdminMerge': 1}}, defender=defender)
    direct = DefenderExclusions(lambda module, args, **kw: getattr(host, module.rsplit('.', 1)[-1])(args)).read()
    reader = SnapshotCaller(snapshot_of(host))
    assert DefenderExclusions(reader).read() == direct
    assert reader.missed == []


def test_the_snapshot_script_parses():
    """READ_SNAPSHOT_PS is composed (it embeds the Defender read), so the literal-constant scan of
    test_powershell_snippets.py does not see it: parsed here with the same tree-sitter check."""
    from test_powershell_snippets import syntax_errors, tree_sitter
    if tree_sitter is None:
        pytest.skip('tree-sitter-powershell is not installed')
    assert syntax_errors(READ_SNAPSHOT_PS) == []
    broken = READ_SNAPSHOT_PS.replace('foreach ($path in $Keys) {', 'foreach ($path in $Keys) ', 1)
    assert syntax_errors(broken) != []


@pytest.mark.parametrize('result, reason', [
    ({'defender_available': True, 'changed': False, 'exclusions': ['a']}, None),
    ({'defender_available': False, 'changed': False}, 'Microsoft Defender is not available: the full path reports it'),
    ({'defender_available': True, 'changed': True, 'added': ['a', 'b'], 'removed': []}, 'Defender exclusions: add a, b'),
    ({'defender_available': True, 'changed': True, 'added': [], 'removed': ['c']}, 'Defender exclusions: remove c'),
    ({'defender_available': True, 'failed': True, 'msg': 'blocked'}, 'Defender exclusions: blocked'),
    (None, 'Microsoft Defender is not available: the full path reports it'),
])
def test_the_converged_defender_question(result, reason):
    assert windows_defender.not_as_wanted(result) == reason


@pytest.mark.parametrize('paths, state, reason', [
    (['C:\\ProgramData\\ASR\\agent'], 'present', None),
    (['c:\\programdata\\asr\\agent\\'], 'present', None),                    # Windows compares without case
    (['C:\\ProgramData\\ASR\\agent', 'C:\\Other'], 'present', 'Defender exclusions: add C:\\Other'),
    (['C:\\Other'], 'absent', None),
    (['C:\\ProgramData\\ASR\\agent'], 'absent', 'Defender exclusions: remove C:\\ProgramData\\ASR\\agent'),
])
def test_the_defender_decision_from_the_snapshot(paths, state, reason):
    reader = SnapshotCaller(parse_snapshot(answer()))
    found = DefenderExclusions(reader).run(paths, state, check_mode=True)
    assert windows_defender.not_as_wanted(found) == reason
    assert reader.missed == []
