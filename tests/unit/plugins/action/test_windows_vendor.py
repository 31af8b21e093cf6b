# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asr.mobility.agent on Windows, held to what Microsoft's installer source does (issue 13).

Each behaviour names the C# it follows (thedarksage/AzMigrate-Hydration at commit 822a039e, under
host/ASRSetup/): where the agent's state really is (drscout.conf, not the registry), how the silent
installer reports a reboot (98, or 97 plus InstallerErrors.json; never 3010/1641), every exit code of
its enum, and what the collection does around it (fresh private extraction directory, msiexec
/norestart, program-start failures, the Agent Config Input).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import types

import pytest

from ansible_collections.asr.mobility.plugins.action import agent as agent_action
from ansible_collections.asr.mobility.plugins.module_utils import exit_codes
from ansible_collections.asr.mobility.plugins.module_utils.state import windows_state
from ansible_collections.asr.mobility.plugins.plugin_utils import windows_agent

from asr_windows_double import (
    CONFIGURATOR, DRSCOUT, ERRORS_JSON, EXTRACT_DIR, INSTALLER, LOCATION, MANDATORY_REBOOT, PASSPHRASE,
    PLANTED_DIR, PRODUCT_KEY, RECOMMENDED_REBOOT, SECRET_ID, FakeWindowsHost, drscout, installed_registry,
    make_action)

CLASSIC = {'installer': INSTALLER, 'control_plane': 'classic', 'cs_address': '10.0.0.5', 'passphrase': PASSPHRASE}
# A config.json for the fake machine (its BiosId is FakeWindowsHost.bios_id: the lifecycle checks it).
MODERNIZED = {'installer': INSTALLER, 'control_plane': 'modernized',
              'config': '{"a": 1, "BiosId": "4C4C4544-0042-3510-8052-B4C04F4D4B32"}'}
UNINSTALL_LOG = 'C:\\ProgramData\\ASRSetupLogs\\UnifiedAgentMSIUninstall.log'


@pytest.fixture(autouse=True)
def fixed_ids(monkeypatch):
    monkeypatch.setattr(windows_agent.uuid, 'uuid4', lambda: types.SimpleNamespace(hex=SECRET_ID))


def run(host, args, task_vars, **kwargs):
    return make_action(agent_action.ActionModule, args, host, **kwargs).run(task_vars=task_vars)


def installed_host(cs_type='CSLegacy', hostname='10.0.0.5', version='9.66.0.0', build='7567', config='Succeeded',
                   **kwargs):
    host = FakeWindowsHost(registry=installed_registry(version=version, build=build, config=config, **kwargs),
                           files=[INSTALLER])
    host.logs[DRSCOUT] = drscout(cs_type=cs_type, hostname=hostname)
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    return host


def fresh_host():
    host = FakeWindowsHost(files=[INSTALLER])
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    return host


def slurped(host):
    return [c['args']['src'] for c in host.calls if c['module'] == 'ansible.windows.slurp']


# --- 1. state from drscout.conf -----------------------------------------------------------------

def test_control_plane_and_cs_come_from_drscout_conf(windows_vars):
    host = installed_host(cs_type='CSPrime', hostname='10.1.1.1')
    result = run(host, dict(MODERNIZED, register=False), windows_vars)
    assert not result.get('failed'), result
    assert result['control_plane'] == 'modernized'
    assert DRSCOUT in slurped(host)


def test_modernized_agent_asked_for_classic_is_refused(windows_vars):
    host = installed_host(cs_type='CSPrime')
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'is modernized (CSPrime); moving it back to classic is not supported' in result['msg']
    assert host.changing_calls() == []


@pytest.mark.parametrize('cs_type', ['CSLegacy', None])
def test_classic_agent_asked_for_modernized_without_migrate_is_refused(windows_vars, cs_type):
    """A missing CSType is CSLegacy (SetupFramework/SetupHelper.cs:3461-3478)."""
    host = installed_host(cs_type=cs_type)
    result = run(host, MODERNIZED, windows_vars)
    assert result['failed'] is True
    assert 'is classic (CSLegacy)' in result['msg'] and 'migrate=true' in result['msg']
    assert host.changing_calls() == []


