# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input rules checked before any vendor program sees a value (issue 15)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from hypothesis import given, strategies as st

from ansible_collections.asr.mobility.plugins.module_utils import inputs


@pytest.mark.parametrize('value', ['10.0.0.5', 'cs01', 'cs01.corp.example.com', 'cs01.corp.example.com.',
                                   'fd00::5', '::1', '2001:db8::1', 'CS-01'])
def test_good_cs_addresses(value):
    assert inputs.check_cs_address(value) == value


@pytest.mark.parametrize('value', [
    'a|;e touch /PWNED #',          # the sed injection of the security review
    '10.0.0.5:443', '[fd00::5]', '10.0.0.5 /Evil', '10.0.0.256', '1.2.3', 'cs_01', '-cs', 'cs01-',
    '$(id)', '`id`', 'cs01;reboot', 'cs01/x', '', 'a' * 64, 'é.example.com'])
def test_bad_cs_addresses(value):
    with pytest.raises(ValueError, match='not an IP address or host name'):
        inputs.check_cs_address(value)


@given(st.text(min_size=1, max_size=40))
def test_no_accepted_cs_address_carries_a_shell_or_sed_metacharacter(value):
    try:
        accepted = inputs.check_cs_address(value)
    except ValueError:
        return
    assert not set(accepted) & set(' \t\n|;&$`\'"\\/#()<>*?[]{}!~%,=+@')


@pytest.mark.parametrize('value, message', [('', 'blank'), ('   ', 'blank'), ('pass word', 'whitespace'),
                                            ('secret\n', 'whitespace'), ('\tsecret', 'whitespace')])
def test_bad_passphrases(value, message):
    with pytest.raises(ValueError, match=message):
        inputs.check_passphrase(value)


def test_a_passphrase_with_shell_characters_is_fine():
    assert inputs.check_passphrase('Xy7#pass-$HOME;`id`') == 'Xy7#pass-$HOME;`id`'


def test_config_mapping_becomes_json():
    """ansible-core 2.16 hands a JSON string over as a mapping: it must be written as JSON, not Python."""
    text = inputs.config_text({'Key': 'v', 'Nested': {'Cert': 'abc'}})
    assert json.loads(text) == {'Key': 'v', 'Nested': {'Cert': 'abc'}}
    assert "'Key'" not in text


def test_config_text_is_kept_as_given():
    text = '{ "Key" : "v" }'
    assert inputs.config_text(text) == text


@pytest.mark.parametrize('value, message', [
    ('/tmp/config.json', 'not JSON'), ('{"Key": ', 'not JSON'), ('[1, 2]', 'not a non-empty object'),
    ('{}', 'not a non-empty object'), ('"text"', 'not a non-empty object'), ({}, 'empty mapping')])
def test_bad_configs(value, message):
    with pytest.raises(ValueError, match=message):
        inputs.config_text(value)


def test_secret_strings_of_a_config():
    config = {'ApplianceFqdn': 'appliance.example.com', 'Cert': 'MIIC-long-certificate', 'Port': '443',
              'List': ['another-long-secret']}
    found = inputs.secret_strings(config)
    assert {'appliance.example.com', 'MIIC-long-certificate', 'another-long-secret'} <= found
    assert '443' not in found  # too short to be a secret: masking it would garble messages
    text = json.dumps(config)
    assert text in inputs.secret_strings(text) and 'MIIC-long-certificate' in inputs.secret_strings(text)


def test_check_common_normalises_and_checks():
    params = inputs.check_common({'state': 'present', 'cs_address': '10.0.0.5', 'passphrase': 'abc',
                                  'config': {'K': 'v'}})
    assert params['config'] == '{"K": "v"}'
    with pytest.raises(ValueError):
        inputs.check_common({'state': 'present', 'cs_address': '10.0.0.5;id'})
    # state=absent takes no registration input, so none is checked
    assert inputs.check_common({'state': 'absent', 'cs_address': 'bad address'})['cs_address'] == 'bad address'


@pytest.mark.parametrize('value', ['/var/tmp/my dir/x.tar.gz', '/opt/a\tb'])
def test_paths_with_whitespace(value):
    with pytest.raises(ValueError, match='whitespace'):
        inputs.check_no_whitespace('installer', value)
