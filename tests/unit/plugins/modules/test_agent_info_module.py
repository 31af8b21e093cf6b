# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asr.mobility.agent_info main() against a fake host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.module_utils import basic

from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
from ansible_collections.asr.mobility.plugins.modules import agent_info

# the real run_command, saved before the fixtures replace it
REAL_RUN_COMMAND = basic.AnsibleModule.run_command

KEYS = {'changed', 'installed', 'version', 'build', 'control_plane', 'platform', 'configuration_status', 'registered',
        'cs_address', 'install_dir', 'reboot_required', 'services', 'os_token', 'os_token_confirmed',
        'unsupported_reason', 'distribution', 'distribution_version', 'bios_id', 'agent_config_input',
        'agent_config_input_decoded', 'agent_config_input_error'}
BIOS_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'  # tests/unit/conftest.py FakeHost


def add_process(host, pid, comm, cmdline=None):
    host.write('/proc/%d/comm' % pid, comm + '\n')
    if cmdline is not None:
        host.write('/proc/%d/cmdline' % pid, '\0'.join(cmdline) + '\0')


def test_installed_agent(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', cs_address='cs.example.com')
    add_process(host, 1, 'systemd', ['/sbin/init'])
    add_process(host, 4242, 'svagents', ['/usr/local/ASR/Vx/bin/svagents'])
    host.systemctl['uarespawnd'] = 'inactive'
    failed, result = run_module(agent_info.main, {})
    assert not failed, result
    result.pop('warnings')
    assert set(result) == KEYS
    assert result['changed'] is False
    assert result['installed'] is True
    assert result['version'] == '9.66.7567.0' and result['build'] == 7567
    assert result['control_plane'] == 'classic'
    assert result['platform'] == 'VmWare'
    assert result['configuration_status'] == 'Succeeded' and result['registered'] is True
    assert result['cs_address'] == 'cs.example.com'
    assert result['install_dir'] == '/usr/local/ASR/Vx'
    assert result['reboot_required'] is None
    assert result['services'] == {'vxagent': 'active', 'uarespawnd': 'inactive', 'svagents': 'running'}
    assert result['os_token'] == 'RHEL8-64' and result['os_token_confirmed'] is True
    assert result['unsupported_reason'] is None
    assert result['distribution'] == 'RedHat' and result['distribution_version'] == '8.9'
    assert [c['argv'] for c in host.systemctl_calls] == [['systemctl', 'is-active', 'vxagent'],
                                                         ['systemctl', 'is-active', 'uarespawnd']]


def test_svagents_found_by_cmdline(host, run_module):
    add_process(host, 77, 'svagents-wrapp', ['/usr/local/ASR/Vx/bin/svagents', '-d'])
    failed, result = run_module(agent_info.main, {})
    assert not failed
    assert result['services']['svagents'] == 'running'


def test_not_installed(host, run_module):
    host.systemctl = {}
    failed, result = run_module(agent_info.main, {})
    assert not failed
    assert result['installed'] is False
    assert result['version'] is None and result['build'] is None and result['registered'] is False
    assert result['services'] == {'vxagent': 'inactive', 'uarespawnd': 'inactive', 'svagents': 'stopped'}
    assert result['os_token'] == 'RHEL8-64'


@pytest.mark.parametrize('release,arch,token,reason', [
    ({'/etc/redhat-release': 'Fedora release 39 (Thirty Nine)\n'}, 'x86_64', None, 'Fedora 39'),
    ({'/etc/debian_version': '13.1\n'}, 'x86_64', None, 'Debian 13.1'),
    ({'/etc/oracle-release': 'Oracle Linux Server release 6.3\n',
      '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.3 (Santiago)\n'}, 'x86_64', None,
     'OracleLinux 6.3'),
    ({'/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n'}, 'i686', None, '32-bit'),
    ({'/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n'}, 'x86_64', 'RHEL7-64', None),
])
def test_os_token_is_always_returned(host, run_module, monkeypatch, release, arch, token, reason):
    host.write_release(release)
    monkeypatch.setattr(linux_agent, 'architecture', lambda: arch)
    failed, result = run_module(agent_info.main, {})
    assert not failed
    assert 'os_token' in result and result['os_token'] == token
    if reason is None:
        assert result['unsupported_reason'] is None
    else:
        assert reason in result['unsupported_reason']


def test_ubuntu_2404_token_is_confirmed(host, run_module):
    # [R2] confirmed by the vendor's download lists (reference §4)
    host.write_release({'/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.04\n'})
    failed, result = run_module(agent_info.main, {})
    assert not failed
    assert result['os_token'] == 'UBUNTU-24.04-64' and result['os_token_confirmed'] is True
    assert result['unsupported_reason'] is None


def test_overrides(host, run_module):
    host.write_release({'/etc/debian_version': '13.1\n'})
    failed, result = run_module(agent_info.main, {'os_token_overrides': {'Debian 13': 'DEBIAN13-64'}})
    assert not failed
    assert result['os_token'] == 'DEBIAN13-64'


def test_check_mode_changes_nothing(host, run_module):
    host.set_installed()
    before = host.read('/usr/local/.vx_version')
    failed, result = run_module(agent_info.main, {}, check_mode=True)
    assert not failed and result['changed'] is False
    assert host.read('/usr/local/.vx_version') == before
    # systemctl is-active, and AzureRcmCli --getagentconfiginput (modernized): both only read
    assert all(c['argv'][0] == 'systemctl' or c['argv'][1:] == ['--getagentconfiginput'] for c in host.calls)


def test_systemctl_missing_is_unknown(host, run_module):
    host.systemctl_missing = True
    failed, result = run_module(agent_info.main, {})
    assert not failed, result
    assert result['services']['vxagent'] == 'unknown' and result['services']['uarespawnd'] == 'unknown'


def test_host_without_systemctl_with_the_real_run_command(host, run_module, monkeypatch):
    """RHEL 6, SLES 11, Ubuntu 14.04 and Debian 7 have no systemctl: agent_info must still answer.
    The real AnsibleModule.run_command fails the module on a missing executable unless told not to."""
    def run_command(self, args, **kwargs):
        if args[0] == 'systemctl':
            args = [os.path.join(host.base, 'no-such-dir', 'systemctl')] + list(args[1:])
        return REAL_RUN_COMMAND(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    host.set_installed()
    failed, result = run_module(agent_info.main, {})
    assert not failed, result
    assert result['installed'] is True
    assert result['services']['vxagent'] == 'unknown'


def test_unreadable_state_file(host, run_module):
    host.write('/usr/local/.vx_version', 'garbage\n')
    failed, result = run_module(agent_info.main, {})
    assert not failed
    assert result['installed'] is True and result['version'] is None


def test_modernized_agent_returns_its_agent_config_input(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSPrime', status=None, cs_address='')
    failed, result = run_module(agent_info.main, {})
    assert not failed, result
    assert result['bios_id'] == BIOS_ID
    assert result['agent_config_input_decoded'] == {'bios_id': BIOS_ID, 'fqdn': 'fake-host'}
    assert result['agent_config_input'] and result['agent_config_input_error'] is None
    assert ['/usr/local/ASR/Vx/bin/AzureRcmCli', '--getagentconfiginput'] in [c['argv'] for c in host.calls]


def test_classic_agent_is_not_asked_for_it(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', cs_address='cs.example.com')
    failed, result = run_module(agent_info.main, {})
    assert not failed and result['agent_config_input'] is None and result['bios_id'] == BIOS_ID
    assert 'AzureRcmCli' not in ' '.join(' '.join(c['argv']) for c in host.calls)


def test_failing_azurercmcli_is_reported_not_fatal(host, run_module):
    host.set_installed('9.66.0.0', 7567, cs_type='CSPrime', status=None, cs_address='')
    host.rcmcli_rc = 3
    failed, result = run_module(agent_info.main, {})
    assert not failed and result['agent_config_input'] is None
    assert 'exited 3' in result['agent_config_input_error']
