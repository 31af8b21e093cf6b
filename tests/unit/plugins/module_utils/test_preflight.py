# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel preflight per family, as the vendor's prereq_check_install.sh decides (issue 12 item 3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.filter.mobility import FilterModule
from ansible_collections.asr.mobility.plugins.module_utils.preflight import kernel_check

SLES_LIST = '4.12.14-122.37-azure:5\n5.3.18-59.5-azure:3\n'
UBUNTU_LIST = '5.15.0-91-generic\n6.8.0-31-generic\n'


@pytest.mark.parametrize('token,kernel,listing,supported', [
    # Ubuntu/Debian: the exact line (prereq_check_install.sh:530-540)
    ('UBUNTU-22.04-64', '5.15.0-91-generic', UBUNTU_LIST, True),
    ('UBUNTU-22.04-64', '5.15.0-92-generic', UBUNTU_LIST, False),
    ('DEBIAN12-64', '6.8.0-31-generic', '  6.8.0-31-generic  \n', True),          # read trims blanks
    ('DEBIAN12-64', '6.8.0-31', UBUNTU_LIST, False),                             # no prefix match
    ('DEBIAN12-64', '6.8.0-31-generic', '6.8.0-31-generic\r\n', False),          # CR is not trimmed
    # SLES 12/15: any -default flavour, else "<kernel>:" lines (:542-549)
    ('SLES15-64', '5.14.21-150500.55.39-default', '', True),
    ('SLES12-64', '4.12.14-122.37-default', None, True),
    ('SLES12-64', '4.12.14-122.37-azure', SLES_LIST, True),
    ('SLES15-64', '5.3.18-59.5-azure', SLES_LIST, True),
    ('SLES15-64', '5.3.18-59.6-azure', SLES_LIST, False),
    ('SLES15-64', '5.3.18-59.5-azure', '5.3.18-59.5-azure\n', False),           # a SLES line needs ":N"
    ('SLES11-SP4-64', '3.0.101-63-default', None, True),
    ('SLES11-SP3-64', '3.0.101-63-xen', None, True),
    ('SLES11-SP3-64', '3.12.49-11-default', None, False),
    # RHEL/OL: patterns, never the list
    ('RHEL7-64', '3.10.0-1160.el7.x86_64', '', True),
    ('RHEL7-64', '3.10.0-1160.el7.x86_64.debug', '', False),
    ('RHEL8-64', '4.18.0-513.5.1.el8_9.x86_64', '', True),
    ('RHEL8-64', '4.18.0-305.25.1.el8_4.x86_64', '', False),                      # 305 needs .30.1+
    ('RHEL8-64', '4.18.0-305.30.1.el8_4.x86_64', '', True),
    ('RHEL8-64', '4.18.0-348.2.1.el8_5.x86_64', '', False),                       # 348 needs .5.1+
    ('RHEL8-64', '4.18.0-348.7.1.el8_5.x86_64', '', True),
    ('RHEL6-64', '2.6.32-754.el6.x86_64', '', True),
    ('RHEL6-64', '2.6.32-71.el6.x86_64', '', True),
    ('RHEL6-64', '2.6.32-70.el6.x86_64', '', False),
    ('OL7-64', '4.14.35-2047.el7uek.x86_64', '', True),
    ('OL8-64', '5.15.0-200.el8uek.x86_64', '', True),
    ('OL8-64', '4.18.0-80.el8.x86_64', '', True),
    ('OL8-64', '4.18.0-477.el8.x86_64', '', False),                               # release 80-348 only
    ('OL6-64', '4.1.12-124.el6uek.x86_64', '', True),
    ('OL6-64', '2.6.32-300.el6.x86_64', '', False),
])
def test_family_rules(token, kernel, listing, supported):
    result = kernel_check(token, kernel, listing, agent_version='9.66.7567.1')
    assert result['supported'] is supported, result
    assert result['status'] == ('supported' if supported else 'unsupported')
    assert result['source'].startswith('prereq:')


def test_old_rule_refused_a_supported_sles_kernel():
    """The collection used to demand an exact line on every distro: a SLES *-default kernel that is
    not listed is supported by the vendor."""
    assert kernel_check('SLES15-64', '5.14.21-150500.55.39-default', SLES_LIST)['supported'] is True


@pytest.mark.parametrize('fresh,code', [(True, 99), (False, 208)])
def test_message_names_kernel_version_exit_code_and_what_to_do(fresh, code):
    result = kernel_check('DEBIAN12-64', '6.1.0-99-amd64', UBUNTU_LIST, agent_version='9.66.7567.1',
                          fresh_install=fresh)
    assert result['exit_code'] == code
    for word in ('6.1.0-99-amd64', '9.66.7567.1', 'DEBIAN12-64', 'exit %d' % code, 'hotfix', 'Nothing was run'):
        assert word in result['message'], (word, result['message'])


@pytest.mark.parametrize('token', ['RHEL9-64', 'OL9-64', 'RHEL10-64', 'Windows', None, ''])
def test_token_without_a_published_rule_is_not_refused(token):
    result = kernel_check(token, '5.14.0-362.el9.x86_64', '')
    assert result['status'] == 'unknown' and result['supported'] is True and result['exit_code'] is None


