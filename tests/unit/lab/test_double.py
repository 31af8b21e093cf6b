# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The installer double (tests/lab/double): every exit code it implements, the state it writes,
and agreement with the collection's exit-code tables (anti-drift)."""

import base64
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import time

import pytest

try:
    from lab_helpers import CONFIG_JSON, DOUBLE_DIR, MACHINE_ID, PASSPHRASE, REPO, TOKEN, VERSION, build_installer, start_fake_cs
except ImportError:  # ansible-test units imports the tests as a package
    from .lab_helpers import CONFIG_JSON, DOUBLE_DIR, MACHINE_ID, PASSPHRASE, REPO, TOKEN, VERSION, build_installer, start_fake_cs

CLASSIC = ('-q', '-r', 'MS', '-v', 'VmWare', '-c', 'CSLegacy')
MODERNIZED = ('-q', '-r', 'MS', '-v', 'VmWare', '-c', 'CSPrime')
UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
RUN_LINE_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (install|configurator|uninstall) '
                         r'exit=(-?\d+|killed) pid=\d+ args=(.*)$')
TEMPLATES = os.path.join(DOUBLE_DIR, 'templates')

# Every exit code each vendor program of the double can return (checked against the scripts
# below, and against plugins/module_utils/exit_codes.py).
DOUBLE_CODES = {
    'install': {0, 1, 15, 44, 76, 93, 96, 97, 98, 99, 119, 149, 156, 159, 208},
    'configurator': {0, 1, 13, 14, 17, 44, 97, 98, 115},
    'uninstall': {0, 1, 2},
}


def assert_rc(res, code):
    assert res.returncode == code, 'expected %s, got %s\nstdout:\n%s\nstderr:\n%s' % (
        code, res.returncode, res.stdout, res.stderr)


def last_run(host, program):
    lines = [line for line in host.runs() if ' %s ' % program in line]
    assert lines, host.runs()
    m = RUN_LINE_RE.match(lines[-1])
    assert m, lines[-1]
    return m.group(2), m.group(3)


def errors_json(host, logical='/var/log/InstallerErrors.json'):
    with open(host.path(logical)) as handle:
        return json.load(handle)


def register_classic(host, cs, *extra, **env):
    host.write('/root/MobSvc.passphrase', PASSPHRASE + '\n')
    return host.configurator('-i', '127.0.0.1', '-p', str(cs.port), '-P', '/root/MobSvc.passphrase',
                             '-c', 'CSLegacy', '-q', *extra, **env)


# =============================================================================================
# builder
# =============================================================================================

def test_builder_name_members_and_modes(tmp_path):
    path = build_installer.build(VERSION, TOKEN, str(tmp_path))
    assert os.path.basename(path) == 'Microsoft-ASR_UA_9.66.7567.1_DEBIAN12-64_GA_20Sep2025_release.tar.gz'
    # the collection's own regex (reference §1.1)
    assert re.match(r'(?i)^Microsoft-ASR_UA_(\d+(?:\.\d+){3})_([A-Za-z0-9.\-]+)_([A-Z]+)_(\d{2}[A-Za-z]{3}\d{4})'
                    r'_release\.(tar\.gz|exe)$', os.path.basename(path))
    with tarfile.open(path) as tar:
        members = dict((m.name, m) for m in tar.getmembers())
    for name in ('install', 'uninstall.sh', 'install_vx', '.vx_version', 'OS_details.sh',
                 'prereq_check_install.sh', 'supported_kernels', 'Third-Party_Notices.txt',
                 'payload/Vx/bin/UnifiedAgentConfigurator.sh', 'payload/Vx/bin/svagents'):
        assert './' + name in members, name
    for name in ('install', 'uninstall.sh', 'install_vx', 'OS_details.sh', 'prereq_check_install.sh',
                 'payload/Vx/bin/UnifiedAgentConfigurator.sh', 'payload/Vx/bin/svagents',
                 'payload/Vx/bin/uninstall'):
        assert members['./' + name].mode == 0o755, name
    assert members['./.vx_version'].mode == 0o644
    assert './.asr_double_faults' not in members


def test_builder_vx_version_readable_without_installing(tmp_path):
    path = build_installer.build(VERSION, TOKEN, str(tmp_path))
    text = subprocess.check_output(['tar', '-xOf', path, './.vx_version'], universal_newlines=True)
    values = dict(line.split('=', 1) for line in text.splitlines())
    assert values['VERSION'] == '9.66.0.0'
    assert values['PROD_VERSION'] == '9.66.0.0'
    assert values['OS_BUILT_FOR'] == TOKEN
    assert values['BUILD_TAG'] == 'RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE'
    # reference §1.5: build number = field 5 when the line is split on "_" including the key
    assert ('BUILD_TAG=' + values['BUILD_TAG']).split('_')[4] == '7567'


def test_builder_is_deterministic_and_bakes_faults(tmp_path):
    a = build_installer.build(VERSION, TOKEN, str(tmp_path / 'a'), faults=['kernel', 'slow=3'])
    b = build_installer.build(VERSION, TOKEN, str(tmp_path / 'b'), faults='kernel,slow=3')
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        assert fa.read() == fb.read()
    with tarfile.open(a) as tar:
        faults = tar.extractfile('./.asr_double_faults').read().decode()
        kernels = tar.extractfile('./supported_kernels').read().decode().split()
    assert 'kernel' in faults.split() and 'slow=3' in faults.split()
    assert os.uname().release not in kernels


def test_builder_lists_running_kernel(tmp_path):
    path = build_installer.build(VERSION, TOKEN, str(tmp_path))
    with tarfile.open(path) as tar:
        kernels = tar.extractfile('./supported_kernels').read().decode().split()
    assert os.uname().release in kernels


@pytest.mark.parametrize('kwargs', [
    {'version': '9.66'}, {'token': 'bad token'}, {'date': '2025-09-20'}, {'faults': ['explode']},
])
def test_builder_rejects_bad_input(tmp_path, kwargs):
    args = {'version': VERSION, 'token': TOKEN, 'out_dir': str(tmp_path)}
    args.update(kwargs)
    with pytest.raises(ValueError):
        build_installer.build(**args)


def test_builder_cli(tmp_path):
    out = subprocess.check_output(
        ['python3', os.path.join(DOUBLE_DIR, 'build_installer.py'), '--version', '9.30.0.0',
         '--token', 'UBUNTU-16.04-64', '--out-dir', str(tmp_path), '--date', '22Oct2019', '--fault', 'service'],
        universal_newlines=True).strip()
    assert out == str(tmp_path / 'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz')
    assert os.path.exists(out)


# =============================================================================================
# OS_details.sh (reference §4)
# =============================================================================================

