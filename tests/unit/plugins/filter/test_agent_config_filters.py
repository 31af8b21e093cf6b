# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters asr.mobility.agent_config_input, harvest_rows, harvest_csv (plugins/filter/agent_config.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import csv
import io
import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.asr.mobility.plugins.filter import agent_config

BIOS = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
ENCODED = base64.b64encode(json.dumps({'BiosId': BIOS, 'Fqdn': 'web01'}).encode('utf-8')).decode('ascii')


def test_decode_filter():
    assert agent_config.agent_config_input('getagentconfiginput:%s\n' % ENCODED)['bios_id'] == BIOS
    with pytest.raises(AnsibleFilterError):
        agent_config.agent_config_input('nothing here')


def test_rows_say_what_each_host_needs():
    hostvars = {
        'reg': {'asr_mobility_harvest': {'installed': True, 'control_plane': 'modernized', 'registered': True,
                                         'agent_config_input': ENCODED}},
        'todo': {'asr_mobility_harvest': {'installed': True, 'control_plane': 'modernized', 'registered': False,
                                          'agent_config_input': ENCODED, 'bios_id': BIOS}},
        'classic': {'asr_mobility_harvest': {'installed': True, 'control_plane': 'classic', 'registered': True}},
        'bare': {'asr_mobility_harvest': {'installed': False}},
        'gone': {},
    }
    rows = dict((r['host'], r) for r in agent_config.harvest_rows(hostvars, ['reg', 'todo', 'classic', 'bare', 'gone']))
    assert rows['reg']['next_step'] == 'none: already registered'
    assert rows['todo']['next_step'].startswith('make its config.json') and rows['todo']['bios_id'] == BIOS
    assert 'migrate to modernized' in rows['classic']['next_step']
    assert 'install the agent' in rows['bare']['next_step']
    assert 'unreachable or failed' in rows['gone']['error'] and rows['gone']['next_step'].startswith('fix:')


def test_csv_has_a_header_and_one_line_per_host():
    rows = agent_config.harvest_rows({'a': {'asr_mobility_harvest': {'installed': True, 'control_plane': 'modernized',
                                                                     'registered': False, 'agent_config_input': ENCODED}}},
                                     ['a', 'b'])
    parsed = list(csv.DictReader(io.StringIO(agent_config.harvest_csv(rows))))
    assert [r['host'] for r in parsed] == ['a', 'b']
    assert parsed[0]['agent_config_input'] == ENCODED and parsed[0]['registered'] == 'False'
