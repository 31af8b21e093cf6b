# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every exit code of the reference (§1.2-1.4, §2.4-2.5) has an entry with the right outcome."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.asr.mobility.plugins.module_utils import exit_codes
from ansible_collections.asr.mobility.plugins.module_utils.exit_codes import FAILED, OK, REBOOT, describe, interpret

# [R2] Every code Microsoft's published Linux scripts can exit with (read from the scripts:
# unifiedagent/templates/install + the install_vx it passes through, UnifiedAgentConfigurator.sh,
# unifiedagent/templates/uninstall.sh), with the outcome it must have. 209 is returned by no script;
# Microsoft's own upgrader (AgentUpgrade.sh) accepts it.
LINUX_INSTALLER = dict((code, FAILED) for code in (1, 2, 11, 15, 44, 56, 76, 93, 95, 96, 97, 99, 110, 111, 115, 119,
                                                   149, 152, 153, 156, 159, 160, 161, 162, 163, 164, 166, 167, 175,
                                                   179, 180, 208))
LINUX_INSTALLER.update({0: OK, 98: REBOOT, 209: OK})

# classic configurator: no code is normalised; 96 is never returned (usage() exits 0)
LINUX_CONFIGURATOR = dict((code, FAILED) for code in (1, 2, 3, 13, 14, 17, 44, 97, 98, 115, 118))
LINUX_CONFIGURATOR[0] = OK
# modernized configurator: normalised to 0/97/98, and 98 is a failure (client auth failed)
LINUX_CONFIGURATOR_MODERNIZED = {0: OK, 1: FAILED, 97: FAILED, 98: FAILED, 118: FAILED}

# reference §1.4 (uninstall.sh)
LINUX_UNINSTALLER = {0: OK, 1: FAILED, 2: FAILED}

# reference §2.4 (Windows installer and configurator): success set {0, 98, 3010, 1641}
WINDOWS = dict((code, FAILED) for code in (1, 2, 3, 10, 11, 13, 14, 15, 16, 17, 19, 41, 42, 43, 44, 45, 50, 51, 52, 53,
                                           54, 55, 62, 63, 64, 65, 75, 76, 97, 99, 119, 128, 130))
WINDOWS.update({0: OK, 98: OK, 3010: REBOOT, 1641: REBOOT})

# reference §2.5 (msiexec uninstall)
MSIEXEC = {0: OK, 1605: OK, 3010: REBOOT, 1641: REBOOT}

EXPECTED = {
    'linux_installer': LINUX_INSTALLER,
    'linux_configurator': LINUX_CONFIGURATOR,
    'linux_configurator_modernized': LINUX_CONFIGURATOR_MODERNIZED,
    'linux_uninstaller': LINUX_UNINSTALLER,
    'windows_installer': WINDOWS,
    'windows_configurator': WINDOWS,
    'msiexec': MSIEXEC,
}

CASES = [(table, code, outcome) for table, codes in sorted(EXPECTED.items()) for code, outcome in sorted(codes.items())]


@pytest.mark.parametrize('table,code,outcome', CASES)
def test_reference_code_has_entry_with_outcome(table, code, outcome):
    assert code in exit_codes.TABLES[table], '%s exit %s missing' % (table, code)
    row = exit_codes.TABLES[table][code]
    assert row.outcome == outcome
    assert row.meaning and row.meaning.strip() == row.meaning
    if outcome == FAILED:
        assert row.action, 'a failure must tell the operator what to do'
    info = interpret(table, code)
    assert info['known'] is True
    assert info['code'] == code
    assert info['outcome'] == outcome
    assert info['ok'] is (outcome in (OK, REBOOT))
    assert info['reboot_required'] is (outcome == REBOOT)
    assert info['meaning'] == row.meaning and info['action'] == row.action


def test_success_sets_match_the_reference():
    def success(table):
        return set(code for code, row in exit_codes.TABLES[table].items() if row.outcome != FAILED)
    assert success('linux_installer') == {0, 98, 209}
    assert success('linux_configurator') == {0}
    assert success('linux_configurator_modernized') == {0}
    assert success('linux_uninstaller') == {0}
    assert success('windows_installer') == {0, 98, 3010, 1641}
    assert success('windows_configurator') == {0, 98, 3010, 1641}
    assert success('msiexec') == {0, 1605, 3010, 1641}


@pytest.mark.parametrize('table', sorted(exit_codes.TABLES))
def test_rows_are_well_formed(table):
    assert table in exit_codes.PROGRAM_NAMES
    for code, row in exit_codes.TABLES[table].items():
        assert isinstance(code, int)
        assert row.outcome in (OK, REBOOT, FAILED)
        outcome, meaning, action, source = row  # unpacks as a tuple too
        assert outcome == row.outcome and meaning == row.meaning and action == row.action
        assert source == row.source and source