def test_classic_agent_migrates_with_migrate(windows_vars):
    host = installed_host(version='9.60.0.0', build='6956')
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime'),
            stdout='Agent Config Input: QUNJLWlucHV0')
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    result = run(host, dict(MODERNIZED, migrate=True), windows_vars)
    assert not result.get('failed'), result
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['actions'][0]['migration'] is True
    install = [c for c in host.commands() if 'UnifiedAgentInstaller.exe' in c][0]
    assert '/CSType CSPrime' in install and '/InstallationType' not in install  # Install, not Upgrade
    assert result['control_plane'] == 'modernized'


def test_agent_registered_to_another_cs_is_refused(windows_vars):
    host = installed_host(hostname='10.0.0.9')
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'registered to configuration server 10.0.0.9:443, not 10.0.0.5:443' in result['msg']
    assert host.changing_calls() == []


def test_drscout_is_read_under_the_registry_install_directory(windows_vars):
    host = FakeWindowsHost(registry=installed_registry(config='Succeeded', install_dir='D:\\ASR\\agent'))
    host.logs['D:\\ASR\\agent\\Application Data\\etc\\drscout.conf'] = drscout(hostname='10.0.0.9')
    result = run(host, CLASSIC, windows_vars)
    assert 'registered to configuration server 10.0.0.9' in result['msg']


def test_windows_state_from_drscout():
    values = installed_registry(config='Succeeded')[PRODUCT_KEY]
    state = windows_state(True, values, drscout(cs_type='CSPrime', hostname='10.2.2.2', port='9443',
                                                platform='Azure', host_id='abc'))
    assert (state['control_plane'], state['cs_address'], state['cs_port'], state['platform'], state['host_id']) == (
        'modernized', '10.2.2.2', 9443, 'Azure', 'abc')
    # no CS yet (CSRegistrationOperations.cs:903), and no file at all: CSLegacy (SetupHelper.cs:3478)
    assert windows_state(True, values, drscout(hostname='0.0.0.0'))['cs_address'] is None
    assert windows_state(True, values, None)['control_plane'] == 'classic'
    # the registry holds no CSType: a value there is not read
    assert windows_state(True, dict(values, CSType='CSPrime'), None)['control_plane'] == 'classic'


# --- 2. reboots: 98 / 97 + InstallerErrors.json --------------------------------------------------

@pytest.mark.parametrize('names, reboot', [
    ([RECOMMENDED_REBOOT], True),
    ([MANDATORY_REBOOT], True),
    ([], False),
    (['ASRMobilityServiceInstallerVSSProviderRegistrationFailed'], False),
])
def test_98_reboot_comes_from_installer_errors_json(windows_vars, names, reboot):
    """UnifiedAgentInstaller/Program.cs:195-228: 98 plus a reboot code in InstallerErrors.json."""
    host = installed_host(version='9.60.0.0', build='6956')
    host.on(r'UnifiedAgent\.exe', rc=98, effect=host.install_effect(errors=names))
    result = run(host, dict(CLASSIC, state='latest'), windows_vars)
    assert not result.get('failed'), result
    assert result['reboot_required'] is reboot
    assert ERRORS_JSON in slurped(host)
    if names and not reboot:
        assert any('succeeded with warnings' in w and names[0] in w for w in result['warnings'])


def test_97_with_mandatory_reboot_is_success_and_registration_proceeds(windows_vars):
    """SetupFramework/PortedCustomActions.cs:600-613: the filter driver needs a reboot -> 97 +
    ASRMobilityServiceInstallerSuccessfulMandatoryReboot, the agent itself is installed."""
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=97, effect=host.install_effect(errors=[MANDATORY_REBOOT]))
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['reboot_required'] is True
    assert result['registered'] is True
    assert any(MANDATORY_REBOOT in w for w in result['warnings'])


@pytest.mark.parametrize('names, post', [
    ([MANDATORY_REBOOT, 'ASRMobilityServiceInstallerConfigFilesCreationFailed'], 'Succeeded'),
    ([RECOMMENDED_REBOOT], 'Succeeded'),
    ([MANDATORY_REBOOT], 'Failed'),
    ([], 'Succeeded'),
])
def test_97_otherwise_is_a_failure(windows_vars, names, post):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=97, effect=host.install_effect(errors=names, post=post))
    host.on(r'msiexec\.exe', effect=FakeWindowsHost.uninstall_effect)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert result['vendor_exit_code'] == 97
    assert 'UnifiedAgentConfigurator' not in ' '.join(host.commands())


