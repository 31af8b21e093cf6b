# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the tests of the installer double and the fake configuration server (tests/lab/).

The double's real scripts run on this host with ``ASR_DOUBLE_ROOT`` pointing at a temporary
directory (every absolute path they touch is re-rooted there) and ``ASR_DOUBLE_NO_SYSTEMD=1``.
"""

import json
import os
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOUBLE_DIR = os.path.join(REPO, 'tests', 'lab', 'double')
FAKE_CS = os.path.join(REPO, 'tests', 'lab', 'fake_cs', 'server.py')
sys.path.insert(0, DOUBLE_DIR)

import build_installer  # noqa: E402 pylint: disable=wrong-import-position

TOKEN = 'DEBIAN12-64'
VERSION = '9.66.7567.1'
PASSPHRASE = 'Lab-Passphrase-7f3c9a1e'
# This test machine's system UUID (its /sys/class/dmi/id/product_uuid): the BiosId of its Agent
# Config Input and the one a config.json must carry (the double's AzureRcmCli).
MACHINE_ID = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
# A config.json made for this machine by the appliance (the fields the double's configurator reads).
CONFIG_JSON = ('{"BiosId": "%s", "Fqdn": "test", "ClientCertificate": "Y2VydA==", '
               '"RcmProxyTransportSettings": {"RcmProxyAddress": ["appliance.lab"], "Port": 443}}' % MACHINE_ID)


def _kill_svagents(root):
    """Kill svagents processes started under ``root`` (pid file, then any leftover)."""
    pids = set()
    pid_file = os.path.join(root, 'run', 'asr-double', 'svagents.pid')
    if os.path.exists(pid_file):
        with open(pid_file) as handle:
            text = handle.read().strip()
        if text.isdigit():
            pids.add(int(text))
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                cmdline = handle.read().decode('utf-8', 'replace')
        except (IOError, OSError):
            continue
        if 'svagents' in cmdline and root in cmdline:
            pids.add(int(entry))
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Host(object):
    """A re-rooted fake host: run the double's scripts against it and read its state."""

    def __init__(self, tmp_path):
        self.tmp = str(tmp_path)
        self.root = os.path.join(self.tmp, 'root')
        os.makedirs(os.path.join(self.root, 'etc'))
        # Debian 12 release file -> OS_details.sh prints DEBIAN12-64
        self.write('/etc/debian_version', '12.5\n')
        self.write('/sys/class/dmi/id/product_uuid', MACHINE_ID + '\n')
        self.extra_env = {}
        self._pkg_count = 0

    # ---- files -----------------------------------------------------------------------------
    def path(self, logical):
        return self.root + logical

    def write(self, logical, text, mode=None):
        real = self.path(logical)
        if not os.path.isdir(os.path.dirname(real)):
            os.makedirs(os.path.dirname(real))
        with open(real, 'w') as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(real, mode)
        return real

    def read(self, logical):
        with open(self.path(logical)) as handle:
            return handle.read()

    def exists(self, logical):
        return os.path.exists(self.path(logical))

    def faults(self, *words):
        """Set the run-time fault file /etc/asr-double/faults (no words: remove it)."""
        if words:
            self.write('/etc/asr-double/faults', ''.join(w + '\n' for w in words))
        elif self.exists('/etc/asr-double/faults'):
            os.remove(self.path('/etc/asr-double/faults'))

    def kv(self, logical='/usr/local/.vx_version'):
        out = {}
        for line in self.read(logical).splitlines():
            if '=' in line:
                key, value = line.split('=', 1)
                out[key] = value
        return out

    def drscout(self, install_dir='/usr/local/ASR'):
        sections, current = {}, None
        for line in self.read(install_dir + '/Vx/etc/drscout.conf').splitlines():
            line = line.strip()
            if line.startswith('[') and line.endswith(']'):
                current = sections.setdefault(line[1:-1], {})
            elif '=' in line:
                key, value = line.split('=', 1)
                current[key.strip()] = value.strip()
        return sections

    def runs(self):
        if not self.exists('/var/log/asr-double/runs.log'):
            return []
        return self.read('/var/log/asr-double/runs.log').splitlines()

    def svagents_pid(self):
        pid_file = self.path('/run/asr-double/svagents.pid')
        if not os.path.exists(pid_file):
            return None
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
        try:
            with open('/proc/%d/status' % pid) as handle:
                status = handle.read()
            with open('/proc/%d/comm' % pid) as handle:
                comm = handle.read().strip()
        except (IOError, OSError):
            return None
        if comm != 'svagents' or '\nState:\tZ' in status:
            return None
        return pid

    # ---- packages --------------------------------------------------------------------------
    def package(self, version=VERSION, token=TOKEN, faults=None, date='20Sep2025'):
        """Build a package and extract it into a fresh directory; return that directory."""
        self._pkg_count += 1
        out = os.path.join(self.tmp, 'pkgs')
        tarball = build_installer.build(version, token, out, date=date, faults=faults)
        dest = os.path.join(self.tmp, 'extract%d' % self._pkg_count)
        os.makedirs(dest)
        subprocess.check_call(['tar', '-xf', tarball, '-C', dest])
        return dest

    # ---- running ---------------------------------------------------------------------------
    def env(self, **extra):
        env = {
            'PATH': os.environ.get('PATH', '/usr/local/bin:/usr/bin:/bin'),
            'HOME': os.environ.get('HOME', '/root'),
            'ASR_DOUBLE_ROOT': self.root,
            'ASR_DOUBLE_NO_SYSTEMD': '1',
        }
        env.update(self.extra_env)
        env.update(dict((k, str(v)) for k, v in extra.items()))
        return env

    def run(self, argv, cwd=None, stdin=None, timeout=120, **extra):
        return subprocess.run(argv, cwd=cwd or self.tmp, env=self.env(**extra), input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=timeout, check=False)

    def install(self, pkg, *args, **extra):
        return self.run([os.path.join(pkg, 'install')] + list(args), cwd=pkg, **extra)

    def configurator(self, *args, **extra):
        install_dir = extra.pop('install_dir', '/usr/local/ASR')
        return self.run([self.path(install_dir + '/Vx/bin/UnifiedAgentConfigurator.sh')] + list(args), **extra)

    def uninstall(self, *args, **extra):
        install_dir = extra.pop('install_dir', '/usr/local/ASR')
        stdin = extra.pop('stdin', None)
        return self.run([self.path(install_dir + '/uninstall.sh')] + list(args), stdin=stdin, **extra)

    def cleanup(self):
        _kill_svagents(self.root)


