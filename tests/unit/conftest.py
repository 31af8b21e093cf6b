# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.asr.mobility`` importable under plain pytest.

``ansible-test units`` runs from ``<tmp>/ansible_collections/asr/mobility`` and installs Ansible's
collection loader, so nothing is needed there. Under plain ``pytest tests/unit`` from a checkout,
the collection root is not inside an ``ansible_collections/asr/mobility`` tree: when the import
fails, a private temporary tree with that layout (a symlink to this checkout) is put on
``sys.path``. Nothing outside the collection is relied on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import base64
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

import pytest


def _collection_root():
    # tests/unit/conftest.py -> collection root
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ensure_importable():
    try:
        import ansible_collections.asr.mobility.plugins.module_utils.installer  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    tree = tempfile.mkdtemp(prefix='asr-mobility-units-')
    atexit.register(shutil.rmtree, tree, True)
    namespace = os.path.join(tree, 'ansible_collections', 'asr')
    os.makedirs(namespace)
    os.symlink(_collection_root(), os.path.join(namespace, 'mobility'))
    sys.path.insert(0, tree)
    for name in [n for n in sys.modules if n == 'ansible_collections.asr' or n.startswith('ansible_collections.asr.')]:
        del sys.modules[name]


_ensure_importable()

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is in tests/unit/requirements.txt
    settings = None

if settings is not None:
    # No wall-clock deadline: CI machines are slow and a deadline failure says nothing about the code.
    settings.register_profile('asr', deadline=None, max_examples=100,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile('asr-thorough', deadline=None, max_examples=5000,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'asr'))


# ---------------------------------------------------------------------------------------------
# A fake Linux host for the agent / agent_info / linux_agent tests
# ---------------------------------------------------------------------------------------------
RHEL8_RELEASE = {
    '/etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n',
    '/etc/os-release': 'NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\nVERSION_ID="8.9"\n',
}


# The fake machine's system UUID (/sys/class/dmi/id/product_uuid) and a config.json made for it.
BIOS_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
OTHER_BIOS_ID = '11111111-2222-3333-4444-555555555555'


def _opts(argv):
    """-x value pairs of a vendor command line -> dict (flags without a value map to True)."""
    opts = {}
    index = 1
    while index < len(argv):
        flag = argv[index]
        if index + 1 < len(argv) and not argv[index + 1].startswith('-'):
            opts[flag] = argv[index + 1]
            index += 2
        else:
            opts[flag] = True
            index += 1
    return opts


