"""The Galaxy artifact (issue 17 item 6): built with `ansible-galaxy collection build`, it holds
only what users need and stays small; installed offline into an empty path it documents itself
and runs a check-mode play from that installed copy (not from this checkout)."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The artifact is code, role, playbooks and docs only (no tests, lab or build): 182 KiB at 0.2.0 with
# the modernized flow, the Windows host and the hardening; a jump past this bound means something
# that should be build_ignore'd got in.
MAX_BYTES = 200 * 1024
TOP_LEVEL = {'plugins', 'roles', 'playbooks', 'meta', 'docs', 'changelogs', 'README.md', 'LICENSE',
             'CHANGELOG.rst', 'MANIFEST.json', 'FILES.json'}


def run(*argv, env=None, cwd=None):
    proc = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, '%s\n%s\n%s' % (' '.join(map(str, argv)), proc.stdout, proc.stderr)
    return proc.stdout


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp('build')
    run(BIN / 'ansible-galaxy', 'collection', 'build', '--output-path', out, REPO, cwd=REPO)
    (found,) = out.glob('asr-mobility-*.tar.gz')
    return found


@pytest.fixture(scope='module')
def installed(tarball, tmp_path_factory):
    path = tmp_path_factory.mktemp('installed')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(path))
    # --no-deps: the dependency (ansible.windows) comes with the `ansible` package here; offline.
    run(BIN / 'ansible-galaxy', 'collection', 'install', '--offline', '--no-deps', '-p', path, tarball, env=env)
    assert (path / 'ansible_collections' / 'asr' / 'mobility' / 'MANIFEST.json').is_file()
    return path


def installed_env(path):
    # Only the installed copy and the collections of the `ansible` package: not build/collections.
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(path), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='true',
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_DEPRECATION_WARNINGS='true')
    env.pop('ANSIBLE_CONFIG', None)
    return env


def test_tarball_is_small_and_holds_only_what_users_need(tarball):
    size = tarball.stat().st_size
    with tarfile.open(str(tarball)) as archive:
        names = archive.getnames()
    top = {n.split('/', 1)[0] for n in names}
    assert top <= TOP_LEVEL, sorted(top - TOP_LEVEL)
    assert {'plugins', 'roles', 'playbooks', 'meta', 'README.md', 'LICENSE', 'CHANGELOG.rst'} <= top
    assert not [n for n in names if '/.' in '/' + n or '__pycache__' in n or n.endswith('.pyc')]
    assert size < MAX_BYTES, '%d bytes' % size
    print('artifact %s: %d bytes, %d members' % (tarball.name, size, len(names)))


def test_metadata_has_no_placeholders(tarball):
    with tarfile.open(str(tarball)) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))
        info = manifest['collection_info']
        assert info['version'] == yaml.safe_load((REPO / 'galaxy.yml').read_text())['version']
        text = json.dumps(info)
        assert 'example.invalid' not in text and 'example.com' not in text
        # documentation points at the docs shipped in the artifact
        assert info['documentation'] and info['documentation'] in archive.getnames()


def test_ansible_doc_reads_the_installed_copy(installed):
    out = run(BIN / 'ansible-doc', 'asr.mobility.agent', env=installed_env(installed))
    assert str(installed) in out.splitlines()[0]
    assert 'Mobility Service' in out
    out = run(BIN / 'ansible-doc', '-t', 'filter', 'asr.mobility.os_token', env=installed_env(installed))
    assert str(installed) in out.splitlines()[0]


PLAY = """
- name: Check-mode play from the installed collection
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The agent's state on this machine (read only)
      asr.mobility.agent_info:
      register: info

    - name: Removal is a no-op where no agent is installed (check mode)
      asr.mobility.agent:
        state: absent
      check_mode: true
      register: removal

    - name: Where the plugins came from
      ansible.builtin.assert:
        that:
          - not info.changed
          - not removal.changed
          - "'{installed}' in lookup('ansible.builtin.pipe', 'ansible-galaxy collection list asr.mobility')"
"""


def test_check_mode_play_runs_from_the_installed_copy(installed, tmp_path):
    if (Path('/usr/local/.vx_version')).exists():
        pytest.fail('this machine has a Mobility Service agent installed: the play would plan a removal')
    play = tmp_path / 'play.yml'
    play.write_text(PLAY.replace('{installed}', str(installed)))
    env = installed_env(installed)
    env['PATH'] = '%s:%s' % (BIN, env.get('PATH', ''))
    out = run(BIN / 'ansible-playbook', '-i', 'localhost,', '-e', 'ansible_python_interpreter=%s' % sys.executable,
              play, env=env, cwd=tmp_path)
    assert 'failed=0' in out
    assert 'DEPRECATION' not in out