def test_reboot_required_registry_value_is_not_a_reboot_signal(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect(config='Succeeded', reboot='Yes'))
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert not result.get('failed'), result
    assert result['reboot_required'] is False


# --- 5. exit codes, program start, 1641, msiexec /norestart ----------------------------------------

# Every value of UASetupReturnValues (SetupFramework/SetupHelper.cs:306-581), with its line, and 148
# (UnifiedAgentConfigurator/CSRegistrationOperations.cs:233).
VENDOR_ENUM = [(0, 311), (1, 316), (2, 321), (3, 326), (10, 331), (11, 336), (13, 341), (14, 346), (15, 351),
               (16, 356), (17, 361), (18, 366), (19, 371), (41, 376), (42, 381), (43, 386), (44, 391), (45, 396),
               (47, 401), (48, 406), (50, 411), (51, 416), (52, 421), (53, 426), (54, 431), (55, 436), (56, 441),
               (57, 446), (62, 451), (63, 456), (64, 461), (65, 466), (75, 471), (76, 476), (77, 481), (78, 486),
               (79, 491), (90, 496), (97, 501), (98, 506), (99, 511), (100, 519), (101, 524), (102, 529),
               (103, 534), (118, 539), (119, 544), (128, 549), (129, 554), (130, 559), (131, 564), (132, 569),
               (1641, 575), (3010, 580), (148, None)]


@pytest.mark.parametrize('table', ['windows_installer', 'windows_configurator'])
@pytest.mark.parametrize('code, line', VENDOR_ENUM)
def test_every_vendor_code_is_mapped(table, code, line):
    info = exit_codes.interpret(table, code)
    assert info['known'], '%s: code %s (SetupHelper.cs:%s) is unknown' % (table, code, line)
    assert info['ok'] is (code in (0, 98, 1641, 3010))


def test_1641_from_the_installer_is_success_and_registration_proceeds(windows_vars):
    """SuccessfulMandatoryReboot = 1641 (SetupHelper.cs:572-575): nothing has restarted the host."""
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', rc=1641, effect=host.install_effect())
    host.on(r'UnifiedAgentConfigurator\.exe', effect=FakeWindowsHost.register_effect())
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['reboot_required'] is True
    assert result['registered'] is True
    assert 'mandatory' in exit_codes.WINDOWS_INSTALLER[1641].meaning


def test_a_program_that_cannot_start_is_not_invalid_command_line(windows_vars):
    host = installed_host(config='Failed')
    host.on(r'UnifiedAgentConfigurator\.exe', start_error=2)
    result = run(host, CLASSIC, windows_vars)
    assert result['failed'] is True
    assert 'could not be started (Windows error 2)' in result['msg']
    assert 'invalid command line' not in result['msg']
    assert result['vendor_message'] == 'the program could not be started'


def test_installer_that_cannot_start_changes_nothing(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', start_error=5)
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert result['failed'] is True
    assert 'UnifiedAgent.exe could not be started (Windows error 5)' in result['msg']
    assert result['changed'] is False


def test_uninstall_passes_norestart_and_reports_3010(windows_vars):
    host = installed_host()
    host.on(r'msiexec\.exe', rc=3010, effect=FakeWindowsHost.uninstall_effect)
    result = run(host, {'state': 'absent'}, windows_vars)
    assert not result.get('failed'), result
    assert host.commands() == ['msiexec.exe /qn /norestart /x {275197FC-14FD-4560-A5EB-38217F80CBD1} /L+*V "%s"'
                               % UNINSTALL_LOG]
    assert result['reboot_required'] is True
    assert result['version_after'] is None


# --- 7. fresh private extraction directory -------------------------------------------------------

def test_a_planted_extracted_tree_is_ignored(windows_vars):
    host = fresh_host()
    planted = PLANTED_DIR + '\\UnifiedAgent.exe'
    host.files.add(planted)
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect(config='Succeeded'))
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert not result.get('failed'), result
    assert PLANTED_DIR + '\\' not in ' '.join(host.commands())
    assert host.commands()[0] == '"%s\\%s" /q /x:"%s"' % (EXTRACT_DIR, INSTALLER.rsplit('\\', 1)[1], EXTRACT_DIR)
    assert host.commands()[1].startswith('"%s\\UnifiedAgent.exe" ' % EXTRACT_DIR)
    made = [c for c in host.calls if c['module'] == 'ansible.windows.win_powershell'
            and c['args']['script'] == windows_agent.NEW_PRIVATE_DIR_PS]
    assert made and made[0]['args']['parameters'] == {'Directory': EXTRACT_DIR}
    assert host.calls.index(made[0]) < [c['args'].get('cmd') for c in host.calls].index(host.commands()[0])
    assert not [f for f in host.files if f.startswith(EXTRACT_DIR)]
    assert {'path': EXTRACT_DIR, 'state': 'absent'} in [c['args'] for c in host.calls]
    assert planted in host.files  # left alone, never run