class FakeCS(object):
    def __init__(self, proc, port, state_dir, log_path, passphrase_file):
        self.proc = proc
        self.port = port
        self.state_dir = state_dir
        self.log_path = log_path
        self.passphrase_file = passphrase_file

    def request(self, method, path, body=None):
        import http.client
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        headers = {}
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode('utf-8') if not isinstance(body, str) else body.encode('utf-8')
            headers['Content-Type'] = 'application/json'
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        try:
            return resp.status, json.loads(data.decode('utf-8'))
        except ValueError:
            return resp.status, data

    def registrations(self):
        return self.request('GET', '/registrations')[1]


def start_fake_cs(tmp_dir, passphrase=PASSPHRASE, extra_args=()):
    if not os.path.isdir(tmp_dir):
        os.makedirs(tmp_dir)
    state_dir = os.path.join(tmp_dir, 'cs-state')
    pass_file = os.path.join(tmp_dir, 'cs-passphrase')
    with open(pass_file, 'w') as handle:
        handle.write(passphrase + '\n')
    log_path = os.path.join(tmp_dir, 'cs.log')
    log = open(log_path, 'w')
    proc = subprocess.Popen([sys.executable, FAKE_CS, '--bind', '127.0.0.1', '--port', '0',
                             '--passphrase-file', pass_file, '--state-dir', state_dir] + list(extra_args),
                            stdout=log, stderr=log)
    log.close()
    info_path = os.path.join(state_dir, 'server.json')
    deadline = time.time() + 15
    while time.time() < deadline:
        if os.path.exists(info_path):
            with open(info_path) as handle:
                info = json.load(handle)
            if info.get('pid') == proc.pid:
                return FakeCS(proc, info['port'], state_dir, log_path, pass_file)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError('fake CS did not start: %s' % open(log_path).read())
