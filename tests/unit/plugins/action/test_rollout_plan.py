# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asr.mobility.rollout_plan: the converged fast path says "nothing to do" only when it is sure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.server
import threading

import pytest

from ansible_collections.asr.mobility.plugins.action import rollout_plan
from ansible_collections.asr.mobility.plugins.action.rollout_plan import ActionModule, input_problem

from asr_windows_double import make_action

OLD = 'Microsoft-ASR_UA_9.65.7411.1_DEBIAN12-64_GA_20Jul2025_release.tar.gz'
NEW = 'Microsoft-ASR_UA_9.66.7567.1_DEBIAN12-64_GA_20Sep2025_release.tar.gz'
OTHER = 'Microsoft-ASR_UA_9.67.1.1_RHEL8-64_GA_20Oct2025_release.tar.gz'
FACTS = {'ansible_facts': {'os_family': 'Debian', 'distribution': 'Debian', 'distribution_version': '12.5',
                           'architecture': 'x86_64'}, 'inventory_hostname': 'h1'}
SECRET = 'S3cret-pass'


def base_args(tmp_path, **over):
    args = dict(state='present', control_plane='classic', cs_address='10.0.0.2', passphrase=SECRET,
                installer_source='controller', installer_dir=str(tmp_path))
    args.update(over)
    return args


def converged_plan(version='9.66.7567.0', **over):
    plan = {'changed': False, 'actions': [], 'installer_needed': False, 'os_token': 'DEBIAN12-64',
            'version_before': version, 'version_after': version, 'registered': True,
            'invocation': {'module_args': {'passphrase': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}}}
    plan.update(over)
    return plan


def run(args, plans, task_vars=None, shell='sh', check_mode=False):
    action = make_action(ActionModule, args, None, shell_family=shell, check_mode=check_mode)
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append({'module': module_name, 'args': module_args, 'check_mode': action._task.check_mode})
        return plans.pop(0)

    action._execute_module = execute
    result = action.run(task_vars=dict(task_vars or FACTS))
    return result, calls


@pytest.fixture
def installers(tmp_path):
    for name in (OLD, NEW, OTHER, 'SHA256SUMS', 'README'):
        (tmp_path / name).write_text('x')
    return tmp_path


def test_converged_host_one_round_trip_and_the_record(installers):
    result, calls = run(base_args(installers), [converged_plan()])
    assert result['converged'] is True and result['changed'] is False
    assert len(calls) == 1 and calls[0]['module'] == 'asr.mobility.agent'
    assert calls[0]['check_mode'] is True                     # forced, whatever the task says
    assert calls[0]['args']['installer'] == '/var/lib/asr-mobility/' + NEW
    assert calls[0]['args']['passphrase'] == SECRET
    assert 'version' not in calls[0]['args']                  # present, no pin: no version
    record = {
        'host': 'h1', 'os_token': 'DEBIAN12-64', 'installer': NEW, 'version_before': '9.66.7567.0',
        'version_after': '9.66.7567.0', 'actions': [], 'changed': False, 'registered': True,
        'reboot_required': False, 'rebooted': False, 'checksum_verified': False, 'failed': False,
        'failure_reason': ''}
    # the role registers this result as mobility_service_result: the record is at the top
    assert dict((k, result[k]) for k in record) == record
    assert 'invocation' not in result['plan']


def test_latest_pins_the_newest_installer(installers):
    dummy, calls = run(base_args(installers, state='latest'), [converged_plan()])
    assert calls[0]['args']['version'] == '9.66.7567.1'


def test_a_pin_is_passed_and_chooses_that_installer(installers):
    result, calls = run(base_args(installers, version='9.65'), [converged_plan('9.65.7411.0')])
    assert calls[0]['args']['version'] == '9.65'
    assert result['installer'] == OLD


@pytest.mark.parametrize('plan, reason', [
    (converged_plan(actions=[{'action': 'upgrade', 'reason': 'x'}]), 'planned: upgrade'),
    (converged_plan(installer_needed=True), 'planned: an installer'),
    (converged_plan(failed=True, msg='refused'), 'decision failed: refused'),
    (converged_plan(os_token='DEBIAN11-64'), 'the host reads token DEBIAN11-64'),
])
def test_anything_to_do_takes_the_full_path(installers, plan, reason):
    result, dummy = run(base_args(installers), [plan])
    assert result['converged'] is False
    assert reason in result['reason']
    assert 'host' not in result          # not a record: summary_rows says so


