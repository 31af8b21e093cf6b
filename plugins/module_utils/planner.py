# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one decision engine, for Linux and Windows alike (design: "Decide").

``plan()`` takes what is installed (the shape of ``state.linux_state`` / ``state.windows_state``),
the installer on offer and what the user wants, and returns an ordered list of actions, each with
a reason, or a refusal that says why nothing may be run. The plan is also the check-mode answer.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.installer import (
    compare_versions, format_version, parse_version, version_matches)

INSTALL = 'install'
UPGRADE = 'upgrade'
REGISTER = 'register'
UNINSTALL = 'uninstall'
INSTALLER_ACTIONS = (INSTALL, UPGRADE)
STATES = ('present', 'latest', 'absent')
CONTROL_PLANES = ('classic', 'modernized')
CS_TYPE = {'classic': 'CSLegacy', 'modernized': 'CSPrime'}
# The configurator's port when -p is not given (UnifiedAgentConfigurator.sh:1800-1805).
DEFAULT_CS_PORT = 443


class Plan(object):
    """Ordered actions (dicts with ``action``, ``reason`` and, for installer actions,
    ``mode`` Install|Upgrade and ``cs_type``), or a ``refusal``."""

    def __init__(self):
        self.actions = []
        self.refusal = None
        self.version_after = None
        self.notes = []

    def add(self, action, reason, **extra):
        step = {'action': action, 'reason': reason}
        step.update(extra)
        self.actions.append(step)

    def refuse(self, reason):
        self.actions = []
        self.refusal = reason
        return self

    @property
    def names(self):
        return [a['action'] for a in self.actions]

    @property
    def needs_installer(self):
        return any(a['action'] in INSTALLER_ACTIONS for a in self.actions)

    @property
    def changed(self):
        return bool(self.actions)

    def as_dict(self):
        return {'actions': [dict(a) for a in self.actions], 'refusal': self.refusal,
                'version_after': self.version_after, 'notes': list(self.notes)}


def _v(value):
    if value is None or isinstance(value, tuple):
        return value
    return parse_version(value)


def _text(value):
    return format_version(value) if isinstance(value, tuple) else value


