# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``asr.mobility.rollout_plan``: is this host already as wanted?

The converged fast path of the ``mobility_service`` role. In one task (one module round trip, two
when the installers sit on the host and O(state=latest)) it does what the role's input checks,
installer choice and check-mode decision do, and answers ``converged: true`` only when all of them
agree that nothing is to be done. Any doubt (a bad input, an unsupported OS, no installer, an
action planned) answers ``converged: false`` with the reason, and the role then runs its full path,
which decides again and reports errors with its usual messages. The decision itself is the same
code: ``asr.mobility.agent`` in check mode (module_utils.planner) on Linux; on Windows one
``win_powershell`` call reads the host (plugin_utils.windows_snapshot) and the full path's own
Windows code decides from that read: the agent lifecycle in check mode (``WindowsHost``) and the
Defender exclusions (``DefenderExclusions`` in check mode), which must be as wanted too.

With ``mode: choose`` it is the first step of that full path, on Linux and Windows alike: the same
input checks, token and installer choice (plugin_utils.rollout_choice), failing with the role's
error message, and returning the token, the chosen installer and its sha256; no module runs on
the host except the listing of a host directory (``installer_source: host``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import glob
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import open_url

from ansible_collections.asr.mobility.plugins.module_utils import agent_lifecycle
from ansible_collections.asr.mobility.plugins.module_utils.agent_args import agent_argument_spec
from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError
from ansible_collections.asr.mobility.plugins.plugin_utils import rollout_choice
from ansible_collections.asr.mobility.plugins.plugin_utils.action_base import AsrAction
from ansible_collections.asr.mobility.plugins.plugin_utils.rollout_choice import (
    NAME_PATTERNS, SOURCES, STATES, Problem)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_agent import WindowsHost
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import (
    WINDOWS, ModuleCaller, connection_shell_family, host_os_family, host_vars_os_family)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_defender import DefenderExclusions, not_as_wanted
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_snapshot import (
    SnapshotCaller, SnapshotError, parse_snapshot, snapshot_args)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_vendor import install_location_for

__all__ = ['ActionModule', 'input_problem', 'outcome', 'STATES', 'SOURCES']

MODULE = 'asr.mobility.agent'
MODES = ('fast_path', 'choose')
# Where the role puts a Windows installer; in check mode only its file name (the version) is read.
WINDOWS_REMOTE_DIR = 'C:\\Windows\\Temp\\asr-mobility'


def _argument_spec():
    """``asr.mobility.agent``'s one spec (module_utils.agent_args), extended with the role's installer
    options and relaxed where the fast path must answer rather than fail: no ``choices`` (a bad value
    is an input problem the full path words) and empty defaults for the role's empty variables. The
    installer path and work directory are the plugin's to compute, not inputs."""
    spec = agent_argument_spec()
    for name in ('installer', 'work_dir', 'rollback_on_failure', 'preflight'):
        del spec[name]
    for option in spec.values():
        option.pop('choices', None)
    for name in ('version', 'control_plane', 'cs_address', 'passphrase', 'config'):
        spec[name]['default'] = ''
    spec.update(
        mode=dict(type='str', default='fast_path', choices=list(MODES)),
        reboot=dict(type='str', default='never'),
        installer_source=dict(type='str', default='controller'),
        installer_dir=dict(type='str', default=''),
        installer_url=dict(type='str', default=''),
        installer_host_dir=dict(type='str', default=''),
        checksum_file=dict(type='str', default='SHA256SUMS'),
        checksums=dict(type='dict', default={}),
        remote_dir=dict(type='str', default='/var/lib/asr-mobility'),
        verify_checksum=dict(type='bool', default=True),
        allow_insecure_http=dict(type='bool', default=False),
        url_username=dict(type='str', default=''),
        url_password=dict(type='str', default='', no_log=True),
        url_timeout=dict(type='int', default=10),
        config_source=dict(type='str', default='inline'),
        config_dir=dict(type='str', default=''),
        config_files=dict(type='dict', default={}),
        appliance=dict(type='str', default=''),
        antivirus_exclusions=dict(type='bool', default=False),
        exclusion_paths=dict(type='list', elements='str', default=[]),
    )
    return spec


ARGUMENT_SPEC = _argument_spec()


class NotConverged(Exception):
    """The fast path cannot say "nothing to do": the full path decides and reports. ``choice``: what the
    full path's first step (mode=choose) would return, when the fast path could work it out from what
    the host said (the full path then gathers no facts and does not choose again)."""

    choice = None


def input_problem(params, windows=False):
    """The role's input checks as one function: None or what is wrong (``Problem``: ``code`` is
    the fast path's reason, ``message`` the role's error)."""
    return rollout_choice.input_problem(params, windows)


def outcome(host, token, choice, plan):
    """The role's per-host record (``mobility_service_result``) for a host left as it was."""
    return rollout_choice.host_record(host, os_token=token, installer=(choice or {}).get('name'), plan=plan)


class ActionModule(AsrAction):

    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    # The mirror's (names, checksum text), once read in this task (one action instance per task and host).
    _mirror_listing = None

    def act(self, result, task_vars):
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if rollout_choice.insecure_http_accepted(params):
            result.setdefault('warnings', []).append(
                'The installer mirror %s is plain http:// and its checksums are not pinned: accepted only because '
                'mobility_service_allow_insecure_http=true.' % params['installer_url'])
        if params['mode'] == 'choose':
            result.update(changed=False)
            try:
                result.update(self._choose(params, task_vars))
            except Problem as exc:
                result.update(exc.extra, failed=True, msg=exc.message)
            return result
        result.update(changed=False, converged=False)
        try:
            result.update(self._decide(params, task_vars))
        except NotConverged as exc:
            result['reason'] = to_text(exc)
            if exc.choice is not None:
                result['choice'] = exc.choice
        return result

    # ----------------------------------------------------------------------------------------------
    def _windows(self, task_vars):
        return host_os_family(task_vars, connection_shell_family(self._connection))

    def _choose(self, params, task_vars, detected=None):
        """The role's full path, before it asks the host: the inputs, the token, the installer and
        its sha256 (mode=choose). Fails with the role's message; changes nothing. ``detected``: the
        host's own token decision (the fast path's call returned it) instead of the facts."""
        family = self._windows(task_vars)[0]
        problem = input_problem(params, windows=family == WINDOWS)
        if problem:
            raise problem
        detected = rollout_choice.host_token(task_vars.get('ansible_facts') or {}, params, detected=detected)
        out = {'os': detected, 'installer': {}, 'installer_sha256': '', 'os_family': family}
        if params['state'] == 'absent':
            return out
        if params['register'] and params['control_plane'] == 'modernized':
            out.update(self._config_source(params, task_vars))
        try:
            names, sums_text = self._listing(params, task_vars, every_source=True)
        except NotConverged as exc:
            raise Problem('listing', '%s. %s' % (exc, rollout_choice.UNCHANGED), os=detected)
        sums = params['checksums'] or rollout_choice.parse_checksums(sums_text)
        try:
            out['installer'], out['installer_sha256'] = rollout_choice.choose(params, detected['token'], names, sums)
        except Problem as exc:
            exc.extra['os'] = detected
            raise
        return out

    def _config_source(self, params, task_vars):
        """Where this host's config.json comes from: ``config_file`` (+ whether it exists) for ``dir``;
        for ``appliance`` the appliance must be a Windows host of the inventory."""
        source = params['config_source']
        if source == 'dir':
            path = rollout_choice.config_file(params, task_vars.get('inventory_hostname'))
            if not os.path.isabs(path):
                path = self._loader.path_dwim(path)
            return {'config_file': path, 'config_file_exists': os.path.isfile(path)}
        if source == 'appliance':
            name = params['appliance']
            hostvars = task_vars.get('hostvars') or {}
            if name not in hostvars:
                raise Problem('appliance not in inventory',
                              "The replication appliance %r (mobility_service_appliance) is not in the inventory: add it "
                              "(a Windows host with its WinRM or SSH connection variables). %s"
                              % (name, rollout_choice.UNCHANGED))
            if host_vars_os_family(hostvars[name]) != WINDOWS:
                raise Problem('appliance not Windows',
                              "The replication appliance %r is not a Windows host (asr_mobility_os_family, os_family or "
                              "its connection say otherwise): RcmProxyAgent.exe runs on the Windows appliance only. %s"
                              % (name, rollout_choice.UNCHANGED))
            return {'appliance': name}
        return {}

    def _decide(self, params, task_vars):
        family, evidence = self._windows(task_vars)
        windows = family == WINDOWS
        problem = input_problem(params, windows=windows)
        if problem:
            raise NotConverged('inputs: %s' % problem.code)
        if windows:
            return self._decide_windows(params, task_vars, evidence)
        facts = task_vars.get('ansible_facts') or {}
        if not facts.get('distribution'):
            # No facts gathered (the deploy playbook gathers none): the host detects its token in the one call.
            return self._decide_on_host(params, task_vars)
        try:
            detected = rollout_choice.host_token(facts, params)
        except Problem as exc:
            raise NotConverged(exc.code)
        absent = params['state'] == 'absent'
        choice = self._fast_choice(params, task_vars, detected['token'])
        plan = self._check_mode_plan(params, choice, task_vars)
        return self._converged(params, task_vars, plan, detected['token'], choice, absent)

    def _fast_choice(self, params, task_vars, token):
        """The installer the full path would choose for ``token`` (None when not listed, none matches, or
        O(state=absent)); NotConverged when O(state=latest) has nothing to compare with."""
        if params['state'] == 'absent':
            return None
        choice = None
        names = self._listing(params, task_vars)[0]
        if names is not None:
            try:
                choice = rollout_choice.choose(params, token, names, {})[0]
            except Problem as exc:
                raise NotConverged(exc.code)
        elif params['state'] == 'latest':
            raise NotConverged('state=latest and no installer to compare with: not listed')
        if choice is not None and 'error' in choice:
            choice = None
        return choice

    def _decide_windows(self, params, task_vars, evidence):
        """A Windows host in one module call: ``READ_SNAPSHOT_PS`` reads the agent's registry keys,
        drscout.conf, the OS data of the token and the Defender preference and policy keys; the full
        path's code then decides from that read alone (``SnapshotCaller``): the agent lifecycle in check
        mode, then the Defender exclusions in check mode. Converged only when neither has anything to do
        and nothing was asked that the read does not hold."""
        try:
            location = install_location_for(params['install_dir'])
        except ValueError as exc:
            raise NotConverged('install_dir: %s' % exc)
        if params['antivirus_exclusions'] and not [p for p in params['exclusion_paths'] if p and str(p).strip()]:
            raise NotConverged('Windows host (%s): no Defender exclusion paths to check' % evidence)
        try:
            answer = ModuleCaller(self, task_vars)('ansible.windows.win_powershell', snapshot_args(location),
                                                   read_only=True, allow_failed=True)
            snapshot = parse_snapshot(answer)
        except (SnapshotError, HostCallError) as exc:
            raise NotConverged('Windows host (%s): %s' % (evidence, exc))
        try:
            detected = rollout_choice.host_token(snapshot['facts'], params)
        except Problem as exc:
            raise NotConverged(exc.code)
        absent = params['state'] == 'absent'
        choice = self._fast_choice(params, task_vars, detected['token'])
        reader = SnapshotCaller(snapshot)
        try:
            plan = self._windows_plan(params, choice, reader, snapshot['facts'])
        except HostCallError:
            plan = {}  # a read the snapshot does not hold: reader.missed says which
        if reader.missed:
            raise NotConverged('the decision needs more than the one read: %s' % reader.missed[0])
        out = self._converged(params, task_vars, plan, detected['token'], choice, absent)
        exclusions, warnings = self._defender_converged(params, reader)
        # The full path's record of a Windows host lists the exclusions in place ([] when it keeps none).
        out['defender_exclusions'] = exclusions
        if warnings:
            out['warnings'] = list(out.get('warnings') or []) + warnings
        return out

    @staticmethod
    def _defender_converged(params, reader):
        """``(exclusions in place, warnings)`` when the Defender exclusions are as the full path would leave
        them (the antivirus_exclusions role: present unless O(state=absent)); else NotConverged."""
        if not params['antivirus_exclusions']:
            return [], []
        state = 'absent' if params['state'] == 'absent' else 'present'
        defender = DefenderExclusions(reader)
        try:
            found = defender.run(params['exclusion_paths'], state, check_mode=True)
        except HostCallError:
            found = {}  # a read the snapshot does not hold: reader.missed says which
        if reader.missed:
            raise NotConverged('the Defender decision needs more than the one read: %s' % reader.missed[0])
        reason = not_as_wanted(found)
        if reason:
            raise NotConverged(reason)
        return list(found.get('exclusions') or []), list(defender.warnings)

    def _decide_on_host(self, params, task_vars):
        """The fast path without facts: ``asr.mobility.agent`` in check mode detects the token on the host
        (from its release files, as it always does) and reads the state in the same call. The installer
        arguments are those of the newest installer of the listing whatever its token (a listing usually
        holds one release for every token). The installer's name matters only to a plan that needs an
        installer (then the host is not converged anyway); the version pinned for O(state=latest) matters
        always: when the host's token chooses another version, the host is decided again with the version
        the facts would have given (a second call), never by the guess's plan."""
        absent = params['state'] == 'absent'
        names = None
        if not absent:
            names = self._listing(params, task_vars)[0]
            if names is None and params['state'] == 'latest':
                raise NotConverged('state=latest and no installer to compare with: not listed')
        guess = rollout_choice.newest_installer(names or [], params['version']) if names else None
        plan = self._check_mode_plan(params, guess, task_vars)
        token = plan.get('os_token')
        choice = None
        if not plan.get('failed') and not absent and names is not None:
            try:
                choice = rollout_choice.choose(params, token, names, {})[0]
            except Problem as exc:
                raise NotConverged(exc.code)
            if 'error' in choice:
                choice = None
            # Only the version argument can change a converged answer: the installer's file name matters only
            # when the plan needs an installer, and then the host is not converged whatever the name.
            if self._agent_args(params, choice, None) != self._agent_args(params, guess, None):
                plan = self._check_mode_plan(params, choice, task_vars)
                token = plan.get('os_token') or token
        try:
            return self._converged(params, task_vars, plan, token, choice, absent)
        except NotConverged as exc:
            exc.choice = self._handoff(params, task_vars, plan)
            raise

    def _handoff(self, params, task_vars, plan):
        """What ``mode: choose`` would return, from the token decision the host made in this call
        (``plan['os']``), or None when the full path must choose itself: the call failed, the OS is not
        one the role goes on with, the input or config source has a problem it words, or the installers
        are listed on the host (their checksum file would cost another round trip)."""
        if plan.get('failed') or not plan.get('os') or params['installer_source'] == 'host':
            return None
        try:
            return self._choose(params, task_vars, detected=plan['os'])
        except (Problem, NotConverged):
            return None

    def _converged(self, params, task_vars, plan, token, choice, absent):
        """The fast path's answer from the check-mode plan: the record, or NotConverged with the reason."""
        if plan.get('failed'):
            raise NotConverged('decision failed: %s' % plan.get('msg', ''))
        actions = [a.get('action') for a in plan.get('actions') or []]
        if actions or plan.get('installer_needed'):
            raise NotConverged('planned: %s' % (', '.join(actions) or 'an installer'))
        if not absent and plan.get('os_token') and plan['os_token'] != token:
            raise NotConverged('the host reads token %s, the facts %s' % (plan['os_token'], token))
        # The record's keys at the top: the role registers this result as mobility_service_result.
        out = outcome(task_vars.get('inventory_hostname'), token, choice, plan)
        out.update(converged=True, reason='nothing to do',
                   plan=dict((k, v) for k, v in plan.items() if k not in ('invocation', 'warnings', 'changed')))
        if plan.get('warnings'):
            out['warnings'] = plan['warnings']
        return out

    def _listing(self, params, task_vars, every_source=False):
        """``(names, checksum text)``: the installer file names the source offers and the text of
        its checksum file ('' when not read). Names are None when not read here: the fast path
        lists a host directory only for O(state=latest); the full path (``every_source``) always."""
        source = params['installer_source']
        if source == 'controller':
            directory = params['installer_dir']
            if not os.path.isabs(directory):
                directory = self._loader.path_dwim(directory)
            names = set()
            for pattern in NAME_PATTERNS:
                names.update(os.path.basename(p) for p in glob.glob(os.path.join(directory, pattern)))
            text = ''
            if every_source and not params['checksums']:
                try:
                    with open(os.path.join(directory, params['checksum_file']), 'rb') as handle:
                        text = to_text(handle.read(), errors='surrogate_or_replace')
                except (IOError, OSError):
                    text = ''
            return sorted(names), text
        if source == 'url':
            # Read once per task: the fast path's hand-over (_choose) lists again what its decision listed.
            if self._mirror_listing is None:
                url = params['installer_url'].rstrip('/') + '/' + params['checksum_file']
                try:
                    text = to_text(open_url(url, timeout=params['url_timeout'],
                                            url_username=params['url_username'] or None,
                                            url_password=params['url_password'] or None,
                                            force_basic_auth=bool(params['url_username'])).read())
                except Exception as exc:  # pylint: disable=broad-except
                    raise NotConverged('cannot read %s: %s' % (url, exc))
                self._mirror_listing = (sorted(rollout_choice.parse_checksums(text)), text)
            return self._mirror_listing
        if params['state'] != 'latest' and not every_source:
            return None, ''                   # host source: only latest needs the listing
        found = self._run_module('ansible.builtin.find', {
            'paths': params['installer_host_dir'], 'patterns': NAME_PATTERNS}, task_vars)
        if found.get('failed'):
            raise NotConverged('cannot list %s on the host: %s' % (params['installer_host_dir'], found.get('msg')))
        names = [os.path.basename(f['path']) for f in found.get('files') or []]
        text = ''
        if every_source and not params['checksums']:
            sums = self._run_module('ansible.builtin.slurp', {
                'src': params['installer_host_dir'].rstrip('/') + '/' + params['checksum_file']}, task_vars)
            if not sums.get('failed') and sums.get('content'):
                text = to_text(base64.b64decode(sums['content']), errors='surrogate_or_replace')
        return names, text

    def _check_mode_plan(self, params, choice, task_vars):
        """``asr.mobility.agent`` in check mode on a Linux host, with the role's arguments."""
        where = params['installer_host_dir'] if params['installer_source'] == 'host' else params['remote_dir']
        args = self._agent_args(params, choice, where.rstrip('/') + '/' + choice['name'] if choice else None)
        if params['installer_source'] != 'host':
            args['work_dir'] = params['remote_dir']
        return self._run_module(MODULE, args, task_vars)

    def _windows_plan(self, params, choice, caller, facts):
        """The same lifecycle in check mode on a Windows host (``WindowsHost``, reads only), reading through
        ``caller`` (``SnapshotCaller``) with the host's OS data ``facts``."""
        installer = (params['installer_host_dir'].rstrip('\\') if params['installer_source'] == 'host'
                     else WINDOWS_REMOTE_DIR) + '\\' + choice['name'] if choice else None
        validated = ArgumentSpecValidator(agent_argument_spec()).validate(self._agent_args(params, choice, installer))
        if validated.error_messages:
            return {'failed': True, 'msg': '; '.join(validated.error_messages)}
        host = WindowsHost(caller, facts=facts)
        return agent_lifecycle.run(host, validated.validated_parameters, check_mode=True)

    @staticmethod
    def _agent_args(params, choice, installer):
        """The role's ``asr.mobility.agent`` arguments for this choice."""
        version = params['version'] or (choice['version'] if choice and params['state'] == 'latest' else '')
        args = {
            'state': params['state'], 'migrate': params['migrate'], 'platform': params['platform'],
            'install_dir': params['install_dir'], 'register': params['register'],
            'cs_port': params['cs_port'], 'os_token_overrides': params['os_token_overrides'],
        }
        optional = {'installer': installer, 'version': version, 'control_plane': params['control_plane'],
                    'cs_address': params['cs_address'], 'passphrase': params['passphrase'],
                    'config': params['config']}
        args.update((k, v) for k, v in optional.items() if v)
        return args

    def _run_module(self, name, args, task_vars):
        """A module in check mode, whatever the task's own check mode (nothing changes here)."""
        saved = self._task.check_mode
        self._task.check_mode = True
        try:
            return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)
        finally:
            self._task.check_mode = saved
