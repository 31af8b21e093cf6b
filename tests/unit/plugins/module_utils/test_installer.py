# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installer file names and versions (reference §1.1, §1.5, §2.1)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.module_utils.installer import (
    InstallerNameError, build_name, choose, compare_versions, format_version, parse_name, parse_version,
    version_from_build_tag, version_matches)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('name,version,token,phase,date,ext,platform', [
    ('Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',
     '9.30.0.0', 'UBUNTU-16.04-64', 'GA', '22Oct2019', 'tar.gz', 'linux'),
    ('Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release.tar.gz',
     '9.66.7567.1', 'RHEL8-64', 'GA', '20Sep2025', 'tar.gz', 'linux'),
    ('Microsoft-ASR_UA_9.66.7567.1_Windows_GA_20Sep2025_release.exe',
     '9.66.7567.1', 'Windows', 'GA', '20Sep2025', 'exe', 'windows'),
    ('Microsoft-ASR_UA_9.29.0.0_SLES11-SP4-64_GA_31Jul2019_Release.tar.gz',
     '9.29.0.0', 'SLES11-SP4-64', 'GA', '31Jul2019', 'tar.gz', 'linux'),
    # case-insensitive throughout
    ('microsoft-asr_ua_9.30.0.0_rhel7-64_ga_22oct2019_RELEASE.TAR.GZ',
     '9.30.0.0', 'rhel7-64', 'ga', '22oct2019', 'tar.gz', 'linux'),
    ('MICROSOFT-ASR_UA_9.30.0.0_WINDOWS_GA_22OCT2019_RELEASE.EXE',
     '9.30.0.0', 'WINDOWS', 'GA', '22OCT2019', 'exe', 'windows'),
    # no extension (an extracted or renamed file): the token decides the platform
    ('Microsoft-ASR_UA_9.30.0.0_Windows_GA_22Oct2019_release', '9.30.0.0', 'Windows', 'GA', '22Oct2019', '',
     'windows'),
    ('Microsoft-ASR_UA_9.30.0.0_DEBIAN8-64_PREVIEW_22Oct2019_release', '9.30.0.0', 'DEBIAN8-64', 'PREVIEW',
     '22Oct2019', '', 'linux'),
    # a path is allowed, both separators
    ('/var/tmp/asr/Microsoft-ASR_UA_9.30.0.0_OL7-64_GA_22Oct2019_release.tar.gz',
     '9.30.0.0', 'OL7-64', 'GA', '22Oct2019', 'tar.gz', 'linux'),
    ('C:\\Temp\\Microsoft-ASR_UA_9.30.0.0_Windows_GA_22Oct2019_release.exe',
     '9.30.0.0', 'Windows', 'GA', '22Oct2019', 'exe', 'windows'),
])
def test_parse_name(name, version, token, phase, date, ext, platform):
    info = parse_name(name)
    assert info['version'] == version
    assert info['version_tuple'] == parse_version(version)
    assert info['token'] == token
    assert info['phase'] == phase
    assert info['date'] == date
    assert info['ext'] == ext
    assert info['platform'] == platform
    assert info['name'] == name.replace('\\', '/').split('/')[-1]


@pytest.mark.parametrize('name', [
    '',
    'install',
    'Microsoft-ASR_UA_9.30.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',        # three-part version
    'Microsoft-ASR_UA_9.30.0.0.1_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',    # five-part version
    'Microsoft-ASR_UA_9.30.0.x_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct19_release.tar.gz',        # two-digit year
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_2Oct2019_release.tar.gz',       # one-digit day
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22October2019_release.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tgz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz.sha256',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.zip',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_debug.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU_16.04-64_GA_22Oct2019_release.tar.gz',      # underscore in token
    'Microsoft-ASR_UA_9.30.0.0__GA_22Oct2019_release.tar.gz',                     # empty token
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_G4_22Oct2019_release.tar.gz',      # digit in phase
    'Microsoft-ASR_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',
    'Microsoft_ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',
    'xMicrosoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz ',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz/',
    'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz\n',
])
def test_parse_name_rejects_near_misses(name):
    with pytest.raises(InstallerNameError) as exc:
        parse_name(name)
    assert 'is not a Mobility Service installer name' in str(exc.value)


