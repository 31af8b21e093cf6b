# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report filters (role ``asr.mobility.mobility_report``): per-host rows from what the
collect step registered, counts, and the HTML / CSV / JSON renderings.

Controller side only. Everything here is a pure function of its arguments (the time stamp is
passed in), so the same rows always render the same bytes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.asr.mobility.plugins.module_utils import os_tokens
from ansible_collections.asr.mobility.plugins.module_utils import state as state_utils
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_agent import windows_facts
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import host_os_family

try:  # Python 3
    from html import escape as _html_escape
except ImportError:  # pragma: no cover - Python 2 controllers are not supported by ansible-core
    from cgi import escape as _html_escape

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
    """``windows`` or ``linux`` for one host: the variable ``asr_mobility_os_family``, then the
    ``os_family`` fact, then the connection (winrm/psrp/powershell mean Windows). Same rule as the
    ``asr.mobility.agent`` action plugin."""
    host_vars = host_vars or {}
    shell = _get(host_vars, 'ansible_shell_type')
    if not shell and _get(host_vars, 'ansible_connection') in ('winrm', 'psrp', 'ansible.builtin.winrm',
                                                               'ansible.builtin.psrp'):
        shell = 'powershell'
    task_vars = {
        'asr_mobility_os_family': _get(host_vars, 'asr_mobility_os_family'),
        'ansible_facts': _get(host_vars, 'ansible_facts', {}),
    }
    return host_os_family(task_vars, shell)[0]


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
    agent = state_utils.windows_state(exists, values)
    row.update(
        os=host['distribution'] or 'Windows', os_token=detected['token'], supported=bool(detected['supported']),
        installed=bool(agent['installed']), version=agent['version'], control_plane=agent['control_plane'],
        registered=bool(agent['registered']), configuration_status=agent['configuration_status'],
        cs_address=agent.get('cs_address'), reboot_required=agent.get('reboot_required'),
        services=None, message='' if detected['supported'] else detected['reason'],
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


def _e(value):
    return _html_escape(_text(value), quote=True)


def _sort_value(key, kind, value, row):
    if kind == 'version':
        if not row.get('installed'):
            return '0'
        parts = [int(p) for p in _VERSION_PARTS.findall(_text(value))][:4]
        parts += [0] * (4 - len(parts))
        return '1.' + '.'.join('%09d' % p for p in parts)
    if kind == 'bool':
        return {True: '2', False: '1'}.get(value, '0')
    return _text(value).lower()


def _bar_chart(title, items, chart_id):
    """A horizontal bar chart as inline SVG (no script, no external resources)."""
    items = [i for i in items if i['count']]
    bar_h, gap, label_w, bar_w, pad = 22, 8, 150, 260, 40
    height = max(1, len(items)) * (bar_h + gap) + 30
    width = label_w + bar_w + pad + 10
    top = max([i['count'] for i in items] or [1])
    parts = ['<svg id="%s" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" aria-label="%s">' % (chart_id, width, height, width, height, _e(title)),
             '<title>%s</title>' % _e(title),
             '<text x="0" y="16" class="chart-title">%s</text>' % _e(title)]
    if not items:
        parts.append('<text x="0" y="44" class="chart-empty">no hosts</text>')
    for n, item in enumerate(items):
        y = 28 + n * (bar_h + gap)
        w = max(2, int(round(bar_w * item['count'] / float(top))))
        parts.append(
            '<g class="bar" data-label="%s" data-count="%d">'
            '<text x="%d" y="%d" text-anchor="end" class="bar-label">%s</text>'
            '<rect x="%d" y="%d" width="%d" height="%d" rx="3"></rect>'
            '<text x="%d" y="%d" class="bar-value">%d</text></g>'
            % (_e(item['label']), item['count'], label_w - 8, y + 16, _e(item['label']),
               label_w, y, w, bar_h, label_w + w + 6, y + 16, item['count']))
    parts.append('</svg>')
    return ''.join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.1em;margin:24px 0 8px}