def plan(state, desired, candidate=None, pin=None, control_plane=None, register=False,
         cs_address=None, migrate=False, cs_port=None):
    """Decide what to do on one host.

    :param state: installed state (``installed``, ``version``/``version_tuple``, ``control_plane``,
        ``registered``, ``configuration_status``, ``cs_address``, ``healthy``).
    :param desired: ``present`` (any version is fine unless pinned), ``latest`` (the candidate's
        version) or ``absent``.
    :param candidate: version of the installer on offer (None when no installer is known).
    :param pin: a version the agent must be at ('9.66' or '9.66.7567.1').
    :param control_plane: ``classic`` or ``modernized`` (required unless absent).
    :param register: whether the agent must end up registered.
    :param cs_address: configuration server wanted (classic).
    :param migrate: allow a classic agent to be migrated to modernized.
    :param cs_port: configuration server port wanted (classic; None = the vendor's default 443).

    [R2] Registration is judged from ``state['registered']``, which ``state.linux_state`` reads
    from ``drscout.conf`` when an upgrade has dropped the status line: an agent registered where it
    should be is never registered again (the vendor's configurator stops ``vxagent`` first and
    leaves it stopped when the server does not answer), so a routine rerun needs no secret.
    """
    result = Plan()
    installed = bool(state and state.get('installed'))
    if desired not in STATES:
        return result.refuse('state must be one of %s, not %r' % (', '.join(STATES), desired))

    if desired == 'absent':
        if installed:
            result.add(UNINSTALL, 'agent %s is installed and state=absent' % (state.get('version') or '(unknown version)'))
        return result

    if control_plane not in CONTROL_PLANES:
        return result.refuse('control_plane must be set to classic or modernized (there is no silent default), '
                             'got %r' % (control_plane,))
    cand = _v(candidate)
    if cand is None and pin:
        # No package on the host yet (a role decides before it copies anything): the pinned version
        # stands for the installer to come; the module checks the real package against the pin.
        cand = parse_version(pin)
    cs_type = CS_TYPE[control_plane]

    if pin and cand is not None and not version_matches(cand, pin):
        have_tuple = state.get('version_tuple') if installed else None
        pinned_ok = have_tuple and version_matches(have_tuple, pin)
        # installed newer than the pin: the downgrade refusal below says what is wrong
        newer_than_pin = have_tuple and compare_versions(have_tuple, parse_version(pin)) > 0
        if not pinned_ok and not newer_than_pin:
            return result.refuse('the installer offered is %s but version %s is pinned; provide the pinned installer'
                                 % (_text(cand), pin))

    if not installed:
        result.add(INSTALL, 'agent not installed; installing %s (%s)' % (_text(cand) or 'the installer', control_plane),
                   mode='Install', cs_type=cs_type)
        result.version_after = _text(cand)
        if register:
            result.add(REGISTER, _register_reason(control_plane, cs_address, 'after a fresh install'))
        return result

    have = state.get('version_tuple') or (_v(state['version']) if state.get('version') else None)
    have_text = _text(have) or '(unknown version)'
    result.version_after = _text(have)
    current_plane = state.get('control_plane')
    migrating = current_plane == 'classic' and control_plane == 'modernized'
    if current_plane and current_plane != control_plane:
        if current_plane == 'modernized':
            return result.refuse('the installed agent %s is modernized (CSPrime); moving it back to classic is not '
                                 'supported by the vendor: uninstall it first' % have_text)
        if not migrate:
            return result.refuse('the installed agent %s is classic (CSLegacy) and control_plane=modernized was asked; '
                                 'migration is a deliberate step: set migrate=true to migrate this host' % have_text)

    # Which version must the agent end at?
    upgrade_to = None
    if pin:
        if have is not None and version_matches(have, pin):
            upgrade_to = None
        elif have is not None and compare_versions(have, parse_version(pin)) > 0:
            return result.refuse('installed agent %s is newer than the pinned version %s; downgrades are not '
                                 'attempted (the vendor refuses them): change the pin or uninstall first'
                                 % (have_text, pin))
        else:
            upgrade_to = cand
    elif desired == 'latest':
        if cand is None:
            return result.refuse('state=latest needs an installer to compare with (none was provided)')
        order = compare_versions(have, cand) if have is not None else -1
        if order > 0:
            return result.refuse('installed agent %s is newer than the newest installer offered (%s); downgrades are '
                                 'not attempted: add the newer installer to the source, or use state=present'
                                 % (have_text, _text(cand)))
        if order < 0:
            upgrade_to = cand

    if migrating:
        target = upgrade_to or cand
        if target is None:
            return result.refuse('migrating to modernized needs an installer (none was provided)')
        if have is not None and compare_versions(have, target) > 0:
            return result.refuse('cannot migrate with installer %s: the installed agent %s is newer; migration to '
                                 'modernized needs an installer strictly newer than the installed agent'
                                 % (_text(target), have_text))
        if have is None or compare_versions(have, target) == 0:
            # Windows: at the same version nothing migrates (reference §2.2, SetupHelper.cs); one rule
            # for both hosts, so a migration always changes the version.
            return result.refuse('cannot migrate the classic agent %s with installer %s: migration to modernized '
                                 'needs an installer strictly newer than the installed agent; provide a newer '
                                 'installer (or leave migrate unset and keep the agent classic)'
                                 % (have_text, _text(target)))
        if pin and not version_matches(target, pin):
            return result.refuse('cannot migrate with installer %s: version %s is pinned' % (_text(target), pin))
        result.add(INSTALL, 'migrate the classic (CSLegacy) agent %s to modernized (CSPrime) with installer %s'
                   % (have_text, _text(target)), mode='Install', cs_type=cs_type, migration=True)
        result.version_after = _text(target)
    elif not state.get('healthy', True):
        target = upgrade_to or cand
        if target is None:
            return result.refuse('the installed agent is incomplete (post-install actions did not succeed or its '
                                 'version is unreadable) and no installer was provided to repair it')
        if have is not None and compare_versions(have, target) > 0:
            return result.refuse('the installed agent %s is incomplete, but the installer %s is older and downgrades '
                                 'are not attempted: provide an installer of version %s or newer'
                                 % (have_text, _text(target), have_text))
        if pin and not version_matches(target, pin):
            return result.refuse('the installed agent %s is incomplete, but the installer %s does not match the '
                                 'pinned version %s' % (have_text, _text(target), pin))
        result.add(INSTALL, 'the installed agent %s is incomplete (post-install actions did not succeed or its '
                            'version is unreadable); reinstalling %s' % (have_text, _text(target)),
                   mode='Install', cs_type=cs_type, repair=True)
        result.version_after = _text(target)
    elif upgrade_to is not None:
        if state.get('awaiting_registration'):
            # Installed for modernized, not registered: drscout.conf still says CSLegacy, so the vendor
            # refuses -a Upgrade -c CSPrime with 97 (unifiedagent/templates/install:1715-1718) and takes
            # -a Install -c CSPrime as its upgrade path (:1709-1714).
            result.add(UPGRADE, 'agent %s installed for modernized (not registered yet), %s wanted; run as '
                                '-a Install -c CSPrime as the vendor requires before registration'
                       % (have_text, _text(upgrade_to)), mode='Install', cs_type=cs_type)
        else:
            result.add(UPGRADE, 'agent %s installed, %s wanted' % (have_text, _text(upgrade_to)),
                       mode='Upgrade', cs_type=cs_type)
        result.version_after = _text(upgrade_to)

    if register:
        if migrating:
            result.add(REGISTER, _register_reason(control_plane, cs_address, 'after migration'))
        elif not state.get('registered'):
            result.add(REGISTER, _register_reason(
                control_plane, cs_address,
                'the agent is not registered (status: %s)' % (state.get('configuration_status') or 'none')))
        elif control_plane == 'classic' and cs_address and state.get('cs_address'):
            # The vendor compares address and port as written (UnifiedAgentConfigurator.sh:1820-1827).
            want_port = int(cs_port) if cs_port is not None else DEFAULT_CS_PORT
            have_port = state.get('cs_port')
            if (state['cs_address'].lower() != str(cs_address).lower()
                    or (have_port is not None and have_port != want_port)):
                return result.refuse('the agent is registered to configuration server %s:%s, not %s:%s; the vendor '
                                     'refuses to re-register (exit 13: "already registered to different '
                                     'Configuration server"): set cs_address/cs_port to the registered server, '
                                     'or uninstall the agent first'
                                     % (state['cs_address'], have_port if have_port is not None else '?',
                                        cs_address, want_port))
    return result


def _register_reason(control_plane, cs_address, why):
    if control_plane == 'classic':
        return 'register with configuration server %s (%s)' % (cs_address, why)
    return 'register with the replication appliance from its config file (%s)' % why


def result_base(detected, state):
    """The return keys every backend (Linux module, Windows action) starts from: the token decision
    of ``os_tokens.detect`` and the installed state before acting."""
    result = {
        'os_token': detected['token'], 'os_token_confirmed': detected['confirmed'],
        'version_before': state['version'], 'version_after': state['version'],
        'control_plane': state['control_plane'], 'registered': state['registered'],
        'platform_before': state.get('platform'),
    }
    if not detected['supported']:
        result['unsupported_reason'] = detected['reason']
    return result
