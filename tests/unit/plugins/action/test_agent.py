# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin asr.mobility.agent: backend choice, and the Windows lifecycle against a fake
host answering like ansible.windows (see conftest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import types

import pytest

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure

from ansible_collections.asr.mobility.plugins.action import agent as agent_action
from ansible_collections.asr.mobility.plugins.module_utils import exit_codes
from ansible_collections.asr.mobility.plugins.module_utils import agent_args
from ansible_collections.asr.mobility.plugins.plugin_utils import windows_agent
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import host_os_family

from asr_windows_double import (
    CONFIG_JSON, CONFIGURATOR, EXTRACT_DIR, INSTALLER, LOCATION, PASSPHRASE, REMOTE_DIR, SECRET_DIR, SECRET_ID,
    UNINSTALL_KEY, UNINSTALL_KEY_WOW, FakeWindowsHost, installed_registry, make_action)

ActionModule = agent_action.ActionModule

CLASSIC = {'installer': INSTALLER, 'control_plane': 'classic', 'cs_address': '10.0.0.5', 'passphrase': PASSPHRASE}
MODERNIZED = {'installer': INSTALLER, 'control_plane': 'modernized', 'config': CONFIG_JSON}

# Only the private copy of the installer (in the private extraction directory) is extracted.
EXTRACT_CMD = '"%s\\%s" /q /x:"%s"' % (EXTRACT_DIR, INSTALLER.rsplit('\\', 1)[1], EXTRACT_DIR)
INSTALL_CLASSIC = ('"%s\\UnifiedAgent.exe" /Role "MS" /InstallLocation "%s" /Platform "VmWare" /Silent /CSType CSLegacy'
                   % (EXTRACT_DIR, LOCATION))
INSTALL_MODERN = ('"%s\\UnifiedAgentInstaller.exe" /Platform VmWare /Silent /Role MS /CSType CSPrime /InstallLocation "%s"'
                  % (EXTRACT_DIR, LOCATION))
REGISTER_CLASSIC = ('"%s" /CSEndPoint 10.0.0.5 /PassphraseFilePath "%s\\connection.passphrase" /CSPort 443'
                    % (CONFIGURATOR, SECRET_DIR))
REGISTER_MODERN = '"%s" /SourceConfigFilePath "%s\\config.json" /CSType CSPrime' % (CONFIGURATOR, SECRET_DIR)
UNINSTALL_CMD = ('msiexec.exe /qn /norestart /x {275197FC-14FD-4560-A5EB-38217F80CBD1} /L+*V '
                 '"C:\\ProgramData\\ASRSetupLogs\\UnifiedAgentMSIUninstall.log"')
CONFIGURATOR_LOG = 'C:\\ProgramData\\ASRSetupLogs\\ASRUnifiedAgentConfigurator.log'
INSTALLER_LOG = 'C:\\ProgramData\\ASRSetupLogs\\ASRUnifiedAgentInstaller.log'
ERRORS_JSON = 'C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json'


@pytest.fixture(autouse=True)
def fixed_secret_id(monkeypatch):
    monkeypatch.setattr(windows_agent.uuid, 'uuid4', lambda: types.SimpleNamespace(hex=SECRET_ID))


def run(host, args, task_vars, **kwargs):
    action = make_action(ActionModule, args, host, **kwargs)
    return action.run(task_vars=task_vars)


def fresh_host(**logs):
    host = FakeWindowsHost(files=[INSTALLER], logs=logs)
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    return host


def contains(obj, secret):
    """Is ``secret`` inside any string of a nested structure (keys included)?"""
    if isinstance(obj, dict):
        return any(contains(k, secret) or contains(v, secret) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return any(contains(v, secret) for v in obj)
    return isinstance(obj, str) and secret in obj


def assert_secret_handling(host, result, secret):
    """The secret reached the host only through a no_log call, as a sensitive parameter, and its
    directory is gone afterwards; it is nowhere in the result."""
    carriers = [c for c in host.calls if contains(c['args'], secret)]
    assert carriers, 'the secret was never sent'
    for call in carriers:
        assert call['no_log'] is True, call['module']
        assert call['module'] == 'ansible.windows.win_powershell'
        assert not contains(dict((k, v) for k, v in call['args'].items() if k != 'sensitive_parameters'), secret)
        assert call['args']['sensitive_parameters'] == [{'name': 'Secret', 'value': secret}]
    assert not host.secret_files, 'secret file left on the host'
    assert not [f for f in host.files if f.startswith(SECRET_DIR)]
    removals = [c for c in host.calls if c['module'] == 'ansible.windows.win_file']
    assert removals and removals[-1]['args'] == {'path': SECRET_DIR, 'state': 'absent'}
    assert not contains(result, secret)


# --- backend choice ------------------------------------------------------------------------

@pytest.mark.parametrize('task_vars, shell, expected', [
    ({'asr_mobility_os_family': 'Windows'}, 'sh', 'windows'),
    ({'asr_mobility_os_family': 'windows', 'ansible_facts': {'os_family': 'Debian'}}, 'sh', 'windows'),
    ({'asr_mobility_os_family': 'RedHat', 'ansible_facts': {'os_family': 'Windows'}}, 'powershell', 'linux'),
    ({'ansible_facts': {'os_family': 'Windows'}}, 'sh', 'windows'),
    # the injected fact variable is deprecated (ansible-core 2.20+): only ansible_facts counts
    ({'ansible_os_family': 'Windows'}, 'sh', 'linux'),
    ({'ansible_os_family': 'Windows'}, 'powershell', 'windows'),
    ({'ansible_facts': {'os_family': 'RedHat'}}, 'powershell', 'linux'),
    ({}, 'powershell', 'windows'),
    ({}, 'cmd', 'windows'),
    ({}, 'sh', 'linux'),
    ({}, None, 'linux'),
])
def test_backend_order(task_vars, shell, expected):
    assert host_os_family(task_vars, shell)[0] == expected


def test_linux_host_runs_the_module_with_the_args_unchanged(monkeypatch):
    args = dict(CLASSIC, installer='/var/tmp/Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release.tar.gz',
                some_future_option='kept')
    monkeypatch.setattr(agent_action, '_apply_action_arg_defaults', lambda action, task, margs, templar: margs)
    action = make_action(ActionModule, args, None, shell_family='sh')
    module_result = {'changed': True, 'actions': [{'action': 'install'}], 'os_token': 'RHEL8-64'}
    calls = []

    def execute(**kwargs):
        calls.append(kwargs)
        return module_result

    action._execute_module = execute
    task_vars = {'ansible_facts': {'os_family': 'RedHat'}}
    result = action.run(task_vars=task_vars)
    assert result is module_result
    assert len(calls) == 1
    assert calls[0]['module_name'] == 'asr.mobility.agent'
    assert calls[0]['module_args'] == args
    assert calls[0]['task_vars'] is task_vars
    assert calls[0]['wrap_async'] == 0


def test_linux_dispatch_applies_module_defaults_like_package(monkeypatch):
    seen = []

    def defaults(action, task, margs, templar):
        seen.append(action)
        merged = {'cs_port': 4443}
        merged.update(margs)
        return merged

    monkeypatch.setattr(agent_action, '_apply_action_arg_defaults', defaults)
    action = make_action(ActionModule, {'state': 'absent'}, None, shell_family='sh')
    captured = {}
    action._execute_module = lambda **kw: captured.update(kw) or {'changed': False}
    action.run(task_vars={})
    assert seen == ['asr.mobility.agent']
    assert captured['module_args'] == {'state': 'absent', 'cs_port': 4443}


def test_module_and_windows_action_validate_with_one_spec(monkeypatch, windows_vars):
    """The module and the Windows side of the action take the one spec of module_utils.agent_args."""
    from ansible_collections.asr.mobility.plugins.modules import agent as agent_module
    captured = {}

    class Stop(Exception):
        pass

    def capture(name):
        def fake(**kwargs):
            captured[name] = kwargs
            raise Stop()
        return fake

    monkeypatch.setattr(agent_module, 'AnsibleModule', capture('module'))
    with pytest.raises(Stop):
        agent_module.main()
    action = make_action(ActionModule, dict(CLASSIC), FakeWindowsHost())
    monkeypatch.setattr(action, 'validate_argument_spec', capture('action'))
    with pytest.raises(Stop):
        action.run(task_vars=windows_vars)
    expected = agent_args.agent_argument_spec()
    for name in ('module', 'action'):
        assert captured[name]['argument_spec'] == expected
        assert [tuple(r) for r in captured[name]['required_if']] == [tuple(r) for r in agent_args.REQUIRED_IF]
    assert agent_args.SECRET_OPTIONS == ('config', 'passphrase')


# --- Windows: installs ---------------------------------------------------------------------

def test_fresh_host_classic_installs_and_registers(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect())
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    result = run(host, CLASSIC, windows_vars)

    assert not result.get('failed'), result
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['os_token'] == 'Windows'
    assert result['os_token_confirmed'] is True
    assert result['installer_version'] == '9.66.7567.1'
    assert result['version_before'] is None
    assert result['version_after'] == '9.66.7567.0'
    assert result['registered'] is True
    assert result['reboot_required'] is False
    assert result['control_plane'] == 'classic'
    assert host.commands() == [EXTRACT_CMD, INSTALL_CLASSIC, REGISTER_CLASSIC]
    install_call = [c for c in host.calls if c['args'].get('cmd') == INSTALL_CLASSIC][0]
    assert install_call['args']['chdir'] == EXTRACT_DIR
    assert_secret_handling(host, result, PASSPHRASE)
    # write secret -> configurator -> remove, in that order
    order = [c['module'] for c in host.agent_calls() if c['module'] in (
        'ansible.windows.win_powershell', 'ansible.windows.win_command', 'ansible.windows.win_file')]
    assert order[-3:] == ['ansible.windows.win_powershell', 'ansible.windows.win_command', 'ansible.windows.win_file']
    write = [c for c in host.calls if c['module'] == 'ansible.windows.win_powershell'
             and c['args']['script'] == windows_agent.WRITE_SECRET_PS][0]
    assert write['args']['parameters'] == {'Directory': SECRET_DIR, 'FileName': 'connection.passphrase'}
    assert write['args']['error_action'] == 'stop'


def test_fresh_host_modernized(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime'),
            stdout='Agent Config Input: QUNJ')
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    result = run(host, MODERNIZED, windows_vars)
    assert not result.get('failed'), result
    assert host.commands() == [EXTRACT_CMD, INSTALL_MODERN, REGISTER_MODERN]
    assert result['agent_config_input'] == 'QUNJ'
    assert result['control_plane'] == 'modernized'
    assert_secret_handling(host, result, CONFIG_JSON)


def test_modernized_config_for_another_machine_is_refused_before_the_installer(windows_vars):
    host = fresh_host()
    host.bios_id = '11111111-2222-3333-4444-555555555555'
    result = run(host, MODERNIZED, windows_vars)
    assert result.get('failed') and 'made for another machine' in result['msg'], result
    assert host.bios_id in result['msg'] and 'Nothing was changed' in result['msg']
    assert host.commands() == [] and host.changing_calls() == []
    assert 'Config-Json-Secret-Do-Not-Log' not in repr(result)


def test_modernized_install_without_registration_returns_the_agent_config_input(windows_vars):
    import base64
    import json
    host = fresh_host()
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime'))
    doc = json.dumps({'BiosId': host.bios_id, 'Fqdn': 'win01.example.com'}).encode('utf-8')
    host.on(r'AzureRcmCli\.exe" --getagentconfiginput$',
            stdout='getagentconfiginput:%s\r\n' % base64.b64encode(doc).decode('ascii'))
    args = dict(MODERNIZED, register=False)
    del args['config']
    result = run(host, args, windows_vars)
    assert not result.get('failed'), result
    assert result['agent_config_input_decoded'] == {'bios_id': host.bios_id, 'fqdn': 'win01.example.com'}
    assert host.commands()[-1] == '"%s\\agent\\AzureRcmCli.exe" --getagentconfiginput' % LOCATION


def test_same_version_runs_no_installer(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Succeeded'))
    result = run(host, dict(CLASSIC, state='latest'), windows_vars)
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert result['actions'] == []
    assert result['version_before'] == result['version_after'] == '9.66.7567.0'
    assert result['registered'] is True
    assert host.changing_calls() == []
    assert 'ansible.windows.win_stat' not in host.modules  # not even the installer is looked at


def test_older_installed_is_upgraded(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(version='9.60.0.0', build='6956', config='Succeeded'),
                           files=[INSTALLER])
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    host.on(r'UnifiedAgent\.exe', rc=98, effect=host.install_effect())
    result = run(host, dict(CLASSIC, state='latest'), windows_vars)
    assert not result.get('failed'), result
    assert [a['action'] for a in result['actions']] == ['upgrade']
    assert host.commands() == [EXTRACT_CMD, INSTALL_CLASSIC + ' /InstallationType Upgrade']
    assert result['version_before'] == '9.60.6956.0'
    assert result['version_after'] == '9.66.7567.0'
    assert result['reboot_required'] is False  # 98 is success with warnings on Windows


def test_newer_installed_is_refused(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(version='9.70.0.0', build='8000', config='Succeeded'))
    result = run(host, dict(CLASSIC, state='latest'), windows_vars)
    assert result['failed'] is True
    assert 'newer than the newest installer offered' in result['msg']
    assert 'Nothing was changed' in result['msg']
    assert host.changing_calls() == []


def test_post_install_failed_is_reinstalled(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(post='Failed', config='Succeeded'), files=[INSTALLER])
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect())
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert result['actions'][0]['action'] == 'install'
    assert result['actions'][0].get('repair') is True
    assert host.commands() == [EXTRACT_CMD, INSTALL_CLASSIC]  # Install, not Upgrade


def test_3010_means_reboot_required(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=3010, effect=host.install_effect(config='Succeeded'))
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert not result.get('failed'), result
    assert result['reboot_required'] is True
    assert result['changed'] is True


def test_msiexec_1641_means_the_host_is_rebooting(windows_vars):
    """Only msiexec's 1641 means a restart has started (the installer's 1641 does not: test_windows_vendor)."""
    host = FakeWindowsHost(registry=installed_registry(config='Succeeded'))
    host.on(r'msiexec\.exe', rc=1641, effect=FakeWindowsHost.uninstall_effect)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert not result.get('failed'), result
    assert result['reboot_required'] is True
    assert result['version_after'] is None and result['registered'] is False
    # nothing is read from a host going down (but the host lock is given back)
    assert host.agent_calls()[-1]['module'] == 'ansible.windows.win_command'


@pytest.mark.parametrize('rc', [97, 99, 42])
def test_installer_failure_carries_message_and_log_tail(windows_vars, rc):
    log = '\n'.join('installer line %d' % i for i in range(40))
    errors = json.dumps({'errors': [{'error_name': 'ASRMobilityServiceInstallerPrereqs'}]}, indent=1)
    host = fresh_host(**{INSTALLER_LOG: log.encode('utf-16'), ERRORS_JSON: errors})
    host.on(r'UnifiedAgent\.exe', rc=rc, stdout='setup failed')
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert result['failed'] is True
    assert result['vendor_exit_code'] == rc
    assert result['vendor_message'] == exit_codes.WINDOWS_INSTALLER[rc].meaning
    assert exit_codes.describe('windows_installer', rc) in result['msg']
    assert result['failed_action']['action'] == 'install'
    tail = result['log_tail']
    assert tail[0] == 'installer line 15' and tail[24] == 'installer line 39'  # UTF-16 decoded, last 25
    assert '--- %s ---' % ERRORS_JSON in tail
    assert tail[-2:] == ['--- program output ---', 'setup failed']
    assert result['changed'] is True


@pytest.mark.parametrize('rc', [13, 14])
def test_registration_failure_on_installed_agent(windows_vars, rc):
    log = 'configurator start\nCS said no\nexit %d\n' % rc
    host = FakeWindowsHost(registry=installed_registry(config='Failed'), logs={CONFIGURATOR_LOG: log})
    host.on(r'UnifiedAgentConfigurator\.exe', rc=rc)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert result['vendor_exit_code'] == rc
    assert result['vendor_message'] == exit_codes.WINDOWS_CONFIGURATOR[rc].meaning
    assert result['msg'].startswith('register failed: UnifiedAgentConfigurator.exe exited %d' % rc)
    assert exit_codes.WINDOWS_CONFIGURATOR[rc].action in result['msg']
    assert result['log_tail'][:3] == ['configurator start', 'CS said no', 'exit %d' % rc]
    assert 'rollback' not in result  # the agent was there before: nothing to roll back
    assert host.commands() == [REGISTER_CLASSIC]
    assert_secret_handling(host, result, PASSPHRASE)


def test_registration_failure_after_fresh_install_rolls_back(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect())
    host.on(r'UnifiedAgentConfigurator\.exe', rc=14)
    host.on(r'msiexec\.exe', effect=FakeWindowsHost.uninstall_effect)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert result['vendor_exit_code'] == 14
    assert host.commands() == [EXTRACT_CMD, INSTALL_CLASSIC, REGISTER_CLASSIC, UNINSTALL_CMD]
    assert result['rollback'].startswith('rolled back')
    assert result['version_after'] is None
    assert_secret_handling(host, result, PASSPHRASE)


def test_configurator_success_without_status_is_a_failure(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    host.on(r'UnifiedAgentConfigurator\.exe', rc=0)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'AgentConfigurationStatus is Failed' in result['msg']


def test_secret_removed_when_the_connection_drops_during_registration(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    host.on(r'UnifiedAgentConfigurator\.exe', raises=AnsibleConnectionFailure('winrm connection lost'))
    with pytest.raises(AnsibleConnectionFailure):
        run(host, CLASSIC, windows_vars)
    assert host.agent_calls()[-1]['module'] == 'ansible.windows.win_file'
    assert host.agent_calls()[-1]['args'] == {'path': SECRET_DIR, 'state': 'absent'}
    assert not host.secret_files
    assert windows_agent.LOCK_FILE not in host.files  # the lock is given back as the error propagates


def test_secret_write_failure_still_cleans_up_and_fails(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    host.fail_modules['write_secret'] = (SECRET_DIR + '\\connection.passphrase',)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'win_powershell failed' in result['msg']
    assert host.commands() == []  # the configurator never ran without its file
    assert host.agent_calls()[-1]['module'] in ('ansible.windows.win_reg_stat', 'ansible.windows.slurp')
    assert {'path': SECRET_DIR, 'state': 'absent'} in [c['args'] for c in host.calls]
    assert not contains(result, PASSPHRASE)


def test_secret_cleanup_failure_fails_the_task(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    host.fail_modules['ansible.windows.win_file'] = {'failed': True, 'msg': 'file in use'}
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'could not be removed' in result['msg'] and SECRET_DIR in result['msg']


def test_secret_echoed_by_a_program_is_scrubbed(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    host.on(r'UnifiedAgentConfigurator\.exe', rc=14, stdout='bad passphrase %s' % PASSPHRASE)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert not contains(result, PASSPHRASE)


def test_install_that_does_not_show_in_the_registry_fails(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=0)
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert result['failed'] is True
    assert 'the registry shows version None, not 9.66.7567.1' in result['msg']


# --- Windows: uninstall ----------------------------------------------------------------------

def test_uninstall(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Succeeded'))
    host.on(r'msiexec\.exe', effect=FakeWindowsHost.uninstall_effect)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert host.commands() == [UNINSTALL_CMD]
    assert result['version_before'] == '9.66.7567.0'
    assert result['version_after'] is None
    assert result['registered'] is False


def test_uninstall_when_absent_does_nothing(windows_vars):
    host = FakeWindowsHost()
    result = run(host, {'state': 'absent'}, windows_vars)
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert host.changing_calls() == []
    assert [c['args']['path'] for c in host.calls if c['module'] == 'ansible.windows.win_reg_stat'] == [
        UNINSTALL_KEY, UNINSTALL_KEY_WOW]


def test_uninstall_1605_is_already_absent(windows_vars):
    host = FakeWindowsHost(registry=installed_registry())
    host.on(r'msiexec\.exe', rc=1605, effect=FakeWindowsHost.uninstall_effect)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert not result.get('failed'), result
    assert result['version_after'] is None


def test_uninstall_that_leaves_the_product_fails(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(), logs={
        'C:\\ProgramData\\ASRSetupLogs\\UnifiedAgentMSIUninstall.log': 'MSI (s) ... Product: removal failed'})
    host.on(r'msiexec\.exe', rc=0)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert result['failed'] is True
    assert 'still registered' in result['msg']
    assert result['log_tail'] == ['MSI (s) ... Product: removal failed']


def test_uninstall_failure_code(windows_vars):
    host = FakeWindowsHost(registry=installed_registry())
    host.on(r'msiexec\.exe', rc=1603)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert result['failed'] is True
    assert result['vendor_exit_code'] == 1603
    assert result['vendor_message'] == exit_codes.MSIEXEC[1603].meaning


# --- Windows: check mode, diff, refusals ---------------------------------------------------------

def test_check_mode_returns_the_plan_and_only_reads(windows_vars):
    host = FakeWindowsHost()  # the installer is not even on the host yet
    result = run(host, CLASSIC, windows_vars, check_mode=True, diff=True)
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert result['installer_needed'] is True
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['version_after'] == '9.66.7567.1'
    assert result['registered'] is True
    assert result['diff'] == {'before': 'installed: false\n',
                              'after': 'installed: true\nversion: 9.66.7567.1\ncontrol_plane: classic\n'
                                       'registered: True\ncs_address: 10.0.0.5\n'}
    assert host.changing_calls() == []
    assert all(c['check_mode'] is False for c in host.calls)  # reads run for real, even in check mode


def test_check_mode_uninstall(windows_vars):
    host = FakeWindowsHost(registry=installed_registry())
    result = run(host, {'state': 'absent'}, windows_vars, check_mode=True)
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['uninstall']
    assert host.changing_calls() == []


def test_missing_installer_file_fails_before_anything_runs(windows_vars):
    host = FakeWindowsHost()
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'does not exist on the host' in result['msg']
    assert host.changing_calls() == []


@pytest.mark.parametrize('facts, reason', [
    ({'os_family': 'Windows', 'distribution': 'Microsoft Windows 10 Pro', 'distribution_version': '10.0.19045.0',
      'architecture2': 'x86_64'}, 'client edition'),
    ({'os_family': 'Windows', 'distribution': 'Microsoft Windows Server 2008 R2 Standard',
      'distribution_version': '6.1.7600.0', 'architecture2': 'x86_64'}, 'not a supported Windows Server release'),
    ({'os_family': 'Windows', 'distribution': 'Microsoft Windows Server 2019 Datacenter',
      'distribution_version': '10.0.17763.0', 'architecture2': 'i386'}, '32-bit'),
])
def test_unsupported_windows_is_refused(facts, reason):
    host = FakeWindowsHost()
    result = run(host, CLASSIC, {'ansible_facts': facts})
    assert result['failed'] is True
    assert result['msg'].startswith('Unsupported operating system')
    assert reason in result['msg']
    assert result['os_token'] is None
    assert host.changing_calls() == []


def test_linux_installer_on_windows_is_refused(windows_vars):
    host = FakeWindowsHost()
    args = dict(CLASSIC, installer='C:\\x\\Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release.tar.gz')
    result = run(host, args, windows_vars)
    assert result['failed'] is True
    assert 'built for RHEL8-64 but this host needs Windows' in result['msg']


def test_installer_without_vendor_name_is_refused(windows_vars):
    result = run(FakeWindowsHost(), dict(CLASSIC, installer='C:\\x\\setup.exe'), windows_vars)
    assert result['failed'] is True
    assert 'read from the installer file name' in result['msg']


def test_missing_passphrase_is_refused(windows_vars):
    args = dict(CLASSIC)
    del args['passphrase']
    result = run(FakeWindowsHost(), args, windows_vars)
    assert result['failed'] is True
    assert result['msg'] == 'Registration (classic) needs passphrase. Nothing was changed.'


def test_linux_install_dir_on_windows_is_refused(windows_vars):
    result = run(FakeWindowsHost(), dict(CLASSIC, install_dir='/opt/asr'), windows_vars)
    assert result['failed'] is True
    assert 'not a Windows path' in result['msg']


def test_custom_install_location(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect(config='Succeeded', install_dir='D:\\ASR\\agent'))
    result = run(host, dict(CLASSIC, register=False, install_dir='D:\\ASR'), windows_vars)
    assert not result.get('failed'), result
    assert '/InstallLocation "D:\\ASR" ' in host.commands()[-1]


def test_missing_control_plane_is_a_validation_error(windows_vars):
    with pytest.raises(AnsibleActionFail, match='control_plane'):
        run(FakeWindowsHost(), {'installer': INSTALLER}, windows_vars)


def test_facts_are_gathered_when_the_gathered_ones_are_not_windows():
    host = FakeWindowsHost(registry=installed_registry(config='Succeeded'))
    result = run(host, CLASSIC, {'asr_mobility_os_family': 'Windows', 'ansible_facts': {'os_family': 'Debian'}},
                 shell_family='sh')
    assert result['os_token'] == 'Windows'
    setup = [c for c in host.calls if c['module'] == 'ansible.windows.setup']
    assert setup == [{'module': 'ansible.windows.setup',
                      'args': {'gather_subset': ['!all', '!min', 'distribution', 'platform']},
                      'no_log': False, 'check_mode': False}]


def test_async_is_refused_on_windows(windows_vars):
    action = make_action(ActionModule, CLASSIC, FakeWindowsHost())
    action._task.async_val = 60
    with pytest.raises(AnsibleActionFail, match='async'):
        action.run(task_vars=windows_vars)


# --- pure helpers ------------------------------------------------------------------------------

def test_quote_refuses_double_quotes_and_drops_trailing_backslashes():
    assert windows_agent.quote('C:\\dir\\') == '"C:\\dir"'
    with pytest.raises(ValueError):
        windows_agent.quote('C:\\a"b')


@pytest.mark.parametrize('install_dir, expected', [
    (None, CONFIGURATOR),
    (LOCATION, CONFIGURATOR),
    (LOCATION + '\\agent', CONFIGURATOR),
    (LOCATION + '\\Agent\\', LOCATION + '\\Agent\\UnifiedAgentConfigurator.exe'),
])
def test_configurator_path(install_dir, expected):
    assert windows_agent.configurator_path(install_dir, LOCATION) == expected


@pytest.mark.parametrize('data', [
    'line1\r\nline2\r\n'.encode('utf-16'),
    'line1\r\nline2\r\n'.encode('utf-16-le'),
    b'\xef\xbb\xbfline1\nline2\n',
    b'line1\nline2\n',
])
def test_decode_log(data):
    text = windows_agent.decode_log(base64.b64encode(data).decode('ascii'))
    assert text.splitlines() == ['line1', 'line2']


def test_cs_address_with_spaces_is_refused(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Failed'))
    result = run(host, dict(CLASSIC, cs_address='10.0.0.5 /Evil'), windows_vars)
    assert result['failed'] is True
    assert 'not an IP address or host name' in result['msg']
    assert host.changing_calls() == []


# -- the Windows host lock (issue 15): one acting run per host, the Windows form of the Linux flock ---------------
LOCK_FILE = 'C:\\ProgramData\\asr-mobility\\agent.lock'
OTHER_RUN = json.dumps({'run_id': 'feedfacefeedfacefeedfacefeedface', 'controller': 'awx-job-4711', 'pid': 4242,
                        'time': '2026-12-01T10:00:00Z'}, sort_keys=True)


def installing_host():
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect())
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    return host


def test_windows_lock_is_held_around_the_run_and_given_back(windows_vars):
    host = installing_host()
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    scripts = [c['args']['script'] for c in host.calls if c['module'] == 'ansible.windows.win_powershell']
    assert scripts[0] == windows_agent.ACQUIRE_LOCK_PS and scripts[-1] == windows_agent.RELEASE_LOCK_PS
    first_command = min(i for i, c in enumerate(host.calls) if c['module'] == 'ansible.windows.win_command')
    acquire = host.calls.index(host.lock_calls()[0])
    assert acquire < first_command and host.calls[-1] is host.lock_calls()[-1]
    params = host.lock_calls()[0]['args']['parameters']
    assert params['Path'] == LOCK_FILE and params['TimeoutSeconds'] == 0
    owner = json.loads(params['Owner'])
    assert set(owner) == {'run_id', 'controller', 'pid', 'time'}
    assert host.lock_calls()[-1]['args']['parameters'] == {'Path': LOCK_FILE, 'Owner': params['Owner']}
    assert LOCK_FILE not in host.files


def test_windows_lock_held_by_another_run_waits_then_fails_naming_it(windows_vars):
    host = installing_host()
    host.files[LOCK_FILE] = {'content': OTHER_RUN, 'age': 30}
    result = run(host, dict(CLASSIC, lock_timeout=7), windows_vars)
    assert result['failed'] is True
    for text in ('Another asr.mobility run', LOCK_FILE, 'feedfacefeedfacefeedfacefeedface', 'awx-job-4711',
                 'pid 4242', 'within 7 s', 'Nothing was run', 'lock_timeout', 'Nothing was changed'):
        assert text in result['msg'], (text, result['msg'])
    assert host.commands() == [] and host.changing_calls() == []
    assert [c['args']['parameters']['TimeoutSeconds'] for c in host.lock_calls()] == [0, 7]
    assert host.files[LOCK_FILE]['content'] == OTHER_RUN  # the other run's lock is left alone


def test_windows_lock_left_by_a_killed_run_is_taken_over_when_stale(windows_vars):
    host = installing_host()
    host.files[LOCK_FILE] = {'content': OTHER_RUN, 'age': windows_agent.LOCK_STALE_SECONDS + 1}
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert any('Took over the host lock' in w and 'awx-job-4711' in w for w in result['warnings'])
    assert LOCK_FILE not in host.files


def test_windows_lock_of_a_gone_run_on_this_controller_is_taken_over_at_once(windows_vars, monkeypatch):
    monkeypatch.setattr(windows_agent.socket, 'gethostname', lambda: 'ctl-1')
    dead = json.dumps({'run_id': 'ab' * 16, 'controller': 'ctl-1', 'pid': 2 ** 22 + 17, 'time': 'x'}, sort_keys=True)
    host = installing_host()
    host.files[LOCK_FILE] = {'content': dead, 'age': 5}
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    stale = [c['args']['parameters'].get('StaleOwner') for c in host.lock_calls()
             if c['args']['script'] == windows_agent.ACQUIRE_LOCK_PS]
    assert stale == [None, dead]
    assert any('Took over the host lock' in w for w in result['warnings'])


def test_windows_lock_is_given_back_when_the_run_fails(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=99)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert host.calls[-1] is host.lock_calls()[-1] and LOCK_FILE not in host.files


def test_windows_check_mode_takes_no_lock(windows_vars):
    host = installing_host()
    result = run(host, CLASSIC, windows_vars, check_mode=True)
    assert not result.get('failed'), result
    assert host.lock_calls() == []


def test_windows_lock_directory_open_to_other_users_is_refused(windows_vars):
    host = installing_host()
    host.files['C:\\ProgramData\\asr-mobility\\'] = {'dir': True, 'foreign_acl': True}
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'could not be taken' in result['msg'] and 'not private to SYSTEM and Administrators' in result['msg']
    assert 'Nothing was changed' in result['msg']
    assert host.commands() == []


def test_windows_lock_release_failure_is_a_warning_naming_the_file(windows_vars):
    host = installing_host()
    original = host._win_powershell

    def release_fails(args):
        if args.get('script') == windows_agent.RELEASE_LOCK_PS:
            return {'failed': True, 'msg': 'WinRM connection lost'}
        return original(args)
    host._win_powershell = release_fails
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert any(LOCK_FILE in w and 'could not be released' in w and 'WinRM connection lost' in w
               for w in result['warnings'])


# -- keep-N clean-up of the Windows staging directory (issue 15) ---------------------------------------------------
def test_windows_successful_install_removes_older_staged_installers(windows_vars):
    old = REMOTE_DIR + '\\Microsoft-ASR_UA_9.60.7000.1_Windows_GA_01Jan2024_release.exe'
    older = REMOTE_DIR + '\\Microsoft-ASR_UA_9.50.6000.1_Windows_GA_01Jan2023_release.exe'
    tree = REMOTE_DIR + '\\Microsoft-ASR_UA_9.50.6000.1_Windows_GA_01Jan2023_release\\UnifiedAgent.exe'
    linked = REMOTE_DIR + '\\Microsoft-ASR_UA_9.40.5000.1_Windows_GA_01Jan2022_release.exe'
    host = installing_host()
    for path in (old, older, tree, REMOTE_DIR + '\\notes.txt'):
        host.files[path] = {}
    host.files[linked] = {'link': True}
    result = run(host, dict(CLASSIC, keep_installers=1), windows_vars)
    assert not result.get('failed'), result
    assert sorted(result['installers_removed']) == sorted([old, older, tree.rsplit('\\', 1)[0]])
    assert INSTALLER in host.files and linked in host.files and REMOTE_DIR + '\\notes.txt' in host.files
    assert old not in host.files and older not in host.files and tree not in host.files


def test_windows_keep_installers_unset_removes_nothing(windows_vars):
    host = installing_host()
    old = REMOTE_DIR + '\\Microsoft-ASR_UA_9.60.7000.1_Windows_GA_01Jan2024_release.exe'
    host.files[old] = {}
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert old in host.files and 'installers_removed' not in result