@pytest.mark.parametrize('rule', [
    dict(pattern=r'/q /x:', rc=1),
    dict(pattern=r'UnifiedAgent\.exe', rc=42),
    dict(pattern=r'UnifiedAgent\.exe', start_error=2),
])
def test_the_extraction_directory_is_removed_in_every_outcome(windows_vars, rule):
    host = FakeWindowsHost(files=[INSTALLER])
    host.on(**rule)
    host.on(r'/q /x:', effect=FakeWindowsHost.extract_effect)
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert result['failed'] is True
    assert host.calls[-1]['args'] == {'path': EXTRACT_DIR, 'state': 'absent'} or \
        {'path': EXTRACT_DIR, 'state': 'absent'} in [c['args'] for c in host.calls]
    assert not [f for f in host.files if f.startswith(EXTRACT_DIR)]
    assert EXTRACT_DIR not in host.dirs


def test_an_existing_extraction_directory_is_refused(windows_vars):
    host = fresh_host()
    host.dirs.add(EXTRACT_DIR)
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect(config='Succeeded'))
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert result['failed'] is True
    assert 'refusing to reuse the existing directory' in result['msg']
    assert host.commands() == []
    assert EXTRACT_DIR in host.dirs  # not ours: not removed


# --- 8. Agent Config Input ---------------------------------------------------------------------------

def test_agent_config_input_printed_by_the_installer_is_returned(windows_vars):
    """UnifiedAgentInstaller/Program.cs:902-905 prints it after a command-line CSPrime install."""
    host = fresh_host()
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime', config='Succeeded'),
            stdout='Post Install actions executed successfully.\r\nAgent Config Input: eyJBZ2VudCI6MX0=\r\n')
    result = run(host, dict(MODERNIZED, register=False), windows_vars)
    assert not result.get('failed'), result
    assert result['agent_config_input'] == 'eyJBZ2VudCI6MX0='
    assert 'AzureRcmCli' not in ' '.join(host.commands())


def test_agent_config_input_from_azurercmcli_when_not_printed(windows_vars):
    """AzureRcmCli.exe --getagentconfiginput in the agent directory (SetupFramework/ValidationHelper.cs:2332-2345)."""
    host = fresh_host()
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime', config='Succeeded'))
    host.on(r'AzureRcmCli\.exe" --getagentconfiginput$', stdout='getagentconfiginput:eyJBZ2VudCI6Mn0=\r\n')
    result = run(host, dict(MODERNIZED, register=False), windows_vars)
    assert not result.get('failed'), result
    assert result['agent_config_input'] == 'eyJBZ2VudCI6Mn0='
    cli = [c for c in host.calls if 'AzureRcmCli' in (c['args'].get('cmd') or '')][0]
    assert cli['args'] == {'cmd': '"%s\\agent\\AzureRcmCli.exe" --getagentconfiginput' % LOCATION,
                           'chdir': LOCATION + '\\agent'}