@pytest.mark.parametrize('over, reason', [
    ({'control_plane': ''}, 'control_plane'),
    ({'cs_address': ''}, 'classic registration'),
    # no passphrase / config.json is not a bad input any more: asked only when a registration is planned
    ({'installer_dir': ''}, 'installer_dir not set'),
    ({'state': 'installed'}, "state 'installed'"),
    ({'reboot': 'always'}, "reboot 'always'"),
    ({'installer_source': 'ftp'}, "installer_source 'ftp'"),
])
def test_bad_inputs_take_the_full_path_without_touching_the_host(installers, over, reason):
    result, calls = run(base_args(installers, **over), [])
    assert result['converged'] is False and reason in result['reason']
    assert calls == []


def test_unsupported_os_and_windows_take_the_full_path(installers):
    facts = {'ansible_facts': {'os_family': 'Debian', 'distribution': 'Debian', 'distribution_version': '12',
                               'architecture': 'i386'}}
    result, calls = run(base_args(installers), [], task_vars=facts)
    assert result['converged'] is False and 'unsupported OS' in result['reason'] and calls == []
    # Windows: the one read fails (here: the script), so the full path reads the host itself
    result, calls = run(base_args(installers), [{'failed': True, 'msg': 'Access is denied'}],
                        task_vars={'ansible_facts': {'os_family': 'Windows'}})
    assert result['converged'] is False and [c['module'] for c in calls] == ['ansible.windows.win_powershell']
    assert result['reason'] == 'Windows host (os_family fact): the snapshot script failed: Access is denied'


def test_latest_without_an_installer_takes_the_full_path(tmp_path):
    (tmp_path / OTHER).write_text('x')
    result, calls = run(base_args(tmp_path, state='latest'), [])
    assert result['converged'] is False and 'no installer for token DEBIAN12-64' in result['reason']
    assert calls == []


def test_present_without_an_installer_still_decides(tmp_path):
    result, calls = run(base_args(tmp_path), [converged_plan()])
    assert result['converged'] is True and 'installer' not in calls[0]['args']


def test_absent_needs_no_inputs_and_no_installer(tmp_path):
    plan = converged_plan(None, registered=False)
    result, calls = run({'state': 'absent'}, [plan])
    assert result['converged'] is True
    assert calls[0]['args']['state'] == 'absent' and 'installer' not in calls[0]['args']


def test_host_source_lists_the_host_only_for_latest():
    args = dict(state='latest', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='host', installer_host_dir='/srv/asr', checksums={NEW: 'd' * 64})
    listing = {'files': [{'path': '/srv/asr/' + OLD}, {'path': '/srv/asr/' + NEW}]}
    result, calls = run(args, [listing, converged_plan()])
    assert [c['module'] for c in calls] == ['ansible.builtin.find', 'asr.mobility.agent']
    assert calls[1]['args']['installer'] == '/srv/asr/' + NEW and 'work_dir' not in calls[1]['args']
    assert result['converged'] is True
    dummy, calls = run(dict(args, state='present'), [converged_plan()])
    assert [c['module'] for c in calls] == ['asr.mobility.agent']


class Sums(http.server.BaseHTTPRequestHandler):
    served = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Sums.served.append(self.path)
        if self.path != '/asr/SHA256SUMS':
            self.send_error(404)
            return
        body = ('%s  %s\n%s  %s\n' % ('a' * 64, OLD, 'b' * 64, NEW)).encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    server = http.server.HTTPServer(('127.0.0.1', 0), Sums)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_port
    server.shutdown()


def test_url_source_reads_the_mirror_checksum_file(mirror):
    args = dict(state='latest', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url=mirror + '/asr/', allow_insecure_http=True)
    result, calls = run(args, [converged_plan()])
    assert result['converged'] is True and calls[0]['args']['version'] == '9.66.7567.1'
    assert any('plain http://' in w and 'allow_insecure_http=true' in w for w in result['warnings'])
    assert calls[0]['args']['work_dir'] == '/var/lib/asr-mobility'
    result, calls = run(dict(args, installer_url=mirror + '/gone'), [])
    assert result['converged'] is False and 'cannot read' in result['reason'] and calls == []


def test_the_secret_is_not_in_the_result(installers):
    result, dummy = run(base_args(installers), [converged_plan()])
    assert SECRET not in repr(result)


def test_task_check_mode_is_restored(installers):
    action = make_action(ActionModule, base_args(installers), None, shell_family='sh', check_mode=False)
    action._execute_module = lambda **kw: converged_plan()
    action.run(task_vars=dict(FACTS))
    assert action._task.check_mode is False