def test_installer_name_error_is_a_value_error():
    assert issubclass(InstallerNameError, ValueError)


@pytest.mark.parametrize('version,token,ext,expected', [
    ('9.30.0.0', 'UBUNTU-16.04-64', None, 'Microsoft-ASR_UA_9.30.0.0_UBUNTU-16.04-64_GA_22Oct2019_release.tar.gz'),
    ('9.30.0.0', 'Windows', None, 'Microsoft-ASR_UA_9.30.0.0_Windows_GA_22Oct2019_release.exe'),
    ('9.30.0.0', 'windows', None, 'Microsoft-ASR_UA_9.30.0.0_windows_GA_22Oct2019_release.exe'),
    ('9.30.0.0', 'RHEL7-64', '', 'Microsoft-ASR_UA_9.30.0.0_RHEL7-64_GA_22Oct2019_release'),
    ('9.30.0.0', 'RHEL7-64', 'exe', 'Microsoft-ASR_UA_9.30.0.0_RHEL7-64_GA_22Oct2019_release.exe'),
])
def test_build_name(version, token, ext, expected):
    assert build_name(version, token, '22Oct2019', ext=ext) == expected


@pytest.mark.parametrize('args', [
    ('9.30', 'RHEL7-64', '22Oct2019'),           # version must be parseable and four-part in a name
    ('nine', 'RHEL7-64', '22Oct2019'),
    ('9.30.0.0', 'RHEL7_64', '22Oct2019'),
    ('9.30.0.0', 'RHEL7-64', '2019-10-22'),
])
def test_build_name_refuses_what_it_cannot_parse_back(args):
    with pytest.raises(ValueError):
        build_name(*args)


# Hypothesis: build -> parse round trip over versions, tokens, dates, phases, case, extensions
_int = st.integers(min_value=0, max_value=99999)
versions = st.tuples(_int, _int, _int, _int).map(lambda t: '.'.join(str(p) for p in t))
tokens = st.text(alphabet='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-', min_size=1, max_size=20)
months = st.sampled_from(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])
dates = st.builds(lambda d, m, y: '%02d%s%04d' % (d, m, y), st.integers(1, 31), months, st.integers(2015, 2099))
phases = st.text(alphabet='ABCDEFGHIJKLMNOPQRSTUVWXYZ', min_size=1, max_size=8)
exts = st.sampled_from([None, '', 'tar.gz', 'exe'])


@given(versions, tokens, dates, phases, exts, st.booleans())
def test_build_parse_round_trip(version, token, date, phase, ext, upper):
    name = build_name(version, token, date, phase=phase, ext=ext)
    if upper:
        name = name.upper()
    info = parse_name(name)
    assert info['version'] == version
    assert info['version_tuple'] == parse_version(version)
    assert info['token'].lower() == token.lower()
    assert info['date'].lower() == date.lower()
    assert info['phase'].lower() == phase.lower()
    expected_ext = ext if ext is not None else ('exe' if token.lower() == 'windows' else 'tar.gz')
    assert info['ext'] == expected_ext
    assert info['platform'] == ('windows' if expected_ext == 'exe' or token.lower() == 'windows' else 'linux')


@given(st.text())
def test_parse_name_never_raises_anything_but_name_errors(text):
    try:
        info = parse_name(text)
    except InstallerNameError:
        return
    assert info['name'] == text.replace('\\', '/').split('/')[-1]


# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('text,expected', [
    ('9.66.7567.1', (9, 66, 7567, 1)),
    ('9.30', (9, 30, 0, 0)),
    ('9', (9, 0, 0, 0)),
    (' 9.30.0.0 ', (9, 30, 0, 0)),
    ('09.030.0.0', (9, 30, 0, 0)),
])
def test_parse_version(text, expected):
    assert parse_version(text) == expected


@pytest.mark.parametrize('text', ['', 'latest', '9.', '.9', '9..30', '9.30.0.0.0', 'v9.30', '9.30-1', None])
def test_parse_version_rejects(text):
    with pytest.raises(ValueError):
        parse_version(text)


def test_format_version():
    assert format_version((9, 66, 7567, 1)) == '9.66.7567.1'


