# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decision engine: a table of scenarios and properties."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.module_utils.installer import compare_versions, format_version
from ansible_collections.asr.mobility.plugins.module_utils.planner import Plan, plan
from ansible_collections.asr.mobility.plugins.module_utils.state import linux_state


def absent():
    return linux_state(None)


def installed(version='9.60.7000.0', plane='classic', registered=True, cs_address='10.0.0.5', healthy=True):
    parts = tuple(int(p) for p in version.split('.')) if version else None
    return {
        'installed': True, 'version': version, 'version_tuple': parts, 'build': parts[2] if parts else None,
        'control_plane': plane, 'platform': 'VmWare',
        'configuration_status': 'Succeeded' if registered else 'Failed', 'registered': registered,
        'cs_address': cs_address, 'cs_port': 443, 'install_dir': '/usr/local/ASR/Vx', 'os_built_for': 'RHEL8-64',
        'healthy': healthy, 'reboot_required': None, 'host_id': None,
    }


OLD = '9.60.7000.0'
NEW = '9.66.7567.0'

# id, state, kwargs for plan(), expected actions [(action, mode)] or a refusal (list of words)
SCENARIOS = [
    ('fresh install, no registration', absent(),
     dict(desired='present', candidate=NEW, control_plane='modernized'),
     [('install', 'Install')]),
    ('fresh install + register (modernized)', absent(),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True),
     [('install', 'Install'), ('register', None)]),
    ('fresh install + register (classic)', absent(),
     dict(desired='latest', candidate=NEW, control_plane='classic', register=True, cs_address='10.0.0.5'),
     [('install', 'Install'), ('register', None)]),
    ('fresh install with pin matching the installer', absent(),
     dict(desired='present', candidate=NEW, pin='9.66', control_plane='modernized'),
     [('install', 'Install')]),
    ('fresh install without installer (the module asks for one)', absent(),
     dict(desired='present', control_plane='modernized'),
     [('install', 'Install')]),
    # No package yet (a role decides before copying): the pin stands for the installer to come.
    ('fresh install, pin but no installer', absent(),
     dict(desired='present', pin='9.66', control_plane='modernized'),
     [('install', 'Install')]),
    ('fresh install, installer does not match the pin', absent(),
     dict(desired='present', candidate=OLD, pin='9.66', control_plane='modernized'),
     ['9.60.7000.0', '9.66', 'pinned']),
    ('same version, present', installed(NEW, 'modernized'),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True),
     []),
    ('same version, latest', installed(NEW, 'modernized'),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True),
     []),
    ('same release, unknown build on one side, latest', installed('9.66.0.0', 'modernized'),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True),
     []),
    ('older installed, latest -> upgrade', installed(OLD, 'modernized'),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True),
     [('upgrade', 'Upgrade')]),
    ('older installed, latest, not registered -> upgrade + register', installed(OLD, 'modernized', registered=False),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True),
     [('upgrade', 'Upgrade'), ('register', None)]),
    ('pinned newer than installed -> upgrade', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, pin='9.66', control_plane='classic', register=True,
          cs_address='10.0.0.5'),
     [('upgrade', 'Upgrade')]),
    ('pinned four-part -> upgrade', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, pin='9.66.7567.1', control_plane='classic'),
     [('upgrade', 'Upgrade')]),
    ('pin satisfied by installed, other installer offered -> nothing', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, pin='9.60', control_plane='classic', register=True,
          cs_address='10.0.0.5'),
     []),
    ('pin satisfied, latest asked -> nothing (the pin wins)', installed(OLD, 'classic'),
     dict(desired='latest', candidate=NEW, pin='9.60', control_plane='classic'),
     []),
    ('pinned older than installed, pinned installer offered -> refusal', installed(NEW, 'classic'),
     dict(desired='present', candidate=OLD, pin='9.60', control_plane='classic'),
     ['newer than the pinned version 9.60', 'downgrade']),
    ('pinned older than installed, no installer -> refusal', installed(NEW, 'classic'),
     dict(desired='present', pin='9.60', control_plane='classic'),
     ['newer than the pinned version 9.60', 'downgrade']),
    ('pinned older than installed, newer installer offered -> refusal about the downgrade', installed(NEW, 'classic'),
     dict(desired='present', candidate=NEW, pin='9.60', control_plane='classic'),
     ['newer than the pinned version 9.60', 'downgrade']),
    ('pinned older build of the same release -> refusal', installed('9.66.7600.0', 'classic'),
     dict(desired='present', candidate='9.66.7567.1', pin='9.66.7567.1', control_plane='classic'),
     ['9.66.7600.0', 'downgrade']),
    ('pin not satisfied and no installer', installed(OLD, 'classic'),
     dict(desired='present', pin='9.66', control_plane='classic'),
     [('upgrade', 'Upgrade')]),
    ('pin not satisfied and the wrong installer', installed(OLD, 'classic'),
     dict(desired='present', candidate='9.65.0.0', pin='9.66', control_plane='classic'),
     ['9.65.0.0', '9.66 is pinned']),
    ('latest with an older installer -> refusal', installed(NEW, 'modernized'),
     dict(desired='latest', candidate=OLD, control_plane='modernized'),
     ['newer than the newest installer', 'downgrade']),
    ('latest without installer -> refusal', installed(OLD, 'modernized'),
     dict(desired='latest', control_plane='modernized'),
     ['state=latest', 'installer']),
    ('present, no pin, newer installer -> nothing', installed(OLD, 'modernized'),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True),
     []),
    ('present, no pin, older installer -> nothing', installed(NEW, 'modernized'),
     dict(desired='present', candidate=OLD, control_plane='modernized', register=True),
     []),
    ('present, no pin, no installer -> nothing', installed(NEW, 'modernized'),
     dict(desired='present', control_plane='modernized', register=True),
     []),
    ('classic -> modernized without migrate -> refusal', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True),
     ['classic', 'migrate=true']),
    ('classic -> modernized with migrate -> install(migration) + register', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True, migrate=True),
     [('install', 'Install'), ('register', None)]),
    # [R2] shared with Windows (reference §2.2): only an installer strictly newer than the agent migrates
    ('classic -> modernized with migrate, same version -> refusal', installed(NEW, 'classic'),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True, migrate=True),
     ['strictly newer', NEW, 'migrate']),
    ('migrate without installer -> refusal', installed(OLD, 'classic'),
     dict(desired='present', control_plane='modernized', migrate=True),
     ['migrating', 'installer']),
    ('migrate with an older installer -> refusal', installed(NEW, 'classic'),
     dict(desired='present', candidate=OLD, control_plane='modernized', migrate=True),
     ['cannot migrate', 'newer']),
    ('migrate with an installer that breaks the pin -> refusal', installed(OLD, 'classic'),
     dict(desired='present', candidate=NEW, pin='9.60', control_plane='modernized', migrate=True),
     ['9.60', 'pinned']),
    ('modernized -> classic -> refusal', installed(OLD, 'modernized'),
     dict(desired='present', candidate=NEW, control_plane='classic', migrate=True),
     ['modernized', 'uninstall it first']),
    ('unhealthy -> reinstall', installed(OLD, 'modernized', healthy=False),
     dict(desired='present', candidate=OLD, control_plane='modernized', register=True),
     [('install', 'Install')]),
    ('unhealthy, latest -> reinstall with the newer installer', installed(OLD, 'modernized', healthy=False),
     dict(desired='latest', candidate=NEW, control_plane='modernized'),
     [('install', 'Install')]),
    ('unhealthy, version unreadable -> reinstall', installed(None, 'modernized', registered=False, healthy=False),
     dict(desired='present', candidate=NEW, control_plane='modernized', register=True),
     [('install', 'Install'), ('register', None)]),
    ('unhealthy without installer -> refusal', installed(OLD, 'modernized', healthy=False),
     dict(desired='present', control_plane='modernized'),
     ['incomplete', 'no installer']),
    ('unhealthy with an older installer -> refusal (no downgrade)', installed(NEW, 'modernized', healthy=False),
     dict(desired='present', candidate=OLD, control_plane='modernized'),
     ['9.66.7567.0', 'newer']),
    ('unhealthy at the pin, installer breaks the pin -> refusal', installed(OLD, 'modernized', healthy=False),
     dict(desired='present', candidate=NEW, pin='9.60', control_plane='modernized'),
     ['9.60', 'pinned']),
    ('registered elsewhere (classic) -> refusal', installed(NEW, 'classic', cs_address='10.0.0.5'),
     dict(desired='present', candidate=NEW, control_plane='classic', register=True, cs_address='10.9.9.9'),
     ['10.0.0.5', '10.9.9.9', 'exit 13']),
    ('registered elsewhere, upgrade planned -> refusal, no upgrade', installed(OLD, 'classic', cs_address='cs-a'),
     dict(desired='latest', candidate=NEW, control_plane='classic', register=True, cs_address='cs-b'),
     ['cs-a', 'cs-b']),
    ('registered to the same CS, other case -> nothing', installed(NEW, 'classic', cs_address='CS.example.com'),
     dict(desired='present', candidate=NEW, control_plane='classic', register=True, cs_address='cs.EXAMPLE.com'),
     []),
    ('registered elsewhere but register=false -> nothing', installed(NEW, 'classic', cs_address='10.0.0.5'),
     dict(desired='present', control_plane='classic', register=False, cs_address='10.9.9.9'),
     []),
    ('not registered -> register only', installed(NEW, 'classic', registered=False, cs_address=None),
     dict(desired='present', candidate=NEW, control_plane='classic', register=True, cs_address='10.0.0.5'),
     [('register', None)]),
    ('not registered, modernized -> register only', installed(NEW, 'modernized', registered=False),
     dict(desired='latest', candidate=NEW, control_plane='modernized', register=True),
     [('register', None)]),
    ('not registered, register=false -> nothing', installed(NEW, 'modernized', registered=False),
     dict(desired='present', control_plane='modernized', register=False),
     []),
    ('absent, installed -> uninstall', installed(NEW, 'classic'),
     dict(desired='absent'),
     [('uninstall', None)]),
    ('absent, installed but unreadable -> uninstall', installed(None, None, healthy=False),
     dict(desired='absent', candidate=NEW, pin='9.66', control_plane='modernized'),
     [('uninstall', None)]),
    ('absent, not installed -> nothing', absent(),
     dict(desired='absent'),
     []),
    ('absent, no state at all -> nothing', None,
     dict(desired='absent'),
     []),
    ('missing control_plane -> refusal', absent(),
     dict(desired='present', candidate=NEW),
     ['control_plane', 'no silent default']),
    ('bad control_plane -> refusal', installed(NEW),
     dict(desired='latest', candidate=NEW, control_plane='CSPrime'),
     ['control_plane', 'CSPrime']),
    ('bad state -> refusal', absent(),
     dict(desired='installed', candidate=NEW, control_plane='classic'),
     ['state must be one of', 'installed']),
]


