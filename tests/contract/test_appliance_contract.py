# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host modernized configs through the role (issue 14), with a stand-in replication appliance.

The source host is the contract harness's Windows stand-in (``win1``); the appliance is a second
stand-in host (``appliance1``, its own state file) whose ``RcmProxyAgent.exe`` makes a config.json
bound to the BIOS ID inside the Agent Config Input it is given (``standin.py``). Proven here: the
role's calls, order, no_log, clean-up and messages against OUR stand-in, not against a real appliance.

For every run: the appliance's certificate (the config's secret) appears in no call argument except
the no_log secret-file writer, not in the playbook output, not in either host's files afterwards.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import json
import os
import re

import pytest

import harness

BASE = harness.load_scenario(os.path.join(harness.HERE, 'appliance', 'fresh_modernized.yml'))
PLAYBOOK = 'tests/contract/playbooks/windows_branch.yml'
PROGRAM = 'C:\\Program Files\\Microsoft Azure RCM Proxy Agent\\RcmProxyAgent.exe'
UNINSTALL_KEY = ('HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\'
                 '{275197FC-14FD-4560-A5EB-38217F80CBD1}')
PRODUCT_KEY = 'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products\\5'
DRSCOUT = 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent\\Application Data\\etc\\drscout.conf'
MODERNIZED_DRSCOUT = '[vxagent]\nCSType=CSPrime\nVmPlatform=VmWare\nHostId=6f1c2b9e-0d1e-4c57-9a51-3b1f0c2d7e11\n'
GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


@pytest.fixture(scope='module')
def real_docs():
    return harness.module_docs(['ansible.windows.%s' % name for name in harness.STANDIN_MODULES])


def scenario(**changes):
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        keys = path.split('__')
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return data


def check_no_secret(result, data):
    for secret in data.get('secrets') or []:
        assert secret not in result['output'], 'the config reached the playbook output'
        for call in result['raw']:
            if secret in json.dumps(call['args']):
                assert call['no_log'] and call['module'] == 'ansible.windows.win_powershell', call['module']
        for name, host in (('source', result['host']), ('appliance', result['appliance'] or {})):
            left = [p for p, info in (host.get('files') or {}).items() if secret in json.dumps(info)]
            assert left == [], 'config left on the %s: %s' % (name, left)


def appliance_calls(result):
    return [c for c in result['calls'] if c.get('host') == 'appliance1']


def source_commands(result):
    return [c['args'].get('cmd') for c in result['calls']
            if c['module'] == 'ansible.windows.win_command' and not c.get('host')]


def test_fresh_host_registers_with_the_config_the_appliance_made(tmp_path, real_docs):
    result = harness.run(BASE, PLAYBOOK, str(tmp_path))
    assert result['rc'] == 0, result['output'][-5000:]
    for key, value in BASE['outcome'].items():
        assert result['outcome'].get(key) == value, (key, result['outcome'])
    assert harness.invalid_arguments(result['raw'], real_docs) == []
    commands = source_commands(result)
    # installed without registering, the input read, then registered once with the made config
    assert [bool(re.search(p, c or '')) for p, c in zip(
        ['/q /x:', 'UnifiedAgentInstaller', 'AzureRcmCli.exe" --getagentconfiginput', 'UnifiedAgentConfigurator'],
        commands)] == [True] * 4 and len(commands) == 4, commands
    on_appliance = appliance_calls(result)
    assert [c['module'] for c in on_appliance] == [
        'ansible.windows.win_stat', 'ansible.windows.win_file', 'ansible.windows.win_command',
        'ansible.windows.slurp', 'ansible.windows.win_file']
    argv = on_appliance[2]['args']['argv']
    assert argv[:3] == [PROGRAM, '-createmobilityagentconfigfile', '-encodedinput']
    made_for = json.loads(base64.b64decode(argv[3]).decode('utf-8'))
    assert made_for == {'BiosId': BASE['host']['identity']['bios_id'], 'Fqdn': 'win1.contoso.local'}
    assert argv[4] == '-outputfilepath' and argv[6] == '-clientrequestid' and argv[8] == '-activityid'
    assert GUID.match(argv[7]) and GUID.match(argv[9]) and argv[7] != argv[9]
    assert on_appliance[3]['no_log'] is True                         # the slurp of the config
    assert on_appliance[4]['args'] == {'path': argv[5], 'state': 'absent'}
    assert result['appliance']['made'] == [argv[5]] and argv[5] not in result['appliance']['files']
    assert result['host']['registry'][PRODUCT_KEY]['AgentConfigurationStatus'] == 'Succeeded'
    check_no_secret(result, BASE)


