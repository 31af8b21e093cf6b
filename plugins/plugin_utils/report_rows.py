# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report data (role ``asr.mobility.mobility_report``): per-host rows from what the collect
step registered, counts, and the CSV / JSON renderings. The HTML rendering and the filter names
are in ``plugins/filter/report.py``.

Controller side only; pure functions of their arguments.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import re

from ansible_collections.asr.mobility.plugins.module_utils import os_tokens
from ansible_collections.asr.mobility.plugins.module_utils import state as state_utils
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_vendor import (
    DEFAULT_INSTALL_LOCATION, decode_log, drscout_path, windows_facts)
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import host_vars_os_family

NOT_INSTALLED = 'not installed'
UNKNOWN = 'unknown'
NONE_LABEL = 'none'

# Column key, CSV/HTML heading, sort type (text, version, bool). The order is the CSV's and the table's.
COLUMNS = (
    ('host', 'Host', 'text'),
    ('status', 'Status', 'text'),
    ('platform', 'Platform', 'text'),
    ('os', 'Operating system', 'text'),
    ('os_token', 'Installer token', 'text'),
    ('supported', 'Supported OS', 'bool'),
    ('installed', 'Installed', 'bool'),
    ('version', 'Agent version', 'version'),
    ('control_plane', 'Control plane', 'text'),
    ('registered', 'Registered', 'bool'),
    ('configuration_status', 'Configuration status', 'text'),
    ('cs_address', 'Configuration server', 'text'),
    ('reboot_required', 'Reboot needed', 'bool'),
    ('services', 'Services', 'text'),
    ('message', 'Message', 'text'),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)

_VERSION_PARTS = re.compile(r'\d+')


def _get(mapping, key, default=None):
    try:
        value = mapping.get(key, default)
    except AttributeError:
        return default
    return default if value is None else value


