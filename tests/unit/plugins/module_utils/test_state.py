# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Agent state on disk (reference §1.5) and in the Windows registry (§2.5)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.module_utils.state import (
    control_plane_of, linux_state, parse_ini, parse_kv, windows_state)

STATE_KEYS = {'installed', 'version', 'build', 'version_tuple', 'control_plane', 'platform', 'configuration_status',
              'registered', 'cs_address', 'cs_port', 'install_dir', 'os_built_for', 'healthy', 'reboot_required',
              'host_id', 'cs_type', 'awaiting_registration', 'registration_evidence'}

VX_VERSION = """PROD_VERSION=9.29.0.0
VERSION=9.29.0.0
INSTALLATION_DIR=/usr/local/ASR/Vx
BUILD_TAG=RELEASE_9.29.0.0_GA_5324_Jul_31_2019_INMAGE
OS_BUILT_FOR=RHEL7-64
AGENT_CONFIGURATION_STATUS=Succeeded
"""

DRSCOUT = """[vxagent]
VmPlatform=VmWare
CSType=CSLegacy
HostId=6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d
Role=MS
LogLevel=3

[vxagent.transport]
Hostname=10.0.0.5
Port=443
SslPort=443
"""


# ---------------------------------------------------------------------------------------------
# parse_kv / parse_ini
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('text,expected', [
    ('', {}),
    (None, {}),
    ('A=1\nB=2\n', {'A': '1', 'B': '2'}),
    ('A = 1', {'A': '1'}),
    ('A="quoted value"\nB=\'single\'', {'A': 'quoted value', 'B': 'single'}),
    ('A=x=y', {'A': 'x=y'}),
    ('# comment\n\n  \nA=1\njunk line\n=nokey\nBAD KEY=1', {'A': '1'}),
    ('A=1\nA=2', {'A': '2'}),
    ('A=1\r\nB=2\r\n', {'A': '1', 'B': '2'}),
    ('A=', {'A': ''}),
])
def test_parse_kv(text, expected):
    assert parse_kv(text) == expected


@pytest.mark.parametrize('text,expected', [
    ('', {'': {}}),
    (None, {'': {}}),
    (DRSCOUT, {'': {},
               'vxagent': {'VmPlatform': 'VmWare', 'CSType': 'CSLegacy',
                           'HostId': '6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d', 'Role': 'MS', 'LogLevel': '3'},
               'vxagent.transport': {'Hostname': '10.0.0.5', 'Port': '443', 'SslPort': '443'}}),
    ('top=1\n[ s ]\n; c\n# c\nk = v = w\nnovalue\n', {'': {'top': '1'}, 's': {'k': 'v = w'}}),
    ('[a]\nk=1\n[b]\nk=2\n[a]\nj=3\n', {'': {}, 'a': {'k': '1', 'j': '3'}, 'b': {'k': '2'}}),
])
def test_parse_ini(text, expected):
    assert parse_ini(text) == expected


_kvish = st.lists(st.one_of(st.sampled_from(['=', '\n', '[', ']', '#', ';', ' ', '"', "'", 'VERSION', 'Port',
                                             '[vxagent]', '[vxagent.transport]', '\r', '\x00', '\u00b2']),
                            st.text(max_size=6))).map(''.join)
any_text = st.one_of(st.text(), _kvish)


@given(any_text)
def test_parse_kv_never_raises(text):
    values = parse_kv(text)
    for key in values:
        assert key and ' ' not in key


@given(any_text)
def test_parse_ini_never_raises(text):
    sections = parse_ini(text)
    assert '' in sections


@given(st.one_of(st.none(), any_text), st.one_of(st.none(), any_text))
def test_linux_state_never_raises(vx_text, drscout_text):
    state = linux_state(vx_text, drscout_text)
    assert set(state) == STATE_KEYS
    assert state['installed'] is (vx_text is not None)
    assert state['cs_port'] is None or isinstance(state['cs_port'], int)


@given(st.booleans(), st.dictionaries(st.sampled_from(['Version', 'Product_Version', 'Build_Number', 'PostInstallActions',
                                                       'AgentConfigurationStatus', 'Reboot_Required', 'InstallDirectory',
                                                       'CSType', 'VmPlatform']),
                                      st.one_of(st.none(), st.integers(), any_text)))