def test_input_problem_matches_the_role_defaults():
    assert input_problem({'state': 'absent', 'reboot': 'never', 'installer_source': 'controller'}) is None
    assert rollout_plan.STATES == ('present', 'latest', 'absent')


def test_summary_rows_take_only_records():
    from ansible_collections.asr.mobility.plugins.filter.mobility import summary_rows
    hostvars = {
        'conv': {'mobility_service_result': {'host': 'conv', 'os_token': 'DEBIAN12-64', 'failed': False}},
        'skip': {'mobility_service_result': {'skipped': True, 'changed': False}},
        'unreach': {'mobility_service_result': {'unreachable': True, 'msg': 'ssh: gone'}},
        'none': {},
    }
    rows = dict((r['host'], r) for r in summary_rows(hostvars, ['conv', 'skip', 'unreach', 'none']))
    assert rows['conv']['failed'] is False
    for host in ('skip', 'unreach', 'none'):
        assert rows[host]['failed'] is True and 'no result' in rows[host]['failure_reason']


# --- mode=choose: the role's full path asks the same code which installer, in the role's words ------

def test_choose_returns_token_installer_and_sha256_without_a_host_call(installers):
    (installers / 'SHA256SUMS').write_text('%s  %s\n%s  %s\n' % ('a' * 64, OLD, 'B' * 64, NEW))
    result, calls = run(base_args(installers, mode='choose'), [])
    assert calls == [] and not result.get('failed')
    assert result['os']['token'] == 'DEBIAN12-64' and result['os_family'] == 'linux'
    assert result['installer']['name'] == NEW and result['installer_sha256'] == 'b' * 64
    assert SECRET not in repr(result)


def test_choose_prefers_the_checksums_variable(installers):
    result, dummy = run(base_args(installers, mode='choose', checksums={NEW: 'c' * 64}), [])
    assert result['installer_sha256'] == 'c' * 64


def test_choose_without_an_installer_is_not_a_failure_for_present(tmp_path):
    result, dummy = run(base_args(tmp_path, mode='choose'), [])
    assert not result.get('failed') and 'no installer for token DEBIAN12-64' in result['installer']['error']
    assert result['installer_sha256'] == ''


# The role's messages, word for word as tasks/inputs.yml and tasks/choose.yml had them.
@pytest.mark.parametrize('over, task_vars, message', [
    ({'state': 'installed'}, FACTS,
     'mobility_service_state must be present, latest or absent; mobility_service_reboot never or if_required; '
     'mobility_service_installer_source controller, url or host.'),
    ({'control_plane': ''}, FACTS,
     "mobility_service_control_plane must be classic or modernized (there is no silent default; classic is "
     "unsupported by Microsoft from March 2026), got ''. Nothing was changed."),
    ({'passphrase': '', 'cs_address': ''}, FACTS,
     'Classic registration needs mobility_service_cs_address (the configuration server the agent must be '
     'registered with). Nothing was changed.'),
    ({'installer_source': 'url'}, FACTS,
     'mobility_service_installer_source=url needs mobility_service_installer_url. Nothing was changed.'),
    ({'installer_source': 'host', 'installer_host_dir': '/srv'}, {'ansible_facts': {'os_family': 'Windows'}},
     'mobility_service_installer_source=host is supported on Linux hosts only; use controller or url for Windows '
     'hosts. Nothing was changed.'),
    ({}, {'ansible_facts': {'os_family': 'Debian', 'distribution': 'Debian', 'distribution_version': '12',
                            'architecture': 'i386'}},
     'Unsupported operating system: '),
    ({'state': 'latest', 'installer_dir': '/nonexistent'}, FACTS,
     'no installer for token DEBIAN12-64'),
])
def test_choose_fails_with_the_role_message(installers, over, task_vars, message):
    result, calls = run(base_args(installers, mode='choose', **over), [], task_vars=task_vars)
    assert result['failed'] is True and calls == []
    assert message in result['msg'] and result['msg'].endswith(('Nothing was changed.', 'url or host.'))


def test_choose_absent_needs_no_inputs_and_no_installer():
    result, calls = run({'state': 'absent', 'mode': 'choose'}, [])
    assert not result.get('failed') and result['installer'] == {} and calls == []


