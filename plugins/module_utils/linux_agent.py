# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Acting on a Linux host: read its OS and agent state, run the vendor's install, configurator
and uninstall scripts with the documented flags (reference §1.2-1.5).

Everything that touches the host goes through a ``run(argv, cwd=None)`` callable returning
``(rc, stdout, stderr)`` (AnsibleModule.run_command in production) and through the paths in
``PATHS``, so tests can replace both. Python 2.7 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import platform
import shutil
import socket
import tempfile
import time

from ansible_collections.asr.mobility.plugins.module_utils import agent_config, exit_codes, host_safety, os_tokens
# VendorError and LOG_TAIL_LINES live in the neutral errors module; imported here for the callers of this one.
from ansible_collections.asr.mobility.plugins.module_utils.errors import LOG_TAIL_LINES, VendorError  # noqa: F401
from ansible_collections.asr.mobility.plugins.module_utils.installer import parse_version, version_from_build_tag
from ansible_collections.asr.mobility.plugins.module_utils.state import linux_state, parse_kv

PATHS = {
    'root': '/',
    'vx_version': '/usr/local/.vx_version',
    'install_log': '/var/log/ua_install.log',
    'errors_json': '/var/log/InstallerErrors.json',
    'uninstall_log': '/var/log/ua_uninstall.log',
    'proc': '/proc',
    'mounts': '/proc/mounts',
    'lock': '/run/lock/asr-mobility.lock',
    'secret_base': '/run/asr-mobility',
    # The system UUID the agent puts in its Agent Config Input and checks a config.json against, in the
    # vendor's order (agent source host/common/linux/portablehelpersminor.h lines 60, 66).
    'product_uuid': '/sys/class/dmi/id/product_uuid',
    'dmidecode': '/usr/sbin/dmidecode',
}

RELEASE_FILES = ('/etc/oracle-release', '/etc/redhat-release', '/etc/centos-release', '/etc/SuSE-release',
                 '/etc/os-release', '/usr/lib/os-release', '/etc/lsb-release', '/etc/debian_version')

DEFAULT_INSTALL_DIR = '/usr/local/ASR'


def host_path(path):
    root = PATHS['root']
    if root in ('', '/'):
        return path
    return os.path.join(root, path.lstrip('/'))


def read_text(path):
    """Text of a host file, or None when it does not exist or cannot be read."""
    try:
        with open(host_path(path), 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return None


def tail(path, lines=LOG_TAIL_LINES):
    text = read_text(path)
    if not text:
        return []
    return text.splitlines()[-lines:]


def release_files():
    files = {}
    for path in RELEASE_FILES:
        text = read_text(path)
        if text is not None:
            files[path] = text
    return files


def architecture():
    return platform.machine() or os.uname()[4]


def detect_os(overrides=None):
    """The host's token decision (see os_tokens.detect)."""
    return os_tokens.detect(architecture=architecture(), release_files=release_files(), overrides=overrides)


def read_state():
    """Installed agent state from /usr/local/.vx_version and <INSTALLATION_DIR>/etc/drscout.conf."""
    vx_text = read_text(PATHS['vx_version'])
    drscout = None
    if vx_text is not None:
        install_dir = parse_kv(vx_text).get('INSTALLATION_DIR') or os.path.join(DEFAULT_INSTALL_DIR, 'Vx')
        drscout = read_text(os.path.join(install_dir, 'etc', 'drscout.conf'))
    return linux_state(vx_text, drscout)


def installer_metadata(run, package):
    """Read ``.vx_version`` out of the package without installing (reference §1.1).

    Returns {'version', 'version_tuple', 'os_built_for', 'build_tag'}; raises ValueError.
    """
    last_err = ''
    for member in ('./.vx_version', '.vx_version'):
        rc, out, err = run(['tar', '-xOf', package, member])
        if rc == 0 and out.strip():
            values = parse_kv(out)
            if 'VERSION' not in values:
                raise ValueError('%s: .vx_version inside the package has no VERSION' % package)
            version = version_from_build_tag(values['VERSION'], values.get('BUILD_TAG'))
            return {'name': os.path.basename(package), 'version': '.'.join(str(p) for p in version),
                    'version_tuple': version,
                    'os_built_for': values.get('OS_BUILT_FOR'), 'build_tag': values.get('BUILD_TAG')}
        last_err = (err or out or '').strip()
    raise ValueError('%s is not a readable Mobility Service package (no .vx_version inside: %s)'
                     % (package, last_err or 'tar failed'))


def normalise_install_dir(install_dir):
    """The ``-d`` value to pass: normalised, because the vendor appends ``/ASR`` to the string as
    given (unifiedagent/templates/install:1651-1653: ``/usr/local/ASR/`` -> ``/usr/local/ASR//ASR``)."""
    if not install_dir:
        return DEFAULT_INSTALL_DIR
    normalised = os.path.normpath(install_dir)
    return '/' + normalised.lstrip('/') if normalised.startswith('//') else normalised


def install_root(install_dir):
    """The root the vendor computes from ``-d`` (install:1651-1653): the default stays, any other
    directory gets ``/ASR`` appended."""
    install_dir = normalise_install_dir(install_dir)
    if install_dir == DEFAULT_INSTALL_DIR:
        return install_dir
    return install_dir.rstrip('/') + '/ASR'


def _secret_file(directory, name, content):
    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content.encode('utf-8') if not isinstance(content, bytes) else content)
    finally:
        os.close(fd)
    return path


