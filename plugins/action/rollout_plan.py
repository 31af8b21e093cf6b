# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin ``asr.mobility.rollout_plan``: is this Linux host already as wanted?

The converged fast path of the ``mobility_service`` role. In one task (one module round trip, two
when the installers sit on the host and O(state=latest)) it does what the role's input checks,
installer choice and check-mode decision do, and answers ``converged: true`` only when all of them
agree that nothing is to be done. Any doubt (a bad input, an unsupported OS, no installer, an
action planned, a Windows host) answers ``converged: false`` with the reason, and the role then runs
its full path, which decides again and reports errors with its usual messages. The decision itself
is the same code: ``asr.mobility.agent`` in check mode (module_utils.planner).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import open_url
from ansible.plugins.action import ActionBase

from ansible_collections.asr.mobility.plugins.filter.mobility import (
    choose_installer, os_token, parse_checksums)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import (
    WINDOWS, connection_shell_family, host_os_family)

MODULE = 'asr.mobility.agent'
STATES = ('present', 'latest', 'absent')
SOURCES = ('controller', 'url', 'host')
NAME_PATTERNS = ['Microsoft-ASR_UA_*', 'microsoft-asr_ua_*']

ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present'),
    reboot=dict(type='str', default='never'),
    version=dict(type='str', default=''),
    control_plane=dict(type='str', default=''),
    migrate=dict(type='bool', default=False),
    platform=dict(type='str', default='VmWare'),
    install_dir=dict(type='str', default='/usr/local/ASR'),
    register=dict(type='bool', default=True),
    cs_address=dict(type='str', default=''),
    cs_port=dict(type='int', default=443),
    passphrase=dict(type='str', default='', no_log=True),
    config=dict(type='str', default='', no_log=True),
    os_token_overrides=dict(type='dict', default={}),
    installer_source=dict(type='str', default='controller'),
    installer_dir=dict(type='str', default=''),
    installer_url=dict(type='str', default=''),
    installer_host_dir=dict(type='str', default=''),
    checksum_file=dict(type='str', default='SHA256SUMS'),
    remote_dir=dict(type='str', default='/var/tmp/asr-mobility'),
    url_timeout=dict(type='int', default=10),
)


class NotConverged(Exception):
    """The fast path cannot say "nothing to do": the full path decides and reports."""


def input_problem(params):
    """The role's input checks (tasks/inputs.yml) as one function: None or what is wrong."""
    if params['state'] not in STATES:
        return 'state %r' % params['state']
    if params['reboot'] not in ('never', 'if_required'):
        return 'reboot %r' % params['reboot']
    if params['installer_source'] not in SOURCES:
        return 'installer_source %r' % params['installer_source']
    if params['state'] == 'absent':
        return None
    if params['control_plane'] not in ('classic', 'modernized'):
        return 'control_plane %r' % params['control_plane']
    if params['register'] and params['control_plane'] == 'classic' and not (
            params['cs_address'] and params['passphrase']):
        return 'classic registration inputs missing'
    if params['register'] and params['control_plane'] == 'modernized' and not params['config']:
        return 'modernized registration config missing'
    location = {'controller': 'installer_dir', 'url': 'installer_url',
                'host': 'installer_host_dir'}[params['installer_source']]
    if not params[location]:
        return '%s not set' % location
    return None