@pytest.mark.parametrize('a,b,expected', [
    ('9.30.0.0', '9.30.0.0', 0),
    ('9.29.0.0', '9.30.0.0', -1),
    ('9.30.0.0', '9.29.0.0', 1),
    ('8.99.9999.9', '9.0.0.0', -1),
    ('10.1.0.0', '9.99.0.0', 1),
    ('9.9.0.0', '9.10.0.0', -1),              # numeric, not lexical
    # build/revision unknown (0) on either side is a wildcard
    ('9.30.0.0', '9.30.5324.1', 0),
    ('9.30.5324.1', '9.30.0.0', 0),
    ('9.30.5324.0', '9.30.5324.7', 0),
    ('9.30.0.3', '9.30.0.1', 0),               # build unknown: revision not compared either
    # both known: they count
    ('9.30.5324.0', '9.30.5325.0', -1),
    ('9.30.5325.0', '9.30.5324.0', 1),
    ('9.66.7567.1', '9.66.7567.2', -1),
    ('9.66.7567.2', '9.66.7567.1', 1),
    ('9.66.7567.1', '9.66.7566.9', 1),
    ((9, 66, 7567, 1), '9.66.7567.1', 0),      # tuples accepted
])
def test_compare_versions(a, b, expected):
    assert compare_versions(a, b) == expected


@given(st.tuples(_int, _int, _int, _int), st.tuples(_int, _int, _int, _int))
def test_compare_versions_is_antisymmetric(one, other):
    forward = compare_versions(one, other)
    backward = compare_versions(other, one)
    assert forward == -backward
    assert compare_versions(one, one) == 0
    if one[:2] != other[:2]:
        assert forward == (1 if one[:2] > other[:2] else -1)


@pytest.mark.parametrize('version,pin,expected', [
    # two-part pins: any build of that release
    ('9.66.7567.1', '9.66', True),
    ('9.66.0.0', '9.66', True),
    ('9.65.9999.9', '9.66', False),
    ('9.67.0.0', '9.66', False),
    ('19.66.0.0', '9.66', False),
    # one-part pin: the major
    ('9.66.7567.1', '9', True),
    ('10.1.0.0', '9', False),
    # three-part pin: that build, any revision
    ('9.66.7567.1', '9.66.7567', True),
    ('9.66.7567.3', '9.66.7567', True),
    ('9.66.7568.1', '9.66.7567', False),
    # four-part pins: that build, or a version whose build is unknown
    ('9.66.7567.1', '9.66.7567.1', True),
    ('9.66.0.0', '9.66.7567.1', True),
    ('9.66.7567.0', '9.66.7567.1', True),
    ('9.66.7566.1', '9.66.7567.1', False),
    ('9.66.7567.2', '9.66.7567.1', False),
    ('9.65.7567.1', '9.66.7567.1', False),
    ((9, 66, 7567, 1), '9.66.7567.1', True),
])
def test_version_matches(version, pin, expected):
    assert version_matches(version, pin) is expected


def test_version_matches_rejects_bad_pin():
    with pytest.raises(ValueError):
        version_matches('9.66.0.0', 'latest')


@pytest.mark.parametrize('version,build_tag,expected', [
    # the reference's example: build number = field 5 of "BUILD_TAG=..." split on '_'
    ('9.29.0.0', 'RELEASE_9.29.0.0_GA_5324_Jul_31_2019_INMAGE', (9, 29, 5324, 0)),
    ('9.66.0.0', 'RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE', (9, 66, 7567, 0)),
    ('9.66.0.1', 'RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE', (9, 66, 7567, 1)),
    # a version that already knows its build keeps it
    ('9.66.7567.1', 'RELEASE_9.66.0.0_GA_1_Sep_20_2025_INMAGE', (9, 66, 7567, 1)),
    # no or odd tags leave the version alone
    ('9.29.0.0', None, (9, 29, 0, 0)),
    ('9.29.0.0', '', (9, 29, 0, 0)),
    ('9.29.0.0', 'RELEASE_9.29.0.0_GA', (9, 29, 0, 0)),
    ('9.29.0.0', 'RELEASE_9.29.0.0_GA_abc_Jul_31_2019_INMAGE', (9, 29, 0, 0)),
    ('9.29.0.0', 'RELEASE_9.29.0.0_GA_\u00b2_Jul_31_2019_INMAGE', (9, 29, 0, 0)),
])
def test_version_from_build_tag(version, build_tag, expected):
    assert version_from_build_tag(version, build_tag) == expected