def test_choose_host_source_unverified_lists_and_reads_the_sums_on_the_host():
    """Only with verification off does the host's own checksum file count (it sits beside what it vouches for)."""
    import base64
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='host', installer_host_dir='/srv/asr', verify_checksum=False)
    listing = {'files': [{'path': '/srv/asr/' + OLD}, {'path': '/srv/asr/' + NEW}]}
    sums = {'content': base64.b64encode(('%s  %s\n' % ('d' * 64, NEW)).encode()).decode()}
    result, calls = run(args, [listing, sums])
    assert [c['module'] for c in calls] == ['ansible.builtin.find', 'ansible.builtin.slurp']
    assert all(c['check_mode'] for c in calls)
    assert calls[1]['args'] == {'src': '/srv/asr/SHA256SUMS'}
    assert result['installer']['name'] == NEW and result['installer_sha256'] == 'd' * 64


def test_choose_url_source_cannot_read_the_mirror(mirror):
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url=mirror + '/gone', allow_insecure_http=True)
    result, dummy = run(args, [])
    assert result['failed'] is True and 'cannot read %s/gone/SHA256SUMS' % mirror in result['msg']


# --- Windows hosts: one read, then the full path's own decision (issues 11, 16) ----------------------

WIN_NEW = 'Microsoft-ASR_UA_9.66.7567.1_Windows_GA_20Sep2025_release.exe'
WIN_NEWER = 'Microsoft-ASR_UA_9.67.7600.1_Windows_GA_20Nov2025_release.exe'
WIN_FACTS = {'ansible_facts': {'os_family': 'Windows', 'distribution': 'Microsoft Windows Server 2019 Datacenter',
                               'distribution_version': '10.0.17763.0', 'architecture2': 'x86_64'},
             'inventory_hostname': 'w1'}