def test_windows_state_never_raises(exists, values):
    state = windows_state(exists, values)
    assert set(state) == STATE_KEYS
    assert state['installed'] is exists


# ---------------------------------------------------------------------------------------------
# Linux
# ---------------------------------------------------------------------------------------------
def test_linux_state_absent():
    state = linux_state(None, DRSCOUT)
    assert set(state) == STATE_KEYS
    assert state['installed'] is False
    assert state['version'] is None and state['registered'] is False
    assert state['healthy'] is True


def test_linux_state_full():
    state = linux_state(VX_VERSION, DRSCOUT)
    assert set(state) == STATE_KEYS
    assert state == {
        'installed': True,
        'version': '9.29.5324.0',
        'version_tuple': (9, 29, 5324, 0),
        'build': 5324,
        'control_plane': 'classic',
        'platform': 'VmWare',
        'configuration_status': 'Succeeded',
        'registered': True,
        'cs_address': '10.0.0.5',
        'cs_port': 443,
        'install_dir': '/usr/local/ASR/Vx',
        'os_built_for': 'RHEL7-64',
        'healthy': True,
        'reboot_required': None,
        'host_id': '6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d',
        'cs_type': 'CSLegacy', 'awaiting_registration': False, 'registration_evidence': 'status',
    }


def test_linux_state_modernized_unregistered_without_drscout():
    vx = VX_VERSION.replace('Succeeded', 'Failed')
    state = linux_state(vx, None)
    assert state['installed'] is True
    assert state['configuration_status'] == 'Failed'
    assert state['registered'] is False
    assert state['control_plane'] is None
    assert state['cs_address'] is None and state['cs_port'] is None

    conf = DRSCOUT.replace('CSLegacy', 'CSPrime').replace('Port=443', 'Port=')
    state = linux_state(vx, conf)
    assert state['control_plane'] == 'modernized'
    assert state['cs_port'] is None


@pytest.mark.parametrize('status,registered', [
    ('Succeeded', True), ('succeeded', True), ('"Succeeded"', True), ('Failed', False), ('', False),
])
def test_linux_state_registration_status(status, registered):
    vx = 'VERSION=9.30.0.0\nAGENT_CONFIGURATION_STATUS=%s\n' % status
    assert linux_state(vx)['registered'] is registered


def test_linux_state_without_status_is_not_registered():
    state = linux_state('VERSION=9.30.0.0\n')
    assert state['registered'] is False and state['configuration_status'] is None
    assert state['version'] == '9.30.0.0' and state['build'] is None


@pytest.mark.parametrize('vx', ['', 'garbage', 'VERSION=\n', 'VERSION=latest\n'])
def test_linux_state_unreadable_version_is_unhealthy(vx):
    state = linux_state(vx)
    assert state['installed'] is True
    assert state['healthy'] is False
    assert state['version'] is None and state['version_tuple'] is None


def test_linux_state_port_must_be_numeric():
    state = linux_state(VX_VERSION, DRSCOUT.replace('Port=443', 'Port=https'))
    assert state['cs_port'] is None
    state = linux_state(VX_VERSION, DRSCOUT.replace('Port=443', 'Port=\u00b2'))
    assert state['cs_port'] is None


@pytest.mark.parametrize('cs_type,plane', [
    ('CSLegacy', 'classic'), ('cslegacy', 'classic'), (' CSPrime ', 'modernized'), ('CSPRIME', 'modernized'),
    ('', None), (None, None), ('Other', None),
])
def test_control_plane_of(cs_type, plane):
    assert control_plane_of(cs_type) == plane


# ---------------------------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------------------------
REGISTRY = {
    'Version': '9.66.0.0',
    'Product_Version': '9.66.7567.1',
    'Build_Number': '7567',
    'InstallDirectory': 'C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent',
    'PostInstallActions': 'Succeeded',
    'AgentConfigurationStatus': 'Succeeded',
    'Reboot_Required': 'no',
}


def test_windows_state_absent():
    state = windows_state(False, REGISTRY)
    assert state['installed'] is False and state['version'] is None