def test_registered_host_costs_no_appliance_call(tmp_path):
    data = scenario()
    data['host']['registry'] = {
        UNINSTALL_KEY: {'DisplayName': 'Microsoft Azure Site Recovery Mobility Service/Master Target Server',
                        'DisplayVersion': '9.66.7567.1'},
        PRODUCT_KEY: {'Version': '9.66.0.0', 'Build_Number': '7567', 'PostInstallActions': 'Succeeded',
                      'AgentConfigurationStatus': 'Succeeded',
                      'InstallDirectory': 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent'}}
    data['host']['logs'] = {DRSCOUT: MODERNIZED_DRSCOUT}
    result = harness.run(data, PLAYBOOK, str(tmp_path))
    assert result['rc'] == 0, result['output'][-4000:]
    assert appliance_calls(result) == [] and source_commands(result) == []
    assert result['outcome']['registered'] is True and result['outcome']['actions'] == []


def rolled_back(result):
    assert UNINSTALL_KEY not in result['host']['registry'], 'the fresh install was not rolled back'
    assert 'rolled back (uninstalled)' in result['output']


@pytest.mark.parametrize('name, change, message, configurator_ran', [
    ('appliance unreachable', {'appliance': {'unreachable': True}},
     'the replication appliance appliance1 is unreachable', False),
    ('RcmProxyAgent.exe missing', {'appliance__host__files': {}},
     'has no C:\\Program Files\\Microsoft Azure RCM Proxy Agent\\RcmProxyAgent.exe', False),
    ('generation fails', {'appliance__host__appliance__faults': ['generation']},
     'RcmProxyAgent.exe exited 3 (CreateMobilityAgentConfig failed: the appliance is not registered with the vault.)',
     False),
    ('config not JSON', {'appliance__host__appliance__faults': ['not_json']}, 'config is not JSON', False),
    ('config for another machine', {'appliance__host__appliance__faults': ['other_machine']},
     "config was made for another machine: its BiosId is not this host's BIOS ID "
     "4C4C4544-0042-3510-8052-B4C04F4D4B32 (host name win1.contoso.local)", False),
])
def test_bad_appliance_inputs_fail_clearly_and_roll_back(tmp_path, name, change, message, configurator_ran):
    data = scenario(**change)
    result = harness.run(data, PLAYBOOK, str(tmp_path))
    output = ' '.join(result['output'].split())
    assert result['rc'] != 0, output[-3000:]
    assert 'win1: ' in output and message in output, (name, output[-4000:])
    assert any('UnifiedAgentConfigurator' in (c or '') for c in source_commands(result)) is configurator_ran
    rolled_back(result)
    if result['appliance'] is not None:
        assert [p for p in result['appliance'].get('made', []) if p in result['appliance']['files']] == []
    check_no_secret(result, data)


def test_appliance_not_windows_is_refused_before_anything_runs(tmp_path):
    data = scenario(appliance__os_family='Debian')
    result = harness.run(data, PLAYBOOK, str(tmp_path))
    output = ' '.join(result['output'].split())
    assert result['rc'] != 0
    assert "The replication appliance 'appliance1' is not a Windows host" in output and 'Nothing was changed' in output
    assert source_commands(result) == [] and appliance_calls(result) == []


def dir_scenario(tmp_path, bios_id=None):
    configs = tmp_path / 'configs'
    configs.mkdir()
    if bios_id:
        (configs / 'win1.json').write_text(json.dumps({
            'BiosId': bios_id, 'Fqdn': 'win1.contoso.local', 'ClientCertificate': 'Dir-Client-Certificate-Never-Logged'}))
    data = scenario(extra_vars__mobility_service_config_source='dir',
                    extra_vars__mobility_service_config_dir=str(configs))
    data['secrets'] = ['Dir-Client-Certificate-Never-Logged']
    del data['appliance']
    return data


def test_dir_config_registers_in_one_agent_call(tmp_path):
    data = dir_scenario(tmp_path, bios_id=BASE['host']['identity']['bios_id'])
    result = harness.run(data, PLAYBOOK, str(tmp_path / 'run'))
    assert result['rc'] == 0, result['output'][-4000:]
    commands = source_commands(result)
    # extract, install (its Agent Config Input read once), register: no appliance, no second read
    assert 'UnifiedAgentConfigurator' in commands[-1] and len(commands) <= 4, commands
    assert sum('AzureRcmCli' in c for c in commands) <= 1
    assert result['outcome']['registered'] is True
    check_no_secret(result, data)


def test_dir_config_file_missing_is_refused_before_anything_runs(tmp_path):
    data = dir_scenario(tmp_path)
    result = harness.run(data, PLAYBOOK, str(tmp_path / 'run'))
    output = ' '.join(result['output'].split())
    assert result['rc'] != 0
    assert 'win1 needs a modernized registration but its config file' in output and 'win1.json does not exist' in output
    assert 'Nothing was changed' in output
    assert source_commands(result) == [] and UNINSTALL_KEY not in result['host'].get('registry', {})


def test_harvest_collects_the_agent_config_input_and_changes_nothing(tmp_path):
    """playbooks/harvest_agent_config.yml on an installed, unregistered modernized Windows host."""
    data = scenario()
    data['host']['registry'] = {
        UNINSTALL_KEY: {'DisplayName': 'Microsoft Azure Site Recovery Mobility Service/Master Target Server',
                        'DisplayVersion': '9.66.7567.1'},
        PRODUCT_KEY: {'Version': '9.66.0.0', 'Build_Number': '7567', 'PostInstallActions': 'Succeeded',
                      'InstallDirectory': 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent'}}
    data['host']['logs'] = {DRSCOUT: MODERNIZED_DRSCOUT}
    out_dir = tmp_path / 'harvest'
    data['extra_vars'] = {'asr_mobility_harvest_dir': str(out_dir)}
    del data['appliance']
    result = harness.run(data, 'playbooks/harvest_agent_config.yml', str(tmp_path / 'run'))
    assert result['rc'] == 0, result['output'][-4000:]
    rows = json.loads((out_dir / 'agent_config_inputs.json').read_text())
    assert [r['host'] for r in rows] == ['win1']
    row = rows[0]
    assert row['bios_id'] == BASE['host']['identity']['bios_id'] and row['registered'] is False
    assert json.loads(base64.b64decode(row['agent_config_input']).decode('utf-8'))['BiosId'] == row['bios_id']
    assert row['next_step'].startswith('make its config.json')
    assert 'win1' in (out_dir / 'agent_config_inputs.csv').read_text()
    changing = [c for c in result['calls'] if c['module'] not in (
        'ansible.windows.setup', 'ansible.windows.win_reg_stat', 'ansible.windows.win_command')]
    assert changing == []
    assert [c['args']['cmd'] for c in result['calls'] if c['module'] == 'ansible.windows.win_command'] == [
        '"C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent\\AzureRcmCli.exe" --getagentconfiginput']