def _failure(table, rc, log_path, out, err, extra_log=None):
    info = exit_codes.interpret(table, rc)
    lines = tail(log_path)
    if extra_log:
        extra = read_text(extra_log)
        if extra:
            lines = lines + ['--- %s ---' % extra_log] + extra.strip().splitlines()[-10:]
    output = [line for line in ((out or '') + '\n' + (err or '')).splitlines() if line.strip()]
    if output:
        lines = lines + ['--- program output ---'] + output[-10:]
    return VendorError(exit_codes.describe(table, rc), code=rc, meaning=info['meaning'], log_tail=lines,
                       program=exit_codes.PROGRAM_NAMES[table])


def package_token(run, workdir):
    """What the extracted package's own ``OS_details.sh`` says this host is: the vendor's installer
    runs ``OS=$($PWD/OS_details.sh 1)`` (unifiedagent/templates/install:36, :45) and aborts with 149
    unless the package's ``.vx_version`` names that token (:896-901). None when the package has no
    such script; '' when it names no token."""
    script = os.path.join(workdir, 'OS_details.sh')
    if not os.path.isfile(script):
        return None
    os.chmod(script, 0o755)  # as the installer does first (templates/install:36); the directory is private
    rc, out, err = run([script, '1'], cwd=workdir)
    said = [line.strip() for line in (out or '').splitlines() if line.strip()]
    return said[-1] if rc == 0 and said else ''


def confirm_token(run, workdir, expected):
    """Refuse before ``./install`` runs when the package's own OS_details.sh disagrees with the token
    the collection chose (the installer would exit 149, or install a build for another OS)."""
    said = package_token(run, workdir)
    if said is None or said.lower() == expected.lower():
        return
    raise VendorError(
        "the package's own OS_details.sh says this host is %s, but the collection chose the installer for %s. "
        "The vendor's installer would refuse it (exit 149: agent not built for the running OS). Nothing was run. "
        "Use the installer for %s, or fix mobility_service_os_token_overrides if one maps this host."
        % (said or 'no supported OS (it printed nothing)', expected, said or 'a supported OS'),
        code=149, meaning='agent not built for the running OS (OS_details.sh, before the installer ran)',
        program='OS_details.sh')


def uninstall_incomplete(rc):
    return VendorError('uninstall.sh exited %s but %s is still present: the inner uninstall failed. '
                       'Read %s on the host, fix the cause, then run again.'
                       % (rc, PATHS['vx_version'], PATHS['uninstall_log']),
                       code=rc, meaning='inner uninstall failed', program='uninstall.sh',
                       log_tail=tail(PATHS['uninstall_log']))