def outcome(host, token, choice, plan):
    """The role's per-host record (``mobility_service_result``) for a host left as it was."""
    return {
        'host': host, 'os_token': token,
        'installer': (choice or {}).get('name'),
        'version_before': plan.get('version_before'), 'version_after': plan.get('version_after'),
        'actions': [], 'changed': False, 'registered': bool(plan.get('registered', False)),
        'reboot_required': False, 'rebooted': False, 'checksum_verified': False,
        'failed': False, 'failure_reason': '',
    }


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result.update(changed=False, converged=False)
        try:
            result.update(self._decide(params, task_vars))
        except NotConverged as exc:
            result['reason'] = to_text(exc)
        return result

    # ----------------------------------------------------------------------------------------------
    def _decide(self, params, task_vars):
        family, evidence = host_os_family(task_vars, connection_shell_family(self._connection))
        if family == WINDOWS:
            raise NotConverged('Windows host (%s): the full path also keeps the Defender exclusions' % evidence)
        problem = input_problem(params)
        if problem:
            raise NotConverged('inputs: %s' % problem)
        facts = task_vars.get('ansible_facts') or {}
        detected = os_token(facts, params['os_token_overrides'])
        absent = params['state'] == 'absent'
        if not absent and not detected['supported']:
            raise NotConverged('unsupported OS: %s' % detected['reason'])

        choice = None
        if not absent:
            names = self._installer_names(params, task_vars)
            if names is not None:
                choice = choose_installer(names, detected['token'], params['version'], strict=False)
            if params['state'] == 'latest' and (choice is None or 'error' in choice):
                raise NotConverged('state=latest and no installer to compare with: %s'
                                   % (choice or {}).get('error', 'not listed'))
            if choice is not None and 'error' in choice:
                choice = None

        plan = self._check_mode_plan(params, choice, task_vars)
        if plan.get('failed'):
            raise NotConverged('decision failed: %s' % plan.get('msg', ''))
        actions = [a.get('action') for a in plan.get('actions') or []]
        if actions or plan.get('installer_needed'):
            raise NotConverged('planned: %s' % (', '.join(actions) or 'an installer'))
        if not absent and plan.get('os_token') and plan['os_token'] != detected['token']:
            raise NotConverged('the host reads token %s, the facts %s' % (plan['os_token'], detected['token']))

        # The record's keys at the top: the role registers this result as mobility_service_result.
        out = outcome(task_vars.get('inventory_hostname'), detected['token'], choice, plan)
        out.update(converged=True, reason='nothing to do',
                   plan=dict((k, v) for k, v in plan.items() if k not in ('invocation', 'warnings', 'changed')))
        if plan.get('warnings'):
            out['warnings'] = plan['warnings']
        return out

    def _installer_names(self, params, task_vars):
        """Installer file names as tasks/choose.yml reads them; None when not read here."""
        source = params['installer_source']
        if source == 'controller':
            directory = params['installer_dir']
            if not os.path.isabs(directory):
                directory = self._loader.path_dwim(directory)
            names = set()
            for pattern in NAME_PATTERNS:
                names.update(os.path.basename(p) for p in glob.glob(os.path.join(directory, pattern)))
            return sorted(names)
        if source == 'url':
            url = params['installer_url'].rstrip('/') + '/' + params['checksum_file']
            try:
                text = to_text(open_url(url, timeout=params['url_timeout']).read())
            except Exception as exc:  # pylint: disable=broad-except
                raise NotConverged('cannot read %s: %s' % (url, exc))
            return sorted(parse_checksums(text))
        if params['state'] != 'latest':
            return None                       # host source: only latest needs the listing
        found = self._run_module('ansible.builtin.find', {
            'paths': params['installer_host_dir'], 'patterns': NAME_PATTERNS}, task_vars)
        if found.get('failed'):
            raise NotConverged('cannot list %s on the host: %s' % (params['installer_host_dir'], found.get('msg')))
        return [os.path.basename(f['path']) for f in found.get('files') or []]

    def _check_mode_plan(self, params, choice, task_vars):
        """``asr.mobility.agent`` in check mode, with the arguments of tasks/linux.yml."""
        if choice:
            where = params['installer_host_dir'] if params['installer_source'] == 'host' else params['remote_dir']
            installer = where.rstrip('/') + '/' + choice['name']
        else:
            installer = None
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
        if params['installer_source'] != 'host':
            args['work_dir'] = params['remote_dir']
        return self._run_module(MODULE, args, task_vars)

    def _run_module(self, name, args, task_vars):
        """A module in check mode, whatever the task's own check mode (nothing changes here)."""
        saved = self._task.check_mode
        self._task.check_mode = True
        try:
            return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)
        finally:
            self._task.check_mode = saved