def _text(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return str(value)


def report_os_family(host_vars):
    """``windows`` or ``linux`` for one host: the rule of the filter ``asr.mobility.os_family``
    (``asr_mobility_os_family``, then the ``os_family`` fact, then the connection)."""
    return host_vars_os_family(host_vars)


def _failure_message(result, what):
    msg = _get(result, 'msg') or _get(result, 'module_stderr') or 'no message'
    # gather_facts names the facts modules that failed; their own messages say why.
    details = [_get(sub, 'msg') for sub in (_get(result, 'failed_modules', {}) or {}).values()]
    details = [str(d) for d in details if d]
    if details:
        msg = '%s (%s)' % (msg, '; '.join(details))
    msg = ' '.join(str(msg).split())
    if len(msg) > 300:
        msg = msg[:297] + '...'
    return '%s: %s' % (what, msg)


def _services_text(services):
    if not isinstance(services, dict):
        return _text(services)
    return ', '.join('%s=%s' % (k, services[k]) for k in sorted(services))


def _windows_values(registry):
    """Registered loop of ``ansible.windows.win_reg_stat`` -> (uninstall key exists, product values, error)."""
    exists = False
    values = {}
    for item in _get(registry, 'results', []) or []:
        if _get(item, 'skipped'):
            continue
        if _get(item, 'failed') or _get(item, 'unreachable') or 'exists' not in item:
            return False, {}, _failure_message(item, 'registry read failed')
        path = str(_get(item, 'item', '') or _get(_get(item, 'invocation', {}), 'module_args', {}).get('path', ''))
        props = dict((name, _get(prop, 'value')) for name, prop in (_get(item, 'properties', {}) or {}).items())
        if '\\Uninstall\\' in path:
            exists = exists or bool(_get(item, 'exists'))
        elif _get(item, 'exists'):
            values = props
    return exists, values, None


def report_drscout_path(registry):
    """Where a Windows host's ``drscout.conf`` is, from the registered ``win_reg_stat`` loop: under the
    registry's InstallDirectory, as the lifecycle reads it (``windows_vendor.drscout_path``); '' when the
    agent is not installed or the registry could not be read."""
    exists, values, error = _windows_values(registry)
    if error or not exists:
        return ''
    return drscout_path(values.get('InstallDirectory'), DEFAULT_INSTALL_LOCATION)


def _drscout_text(slurped):
    """The text of a registered ``slurp`` of drscout.conf -> (text or None, why it is None)."""
    if slurped is None or _get(slurped, 'skipped'):
        return None, 'drscout.conf was not read'
    if _get(slurped, 'failed') or _get(slurped, 'unreachable') or 'content' not in slurped:
        return None, _failure_message(slurped, 'drscout.conf could not be read')
    return decode_log(_get(slurped, 'content')), None


def _base_row(host, platform):
    row = dict((key, None) for key in COLUMN_KEYS)
    row.update(host=host, platform=platform, status='ok', message='')
    return row


def report_row(host, host_vars):
    """One host's row from its variables: ``mobility_report_facts`` (gather_facts result),
    ``mobility_report_agent`` (agent_info, Linux) and ``mobility_report_registry`` (Windows)."""
    host_vars = host_vars or {}
    platform = report_os_family(host_vars)
    row = _base_row(host, platform)
    facts_result = _get(host_vars, 'mobility_report_facts')
    if facts_result is None:
        row.update(status='unreachable', platform=None,
                   message='no data: the host was not read (not in the play, or the play stopped before it)')
        return row
    if _get(facts_result, 'unreachable'):
        row.update(status='unreachable', platform=None, message=_failure_message(facts_result, 'unreachable'))
        return row
    gathered = _get(facts_result, 'ansible_facts', {}) or {}
    # The collect step registers with failed_when: false, so success is judged by its shape.
    if _get(facts_result, 'failed') or not gathered:
        row.update(status='failed', message=_failure_message(facts_result, 'fact gathering failed'))
        return row
    facts = _get(host_vars, 'ansible_facts') or gathered
    if platform == 'windows':
        return _windows_row(row, host_vars, facts)
    return _linux_row(row, host_vars)


def _linux_row(row, host_vars):
    info = _get(host_vars, 'mobility_report_agent')
    if info is None or _get(info, 'skipped'):
        row.update(status='failed', message='asr.mobility.agent_info did not run')
        return row
    if _get(info, 'unreachable'):
        row.update(status='unreachable', message=_failure_message(info, 'unreachable'))
        return row
    if _get(info, 'failed') or 'installed' not in info:
        row.update(status='failed', message=_failure_message(info, 'asr.mobility.agent_info failed'))
        return row
    dist = ('%s %s' % (_get(info, 'distribution', ''), _get(info, 'distribution_version', ''))).strip()
    row.update(
        os=dist or None, os_token=_get(info, 'os_token'),
        supported=_get(info, 'os_token') is not None,
        installed=bool(_get(info, 'installed')), version=_get(info, 'version'),
        control_plane=_get(info, 'control_plane'), registered=bool(_get(info, 'registered')),
        configuration_status=_get(info, 'configuration_status'), cs_address=_get(info, 'cs_address'),
        reboot_required=_get(info, 'reboot_required'), services=_services_text(_get(info, 'services')),
        message=_get(info, 'unsupported_reason', ''),
    )
    return row


def _windows_row(row, host_vars, facts):
    exists, values, error = _windows_values(_get(host_vars, 'mobility_report_registry'))
    if error:
        row.update(status='failed', message=error)
        return row
    host = windows_facts(facts)
    detected = os_tokens.detect(distribution=host['distribution'], version=host['version'],
                                architecture=host['architecture'], os_family='Windows',
                                overrides=_get(host_vars, 'mobility_service_os_token_overrides', {}) or {})
    notes = [] if detected['supported'] else [detected['reason']]
    # The control plane and the configuration server are in drscout.conf, not in the registry
    # (reference §2.5 [R2]): the lifecycle's own parser reads both (state.windows_state).
    text, why = _drscout_text(_get(host_vars, 'mobility_report_drscout')) if exists else (None, None)
    agent = state_utils.windows_state(exists, values, text)
    if agent['installed'] and text is None:
        agent.update(control_plane=None, cs_address=None)  # unknown, not the vendor's default for a missing CSType
        notes.append('%s: control plane and configuration server unknown' % why)
    row.update(
        os=host['distribution'] or 'Windows', os_token=detected['token'], supported=bool(detected['supported']),
        installed=bool(agent['installed']), version=agent['version'], control_plane=agent['control_plane'],
        registered=bool(agent['registered']), configuration_status=agent['configuration_status'],
        cs_address=agent.get('cs_address'), reboot_required=agent.get('reboot_required'),
        services=None, message='; '.join(notes),
    )
    return row


def report_rows(hostvars, hosts):
    """Rows for ``hosts`` (names) from ``hostvars``, sorted by host name."""
    rows = []
    for host in sorted(set(hosts or [])):
        try:
            host_vars = hostvars[host]
        except (KeyError, TypeError):
            host_vars = {}
        rows.append(report_row(host, host_vars))
    return rows


def _version_key(label):
    if label == NOT_INSTALLED:
        return (0, ())
    if label == UNKNOWN:
        return (1, ())
    return (2, tuple(int(p) for p in _VERSION_PARTS.findall(label)))


def _tally(values, order=None):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    keys = list(order or [])
    keys += sorted(k for k in counts if k not in keys)
    return [{'label': k, 'count': counts.get(k, 0)} for k in keys if k in counts or order]


def report_counts(rows):
    """Counts over the rows: hosts, read / unreachable / failed; over the hosts that were read: by
    version, registration, unsupported OS; over the hosts with the agent: control plane, reboot needed."""
    rows = list(rows or [])
    read = [r for r in rows if r.get('status') == 'ok']
    versions = {}
    for r in read:
        label = (r.get('version') or UNKNOWN) if r.get('installed') else NOT_INSTALLED
        versions[label] = versions.get(label, 0) + 1
    by_version = [{'label': k, 'count': versions[k]} for k in sorted(versions, key=_version_key, reverse=True)]
    installed = [r for r in read if r.get('installed')]
    return {
        'hosts': len(rows),
        'read': len(read),
        'unreachable': sum(1 for r in rows if r.get('status') == 'unreachable'),
        'failed': sum(1 for r in rows if r.get('status') == 'failed'),
        'installed': len(installed),
        'by_version': by_version,
        'by_control_plane': _tally([r.get('control_plane') or NONE_LABEL for r in installed],
                                   order=['modernized', 'classic']),
        'registration': _tally(['registered' if r.get('registered') else 'not registered' for r in installed] +
                               [NOT_INSTALLED for r in read if not r.get('installed')],
                               order=['registered', 'not registered', NOT_INSTALLED]),
        'reboot': _tally([UNKNOWN if r.get('reboot_required') is None else ('needed' if r['reboot_required']
                                                                            else 'not needed') for r in installed],
                         order=['needed', 'not needed', UNKNOWN]),
        'unsupported_os': sum(1 for r in read if r.get('supported') is False),
        'unsupported_hosts': [r['host'] for r in read if r.get('supported') is False],
    }


# ---------------------------------------------------------------------------------------------
# Renderings

def _csv_cell(value):
    text = _text(value)
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    if text and text[0] in '=+@\t\r' or (text.startswith('-') and not re.match(r'^-\d+(\.\d+)?$', text)):
        text = "'" + text
    return text


def report_csv(rows):
    """Rows -> CSV text (header line, one line per host, columns as ``COLUMNS``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow([c[0] for c in COLUMNS])
    for row in rows or []:
        writer.writerow([_csv_cell(row.get(key)) for key in COLUMN_KEYS])
    return out.getvalue()


def report_json(rows, generated='', title=''):
    """Rows -> the JSON document: title, generated, counts and hosts."""
    doc = {'title': title, 'generated': generated, 'counts': report_counts(rows), 'hosts': list(rows or [])}
    return json.dumps(doc, indent=2, sort_keys=True) + '\n'