_SOURCE_RE = re.compile(r'^(unifiedagent|VX)/templates/[A-Za-z_.]+:\d+')


@pytest.mark.parametrize('table', ['linux_installer', 'linux_configurator', 'linux_configurator_modernized',
                                   'linux_uninstaller'])
def test_every_linux_row_cites_the_vendor_script(table):
    for code, row in exit_codes.TABLES[table].items():
        assert _SOURCE_RE.match(row.source), (table, code, row.source)
        assert interpret(table, code)['source'] == row.source


def test_modernized_98_is_not_success_but_install_98_is():
    assert interpret(exit_codes.configurator_table('modernized'), 98)['ok'] is False
    assert interpret('linux_configurator', 98)['ok'] is False
    assert interpret('linux_installer', 98)['ok'] is True
    assert exit_codes.configurator_table('classic') == 'linux_configurator'


def test_96_and_209_are_described_truthfully():
    assert 'usage' in exit_codes.LINUX_INSTALLER[96].meaning and 'exit 0' in exit_codes.LINUX_INSTALLER[96].meaning
    assert 96 not in exit_codes.LINUX_CONFIGURATOR  # usage() exits 0 before the 96 is reached
    assert 'not returned by any published' in exit_codes.LINUX_INSTALLER[209].meaning
    assert '99' in exit_codes.LINUX_INSTALLER[208].meaning


@pytest.mark.parametrize('table', sorted(exit_codes.TABLES))
@pytest.mark.parametrize('code', [4242, 255, 100000])
def test_unknown_codes_are_failures(table, code):
    info = interpret(table, code)
    assert info['known'] is False
    assert info['ok'] is False and info['outcome'] == FAILED and info['reboot_required'] is False
    assert str(code) in info['meaning']


@pytest.mark.parametrize('table', sorted(exit_codes.TABLES))
@pytest.mark.parametrize('code', [-9, -15, -1])
def test_negative_codes_are_signals_and_failures(table, code):
    info = interpret(table, code)
    assert info['known'] is False
    assert info['ok'] is False and info['outcome'] == FAILED
    assert 'signal %d' % -code in info['meaning']


@pytest.mark.parametrize('code', [None, 'abc', '', object()])
def test_unreadable_codes_are_failures(code):
    info = interpret('linux_installer', code)
    assert info['ok'] is False and info['known'] is False and info['code'] is None


@pytest.mark.parametrize('code,expected', [('98', REBOOT), ('0', OK), (98.0, REBOOT)])
def test_codes_given_as_text_or_float(code, expected):
    assert interpret('linux_installer', code)['outcome'] == expected


def test_interpret_accepts_a_table_dict():
    info = interpret(exit_codes.LINUX_UNINSTALLER, 2)
    assert info['known'] is True and info['ok'] is False


def test_windows_tables_are_independent_copies():
    assert exit_codes.WINDOWS_INSTALLER == exit_codes.WINDOWS_CONFIGURATOR
    assert exit_codes.WINDOWS_INSTALLER is not exit_codes.WINDOWS_CONFIGURATOR


@pytest.mark.parametrize('table,code,expected', [
    ('linux_configurator', 14,
     'UnifiedAgentConfigurator.sh exited 14: the configuration server is unreachable or the passphrase is wrong'),
    ('linux_installer', 0, 'install exited 0: installation succeeded; a bad option'),
    ('linux_installer', 98, 'install exited 98: upgrade succeeded but requires a restart'),
    ('linux_installer', 208, 'install exited 208: the running kernel is not supported'),
    ('linux_uninstaller', 2, 'uninstall.sh exited 2: the agent services could not be stopped ('),
    ('windows_installer', 3010, 'UnifiedAgent installer exited 3010: succeeded; a reboot is recommended.'),
    ('windows_configurator', 19, 'UnifiedAgentConfigurator.exe exited 19: invalid source config file.'),
    ('msiexec', 1605, 'msiexec exited 1605: the product is not installed (already absent).'),
    ('linux_installer', 4242, 'install exited 4242: unknown exit code 4242. Read the vendor log tail below.'),
    ('linux_installer', -9, 'install exited -9: killed by signal 9. Run again'),
])
def test_describe(table, code, expected):
    assert describe(table, code).startswith(expected)


def test_describe_success_has_no_trailing_action():
    assert describe('linux_installer', 0).endswith('.')
    assert 'Reboot' not in describe('linux_installer', 0) and describe('linux_installer', 0).count('. ') == 0