@pytest.mark.parametrize('files, token', [
    ({'/etc/oracle-release': 'Oracle Linux Server release 7.9\n'}, 'OL7-64'),
    ({'/etc/oracle-release': 'Oracle Linux Server release 6.4\n',
      '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.4 (Santiago)\n'}, 'OL6-64'),
    ({'/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n'}, 'RHEL7-64'),
    ({'/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n'}, 'RHEL7-64'),
    ({'/etc/redhat-release': 'CentOS release 6.10 (Final)\n'}, 'RHEL6-64'),
    ({'/etc/redhat-release': 'Rocky Linux release 8.8 (Green Obsidian)\n'}, 'RHEL8-64'),
    ({'/etc/redhat-release': 'AlmaLinux release 9.2 (Turquoise Kodkod)\n'}, 'RHEL9-64'),
    ({'/etc/SuSE-release': 'SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 3\n'}, 'SLES12-64'),
    ({'/etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n'}, 'SLES11-SP4-64'),
    ({'/etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 3\n'}, 'SLES11-SP3-64'),
    ({'/etc/os-release': 'NAME="SLES"\nVERSION="15-SP4"\nVERSION_ID="15.4"\nID="sles"\n'}, 'SLES15-64'),
    ({'/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\n', '/etc/debian_version': 'bullseye/sid\n'},
     'UBUNTU-20.04-64'),
    ({'/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\n'}, 'UBUNTU-16.04-64'),
    ({'/etc/debian_version': '11.7\n'}, 'DEBIAN11-64'),
    ({'/etc/debian_version': '12.5\n'}, 'DEBIAN12-64'),
    ({'/etc/debian_version': 'trixie/sid\n'}, ''),
    ({'/etc/debian_version': 'trixie/sid\n', '/etc/asr-double/os_token': 'DEBIAN12-64\n'}, 'DEBIAN12-64'),
    ({}, ''),
])
def test_os_details(tmp_path, files, token):
    root = tmp_path / 'r'
    root.mkdir()
    for logical, text in files.items():
        real = root / logical.lstrip('/')
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_text(text)
    out = subprocess.run([os.path.join(TEMPLATES, 'OS_details.sh'), '1'], stdout=subprocess.PIPE,
                         env={'PATH': os.environ['PATH'], 'ASR_DOUBLE_ROOT': str(root)},
                         universal_newlines=True, check=True).stdout.strip()
    assert out == token


def test_os_details_env_override_and_arch(tmp_path):
    env = {'PATH': os.environ['PATH'], 'ASR_DOUBLE_ROOT': str(tmp_path)}
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'debian_version').write_text('12.1\n')
    script = os.path.join(TEMPLATES, 'OS_details.sh')

    def run(**extra):
        return subprocess.run([script, '1'], stdout=subprocess.PIPE, universal_newlines=True,
                              env=dict(env, **extra), check=True).stdout.strip()

    assert run() == 'DEBIAN12-64'
    assert run(ASR_DOUBLE_OS_TOKEN='RHEL8-64') == 'RHEL8-64'
    assert run(ASR_DOUBLE_ARCH='i686') == ''


# =============================================================================================
# install (reference §1.2)
# =============================================================================================

def test_install_fresh_returns_0_and_writes_state(installed):
    host = installed
    vx = host.kv()
    assert vx['VERSION'] == '9.66.0.0'
    assert vx['PROD_VERSION'] == '9.66.0.0'
    assert vx['INSTALLATION_DIR'] == '/usr/local/ASR/Vx'
    assert vx['BUILD_TAG'] == 'RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE'
    assert vx['OS_BUILT_FOR'] == TOKEN
    assert 'AGENT_CONFIGURATION_STATUS' not in vx  # not known before registration
    assert host.read('/etc/vxagent/backup/.vx_version') == host.read('/usr/local/.vx_version')
    # create_metadata (VX/templates/install:307-343): the package's file + these two lines
    assert vx['VM_PLATFORM'] == 'VmWare' and re.match(r'^\d\d_[A-Z][a-z]{2}_\d{4}_', vx['INSTALLATION_TIMESTAMP'])
    conf = host.drscout()
    # the template drscout.conf (VX/templates/drscout.conf:18-21, :189-194)
    assert conf['vxagent']['VmPlatform'] == 'VmWare'
    assert conf['vxagent']['CSType'] == 'CSLegacy'
    assert conf['vxagent']['Role'] == 'Agent'
    assert conf['vxagent']['HostId'] == '1234_45466_67689'
    assert conf['vxagent']['DataProtectionExePathname'] == '/usr/local/ASR/Vx/bin/dataprotection'
    assert conf['vxagent.transport'] == {'Hostname': '', 'Port': '80'}
    for logical in ('/usr/local/ASR/uninstall.sh', '/usr/local/ASR/Vx/bin/UnifiedAgentConfigurator.sh',
                    '/usr/local/ASR/Vx/bin/svagents'):
        assert os.access(host.path(logical), os.X_OK), logical
    unit = host.read('/etc/systemd/system/vxagent.service')
    assert 'Type=oneshot' in unit and 'ExecStart=/usr/local/ASR/Vx/bin/start' in unit
    assert host.svagents_pid() is None  # a fresh install only enables vxagent: the configurator starts it
    log = host.read('/var/log/ua_install.log')
    assert re.search(r'^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d : Installer exiting with code: 0$', log, re.M)
    assert last_run(host, 'install') == ('0', ' '.join(CLASSIC))
    assert not os.path.exists(os.path.join(host.pkg, '.install.lck'))


def test_install_same_version_again_reruns_and_returns_98(installed):
    host = installed
    host_id = host.drscout()['vxagent']['HostId']
    res = host.install(host.package(), *CLASSIC)
    assert_rc(res, 98)
    assert host.drscout()['vxagent']['HostId'] == host_id
    assert host.svagents_pid() is not None  # an upgrade starts vxagent (VX/templates/install:2470)
    assert errors_json(host)['Errors'][0]['error_name'] == 'ASRMobiityServiceInstallerLinuxRecommendedReboot'
    assert [line.split()[2] for line in host.runs()] == ['exit=0', 'exit=98']


def test_install_upgrade_returns_98_keeps_host_id_and_registration(installed, fake_cs):
    host = installed
    assert_rc(register_classic(host, fake_cs), 0)
    host_id = host.drscout()['vxagent']['HostId']
    res = host.install(host.package(version='9.67.7700.1'), '-q', '-r', 'MS', '-v', 'VmWare', '-a', 'Upgrade',
                       '-c', 'CSLegacy')
    assert_rc(res, 98)
    vx = host.kv()
    assert vx['VERSION'] == '9.67.0.0' and vx['BUILD_TAG'].split('_')[3] == '7700'
    # [R2] .vx_version is rebuilt without the status line (create_metadata, VX/templates/install:307-343)
    assert 'AGENT_CONFIGURATION_STATUS' not in vx
    assert host.kv('/etc/vxagent/backup/.vx_version') == vx
    conf = host.drscout()  # kept (preserve_config): the registration is still there
    assert conf['vxagent']['HostId'] == host_id
    assert conf['vxagent.transport']['Hostname'] == '127.0.0.1'
    assert conf['vxagent.transport']['Port'] == str(fake_cs.port)


def test_install_build_number_decides_newer(installed):
    # same major.minor, higher build: an upgrade (98); lower build: a downgrade (15)
    host = installed
    assert_rc(host.install(host.package(version='9.66.7600.1'), *CLASSIC), 98)
    assert_rc(host.install(host.package(version='9.66.7567.1'), *CLASSIC), 15)


def test_install_downgrade_classic_returns_15(installed):
    res = installed.install(installed.package(version='9.65.7000.1'), *CLASSIC)
    assert_rc(res, 15)
    assert installed.kv()['VERSION'] == '9.66.0.0'


