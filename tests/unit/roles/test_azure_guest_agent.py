# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role asr.mobility.azure_guest_agent: its data and decisions, without a host.

* (meta/argument_specs.yml against defaults/main.yml: test_role_argument_specs.py, for every role);
* the role and its playbook never run the agent's deprovisioning;
* the fact-driven choices in vars/main.yml (package per distribution, Oracle Linux addons
  repository, service name, network-manager removal in apt's simulation), evaluated by
  ansible-playbook itself against localhost with the role's defaults and vars loaded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLE = os.path.join(ROOT, 'roles', 'azure_guest_agent')


def _yaml(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def test_never_deprovision():
    """waagent -deprovision wipes users, SSH host keys and provisioning state of a live VM."""
    paths = [os.path.join(d, f) for d, unused_dirs, files in os.walk(ROLE) for f in files]
    paths.append(os.path.join(ROOT, 'playbooks', 'post_failover.yml'))
    offenders = []
    for path in paths:
        with open(path, 'rb') as handle:
            if re.search(br'-deprovision', handle.read()):
                offenders.append(os.path.relpath(path, ROOT))
    assert offenders == []


# (facts, extra variables, expected package, expected repository to enable)
PACKAGE_CASES = [
    ({'distribution': 'Debian', 'os_family': 'Debian', 'distribution_major_version': '12'}, {}, 'waagent', ''),
    ({'distribution': 'Debian', 'os_family': 'Debian', 'distribution_major_version': '11'}, {}, 'waagent', ''),
    ({'distribution': 'Ubuntu', 'os_family': 'Debian', 'distribution_major_version': '22'}, {}, 'walinuxagent', ''),
    ({'distribution': 'RedHat', 'os_family': 'RedHat', 'distribution_major_version': '8'}, {}, 'WALinuxAgent', ''),
    ({'distribution': 'CentOS', 'os_family': 'RedHat', 'distribution_major_version': '7'}, {}, 'WALinuxAgent', ''),
    ({'distribution': 'Rocky', 'os_family': 'RedHat', 'distribution_major_version': '9'}, {}, 'WALinuxAgent', ''),
    ({'distribution': 'AlmaLinux', 'os_family': 'RedHat', 'distribution_major_version': '9'}, {}, 'WALinuxAgent', ''),
    ({'distribution': 'OracleLinux', 'os_family': 'RedHat', 'distribution_major_version': '7'}, {},
     'WALinuxAgent', 'ol7_addons'),
    ({'distribution': 'OracleLinux', 'os_family': 'RedHat', 'distribution_major_version': '8'}, {},
     'WALinuxAgent', 'ol8_addons'),
    ({'distribution': 'OracleLinux', 'os_family': 'RedHat', 'distribution_major_version': '8'},
     {'azure_guest_agent_oracle_addons_repo': ''}, 'WALinuxAgent', ''),
    ({'distribution': 'SLES', 'os_family': 'Suse', 'distribution_major_version': '12'}, {}, 'python-azure-agent', ''),
    ({'distribution': 'SLES', 'os_family': 'Suse', 'distribution_major_version': '15'}, {}, 'python3-azure-agent', ''),
    ({'distribution': 'SLES', 'os_family': 'Suse', 'distribution_major_version': '15'},
     {'azure_guest_agent_sles15_package': 'python311-azure-agent'}, 'python311-azure-agent', ''),
    ({'distribution': 'Debian', 'os_family': 'Debian', 'distribution_major_version': '12'},
     {'azure_guest_agent_package': 'walinuxagent'}, 'walinuxagent', ''),
    ({'distribution': 'Gentoo', 'os_family': 'Gentoo', 'distribution_major_version': '2'}, {}, '', ''),
]

# (services facts, azure_guest_agent_service, expected service)
SERVICE_CASES = [
    ({'walinuxagent.service': {'name': 'walinuxagent.service'}}, '', 'walinuxagent'),
    ({'waagent.service': {'name': 'waagent.service'}}, '', 'waagent'),
    ({'walinuxagent': {'name': 'walinuxagent', 'source': 'sysv'}}, '', 'walinuxagent'),
    ({}, '', 'waagent'),
    ({'walinuxagent.service': {}}, 'custom-agent', 'custom-agent'),
]

APT_SIMULATIONS = [
    ('Inst waagent (2.7.3.0-4.1 Debian:12.15/oldstable [all])\nConf waagent (2.7.3.0-4.1)\n', False),
    ('Remv network-manager [1.42.4-1]\nInst waagent (2.7.3.0-4.1 Debian:12.15/oldstable [all])\n', True),
    ('Remv network-manager [99.0-asrlab]\n', True),
    ('Remv network-manager-gnome [1.30.0-2]\nInst waagent (2.7.3.0-4.1)\n', False),
    ('Inst walinuxagent (2.9.1.1-0ubuntu0.22.04.1 Ubuntu:22.04/jammy-updates [amd64])\n', False),
]


def _run_cases(tmp_path):
    cases = []
    for facts, extra, package, repo in PACKAGE_CASES:
        cases.append({'kind': 'package', 'facts': facts, 'extra': extra, 'package': package, 'repo': repo})
    for services, override, service in SERVICE_CASES:
        cases.append({'kind': 'service', 'facts': {'services': services}, 'extra': {'azure_guest_agent_service': override},
                      'service': service})
    for stdout, removes in APT_SIMULATIONS:
        cases.append({'kind': 'apt', 'facts': {}, 'extra': {}, 'stdout': stdout, 'removes': removes})
    playbook = [{
        'name': 'Evaluate the role choices',
        'hosts': 'localhost',
        'gather_facts': False,
        'tasks': [
            {'name': 'Load the role defaults', 'ansible.builtin.include_vars': os.path.join(ROLE, 'defaults', 'main.yml')},
            {'name': 'Load the role vars', 'ansible.builtin.include_vars': os.path.join(ROLE, 'vars', 'main.yml')},
            {'name': 'Evaluate', 'loop': '{{ cases }}',
             'ansible.builtin.set_fact': {'results': "{{ results | default([]) + [{"
                                          "'package': azure_guest_agent_package_auto | trim,"
                                          "'repo': azure_guest_agent_enablerepo_auto | trim,"
                                          "'service': azure_guest_agent_service_auto | trim,"
                                          "'removes': (item.stdout | default('')) is regex(azure_guest_agent_nm_removal_regex)"
                                          "}] }}"},
             'vars': {'ansible_facts': '{{ item.facts }}',
                      # extra per case: task vars lose to include_vars, so override through the item
                      'azure_guest_agent_package': "{{ item.extra.azure_guest_agent_package | default('') }}",
                      'azure_guest_agent_sles15_package':
                          "{{ item.extra.azure_guest_agent_sles15_package | default('python3-azure-agent') }}",
                      'azure_guest_agent_oracle_addons_repo':
                          "{{ item.extra.azure_guest_agent_oracle_addons_repo | default('auto') }}",
                      'azure_guest_agent_service': "{{ item.extra.azure_guest_agent_service | default('') }}"}},
            {'name': 'Hand the results over', 'ansible.builtin.copy': {
                'content': '{{ results | to_json }}', 'dest': str(tmp_path / 'results.json'), 'mode': '0644'}},
        ],
    }]
    return cases, playbook


def test_fact_driven_choices(tmp_path):
    cases, playbook = _run_cases(tmp_path)
    # The role's defaults and vars are loaded with include_vars, which outranks task vars: load
    # copies without the per-case variables so the task vars above decide.
    defaults = _yaml('defaults', 'main.yml')
    for key in ('azure_guest_agent_package', 'azure_guest_agent_sles15_package', 'azure_guest_agent_oracle_addons_repo',
                'azure_guest_agent_service'):
        defaults.pop(key)
    with open(tmp_path / 'defaults.yml', 'w') as handle:
        yaml.safe_dump(defaults, handle)
    playbook[0]['tasks'][0]['ansible.builtin.include_vars'] = str(tmp_path / 'defaults.yml')
    with open(tmp_path / 'cases.json', 'w') as handle:
        json.dump({'cases': cases}, handle)
    with open(tmp_path / 'playbook.yml', 'w') as handle:
        yaml.safe_dump(playbook, handle, sort_keys=False)
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
               ANSIBLE_HOME=str(tmp_path / 'ansible-home'), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-e', '@' + str(tmp_path / 'cases.json'),
                           str(tmp_path / 'playbook.yml')], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
    with open(tmp_path / 'results.json') as handle:
        results = json.load(handle)
    assert len(results) == len(cases)
    wrong = []
    for case, got in zip(cases, results):
        if case['kind'] == 'package' and (got['package'], got['repo']) != (case['package'], case['repo']):
            wrong.append((case['facts'], case['extra'], got['package'], got['repo']))
        if case['kind'] == 'service' and got['service'] != case['service']:
            wrong.append((case['facts'], case['extra'], got['service']))
        if case['kind'] == 'apt' and got['removes'] != case['removes']:
            wrong.append((case['stdout'], got['removes']))
    assert wrong == []


@pytest.mark.parametrize('name', ['debian12', 'debian11', 'onprem'])
def test_molecule_scenarios_exist(name):
    with open(os.path.join(ROOT, 'molecule', 'azure_guest_' + name, 'molecule.yml')) as handle:
        data = yaml.safe_load(handle)
    assert data['platforms']