EXCLUSIONS = ['C:\\ProgramData\\ASR\\agent', 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery']
WIN_ARGS = dict(antivirus_exclusions=True, exclusion_paths=EXCLUSIONS)


def run_windows(args, registry, defender=None, logs=None, facts=None, task_vars=None):
    from asr_windows_double import DRSCOUT, FakeWindowsHost, drscout
    host = FakeWindowsHost(registry=registry, logs={DRSCOUT: drscout(hostname='10.0.0.2')} if logs is None else logs,
                           facts=facts,
                           defender={'paths': list(EXCLUSIONS)} if defender is None else defender)
    action = make_action(ActionModule, args, host, shell_family='powershell')
    result = action.run(task_vars=dict(WIN_FACTS if task_vars is None else task_vars))
    return result, host


def converged_windows(tmp_path, **over):
    from asr_windows_double import installed_registry
    (tmp_path / WIN_NEW).write_text(u'x')
    return run_windows(dict(base_args(tmp_path), **WIN_ARGS),
                       installed_registry(version='9.66.0.0', config='Succeeded'), **over)


def test_a_converged_windows_host_costs_one_read_and_gives_the_full_paths_record(tmp_path):
    result, host = converged_windows(tmp_path, task_vars={'inventory_hostname': 'w1'})  # no facts: none needed
    assert result['converged'] is True and result['reason'] == 'nothing to do' and result['changed'] is False
    assert [(c['module'], c['check_mode']) for c in host.calls] == [('ansible.windows.win_powershell', False)]
    record = {
        'host': 'w1', 'os_token': 'Windows', 'installer': WIN_NEW, 'version_before': '9.66.7567.0',
        'version_after': '9.66.7567.0', 'actions': [], 'changed': False, 'registered': True,
        'reboot_required': False, 'rebooted': False, 'checksum_verified': False, 'failed': False,
        'failure_reason': '', 'defender_exclusions': EXCLUSIONS}
    assert dict((k, result[k]) for k in record) == record


def test_the_token_comes_from_the_read_not_from_gathered_facts(tmp_path):
    facts = {'ansible_distribution': 'Microsoft Windows 10 Pro', 'ansible_distribution_version': '10.0.19045.0',
             'ansible_architecture2': 'x86_64'}
    result, host = converged_windows(tmp_path, facts=facts)  # WIN_FACTS say Server 2019: not believed
    assert result['converged'] is False and result['reason'].startswith('unsupported OS: Microsoft Windows 10 Pro')


@pytest.mark.parametrize('defender, reason', [
    ({'paths': EXCLUSIONS[:1]}, 'Defender exclusions: add C:\\Program Files (x86)\\Microsoft Azure Site Recovery'),
    ({'paths': ['x'], 'hidden': True}, 'Defender exclusions: add C:\\ProgramData\\ASR\\agent, C:\\Program Files'),
    ({'service': False}, 'Microsoft Defender is not available'),
])
def test_defender_exclusions_not_as_wanted_take_the_full_path(tmp_path, defender, reason):
    result, host = converged_windows(tmp_path, defender=defender)
    assert result['converged'] is False and reason in result['reason']
    assert len(host.calls) == 1 and host.changing_calls() == []


def test_exclusions_set_by_group_policy_count_and_are_reported(tmp_path):
    from asr_windows_double import installed_registry
    (tmp_path / WIN_NEW).write_text(u'x')
    registry = installed_registry(version='9.66.0.0', config='Succeeded')
    registry['HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths'] = {EXCLUSIONS[1]: '0'}
    result, host = run_windows(dict(base_args(tmp_path), **WIN_ARGS), registry, defender={'paths': EXCLUSIONS[:1]})
    assert result['converged'] is True and result['defender_exclusions'] == EXCLUSIONS[:1]
    assert result['warnings'] == ['Set by Group Policy and already excluded: %s' % EXCLUSIONS[1]]


def test_without_the_exclusions_option_defender_is_not_asked_about(tmp_path):
    from asr_windows_double import installed_registry
    (tmp_path / WIN_NEW).write_text(u'x')
    result, host = run_windows(base_args(tmp_path), installed_registry(version='9.66.0.0', config='Succeeded'),
                               defender={'paths': []})
    assert result['converged'] is True and result['defender_exclusions'] == []


def test_no_exclusion_paths_is_for_the_full_path_to_refuse(tmp_path):
    from asr_windows_double import installed_registry
    (tmp_path / WIN_NEW).write_text(u'x')
    result, host = run_windows(dict(base_args(tmp_path), antivirus_exclusions=True, exclusion_paths=[' ']),
                               installed_registry(version='9.66.0.0', config='Succeeded'))
    assert result['converged'] is False and 'no Defender exclusion paths' in result['reason'] and host.calls == []


def test_an_outdated_windows_agent_names_the_plan(tmp_path):
    (tmp_path / WIN_NEWER).write_text(u'x')
    result, host = converged_windows(tmp_path, task_vars=dict(WIN_FACTS))
    assert result['converged'] is True  # present: an older agent is kept
    from asr_windows_double import installed_registry
    result, host = run_windows(dict(base_args(tmp_path, state='latest'), **WIN_ARGS),
                               installed_registry(version='9.66.0.0', config='Succeeded'))
    assert result['converged'] is False and result['reason'] == 'planned: upgrade'
    assert len(host.calls) == 1 and host.changing_calls() == []


def test_windows_host_with_work_to_do_names_the_plan(tmp_path):
    (tmp_path / WIN_NEW).write_text(u'x')
    result, host = run_windows(dict(base_args(tmp_path), **WIN_ARGS), {}, logs={})
    assert result['converged'] is False
    assert result['reason'] == 'planned: install, register'
    assert len(host.calls) == 1 and host.changing_calls() == []


@pytest.mark.parametrize('paths, converged', [([], True), (EXCLUSIONS[:1], False)])
def test_absent_is_converged_when_the_agent_and_the_exclusions_are_gone(tmp_path, paths, converged):
    result, host = run_windows(dict(state='absent', **WIN_ARGS), {}, logs={}, defender={'paths': paths})
    assert result['converged'] is converged, result['reason']
    if converged:
        assert result['os_token'] == 'Windows' and result['defender_exclusions'] == [] and result['installer'] is None
    else:
        assert result['reason'] == 'Defender exclusions: remove C:\\ProgramData\\ASR\\agent'


def test_a_decision_that_needs_more_than_the_read_is_not_converged(tmp_path):
    """A modernized agent installed but not registered: the lifecycle asks AzureRcmCli.exe for the Agent Config
    Input (and would only warn when it cannot); the one read does not hold it, so the full path decides."""
    from asr_windows_double import DRSCOUT, drscout, installed_registry
    (tmp_path / WIN_NEW).write_text(u'x')
    result, host = run_windows(dict(base_args(tmp_path, control_plane='modernized', register=False, passphrase=''),
                                    **WIN_ARGS),
                               installed_registry(version='9.66.0.0'),
                               logs={DRSCOUT: drscout(cs_type='CSPrime', hostname='0.0.0.0')})
    assert result['converged'] is False
    assert result['reason'].startswith('the decision needs more than the one read: ansible.windows.win_command')
    assert len(host.calls) == 1


# --- per-host modernized configs: inline, dir, appliance (issue 14) ----------------------------------

MODERN = dict(control_plane='modernized', passphrase='', cs_address='')
APPLIANCE_VARS = {'appliance1': {'asr_mobility_os_family': 'Windows'}, 'lin1': {'ansible_connection': 'ssh'}}


def with_hostvars(hostvars):
    task_vars = dict(FACTS)
    task_vars['hostvars'] = hostvars
    return task_vars


def test_dir_source_resolves_this_hosts_file(installers, tmp_path_factory):
    configs = tmp_path_factory.mktemp('configs')
    (configs / 'h1.json').write_text('{"BiosId": "x"}')
    result, calls = run(base_args(installers, mode='choose', config_source='dir', config_dir=str(configs), **MODERN), [])
    assert not result.get('failed'), result
    assert result['config_file'] == str(configs / 'h1.json') and result['config_file_exists'] is True
    assert calls == []


def test_dir_source_map_wins_and_missing_file_is_reported_not_failed(installers, tmp_path_factory):
    configs = tmp_path_factory.mktemp('configs')
    result, dummy = run(base_args(installers, mode='choose', config_source='dir', config_dir=str(configs),
                                  config_files={'h1': 'web01-config.json'}, **MODERN), [])
    assert not result.get('failed'), result
    assert result['config_file'] == str(configs / 'web01-config.json') and result['config_file_exists'] is False


def test_appliance_source_checks_the_appliance_host(installers):
    result, dummy = run(base_args(installers, mode='choose', config_source='appliance', appliance='appliance1',
                                  **MODERN), [], task_vars=with_hostvars(APPLIANCE_VARS))
    assert not result.get('failed'), result
    assert result['appliance'] == 'appliance1'


@pytest.mark.parametrize('over, hostvars, message', [
    ({'config_source': 'file'}, APPLIANCE_VARS, 'mobility_service_config_source must be inline, dir or appliance'),
    ({'config_source': 'dir'}, APPLIANCE_VARS,
     'mobility_service_config_source=dir needs mobility_service_config_dir'),
    ({'config_source': 'appliance'}, APPLIANCE_VARS,
     'mobility_service_config_source=appliance needs mobility_service_appliance'),
    ({'config_source': 'appliance', 'appliance': 'nope'}, APPLIANCE_VARS,
     "The replication appliance 'nope' (mobility_service_appliance) is not in the inventory"),
    ({'config_source': 'appliance', 'appliance': 'lin1'}, APPLIANCE_VARS,
     "The replication appliance 'lin1' is not a Windows host"),
])
def test_config_source_problems_in_the_role_words(installers, over, hostvars, message):
    args = base_args(installers, mode='choose', **MODERN)
    args.update(over)
    result, calls = run(args, [], task_vars=with_hostvars(hostvars))
    assert result['failed'] is True and calls == [], result
    assert message in result['msg'] and result['msg'].endswith('Nothing was changed.')


def test_fast_path_with_appliance_source_leaves_a_registered_host_alone(installers):
    """A registered host needs no config: no generation, no appliance, one round trip."""
    args = base_args(installers, config_source='appliance', appliance='appliance1', **MODERN)
    result, calls = run(args, [converged_plan('9.66.7567.0')], task_vars=with_hostvars(APPLIANCE_VARS))
    assert result['converged'] is True, result
    assert len(calls) == 1 and 'config' not in calls[0]['args']


# --- Installer sources: no untrusted channel vouches for itself (issue 15) -----------------------

def test_plain_http_mirror_without_pinned_checksums_is_refused(mirror):
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url=mirror + '/asr/')
    result, calls = run(args, [])
    assert result['failed'] is True and calls == []
    assert 'plain http://' in result['msg'] and 'mobility_service_checksums' in result['msg']
    result, calls = run(dict(args, mode='fast_path'), [])
    assert result['converged'] is False and result['reason'] == 'inputs: plain http mirror without pinned checksums'