.meta{color:#57606a;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:150px}
.card .n{font-size:1.8em;font-weight:600}.card .l{color:#57606a}
.card.bad .n{color:#cf222e}
.breakdowns{display:flex;flex-wrap:wrap;gap:24px}
.breakdown table{border-collapse:collapse}.breakdown td{padding:2px 10px 2px 0}
.breakdown td.c{text-align:right;font-variant-numeric:tabular-nums}
svg.chart rect{fill:#0969da}svg.chart .chart-title{font-weight:600;font-size:13px}
svg.chart text{font-size:12px;fill:#1b1f24}
table#hosts{border-collapse:collapse;width:100%;font-size:0.9em}
#hosts th,#hosts td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
#hosts td{white-space:nowrap}#hosts td[data-key=message]{white-space:normal;min-width:24em}
.scroll{overflow-x:auto}
#hosts th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
#hosts th[aria-sort=ascending]::after{content:" \\25B2"}#hosts th[aria-sort=descending]::after{content:" \\25BC"}
#hosts tr.unreachable td,#hosts tr.failed td{background:#fff1f0}
#hosts tr.unsupported td{background:#fff8c5}
.note{color:#57606a;font-size:0.85em}
"""

# Sorting: click a heading (again to reverse); `#sort=<column>:<asc|desc>` in the address sorts on
# load through the same click handler. The body records the current order in data-sorted-by.
_JS = """
(function () {
  var table = document.getElementById('hosts');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function sortBy(th, dir) {
    var idx = th.cellIndex;
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r._pos = i; });
    rows.sort(function (a, b) {
      var x = a.cells[idx].getAttribute('data-sort'), y = b.cells[idx].getAttribute('data-sort');
      var c = x < y ? -1 : (x > y ? 1 : 0);
      if (dir === 'descending') { c = -c; }
      return c || (a._pos - b._pos);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute('aria-sort'); }
    th.setAttribute('aria-sort', dir);
    document.body.setAttribute('data-sorted-by', th.getAttribute('data-key') + ':' +
      (dir === 'ascending' ? 'asc' : 'desc'));
  }
  function onClick(ev) {
    var th = ev.currentTarget;
    var want = th.getAttribute('data-want');
    var dir = want || (th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending');
    th.removeAttribute('data-want');
    sortBy(th, dir);
  }
  for (var i = 0; i < heads.length; i++) { heads[i].addEventListener('click', onClick); }
  var m = /^#sort=([a-z_]+)(?::(asc|desc))?$/.exec(window.location.hash || '');
  if (m) {
    for (var j = 0; j < heads.length; j++) {
      if (heads[j].getAttribute('data-key') === m[1]) {
        heads[j].setAttribute('data-want', m[2] === 'desc' ? 'descending' : 'ascending');
        heads[j].click();
      }
    }
  }
  document.body.setAttribute('data-js', 'ready');
})();
"""


def _breakdown(title, items, key):
    lines = ['<div class="breakdown" data-breakdown="%s"><h3>%s</h3><table>' % (_e(key), _e(title))]
    for item in items:
        lines.append('<tr data-label="%s"><td>%s</td><td class="c">%d</td></tr>'
                     % (_e(item['label']), _e(item['label']), item['count']))
    if not items:
        lines.append('<tr><td>none</td><td class="c">0</td></tr>')
    lines.append('</table></div>')
    return ''.join(lines)


def _row_class(row):
    if row.get('status') != 'ok':
        return row.get('status')
    if row.get('supported') is False:
        return 'unsupported'
    return 'ok'


def report_html(rows, generated='', title='Azure Site Recovery Mobility Service: fleet report'):
    """Rows -> one self-contained HTML page (inline CSS, SVG chart and script; nothing fetched)."""
    rows = list(rows or [])
    counts = report_counts(rows)
    cards = [
        ('hosts', 'hosts', counts['hosts'], False),
        ('read', 'read', counts['read'], False),
        ('installed', 'agent installed', counts['installed'], False),
        ('registered', 'registered', sum(i['count'] for i in counts['registration'] if i['label'] == 'registered'),
         False),
        ('reboot_needed', 'reboot needed', sum(i['count'] for i in counts['reboot'] if i['label'] == 'needed'),
         True),
        ('unsupported_os', 'unsupported OS', counts['unsupported_os'], True),
        ('unreachable', 'unreachable', counts['unreachable'], True),
        ('failed', 'failed to read', counts['failed'], True),
    ]
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<title>%s</title>' % _e(title), '<style>%s</style></head>' % _CSS,
           '<body data-sorted-by="host:asc">',
           '<h1>%s</h1>' % _e(title),
           '<p class="meta">Generated <time id="generated">%s</time> from %d host(s).</p>'
           % (_e(generated), counts['hosts']),
           '<div class="cards" id="counts">']
    for key, label, number, alarm in cards:
        out.append('<div class="card%s" data-count="%s"><div class="n">%d</div><div class="l">%s</div></div>'
                   % (' bad' if alarm and number else '', key, number, _e(label)))
    out.append('</div>')
    out.append('<h2>Agent versions</h2>')
    out.append(_bar_chart('Hosts by agent version', counts['by_version'], 'chart-versions'))
    out.append('<div class="breakdowns">')
    out.append(_breakdown('Agent version', counts['by_version'], 'version'))
    out.append(_breakdown('Control plane', counts['by_control_plane'], 'control_plane'))
    out.append(_breakdown('Registration', counts['registration'], 'registration'))
    out.append(_breakdown('Reboot needed', counts['reboot'], 'reboot'))
    out.append('</div>')
    out.append('<h2>Hosts</h2><p class="note">Click a column heading to sort; click again to reverse.</p>')
    out.append('<div class="scroll"><table id="hosts"><thead><tr>')
    for key, heading, kind in COLUMNS:
        out.append('<th scope="col" data-key="%s" data-type="%s"%s>%s</th>'
                   % (key, kind, ' aria-sort="ascending"' if key == 'host' else '', _e(heading)))
    out.append('</tr></thead><tbody>')
    for row in rows:
        out.append('<tr class="%s" data-host="%s">' % (_e(_row_class(row)), _e(row.get('host'))))
        for key, heading, kind in COLUMNS:
            out.append('<td data-key="%s" data-sort="%s">%s</td>'
                       % (key, _e(_sort_value(key, kind, row.get(key), row)), _e(row.get(key))))
        out.append('</tr>')
    out.append('</tbody></table></div>')
    out.append('<p class="note">Control plane and reboot needed count the hosts with the agent. Reboot needed is '
               'read from the Windows registry (Reboot_Required); Linux hosts do not record it, so they count as '
               'unknown. Unsupported OS: no installer token for the host.</p>')
    out.append('<script>%s</script></body></html>' % _JS)
    return '\n'.join(out) + '\n'


def report_file_names(basename):
    if not basename or '/' in basename or basename.startswith('.'):
        raise AnsibleFilterError('mobility_report_basename must be a plain file name, got %r' % (basename,))
    return dict((ext, '%s.%s' % (basename, ext)) for ext in ('html', 'csv', 'json'))


class FilterModule(object):
    def filters(self):
        return {
            'report_os_family': report_os_family,
            'report_row': report_row,
            'report_rows': report_rows,
            'report_counts': report_counts,
            'report_csv': report_csv,
            'report_json': report_json,
            'report_html': report_html,
            'report_file_names': report_file_names,
        }
