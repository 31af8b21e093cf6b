# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the modernized per-host step (reference §1.7): decode an Agent Config Input, and the
rows and CSV of ``playbooks/harvest_agent_config.yml``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

from ansible.errors import AnsibleFilterError

from ansible_collections.asr.mobility.plugins.module_utils import agent_config

HARVEST_COLUMNS = ('host', 'os_family', 'installed', 'version', 'control_plane', 'registered', 'bios_id', 'fqdn',
                   'agent_config_input', 'next_step')


def agent_config_input(output):
    """AzureRcmCli's output (or the bare base64) -> ``{'encoded', 'bios_id', 'fqdn'}``."""
    try:
        return agent_config.decode_config_input(output)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


def _next_step(row):
    if row.get('error'):
        return 'fix: %s' % row['error']
    if not row.get('installed'):
        return 'install the agent (modernized) first'
    if row.get('control_plane') != 'modernized':
        return 'migrate to modernized first (playbooks/migrate_to_modernized.yml)'
    if row.get('registered'):
        return 'none: already registered'
    if not row.get('agent_config_input'):
        return 'fix: the agent gave no Agent Config Input'
    return 'make its config.json on the appliance from agent_config_input'


def harvest_rows(hostvars, hosts, key='asr_mobility_harvest'):
    """One row per host (``hostvars[host][key]``, what the harvest play recorded); a host with no
    record (unreachable, failed) gets a row that says so."""
    rows = []
    for host in hosts:
        found = (hostvars.get(host) or {}).get(key) if hasattr(hostvars, 'get') else None
        row = dict((column, None) for column in HARVEST_COLUMNS)
        row['host'] = host
        if not found:
            row['error'] = 'no result from this host (unreachable or failed; see the play output)'
        else:
            row.update(found)
        row['next_step'] = _next_step(row)
        rows.append(row)
    return rows


def harvest_csv(rows):
    """The rows as CSV text (header first), the columns of ``HARVEST_COLUMNS`` then ``error``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(list(HARVEST_COLUMNS) + ['error'])
    for row in rows:
        writer.writerow(['' if row.get(c) is None else row.get(c) for c in list(HARVEST_COLUMNS) + ['error']])
    return out.getvalue()


class FilterModule(object):

    def filters(self):
        return {
            'agent_config_input': agent_config_input,
            'harvest_rows': harvest_rows,
            'harvest_csv': harvest_csv,
        }