@pytest.mark.parametrize('name,state,kwargs,expected', SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(name, state, kwargs, expected):
    result = plan(state, **kwargs)
    assert isinstance(result, Plan)
    if expected and isinstance(expected[0], str):
        assert result.refusal, (name, result.as_dict())
        assert result.actions == []
        assert result.changed is False
        for word in expected:
            assert word in result.refusal, (word, result.refusal)
        return
    assert result.refusal is None, (name, result.refusal)
    assert [(a['action'], a.get('mode')) for a in result.actions] == expected
    for action in result.actions:
        assert action['reason']
        if action['action'] in ('install', 'upgrade'):
            cs_type = {'classic': 'CSLegacy', 'modernized': 'CSPrime'}[kwargs['control_plane']]
            assert action['cs_type'] == cs_type
    assert result.changed is bool(expected)


def test_version_after():
    assert plan(absent(), 'present', candidate=NEW, control_plane='classic').version_after == NEW
    assert plan(installed(OLD), 'latest', candidate=NEW, control_plane='classic').version_after == NEW
    assert plan(installed(OLD), 'present', candidate=NEW, control_plane='classic').version_after == OLD
    assert plan(installed(OLD), 'absent').version_after is None


def test_migration_is_marked():
    result = plan(installed(OLD, 'classic'), 'present', candidate=NEW, control_plane='modernized', migrate=True)
    assert result.actions[0]['migration'] is True
    assert 'migrate' in result.actions[0]['reason']
    assert 'after migration' in result.actions[1]['reason'] if len(result.actions) > 1 else True


def test_repair_is_marked():
    result = plan(installed(OLD, healthy=False), 'present', candidate=OLD, control_plane='classic')
    assert result.actions[0]['repair'] is True


def test_register_reasons():
    classic = plan(absent(), 'present', candidate=NEW, control_plane='classic', register=True, cs_address='cs1')
    assert 'cs1' in classic.actions[1]['reason']
    modern = plan(absent(), 'present', candidate=NEW, control_plane='modernized', register=True)
    assert 'appliance' in modern.actions[1]['reason']


def test_plan_object():
    result = plan(absent(), 'present', candidate=NEW, control_plane='modernized', register=True)
    assert result.names == ['install', 'register']
    assert result.needs_installer is True
    as_dict = result.as_dict()
    assert as_dict['refusal'] is None and as_dict['version_after'] == NEW
    assert [a['action'] for a in as_dict['actions']] == ['install', 'register']
    as_dict['actions'][0]['action'] = 'changed'
    assert result.actions[0]['action'] == 'install'  # a copy
    register_only = plan(installed(NEW, 'modernized', registered=False), 'present', control_plane='modernized',
                         register=True)
    assert register_only.needs_installer is False


def test_candidate_as_tuple_or_text():
    a = plan(installed(OLD), 'latest', candidate=(9, 66, 7567, 0), control_plane='classic')
    b = plan(installed(OLD), 'latest', candidate=NEW, control_plane='classic')
    assert a.as_dict() == b.as_dict()


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------
_part = st.integers(min_value=0, max_value=30)
versions = st.tuples(st.integers(8, 10), _part, st.integers(0, 3), st.integers(0, 2))
planes = st.sampled_from(['classic', 'modernized'])


@given(versions, versions, planes, st.booleans(), st.booleans())
def test_latest_never_installs_when_installed_is_not_older(have, cand, plane, registered, register):
    state = installed(format_version(have), plane, registered=registered)
    result = plan(state, 'latest', candidate=cand, control_plane=plane, register=register, cs_address='10.0.0.5')
    order = compare_versions(have, cand)
    if order >= 0:
        assert not result.needs_installer, result.as_dict()
    if order > 0:
        assert result.refusal and 'downgrade' in result.refusal
    if order < 0:
        assert result.names[:1] == ['upgrade']
        assert result.actions[0]['mode'] == 'Upgrade'


@given(versions, st.one_of(st.none(), versions), planes, st.booleans())
def test_present_without_pin_never_runs_the_installer_on_a_healthy_agent(have, cand, plane, registered):
    state = installed(format_version(have), plane, registered=registered)
    result = plan(state, 'present', candidate=cand, control_plane=plane, register=True, cs_address='10.0.0.5')
    assert result.refusal is None
    assert not result.needs_installer
    assert result.names == ([] if registered else ['register'])


@given(versions, versions, versions, planes)
def test_a_pin_is_never_violated(have, cand, pin, plane):
    pin_text = format_version(pin[:2])
    state = installed(format_version(have), plane)
    result = plan(state, 'present', candidate=cand, pin=pin_text, control_plane=plane)
    if result.needs_installer:
        assert cand[:2] == pin[:2]
        assert compare_versions(have, cand) <= 0


@given(st.one_of(st.none(), versions), st.one_of(st.none(), versions), planes, planes, st.booleans(), st.booleans(),
       st.booleans(), st.sampled_from(['present', 'latest']))
def test_no_downgrade_is_ever_planned(have, cand, current, wanted, healthy, migrate, register, desired):
    state = installed(format_version(have) if have else None, current, healthy=healthy)
    result = plan(state, desired, candidate=cand, control_plane=wanted, migrate=migrate, register=register,
                  cs_address='10.0.0.5')
    if result.needs_installer and have is not None:
        assert compare_versions(have, cand) <= 0
    if result.refusal:
        assert result.actions == []


# ---------------------------------------------------------------------------------------------
# [R2] issue 12: what the vendor's real scripts leave on disk (see test_state.py for the files)
# ---------------------------------------------------------------------------------------------
try:
    from vendor_files import (DRSCOUT_CLASSIC_REGISTERED, DRSCOUT_FRESH_MODERNIZED, DRSCOUT_MIGRATED,  # noqa: E402
                              DRSCOUT_MODERNIZED_REGISTERED, VX_AFTER_UPGRADE)
except ImportError:  # ansible-test units imports tests as a package
    from .vendor_files import (DRSCOUT_CLASSIC_REGISTERED, DRSCOUT_FRESH_MODERNIZED, DRSCOUT_MIGRATED,  # noqa: E402
                               DRSCOUT_MODERNIZED_REGISTERED, VX_AFTER_UPGRADE)

UPGRADED = '9.66.7567.0'


def test_routine_rerun_after_an_upgrade_plans_nothing_classic():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED)
    result = plan(state, 'latest', candidate=UPGRADED, control_plane='classic', register=True,
                  cs_address='10.0.0.5', cs_port=443)
    assert result.refusal is None and result.names == []