def test_windows_state_full():
    state = windows_state(True, REGISTRY)
    assert set(state) == STATE_KEYS
    assert state['installed'] is True
    assert state['version'] == '9.66.7567.0'
    assert state['version_tuple'] == (9, 66, 7567, 0)
    assert state['build'] == 7567
    assert state['healthy'] is True
    assert state['registered'] is True
    assert state['configuration_status'] == 'Succeeded'
    assert state['install_dir'] == REGISTRY['InstallDirectory']
    assert state['os_built_for'] == 'Windows'
    assert state['reboot_required'] is None  # Reboot_Required is not a reboot signal (reference §2.2)


@pytest.mark.parametrize('post', ['Failed', 'InProgress', '', None])
def test_windows_post_install_actions_not_succeeded_is_unhealthy(post):
    values = dict(REGISTRY, PostInstallActions=post)
    state = windows_state(True, values)
    assert state['installed'] is True
    assert state['healthy'] is False


@pytest.mark.parametrize('reboot', ['1', 1, 'true', 'Yes', 'No', '0', None])
def test_windows_reboot_required_value_is_not_a_reboot_signal(reboot):
    """Reboot_Required ("Yes"/"No") only reflects a desktop-heap tweak (reference §2.2 [R2])."""
    values = dict(REGISTRY, Reboot_Required=reboot)
    assert windows_state(True, values)['reboot_required'] is None


def test_windows_version_from_product_version_and_int_build():
    values = {'Product_Version': '9.66.0.0', 'Build_Number': 7567, 'PostInstallActions': 'Succeeded'}
    state = windows_state(True, values)
    assert state['version_tuple'] == (9, 66, 7567, 0)


def test_windows_build_number_does_not_override_a_known_build():
    values = {'Version': '9.66.7567.1', 'Build_Number': '1', 'PostInstallActions': 'Succeeded'}
    assert windows_state(True, values)['version_tuple'] == (9, 66, 7567, 1)


def test_windows_installed_but_no_values_is_unhealthy():
    state = windows_state(True, {})
    assert state['installed'] is True
    assert state['healthy'] is False
    assert state['version'] is None
    assert state['registered'] is False
    assert state['reboot_required'] is None


def test_windows_registration_failed():
    state = windows_state(True, dict(REGISTRY, AgentConfigurationStatus='Failed'))
    assert state['registered'] is False and state['configuration_status'] == 'Failed'


def test_windows_control_plane_comes_from_drscout_not_the_registry():
    """The registry holds no CSType; drscout.conf does, and a missing one is CSLegacy
    (SetupFramework/SetupHelper.cs:3429-3479 at commit 822a039e)."""
    assert windows_state(True, dict(REGISTRY, CSType='CSPrime'))['control_plane'] == 'classic'
    assert windows_state(True, REGISTRY, '[vxagent]\nCSType=CSPrime\n')['control_plane'] == 'modernized'
    assert windows_state(True, REGISTRY, '[vxagent]\nHostId=x\n')['control_plane'] == 'classic'


# ---------------------------------------------------------------------------------------------
# [R2] Registration read from drscout.conf so that it survives an upgrade (issue 12 items 1-2).
# The files below are what Microsoft's real scripts leave behind (sandbox run, reference §1.2-1.5).
# ---------------------------------------------------------------------------------------------
try:
    from vendor_files import (DRSCOUT_CLASSIC_REGISTERED, DRSCOUT_FRESH_CLASSIC, DRSCOUT_FRESH_MODERNIZED,
                              DRSCOUT_MIGRATED, DRSCOUT_MODERNIZED_REGISTERED, VX_AFTER_UPGRADE)
except ImportError:  # ansible-test units imports tests as a package
    from .vendor_files import (DRSCOUT_CLASSIC_REGISTERED, DRSCOUT_FRESH_CLASSIC, DRSCOUT_FRESH_MODERNIZED,
                               DRSCOUT_MIGRATED, DRSCOUT_MODERNIZED_REGISTERED, VX_AFTER_UPGRADE)


def test_classic_registration_survives_an_upgrade():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED)
    assert state['configuration_status'] is None
    assert state['registered'] is True
    assert state['registration_evidence'] == 'drscout.conf'
    assert state['control_plane'] == 'classic' and state['cs_type'] == 'CSLegacy'
    assert (state['cs_address'], state['cs_port']) == ('10.0.0.5', 443)
    assert state['awaiting_registration'] is False