def test_install_downgrade_modernized_returns_97(host, fake_cs):
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    # unifiedagent/templates/install:1424-1433 reads CSType from drscout.conf: CSPrime only once registered
    assert_rc(host.install(host.package(version='9.65.7000.1'), *MODERNIZED), 15)
    host.write('/root/config.json', CONFIG_JSON)
    assert_rc(host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q'), 0)
    res = host.install(host.package(version='9.65.7000.1'), *MODERNIZED)
    assert_rc(res, 97)
    assert errors_json(host)['Errors'][0]['error_name'] == 'ASRMobilityServiceInstallerDowngradeAgentNotSupported'


def test_install_upgrade_with_nothing_installed_is_a_fresh_install(host):
    """[R2] unifiedagent/templates/install:1727-1734 compares the role with Agent while it is still MS."""
    res = host.install(host.package(), '-q', '-r', 'MS', '-v', 'VmWare', '-a', 'Upgrade', '-c', 'CSPrime')
    assert_rc(res, 0)
    assert host.kv()['VERSION'] == '9.66.0.0'


def test_install_upgrade_with_nothing_installed_and_role_agent_returns_97(host):
    res = host.install(host.package(), '-q', '-r', 'Agent', '-v', 'VmWare', '-a', 'Upgrade', '-c', 'CSPrime')
    assert_rc(res, 97)
    assert not host.exists('/usr/local/.vx_version')
    err = errors_json(host)['Errors'][0]
    assert err['error_name'] == 'ASRMobilityServiceInstallerInstallationTypeMismatch'


@pytest.mark.parametrize('first, second', [
    # a fresh -c CSPrime install keeps CSType=CSLegacy until registration: -a Upgrade -c CSPrime is refused
    (MODERNIZED, MODERNIZED + ('-a', 'Upgrade')),
    (CLASSIC, ('-q', '-r', 'MS', '-v', 'VmWare', '-a', 'Upgrade', '-c', 'CSPrime')),  # migration needs -a Install
])
def test_install_cstype_mismatch_returns_97(host, first, second):
    assert_rc(host.install(host.package(), *first), 0)
    res = host.install(host.package(), *second)
    assert_rc(res, 97)
    assert errors_json(host)['Errors'][0]['error_name'] == 'ASRMobilityServiceInstallerCSTypeMismatch'


def test_install_classic_to_modernized_migration_is_allowed(installed):
    host = installed
    host.write('/usr/local/.vx_version', host.read('/usr/local/.vx_version') + 'AGENT_CONFIGURATION_STATUS=Succeeded\n')
    res = host.install(host.package(), '-q', '-r', 'MS', '-v', 'VmWare', '-a', 'Install', '-c', 'CSPrime')
    assert_rc(res, 98)
    conf = host.drscout()['vxagent']
    # [R2] CSType stays CSLegacy until the modernized registration (unifiedagent/templates/install:1713)
    assert conf['CSType'] == 'CSLegacy' and conf['PlatformChangeToCSPrime'] == 'true'
    assert conf['DataProtectionExePathname'].endswith('/DataProtectionSyncRcm')
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()  # must be registered again (config.json)
    assert host.svagents_pid() is None  # services not started (VX/templates/install:2470-2471)
    assert 'getagentconfiginput:' in res.stdout


def test_install_platform_change_azure_to_vmware_returns_76(host):
    assert_rc(host.install(host.package(), '-q', '-r', 'MS', '-v', 'Azure', '-c', 'CSLegacy'), 0)
    res = host.install(host.package(), *CLASSIC)
    assert_rc(res, 76)
    assert host.drscout()['vxagent']['VmPlatform'] == 'Azure'


def test_install_platform_change_vmware_to_azure_is_allowed(installed):
    res = installed.install(installed.package(), '-q', '-r', 'MS', '-v', 'Azure', '-c', 'CSLegacy')
    assert_rc(res, 98)
    conf = installed.drscout()['vxagent']
    assert conf['VmPlatform'] == 'Azure' and conf['PlatformChange'] == 'VmWareToAzure'


@pytest.mark.parametrize('args', [
    ('-q', '-r', 'MS', '-x'),                                   # unknown option
    ('-q', '-r', 'MS', '-c', 'CSLegacy', '-d'),                 # missing argument
    ('-q', '-r', 'MS', '-v', 'VmWare', '-c', 'csprime'),       # -c is case-sensitive
    ('-q', '-r', 'MS', '-v', 'VmWare', '-a', 'Repair'),        # bad action
    ('-q', '-x', '-r', 'Agent'),                               # options are checked before the role
])
def test_install_bad_options_print_usage_and_exit_0(host, args):
    """[R2] usage() ends in exit 0 (unifiedagent/templates/install:1534): never trust a bare 0."""
    res = host.install(host.package(), *args)
    assert_rc(res, 0)
    assert 'Usage: install' in res.stdout
    assert not host.exists('/usr/local/.vx_version')
    assert last_run(host, 'install')[0] == '0'


def test_install_bad_platform_returns_96(host):
    """validate_silent_options (unifiedagent/templates/install:1003-1007): the one real 96."""
    assert_rc(host.install(host.package(), '-q', '-r', 'MS', '-v', 'HyperV', '-c', 'CSLegacy'), 96)
    assert not host.exists('/usr/local/.vx_version')


def test_install_without_q_is_interactive_and_refused(host):
    assert_rc(host.install(host.package(), '-r', 'MS', '-v', 'VmWare', '-c', 'CSLegacy'), 1)
    assert not host.exists('/usr/local/.vx_version')


def test_install_platform_is_case_insensitive(host):
    assert_rc(host.install(host.package(), '-q', '-r', 'ms', '-v', 'vmware', '-c', 'CSLegacy'), 0)
    assert host.drscout()['vxagent']['VmPlatform'] == 'VmWare'


@pytest.mark.parametrize('role', [None, 'Agent', 'XX'])
def test_install_bad_or_missing_role_returns_98(host, role):
    args = ['-q', '-v', 'VmWare', '-c', 'CSLegacy'] + (['-r', role] if role else [])
    res = host.install(host.package(), *args)  # fresh installs only (validate_silent_options, install:1017-1030)
    assert_rc(res, 98)
    assert not host.exists('/usr/local/.vx_version')
    assert errors_json(host)['Errors'][0]['error_name'] == 'ASRMobilityServiceInstallerInvalidRole'


def test_install_errors_json_must_be_absolute_returns_1(host):
    assert_rc(host.install(host.package(), *(CLASSIC + ('-e', 'errors.json'))), 1)


def test_install_not_root_returns_119(host):
    res = host.install(host.package(), *CLASSIC, ASR_DOUBLE_FAKE_UID=1000)
    assert_rc(res, 119)
    assert not host.exists('/usr/local/.vx_version')


def test_install_wrong_os_token_returns_149(host):
    res = host.install(host.package(token='RHEL8-64'), *CLASSIC)
    assert_rc(res, 149)
    err = errors_json(host)['Errors'][0]
    assert err['error_params'] == {'OSDetected': TOKEN, 'OSBuiltFor': 'RHEL8-64'}


def test_install_unknown_os_returns_149(host):
    os.remove(host.path('/etc/debian_version'))
    assert_rc(host.install(host.package(), *CLASSIC), 149)


def test_install_32bit_returns_149(host):
    assert_rc(host.install(host.package(), *CLASSIC, ASR_DOUBLE_ARCH='i686'), 149)


def test_install_os_token_override_file(host):
    host.write('/etc/debian_version', 'trixie/sid\n')
    host.write('/etc/asr-double/os_token', 'DEBIAN12-64\n')
    assert_rc(host.install(host.package(), *CLASSIC), 0)


def test_install_must_run_from_the_extracted_directory(host):
    pkg = host.package()
    res = host.run([os.path.join(pkg, 'install')] + list(CLASSIC), cwd=host.tmp)
    assert_rc(res, 149)  # ./OS_details.sh is looked up in the current directory, like the vendor's


def test_install_notices_missing_returns_93(host):
    pkg = host.package()
    os.remove(os.path.join(pkg, 'Third-Party_Notices.txt'))
    assert_rc(host.install(pkg, *CLASSIC), 93)


@pytest.mark.parametrize('given, root', [
    (None, '/usr/local/ASR'),
    ('/usr/local/ASR', '/usr/local/ASR'),
    ('/opt', '/opt/ASR'),
    ('/opt/ASR', '/opt/ASR/ASR'),
    ('/usr/local', '/usr/local/ASR'),
])
def test_install_dir_gets_asr_appended(host, given, root):
    args = list(CLASSIC) + (['-d', given] if given else [])
    assert_rc(host.install(host.package(), *args), 0)
    assert host.kv()['INSTALLATION_DIR'] == root + '/Vx'
    assert host.exists(root + '/uninstall.sh')
    assert host.exists(root + '/Vx/etc/drscout.conf')
    assert host.drscout(root)['vxagent']['InstallDirectory'] == root + '/Vx'
    # the uninstaller finds it from .vx_version
    assert_rc(host.uninstall('-Y', install_dir=root), 0)
    assert not host.exists('/usr/local/.vx_version')


def test_install_dir_not_absolute_returns_156(host):
    assert_rc(host.install(host.package(), *(CLASSIC + ('-d', 'opt'))), 156)
    assert not host.exists('/usr/local/.vx_version')


def test_install_lock_held_returns_1(host):
    pkg = host.package()
    host.faults('slow=3')
    first = subprocess.Popen([os.path.join(pkg, 'install')] + list(CLASSIC), cwd=pkg, env=host.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = os.path.join(pkg, '.install.lck')
    deadline = time.time() + 10
    while not os.path.exists(lock) and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(lock)
    second = host.install(pkg, *CLASSIC)
    assert_rc(second, 1)
    assert 'already running' in second.stdout
    assert first.wait(30) == 0
    assert not os.path.exists(lock)
    assert sorted(line.split()[2] for line in host.runs()) == ['exit=0', 'exit=1']


def test_install_stale_lock_returns_1(host):
    pkg = host.package()
    with open(os.path.join(pkg, '.install.lck'), 'w') as handle:
        handle.write('4194300\n')
    res = host.install(pkg, *CLASSIC)
    assert_rc(res, 1)
    assert 'inconsistent state' in res.stdout
    assert os.path.exists(os.path.join(pkg, '.install.lck'))  # not ours: left alone


def test_install_prereq_fault_returns_99(host):
    res = host.install(host.package(faults=['prereq']), *CLASSIC)
    assert_rc(res, 99)
    assert not host.exists('/usr/local/.vx_version')
    assert errors_json(host)['Errors'][0]['error_params']['Fault'] == 'prereq'


def test_install_space_fault_returns_97(host):
    host.faults('space')
    assert_rc(host.install(host.package(), *CLASSIC), 97)
    err = errors_json(host)['Errors'][0]
    assert err['error_name'] == 'ASRMobilityServiceInstallerFailedDueToLessSpaceInInstallationDirectory'


@pytest.mark.parametrize('how', ['baked', 'runtime', 'unlisted'])
def test_install_kernel_not_supported_fresh_returns_99(host, how):
    """[R2] a fresh install fails in prereq_check_install.sh (99), not with 208."""
    extra = {}
    if how == 'baked':
        pkg = host.package(faults=['kernel'])
    else:
        pkg = host.package()
        if how == 'runtime':
            host.faults('kernel')
        else:
            extra['ASR_DOUBLE_KERNEL'] = '0.0.1-not-listed'
    assert_rc(host.install(pkg, *CLASSIC, **extra), 99)
    assert not host.exists('/usr/local/.vx_version')
    assert errors_json(host)['Errors'][0]['error_name'] == 'ASRMobilityServiceKernelNotSupported'


@pytest.mark.parametrize('token, kernel, listed, code', [
    # Ubuntu/Debian: the exact line (prereq_check_install.sh:530-540)
    ('UBUNTU-22.04-64', '5.15.0-91-generic', False, 99),
    ('UBUNTU-22.04-64', '5.15.0-91-generic', True, 0),
    # SLES 12/15: any -default flavour, else a "<kernel>:N" line (:542-549)
    ('SLES15-64', '5.14.21-150500.55.39-default', False, 0),
    ('SLES15-64', '5.14.21-150500.55.39-azure', False, 99),
    ('SLES15-64', '5.14.21-150500.55.39-azure', True, 0),
    # RHEL/OL: patterns, the list does not matter (:435-503)
    ('RHEL7-64', '3.10.0-1160.el7.x86_64', False, 0),
    ('RHEL7-64', '6.1.0-13-amd64', True, 99),
    ('OL8-64', '5.15.0-200.el8uek.x86_64', False, 0),
])
def test_install_kernel_rule_per_family(host, token, kernel, listed, code):
    pkg = host.package(token=token)
    if listed:
        with open(os.path.join(pkg, 'supported_kernels'), 'a') as handle:
            handle.write(kernel + (':3' if token.startswith('SLES') else '') + '\n')
    assert_rc(host.install(pkg, *CLASSIC, ASR_DOUBLE_OS_TOKEN=token, ASR_DOUBLE_KERNEL=kernel), code)


def test_install_kernel_upgrade_returns_208(installed):
    """[R2] an upgrade fails in install_vx with 208 (VX/templates/install:1289-1292)."""
    res = installed.install(installed.package(version='9.67.7700.1'), *CLASSIC, ASR_DOUBLE_KERNEL='0.0.1-not-listed')
    assert_rc(res, 208)
    assert installed.kv()['VERSION'] == '9.66.0.0'


def test_install_kernel_fault_on_upgrade_returns_208(installed):
    installed.faults('kernel')
    assert_rc(installed.install(installed.package(version='9.67.7700.1'), *CLASSIC), 208)
    assert installed.kv()['VERSION'] == '9.66.0.0'


def test_install_service_fault_returns_44_on_upgrade(installed):
    installed.faults('service')
    assert_rc(installed.install(installed.package(), *CLASSIC), 44)
    assert installed.exists('/usr/local/.vx_version')  # laid down, but the agent does not run
    assert installed.svagents_pid() is None
    err = errors_json(installed)['Errors'][0]
    assert err['error_name'] == 'ASRMobilityServiceInstallerVxagentServiceStartFailed'


def test_install_service_fault_does_not_matter_on_a_fresh_install(host):
    host.faults('service')
    assert_rc(host.install(host.package(), *CLASSIC), 0)  # nothing is started on a fresh install


def test_install_stop_fault_on_upgrade_returns_97(installed):
    installed.faults('stop')
    assert_rc(installed.install(installed.package(version='9.67.7700.1'), *CLASSIC), 97)
    assert installed.kv()['VERSION'] == '9.66.0.0'


def test_install_payload_failure_returns_159(host):
    host.write('/usr/local/ASR', 'not a directory\n')
    assert_rc(host.install(host.package(), *CLASSIC), 159)
    assert not host.exists('/usr/local/.vx_version')


def test_install_killed_mid_install(host):
    pkg = host.package(faults=['killed'])
    res = host.install(pkg, *CLASSIC)
    assert res.returncode == -9
    assert not host.exists('/usr/local/.vx_version')
    assert host.exists('/usr/local/ASR/Vx/bin/svagents')  # partial payload
    assert os.path.exists(os.path.join(pkg, '.install.lck'))  # SIGKILL leaves the lock behind
    assert last_run(host, 'install')[0] == 'killed'
    assert len(host.runs()) == 1
    # the same extracted directory now refuses (stale lock), a fresh extraction installs
    assert_rc(host.install(pkg, *CLASSIC), 1)
    assert_rc(host.install(host.package(), *CLASSIC), 0)


def test_install_killed_mid_upgrade_removes_vx_version(installed):
    installed.faults('killed')
    res = installed.install(installed.package(version='9.67.7700.1'), *CLASSIC)
    assert res.returncode == -9
    assert not installed.exists('/usr/local/.vx_version')
    assert installed.exists('/etc/vxagent/backup/.vx_version')


def test_install_log_and_errors_json_paths(host):
    args = CLASSIC + ('-l', '/tmp/custom/install.log', '-e', '/tmp/custom/err.json')
    res = host.install(host.package(faults=['prereq']), *args)
    assert_rc(res, 99)
    assert 'Installer exiting with code: 99' in host.read('/tmp/custom/install.log')
    assert errors_json(host, '/tmp/custom/err.json')['Errors']
    assert not host.exists('/var/log/ua_install.log')


def test_install_log_is_appended(installed):
    installed.install(installed.package(), *CLASSIC)
    log = installed.read('/var/log/ua_install.log')
    assert log.count('Installer exiting with code: ') == 2


BIOS_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'


def agent_input(stdout):
    line = [ln for ln in stdout.splitlines() if ln.startswith('getagentconfiginput:')][0]
    return line, json.loads(base64.b64decode(line.split(':', 1)[1]).decode())


def test_install_modernized_prints_agent_config_input(host):
    """agent source AzureRcmCli.cpp line 919 / AgentConfig.h lines 35-51: getagentconfiginput:<base64 of
    {BiosId, Fqdn}>, BiosId from /sys/class/dmi/id/product_uuid."""
    host.write('/sys/class/dmi/id/product_uuid', BIOS_ID + '\n')
    res = host.install(host.package(), *MODERNIZED)
    assert_rc(res, 0)
    line, info = agent_input(res.stdout)
    assert info == {'BiosId': BIOS_ID, 'Fqdn': os.uname()[1]}
    rerun = host.run([host.path('/usr/local/ASR/Vx/bin/AzureRcmCli'), '--getagentconfiginput'])
    assert_rc(rerun, 0)
    assert rerun.stdout.strip() == line


def test_agent_config_input_falls_back_to_dmidecode(host):
    os.remove(host.path('/sys/class/dmi/id/product_uuid'))
    host.write('/usr/sbin/dmidecode', '#!/bin/sh\necho "# dmidecode 3.3"\necho %s\n' % BIOS_ID.lower(), mode=0o755)
    res = host.install(host.package(), *MODERNIZED)
    assert_rc(res, 0)
    assert agent_input(res.stdout)[1]['BiosId'] == BIOS_ID.lower()


# =============================================================================================
# UnifiedAgentConfigurator.sh (reference §1.3)
# =============================================================================================

def test_configurator_classic_registers_with_fake_cs(installed, fake_cs):
    host = installed
    res = register_classic(host, fake_cs)
    assert_rc(res, 0)
    assert host.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    assert host.kv('/etc/vxagent/backup/.vx_version')['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    conf = host.drscout()
    assert conf['vxagent.transport'] == {'Hostname': '127.0.0.1', 'Port': str(fake_cs.port)}
    assert UUID_RE.match(conf['vxagent']['HostId'])  # generated by the configurator (CONF:776-800)
    assert host.svagents_pid() is not None           # and vxagent started
    copy = host.path('/usr/local/InMage/private/connection.passphrase')
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert host.read('/usr/local/InMage/private/connection.passphrase').strip() == PASSPHRASE
    regs = fake_cs.registrations()['registrations']
    assert [(r['HostId'], r['count'], r['CSType'], r['OsToken']) for r in regs] == [
        (conf['vxagent']['HostId'], 1, 'CSLegacy', TOKEN)]
    # again, same CS: fine, counted
    assert_rc(register_classic(host, fake_cs), 0)
    assert fake_cs.registrations()['registrations'][0]['count'] == 2
    assert [line.split()[1:3] for line in host.runs()][-2:] == [['configurator', 'exit=0']] * 2


def test_configurator_registered_to_other_cs_returns_13(installed, fake_cs):
    host = installed
    assert_rc(register_classic(host, fake_cs), 0)
    res = host.configurator('-i', 'localhost', '-p', str(fake_cs.port), '-P', '/root/MobSvc.passphrase',
                            '-c', 'CSLegacy', '-q')
    assert_rc(res, 13)
    res = host.configurator('-i', '127.0.0.1', '-p', '1', '-P', '/root/MobSvc.passphrase', '-c', 'CSLegacy', '-q')
    assert_rc(res, 13)
    assert host.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    assert host.drscout()['vxagent.transport']['Hostname'] == '127.0.0.1'


def test_configurator_wrong_passphrase_returns_14(installed, fake_cs):
    host = installed
    host.write('/root/wrong.passphrase', 'not-the-passphrase\n')
    res = host.configurator('-i', '127.0.0.1', '-p', str(fake_cs.port), '-P', '/root/wrong.passphrase',
                            '-c', 'CSLegacy', '-q')
    assert_rc(res, 14)
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()  # [R2] deleted, not Failed
    state = fake_cs.registrations()
    assert state['registrations'] == [] and state['rejected'][0]['reason'] == 'passphrase'
    # a failed registration does not pin the CS: the right passphrase then succeeds
    assert_rc(register_classic(host, fake_cs), 0)


def test_configurator_unreachable_returns_14_after_retries(installed, tmp_path):
    host = installed
    import socket
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    host.write('/root/MobSvc.passphrase', PASSPHRASE + '\n')
    res = host.configurator('-i', '127.0.0.1', '-p', str(port), '-P', '/root/MobSvc.passphrase', '-c', 'CSLegacy',
                            '-q', ASR_DOUBLE_CS_RETRIES=3, ASR_DOUBLE_CS_RETRY_SLEEP=0)
    assert_rc(res, 14)
    log = host.read('/var/log/ua_install.log')
    assert 'attempt 3 of 3' in log and 'attempt 4' not in log
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()


def test_configurator_passphrase_file_missing_returns_1(installed):
    res = installed.configurator('-i', '127.0.0.1', '-P', '/root/none', '-c', 'CSLegacy', '-q')
    assert_rc(res, 1)
    assert 'AGENT_CONFIGURATION_STATUS' not in installed.kv()


def test_configurator_agent_not_installed_returns_1(host):
    pkg = host.package()
    script = os.path.join(pkg, 'payload', 'Vx', 'bin', 'UnifiedAgentConfigurator.sh')
    os.symlink(os.path.join(pkg, 'libcommon.sh'), os.path.join(pkg, 'payload', 'Vx', 'bin', 'libcommon.sh'))
    host.write('/root/p', PASSPHRASE)
    assert_rc(host.run([script, '-i', '127.0.0.1', '-P', '/root/p', '-c', 'CSLegacy', '-q']), 1)
    # CSPrime runs normalise every failure to 97 (reference §1.3)
    host.write('/root/config.json', CONFIG_JSON)
    assert_rc(host.run([script, '-S', '/root/config.json', '-c', 'CSPrime', '-q']), 97)


@pytest.mark.parametrize('args', [
    ('-s', '/root/config.json', '-c', 'CSPrime', '-q'),     # the doc typo: lower-case -s
    ('-i', '127.0.0.1', '-P', '/root/p', '-c', 'CSLegacy', '-q', '-Z'),
    ('-i', '127.0.0.1', '-P', '/root/p', '-c', 'Bogus', '-q'),
    ('-i',),                                                 # missing argument
])
def test_configurator_bad_options_print_usage_and_exit_0(installed, args):
    """[R2] usage() ends in exit 0 (UnifiedAgentConfigurator.sh:1650): "&& exit 96" never runs."""
    installed.write('/root/p', PASSPHRASE)
    res = installed.configurator(*args)
    assert_rc(res, 0)
    assert 'Usage' in res.stdout
    assert 'AGENT_CONFIGURATION_STATUS' not in installed.kv()


@pytest.mark.parametrize('args', [
    ('-i', '127.0.0.1', '-c', 'CSLegacy', '-q'),             # no passphrase file: interactive
    ('-i', '127.0.0.1', '-P', '/root/p', '-c', 'CSLegacy'),  # no -q
    (),                                                      # nothing: interactive
])
def test_configurator_interactive_is_refused_with_1(installed, args):
    installed.write('/root/p', PASSPHRASE)
    assert_rc(installed.configurator(*args), 1)


def test_configurator_modernized_with_appliance_config(host, fake_cs):
    host.write('/sys/class/dmi/id/product_uuid', BIOS_ID + '\n')
    res = host.install(host.package(), *MODERNIZED)
    assert_rc(res, 0)
    code, config = fake_cs.request('POST', '/sourceconfig', agent_input(res.stdout)[0])
    assert code == 200
    host.write('/root/config.json', json.dumps(config))
    res = host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q', '-D', 'false')
    assert_rc(res, 0)
    assert host.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    conf = host.drscout()
    # CSType=CSPrime only now (verify_client_auth, CONF:1214); Hostname written empty, Port 443 (CONF:841-846)
    assert conf['vxagent']['CSType'] == 'CSPrime'
    assert UUID_RE.match(conf['vxagent']['HostId'])
    assert conf['vxagent.transport'] == {'Hostname': '', 'Port': '443'}
    assert conf['vxagent']['IsCredentialLessDiscovery'] == '0'
    assert host.svagents_pid() is not None
    saved = host.path('/usr/local/ASR/Vx/etc/SourceConfig.json')
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    # unconfigure
    assert_rc(host.configurator('-U', 'true', '-c', 'CSPrime'), 0)
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()
    assert not os.path.exists(saved)
    assert host.drscout()['vxagent.transport']['Hostname'] == ''


@pytest.mark.parametrize('content', [
    'garbage',
    '{"Appliance": "x"}',
    CONFIG_JSON.replace(MACHINE_ID, '00000000-0000-0000-0000-000000000000'),  # another machine
    CONFIG_JSON.replace('"ClientCertificate": "Y2VydA==", ', ''),  # no certificate
    CONFIG_JSON.replace('"RcmProxyAddress": ["appliance.lab"], ', ''),  # no appliance
])
def test_configurator_modernized_client_auth_failure_returns_98(host, content):
    """[R2] verifyclientauth fails -> 98, nothing registered, no status, CSType unchanged
    (UnifiedAgentConfigurator.sh:1190-1223, :416-430)."""
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    host.write('/root/config.json', content)
    res = host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q')
    assert_rc(res, 98)
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()
    assert host.drscout()['vxagent']['CSType'] == 'CSLegacy'
    assert host.svagents_pid() is None


def test_configurator_modernized_accepts_the_byteswapped_bios_id(host):
    """AgentConfigHelpers.cpp lines 40-47: the system UUID or its byte-swapped form, ignoring case."""
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    swapped = (MACHINE_ID[6:8] + MACHINE_ID[4:6] + MACHINE_ID[2:4] + MACHINE_ID[0:2] + '-' + MACHINE_ID[11:13]
               + MACHINE_ID[9:11] + '-' + MACHINE_ID[16:18] + MACHINE_ID[14:16] + MACHINE_ID[18:])
    host.write('/root/config.json', CONFIG_JSON.replace(MACHINE_ID, swapped.lower()))
    assert_rc(host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q'), 0)
    assert host.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    assert host.drscout()['vxagent']['CSType'] == 'CSPrime'


def test_configurator_modernized_config_missing_returns_97(host):
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    assert_rc(host.configurator('-S', '/root/none.json', '-c', 'CSPrime', '-q'), 97)  # 1 normalised (CONF:114-140)
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()


def test_configurator_modernized_bad_discovery_flag_returns_97(host):
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    host.write('/root/config.json', CONFIG_JSON)
    assert_rc(host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q', '-D', 'maybe'), 97)  # 1 -> 97
    assert_rc(host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q', '-D', 'true'), 0)
    assert host.drscout()['vxagent']['IsCredentialLessDiscovery'] == '1'


def test_configurator_unconfigure_classic_is_a_noop(installed):
    assert_rc(installed.configurator('-U', 'true'), 0)


def test_passphrase_never_logged(installed, fake_cs):
    host = installed
    outputs = []
    res = register_classic(host, fake_cs)
    assert_rc(res, 0)
    outputs += [res.stdout, res.stderr]
    host.write('/root/wrong', 'Wrong-Secret-123\n')
    res = host.configurator('-i', '127.0.0.1', '-p', str(fake_cs.port), '-P', '/root/wrong', '-c', 'CSLegacy', '-q')
    assert_rc(res, 14)
    outputs += [res.stdout, res.stderr]
    res = host.uninstall('-Y')
    outputs += [res.stdout, res.stderr]
    allowed = {host.path('/root/MobSvc.passphrase'), host.path('/root/wrong'), fake_cs.passphrase_file}
    texts = list(outputs)
    for base in (host.root, fake_cs.state_dir):
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = os.path.join(dirpath, name)
                if full in allowed or full.startswith(host.path('/usr/local/InMage/private')):
                    continue
                with open(full, 'rb') as handle:
                    texts.append(handle.read().decode('utf-8', 'replace'))
    with open(fake_cs.log_path) as handle:
        texts.append(handle.read())
    assert any('configurator' in t for t in texts)  # the logs were read
    for secret in (PASSPHRASE, 'Wrong-Secret-123'):
        assert not [t for t in texts if secret in t]


def test_configurator_13_on_a_port_change_whatever_the_status(installed, fake_cs):
    """[R2] CONF:1816-1830 compares Hostname AND Port as written; the status line does not count."""
    host = installed
    assert_rc(register_classic(host, fake_cs), 0)
    host.write('/usr/local/.vx_version', ''.join(
        line + '\n' for line in host.read('/usr/local/.vx_version').splitlines()
        if not line.startswith('AGENT_CONFIGURATION_STATUS')))
    res = host.configurator('-i', '127.0.0.1', '-p', '8443', '-P', '/root/MobSvc.passphrase', '-c', 'CSLegacy', '-q')
    assert_rc(res, 13)
    assert host.svagents_pid() is not None  # 13 comes before anything is stopped


def test_configurator_stops_vxagent_and_deletes_the_status_before_contacting_the_cs(installed, fake_cs):
    """[R2] CONF:1833-1837, then 14 leaves the agent stopped and the status absent (CONF:1880)."""
    host = installed
    assert_rc(register_classic(host, fake_cs), 0)
    assert host.svagents_pid() is not None and host.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'
    host.write('/root/wrong', 'not-the-passphrase\n')
    res = host.configurator('-i', '127.0.0.1', '-p', str(fake_cs.port), '-P', '/root/wrong', '-c', 'CSLegacy', '-q')
    assert_rc(res, 14)
    assert host.svagents_pid() is None
    assert 'AGENT_CONFIGURATION_STATUS' not in host.kv()
    # drscout.conf still names the CS: the agent is still registered there
    assert host.drscout()['vxagent.transport']['Hostname'] == '127.0.0.1'


def test_configurator_registration_failure_returns_17(installed, fake_cs):
    installed.faults('register_fail')
    assert_rc(register_classic(installed, fake_cs), 17)
    assert installed.kv()['AGENT_CONFIGURATION_STATUS'] == 'Failed'
    assert installed.drscout()['vxagent.transport']['Hostname'] == ''   # CONF:915-916


def test_configurator_44_after_succeeded(installed, fake_cs):
    installed.faults('service')
    assert_rc(register_classic(installed, fake_cs), 44)
    assert installed.kv()['AGENT_CONFIGURATION_STATUS'] == 'Succeeded'  # written before the start (CONF:1889)
    assert installed.svagents_pid() is None


def test_configurator_cannot_stop_returns_115(installed, fake_cs):
    installed.faults('stop')
    assert_rc(register_classic(installed, fake_cs), 115)


def test_configurator_platform_azure_needs_credentials(host, fake_cs):
    """[R2] platform Azure registers only with -C <RCM credentials> (CONF:1738-1747): 1 / 97."""
    assert_rc(host.install(host.package(), '-q', '-r', 'MS', '-v', 'Azure', '-c', 'CSLegacy'), 0)
    assert_rc(register_classic(host, fake_cs), 1)
    host.write('/root/config.json', CONFIG_JSON)
    assert_rc(host.configurator('-S', '/root/config.json', '-c', 'CSPrime', '-q'), 97)


def test_install_dir_with_trailing_slash_is_appended_as_given(host):
    """[R2] unifiedagent/templates/install:1651-1653: /usr/local/ASR/ is not the default."""
    assert_rc(host.install(host.package(), *(CLASSIC + ('-d', '/usr/local/ASR/'))), 0)
    assert host.kv()['INSTALLATION_DIR'] == '/usr/local/ASR//ASR/Vx'


def test_modernized_install_then_reinstall_takes_the_migration_path(host):
    """A fresh -c CSPrime install still says CSLegacy: -a Install -c CSPrime again is the vendor's
    classic->modernized path (98, PlatformChangeToCSPrime=true), -a Upgrade is 97."""
    assert_rc(host.install(host.package(), *MODERNIZED), 0)
    assert_rc(host.install(host.package(version='9.67.7700.1'), *MODERNIZED), 98)
    assert host.drscout()['vxagent']['PlatformChangeToCSPrime'] == 'true'


def test_uninstall_sh_deletes_itself_even_when_the_inner_uninstall_fails(installed):
    installed.faults('uninstall_inner')
    assert_rc(installed.uninstall('-Y'), 0)
    assert installed.exists('/usr/local/.vx_version')
    assert not installed.exists('/usr/local/ASR/uninstall.sh')   # unifiedagent/templates/uninstall.sh:334
    assert installed.exists('/usr/local/ASR/Vx/bin/uninstall')    # the retry path


# =============================================================================================
# uninstall.sh (reference §1.4)
# =============================================================================================

def test_uninstall_returns_0_and_removes_everything(installed, fake_cs):
    host = installed
    assert_rc(register_classic(host, fake_cs), 0)
    pid = host.svagents_pid()
    assert pid
    res = host.uninstall('-Y')
    assert_rc(res, 0)
    for logical in ('/usr/local/.vx_version', '/etc/vxagent/backup/.vx_version', '/usr/local/ASR',
                    '/etc/systemd/system/vxagent.service', '/usr/local/InMage/private/connection.passphrase',
                    '/run/asr-double/svagents.pid'):
        assert not host.exists(logical), logical
    assert not os.path.exists('/proc/%d/comm' % pid) or open('/proc/%d/comm' % pid).read().strip() != 'svagents' \
        or '\nState:\tZ' in open('/proc/%d/status' % pid).read()
    assert 'Uninstaller exiting with code: 0' in host.read('/var/log/ua_uninstall.log')
    assert last_run(host, 'uninstall') == ('0', '-Y')


def test_uninstall_nothing_installed_returns_1(installed):
    # keep a copy of the script, uninstall, run the copy again
    host = installed
    copy = os.path.join(host.tmp, 'uninstall-copy')
    os.makedirs(copy)
    subprocess.check_call(['cp', host.path('/usr/local/ASR/uninstall.sh'), host.path('/usr/local/ASR/Vx/bin/libcommon.sh'), copy])
    assert_rc(host.uninstall('-Y'), 0)
    res = host.run([os.path.join(copy, 'uninstall.sh'), '-Y'])
    assert_rc(res, 1)
    assert 'not installed' in res.stdout


def test_uninstall_lock_busy_returns_1(installed):
    installed.write('/usr/local/ASR/.uninstall.lck', '12345\n')
    assert_rc(installed.uninstall('-Y'), 1)
    assert installed.exists('/usr/local/.vx_version')


@pytest.mark.parametrize('args', [('-X',), ('-L', 'relative.log', '-Y'), ('-Y', 'extra'), ('now',)])
def test_uninstall_bad_options_return_1(installed, args):
    assert_rc(installed.uninstall(*args), 1)
    assert installed.exists('/usr/local/.vx_version')


def test_uninstall_interactive(installed):
    assert_rc(installed.uninstall(stdin='n\n'), 1)
    assert_rc(installed.uninstall(stdin=''), 1)
    assert installed.exists('/usr/local/.vx_version')
    assert_rc(installed.uninstall(stdin='y\n'), 0)
    assert not installed.exists('/usr/local/.vx_version')


def test_uninstall_cannot_stop_services_returns_2(installed, fake_cs):
    assert_rc(register_classic(installed, fake_cs), 0)  # running
    installed.faults('stop')
    assert_rc(installed.uninstall('-Y', '-L', '/var/log/custom_uninstall.log'), 2)
    assert installed.exists('/usr/local/.vx_version')
    assert installed.svagents_pid() is not None
    assert 'Could not stop' in installed.read('/var/log/custom_uninstall.log')


@pytest.mark.parametrize('how', ['runtime', 'baked'])
def test_uninstall_inner_failure_still_returns_0(host, how):
    if how == 'baked':
        assert_rc(host.install(host.package(faults=['uninstall_inner']), *CLASSIC), 0)
    else:
        assert_rc(host.install(host.package(), *CLASSIC), 0)
        host.faults('uninstall_inner')
    res = host.uninstall('-Y')
    assert_rc(res, 0)
    assert host.exists('/usr/local/.vx_version')  # the caller must verify this file is gone
    assert not host.exists('/usr/local/ASR/uninstall.sh')  # removed anyway, like the vendor's
    assert 'exit code: 1' in host.read('/var/log/ua_uninstall.log')


def test_reinstall_after_uninstall(installed):
    assert_rc(installed.uninstall('-Y'), 0)
    assert_rc(installed.install(installed.package(), *CLASSIC), 0)
    assert [line.split()[1:3] for line in installed.runs()] == [
        ['install', 'exit=0'], ['uninstall', 'exit=0'], ['install', 'exit=0']]


# =============================================================================================
# run log, anti-drift
# =============================================================================================

def test_run_log_one_line_per_run(installed, fake_cs):
    host = installed
    register_classic(host, fake_cs)
    host.install(host.package(), *CLASSIC)
    host.configurator('-s', 'x')
    host.uninstall('-Y')
    lines = host.runs()
    assert len(lines) == 5
    parsed = [RUN_LINE_RE.match(line).groups()[:2] for line in lines]
    assert parsed == [('install', '0'), ('configurator', '0'), ('install', '98'), ('configurator', '0'),
                      ('uninstall', '0')]


def _script_codes(*names):
    codes = set()
    for name in names:
        with open(os.path.join(TEMPLATES, name)) as handle:
            text = handle.read()
        codes.update(int(c) for c in re.findall(r'\b(?:exit|fail|finish)\s+(\d+)\b', text))
    return codes


def test_declared_codes_match_the_scripts():
    assert _script_codes('install', 'install_vx') | {98} == DOUBLE_CODES['install']
    configurator = _script_codes('payload/Vx/bin/UnifiedAgentConfigurator.sh') | {98}  # finish 98 via case
    assert configurator == DOUBLE_CODES['configurator']
    assert _script_codes('uninstall.sh') == DOUBLE_CODES['uninstall']


def _exit_codes_module():
    path = os.path.join(REPO, 'plugins', 'module_utils', 'exit_codes.py')
    assert os.path.exists(path), 'plugins/module_utils/exit_codes.py is missing'
    spec = importlib.util.spec_from_file_location('asr_double_exit_codes', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outcome(row):
    if isinstance(row, dict):
        return row['outcome']
    return row.outcome


@pytest.mark.parametrize('program, table', [
    ('install', 'LINUX_INSTALLER'), ('configurator', 'LINUX_CONFIGURATOR'), ('uninstall', 'LINUX_UNINSTALLER'),
])
def test_every_double_code_is_in_the_collection_table(program, table):
    rows = getattr(_exit_codes_module(), table)
    missing = sorted(DOUBLE_CODES[program] - set(rows))
    assert not missing, '%s exits with %s, absent from %s' % (program, missing, table)
    for code in DOUBLE_CODES[program]:
        # 98 is success with a reboot for the installer, a failure for the configurator (modernized:
        # client auth failed, UnifiedAgentConfigurator.sh:1190-1223)
        want = {0: 'ok', 98: 'reboot' if program == 'install' else 'failed'}.get(code, 'failed')
        assert _outcome(rows[code]) == want, '%s %s: table says %s, the double means %s' % (
            table, code, _outcome(rows[code]), want)


def test_modernized_configurator_codes_are_in_the_modernized_table():
    rows = _exit_codes_module().LINUX_CONFIGURATOR_MODERNIZED
    for code in (0, 97, 98):  # what a CSPrime run of the double can return (normalised)
        assert code in rows
    assert _outcome(rows[98]) == 'failed'


def test_killed_installer_is_a_failure_for_the_collection():
    module = _exit_codes_module()
    if not hasattr(module, 'interpret'):
        pytest.skip('exit_codes.interpret not available')
    assert module.interpret('linux_installer', -9)['outcome'] == 'failed'


def test_fake_cs_can_start_twice(tmp_path):
    # two labs side by side: each gets its own free port
    a = start_fake_cs(str(tmp_path / 'a'))
    b = start_fake_cs(str(tmp_path / 'b'))
    try:
        assert a.port != b.port
    finally:
        for cs in (a, b):
            cs.proc.terminate()
            cs.proc.wait(10)


def test_install_corrupt_vx_version_falls_back_to_backup(installed):
    host = installed
    host.write('/usr/local/.vx_version', 'garbage\n')
    assert_rc(host.install(host.package(version='9.67.7700.1'), *CLASSIC), 98)
    assert host.kv()['VERSION'] == '9.67.0.0'


def test_install_corrupt_vx_version_without_backup_returns_97(installed):
    host = installed
    host.write('/usr/local/.vx_version', 'garbage\n')
    os.remove(host.path('/etc/vxagent/backup/.vx_version'))
    assert_rc(host.install(host.package(), *CLASSIC), 97)


def double_scripts():
    top = ('install', 'install_vx', 'uninstall.sh', 'OS_details.sh', 'prereq_check_install.sh', 'libcommon.sh')
    bindir = os.path.join(TEMPLATES, 'payload', 'Vx', 'bin')
    return [os.path.join(TEMPLATES, n) for n in top] + [os.path.join(bindir, n) for n in sorted(os.listdir(bindir))]


def test_scripts_pass_bash_n_and_shellcheck():
    scripts = double_scripts()
    for script in scripts:
        subprocess.check_call(['bash', '-n', script])
        with open(script) as handle:
            first = handle.readline()
        if not script.endswith('libcommon.sh'):
            assert first == '#!/usr/bin/env bash\n', script  # ansible-test's shebang rule
            assert os.access(script, os.X_OK), script
    if not shutil.which('shellcheck'):
        pytest.skip('shellcheck not installed')
    res = subprocess.run(['shellcheck', '-x', '-s', 'bash'] + scripts, stdout=subprocess.PIPE,
                         universal_newlines=True, check=False)
    assert res.returncode == 0, res.stdout


def test_scripts_use_only_bash_and_coreutils():
    # minbase images and Ubuntu 16.04: no curl/wget/python/grep-only tricks in the double's scripts
    forbidden = re.compile(r'(^|[\s|;&(`$])(curl|wget|python[23]?|perl|awk|gawk|sed|grep|egrep|pgrep|pkill|ps|'
                           r'hostname|jq|openssl|nc|setsid)(\s|$)')
    for name in double_scripts():
        with open(name) as handle:
            for number, line in enumerate(handle, 1):
                code = line.split('#', 1)[0] if not line.lstrip().startswith('#') else ''
                assert not forbidden.search(code), '%s:%d uses a non-coreutils tool: %s' % (name, number, line)