def test_version_from_build_tag_needs_a_version():
    with pytest.raises(ValueError):
        version_from_build_tag('', 'RELEASE_9.29.0.0_GA_5324_Jul_31_2019_INMAGE')


@given(st.text())
def test_version_from_build_tag_never_raises_on_any_tag(tag):
    result = version_from_build_tag('9.29.0.0', tag)
    assert result[:2] == (9, 29)


# ---------------------------------------------------------------------------------------------
# Choosing an installer
# ---------------------------------------------------------------------------------------------
NAMES = [
    'Microsoft-ASR_UA_9.29.0.0_RHEL7-64_GA_31Jul2019_release.tar.gz',
    'Microsoft-ASR_UA_9.30.0.0_RHEL7-64_GA_22Oct2019_release.tar.gz',
    'Microsoft-ASR_UA_9.9.0.0_RHEL7-64_GA_01Jan2017_release.tar.gz',
    'Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release.tar.gz',
    'Microsoft-ASR_UA_9.66.7500.1_RHEL8-64_GA_01Aug2025_release.tar.gz',
    'Microsoft-ASR_UA_9.60.7000.1_rhel8-64_GA_01Jan2024_release.tar.gz',
    'Microsoft-ASR_UA_9.99.0.0_Windows_GA_20Sep2025_release.exe',
    'README.txt',
    'Microsoft-ASR_UA_9.99.0.0_RHEL7-64_GA_20Sep2025_release.tar.gz.sha256',
    'checksums',
]


@pytest.mark.parametrize('token,pin,expected', [
    ('RHEL7-64', None, '9.30.0.0'),             # numeric, not lexical (9.9 < 9.29 < 9.30)
    ('rhel7-64', None, '9.30.0.0'),             # token is case-insensitive
    ('RHEL8-64', None, '9.66.7567.1'),
    ('RHEL8-64', '9.66', '9.66.7567.1'),        # newest matching the pin
    ('RHEL8-64', '9.66.7500.1', '9.66.7500.1'),
    ('RHEL8-64', '9.60', '9.60.7000.1'),        # case-insensitive token in the file name
    ('RHEL7-64', '9.29', '9.29.0.0'),
    ('RHEL7-64', '9.29.0.0', '9.29.0.0'),
    ('Windows', None, '9.99.0.0'),
])
def test_choose(token, pin, expected):
    assert choose(NAMES, token, pin)['version'] == expected


def test_choose_accepts_any_iterable():
    assert choose(iter(NAMES), 'RHEL8-64')['version'] == '9.66.7567.1'


def test_choose_pinned_missing_lists_versions():
    with pytest.raises(LookupError) as exc:
        choose(NAMES, 'RHEL7-64', '9.31')
    message = str(exc.value)
    assert 'RHEL7-64' in message and '9.31' in message
    for version in ('9.29.0.0', '9.30.0.0', '9.9.0.0'):
        assert version in message


def test_choose_unknown_token():
    with pytest.raises(LookupError) as exc:
        choose(NAMES, 'DEBIAN11-64')
    assert 'DEBIAN11-64' in str(exc.value)
    assert '10 file(s)' in str(exc.value)


def test_choose_pinned_unknown_token_says_none():
    with pytest.raises(LookupError) as exc:
        choose(NAMES, 'DEBIAN11-64', '9.66')
    assert 'none' in str(exc.value)


@given(st.lists(st.tuples(st.tuples(_int, _int, _int, _int), st.sampled_from(['RHEL7-64', 'RHEL8-64', 'Windows']))))
def test_choose_picks_the_maximum(entries):
    names = [build_name(format_version(v), t, '01Jan2020') for v, t in entries]
    wanted = [v for v, t in entries if t == 'RHEL8-64']
    assume(wanted)
    assert choose(names, 'RHEL8-64')['version_tuple'] == max(wanted)
