# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""linux_agent: reading the host and running the vendor programs (reference §1.2-1.5)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
from ansible_collections.asr.mobility.plugins.module_utils.linux_agent import LinuxAgent, VendorError


@pytest.mark.parametrize('install_dir,expected', [
    (None, '/usr/local/ASR'),
    ('', '/usr/local/ASR'),
    ('/usr/local/ASR', '/usr/local/ASR'),
    ('/usr/local/ASR/', '/usr/local/ASR'),
    ('/opt', '/opt/ASR'),
    ('/opt/', '/opt/ASR'),
    ('/data/agents', '/data/agents/ASR'),
])
def test_install_root(install_dir, expected):
    assert linux_agent.install_root(install_dir) == expected


def test_host_path(host):
    assert linux_agent.host_path('/usr/local/.vx_version') == os.path.join(host.root, 'usr/local/.vx_version')


def test_host_path_real_root(monkeypatch):
    monkeypatch.setitem(linux_agent.PATHS, 'root', '/')
    assert linux_agent.host_path('/etc/os-release') == '/etc/os-release'


def test_read_text_and_tail(host):
    assert linux_agent.read_text('/nope') is None
    host.write('/var/log/x.log', '\n'.join('line %d' % i for i in range(100)) + '\n')
    lines = linux_agent.tail('/var/log/x.log')
    assert len(lines) == linux_agent.LOG_TAIL_LINES and lines[-1] == 'line 99'
    assert linux_agent.tail('/var/log/x.log', 3) == ['line 97', 'line 98', 'line 99']
    assert linux_agent.tail('/nope') == []
    with open(host.path('/var/log/bin.log'), 'wb') as handle:
        handle.write(b'caf\xe9\n\xff\xfe ok\n')
    assert linux_agent.tail('/var/log/bin.log')[-1].endswith(' ok')


def test_release_files_reads_only_existing_files(host):
    files = linux_agent.release_files()
    assert sorted(files) == ['/etc/os-release', '/etc/redhat-release']
    assert files['/etc/redhat-release'].startswith('Red Hat Enterprise Linux release 8.9')


def test_detect_os(host):
    result = linux_agent.detect_os()
    assert result['token'] == 'RHEL8-64' and result['evidence'] == '/etc/redhat-release'
    assert linux_agent.detect_os({'RedHat 8': 'CUSTOM'})['token'] == 'CUSTOM'


def test_architecture_is_a_string():
    assert linux_agent.architecture()


def test_read_state_absent(host):
    assert linux_agent.read_state()['installed'] is False


def test_read_state_uses_installation_dir(host):
    host.set_installed('9.66.0.0', 7567, cs_type='CSLegacy', install_dir='/opt/ASR/Vx', cs_address='cs1')
    state = linux_agent.read_state()
    assert state['version'] == '9.66.7567.0'
    assert state['control_plane'] == 'classic' and state['cs_address'] == 'cs1'
    assert state['install_dir'] == '/opt/ASR/Vx'


def test_read_state_default_drscout_location(host):
    host.set_installed(cs_type='CSPrime')
    values = host.state_kv()
    del values['INSTALLATION_DIR']
    host.write('/usr/local/.vx_version', ''.join('%s=%s\n' % kv for kv in values.items()))
    assert linux_agent.read_state()['control_plane'] == 'modernized'


@pytest.mark.parametrize('prefix', ['./', ''])
def test_installer_metadata(host, prefix):
    meta = linux_agent.installer_metadata(host.run, host.package('9.66.0.0', 7567, 'RHEL8-64', member_prefix=prefix))
    assert meta == {'name': 'Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz',
                    'version': '9.66.7567.0', 'version_tuple': (9, 66, 7567, 0), 'os_built_for': 'RHEL8-64',
                    'build_tag': 'RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE'}


def test_installer_metadata_without_version(host):
    package = host.package(vx_version='OS_BUILT_FOR=RHEL8-64\n')
    with pytest.raises(ValueError) as exc:
        linux_agent.installer_metadata(host.run, package)
    assert 'has no VERSION' in str(exc.value)


def test_installer_metadata_not_a_tarball(host):
    bogus = os.path.join(host.packages, 'x.tar.gz')
    with open(bogus, 'w') as handle:
        handle.write('nope')
    with pytest.raises(ValueError) as exc:
        linux_agent.installer_metadata(host.run, bogus)
    assert 'not a readable Mobility Service package' in str(exc.value)


def test_secret_file_is_0600_and_exclusive(tmp_path):
    path = linux_agent._secret_file(str(tmp_path), 's', u'p\u00e4ss')
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    with open(path, 'rb') as handle:
        assert handle.read() == u'p\u00e4ss'.encode('utf-8')
    with pytest.raises(OSError):
        linux_agent._secret_file(str(tmp_path), 's', 'again')