class LinuxAgent(object):
    """Runs the vendor programs. ``run(argv, cwd=None) -> (rc, out, err)``."""

    def __init__(self, run, work_dir=None, secret_dir=None):
        self.run = run
        self.work_dir = work_dir
        self.secret_dir = secret_dir or work_dir
        if work_dir and not os.path.isdir(work_dir):
            os.makedirs(work_dir, 0o700)

    def install(self, package, mode, cs_type, platform_name='VmWare', install_dir=None, sha256=None,
                expected_token=None):
        """Extract ``package`` into a private temp dir and run ``./install`` from there. With
        ``sha256``, the package is first copied there while hashed and only that copy is used. With
        ``expected_token``, the package's own ``OS_details.sh`` must name the same token first.
        Returns the interpreted exit code (dict); raises VendorError on failure (UnsafeError, a
        ValueError, when the package is not the verified one)."""
        workdir = tempfile.mkdtemp(prefix=host_safety.EXTRACT_PREFIX, dir=self.work_dir)
        try:
            if sha256:
                package = host_safety.copy_verified(package, workdir, sha256)
            rc, out, err = self.run(['tar', '-xf', package, '-C', workdir])
            if rc != 0:
                raise VendorError('could not extract %s: %s' % (package, (err or out).strip()), code=rc,
                                  program='tar')
            if expected_token:
                confirm_token(self.run, workdir, expected_token)
            argv = [os.path.join(workdir, 'install'), '-q', '-r', 'MS', '-v', platform_name,
                    '-d', normalise_install_dir(install_dir), '-c', cs_type, '-a', mode,
                    '-l', PATHS['install_log'], '-e', PATHS['errors_json']]
            rc, out, err = self.run(argv, cwd=workdir)
            info = exit_codes.interpret('linux_installer', rc)
            if not info['ok']:
                raise _failure('linux_installer', rc, PATHS['install_log'], out, err, extra_log=PATHS['errors_json'])
            return info
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def configurator(self, state):
        base = state.get('install_dir') or os.path.join(DEFAULT_INSTALL_DIR, 'Vx')
        return os.path.join(base, 'bin', 'UnifiedAgentConfigurator.sh')

    def register(self, state, control_plane, cs_address=None, cs_port=None, passphrase=None, config=None):
        """Register through UnifiedAgentConfigurator.sh; the secret goes through a 0600 file in a
        private directory that is removed whatever happens, never through the command line."""
        secret_dir = tempfile.mkdtemp(prefix=host_safety.SECRET_PREFIX, dir=self.secret_dir)
        try:
            if control_plane == 'classic':
                secret = _secret_file(secret_dir, 'connection.passphrase', passphrase)
                argv = [self.configurator(state), '-i', cs_address, '-P', secret, '-c', 'CSLegacy', '-q']
                if cs_port:
                    argv[3:3] = ['-p', str(cs_port)]
            else:
                secret = _secret_file(secret_dir, 'config.json', config)
                argv = [self.configurator(state), '-S', secret, '-c', 'CSPrime', '-q']
            rc, out, err = self.run(argv)
            # The modernized configurator normalises its codes and its 98 is a failure (exit_codes).
            table = exit_codes.configurator_table(control_plane)
            info = exit_codes.interpret(table, rc)
            if not info['ok']:
                raise _failure(table, rc, PATHS['install_log'], out, err)
            return info
        finally:
            shutil.rmtree(secret_dir, ignore_errors=True)

    def restart_vxagent(self):
        """``systemctl start vxagent``; returns (ok, detail)."""
        try:
            rc, out, err = self.run(['systemctl', 'start', 'vxagent'])
        except (OSError, IOError) as exc:
            return False, str(exc)
        return rc == 0, (err or out or '').strip()

    def uninstall(self, state):
        root = os.path.dirname((state.get('install_dir') or os.path.join(DEFAULT_INSTALL_DIR, 'Vx')).rstrip('/'))
        outer = os.path.join(root, 'uninstall.sh')
        inner = os.path.join(root, 'Vx', 'bin', 'uninstall')
        cwd = None
        argv = [outer, '-Y', '-L', PATHS['uninstall_log']]
        if not os.path.exists(host_path(outer)) and os.path.exists(host_path(inner)):
            # uninstall.sh deletes itself even when the inner uninstall failed
            # (unifiedagent/templates/uninstall.sh:334): a retry runs the install tree's uninstaller,
            # from its directory as uninstall.sh does (:88-93).
            argv = [inner, '-Y', '-L', PATHS['uninstall_log']]
            cwd = os.path.dirname(inner)
        rc, out, err = self.run(argv, cwd=cwd) if cwd else self.run(argv)
        info = exit_codes.interpret('linux_uninstaller', rc)
        if not info['ok']:
            raise _failure('linux_uninstaller', rc, PATHS['uninstall_log'], out, err)
        if read_text(PATHS['vx_version']) is not None:
            # reference §1.4: uninstall.sh returns 0 even when the inner uninstall failed.
            raise uninstall_incomplete(rc)
        return info


