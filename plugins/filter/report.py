# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report filters (role ``asr.mobility.mobility_report``): per-host rows from what the
collect step registered, counts (``plugin_utils/report_rows.py``), and the HTML / CSV / JSON renderings.

Controller side only. Everything here is a pure function of its arguments (the time stamp is
passed in), so the same rows always render the same bytes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.asr.mobility.plugins.plugin_utils.report_rows import (  # noqa: F401 pylint: disable=unused-import
    COLUMNS, COLUMN_KEYS, _VERSION_PARTS, _text, report_counts, report_csv, report_drscout_path, report_json,
    report_os_family, report_row, report_rows)

try:  # Python 3
    from html import escape as _html_escape
except ImportError:  # pragma: no cover - Python 2 controllers are not supported by ansible-core
    from cgi import escape as _html_escape


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
            'report_drscout_path': report_drscout_path,
            'report_counts': report_counts,
            'report_csv': report_csv,
            'report_json': report_json,
            'report_html': report_html,
            'report_file_names': report_file_names,
        }