def test_plain_http_mirror_with_pinned_checksums_is_accepted_quietly(mirror):
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url=mirror + '/asr/', checksums={NEW: 'e' * 64})
    result, dummy = run(args, [])
    assert not result.get('failed'), result
    assert result['installer_sha256'] == 'e' * 64 and not result.get('warnings')


def test_host_source_needs_pinned_checksums():
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='host', installer_host_dir='/srv/asr')
    result, calls = run(args, [])
    assert result['failed'] is True and calls == []
    assert 'needs the installers\' sha256 pinned in mobility_service_checksums' in result['msg']
    listing = {'files': [{'path': '/srv/asr/' + NEW}]}
    result, calls = run(dict(args, checksums={NEW: 'd' * 64}), [listing])
    assert [c['module'] for c in calls] == ['ansible.builtin.find']  # the host's SHA256SUMS is not read
    assert result['installer_sha256'] == 'd' * 64


def test_mirror_credentials_go_to_basic_auth_not_the_url(monkeypatch):
    seen = {}

    class Answer(object):
        def read(self):
            return ('%s  %s\n' % ('f' * 64, NEW)).encode()

    def fake_open_url(url, **kwargs):
        seen.update(kwargs, url=url)
        return Answer()

    monkeypatch.setattr(rollout_plan, 'open_url', fake_open_url)
    args = dict(mode='choose', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url='https://mirror.example/asr', url_username='svc',
                url_password='mirror-pw-123')
    result, dummy = run(args, [])
    assert not result.get('failed'), result
    assert seen['url'] == 'https://mirror.example/asr/SHA256SUMS'
    assert (seen['url_username'], seen['url_password'], seen['force_basic_auth']) == ('svc', 'mirror-pw-123', True)
    assert 'mirror-pw-123' not in repr(result)


