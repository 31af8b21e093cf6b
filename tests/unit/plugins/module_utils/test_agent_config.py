# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Agent Config Input decoding and the "config is for this host" rule (module_utils/agent_config.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.asr.mobility.plugins.module_utils import agent_config

BIOS = '4C4C4544-0042-3510-8052-B4C04F4D4B32'
# BiosID::GetByteswappedBiosID (biosidoperations.h line 34) of BIOS
SWAPPED = '44454C4C-4200-1035-8052-B4C04F4D4B32'
HOST = {'bios_id': BIOS, 'fqdn': 'web01.example.com'}


def encoded(doc):
    return base64.b64encode(json.dumps(doc).encode('utf-8')).decode('ascii')


def test_decodes_what_azurercmcli_prints():
    # AzureRcmCli.cpp line 919: "<option>:<base64>", the JSON of AgentConfigInput {BiosId, Fqdn}
    text = 'some log line\ngetagentconfiginput:%s\n' % encoded({'BiosId': BIOS, 'Fqdn': 'web01'})
    got = agent_config.decode_config_input(text)
    assert got == {'encoded': encoded({'BiosId': BIOS, 'Fqdn': 'web01'}), 'bios_id': BIOS, 'fqdn': 'web01'}


def test_decodes_a_bare_base64_a_user_copied():
    assert agent_config.decode_config_input(encoded({'BiosId': BIOS, 'Fqdn': 'x'}))['bios_id'] == BIOS


@pytest.mark.parametrize('text, message', [
    ('', 'no "getagentconfiginput:'),
    ('Agent is not installed.\n', 'no "getagentconfiginput:'),
    ('getagentconfiginput:@@@', 'not base64 of JSON'),
    ('getagentconfiginput:' + base64.b64encode(b'not json').decode('ascii'), 'not base64 of JSON'),
    ('getagentconfiginput:' + encoded({'Fqdn': 'x'}), 'has no BiosId'),
])
def test_bad_config_input(text, message):
    with pytest.raises(ValueError) as err:
        agent_config.decode_config_input(text)
    assert message in str(err.value)


def test_encode_round_trips():
    assert agent_config.decode_config_input(agent_config.encode_config_input(BIOS, 'h'))['fqdn'] == 'h'


def test_byteswap_follows_the_vendor():
    assert agent_config.byteswapped_bios_id(BIOS) == SWAPPED
    assert agent_config.byteswapped_bios_id(SWAPPED) == BIOS
    assert agent_config.byteswapped_bios_id('not-a-uuid') is None


@pytest.mark.parametrize('config_bios', [BIOS, BIOS.lower(), SWAPPED, SWAPPED.lower()])
def test_config_for_this_host_is_accepted(config_bios):
    config = json.dumps({'BiosId': config_bios, 'Fqdn': 'other-name', 'ClientCertificate': 'c2VjcmV0'})
    assert agent_config.check_config_for_host(config, HOST)['bios_id'] == config_bios


def test_config_as_mapping_is_accepted():
    agent_config.check_config_for_host({'BiosId': BIOS}, HOST)


def test_config_for_another_machine_is_refused_without_its_content():
    config = json.dumps({'BiosId': '11111111-2222-3333-4444-555555555555', 'ClientCertificate': 'TOP-SECRET-CERT'})
    with pytest.raises(ValueError) as err:
        agent_config.check_config_for_host(config, HOST)
    msg = str(err.value)
    assert 'made for another machine' in msg and BIOS in msg and 'web01.example.com' in msg
    assert 'TOP-SECRET-CERT' not in msg and '11111111' not in msg


@pytest.mark.parametrize('config, message', [
    ('{"ApplianceFqdn": "a"}', 'has no BiosId'),
    ('not json', 'not JSON'),
    ('[1]', 'not an object'),
])
def test_config_without_identity_is_refused(config, message):
    with pytest.raises(ValueError) as err:
        agent_config.check_config_for_host(config, HOST)
    assert message in str(err.value)


def test_unreadable_host_bios_id_is_refused():
    with pytest.raises(ValueError) as err:
        agent_config.check_config_for_host({'BiosId': BIOS}, {'bios_id': None, 'source': '/sys/class/dmi/id/product_uuid'})
    assert 'could not be read (/sys/class/dmi/id/product_uuid)' in str(err.value)