def test_secret_file_ignores_umask(tmp_path):
    old = os.umask(0)
    try:
        path = linux_agent._secret_file(str(tmp_path), 's', b'bytes')
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_install_tar_failure(host):
    bogus = os.path.join(host.packages, 'x.tar.gz')
    with open(bogus, 'w') as handle:
        handle.write('nope')
    with pytest.raises(VendorError) as exc:
        LinuxAgent(host.run, work_dir=host.work).install(bogus, 'Install', 'CSPrime')
    assert exc.value.program == 'tar' and exc.value.code != 0
    assert 'could not extract' in exc.value.message
    assert os.listdir(host.work) == []


def test_install_returns_interpretation(host):
    host.install_rc = 98
    info = LinuxAgent(host.run, work_dir=host.work).install(host.package(), 'Install', 'CSLegacy')
    assert info['code'] == 98 and info['ok'] and info['reboot_required']
    assert os.listdir(host.work) == []


def test_install_failure_tail(host):
    host.install_rc = 208
    with pytest.raises(VendorError) as exc:
        LinuxAgent(host.run, work_dir=host.work).install(host.package(), 'Install', 'CSLegacy')
    err = exc.value
    assert err.code == 208 and err.program == 'install'
    assert 'kernel' in err.meaning
    assert err.message.startswith('install exited 208:')
    assert '--- program output ---' in err.log_tail and 'Installation failed.' in err.log_tail
    assert os.listdir(host.work) == []


def test_register_classic_argv(host):
    host.set_installed(cs_type='CSLegacy', status='Failed', cs_address='')
    agent = LinuxAgent(host.run, work_dir=host.work)
    info = agent.register(linux_agent.read_state(), 'classic', cs_address='cs.example.com', passphrase='pw')
    assert info['ok']
    argv = host.calls[-1]['argv']
    assert argv[:3] == ['/usr/local/ASR/Vx/bin/UnifiedAgentConfigurator.sh', '-i', 'cs.example.com']
    assert argv[3] == '-P' and argv[5:] == ['-c', 'CSLegacy', '-q']
    assert 'pw' not in argv
    assert host.secrets[-1]['content'] == 'pw' and host.secrets[-1]['mode'] == 0o600
    assert os.listdir(host.work) == []


def test_register_default_configurator_path():
    assert LinuxAgent(None).configurator({}) == '/usr/local/ASR/Vx/bin/UnifiedAgentConfigurator.sh'
    assert LinuxAgent(None).configurator({'install_dir': '/opt/ASR/Vx'}) == '/opt/ASR/Vx/bin/UnifiedAgentConfigurator.sh'


def test_register_secret_removed_when_run_raises(host):
    seen = []

    def run(argv, cwd=None):
        seen.append(argv[argv.index('-S') + 1])
        raise RuntimeError('boom')

    with pytest.raises(RuntimeError):
        LinuxAgent(run, work_dir=host.work).register({}, 'modernized', config='{}')
    assert seen and not os.path.exists(seen[0])
    assert os.listdir(host.work) == []


def test_uninstall_verifies_state_file(host):
    host.set_installed()
    host.uninstall_removes_state = False
    with pytest.raises(VendorError) as exc:
        LinuxAgent(host.run).uninstall(linux_agent.read_state())
    assert 'still present' in exc.value.message and exc.value.code == 0
    host.uninstall_removes_state = True
    info = LinuxAgent(host.run).uninstall(linux_agent.read_state())
    assert info['ok'] and not host.exists('/usr/local/.vx_version')


def test_uninstall_exit_1(host):
    host.set_installed()
    host.uninstall_rc = 1
    with pytest.raises(VendorError) as exc:
        LinuxAgent(host.run).uninstall(linux_agent.read_state())
    assert exc.value.code == 1 and exc.value.program == 'uninstall.sh'


def test_service_states(host):
    host.write('/proc/1/comm', 'systemd\n')
    host.write('/proc/self/comm', 'svagents\n')    # not a pid: ignored
    host.write('/proc/42/cmdline', '/usr/local/ASR/Vx/bin/svagents\0--daemon\0')   # no comm file
    host.systemctl = {'vxagent': 'failed'}
    states = linux_agent.service_states(host.run)
    assert states == {'vxagent': 'failed', 'uarespawnd': 'inactive', 'svagents': 'running'}


def test_service_states_without_proc_or_systemctl(host):
    host.systemctl_missing = True
    assert linux_agent.service_states(host.run) == {'vxagent': 'unknown', 'uarespawnd': 'unknown',
                                                    'svagents': 'stopped'}


def test_service_state_from_rc_when_no_output(host):
    def run(argv, cwd=None):
        return 0, '', ''
    assert linux_agent.service_states(run)['vxagent'] == 'active'


@pytest.mark.parametrize('version', ['9.66', '9.66.7567.1', '9'])
def test_check_version(version):
    assert linux_agent.check_version(version) == version


@pytest.mark.parametrize('version', ['latest', '9.66.x', ''])
def test_check_version_rejects(version):
    with pytest.raises(ValueError):
        linux_agent.check_version(version)


def test_vendor_error():
    err = VendorError('msg', code=3, meaning='m', program='p')
    assert str(err) == 'msg' and err.log_tail == [] and err.code == 3