def read_identity(run):
    """``{'bios_id', 'fqdn', 'source'}``: the system UUID as the agent reads it (``product_uuid``,
    else ``dmidecode -s system-uuid``) and the host name (the agent's Linux ``Fqdn``)."""
    sources = [PATHS['product_uuid']]
    bios_id = (read_text(PATHS['product_uuid']) or '').strip()
    if not bios_id:
        sources.append('%s -s system-uuid' % PATHS['dmidecode'])
        if os.path.isfile(host_path(PATHS['dmidecode'])):
            rc, out, err = run([PATHS['dmidecode'], '-s', 'system-uuid'])
            lines = [line.strip() for line in (out or '').splitlines() if line.strip() and not line.startswith('#')]
            bios_id = lines[0].split()[0] if rc == 0 and lines else ''
        else:
            sources[-1] += ' (not installed)'
    return {'bios_id': bios_id or None, 'fqdn': socket.gethostname(), 'source': ', '.join(sources)}


def azure_rcm_cli(state):
    return os.path.join(state.get('install_dir') or os.path.join(DEFAULT_INSTALL_DIR, 'Vx'), 'bin', 'AzureRcmCli')


def read_config_input(run, state):
    """``<root>/Vx/bin/AzureRcmCli --getagentconfiginput`` decoded (reference §1.7); raises ValueError."""
    program = azure_rcm_cli(state)
    if not os.path.isfile(host_path(program)):
        raise ValueError('%s does not exist' % program)
    rc, out, err = run([program, '--getagentconfiginput'])
    if rc != 0:
        said = ((err or '') + (out or '')).strip().splitlines()[-3:]
        raise ValueError('%s --getagentconfiginput exited %s: %s' % (program, rc, ' '.join(said) or 'no output'))
    try:
        return agent_config.decode_config_input(out)
    except ValueError as exc:
        raise ValueError('%s --getagentconfiginput: %s' % (program, exc))


def service_states(run):
    """vxagent / uarespawnd unit states and whether an svagents process runs."""
    services = {}
    for unit in ('vxagent', 'uarespawnd'):
        try:
            rc, out, err = run(['systemctl', 'is-active', unit])
            services[unit] = (out or '').strip() or ('active' if rc == 0 else 'unknown')
        except (OSError, IOError):
            services[unit] = 'unknown'
    services['svagents'] = 'running' if _process_running('svagents') else 'stopped'
    return services


def _process_running(name):
    proc = host_path(PATHS['proc'])
    try:
        entries = os.listdir(proc)
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, 'comm'), 'rb') as handle:
                comm = handle.read().decode('utf-8', 'replace').strip()
        except (IOError, OSError):
            comm = None  # no /proc/<pid>/comm before Linux 2.6.33 (RHEL 5): cmdline still tells
        if comm == name:
            return True
        try:
            with open(os.path.join(proc, entry, 'cmdline'), 'rb') as handle:
                argv0 = handle.read().split(b'\0')[0].decode('utf-8', 'replace')
        except (IOError, OSError):
            continue
        if os.path.basename(argv0) == name:
            return True
    return False


def check_version(version):
    """Validate a user's version pin early (raises ValueError)."""
    parse_version(version)
    return version


def tcp_reachable(host, port, timeout, clock=None, pause=None):
    """Does ``host:port`` accept a TCP connection within ``timeout`` seconds? Tried again every second
    until then, as ``ansible.builtin.wait_for`` with ``host``/``port`` does (a refused port may open)."""
    clock = clock or time.time
    pause = pause or time.sleep
    deadline = clock() + max(int(timeout), 0)
    while True:
        remaining = deadline - clock()
        try:
            conn = socket.create_connection((host, int(port)), timeout=max(min(remaining, 5), 0.5))
            conn.close()
            return True
        except (socket.error, socket.timeout, OSError, ValueError):
            if clock() + 1 > deadline:
                return False
            pause(1)


def running_kernel():
    """``uname -r``."""
    return platform.release()