def test_routine_rerun_after_an_upgrade_plans_nothing_modernized():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_MODERNIZED_REGISTERED)
    result = plan(state, 'present', candidate=UPGRADED, control_plane='modernized', register=True)
    assert result.refusal is None and result.names == []


def test_port_change_is_refused_like_the_vendor_13():
    """UnifiedAgentConfigurator.sh:1820-1827: 13 when Hostname or Port differ."""
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED)
    result = plan(state, 'present', candidate=UPGRADED, control_plane='classic', register=True,
                  cs_address='10.0.0.5', cs_port=8443)
    assert result.refusal and '10.0.0.5:443' in result.refusal and '10.0.0.5:8443' in result.refusal
    assert '13' in result.refusal


def test_port_default_is_443_like_the_vendor():
    """UnifiedAgentConfigurator.sh:1800-1805: no -p means 443."""
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED)
    assert plan(state, 'present', control_plane='classic', register=True, cs_address='10.0.0.5').names == []
    moved = linux_state(VX_AFTER_UPGRADE, DRSCOUT_CLASSIC_REGISTERED.replace('Port = 443', 'Port = 8443'))
    assert plan(moved, 'present', control_plane='classic', register=True, cs_address='10.0.0.5').refusal


def test_modernized_install_awaiting_registration_is_idempotent_without_register():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_FRESH_MODERNIZED)
    result = plan(state, 'present', candidate=UPGRADED, control_plane='modernized', register=False)
    assert result.refusal is None and result.names == []
    result = plan(state, 'present', candidate=UPGRADED, control_plane='modernized', register=True)
    assert result.refusal is None and result.names == ['register']