# [R2] issue 12 item 2: the secret is asked only when a registration is actually planned (the
# lifecycle refuses then); a routine rerun of a registered agent needs neither passphrase nor config.
@pytest.mark.parametrize('over', [{'passphrase': ''}, {'control_plane': 'modernized', 'config': ''}])
def test_inputs_do_not_demand_the_secret_up_front(over):
    params = dict(state='present', reboot='never', installer_source='controller', installer_dir='/srv',
                  control_plane='classic', register=True, cs_address='10.0.0.5', passphrase='', config='',
                  checksums={}, allow_insecure_http=False)
    params.update(over)
    from ansible_collections.asr.mobility.plugins.plugin_utils import rollout_choice
    assert rollout_choice.input_problem(params) is None


# --- No facts (issue 16): the one call to the host detects the token itself ----------------------

NO_FACTS = {'inventory_hostname': 'h1'}


def test_without_facts_a_converged_host_costs_one_call_and_the_host_names_the_token(installers):
    result, calls = run(base_args(installers), [converged_plan()], task_vars=NO_FACTS)
    assert result['converged'] is True, result
    assert [c['module'] for c in calls] == ['asr.mobility.agent'] and calls[0]['check_mode'] is True
    # present without a pin: no version argument; the staging directory as with facts (its safety is checked)
    assert 'version' not in calls[0]['args'] and calls[0]['args']['installer'].startswith('/var/lib/asr-mobility/')
    # the record names the installer the host's token chooses
    assert result['os_token'] == 'DEBIAN12-64' and result['installer'] == NEW


def test_without_facts_latest_pins_the_newest_and_keeps_it_when_the_host_token_agrees(installers):
    (installers / OTHER).unlink()
    result, calls = run(base_args(installers, state='latest'), [converged_plan()], task_vars=NO_FACTS)
    assert result['converged'] is True and len(calls) == 1
    assert calls[0]['args']['version'] == '9.66.7567.1'


def test_without_facts_a_wrong_guess_is_decided_again_for_the_host_token(installers):
    """The newest installer of the listing is for RHEL8; the host says DEBIAN12: a second check-mode call
    with the DEBIAN12 arguments decides (never the guess's plan)."""
    result, calls = run(base_args(installers, state='latest'), [converged_plan('9.67.1.1'), converged_plan()],
                        task_vars=NO_FACTS)
    assert [c['args']['version'] for c in calls] == ['9.67.1.1', '9.66.7567.1']
    assert calls[1]['args']['installer'] == '/var/lib/asr-mobility/' + NEW
    # a pin or state=present: one call whatever the listing holds
    dummy, calls = run(base_args(installers, version='9.66'), [converged_plan()], task_vars=NO_FACTS)
    assert len(calls) == 1
    assert result['converged'] is True and result['installer'] == NEW


def test_without_facts_the_host_token_chooses_nothing_for_latest(tmp_path):
    (tmp_path / OTHER).write_text('x')
    result, calls = run(base_args(tmp_path, state='latest'), [converged_plan('9.67.1.1')], task_vars=NO_FACTS)
    assert result['converged'] is False and 'no installer for token DEBIAN12-64' in result['reason']


def test_without_facts_an_unsupported_host_takes_the_full_path(installers):
    plan = {'failed': True, 'msg': 'Unsupported operating system: x. Nothing was changed.', 'os_token': None}
    result, calls = run(base_args(installers), [plan], task_vars=NO_FACTS)
    assert result['converged'] is False and 'decision failed: Unsupported operating system' in result['reason']


