"""No deprecation warnings from the collection's own YAML on the main controller (issue 17).

ansible-core 2.20+ deprecates the injected fact variables (INJECT_FACTS_AS_VARS): reading
``ansible_os_family`` warns even inside a ``default()`` that is never reached. The roles that run
on every host without a lab are played here against localhost with deprecation warnings on; any
``[DEPRECATION WARNING]`` fails. (The lab scenarios apply the same rule: tests/lab/scenarios.py.)
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

PLAY = """
- name: Roles that decide from facts, on a Linux host
  hosts: localhost
  connection: local
  gather_facts: true
  gather_subset: [min]
  roles:
    - role: asr.mobility.antivirus_exclusions
      vars:
        antivirus_exclusions_paths: [/opt/asr]
"""


def test_roles_play_without_deprecation_warnings(tmp_path):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(PLAY)
    env = dict(os.environ, ANSIBLE_DEPRECATION_WARNINGS='true', ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=str(REPO / 'build' / 'collections'),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='true', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    proc = subprocess.run([str(BIN / 'ansible-playbook'), '-i', 'localhost,', '-e',
                           'ansible_python_interpreter=%s' % sys.executable, str(playbook)],
                          env=env, capture_output=True, text=True, check=False, cwd=str(tmp_path))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert 'antivirus_exclusions' in out
    deprecations = [line for line in out.splitlines() if 'DEPRECATION WARNING' in line]
    assert not deprecations, '\n'.join(deprecations)