def test_upgrading_an_unregistered_modernized_agent_uses_install_mode():
    """-a Upgrade -c CSPrime over drscout's CSLegacy exits 97 (unifiedagent/templates/install:1715-1718);
    -a Install -c CSPrime takes the vendor's upgrade path (:1709-1714)."""
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_FRESH_MODERNIZED)
    result = plan(state, 'latest', candidate='9.67.7700.0', control_plane='modernized')
    assert result.names == ['upgrade']
    assert result.actions[0]['mode'] == 'Install' and result.actions[0]['cs_type'] == 'CSPrime'


def test_migration_done_registration_pending_only_registers():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_MIGRATED)
    result = plan(state, 'present', candidate=UPGRADED, control_plane='modernized', register=True)
    assert result.refusal is None and result.names == ['register']


def test_classic_wanted_over_a_pending_modernized_install_is_refused():
    state = linux_state(VX_AFTER_UPGRADE, DRSCOUT_FRESH_MODERNIZED)
    result = plan(state, 'present', candidate=UPGRADED, control_plane='classic', register=True, cs_address='cs')
    assert result.refusal and 'modernized' in result.refusal


@given(versions, versions)
def test_migration_only_with_a_strictly_newer_installer(have, cand):
    result = plan(installed(format_version(have), 'classic'), 'present', candidate=cand,
                  control_plane='modernized', migrate=True)
    if compare_versions(cand, have) > 0:
        assert result.refusal is None and result.actions[0].get('migration') is True
    else:
        assert result.refusal and 'strictly newer' in result.refusal