def test_without_facts_absent_records_the_host_token():
    result, calls = run({'state': 'absent'}, [converged_plan(None, registered=False)], task_vars=NO_FACTS)
    assert result['converged'] is True and result['os_token'] == 'DEBIAN12-64'
    assert 'installer' not in calls[0]['args']


def test_without_facts_windows_is_recognised_from_the_connection_and_read_in_one_call(installers):
    result, calls = run(base_args(installers), [{'failed': True, 'msg': 'x'}], task_vars=NO_FACTS, shell='powershell')
    assert result['converged'] is False and [c['module'] for c in calls] == ['ansible.windows.win_powershell']
    assert 'Windows host (connection shell powershell)' in result['reason']
    result, calls = run(base_args(installers), [{'failed': True, 'msg': 'x'}],
                        task_vars=dict(NO_FACTS, asr_mobility_os_family='Windows'))
    assert [c['module'] for c in calls] == ['ansible.windows.win_powershell']
    assert result['converged'] is False and 'Windows host (asr_mobility_os_family)' in result['reason']


# --- issue 16: a host that is not converged hands the full path its choice (no facts, no second choice) ---

HOST_OS = {'token': 'DEBIAN12-64', 'supported': True, 'confirmed': False, 'reason': 'note', 'distribution': 'Debian',
           'version': '12.5', 'source': 'release_files', 'evidence': '/etc/debian_version'}


def test_not_converged_without_facts_hands_over_the_choice_from_the_hosts_own_token(installers):
    (installers / 'SHA256SUMS').write_text('%s  %s\n' % ('b' * 64, NEW))
    plan = converged_plan(actions=[{'action': 'upgrade', 'reason': 'x'}], os=HOST_OS)
    result, calls = run(base_args(installers), [plan], task_vars=NO_FACTS)
    assert result['converged'] is False and len(calls) == 1
    choice = result['choice']
    # what mode=choose returns, from the token the host detected (not from facts: there are none)
    assert choice['os'] == HOST_OS and choice['os_family'] == 'linux'
    assert choice['installer']['name'] == NEW and choice['installer_sha256'] == 'b' * 64
    assert SECRET not in repr(result)


def test_the_handed_over_choice_is_what_choose_returns_from_facts(installers):
    (installers / 'SHA256SUMS').write_text('%s  %s\n' % ('b' * 64, NEW))
    plan = converged_plan(actions=[{'action': 'install', 'reason': 'x'}], os=HOST_OS)
    handed, dummy = run(base_args(installers), [plan], task_vars=NO_FACTS)
    chosen, dummy = run(base_args(installers, mode='choose'), [])
    for key in ('installer', 'installer_sha256', 'os_family'):
        assert handed['choice'][key] == chosen[key]
    assert handed['choice']['os']['token'] == chosen['os']['token']


@pytest.mark.parametrize('plan, over', [
    (converged_plan(failed=True, msg='refused', os=HOST_OS), {}),                     # the full path words it
    (converged_plan(actions=[{'action': 'install', 'reason': 'x'}]), {}),            # the host said no token
    (converged_plan(actions=[{'action': 'install', 'reason': 'x'}],
                    os=dict(HOST_OS, supported=False, token=None, reason='Fedora')), {}),  # unsupported OS
    (converged_plan(actions=[{'action': 'install', 'reason': 'x'}], os=HOST_OS),
     {'config_source': 'appliance', 'control_plane': 'modernized', 'appliance': 'nowhere'}),  # a problem to word
])
def test_no_choice_is_handed_over_when_the_full_path_must_choose(installers, plan, over):
    result, dummy = run(base_args(installers, **over), [plan], task_vars=NO_FACTS)
    assert result['converged'] is False
    assert 'choice' not in result


def test_a_converged_host_hands_over_nothing(installers):
    result, dummy = run(base_args(installers), [converged_plan(os=HOST_OS)], task_vars=NO_FACTS)
    assert result['converged'] is True and 'choice' not in result


def test_a_url_host_handed_over_reads_the_mirror_once(mirror):
    # The hand-over chooses from the listing the fast path already read: one request to the mirror per host.
    args = dict(state='latest', control_plane='classic', cs_address='a', passphrase=SECRET,
                installer_source='url', installer_url=mirror + '/asr/', allow_insecure_http=True)
    del Sums.served[:]
    plan = converged_plan(actions=[{'action': 'upgrade', 'reason': 'x'}], os=HOST_OS)
    result, calls = run(args, [plan], task_vars=NO_FACTS)
    assert result['choice']['installer']['name'] == NEW and result['choice']['installer_sha256'] == 'b' * 64
    assert Sums.served == ['/asr/SHA256SUMS']