class FakeHost(object):
    """A directory standing for ``/`` plus a ``run(argv, cwd=None)`` that runs ``tar`` for real and
    emulates the vendor's install, UnifiedAgentConfigurator.sh, uninstall.sh and systemctl by
    writing the state files (reference §1.2-1.5)."""

    def __init__(self, base):
        self.base = str(base)
        self.root = os.path.join(self.base, 'root')
        self.packages = os.path.join(self.base, 'packages')
        self.work = os.path.join(self.base, 'work')
        for path in (self.root, self.packages, self.work):
            os.makedirs(path)
        self.calls = []
        self.systemctl_calls = []
        self.token_checks = []
        # behaviour knobs
        self.install_rc = None          # None: 0 for a fresh install, 98 otherwise
        self.install_writes_state = True
        self.configurator_rc = 0
        self.configurator_status = None  # None: Succeeded on rc 0, Failed otherwise
        self.uninstall_rc = 0
        self.uninstall_removes_state = True
        self.systemctl = {'vxagent': 'active', 'uarespawnd': 'active'}
        self.systemctl_missing = False
        self.secrets = []               # what the configurator saw: path, mode, dir mode, content
        self.rcmcli_rc = 0              # AzureRcmCli --getagentconfiginput
        self.write_release(RHEL8_RELEASE)
        self.write('/sys/class/dmi/id/product_uuid', BIOS_ID + '\n')

    # --- files ---------------------------------------------------------------------------
    def path(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def write(self, path, text, mode=None):
        full = self.path(path)
        if not os.path.isdir(os.path.dirname(full)):
            os.makedirs(os.path.dirname(full))
        with open(full, 'w') as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(full, mode)
        return full

    def read(self, path):
        full = self.path(path)
        if not os.path.exists(full):
            return None
        with open(full) as handle:
            return handle.read()

    def exists(self, path):
        return os.path.exists(self.path(path))

    def remove(self, path):
        if self.exists(path):
            os.remove(self.path(path))

    def write_release(self, files):
        for path in ('/etc/oracle-release', '/etc/redhat-release', '/etc/centos-release', '/etc/SuSE-release',
                     '/etc/os-release', '/usr/lib/os-release', '/etc/lsb-release', '/etc/debian_version'):
            self.remove(path)
        for path, text in files.items():
            self.write(path, text)

    def set_installed(self, version='9.60.0.0', build=7000, token='RHEL8-64', cs_type='CSPrime', status='Succeeded',
                      cs_address='10.0.0.5', install_dir='/usr/local/ASR/Vx', platform='VmWare', data_protection=None):
        """``data_protection='DataProtectionSyncRcm'`` with ``cs_type='CSLegacy'``: a -c CSPrime install not yet
        registered (its drscout.conf keeps CSLegacy until the registration, unifiedagent/templates/install:1713)."""
        lines = ['PROD_VERSION=%s' % version, 'VERSION=%s' % version, 'INSTALLATION_DIR=%s' % install_dir,
                 'BUILD_TAG=RELEASE_%s_GA_%s_Sep_20_2025_INMAGE' % (version, build), 'OS_BUILT_FOR=%s' % token]
        if status:
            lines.append('AGENT_CONFIGURATION_STATUS=%s' % status)
        self.write('/usr/local/.vx_version', '\n'.join(lines) + '\n')
        self.write(install_dir + '/bin/AzureRcmCli', '#!/bin/sh\n# emulated by FakeHost._rcmcli\n', 0o755)
        self.write(install_dir + '/etc/drscout.conf',
                   '[vxagent]\nVmPlatform=%s\nCSType=%s\nHostId=0b5d6f1e-0000-4000-8000-000000000001\nRole=MS\n%s\n'
                   '[vxagent.transport]\nHostname=%s\nPort=443\n'
                   % (platform, cs_type, 'DataProtectionExePathname=%s/bin/%s\n' % (install_dir, data_protection)
                      if data_protection else '', cs_address or ''))

    def state_kv(self):
        text = self.read('/usr/local/.vx_version')
        if text is None:
            return None
        return dict(line.split('=', 1) for line in text.splitlines() if '=' in line)

    def _set_kv(self, key, value):
        values = self.state_kv()
        values[key] = value
        self.write('/usr/local/.vx_version', ''.join('%s=%s\n' % kv for kv in sorted(values.items())))

    # --- packages --------------------------------------------------------------------------
    def package(self, version='9.66.0.0', build=7567, token='RHEL8-64', name_version=None, name_token=None,
                member_prefix='./', vx_version=None, os_details_says=None):
        """A real tarball laid out like the vendor's (reference §1.1); its OS_details.sh prints the
        package's token (``os_details_says``: another answer; ``False``: no OS_details.sh)."""
        name = 'Microsoft-ASR_UA_%s_%s_GA_20Sep2025_release.tar.gz' % (name_version or version, name_token or token)
        path = os.path.join(self.packages, name)
        if vx_version is None:
            vx_version = ('VERSION=%s\nPROD_VERSION=%s\nBUILD_TAG=RELEASE_%s_GA_%s_Sep_20_2025_INMAGE\n'
                          'OS_BUILT_FOR=%s\n' % (version, version, version, build, token))
        members = [
            ('.vx_version', vx_version, 0o644),
            ('install', '#!/bin/sh\n# stand-in: the unit tests emulate it\nexit 0\n', 0o755),
            ('uninstall.sh', '#!/bin/sh\nexit 0\n', 0o755),
            ('install_vx', '#!/bin/sh\nexit 0\n', 0o755),
            ('OS_details.sh', '#!/bin/sh\n[ $# -gt 0 ] && echo %s\nexit 0\n' % (os_details_says or token), 0o755),
            ('Third-Party_Notices.txt', 'notices\n', 0o644),
        ]
        if os_details_says is False:
            members = [m for m in members if m[0] != 'OS_details.sh']
        with tarfile.open(path, 'w:gz') as tar:
            for member, text, mode in members:
                data = text.encode('utf-8')
                info = tarfile.TarInfo(member_prefix + member)
                info.size = len(data)
                info.mode = mode
                tar.addfile(info, io.BytesIO(data))
        return path

    # --- the vendor programs ---------------------------------------------------------------
    def run(self, argv, cwd=None, **kwargs):
        argv = [str(a) for a in argv]
        program = os.path.basename(argv[0])
        # service checks are kept apart from the vendor programs the tests count
        # service checks and the package's read-only OS_details.sh are kept apart from the vendor programs the tests count
        calls = {'systemctl': self.systemctl_calls, 'OS_details.sh': self.token_checks}.get(program, self.calls)
        calls.append({'argv': list(argv), 'cwd': cwd})
        if program in ('tar', 'OS_details.sh'):  # OS_details.sh: the extracted package's own, run for real
            proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = proc.communicate()
            return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
        if program == 'install':
            return self._install(argv, cwd)
        if program == 'UnifiedAgentConfigurator.sh':
            return self._configure(argv)
        if program in ('uninstall.sh', 'uninstall'):
            return self._uninstall(argv)
        if program == 'AzureRcmCli':
            return self._rcmcli(argv)
        if program == 'dmidecode':
            return 0, '# dmidecode 3.3\n%s\n' % self.read('/fake/dmidecode-uuid').strip(), ''
        if program == 'systemctl':
            if self.systemctl_missing:
                raise OSError(2, 'No such file or directory: systemctl')
            if argv[1] in ('start', 'restart'):
                self.systemctl[argv[-1]] = 'active'
                return 0, '', ''
            state = self.systemctl.get(argv[-1], 'inactive')
            return (0 if state == 'active' else 3), state + '\n', ''
        raise AssertionError('unexpected command %r' % (argv,))

    def _log(self, path, lines):
        old = self.read(path) or ''
        self.write(path, old + ''.join(line + '\n' for line in lines))

    def _install(self, argv, cwd):
        # run from the extracted package, with the extracted script
        assert cwd and os.path.dirname(argv[0]) == cwd, (argv, cwd)
        assert os.access(argv[0], os.X_OK), 'install was not extracted executable'
        opts = _opts(argv)
        assert opts.get('-r') == 'MS' and opts.get('-q') is True, argv
        with open(os.path.join(cwd, '.vx_version')) as handle:
            package = dict(line.split('=', 1) for line in handle.read().splitlines() if '=' in line)
        before = self.state_kv()
        cs_address = ''
        if before is not None:
            conf = self.read(before.get('INSTALLATION_DIR', '') + '/etc/drscout.conf') or ''
            cs_address = ''.join(line[len('Hostname='):] for line in conf.splitlines() if line.startswith('Hostname='))
        rc = self.install_rc
        if rc is None:
            rc = 0 if before is None else 98
        self._log(opts['-l'], ['Installer started with %s' % ' '.join(argv[1:]), 'Installer exiting with code: %s' % rc])
        if rc not in (0, 98, 209):
            self.write(opts['-e'], json.dumps({'Errors': [{'ErrorName': 'ASRMobilityServicePrereqFailed',
                                                           'ExitCode': rc}]}))
            return rc, 'Installation failed.\n', 'see the log\n'
        if self.install_writes_state:
            install_dir = opts['-d'] if opts['-d'] == '/usr/local/ASR' else opts['-d'].rstrip('/') + '/ASR'
            conf_path = (before or {}).get('INSTALLATION_DIR', '') + '/etc/drscout.conf'
            kept = self.read(conf_path) if before is not None else None
            # .vx_version is rebuilt without AGENT_CONFIGURATION_STATUS on every run (VX/templates/install:307-343)
            self.set_installed(version=package['VERSION'], build=package['BUILD_TAG'].split('_')[3],
                               token=package['OS_BUILT_FOR'], cs_type=opts['-c'], status=None, cs_address=cs_address,
                               install_dir=install_dir + '/Vx', platform=opts['-v'])
            new_conf = self.state_kv()['INSTALLATION_DIR'] + '/etc/drscout.conf'
            data_protection = 'DataProtectionSyncRcm' if opts['-c'] == 'CSPrime' else 'dataprotection'
            if kept is not None:
                # preserve_config keeps drscout.conf; install_vx sets the data-protection path (install:214-218)
                # and a classic -> modernized migration marks PlatformChangeToCSPrime (unifiedagent install:1713)
                lines = [line for line in kept.splitlines() if not line.startswith('DataProtectionExePathname=')]
                lines.insert(1, 'DataProtectionExePathname=%s/bin/%s' % (install_dir + '/Vx', data_protection))
                if opts['-c'] == 'CSPrime' and 'CSType=CSLegacy' in lines:
                    lines.insert(1, 'PlatformChangeToCSPrime=true')
                self.write(new_conf, '\n'.join(lines) + '\n')
            else:
                # a fresh install leaves the template values (VX/templates/drscout.conf:18-21,189-194)
                self.write(new_conf, '[vxagent]\nVmPlatform=%s\nHostId = 1234_45466_67689\nCSType=CSLegacy\n'
                                     'DataProtectionExePathname=%s/bin/%s\nRole=Agent\n\n[vxagent.transport]\n'
                                     'Hostname=\nPort = 80\n' % (opts['-v'], install_dir + '/Vx', data_protection))
        return rc, 'Installation succeeded.\n', ''

    def _configure(self, argv):
        opts = _opts(argv)
        secret = opts.get('-P') or opts.get('-S')
        st_file = os.stat(secret)
        with open(secret) as handle:
            content = handle.read()
        self.secrets.append({'path': secret, 'mode': stat.S_IMODE(st_file.st_mode),
                             'dir_mode': stat.S_IMODE(os.stat(os.path.dirname(secret)).st_mode),
                             'content': content, 'opts': opts})
        if self.state_kv() is None:
            return 1, 'agent not installed\n', ''
        rc = self.configurator_rc
        if rc != 13:
            # the status line is deleted and vxagent stopped before the CS is contacted (UnifiedAgentConfigurator.sh:1833-1837)
            self.systemctl['vxagent'] = 'inactive'
            values = self.state_kv()
            values.pop('AGENT_CONFIGURATION_STATUS', None)
            self.write('/usr/local/.vx_version', ''.join('%s=%s\n' % kv for kv in sorted(values.items())))
        status = self.configurator_status or ('Succeeded' if rc == 0 else 'Failed')
        if rc == 0:
            self.systemctl['vxagent'] = 'active'
        if status != 'none':
            self._set_kv('AGENT_CONFIGURATION_STATUS', status)
        conf = self.state_kv()['INSTALLATION_DIR'] + '/etc/drscout.conf'
        # the configurator generates a HostId, writes CSType and the CS address (UnifiedAgentConfigurator.sh:798,1243,844)
        text = self.read(conf).replace('HostId = 1234_45466_67689', 'HostId=0b5d6f1e-0000-4000-8000-000000000002')
        lines = text.splitlines()
        # CSPrime is written only once the appliance accepted the client (:1212-1215); CSLegacy after the fingerprint (:1288)
        if opts.get('-c', 'CSLegacy') == 'CSLegacy' or rc == 0:
            lines = [line for line in lines if not line.startswith(('CSType=', 'PlatformChangeToCSPrime='))]
            lines.insert(1, 'CSType=%s' % opts.get('-c', 'CSLegacy'))
        text = '\n'.join(lines) + '\n'
        if opts.get('-i'):
            text = text.replace('Hostname=\n', 'Hostname=%s\n' % opts['-i'])
        text = text.replace('Port = 80\n', 'Port = %s\n' % opts.get('-p', '443'))
        self.write(conf, text)
        if rc not in (0, 98):
            self._log('/var/log/ua_install.log', ['Registering with %s' % opts.get('-i'),
                                                  'ERROR: CS unreachable or passphrase wrong (exit %s)' % rc])
            return rc, 'Registration failed.\n', ''
        return rc, 'Registration succeeded.\n', ''

    def _rcmcli(self, argv):
        # agent source host/AzureRcmCli/AzureRcmCli.cpp line 919: "getagentconfiginput:<base64 of
        # {"BiosId", "Fqdn"}>" (AgentConfig.h lines 35-51); the system UUID as in read_identity
        assert argv[1:] == ['--getagentconfiginput'], argv
        assert self.exists(argv[0]), 'AzureRcmCli run from a path the install did not make: %s' % argv[0]
        if self.rcmcli_rc:
            return self.rcmcli_rc, '', 'AzureRcmCli failed\n'
        bios = (self.read('/sys/class/dmi/id/product_uuid') or '').strip()
        doc = json.dumps({'BiosId': bios, 'Fqdn': 'fake-host'})
        return 0, 'getagentconfiginput:%s\n' % base64.b64encode(doc.encode('utf-8')).decode('ascii'), ''

    def _uninstall(self, argv):
        opts = _opts(argv)
        assert opts.get('-Y') is True, argv
        self._log(opts.get('-L', '/var/log/ua_uninstall.log'), ['Uninstalling', 'done'])
        if self.uninstall_rc == 0 and self.uninstall_removes_state:
            values = self.state_kv() or {}
            self.remove('/usr/local/.vx_version')
            if values.get('INSTALLATION_DIR'):
                self.remove(values['INSTALLATION_DIR'] + '/etc/drscout.conf')
        return self.uninstall_rc, '', ''

    # --- what happened ---------------------------------------------------------------------
    def programs(self):
        return [os.path.basename(c['argv'][0]) if c['argv'][0] != 'tar' else 'tar ' + c['argv'][1]
                for c in self.calls]

    def all_argv_text(self):
        return '\n'.join(' '.join(c['argv']) for c in self.calls)


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A FakeHost whose directory is the root linux_agent reads."""
    from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
    fake = FakeHost(tmp_path)
    monkeypatch.setitem(linux_agent.PATHS, 'root', fake.root)
    monkeypatch.setattr(linux_agent, 'architecture', lambda: 'x86_64')
    return fake