def test_modernized_registration_survives_an_upgrade():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_MODERNIZED_REGISTERED)
    assert state['registered'] is True
    assert state['control_plane'] == 'modernized'
    assert state['cs_address'] is None


def test_status_line_wins_when_present():
    failed = linux_state(VX_AFTER_UPGRADE + 'AGENT_CONFIGURATION_STATUS=Failed\n', DRSCOUT_CLASSIC_REGISTERED)
    assert failed['registered'] is False and failed['registration_evidence'] == 'status'
    ok = linux_state(VX_AFTER_UPGRADE + 'AGENT_CONFIGURATION_STATUS=Succeeded\n', DRSCOUT_CLASSIC_REGISTERED)
    assert ok['registered'] is True and ok['registration_evidence'] == 'status'


@pytest.mark.parametrize('drscout', [
    DRSCOUT_FRESH_CLASSIC,
    # template HostId: the configurator never ran (UnifiedAgentConfigurator.sh:787)
    DRSCOUT_CLASSIC_REGISTERED.replace('HostId=6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d', 'HostId = 1234_45466_67689'),
    # 17: cdpcli failed, Hostname blanked (UnifiedAgentConfigurator.sh:915-916)
    DRSCOUT_CLASSIC_REGISTERED.replace('Hostname = 10.0.0.5', 'Hostname = '),
    DRSCOUT_CLASSIC_REGISTERED.replace('Port = 443', 'Port = '),
    DRSCOUT_CLASSIC_REGISTERED.replace('HostId=6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d', 'HostId='),
])
def test_classic_not_registered_without_status(drscout):
    state = linux_state(VX_AFTER_UPGRADE, drscout)
    assert state['registered'] is False
    assert state['control_plane'] == 'classic'


def test_fresh_modernized_install_is_a_state_of_its_own():
    """-c CSPrime leaves CSType=CSLegacy until the configurator runs; the data-protection path
    (VX/templates/install:215-218) tells what the vendor will do."""
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_FRESH_MODERNIZED)
    assert state['cs_type'] == 'CSLegacy'
    assert state['control_plane'] == 'modernized'
    assert state['awaiting_registration'] is True
    assert state['registered'] is False


def test_migration_pending_is_modernized_awaiting_registration():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_MIGRATED)
    assert state['control_plane'] == 'modernized'
    assert state['awaiting_registration'] is True
    assert state['registered'] is False
    assert state['cs_address'] == '10.0.0.5'  # the old classic CS, still written


def test_migration_pending_wins_over_a_stale_status_line():
    state = linux_state(VX_AFTER_UPGRADE + 'AGENT_CONFIGURATION_STATUS=Succeeded\n', DRSCOUT_MIGRATED)
    assert state['registered'] is False and state['awaiting_registration'] is True


def test_missing_cstype_is_classic_like_the_vendor():
    """unifiedagent/templates/install:1694-1697: no or odd CSType in drscout.conf means CSLegacy."""
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED.replace('CSType=CSLegacy\n', ''))
    assert state['control_plane'] == 'classic' and state['registered'] is True


def test_windows_platform_drscout_first_then_the_msi_registry_value():
    """The platform the agent is installed for, in the vendor installer's own order
    (UnifiedAgentInstaller/InstallationOperations.cs:169-174, InstallActionProcessor.cs:88-92):
    drscout.conf ``[vxagent] VmPlatform`` (SetupHelper.cs:1116-1135), else ``Platform`` under
    ``InMage Systems\\Installed Products`` (written by the MSI, UnifiedAgentMSI/Product.wxs:893-897;
    read by SetupHelper.GetAgentInstalledPlatform, SetupHelper.cs:990-1011)."""
    no_platform = '[vxagent]\nCSType=CSLegacy\n'
    with_platform = '[vxagent]\nCSType=CSLegacy\nVmPlatform=VmWare\n'
    assert windows_state(True, REGISTRY, no_platform, {'Platform': 'Azure'})['platform'] == 'Azure'
    assert windows_state(True, REGISTRY, None, {'Platform': 'VmWare'})['platform'] == 'VmWare'
    assert windows_state(True, REGISTRY, with_platform, {'Platform': 'Azure'})['platform'] == 'VmWare'
    assert windows_state(True, REGISTRY, no_platform, {})['platform'] is None
    assert windows_state(False, REGISTRY, None, {'Platform': 'Azure'})['platform'] is None
