"""Helpers the lab integration suites share: commands, installers, the lab vault's secret, hosts."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / '.venv' / 'bin'
INVENTORY = REPO / 'inventories' / 'lab'
VERSION = '9.66.7567.1'
RUNS_LOG = '/var/log/asr-double/runs.log'


def sh(*argv, check=True, **kw):
    return subprocess.run([str(a) for a in argv], check=check, capture_output=True, text=True, **kw)


def build_installer(token, out_dir, version=VERSION):
    sh(sys.executable, REPO / 'tests/lab/double/build_installer.py', '--version', version, '--token', token,
       '--out-dir', out_dir)
    return next(Path(out_dir).glob('Microsoft-ASR_UA_%s_%s_*' % (version, token)))


def write_sums(directory):
    lines = []
    for path in sorted(Path(directory).glob('Microsoft-ASR_UA_*')):
        lines.append('%s  %s' % (hashlib.sha256(path.read_bytes()).hexdigest(), path.name))
    (Path(directory) / 'SHA256SUMS').write_text('\n'.join(lines) + '\n')


def lab_passphrase(path):
    """The lab vault's passphrase (the fake CS's), written 0600 to ``path``; returns it."""
    view = sh(VENV_BIN / 'ansible-vault', 'view', '--vault-password-file', INVENTORY / 'vault-password.lab',
              INVENTORY / 'group_vars/asr_mobility/vault.yml')
    secret = [line.split(':', 1)[1].strip() for line in view.stdout.splitlines()
              if line.startswith('vault_asr_mobility_passphrase')]
    Path(path).write_text(secret[0] + '\n')
    Path(path).chmod(0o600)
    return secret[0]


def on_host(host, script):
    return sh('podman', 'exec', 'asr-lab-' + host, 'sh', '-c', script, check=False)


def ansible_env(collections=None):
    """The environment a lab suite runs ansible-playbook with: this checkout's collections (``collections``
    first when given, e.g. the stand-in appliance's tree), the lab vault's password file, no colour."""
    path = str(REPO / 'build' / 'collections')
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH='%s:%s' % (collections, path) if collections else path,
                ANSIBLE_VAULT_PASSWORD_FILE=str(INVENTORY / 'vault-password.lab'), ANSIBLE_FORCE_COLOR='false',
                ANSIBLE_NOCOLOR='1')
