# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asr.mobility.host_record (the one builder of mobility_service_result) and asr.mobility.os_family
(the one "is this Windows?" rule of the roles)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.asr.mobility.plugins.filter.mobility import FilterModule, host_record, os_family
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import host_os_family

PLAN = {'actions': [{'action': 'install', 'reason': 'x'}, {'action': 'register', 'reason': 'y'}],
        'version_before': None, 'version_after': '9.66.7567.1', 'registered': False, 'os_token': 'DEBIAN12-64'}


def test_the_filters_are_registered():
    assert {'host_record', 'os_family'} <= set(FilterModule().filters())


def test_record_after_a_run():
    agent = {'changed': True, 'version_after': '9.66.7567.0', 'registered': True, 'reboot_required': True}
    record = host_record('h1', os_token='DEBIAN12-64', installer='I.tar.gz', plan=PLAN, agent=agent,
                         rebooted={'rebooted': True}, checksum_verified=True)
    assert record == {
        'host': 'h1', 'os_token': 'DEBIAN12-64', 'installer': 'I.tar.gz', 'version_before': None,
        'version_after': '9.66.7567.0', 'actions': ['install', 'register'], 'changed': True, 'registered': True,
        'reboot_required': True, 'rebooted': True, 'checksum_verified': True, 'failed': False, 'failure_reason': ''}


def test_record_of_a_converged_host_the_agent_task_skipped():
    plan = dict(PLAN, actions=[], version_before='9.66.7567.0', version_after='9.66.7567.0', registered=True)
    skipped = {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'}
    record = host_record('h1', os_token='T', plan=plan, agent=skipped, rebooted={'skipped': True})
    assert record['actions'] == [] and record['changed'] is False and record['registered'] is True
    assert record['version_after'] == '9.66.7567.0' and record['rebooted'] is False
    assert record['installer'] is None and 'defender_exclusions' not in record


def test_windows_record_lists_the_defender_exclusions():
    record = host_record('w1', os_token='Windows', plan=PLAN, defender_exclusions=['C:\\ProgramData\\ASR\\agent'])
    assert record['defender_exclusions'] == ['C:\\ProgramData\\ASR\\agent']


def test_failure_record_keeps_the_record_so_far_and_says_why():
    previous = host_record('h1', os_token='T', plan=PLAN)
    failed = {'msg': 'register failed', 'changed': True, 'vendor_exit_code': 14, 'log_tail': ['a']}
    record = host_record('h1', os_token='T', previous=previous, failed_task={'name': 'Install'},
                         failed_result=failed)
    assert record['actions'] == ['install', 'register']
    assert record['failed'] is True and record['failed_task'] == 'Install' and record['changed'] is True
    assert record['failure_reason'] == 'register failed' and record['vendor_exit_code'] == 14
    # the fast path's result that is not a record (no host) is not kept
    record = host_record('h1', previous={'converged': False, 'reason': 'x'}, failed_task={},
                         failed_result={})
    assert 'reason' not in record and record['failure_reason'] == 'unknown failure' and record['os_token'] is None


@pytest.mark.parametrize('host_vars, family', [
    ({'ansible_facts': {'os_family': 'Windows'}}, 'windows'),
    ({'ansible_facts': {'os_family': 'Debian'}}, 'linux'),
    ({'asr_mobility_os_family': 'windows', 'ansible_facts': {'os_family': 'Debian'}}, 'windows'),
    ({'asr_mobility_os_family': 'linux', 'ansible_facts': {'os_family': 'Windows'}}, 'linux'),
    # The injected ansible_os_family is deprecated (ansible-core 2.20+) and not read: only ansible_facts.
    ({'ansible_os_family': 'Windows'}, 'linux'),
    ({'ansible_connection': 'winrm'}, 'windows'),
    ({'ansible_connection': 'ansible.builtin.psrp'}, 'windows'),
    ({'ansible_shell_type': 'cmd'}, 'windows'),
    ({}, 'linux'),
])
def test_os_family_is_the_action_plugins_rule(host_vars, family):
    assert os_family(host_vars) == family
    shell = host_vars.get('ansible_shell_type') or ('powershell' if 'ansible_connection' in host_vars else None)
    assert host_os_family(host_vars, shell)[0] == family


def test_package_info_also_reads_supported_kernels_in_the_same_pass(tmp_path):
    import io
    import tarfile
    from ansible_collections.asr.mobility.plugins.filter.mobility import package_info
    path = tmp_path / 'pkg.tar.gz'
    with tarfile.open(str(path), 'w:gz') as archive:
        for name, text in (('./.vx_version', 'VERSION=9.66.0.0\nOS_BUILT_FOR=DEBIAN12-64\n'),
                           ('./supported_kernels', '6.1.0-18-amd64\n')):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    info = package_info(str(path))
    assert info['os_built_for'] == 'DEBIAN12-64' and info['supported_kernels'] == '6.1.0-18-amd64\n'
