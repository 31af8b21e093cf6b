# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Playbook-level contract for Windows hosts: per scenario, the exact ansible.windows calls.

Each ``scenarios/*.yml`` runs against each playbook under test (``ASR_CONTRACT_PLAYBOOKS``,
comma-separated, relative to the repository root; default: ``tests/contract/playbooks/windows_branch.yml``
and ``playbooks/deploy_mobility.yml``). For every run:

* the playbook succeeds (or fails with the scenario's ``rc``), and its output holds each of the
  scenario's ``output_contains`` texts (refusals, warnings);
* the normalized calls equal the scenario's ``expect`` exactly (order, module, arguments, no_log): the
  role's full path. Through a playbook that runs the role's fast path first (``FAST_PATH_PLAYBOOKS``),
  the fast path's one read (``SNAPSHOT_CALL``, or the scenario's ``fast_path_expect``) comes first, and
  the full path's calls follow unchanged unless the scenario says ``fast_path_converged: true``;
* every call's arguments are valid for the REAL ansible.windows module (its documented options);
* no secret of the scenario reaches a call that is not no_log, the playbook output or the host's
  files after the run;
* the scenario's ``final`` facts about the fake host hold, and the host's ``mobility_service_result``
  matches the scenario's ``outcome`` (playbooks that hand it over: windows_branch.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os

import pytest

import harness

SCENARIOS = sorted(glob.glob(os.path.join(harness.HERE, 'scenarios', '*.yml')))
DEFAULT_PLAYBOOKS = ['tests/contract/playbooks/windows_branch.yml', 'playbooks/deploy_mobility.yml']
PLAYBOOKS = [p.strip() for p in os.environ.get('ASR_CONTRACT_PLAYBOOKS', ','.join(DEFAULT_PLAYBOOKS)).split(',')
             if p.strip() and os.path.exists(os.path.join(harness.ROOT, p.strip()))]
# Playbooks whose role runs its fast path first (windows_branch.yml turns it off: the full path alone).
FAST_PATH_PLAYBOOKS = ('playbooks/deploy_mobility.yml',)
# The Windows fast path's one call (issue 16): plugin_utils/windows_snapshot.py READ_SNAPSHOT_PS, reviewed by hand.
SNAPSHOT_CALL = {
    'module': 'ansible.windows.win_powershell',
    'args': {
        'error_action': 'stop',
        'parameters': {
            'DefaultAgentDir': 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent',
            'DrscoutRelative': 'Application Data\\etc\\drscout.conf',
            'Keys': [
                'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{275197FC-14FD-4560-A5EB-38217F80CBD1}',
                'HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\'
                '{275197FC-14FD-4560-A5EB-38217F80CBD1}',
                'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products\\5',
                'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products',
                'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths',
                'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender',
            ],
            'ProductKey': 'HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products\\5',
        },
        'script': '@ps:READ_SNAPSHOT_PS',
    },
}


def expected_calls(scenario, playbook):
    """The scenario's calls through ``playbook``: the full path's ``expect``, after the fast path's read
    when the playbook runs the fast path (none at all after it when the fast path finds the host converged)."""
    if playbook not in FAST_PATH_PLAYBOOKS:
        return scenario['expect']
    fast = scenario.get('fast_path_expect', [SNAPSHOT_CALL])
    return list(fast) + ([] if scenario.get('fast_path_converged') else list(scenario['expect']))


@pytest.fixture(scope='session')
def real_docs():
    modules = ['ansible.windows.%s' % name for name in harness.STANDIN_MODULES]
    return harness.module_docs(modules)


@pytest.fixture(scope='session')
def oldest_docs():
    """The documented options of the OLDEST ansible.windows galaxy.yml allows: a call valid only on newer
    releases (win_powershell sensitive_parameters needs 2.4, and 2.5 on PowerShell 5) fails here."""
    minimum = harness.minimum_windows_version()
    if not os.path.exists(os.path.join(harness.OLDEST_BIN, 'ansible-doc')):
        pytest.skip('no controller environment with the oldest ansible at %s (make venv216 builds it)'
                    % harness.OLDEST_BIN)
    found = harness.windows_collection_version(harness.OLDEST_BIN)
    assert found == minimum, ('galaxy.yml allows ansible.windows >= %s but the oldest environment (%s) has %s: '
                              'test against the documentation of the oldest allowed version'
                              % (minimum, harness.OLDEST_BIN, found))
    modules = ['ansible.windows.%s' % name for name in harness.STANDIN_MODULES]
    return harness.module_docs(modules, harness.OLDEST_BIN)


def test_galaxy_requires_an_ansible_windows_with_working_sensitive_parameters():
    """win_powershell sensitive_parameters: 2.4.0, working on PowerShell 5 from 2.5.0 (reference §7 [R2])."""
    minimum = tuple(int(p) for p in harness.minimum_windows_version().split('.'))
    assert minimum >= (2, 5, 0)


@pytest.mark.parametrize('scenario_path', SCENARIOS, ids=[os.path.basename(p)[:-4] for p in SCENARIOS])
def test_calls_are_valid_for_the_oldest_allowed_ansible_windows(scenario_path, tmp_path, oldest_docs):
    scenario = harness.load_scenario(scenario_path)
    raw = [{'module': call['module'], 'args': call['args']} for call in _expected_raw(scenario)]
    raw.append({'module': SNAPSHOT_CALL['module'], 'args': dict(SNAPSHOT_CALL['args'], script='$Ansible.Result = 1')})
    assert harness.invalid_arguments(raw, oldest_docs) == []


def _expected_raw(scenario):
    """The scenario's expected calls with placeholders filled back in (the options are what matter)."""
    return json.loads(json.dumps(scenario['expect']).replace('{work}', '/tmp/work'))


def _contains(obj, secret):
    if isinstance(obj, dict):
        return any(_contains(k, secret) or _contains(v, secret) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_contains(v, secret) for v in obj)
    return isinstance(obj, str) and secret in obj


@pytest.mark.parametrize('playbook', PLAYBOOKS)
@pytest.mark.parametrize('scenario_path', SCENARIOS, ids=[os.path.basename(p)[:-4] for p in SCENARIOS])
def test_contract(scenario_path, playbook, tmp_path, real_docs):
    scenario = harness.load_scenario(scenario_path)
    result = harness.run(scenario, playbook, str(tmp_path))
    output = result['output']
    assert result['rc'] == scenario.get('rc', 0), output[-6000:]
    for text in scenario.get('output_contains') or []:
        assert text in output, (text, output[-6000:])

    actual = result['calls']
    if actual != expected_calls(scenario, playbook):
        pytest.fail('%s via %s: the ansible.windows calls differ from the scenario.\nActual:\n%s\nOutput tail:\n%s'
                    % (scenario['name'], playbook, harness.to_yaml(actual), output[-3000:]))

    assert harness.invalid_arguments(result['raw'], real_docs) == []

    for secret in scenario.get('secrets') or []:
        for call in result['raw']:
            if _contains(call['args'], secret):
                assert call['no_log'], 'secret sent in a call without no_log: %s' % call['module']
                assert call['module'] == 'ansible.windows.win_powershell'
                assert [p.get('value') for p in call['args'].get('sensitive_parameters') or []] == [secret]
        assert secret not in output
    assert [path for path, info in result['host']['files'].items() if info.get('secret')] == []

    final = scenario.get('final') or {}
    registry = result['host']['registry']
    for key, values in (final.get('registry') or {}).items():
        for name, value in values.items():
            assert registry.get(key, {}).get(name) == value, (key, name)
    for key in final.get('registry_absent') or []:
        assert key not in registry
    for path in final.get('files_present') or []:
        assert path in result['host']['files'], path
    for prefix in final.get('files_absent_prefix') or []:
        assert [p for p in result['host']['files'] if p.startswith(prefix)] == [], prefix
    for path in final.get('admin_only_dirs') or []:  # win_acl + win_acl_inheritance (role, prepare.yml)
        entry = result['host']['files'].get(path + '\\') or {}
        assert entry.get('inherit') is False, (path, entry)
        assert sorted(entry.get('acl') or []) == ['S-1-5-18:allow:FullControl', 'S-1-5-32-544:allow:FullControl']
    for text in final.get('commands_not_run') or []:
        assert [c for c in result['raw'] if c['module'] == 'ansible.windows.win_command'
                and text in (c['args'].get('cmd') or '')] == [], text
    if 'defender_paths' in final:
        assert result['host']['defender']['paths'] == final['defender_paths']
    if result['outcome'] is not None:
        for key, value in (scenario.get('outcome') or {}).items():
            assert result['outcome'].get(key) == value, (key, result['outcome'])


def test_linux_host_runs_the_linux_module(tmp_path):
    """asr_mobility_os_family=Debian: the real Linux module runs (module_defaults applied, check mode);
    not one ansible.windows call is made."""
    scenario = {'name': 'linux', 'os_family': 'Debian', 'host': {}}
    result = harness.run(scenario, 'tests/contract/playbooks/linux_dispatch.yml', str(tmp_path))
    assert result['rc'] == 0, result['output'][-4000:]
    assert result['raw'] == []


def test_harness_reports_a_wrong_sequence(tmp_path):
    """The comparison is exact: a scenario whose expectation misses one call does not match."""
    scenario = harness.load_scenario(os.path.join(harness.HERE, 'scenarios', 'converged.yml'))
    result = harness.run(scenario, DEFAULT_PLAYBOOKS[0], str(tmp_path))
    assert result['calls'] == scenario['expect']
    assert result['calls'][:-1] != scenario['expect']
    tampered = json.loads(json.dumps(scenario['expect']))
    tampered[1]['args']['path'] = tampered[1]['args']['path'].replace('Uninstall', 'Uninstal')
    assert result['calls'] != tampered


def test_two_runs_on_one_windows_host_never_act_at_once(tmp_path):
    """Issue 15: two plays on one Windows host. Run A takes the host lock and is held inside the
    installer; run B (lock_timeout 1) fails naming A's run and runs no vendor program; A then
    finishes, registers and gives the lock back."""
    import subprocess
    import time
    scenario = harness.load_scenario(os.path.join(harness.HERE, 'scenarios', 'fresh_classic.yml'))
    release = str(tmp_path / 'release-run-a')
    for rule in scenario['host']['commands']:
        if 'UnifiedAgent' in rule['match'] and 'Configurator' not in rule['match']:
            rule['hold_until'] = release
    paths = harness.prepare(scenario, str(tmp_path))
    playbook = os.path.join(harness.ROOT, DEFAULT_PLAYBOOKS[0])

    def start(name, extra_vars):
        env = dict(paths['env'], ASR_CONTRACT_LOG=str(tmp_path / ('calls-%s.jsonl' % name)),
                   ASR_CONTRACT_RESULT=str(tmp_path / ('result-%s.json' % name)))
        open(env['ASR_CONTRACT_LOG'], 'w').close()
        argv = [os.path.join(harness.bin_dir(), 'ansible-playbook'), '-i', paths['inventory'], playbook,
                '-e', '@' + paths['extra']] + (['-e', json.dumps(extra_vars)] if extra_vars else [])
        return subprocess.Popen(argv, cwd=harness.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True)

    def lock_owner():
        for attempt in range(50):  # noqa: B007 the stand-in may be rewriting the file
            try:
                with open(paths['state']) as handle:
                    files = json.load(handle).get('files') or {}
                return (files.get('C:\\ProgramData\\asr-mobility\\agent.lock') or {}).get('content')
            except ValueError:
                time.sleep(0.1)
        raise AssertionError('the stand-in state file %s stays unreadable' % paths['state'])

    run_a = start('a', None)
    try:
        deadline = time.time() + 300
        while lock_owner() is None and run_a.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        owner = lock_owner()
        assert owner, 'run A never took the host lock:\n%s' % (run_a.poll() is not None and run_a.stdout.read())
        run_b = start('b', {'mobility_service_lock_timeout': 1})
        output_b = run_b.communicate(timeout=600)[0]
    finally:
        open(release, 'w').close()
    output_a = run_a.communicate(timeout=600)[0]

    assert run_a.returncode == 0, output_a[-6000:]
    assert run_b.returncode != 0, output_b[-6000:]
    for text in ('Another asr.mobility run', 'C:\\\\ProgramData\\\\asr-mobility\\\\agent.lock',
                 json.loads(owner)['run_id'], 'Nothing was run', 'lock_timeout'):
        assert text in output_b, (text, output_b[-6000:])
    with open(str(tmp_path / 'calls-b.jsonl')) as handle:
        calls_b = [json.loads(line) for line in handle if line.strip()]
    assert [c['args']['cmd'] for c in calls_b if c['module'] == 'ansible.windows.win_command'] == []
    assert not any('WRITE_SECRET' in str(c['args'].get('script')) or 'SecureString' in str(c['args'].get('script'))
                   for c in calls_b)
    with open(str(tmp_path / 'calls-a.jsonl')) as handle:
        commands_a = [c['args']['cmd'] for c in (json.loads(line) for line in handle if line.strip())
                      if c['module'] == 'ansible.windows.win_command']
    assert any('UnifiedAgent.exe" /Role' in c for c in commands_a)
    assert any('UnifiedAgentConfigurator.exe' in c for c in commands_a)
    assert lock_owner() is None  # given back
    for secret in scenario['secrets']:
        assert secret not in output_a and secret not in output_b


# --- issue 16: the converged Windows rerun in at most two module calls ---------------------------------

def _comparable(host):
    """The fake host after a run without the host lock's owners (a run id, pid and time each run)."""
    return dict((k, v) for k, v in host.items() if k != 'lock_owners')


def _converged_scenario():
    return harness.load_scenario(os.path.join(harness.HERE, 'scenarios', 'converged.yml'))


def test_a_converged_windows_rerun_costs_at_most_two_calls_and_changes_nothing(tmp_path):
    """The converged host through playbooks/deploy_mobility.yml: one read (state, Defender exclusions and
    the decision's inputs in one win_powershell call), no facts, nothing changed on the host."""
    scenario = _converged_scenario()
    before = harness.prepare(scenario, str(tmp_path / 'before'))
    with open(before['state']) as handle:
        host_before = json.load(handle)
    result = harness.run(scenario, 'playbooks/deploy_mobility.yml', str(tmp_path / 'run'))
    assert result['rc'] == 0, result['output'][-4000:]
    assert len(result['raw']) <= 2, harness.to_yaml(result['calls'])
    assert result['calls'] == [SNAPSHOT_CALL]
    assert [c for c in result['raw'] if c['check_mode']] == []          # a read that really runs
    # nothing changed (the stand-in adds its empty defaults to the state file it reads)
    defaults = {'registry': {}, 'files': {}, 'logs': {}, 'commands': [], 'powershell': [], 'facts': {}, 'defender': None}
    assert result['host'] == dict(defaults, **host_before)
    assert '1 unchanged, 0 failed' in result['output']


def test_the_fast_path_record_is_the_full_path_record(tmp_path):
    """mobility_service_result of the converged host: the fast path's answer has every key and value the
    full path's "Record the outcome" gives (defender_exclusions, os_token, versions, installer ...)."""
    scenario = _converged_scenario()
    full = harness.run(scenario, DEFAULT_PLAYBOOKS[0], str(tmp_path / 'full'))
    scenario['extra_vars']['mobility_service_fast_path'] = True
    fast = harness.run(scenario, DEFAULT_PLAYBOOKS[0], str(tmp_path / 'fast'))
    assert full['rc'] == 0 and fast['rc'] == 0, fast['output'][-4000:]
    assert full['calls'] == scenario['expect']
    assert [c['module'] for c in fast['calls']] == ['ansible.windows.setup', SNAPSHOT_CALL['module']]
    assert fast['outcome']['converged'] is True
    assert dict((k, fast['outcome'].get(k)) for k in full['outcome']) == full['outcome']
    assert full['outcome']['defender_exclusions'] == scenario['host']['defender']['paths']


@pytest.mark.parametrize('change', ['missing_exclusion', 'outdated_agent', 'policy_hides_exclusions'])
def test_a_windows_host_that_is_not_converged_takes_the_full_path_as_before(change, tmp_path):
    """Not converged (a Defender exclusion missing, an older agent, exclusions Defender hides): after the fast
    path's one read, deploy_mobility.yml makes exactly the full path's calls (windows_branch.yml, fast path off)
    and the host ends as the full path leaves it."""
    scenario = _converged_scenario()
    scenario.pop('fast_path_converged')
    if change == 'missing_exclusion':
        scenario['host']['defender']['paths'] = scenario['host']['defender']['paths'][:1]
    elif change == 'outdated_agent':
        scenario = harness.load_scenario(os.path.join(harness.HERE, 'scenarios', 'upgrade.yml'))
    else:
        scenario['host']['defender']['hidden'] = True
    full = harness.run(scenario, DEFAULT_PLAYBOOKS[0], str(tmp_path / 'full'))
    deploy = harness.run(scenario, 'playbooks/deploy_mobility.yml', str(tmp_path / 'deploy'))
    assert deploy['calls'][0] == SNAPSHOT_CALL
    assert deploy['calls'][1:] == full['calls'], harness.to_yaml(deploy['calls'])
    assert _comparable(deploy['host']) == _comparable(full['host'])
    assert deploy['rc'] == full['rc']
    assert deploy['rc'] == 0, deploy['output'][-4000:]
    if change == 'missing_exclusion':
        assert deploy['host']['defender']['paths'] == _converged_scenario()['host']['defender']['paths']
        assert {'script': '@ps:CHANGE_PREFERENCE_PS', 'parameters': {
            'Paths': ['C:\\Program Files (x86)\\Microsoft Azure Site Recovery'], 'Action': 'add'},
            'error_action': 'stop'} in [c['args'] for c in deploy['calls']]
