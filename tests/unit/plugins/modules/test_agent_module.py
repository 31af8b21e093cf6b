# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asr.mobility.agent main() against a fake host: real tarballs, vendor programs emulated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
from ansible_collections.asr.mobility.plugins.modules import agent

# The fake host's system UUID (tests/unit/conftest.py FakeHost) and another machine's.
BIOS_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
OTHER_BIOS_ID = '11111111-2222-3333-4444-555555555555'

PASSPHRASE = 'Xy7#passphrase-$HOME-9;`id`'
# A config.json as the appliance makes it (agent source AgentConfig.h lines 64-108): for the fake host's BIOS ID.
CONFIG = json.dumps({'BiosId': BIOS_ID, 'Fqdn': 'fake-host', 'ClientCertificate': 'c0nfig-s3cret',
                     'RcmProxyTransportSettings': {'RcmProxyAddress': ['appliance.example.com'], 'Port': 443}})
NEW = '9.66.7567.0'
OLD = '9.60.7000.0'

FEDORA = {'/etc/redhat-release': 'Fedora release 39 (Thirty Nine)\n',
          '/etc/os-release': 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=39\n'}
DEBIAN12 = {'/etc/debian_version': '12.5\n', '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n'}
DEBIAN13 = {'/etc/debian_version': '13.1\n', '/etc/os-release': 'ID=debian\nVERSION_ID="13"\n'}


def modern(host, **extra):
    args = dict(control_plane='modernized', config=CONFIG, work_dir=host.work)
    args.update(extra)
    if 'installer' not in args:
        args['installer'] = host.package()
    return args


def classic(host, **extra):
    args = dict(control_plane='classic', cs_address='10.0.0.5', passphrase=PASSPHRASE, work_dir=host.work)
    args.update(extra)
    if 'installer' not in args:
        args['installer'] = host.package()
    return args


def assert_work_dir_clean(host):
    assert os.listdir(host.work) == [], 'temporary directories left behind'


def assert_secrets_safe(host, secret):
    assert secret not in host.all_argv_text(), 'a secret reached a command line'
    assert host.secrets, 'the configurator never ran'
    for seen in host.secrets:
        assert seen['mode'] == 0o600
        assert seen['dir_mode'] == 0o700
        assert seen['content'] == secret
        assert not os.path.exists(seen['path']), 'secret file left behind'
        assert not os.path.exists(os.path.dirname(seen['path']))


# ---------------------------------------------------------------------------------------------
# Fresh installs
# ---------------------------------------------------------------------------------------------
def test_fresh_install_modernized(host, run_module):
    failed, result = run_module(agent.main, modern(host))
    assert not failed, result
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['os_token'] == 'RHEL8-64' and result['os_token_confirmed'] is True
    assert result['installer_version'] == NEW
    assert result['version_before'] is None
    assert result['version_after'] == NEW
    assert result['registered'] is True
    assert result['control_plane'] == 'modernized'
    assert result['reboot_required'] is False
    assert host.programs() == ['tar -xOf', 'tar -xf', 'install', 'UnifiedAgentConfigurator.sh']

    install = host.calls[2]
    assert install['argv'][1:] == ['-q', '-r', 'MS', '-v', 'VmWare', '-d', '/usr/local/ASR', '-c', 'CSPrime',
                                   '-a', 'Install', '-l', '/var/log/ua_install.log',
                                   '-e', '/var/log/InstallerErrors.json']
    assert install['cwd'].startswith(host.work)
    configurator = host.calls[3]['argv']
    assert configurator[0] == '/usr/local/ASR/Vx/bin/UnifiedAgentConfigurator.sh'
    assert configurator[1] == '-S' and configurator[3:] == ['-c', 'CSPrime', '-q']
    assert_secrets_safe(host, CONFIG)
    assert_work_dir_clean(host)


def test_fresh_install_classic(host, run_module):
    failed, result = run_module(agent.main, classic(host, cs_port=8443))
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['registered'] is True
    configurator = host.calls[-1]['argv']
    assert configurator[1:5] == ['-i', '10.0.0.5', '-p', '8443']
    assert configurator[5] == '-P' and configurator[7:] == ['-c', 'CSLegacy', '-q']
    assert '-c CSLegacy' in ' '.join(host.calls[2]['argv'])
    assert_secrets_safe(host, PASSPHRASE)
    assert_work_dir_clean(host)


def test_fresh_install_without_registration(host, run_module):
    failed, result = run_module(agent.main, dict(installer=host.package(), control_plane='modernized', register=False,
                                                 work_dir=host.work))
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['install']
    assert result['registered'] is False
    assert 'UnifiedAgentConfigurator.sh' not in host.programs()


def test_custom_install_dir_and_platform(host, run_module):
    # platform Azure cannot be registered (needs the vendor's -C): install only
    failed, result = run_module(agent.main, modern(host, install_dir='/opt', platform='Azure', register=False))
    assert not failed, result
    install = host.calls[2]['argv']
    assert install[install.index('-d') + 1] == '/opt'
    assert install[install.index('-v') + 1] == 'Azure'
    assert host.state_kv()['INSTALLATION_DIR'] == '/opt/ASR/Vx'


def test_custom_install_dir_configurator_path(host, run_module):
    failed, result = run_module(agent.main, modern(host, install_dir='/opt'))
    assert not failed, result
    assert host.calls[3]['argv'][0] == '/opt/ASR/Vx/bin/UnifiedAgentConfigurator.sh'


def test_package_members_without_dot_slash(host, run_module):
    failed, result = run_module(agent.main, modern(host, installer=host.package(member_prefix='')))
    assert not failed, result
    assert result['installer_version'] == NEW
    assert result['version_after'] == NEW


# ---------------------------------------------------------------------------------------------
# Check mode and diff
# ---------------------------------------------------------------------------------------------
def test_check_mode_returns_the_plan_and_runs_nothing(host, run_module):
    failed, result = run_module(agent.main, classic(host), check_mode=True)
    assert not failed, result
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert all(a['reason'] for a in result['actions'])
    assert result['version_after'] == NEW
    assert result['registered'] is True
    # reading the package's .vx_version is the only command; nothing is extracted or installed
    assert host.programs() == ['tar -xOf']
    assert not host.exists('/usr/local/.vx_version')
    assert host.secrets == []
    assert_work_dir_clean(host)


def test_check_mode_upgrade(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    failed, result = run_module(agent.main, modern(host, state='latest'), check_mode=True)
    assert not failed, result
    assert result['changed'] is True
    assert [(a['action'], a['mode']) for a in result['actions']] == [('upgrade', 'Upgrade')]
    assert result['version_before'] == OLD and result['version_after'] == NEW
    assert host.programs() == ['tar -xOf']
    assert host.state_kv()['VERSION'] == '9.60.0.0'


@pytest.mark.parametrize('version,version_after', [(None, None), ('9.66', '9.66.0.0')])
def test_check_mode_before_the_installer_is_copied(host, run_module, version, version_after):
    # A role decides first and copies the package only when the plan needs it.
    missing = os.path.join(host.packages, 'Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz')
    failed, result = run_module(agent.main, modern(host, installer=missing, version=version), check_mode=True)
    assert not failed, result
    assert result['installer_needed'] is True
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['version_after'] == version_after
    assert host.calls == []


def test_check_mode_installer_not_needed(host, run_module):
    host.set_installed('9.66.0.0', 7567)
    failed, result = run_module(agent.main, modern(host, installer='/not/copied/yet.tar.gz'), check_mode=True)
    assert not failed, result
    assert result['installer_needed'] is False and result['changed'] is False


def test_check_mode_absent(host, run_module):
    host.set_installed()
    failed, result = run_module(agent.main, dict(state='absent'), check_mode=True)
    assert not failed and result['changed'] is True
    assert result['version_after'] is None
    assert host.calls == []
    assert host.exists('/usr/local/.vx_version')


def test_diff_fresh_install(host, run_module):
    failed, result = run_module(agent.main, classic(host), check_mode=True, diff=True)
    assert not failed
    assert result['diff']['before'] == 'installed: false\n'
    after = result['diff']['after']
    assert 'version: %s' % NEW in after and 'registered: True' in after and 'cs_address: 10.0.0.5' in after
    assert 'control_plane: classic' in after


def test_diff_upgrade_and_uninstall(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    failed, result = run_module(agent.main, modern(host, state='latest'), diff=True)
    assert not failed
    assert 'version: %s' % OLD in result['diff']['before']
    assert 'version: %s' % NEW in result['diff']['after']
    failed, result = run_module(agent.main, dict(state='absent'), diff=True)
    assert not failed
    assert 'version: %s' % NEW in result['diff']['before']
    assert result['diff']['after'] == 'installed: false\n'


# ---------------------------------------------------------------------------------------------
# Refusals before anything runs
# ---------------------------------------------------------------------------------------------
def test_wrong_os_built_for_is_refused_before_anything_runs(host, run_module):
    failed, result = run_module(agent.main, modern(host, installer=host.package(token='RHEL7-64')))
    assert failed
    assert 'built for RHEL7-64' in result['msg'] and 'needs RHEL8-64' in result['msg']
    assert 'Nothing was run' in result['msg']
    assert host.programs() == ['tar -xOf']
    assert not host.exists('/usr/local/.vx_version')
    assert result['changed'] is False


def test_os_built_for_is_read_from_the_package_not_its_name(host, run_module):
    package = host.package(token='RHEL7-64', name_token='RHEL8-64')
    failed, result = run_module(agent.main, modern(host, installer=package))
    assert failed and 'built for RHEL7-64' in result['msg']
    assert host.programs() == ['tar -xOf']


def test_package_without_os_built_for_is_refused(host, run_module):
    package = host.package(vx_version='VERSION=9.66.0.0\nBUILD_TAG=RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE\n')
    failed, result = run_module(agent.main, modern(host, installer=package))
    assert failed and 'an unknown OS' in result['msg']
    assert host.programs() == ['tar -xOf']


def test_not_a_package_is_refused(host, run_module):
    bogus = os.path.join(host.packages, 'Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz')
    with open(bogus, 'w') as handle:
        handle.write('not a tarball')
    failed, result = run_module(agent.main, modern(host, installer=bogus))
    assert failed and 'not a readable Mobility Service package' in result['msg']
    assert set(host.programs()) == {'tar -xOf'}


@pytest.mark.parametrize('release,arch,words', [
    (FEDORA, 'x86_64', ['Unsupported operating system', 'Fedora 39']),
    (DEBIAN13, 'x86_64', ['Unsupported operating system', 'Debian 13']),
    (None, 'i686', ['Unsupported operating system', '32-bit', 'i686']),
    (None, 'aarch64', ['Unsupported operating system', 'aarch64']),
])
def test_unsupported_os_fails_with_the_reason(host, run_module, monkeypatch, release, arch, words):
    if release:
        host.write_release(release)
    monkeypatch.setattr(linux_agent, 'architecture', lambda: arch)
    failed, result = run_module(agent.main, modern(host))
    assert failed
    for word in words:
        assert word in result['msg']
        assert word.split(' ')[0] in result['unsupported_reason'] or word == 'Unsupported operating system'
    assert result['os_token'] is None
    assert host.calls == []


def test_uninstall_works_on_an_unsupported_os(host, run_module):
    host.write_release(DEBIAN13)
    host.set_installed(token='DEBIAN12-64')
    failed, result = run_module(agent.main, dict(state='absent'))
    assert not failed, result
    assert result['os_token'] is None and 'Debian 13' in result['unsupported_reason']
    assert host.programs() == ['uninstall.sh']


def test_debian12_token_is_confirmed(host, run_module):
    # [R2] confirmed by the vendor's download lists (reference §4): no warning any more
    host.write_release(DEBIAN12)
    failed, result = run_module(agent.main, modern(host, installer=host.package(token='DEBIAN12-64')))
    assert not failed, result
    assert result['os_token'] == 'DEBIAN12-64' and result['os_token_confirmed'] is True
    assert not any('not confirmed' in w for w in result.get('warnings', []))


def test_override_table_makes_a_host_supported(host, run_module):
    host.write_release(DEBIAN13)
    failed, result = run_module(agent.main, modern(host, installer=host.package(token='DEBIAN13-64'),
                                                   os_token_overrides={'debian 13': 'DEBIAN13-64'}))
    assert not failed, result
    assert result['os_token'] == 'DEBIAN13-64'
    assert result['version_after'] == NEW


@pytest.mark.parametrize('args,missing', [
    (dict(control_plane='classic', passphrase=PASSPHRASE), 'cs_address'),
    (dict(control_plane='classic', cs_address='10.0.0.5'), 'passphrase'),
    (dict(control_plane='classic'), 'cs_address and passphrase'),
    (dict(control_plane='modernized'), 'config'),
])
def test_registration_inputs_required_when_registration_is_planned(host, run_module, args, missing):
    args = dict(args, installer=host.package(), work_dir=host.work)
    failed, result = run_module(agent.main, args)
    assert failed
    assert 'needs %s' % missing in result['msg'] and 'Nothing was changed' in result['msg']
    assert host.programs() == ['tar -xOf']
    assert not host.exists('/usr/local/.vx_version')


@pytest.mark.parametrize('control_plane,cs_type', [('classic', 'CSLegacy'), ('modernized', 'CSPrime')])
def test_registration_inputs_not_required_when_already_registered(host, run_module, control_plane, cs_type):
    host.set_installed('9.66.0.0', 7567, cs_type=cs_type)
    failed, result = run_module(agent.main, dict(installer=host.package(), control_plane=control_plane,
                                                 cs_address='10.0.0.5'))
    assert not failed, result
    assert result['changed'] is False and result['actions'] == []


def test_installer_needed_but_missing(host, run_module):
    failed, result = run_module(agent.main, modern(host, installer='/nowhere/Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_'
                                                                   '20Sep2025_release.tar.gz'))
    assert failed
    assert 'does not exist' in result['msg'] and 'Nothing was changed' in result['msg']
    assert host.calls == []


def test_latest_with_a_missing_installer_says_so(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    missing = os.path.join(host.packages, 'Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz')
    failed, result = run_module(agent.main, modern(host, state='latest', installer=missing))
    assert failed
    assert missing in result['msg'] and 'does not exist' in result['msg']
    assert host.calls == []


def test_installer_needed_but_not_given(host, run_module):
    failed, result = run_module(agent.main, dict(control_plane='modernized', config=CONFIG))
    assert failed and 'no installer was given' in result['msg']


def test_bad_version_pin(host, run_module):
    failed, result = run_module(agent.main, modern(host, version='latest'))
    assert failed and result['msg'].startswith('version:')
    assert host.calls == []


def test_control_plane_is_required(host, run_module):
    failed, result = run_module(agent.main, dict(installer=host.package()))
    assert failed and 'control_plane' in result['msg']
    assert host.calls == []


def test_refusal_downgrade(host, run_module):
    host.set_installed('9.66.0.0', 7567)
    failed, result = run_module(agent.main, modern(host, state='latest',
                                                   installer=host.package('9.60.0.0', 7000)))
    assert failed and 'downgrade' in result['msg'] and 'Nothing was changed' in result['msg']
    assert host.programs() == ['tar -xOf']


def test_refusal_classic_to_modernized_without_migrate(host, run_module):
    host.set_installed('9.60.0.0', 7000, cs_type='CSLegacy')
    failed, result = run_module(agent.main, modern(host))
    assert failed and 'migrate=true' in result['msg']
    assert host.programs() == ['tar -xOf']


# ---------------------------------------------------------------------------------------------
# Idempotence, upgrades, migration
# ---------------------------------------------------------------------------------------------
# A converged host is not even made to read (decompress) the package: only `latest` without a pin
# needs the package's version to decide.
@pytest.mark.parametrize('state, pin, programs', [
    ('present', None, []),
    ('latest', None, ['tar -xOf']),
    ('latest', '9.66.7567.1', []),
    ('present', '9.66', []),
])
def test_same_version_runs_no_installer(host, run_module, state, pin, programs):
    host.set_installed('9.66.0.0', 7567)
    args = modern(host, state=state)
    if pin:
        args['version'] = pin
    failed, result = run_module(agent.main, args)
    assert not failed, result
    assert result['changed'] is False and result['actions'] == []
    assert result['version_before'] == NEW and result['version_after'] == NEW
    assert host.programs() == programs


def test_pin_above_the_installed_version_reads_the_package(host, run_module):
    host.set_installed('9.65.0.0', 7411)
    args = modern(host, version='9.66.7567.1')
    failed, result = run_module(agent.main, args)
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['upgrade']
    assert host.programs()[0] == 'tar -xOf' and result['installer_version'] == NEW


def test_second_run_is_idempotent(host, run_module):
    failed, first = run_module(agent.main, classic(host))
    assert not failed and first['changed'] is True
    calls = len(host.calls)
    failed, second = run_module(agent.main, classic(host))
    assert not failed and second['changed'] is False, second
    assert host.programs()[calls:] == []          # not even the package is read


def test_upgrade_exit_98_means_reboot_required(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    failed, result = run_module(agent.main, modern(host, state='latest'))
    assert not failed, result
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['upgrade']
    assert result['reboot_required'] is True
    assert result['version_before'] == OLD and result['version_after'] == NEW
    assert result['registered'] is True
    install = host.calls[2]['argv']
    assert install[install.index('-a') + 1] == 'Upgrade'
    assert 'UnifiedAgentConfigurator.sh' not in host.programs()
    assert_work_dir_clean(host)


def test_upgrade_exit_0_no_reboot(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    host.install_rc = 0
    failed, result = run_module(agent.main, modern(host, version='9.66'))
    assert not failed, result
    assert result['reboot_required'] is False
    assert result['version_after'] == NEW


def test_fresh_install_exit_98_means_reboot_required(host, run_module):
    host.install_rc = 98
    failed, result = run_module(agent.main, modern(host))
    assert not failed and result['reboot_required'] is True


def test_migration_classic_to_modernized(host, run_module):
    host.set_installed('9.60.0.0', 7000, cs_type='CSLegacy')
    host.install_rc = 98
    failed, result = run_module(agent.main, modern(host, migrate=True))
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['install', 'register']
    assert result['actions'][0]['migration'] is True
    install = host.calls[2]['argv']
    assert install[install.index('-a') + 1] == 'Install' and install[install.index('-c') + 1] == 'CSPrime'
    assert result['control_plane'] == 'modernized'
    assert host.calls[3]['argv'][1] == '-S'


def test_install_success_but_state_file_not_updated_fails(host, run_module):
    host.set_installed('9.60.0.0', 7000)
    host.install_writes_state = False
    failed, result = run_module(agent.main, modern(host, state='latest'))
    assert failed
    assert 'shows version %s, not %s' % (OLD, NEW) in result['msg']
    assert result['vendor_exit_code'] == 98
    assert result['failed_action']['action'] == 'upgrade'


# ---------------------------------------------------------------------------------------------
# Vendor failures
# ---------------------------------------------------------------------------------------------
def test_register_exit_14_fails_and_rolls_back_a_fresh_install(host, run_module):
    host.configurator_rc = 14
    failed, result = run_module(agent.main, classic(host))
    assert failed
    assert result['vendor_exit_code'] == 14
    assert 'unreachable' in result['vendor_message'] and 'passphrase' in result['vendor_message']
    assert any('CS unreachable' in line for line in result['log_tail'])
    assert any('Registration failed.' in line for line in result['log_tail'])
    assert result['failed_action']['action'] == 'register'
    assert 'register failed' in result['msg'] and 'exited 14' in result['msg']
    assert 'rolled back' in result['rollback'] and 'rolled back' in result['msg']
    assert host.programs() == ['tar -xOf', 'tar -xf', 'install', 'UnifiedAgentConfigurator.sh', 'uninstall.sh']
    assert host.calls[-1]['argv'] == ['/usr/local/ASR/uninstall.sh', '-Y', '-L', '/var/log/ua_uninstall.log']
    assert not host.exists('/usr/local/.vx_version')
    assert result['version_after'] is None and result['registered'] is False
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['install']
    assert_secrets_safe(host, PASSPHRASE)
    assert_work_dir_clean(host)


def test_register_failure_without_rollback(host, run_module):
    host.configurator_rc = 14
    failed, result = run_module(agent.main, classic(host, rollback_on_failure=False))
    assert failed and 'rollback' not in result
    assert 'uninstall.sh' not in host.programs()
    assert host.exists('/usr/local/.vx_version')
    assert result['version_after'] == NEW


def test_register_failure_on_an_existing_agent_is_not_rolled_back(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', status='Failed', cs_address='')
    host.configurator_rc = 13
    failed, result = run_module(agent.main, classic(host))
    assert failed
    assert result['vendor_exit_code'] == 13
    assert 'different configuration server' in result['vendor_message']
    assert 'uninstall.sh' not in host.programs()
    assert host.exists('/usr/local/.vx_version')
    assert_secrets_safe(host, PASSPHRASE)


def test_register_exit_0_without_succeeded_status_fails(host, run_module):
    host.configurator_status = 'Failed'
    failed, result = run_module(agent.main, modern(host, rollback_on_failure=False))
    assert failed
    assert 'AGENT_CONFIGURATION_STATUS is Failed' in result['msg']
    assert_secrets_safe(host, CONFIG)


def test_modernized_secret_removed_after_failure(host, run_module):
    host.configurator_rc = 97
    failed, result = run_module(agent.main, modern(host))
    assert failed and result['vendor_exit_code'] == 97
    assert_secrets_safe(host, CONFIG)
    assert_work_dir_clean(host)


def test_install_failure_returns_vendor_details(host, run_module):
    host.install_rc = 99
    failed, result = run_module(agent.main, modern(host))
    assert failed
    assert result['vendor_exit_code'] == 99
    assert 'prerequisites' in result['vendor_message']
    assert any('Installer exiting with code: 99' in line for line in result['log_tail'])
    assert '--- /var/log/InstallerErrors.json ---' in result['log_tail']
    assert any('ASRMobilityServicePrereqFailed' in line for line in result['log_tail'])
    assert result['failed_action']['action'] == 'install'
    assert 'UnifiedAgentConfigurator.sh' not in host.programs()
    assert host.secrets == []
    assert_work_dir_clean(host)


def test_install_killed_by_signal(host, run_module):
    host.install_rc = -9
    failed, result = run_module(agent.main, modern(host))
    assert failed and result['vendor_exit_code'] == -9
    assert 'signal 9' in result['vendor_message']


# ---------------------------------------------------------------------------------------------
# Uninstall
# ---------------------------------------------------------------------------------------------
def test_uninstall(host, run_module):
    host.set_installed()
    failed, result = run_module(agent.main, dict(state='absent'))
    assert not failed, result
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['uninstall']
    assert result['version_before'] == OLD and result['version_after'] is None
    assert host.calls[0]['argv'] == ['/usr/local/ASR/uninstall.sh', '-Y', '-L', '/var/log/ua_uninstall.log']
    assert not host.exists('/usr/local/.vx_version')


def test_uninstall_uses_the_installed_directory(host, run_module):
    host.set_installed(install_dir='/opt/ASR/Vx')
    failed, result = run_module(agent.main, dict(state='absent'))
    assert not failed, result
    assert host.calls[0]['argv'][0] == '/opt/ASR/uninstall.sh'


def test_uninstall_exit_0_with_state_file_present_fails(host, run_module):
    host.set_installed()
    host.uninstall_removes_state = False
    failed, result = run_module(agent.main, dict(state='absent'))
    assert failed
    assert 'still present' in result['msg'] and '/usr/local/.vx_version' in result['msg']
    assert result['vendor_exit_code'] == 0
    assert result['version_after'] == OLD
    assert any('Uninstalling' in line for line in result['log_tail'])


def test_uninstall_exit_2_fails(host, run_module):
    host.set_installed()
    host.uninstall_rc = 2
    host.uninstall_removes_state = False
    failed, result = run_module(agent.main, dict(state='absent'))
    assert failed
    assert result['vendor_exit_code'] == 2 and 'could not be stopped' in result['vendor_message']


def test_absent_when_not_installed(host, run_module):
    failed, result = run_module(agent.main, dict(state='absent', installer='/whatever'))
    assert not failed
    assert result['changed'] is False and result['actions'] == []
    assert host.calls == []


# ---------------------------------------------------------------------------------------------
# [R2] issue 12: what the vendor's real scripts do, wired into the lifecycle
# ---------------------------------------------------------------------------------------------
def test_failed_reregistration_starts_a_previously_running_vxagent_again(host, run_module):
    """UnifiedAgentConfigurator.sh:1833-1837 stops vxagent before contacting the CS and leaves it
    stopped on 14: a host that was replicating must not be left out of protection."""
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', status='Failed', cs_address='')
    host.systemctl['vxagent'] = 'active'
    host.configurator_rc = 14
    failed, result = run_module(agent.main, classic(host))
    assert failed and result['vendor_exit_code'] == 14
    assert ['systemctl', 'start', 'vxagent'] in [c['argv'] for c in host.systemctl_calls]
    assert host.systemctl['vxagent'] == 'active'
    assert 'vxagent' in result['msg'] and 'started again' in result['msg']


def test_failed_registration_does_not_start_an_agent_that_was_stopped(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', status='Failed', cs_address='')
    host.systemctl['vxagent'] = 'inactive'
    host.configurator_rc = 14
    failed, result = run_module(agent.main, classic(host))
    assert failed
    assert ['systemctl', 'start', 'vxagent'] not in [c['argv'] for c in host.systemctl_calls]


def test_modernized_configurator_98_is_a_failure(host, run_module):
    """98 from the modernized configurator = client auth failed, nothing registered (:1190-1223)."""
    failed, result = run_module(agent.main, modern(host, register=False))
    assert not failed and result['registered'] is False and result['control_plane'] == 'modernized'
    host.configurator_rc = 98
    host.configurator_status = 'none'
    failed, result = run_module(agent.main, modern(host, register=True))
    assert failed and result['vendor_exit_code'] == 98, result
    assert 'verifyclientauth' in result['vendor_message']
    assert result['registered'] is False


def test_platform_azure_registration_is_refused_before_anything_runs(host, run_module):
    failed, result = run_module(agent.main, modern(host, platform='Azure'))
    assert failed
    assert 'Azure' in result['msg'] and '-C' in result['msg'] and 'Nothing was changed' in result['msg']
    assert 'install' not in host.programs()


def test_install_dir_is_normalised(host, run_module):
    failed, result = run_module(agent.main, modern(host, install_dir='/usr/local/ASR/', register=False))
    assert not failed, result
    install = [c for c in host.calls if c['argv'][0].endswith('/install')][0]['argv']
    assert install[install.index('-d') + 1] == '/usr/local/ASR'


def test_routine_rerun_after_upgrade_needs_no_passphrase(host, run_module):
    """.vx_version is rebuilt without the status line by every upgrade; drscout.conf still holds
    the registration, so a rerun plans nothing and needs no secret."""
    failed, first = run_module(agent.main, classic(host))
    assert not failed, first
    failed, second = run_module(agent.main, classic(host, installer=host.package(version='9.67.0.0', build=7700),
                                                    state='latest'))
    assert not failed, second
    assert 'AGENT_CONFIGURATION_STATUS' not in host.state_kv()
    calls = len(host.calls)
    args = classic(host, installer=host.package(version='9.67.0.0', build=7700), state='latest')
    del args['passphrase']
    failed, third = run_module(agent.main, args)
    assert not failed, third
    assert third['changed'] is False and third['registered'] is True
    assert 'UnifiedAgentConfigurator.sh' not in host.programs()[calls:]


def test_port_change_is_refused_before_the_configurator_runs(host, run_module):
    failed, first = run_module(agent.main, classic(host))
    assert not failed
    failed, result = run_module(agent.main, classic(host, cs_port=8443))
    assert failed and '13' in result['msg'] and '8443' in result['msg']


def test_retried_uninstall_uses_the_install_trees_uninstaller(host, run_module):
    """uninstall.sh deletes itself (unifiedagent/templates/uninstall.sh:334): a retry after a
    failed inner uninstall runs <root>/Vx/bin/uninstall."""
    host.set_installed()
    host.write('/usr/local/ASR/Vx/bin/uninstall', '#!/bin/sh\n', mode=0o755)
    assert not host.exists('/usr/local/ASR/uninstall.sh')
    failed, result = run_module(agent.main, dict(state='absent'))
    assert not failed, result
    assert host.calls[-1]['argv'][0] == '/usr/local/ASR/Vx/bin/uninstall'
    assert not host.exists('/usr/local/.vx_version')


# Hardening (issue 15): refused before anything runs, locks, verified copies, secrets on /run

def _sha256(path):
    import hashlib
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.parametrize('extra, message', [
    (dict(cs_address='a|;e touch /PWNED #'), 'not an IP address or host name'),
    (dict(cs_address='10.0.0.5:443'), 'not an IP address or host name'),
    (dict(passphrase='pass phrase'), 'whitespace'),
    (dict(passphrase='   '), 'blank'),
])
def test_bad_registration_inputs_are_refused_before_anything_runs(host, run_module, extra, message):
    failed, result = run_module(agent.main, classic(host, **extra))
    assert failed and message in result['msg'] and 'Nothing was changed' in result['msg']
    assert host.calls == []


@pytest.mark.parametrize('config, message', [('/tmp/config.json', 'not JSON'), ('{}', 'not a non-empty object')])
def test_bad_config_is_refused_before_anything_runs(host, run_module, config, message):
    failed, result = run_module(agent.main, modern(host, config=config))
    assert failed and message in result['msg']
    assert host.calls == []


def test_config_given_as_a_mapping_is_written_as_json(host, run_module):
    """ansible-core 2.16 turns a JSON string into a mapping before the module sees it."""
    config = {'BiosId': BIOS_ID, 'ApplianceFqdn': 'appliance.example.com', 'Secret': 'c0nfig-s3cret'}
    failed, result = run_module(agent.main, modern(host, config=config))
    assert not failed, result
    assert [json.loads(s['content']) for s in host.secrets] == [config]
    assert 'c0nfig-s3cret' not in json.dumps(result)


@pytest.mark.parametrize('name', ['installer', 'work_dir'])
def test_paths_with_whitespace_are_refused(host, run_module, name):
    spaced = os.path.join(host.base, 'with space')
    os.makedirs(spaced, 0o700)
    args = classic(host)
    args[name] = os.path.join(spaced, os.path.basename(args['installer'])) if name == 'installer' else spaced
    failed, result = run_module(agent.main, args)
    assert failed and 'whitespace' in result['msg']
    assert host.calls == []


def test_installer_swapped_after_verification_is_not_run(host, run_module):
    package = host.package()
    verified = _sha256(package)
    assert host.package(build=7999) == package  # another package, same name: swapped after verification
    failed, result = run_module(agent.main, classic(host, installer=package, installer_sha256=verified))
    assert failed and 'not the file that was verified' in result['msg']
    assert 'install' not in host.programs()
    assert result['changed'] is False
    assert_work_dir_clean(host)


def test_verified_installer_runs_from_the_private_copy(host, run_module):
    package = host.package()
    failed, result = run_module(agent.main, classic(host, installer=package, installer_sha256=_sha256(package)))
    assert not failed, result
    extracted = [c['argv'] for c in host.calls if c['argv'][0] == 'tar' and c['argv'][1] == '-xf']
    assert extracted and all(argv[2] != package and argv[2].startswith(host.work) for argv in extracted)
    assert_work_dir_clean(host)


def test_installer_directory_owned_by_another_user_is_refused(host, run_module):
    if os.geteuid() != 0:
        pytest.skip('chown to another user needs root')
    package = host.package()
    os.chown(host.packages, 65534, 65534)
    failed, result = run_module(agent.main, classic(host, installer=package))
    assert failed and 'owned by uid 65534' in result['msg'] and 'installer directory' in result['msg']
    assert host.calls == []


def test_symlinked_work_dir_is_refused(host, run_module):
    real = os.path.join(host.base, 'real-work')
    os.makedirs(real)
    link = os.path.join(host.base, 'linked-work')
    os.symlink(real, link)
    failed, result = run_module(agent.main, classic(host, work_dir=link))
    assert failed and 'symbolic link' in result['msg']
    assert host.calls == []


def test_a_second_run_on_the_same_host_waits_then_fails_clearly(host, run_module):
    from ansible_collections.asr.mobility.plugins.module_utils import host_safety
    held = host_safety.HostLock(host.path('/run/lock/asr-mobility.lock')).acquire(0)
    try:
        failed, result = run_module(agent.main, classic(host, lock_timeout=0))
    finally:
        held.release()
    assert failed and 'Another asr.mobility run (pid %d)' % os.getpid() in result['msg']
    assert host.calls == []
    failed, result = run_module(agent.main, classic(host))
    assert not failed, result


def test_check_mode_takes_no_lock(host, run_module):
    from ansible_collections.asr.mobility.plugins.module_utils import host_safety
    held = host_safety.HostLock(host.path('/run/lock/asr-mobility.lock')).acquire(0)
    try:
        failed, result = run_module(agent.main, classic(host, lock_timeout=0), check_mode=True)
    finally:
        held.release()
    assert not failed, result


def test_stale_private_directories_of_a_killed_run_are_removed(host, run_module):
    stale = os.path.join(host.work, 'asr-mobility-secret-killed')
    os.makedirs(stale)
    with open(os.path.join(stale, 'connection.passphrase'), 'w') as handle:
        handle.write('left-by-sigkill')
    failed, result = run_module(agent.main, classic(host))
    assert not failed, result
    assert not os.path.exists(stale)
    assert_work_dir_clean(host)


def test_secret_goes_to_run_when_run_is_a_tmpfs(host, run_module):
    host.write('/proc/mounts', 'tmpfs /run tmpfs rw,nosuid,nodev 0 0\n')
    failed, result = run_module(agent.main, classic(host))
    assert not failed, result
    assert [os.path.dirname(os.path.dirname(s['path'])) for s in host.secrets] == [host.path('/run/asr-mobility')]
    assert os.stat(host.path('/run/asr-mobility')).st_mode & 0o777 == 0o700
    assert os.listdir(host.path('/run/asr-mobility')) == []


# ---------------------------------------------------------------------------------------------
# Modernized: the config must be for this host; the Agent Config Input comes back (issue 14)
# ---------------------------------------------------------------------------------------------
def other_machine_config():
    return json.dumps({'BiosId': OTHER_BIOS_ID, 'Fqdn': 'other-host', 'ClientCertificate': 'other-s3cret-cert'})


@pytest.mark.parametrize('check_mode', [False, True])
def test_config_for_another_machine_is_refused_before_the_vendor_runs(host, run_module, check_mode):
    failed, result = run_module(agent.main, modern(host, config=other_machine_config()), check_mode=check_mode)
    assert failed, result
    assert 'made for another machine' in result['msg'] and BIOS_ID in result['msg']
    assert 'Nothing was changed' in result['msg']
    assert [p for p in host.programs() if not p.startswith('tar')] == []
    assert host.state_kv() is None and host.secrets == []
    assert 'other-s3cret-cert' not in json.dumps(result)


def test_config_for_another_machine_is_refused_on_an_unregistered_agent(host, run_module):
    host.set_installed(version='9.66.0.0', build=7567, status=None, cs_address='', cs_type='CSLegacy',
                       data_protection='DataProtectionSyncRcm')
    failed, result = run_module(agent.main, modern(host, config=other_machine_config()))
    assert failed and 'made for another machine' in result['msg'], json.dumps(result)
    assert 'UnifiedAgentConfigurator.sh' not in host.programs()


def test_config_without_bios_id_is_refused(host, run_module):
    failed, result = run_module(agent.main, modern(host, config='{"ApplianceFqdn": "appliance.example.com"}'))
    assert failed and 'has no BiosId' in result['msg']
    assert 'install' not in host.programs()


def test_config_with_the_byteswapped_bios_id_is_accepted(host, run_module):
    # agent source AgentConfigHelpers::IsConfigValid accepts the byte-swapped system UUID too
    from ansible_collections.asr.mobility.plugins.module_utils import agent_config
    config = json.dumps({'BiosId': agent_config.byteswapped_bios_id(BIOS_ID), 'ClientCertificate': 'c0nfig-s3cret'})
    failed, result = run_module(agent.main, modern(host, config=config))
    assert not failed, result
    assert result['registered'] is True


def test_bios_id_from_dmidecode_when_sysfs_is_empty(host, run_module):
    host.write('/sys/class/dmi/id/product_uuid', '')
    host.write('/usr/sbin/dmidecode', '#!/bin/sh\n', 0o755)
    host.write('/fake/dmidecode-uuid', BIOS_ID.lower())
    failed, result = run_module(agent.main, modern(host))
    assert not failed, result
    assert 'dmidecode' in host.programs()


def test_unreadable_bios_id_is_refused(host, run_module):
    host.remove('/sys/class/dmi/id/product_uuid')
    failed, result = run_module(agent.main, modern(host))
    assert failed and 'could not be read' in result['msg'] and 'dmidecode -s system-uuid (not installed)' in result['msg']
    assert 'install' not in host.programs()


def test_modernized_install_returns_the_agent_config_input(host, run_module):
    failed, result = run_module(agent.main, modern(host, register=False, config=None))
    assert not failed, result
    from ansible_collections.asr.mobility.plugins.module_utils import agent_config
    decoded = agent_config.decode_config_input(result['agent_config_input'])
    assert decoded['bios_id'] == BIOS_ID
    assert result['agent_config_input_decoded'] == {'bios_id': BIOS_ID, 'fqdn': 'fake-host'}
    assert host.programs()[-1] == 'AzureRcmCli'


def test_installed_unregistered_modernized_agent_returns_it_in_check_mode(host, run_module):
    host.set_installed(version='9.66.0.0', build=7567, status=None, cs_address='', cs_type='CSLegacy',
                       data_protection='DataProtectionSyncRcm')
    failed, result = run_module(agent.main, modern(host, register=False, config=None), check_mode=True)
    assert not failed, result
    assert result['agent_config_input_decoded']['bios_id'] == BIOS_ID, result


def test_registered_converged_agent_does_not_run_azurercmcli(host, run_module):
    host.set_installed(version='9.66.0.0', build=7567)
    failed, result = run_module(agent.main, modern(host, installer=None))
    assert not failed, result
    assert 'AzureRcmCli' not in host.programs() and 'agent_config_input' not in result


def test_unreadable_agent_config_input_is_a_warning(host, run_module):
    host.rcmcli_rc = 1
    failed, result = run_module(agent.main, modern(host, register=False, config=None))
    assert not failed, result
    assert 'agent_config_input' not in result
    assert any('Agent Config Input could not be read' in w and 'exited 1' in w for w in result.get('warnings', []))


def test_work_dir_on_a_noexec_mount_is_refused_before_the_copy(host, run_module, monkeypatch):
    """CIS mounts /var/tmp noexec: ./install could not run from the extracted tree. The check runs in
    check mode too, so the role's plan call refuses before it copies anything."""
    real = os.statvfs

    class NoExec(object):
        def __init__(self, path):
            self.f_flag = real(path).f_flag | 8

    monkeypatch.setattr(os, 'statvfs', lambda path: NoExec(path) if path == host.work else real(path))
    failed, result = run_module(agent.main, classic(host), check_mode=True)
    assert failed and 'mounted noexec' in result['msg'] and host.work in result['msg']
    assert host.calls == []


def test_migration_without_registration_returns_the_agent_config_input(host, run_module):
    """Classic -> modernized with the config to be made afterwards (the role's appliance source): the
    migrated agent's input comes back even when the state still shows the classic registration."""
    host.set_installed('9.60.0.0', 7000, cs_type='CSLegacy')
    host.install_rc = 98
    failed, result = run_module(agent.main, modern(host, migrate=True, register=False, config=None))
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['install']
    assert result['agent_config_input_decoded']['bios_id'] == BIOS_ID
    assert result['registered_before'] is True and result['control_plane_before'] == 'classic'


def test_an_oserror_while_acting_is_reported_and_rolled_back(host, run_module, monkeypatch):
    """ENOSPC while writing the secret (after the fresh install): a message and the rollback, not a traceback."""
    import errno
    real = linux_agent.tempfile.mkdtemp

    def mkdtemp(prefix='', dir=None):
        if prefix.startswith('asr-mobility-secret-'):
            raise OSError(errno.ENOSPC, 'No space left on device', dir)
        return real(prefix=prefix, dir=dir)

    monkeypatch.setattr(linux_agent.tempfile, 'mkdtemp', mkdtemp)
    failed, result = run_module(agent.main, classic(host))
    assert failed
    assert 'register failed' in result['msg'] and 'No space left on device' in result['msg']
    assert 'rolled back' in result['rollback']
    assert not host.exists('/usr/local/.vx_version')


# ---------------------------------------------------------------------------------------------
# The package's own OS_details.sh confirms the token before ./install runs (issue 12, item 6):
# the vendor's installer runs `OS=$($PWD/OS_details.sh 1)` (unifiedagent/templates/install:45) and
# aborts with 149 unless the package is built for that OS (:896-901).
# ---------------------------------------------------------------------------------------------
def test_package_os_details_confirms_the_token_before_install(host, run_module):
    failed, result = run_module(agent.main, classic(host))
    assert not failed, result
    assert [c['argv'][1:] for c in host.token_checks] == [['1']]
    # run from the private extraction directory, before the installer
    assert os.path.basename(host.token_checks[0]['cwd']).startswith('asr-mobility-x-')


def test_package_os_details_disagreeing_is_refused_before_the_installer(host, run_module):
    installer = host.package(os_details_says='OL8-64')
    failed, result = run_module(agent.main, classic(host, installer=installer))
    assert failed, result
    assert "OS_details.sh says this host is OL8-64" in result['msg']
    assert 'chose the installer for RHEL8-64' in result['msg'] and 'Nothing was run' in result['msg']
    assert result['vendor_exit_code'] == 149 and result['changed'] is False
    assert 'install' not in host.programs() and host.state_kv() is None
    assert_work_dir_clean(host)


def test_package_os_details_printing_nothing_is_refused(host, run_module):
    installer = host.package(os_details_says=' ')
    failed, result = run_module(agent.main, classic(host, installer=installer))
    assert failed and 'says this host is no supported OS (it printed nothing)' in result['msg'], result
    assert 'install' not in host.programs()


def test_package_without_os_details_installs(host, run_module):
    failed, result = run_module(agent.main, classic(host, installer=host.package(os_details_says=False)))
    assert not failed, result
    assert host.token_checks == [] and 'install' in host.programs()


# ---------------------------------------------------------------------------------------------
# Issue 16: the deciding call measures the preflight figures and reports the host's own token decision
# ---------------------------------------------------------------------------------------------
def _listener():
    import socket
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    return server


def test_check_mode_measures_space_and_endpoints_in_the_deciding_call(host, run_module):
    server = _listener()
    closed = _listener()
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        wanted = {'space': [{'path': '/'}, {'path': host.work}, {'path': '/no/such/dir'}],
                  'connect': [{'name': 'cs', 'host': '127.0.0.1', 'port': server.getsockname()[1]},
                              {'name': 'ps', 'host': '127.0.0.1', 'port': closed_port}],
                  'timeout': 0}
        failed, result = run_module(agent.main, classic(host, preflight=wanted), check_mode=True)
    finally:
        server.close()
    assert not failed, result
    figures = result['preflight']
    statvfs = os.statvfs('/')
    # as df -Pk's Available column gives it (other processes write meanwhile: within 256 MB)
    assert abs(figures['free_mb'][0] - statvfs.f_bavail * statvfs.f_frsize // 1024 // 1024) < 256
    assert isinstance(figures['free_mb'][1], int)
    assert figures['free_mb'][2] is None and '/no/such/dir' in figures['space_error'][2]
    assert figures['reachable'] == {'cs': True, 'ps': False}
    # the host's own token decision and kernel: what the role reads instead of gathering facts
    assert result['os']['token'] == result['os_token'] and result['os']['distribution']
    assert result['kernel'] == os.uname()[2]


def test_preflight_measures_nothing_when_nothing_is_planned_or_outside_check_mode(host, run_module):
    wanted = {'space': [{'path': '/'}], 'connect': [{'name': 'cs', 'host': '127.0.0.1', 'port': 1}], 'timeout': 0}
    host.set_installed('9.66.0.0', 7567)
    failed, result = run_module(agent.main, modern(host, installer='/not/copied/yet.tar.gz', register=False,
                                                   preflight=wanted), check_mode=True)
    assert not failed, result
    assert result['actions'] == [] and 'preflight' not in result


def test_endpoints_are_tried_only_when_a_registration_is_planned(host, run_module):
    wanted = {'space': [{'path': '/'}], 'connect': [{'name': 'cs', 'host': '127.0.0.1', 'port': 1}], 'timeout': 0}
    failed, result = run_module(agent.main, classic(host, register=False, preflight=wanted), check_mode=True)
    assert not failed, result
    assert [a['action'] for a in result['actions']] == ['install']
    assert result['preflight']['reachable'] == {} and len(result['preflight']['free_mb']) == 1