def test_unreadable_list_is_not_a_refusal_for_debian():
    result = kernel_check('DEBIAN12-64', '6.1.0-13-amd64', None)
    assert result['status'] == 'unknown' and result['supported'] is True


_kernels = st.text(alphabet='0123456789.-_abcdefghijklmnopqrstuvwxyz', min_size=0, max_size=40)
_tokens = st.sampled_from(['RHEL5-64', 'RHEL6-64', 'RHEL7-64', 'RHEL8-64', 'RHEL9-64', 'OL6-64', 'OL7-64', 'OL8-64',
                           'SLES11-SP3-64', 'SLES12-64', 'SLES15-64', 'UBUNTU-20.04-64', 'DEBIAN11-64', 'X'])


@given(_tokens, _kernels, st.one_of(st.none(), st.text(max_size=200)), st.booleans())
def test_never_raises_and_is_consistent(token, kernel, listing, fresh):
    result = kernel_check(token, kernel, listing, fresh_install=fresh)
    assert result['status'] in ('supported', 'unsupported', 'unknown')
    assert result['supported'] is (result['status'] != 'unsupported')
    assert result['exit_code'] == (None if result['supported'] else (99 if fresh else 208))


@given(st.sampled_from(['UBUNTU-22.04-64', 'DEBIAN12-64']), _kernels.filter(lambda k: k.strip()),
       st.lists(_kernels, max_size=5))
def test_debian_family_is_exactly_membership(token, kernel, others):
    listing = '\n'.join(others)
    assert kernel_check(token, kernel, listing)['supported'] is (kernel in [o.strip() for o in others])
    assert kernel_check(token, kernel, listing + '\n' + kernel + '\n')['supported'] is True


@given(_kernels.filter(lambda k: k.strip()))
def test_sles_default_flavour_always_passes(base):
    assert kernel_check('SLES15-64', base.strip() + '-default', '')['supported'] is True


def test_filter_is_registered_and_accepts_lines():
    check = FilterModule().filters()['kernel_check']
    result = check('5.15.0-91-generic', 'UBUNTU-22.04-64', ['5.15.0-91-generic'], '9.66.7567.1', False)
    assert result['supported'] is True
    result = check('5.15.0-92-generic', 'UBUNTU-22.04-64', UBUNTU_LIST, '9.66.7567.1', False)
    assert result['exit_code'] == 208


# --- issue 16: space and endpoints measured in the deciding call ------------------------------------------

class _Vfs(object):
    def __init__(self, bavail, frsize):
        self.f_bavail, self.f_frsize = bavail, frsize


@given(st.integers(min_value=0, max_value=2 ** 40), st.sampled_from([512, 1024, 4096, 65536]))
def test_free_mb_is_what_df_pk_available_gave_integer_divided(bavail, frsize):
    from ansible_collections.asr.mobility.plugins.module_utils.preflight import free_mb
    df_available_kb = bavail * frsize // 1024          # df -Pk: the Available column, 1K blocks
    assert free_mb(_Vfs(bavail, frsize)) == df_available_kb // 1024


@pytest.mark.parametrize('actions, space, connect', [
    ([], [], []),
    (['install'], [{'path': '/'}], []),
    (['install', 'register'], [{'path': '/'}], [{'name': 'cs'}]),
    (['register'], [{'path': '/'}], [{'name': 'cs'}]),
])
def test_checks_due_follow_the_plan(actions, space, connect):
    from ansible_collections.asr.mobility.plugins.module_utils.preflight import checks_due
    assert checks_due(actions, [{'path': '/'}], [{'name': 'cs'}]) == (space, connect)


def test_measure_reports_in_order_and_keeps_errors():
    from ansible_collections.asr.mobility.plugins.module_utils.preflight import measure

    def statvfs(path):
        if path == '/gone':
            raise OSError(2, 'No such file or directory')
        return _Vfs(2048, 1024)
    asked = []

    def reachable(host, port, timeout):
        asked.append((host, port, timeout))
        return port == 443
    endpoints = [{'name': 'cs', 'host': 'cs', 'port': 443}, {'name': 'ps', 'host': 'ps', 'port': 9443}]
    out = measure([{'path': '/'}, {'path': '/gone'}], endpoints, 7, statvfs, reachable)
    assert out['free_mb'] == [2, None]
    assert out['space_error'] == [None, '/gone: No such file or directory']
    assert out['reachable'] == {'cs': True, 'ps': False}
    assert asked == [('cs', 443, 7), ('ps', 9443, 7)]


def test_tcp_reachable_tries_again_until_the_timeout():
    from ansible_collections.asr.mobility.plugins.module_utils import linux_agent
    now = [100.0]
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        now[0] += seconds
    import socket
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()                                     # nothing listens there now
    assert linux_agent.tcp_reachable('127.0.0.1', port, 3, clock=lambda: now[0], pause=pause) is False
    assert pauses == [1, 1, 1]                        # tried again every second until the timeout, as wait_for
