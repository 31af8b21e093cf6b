# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``mobility_service`` role decides before it asks the host: one home for both paths.

The converged fast path (``asr.mobility.rollout_plan``) and the role's full path (the same action
with O(mode=choose)) use these functions, so the role's YAML no longer restates them:

* ``input_problem``: the input checks, each with a short code (the fast path's reason) and the
  role's own error message;
* ``host_token``: the installer token from the gathered facts, or the role's refusal;
* ``choose``: the installer chosen for the token from the names a source lists, and its sha256;
* ``host_record``: the per-host record ``mobility_service_result`` (also the filter
  ``asr.mobility.host_record``).

Controller side only (plugin_utils): no Python 2.7 constraint applies, but nothing here needs more.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.asr.mobility.plugins.module_utils import agent_args
from ansible_collections.asr.mobility.plugins.module_utils import installer as installer_utils
from ansible_collections.asr.mobility.plugins.module_utils import os_tokens

STATES = tuple(agent_args.STATES)
CONTROL_PLANES = tuple(agent_args.CONTROL_PLANES)
REBOOTS = ('never', 'if_required')
SOURCES = ('controller', 'url', 'host')
# Where a modernized host's config.json comes from (role variable mobility_service_config_source).
CONFIG_SOURCES = ('inline', 'dir', 'appliance')
NAME_PATTERNS = ['Microsoft-ASR_UA_*', 'microsoft-asr_ua_*']
# The option each installer source needs (role variable: mobility_service_<option>).
SOURCE_LOCATION = {'controller': 'installer_dir', 'url': 'installer_url', 'host': 'installer_host_dir'}
UNCHANGED = 'Nothing was changed.'


class Problem(Exception):
    """An input the role refuses: ``code`` for the fast path's reason, ``str()`` the role's message."""

    def __init__(self, code, message, **extra):
        super(Problem, self).__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def insecure_http_accepted(params):
    """Whether a plain-http mirror is used without pinned checksums because the user said so."""
    return bool(params['installer_source'] == 'url' and params['installer_url'].lower().startswith('http://')
                and not params['checksums'] and params.get('allow_insecure_http'))


def input_problem(params, windows=False):
    """The role's input checks: None, or the first ``Problem`` (code, message)."""
    if (params['state'] not in STATES or params['reboot'] not in REBOOTS
            or params['installer_source'] not in SOURCES):
        bad = [('state', STATES), ('reboot', REBOOTS), ('installer_source', SOURCES)]
        code = ['%s %r' % (k, params[k]) for k, allowed in bad if params[k] not in allowed][0]
        return Problem(code, 'mobility_service_state must be present, latest or absent; mobility_service_reboot never '
                             'or if_required; mobility_service_installer_source controller, url or host.')
    if params['state'] == 'absent':
        return None
    if params['control_plane'] not in CONTROL_PLANES:
        return Problem(
            'control_plane %r' % params['control_plane'],
            "mobility_service_control_plane must be classic or modernized (there is no silent default; classic is "
            "unsupported by Microsoft from March 2026), got '%s'. %s" % (params['control_plane'], UNCHANGED))
    # The address is needed to judge an existing registration; the passphrase / config.json only
    # when a registration is planned: the agent lifecycle refuses then (agent_lifecycle.missing_inputs).
    # A registered agent's routine rerun (also after an upgrade) needs no secret (issue 12).
    if params['register'] and params['control_plane'] == 'classic' and not params['cs_address']:
        return Problem('classic registration inputs missing',
                       'Classic registration needs mobility_service_cs_address (the configuration server the agent '
                       'must be registered with). %s' % UNCHANGED)
    if params['register'] and params['control_plane'] == 'modernized':
        problem = config_source_problem(params)
        if problem:
            return problem
    location = SOURCE_LOCATION[params['installer_source']]
    if not params[location]:
        return Problem('%s not set' % location, 'mobility_service_installer_source=%s needs mobility_service_%s. %s'
                       % (params['installer_source'], location, UNCHANGED))
    if (params['installer_source'] == 'url' and params[location].lower().startswith('http://')
            and not params['checksums'] and not insecure_http_accepted(params)):
        return Problem('plain http mirror without pinned checksums',
                       'mobility_service_installer_url %s is plain http://: its checksum file and the installer would '
                       'come over the same untrusted channel. Use https://, pin the installers\' sha256 in '
                       'mobility_service_checksums, or accept the risk with mobility_service_allow_insecure_http=true '
                       '(reported on every run). %s' % (params[location], UNCHANGED))
    if windows and params['installer_source'] == 'host':
        return Problem('host installer source on Windows',
                       'mobility_service_installer_source=host is supported on Linux hosts only; use controller or url '
                       'for Windows hosts. %s' % UNCHANGED)
    if (params['installer_source'] == 'host' and not params['checksums']
            and params.get('verify_checksum', True)):
        return Problem('host source without pinned checksums',
                       'mobility_service_installer_source=host needs the installers\' sha256 pinned in '
                       'mobility_service_checksums: a checksum file on the host sits beside the file it vouches for. '
                       '%s' % UNCHANGED)
    return None


def config_source_problem(params):
    """The modernized config inputs of the chosen source (``config_source``), checked without the host:
    ``inline`` nothing here (its config only when a registration is due); ``dir`` a directory or a map; ``appliance`` the appliance's inventory name.
    Whether the file exists and what the appliance is are checked later, and only when a registration is
    due (a registered host needs no config)."""
    source = params.get('config_source') or 'inline'
    if source not in CONFIG_SOURCES:
        return Problem('config_source %r' % source,
                       'mobility_service_config_source must be inline, dir or appliance, got %r. %s' % (source, UNCHANGED))
    # inline: the config itself is needed only when a registration is planned; the agent lifecycle
    # refuses then (agent_lifecycle.missing_inputs), so a registered host's rerun needs no secret.
    if source == 'dir' and not params.get('config_dir') and not params.get('config_files'):
        return Problem('config_dir not set',
                       'mobility_service_config_source=dir needs mobility_service_config_dir (a controller directory of '
                       '<inventory_hostname>.json files) or mobility_service_config_files (a map of inventory host name '
                       'to file). %s' % UNCHANGED)
    if source == 'appliance' and not params.get('appliance'):
        return Problem('appliance not set',
                       'mobility_service_config_source=appliance needs mobility_service_appliance: the inventory name '
                       'of the replication appliance (a Windows host) that makes each host\'s config.json. %s'
                       % UNCHANGED)
    return None


def config_file(params, host):
    """The controller path of ``host``'s config.json for the ``dir`` source: the map's entry (relative
    to the directory) or ``<config_dir>/<host>.json``."""
    name = (params.get('config_files') or {}).get(host) or '%s.json' % host
    directory = params.get('config_dir') or ''
    path = name if name.startswith('/') or not directory else directory.rstrip('/') + '/' + name
    return path


def os_token(facts, overrides=None):
    """Ansible facts (``ansible_facts``) -> the token decision dict of ``os_tokens.detect``."""
    facts = facts or {}
    return os_tokens.detect(
        distribution=facts.get('distribution'),
        version=facts.get('distribution_version'),
        # Windows localises ``architecture`` ("64 bits"); ``architecture2`` is not localised.
        architecture=facts.get('architecture2') or facts.get('architecture'),
        os_family=facts.get('os_family'),
        overrides=overrides or {},
    )


def host_token(facts, params, detected=None):
    """The token decision for the host; raises ``Problem`` when the role must refuse the host.
    ``detected``: the decision the host itself made (``asr.mobility.agent`` returns it as ``os``),
    used instead of the facts."""
    if not detected:
        detected = os_token(facts, params['os_token_overrides'])
    if params['state'] != 'absent' and not detected['supported']:
        raise Problem('unsupported OS: %s' % detected['reason'],
                      'Unsupported operating system: %s. %s' % (detected['reason'], UNCHANGED), os=detected)
    return detected


def choose_installer(names, token, version=None):
    """File names (paths allowed) -> the parsed installer for ``token`` (newest, or the newest
    matching the pinned ``version``), or ``{'error': reason}`` when there is none."""
    try:
        return installer_utils.choose(names or [], token, version or None)
    except (LookupError, ValueError) as exc:
        return {'error': str(exc)}


def newest_installer(names, version=None):
    """The newest installer among file names whatever their token (matching the pinned ``version``), or
    None: the fast path's choice before the host has said its token (``asr.mobility.rollout_plan``)."""
    found = []
    for name in names or []:
        try:
            info = installer_utils.parse_name(name)
        except installer_utils.InstallerNameError:
            continue
        if not version or installer_utils.version_matches(info['version_tuple'], version):
            found.append(info)
    found.sort(key=lambda c: (c['version_tuple'], c['name']))
    return found[-1] if found else None


_SUM_LINE = re.compile(r'^(?P<sum>[0-9a-fA-F]{64})\s+\*?(?P<name>\S.*)$')
_BSD_LINE = re.compile(r'^SHA256\s*\((?P<name>.+)\)\s*=\s*(?P<sum>[0-9a-fA-F]{64})$')


def parse_checksums(text):
    """``sha256sum`` (or BSD ``SHA256 (name) = sum``) text -> {file name: lower-case sha256}."""
    sums = {}
    for raw in (text or '').splitlines():
        line = raw.strip()
        match = _SUM_LINE.match(line) or _BSD_LINE.match(line)
        if match:
            name = re.split(r'[\\/]', match.group('name').strip())[-1]
            sums[name] = match.group('sum').lower()
    return sums


def choose(params, token, names, sums):
    """``(installer, sha256)`` for the host: the choice (or ``{'error': ...}``) and its known sha256.
    Raises ``Problem`` when O(state=latest) has nothing to compare with."""
    choice = choose_installer(names, token, params['version'])
    if params['state'] == 'latest' and 'error' in choice:
        raise Problem('state=latest and no installer to compare with: %s' % choice['error'],
                      '%s (source: %s). %s' % (choice['error'], params['installer_source'], UNCHANGED))
    return choice, ('' if 'error' in choice else (sums or {}).get(choice['name'], ''))


def installer_version(params, choice):
    """The version the role pins for the decision: the pin, else (state=latest) the chosen one."""
    if params['version']:
        return params['version']
    if params['state'] == 'latest' and choice and 'version' in choice:
        return choice['version']
    return ''


def _get(result, key, default=None):
    try:
        value = result.get(key, default)
    except AttributeError:
        return default
    return default if value is None and default is not None else value


def host_record(host, os_token=None, installer=None, plan=None, agent=None, rebooted=None,
                checksum_verified=False, defender_exclusions=None, failed_result=None, failed_task=None,
                previous=None):
    """The per-host record ``mobility_service_result``: one builder for the fast path, both
    platforms of the full path and (with ``failed_result``) the rescue.

    ``plan`` is the check-mode result of ``asr.mobility.agent``; ``agent`` its real run (a skipped
    result, or none, on a host with nothing to do); ``rebooted`` the reboot task's result;
    ``defender_exclusions`` (Windows) the exclusions now in place, left out of the record when None.
    With ``failed_result`` (the rescue's ``ansible_failed_result``): ``previous`` (the record so far,
    if it is one) plus the failed task's name, the reason and the vendor's exit code and log tail.
    """
    if failed_result is not None:
        return _failed_record(previous, host, os_token, failed_task, failed_result)
    plan = plan or {}
    agent = agent or {}
    actions = [a.get('action') for a in _get(plan, 'actions', []) or []]
    record = {
        'host': host,
        'os_token': os_token,
        'installer': installer or None,
        'version_before': plan.get('version_before'),
        'version_after': agent['version_after'] if 'version_after' in agent else plan.get('version_after'),
        'actions': actions,
        'changed': bool(agent.get('changed', False)),
        'registered': bool(agent['registered'] if 'registered' in agent else plan.get('registered', False)),
        'reboot_required': bool(agent.get('reboot_required', False)),
        'rebooted': bool(_get(rebooted, 'rebooted', False)),
        'checksum_verified': bool(checksum_verified),
        'failed': False,
        'failure_reason': '',
    }
    if defender_exclusions is not None:
        record['defender_exclusions'] = list(defender_exclusions)
    return record


def _failed_record(previous, host, os_token, failed_task, failed_result):
    record = dict(previous) if _get(previous, 'host') else {}
    failed_result = failed_result or {}
    record.update({
        'host': host,
        'os_token': os_token,
        'failed': True,
        'changed': failed_result.get('changed', False),
        'failed_task': _get(failed_task, 'name', ''),
        'failure_reason': failed_result.get('msg', 'unknown failure'),
        'vendor_exit_code': failed_result.get('vendor_exit_code'),
        'log_tail': failed_result.get('log_tail', []),
    })
    return record
