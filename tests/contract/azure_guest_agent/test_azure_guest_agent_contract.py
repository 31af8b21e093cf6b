# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract of the Windows part of asr.mobility.azure_guest_agent, through playbooks/post_failover.yml.

Reuses the Windows contract harness (``../harness.py``: inventory host ``win1`` with
``ansible_connection=local`` whose facts come from the stand-in ``ansible.windows.setup``, call
log, normalization, validation against the REAL ansible.windows options). The stand-in collection
is this directory's ``standin_services.py`` (the harness's fake host plus services and MSI products)
for every module the role uses. Per scenario (``scenarios/*.yml``):

* the playbook exits with the scenario's ``rc`` (default 0);
* the normalized calls equal ``expect`` exactly (order, module, arguments, check mode);
* every call's arguments are valid for the real module;
* the host's summary row (``asr_post_failover_summary_file``) matches ``outcome``;
* the fake host's services and products afterwards match ``final``.

``ASR_CONTRACT_SHOW=1`` prints each scenario's actual calls as an ``expect:`` block.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import harness  # noqa: E402  pylint: disable=wrong-import-position

MODULES = ('setup', 'win_powershell', 'win_service_info', 'win_service', 'win_package', 'win_stat', 'win_get_url')
STANDIN = os.path.join(HERE, 'standin_services.py')
PLAYBOOK = 'playbooks/post_failover.yml'
SCENARIOS = sorted(glob.glob(os.path.join(HERE, 'scenarios', '*.yml')))
ROLE = os.path.join(harness.ROOT, 'roles', 'azure_guest_agent')
WINDOWS_FACTS = {
    'ansible_os_family': 'Windows',
    'ansible_distribution': 'Microsoft Windows Server 2022 Datacenter',
    'ansible_distribution_version': '10.0.20348.0',
    'ansible_distribution_major_version': '10',
    'ansible_architecture': '64-bit',
    'ansible_system': 'Win32NT',
}


def role_scripts():
    """{script text: '@role:<variable>'} for the role's PowerShell variables."""
    with open(os.path.join(ROLE, 'vars', 'main.yml')) as handle:
        data = yaml.safe_load(handle)
    return dict((v, '@role:' + k) for k, v in data.items() if k.endswith('_script'))


def stand_in_tree(workdir):
    """The harness's layout, every module of the role answered by standin_services.py."""
    modules = os.path.join(workdir, 'collections', 'ansible_collections', 'ansible', 'windows', 'plugins', 'modules')
    os.makedirs(modules)
    for name in MODULES:
        with open(os.path.join(modules, name + '.py'), 'w') as handle:
            handle.write(harness.STUB % {'name': name, 'standin': STANDIN})
    asr = os.path.join(workdir, 'collections', 'ansible_collections', 'asr')
    os.makedirs(asr)
    os.symlink(harness.ROOT, os.path.join(asr, 'mobility'))


def load(path):
    scenario = harness.load_scenario(path)
    host = scenario.setdefault('host', {})
    host['facts'] = dict(WINDOWS_FACTS, **(host.get('facts') or {}))
    extra = scenario.setdefault('extra_vars', {})
    # The summary play writes the rows where the harness reads the "outcome".
    extra.setdefault('asr_post_failover_summary_file', "{{ lookup('ansible.builtin.env', 'ASR_CONTRACT_RESULT') }}")
    return scenario


def run(scenario, workdir):
    stand_in_tree(workdir)
    result = harness.run(scenario, PLAYBOOK, workdir)
    scripts = role_scripts()
    for call in result['calls']:
        if call['args'].get('script') in scripts:
            call['args']['script'] = scripts[call['args']['script']]
    return result


@pytest.fixture(scope='module')
def real_docs():
    return harness.module_docs(['ansible.windows.%s' % name for name in MODULES if name != 'setup'])


@pytest.mark.parametrize('scenario_path', SCENARIOS, ids=[os.path.basename(p)[:-4] for p in SCENARIOS])
def test_contract(scenario_path, tmp_path, real_docs):
    scenario = load(scenario_path)
    result = run(scenario, str(tmp_path))
    output = result['output']
    assert result['rc'] == scenario.get('rc', 0), output[-6000:]

    if os.environ.get('ASR_CONTRACT_SHOW'):
        print('\n# %s\n%s' % (scenario['name'], harness.to_yaml(result['calls'])))
    if result['calls'] != scenario['expect']:
        pytest.fail('%s: the ansible.windows calls differ from the scenario.\nActual:\n%s\nOutput tail:\n%s'
                    % (scenario['name'], harness.to_yaml(result['calls']), output[-3000:]))

    real_calls = [c for c in result['raw'] if c['module'] != 'ansible.windows.setup']
    assert harness.invalid_arguments(real_calls, real_docs) == []

    rows = [r for r in result['outcome'] or [] if r.get('host') == 'win1']
    assert len(rows) == 1, output[-3000:]
    row = rows[0]
    expected = dict(scenario.get('outcome') or {})
    for text in expected.pop('failure_reason_contains', []):
        assert text in row['failure_reason'], row
    for key, value in expected.items():
        assert row.get(key) == value, (key, row)

    final = scenario.get('final') or {}
    for key in ('services', 'products'):
        if key in final:
            assert result['host'][key] == final[key], key


def test_every_required_case_has_a_scenario():
    names = set(os.path.basename(p)[:-4] for p in SCENARIOS)
    assert {'running', 'stopped_disabled', 'missing_with_msi', 'missing_without_msi'} <= names