def test_agent_config_input_failure_is_a_warning(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime', config='Succeeded'))
    host.on(r'AzureRcmCli\.exe', rc=1)
    result = run(host, dict(MODERNIZED, register=False), windows_vars)
    assert not result.get('failed'), result
    assert 'agent_config_input' not in result
    assert any('Agent Config Input could not be read' in w for w in result['warnings'])


def test_classic_install_runs_no_azurercmcli(windows_vars):
    host = fresh_host()
    host.on(r'UnifiedAgent\.exe', effect=host.install_effect(config='Succeeded'))
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert 'agent_config_input' not in result
    assert 'AzureRcmCli' not in ' '.join(host.commands())


# --- 3. migration needs a strictly newer installer -----------------------------------------------------

def test_migration_at_the_same_version_is_refused(windows_vars):
    """UnifiedAgentInstaller/InstallActionProcessor.cs:1207-1217: classic -> modernized only when the installer detects an upgrade (a newer installer);
    at the same version the vendor migrates nothing (reference §2.2 [R2])."""
    host = installed_host()  # 9.66.7567 installed, the installer is 9.66.7567.1
    host.on(r'UnifiedAgentInstaller\.exe', effect=host.install_effect(cs_type='CSPrime'))
    result = run(host, dict(MODERNIZED, migrate=True, register=False), windows_vars)
    assert result['failed'] is True
    assert 'newer' in result['msg']
    assert host.changing_calls() == []


def test_configurator_path_unchanged():
    assert windows_agent.configurator_path(None, LOCATION) == CONFIGURATOR


def test_the_extraction_directory_script_protects_and_refuses_reuse():
    script = windows_agent.NEW_PRIVATE_DIR_PS
    assert '$acl.SetAccessRuleProtection($true, $false)' in script  # no inherited ACEs (Temp lets users in)
    assert "@('S-1-5-18', 'S-1-5-32-544')" in script  # SYSTEM, Administrators only
    assert 'Test-Path -LiteralPath $Directory' in script and 'refusing to reuse' in script
    assert '[System.IO.Directory]::CreateDirectory($Directory, $acl)' in script  # created with the ACL, no window


def test_modernized_registration_that_registers_nothing_names_the_azure_vm_case(windows_vars):
    """reference §2.3 [R2]: CSPrime on an Azure VM with platform VmWare exits 0 without registering."""
    host = installed_host(cs_type='CSPrime', config='Failed')
    host.on(r'UnifiedAgentConfigurator\.exe', rc=0)
    result = run(host, MODERNIZED, windows_vars)
    assert result['failed'] is True
    assert 'AgentConfigurationStatus is Failed' in result['msg']
    assert 'Azure VM with platform VmWare' in result['msg']


# --- 7b. the installer itself: a private, verified copy (issue 13, the Linux rule) ----------------

GOOD_SHA = 'ab' * 32
PRIVATE_COPY = EXTRACT_DIR + '\\' + INSTALLER.rsplit('\\', 1)[1]


def verified_host(staged_sha):
    """A fresh host whose staged installer (in the staging directory users may write to) has ``staged_sha``."""
    host = fresh_host()
    host.files[INSTALLER] = {'sha256': staged_sha}
    host.on(r'UnifiedAgent\.exe" /Role', effect=host.install_effect(config='Succeeded'))
    return host


def test_the_installer_is_copied_into_the_private_directory_verified_there_and_only_the_copy_runs(windows_vars):
    host = verified_host(GOOD_SHA)
    result = run(host, dict(CLASSIC, register=False, installer_sha256=GOOD_SHA.upper()), windows_vars)
    assert not result.get('failed'), result
    args = [(c['module'], c['args']) for c in host.calls]
    made = args.index(('ansible.windows.win_powershell', {
        'script': windows_agent.NEW_PRIVATE_DIR_PS, 'parameters': {'Directory': EXTRACT_DIR}, 'error_action': 'stop'}))
    copy = args.index(('ansible.windows.win_copy', {'src': INSTALLER, 'dest': PRIVATE_COPY, 'remote_src': True}))
    hashed = args.index(('ansible.windows.win_stat', {
        'path': PRIVATE_COPY, 'get_checksum': True, 'checksum_algorithm': 'sha256'}))
    assert made < copy < hashed
    # Only the private copy is extracted; the staged file is never run.
    assert host.commands()[0] == '"%s" /q /x:"%s"' % (PRIVATE_COPY, EXTRACT_DIR)
    assert not [c for c in host.commands() if c.startswith('"%s"' % INSTALLER)]
    assert not [f for f in host.files if f.startswith(EXTRACT_DIR)]


def test_an_installer_swapped_after_verification_is_refused_and_nothing_runs(windows_vars):
    host = verified_host('cd' * 32)  # someone replaced the staged file after the controller verified it
    result = run(host, dict(CLASSIC, register=False, installer_sha256=GOOD_SHA), windows_vars)
    assert result['failed'] is True
    msg = result['msg']
    assert 'win1' in msg and INSTALLER in msg and PRIVATE_COPY in msg
    assert GOOD_SHA in msg and 'cd' * 32 in msg
    assert 'Nothing was run' in msg and 'run again' in msg
    assert host.commands() == []  # neither extracted nor installed
    assert result['changed'] is False
    assert not [f for f in host.files if f.startswith(EXTRACT_DIR)]
    assert {'path': EXTRACT_DIR, 'state': 'absent'} in [c['args'] for c in host.calls]


def test_a_failed_private_copy_is_refused_and_the_directory_removed(windows_vars):
    host = verified_host(GOOD_SHA)
    host.fail_modules['ansible.windows.win_copy'] = {'failed': True, 'msg': 'Access is denied'}
    result = run(host, dict(CLASSIC, register=False, installer_sha256=GOOD_SHA), windows_vars)
    assert result['failed'] is True
    assert 'Access is denied' in result['msg'] and INSTALLER in result['msg']
    assert host.commands() == []
    assert {'path': EXTRACT_DIR, 'state': 'absent'} in [c['args'] for c in host.calls]


def test_without_a_sha256_the_private_copy_still_is_what_runs(windows_vars):
    host = verified_host(GOOD_SHA)
    result = run(host, dict(CLASSIC, register=False), windows_vars)
    assert not result.get('failed'), result
    assert host.commands()[0] == '"%s" /q /x:"%s"' % (PRIVATE_COPY, EXTRACT_DIR)
    assert 'ansible.windows.win_copy' in host.modules


# --- the platform the agent is installed for (issue 13) ----------------------------------------------

PRODUCTS_KEY = 'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products'


@pytest.mark.parametrize('drscout_platform, registry_platform, expected', [
    (None, 'Azure', 'Azure'),      # no VmPlatform in drscout.conf: the MSI's value (SetupHelper.cs:990-1011)
    ('VmWare', 'Azure', 'VmWare'),  # drscout.conf first, as the installer decides (InstallationOperations.cs:169-174)
    (None, None, None),
])
def test_the_installed_platform_is_read_where_the_msi_writes_it(windows_vars, drscout_platform, registry_platform,
                                                                expected):
    host = installed_host()
    host.logs[DRSCOUT] = drscout(platform=drscout_platform)
    if registry_platform:
        # UnifiedAgentMSI/Product.wxs:893-897: Platform under the parent key (32-bit component: Wow6432Node).
        host.registry[PRODUCTS_KEY] = {'Platform': registry_platform}
    result = run(host, CLASSIC, windows_vars)
    assert not result.get('failed'), result
    assert result['platform_before'] == expected
    # The registry value is the fallback: read only when drscout.conf has no VmPlatform.
    read = [c['args'] for c in host.calls if c['module'] == 'ansible.windows.win_reg_stat']
    assert ({'path': PRODUCTS_KEY} in read) is (drscout_platform is None)
    assert windows_agent.PRODUCTS_KEY == PRODUCTS_KEY and windows_agent.PRODUCT_KEY == PRODUCTS_KEY + '\\5'


def test_modernized_registration_that_registers_nothing_on_an_azure_platform_agent(windows_vars):
    """The "Azure VM with platform VmWare" hint is only for an agent installed for VmWare."""
    host = installed_host(cs_type='CSPrime', config='Failed')
    host.logs[DRSCOUT] = drscout(cs_type='CSPrime', platform='Azure')
    host.on(r'UnifiedAgentConfigurator\.exe', rc=0)
    result = run(host, MODERNIZED, windows_vars)
    assert result['failed'] is True
    assert 'AgentConfigurationStatus is Failed' in result['msg']
    assert 'Azure VM with platform VmWare' not in result['msg']
    assert 'installed for platform Azure' in result['msg']
