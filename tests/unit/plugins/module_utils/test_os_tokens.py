# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OS -> installer token (reference §4): every row, from facts and from real release files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.asr.mobility.plugins.module_utils import os_tokens
from ansible_collections.asr.mobility.plugins.module_utils.os_tokens import (
    canonical_distribution, detect, distro_from_release_files, known_tokens, version_tuple)


# ---------------------------------------------------------------------------------------------
# From Ansible facts: (ansible_distribution, ansible_distribution_version) -> token
# ---------------------------------------------------------------------------------------------
LINUX_FACTS = [
    # reference §4, 2018-19 table
    ('RedHat', '6.0', 'RHEL6-64'),
    ('RedHat', '6.10', 'RHEL6-64'),
    ('CentOS', '6.10', 'RHEL6-64'),
    ('RedHat', '7.0', 'RHEL7-64'),
    ('RedHat', '7.9', 'RHEL7-64'),
    ('CentOS', '7.9.2009', 'RHEL7-64'),
    ('OracleLinux', '6.4', 'OL6-64'),
    ('OracleLinux', '6.5', 'OL6-64'),
    ('SLES', '11.3', 'SLES11-SP3-64'),
    ('SLES', '11.4', 'SLES11-SP4-64'),
    ('SLES', '12.1', 'SLES12-64'),
    ('SLES', '12.2', 'SLES12-64'),
    ('SLES', '12.3', 'SLES12-64'),
    ('SLES', '12.4', 'SLES12-64'),
    ('SLES', '12.5', 'SLES12-64'),
    ('SLES_SAP', '12.3', 'SLES12-64'),
    ('Ubuntu', '14.04', 'UBUNTU-14.04-64'),
    ('Ubuntu', '16.04', 'UBUNTU-16.04-64'),
    ('Debian', '7', 'DEBIAN7-64'),
    ('Debian', '7.11', 'DEBIAN7-64'),
    ('Debian', '8', 'DEBIAN8-64'),
    ('Debian', '8.11', 'DEBIAN8-64'),
    # newer tokens (vendor OS_details.sh, 2024)
    ('RedHat', '5.11', 'RHEL5-64'),
    ('CentOS', '5.11', 'RHEL5-64'),
    ('RedHat', '8.9', 'RHEL8-64'),
    ('CentOS', '8.5', 'RHEL8-64'),
    ('Rocky', '8.9', 'RHEL8-64'),
    ('AlmaLinux', '8.9', 'RHEL8-64'),
    ('RedHat', '9.3', 'RHEL9-64'),
    ('CentOS', '9', 'RHEL9-64'),
    ('Rocky', '9.3', 'RHEL9-64'),
    ('AlmaLinux', '9.3', 'RHEL9-64'),
    ('OracleLinux', '7.9', 'OL7-64'),
    ('OracleLinux', '8.9', 'OL8-64'),
    ('OracleLinux', '9.3', 'OL9-64'),
    ('SLES', '15', 'SLES15-64'),
    ('SLES', '15.5', 'SLES15-64'),
    ('Ubuntu', '18.04', 'UBUNTU-18.04-64'),
    ('Ubuntu', '20.04', 'UBUNTU-20.04-64'),
    ('Ubuntu', '22.04', 'UBUNTU-22.04-64'),
    ('Debian', '9.13', 'DEBIAN9-64'),
    ('Debian', '10', 'DEBIAN10-64'),
    ('Debian', '11.9', 'DEBIAN11-64'),
    # names as other tools spell them
    ('Red Hat Enterprise Linux', '7.9', 'RHEL7-64'),
    ('rhel', '8.9', 'RHEL8-64'),
    ('Oracle Linux Server', '7.9', 'OL7-64'),
    ('ol', '8.9', 'OL8-64'),
    ('SUSE', '12.3', 'SLES12-64'),
    ('ubuntu', '20.04', 'UBUNTU-20.04-64'),
]


@pytest.mark.parametrize('distribution,version,token', LINUX_FACTS)
@pytest.mark.parametrize('arch', ['x86_64', 'amd64'])
def test_linux_facts_map_to_token(distribution, version, token, arch):
    result = detect(distribution=distribution, version=version, architecture=arch, os_family='whatever')
    assert result['token'] == token, result
    assert result['supported'] is True
    assert result['confirmed'] is True
    assert result['source'] == 'facts'
    assert result['reason'] == ''


# [R2] confirmed by the vendor's download lists 9.64-9.66 (reference §4)
NOW_CONFIRMED_FACTS = [
    ('Debian', '12', 'DEBIAN12-64'),
    ('Debian', '12.5', 'DEBIAN12-64'),
    ('Ubuntu', '24.04', 'UBUNTU-24.04-64'),
]


@pytest.mark.parametrize('distribution,version,token', NOW_CONFIRMED_FACTS)
def test_debian12_and_ubuntu2404_are_confirmed(distribution, version, token):
    result = detect(distribution=distribution, version=version, architecture='x86_64')
    assert result['token'] == token
    assert result['supported'] is True
    assert result['confirmed'] is True
    assert result['reason'] == ''


# [R2] named by the 2025 OS_details.sh, but no installer has been published for them yet
@pytest.mark.parametrize('distribution,version,token', [
    ('RedHat', '10.0', 'RHEL10-64'), ('Rocky', '10', 'RHEL10-64'), ('AlmaLinux', '10.1', 'RHEL10-64'),
    ('OracleLinux', '10.0', 'OL10-64'),
])
def test_known_tokens_without_an_installer_say_so(distribution, version, token):
    result = detect(distribution=distribution, version=version, architecture='x86_64')
    assert result['token'] is None  # unsupported answers carry no token (the reason names it)
    assert result['supported'] is False
    assert 'no installer' in result['reason'] and token in result['reason'] and 'published' in result['reason']


@pytest.mark.parametrize('distribution,version', [('openSUSE Leap', '15.5'), ('opensuse-leap', '15.6')])
def test_opensuse_leap_15_is_sles15_like_the_vendor(distribution, version):
    result = detect(distribution=distribution, version=version, architecture='x86_64')
    assert result['token'] == 'SLES15-64' and result['supported'] is True


def test_opensuse_leap_15_from_release_files():
    files = {'/etc/os-release': _os_release('opensuse-leap', '15.5', 'openSUSE Leap', 'openSUSE Leap 15.5')}
    result = detect(architecture='x86_64', release_files=files)
    assert result['token'] == 'SLES15-64' and result['supported'] is True


@pytest.mark.parametrize('version', ['9.0', '9.6', '9.7'])
def test_oracle_linux_9_all_minors(version):
    """Every stored 2025 OS_details.sh (Azure/Azure-SiteRecovery) greps 'release 9.*' -> OL9-64."""
    assert detect(distribution='OracleLinux', version=version, architecture='x86_64')['token'] == 'OL9-64'


WINDOWS_FACTS = [
    ('Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601.65536', 'Windows Server 2008 R2 SP1'),
    ('Microsoft Windows Server 2008 R2 Standard ', '6.1.7601.24544', 'Windows Server 2008 R2 SP1'),
    ('Microsoft Windows Server 2012 Datacenter', '6.2.9200.0', 'Windows Server 2012'),
    ('Microsoft Windows Server 2012 R2 Standard', '6.3.9600.0', 'Windows Server 2012 R2'),
    ('Microsoft Windows Server 2016 Datacenter', '10.0.14393.0', 'Windows Server 2016'),
    ('Microsoft Windows Server 2019 Datacenter', '10.0.17763.0', 'Windows Server 2019'),
    ('Microsoft Windows Server 2022 Datacenter', '10.0.20348.0', 'Windows Server 2022'),
    ('Microsoft Windows Server 2022 Standard', '10.0.20348.2227', 'Windows Server 2022'),
]


@pytest.mark.parametrize('distribution,version,name', WINDOWS_FACTS)
@pytest.mark.parametrize('os_family', ['Windows', None])
def test_windows_server_facts(distribution, version, name, os_family):
    result = detect(distribution=distribution, version=version, architecture='64-bit', os_family=os_family)
    assert result['token'] == 'Windows'
    assert result['supported'] is True and result['confirmed'] is True
    assert result['reason'] == name
    assert result['distribution'] == 'Windows'


def test_windows_ignores_linux_release_files():
    files = {'/etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n'}
    result = detect(distribution='Microsoft Windows Server 2019 Datacenter', version='10.0.17763.0',
                    architecture='64-bit', os_family='Windows', release_files=files)
    assert result['token'] == 'Windows'
    assert result['evidence'] is None


# ---------------------------------------------------------------------------------------------
# Unsupported: token None and a reason naming what was found
# ---------------------------------------------------------------------------------------------
UNSUPPORTED_FACTS = [
    # (distribution, version, architecture, os_family, words the reason must contain)
    ('RedHat', '7.9', 'i686', 'RedHat', ['RedHat 7.9', '32-bit', 'i686']),
    ('CentOS', '6.10', 'i386', 'RedHat', ['CentOS 6.10', '32-bit']),
    ('Ubuntu', '16.04', 'i386', 'Debian', ['Ubuntu 16.04', '32-bit']),
    ('Microsoft Windows Server 2008 R2 Standard', '6.1.7601.0', '32-bit', 'Windows',
     ['Windows Server 2008 R2', '32-bit']),
    ('RedHat', '8.9', 'aarch64', 'RedHat', ['RedHat 8.9', 'aarch64', 'x86_64']),
    ('Ubuntu', '22.04', 'ppc64le', 'Debian', ['Ubuntu 22.04', 'ppc64le']),
    ('Debian', '13', 'x86_64', 'Debian', ['Debian 13']),
    ('Debian', '13.1', 'x86_64', 'Debian', ['Debian 13.1']),
    ('Debian', '6.0.10', 'x86_64', 'Debian', ['Debian 6.0.10']),
    ('Ubuntu', '23.10', 'x86_64', 'Debian', ['Ubuntu 23.10']),
    ('Ubuntu', '12.04', 'x86_64', 'Debian', ['Ubuntu 12.04']),
    ('Ubuntu', '20.10', 'x86_64', 'Debian', ['Ubuntu 20.10']),
    ('Fedora', '39', 'x86_64', 'RedHat', ['Fedora 39']),
    ('Fedora', '8', 'x86_64', 'RedHat', ['Fedora 8']),
    ('SLES', '12', 'x86_64', 'Suse', ['SLES 12']),
    ('SLES', '12.0', 'x86_64', 'Suse', ['SLES 12']),
    ('SLES', '11.2', 'x86_64', 'Suse', ['SLES 11.2']),
    ('SLES', '16.0', 'x86_64', 'Suse', ['SLES 16']),
    ('OracleLinux', '6.3', 'x86_64', 'RedHat', ['OracleLinux 6.3']),
    ('OracleLinux', '5.11', 'x86_64', 'RedHat', ['OracleLinux 5.11']),
    ('RedHat', '10.0', 'x86_64', 'RedHat', ['RedHat 10.0', 'no installer']),
    ('Rocky', '10', 'x86_64', 'RedHat', ['Rocky 10', 'no installer']),
    ('Rocky', '7.9', 'x86_64', 'RedHat', ['Rocky 7.9']),
    ('Amazon', '2', 'x86_64', 'RedHat', ['Amazon 2']),
    ('openSUSE Leap', '42.3', 'x86_64', 'Suse', ['openSUSE Leap 42.3']),
    ('Microsoft Windows 10 Pro', '10.0.19045.0', '64-bit', 'Windows', ['Windows 10 Pro', 'client']),
    ('Microsoft Windows 11 Enterprise', '10.0.22631.0', '64-bit', 'Windows', ['Windows 11', 'client']),
    ('Microsoft Windows Server 2008 Standard', '6.0.6002.0', '64-bit', 'Windows', ['Windows Server 2008 Standard']),
    ('Microsoft Windows Server 2008 R2 Datacenter', '6.1.7600.16385', '64-bit', 'Windows',
     ['Windows Server 2008 R2', '6.1.7600']),
    ('Microsoft Windows Server 2025 Datacenter', '10.0.26100.0', '64-bit', 'Windows', ['Windows Server 2025']),
    ('Microsoft Windows Server 2003 R2', '5.2.3790.0', '64-bit', 'Windows', ['Windows Server 2003']),
    ('Microsoft Windows Server 2016 Datacenter', 'garbage', '64-bit', 'Windows', ['garbage']),
]


@pytest.mark.parametrize('distribution,version,arch,os_family,words', UNSUPPORTED_FACTS)
def test_unsupported_facts(distribution, version, arch, os_family, words):
    result = detect(distribution=distribution, version=version, architecture=arch, os_family=os_family)
    assert result['token'] is None
    assert result['supported'] is False
    assert result['reason']
    for word in words:
        assert word in result['reason'], (word, result['reason'])


def test_nothing_known_is_unsupported():
    result = detect()
    assert result['token'] is None and not result['supported']
    assert 'could not be identified' in result['reason']


def test_unreadable_linux_version_names_the_distribution():
    result = detect(distribution='Debian', version='trixie/sid', architecture='x86_64')
    assert result['token'] is None
    assert 'Debian' in result['reason'] and 'trixie/sid' in result['reason']


# ---------------------------------------------------------------------------------------------
# From release files, as they are on real hosts
# ---------------------------------------------------------------------------------------------
def _os_release(os_id, version_id, name, pretty, extra=''):
    text = 'NAME="%s"\nID=%s\nPRETTY_NAME="%s"\n' % (name, os_id, pretty)
    if version_id is not None:
        text += 'VERSION_ID="%s"\n' % version_id
    return text + extra


def _lsb(release, codename):
    return ('DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=%s\nDISTRIB_CODENAME=%s\nDISTRIB_DESCRIPTION="Ubuntu %s LTS"\n'
            % (release, codename, release))


def _suse(version, patchlevel):
    return ('SUSE Linux Enterprise Server %s (x86_64)\nVERSION = %s\nPATCHLEVEL = %s\n'
            '# This file is deprecated and will be removed in a future service pack or release.\n'
            '# Please check /etc/os-release for details about this release.\n' % (version, version, patchlevel))


def _ubuntu(release, codename, debian_version):
    return {
        '/etc/lsb-release': _lsb(release, codename),
        '/etc/os-release': _os_release('ubuntu', release, 'Ubuntu', 'Ubuntu %s LTS' % release,
                                       'ID_LIKE=debian\nVERSION_CODENAME=%s\n' % codename),
        '/etc/debian_version': debian_version + '\n',
    }


def _debian(debian_version, major, codename):
    files = {'/etc/debian_version': debian_version + '\n'}
    if major is not None:
        files['/etc/os-release'] = _os_release('debian', major, 'Debian GNU/Linux',
                                               'Debian GNU/Linux %s (%s)' % (major, codename))
    return files


def _rhel(text, os_id=None, version_id=None):
    files = {'/etc/redhat-release': text + '\n'}
    if os_id:
        files['/etc/os-release'] = _os_release(os_id, version_id, os_id, text)
    return files


def _oracle(version, rh_text):
    return {
        '/etc/oracle-release': 'Oracle Linux Server release %s\n' % version,
        '/etc/redhat-release': rh_text + '\n',
        '/etc/system-release': 'Oracle Linux Server release %s\n' % version,
    }


RELEASE_FILE_CASES = [
    # (label, files, distribution, token)
    ('RHEL 5', _rhel('Red Hat Enterprise Linux Server release 5.11 (Tikanga)'), 'RedHat', 'RHEL5-64'),
    ('CentOS 5', _rhel('CentOS release 5.11 (Final)'), 'CentOS', 'RHEL5-64'),
    ('RHEL 6', _rhel('Red Hat Enterprise Linux Server release 6.10 (Santiago)'), 'RedHat', 'RHEL6-64'),
    ('CentOS 6', dict(_rhel('CentOS release 6.10 (Final)'), **{'/etc/centos-release': 'CentOS release 6.10 (Final)\n'}),
     'CentOS', 'RHEL6-64'),
    ('RHEL 7', _rhel('Red Hat Enterprise Linux Server release 7.9 (Maipo)', 'rhel', '7.9'), 'RedHat', 'RHEL7-64'),
    ('CentOS 7', _rhel('CentOS Linux release 7.9.2009 (Core)', 'centos', '7'), 'CentOS', 'RHEL7-64'),
    ('RHEL 8', _rhel('Red Hat Enterprise Linux release 8.9 (Ootpa)', 'rhel', '8.9'), 'RedHat', 'RHEL8-64'),
    ('CentOS 8', _rhel('CentOS Linux release 8.5.2111', 'centos', '8'), 'CentOS', 'RHEL8-64'),
    ('Rocky 8', _rhel('Rocky Linux release 8.9 (Green Obsidian)', 'rocky', '8.9'), 'Rocky', 'RHEL8-64'),
    ('Alma 8', _rhel('AlmaLinux release 8.9 (Midnight Oncilla)', 'almalinux', '8.9'), 'AlmaLinux', 'RHEL8-64'),
    ('RHEL 9', _rhel('Red Hat Enterprise Linux release 9.3 (Plow)', 'rhel', '9.3'), 'RedHat', 'RHEL9-64'),
    ('CentOS Stream 9', _rhel('CentOS Stream release 9', 'centos', '9'), 'CentOS', 'RHEL9-64'),
    ('Rocky 9', _rhel('Rocky Linux release 9.3 (Blue Onyx)', 'rocky', '9.3'), 'Rocky', 'RHEL9-64'),
    ('Alma 9', _rhel('AlmaLinux release 9.3 (Shamrock Pampas Cat)', 'almalinux', '9.3'), 'AlmaLinux', 'RHEL9-64'),
    # Oracle Linux ships a redhat-release that says "Red Hat": oracle-release must win.
    ('OL 6.4', _oracle('6.4', 'Red Hat Enterprise Linux Server release 6.4 (Santiago)'), 'OracleLinux', 'OL6-64'),
    ('OL 6.5', _oracle('6.5', 'Red Hat Enterprise Linux Server release 6.5 (Santiago)'), 'OracleLinux', 'OL6-64'),
    ('OL 6.10', _oracle('6.10', 'Red Hat Enterprise Linux Server release 6.10 (Santiago)'), 'OracleLinux', 'OL6-64'),
    ('OL 7', _oracle('7.9', 'Red Hat Enterprise Linux Server release 7.9 (Maipo)'), 'OracleLinux', 'OL7-64'),
    ('OL 8', _oracle('8.9', 'Red Hat Enterprise Linux release 8.9 (Ootpa)'), 'OracleLinux', 'OL8-64'),
    ('OL 9', _oracle('9.3', 'Red Hat Enterprise Linux release 9.3 (Plow)'), 'OracleLinux', 'OL9-64'),
    ('SLES 11 SP3', {'/etc/SuSE-release': _suse('11', '3')}, 'SLES', 'SLES11-SP3-64'),
    ('SLES 11 SP4', {'/etc/SuSE-release': _suse('11', '4'),
                     '/etc/os-release': _os_release('sles', '11.4', 'SLES', 'SUSE Linux Enterprise Server 11 SP4')},
     'SLES', 'SLES11-SP4-64'),
    ('SLES 12 SP1', {'/etc/SuSE-release': _suse('12', '1'),
                     '/etc/os-release': _os_release('sles', '12.1', 'SLES', 'SUSE Linux Enterprise Server 12 SP1')},
     'SLES', 'SLES12-64'),
    ('SLES 12 SP2', {'/etc/SuSE-release': _suse('12', '2')}, 'SLES', 'SLES12-64'),
    ('SLES 12 SP3', {'/etc/SuSE-release': _suse('12', '3')}, 'SLES', 'SLES12-64'),
    ('SLES 12 SP4', {'/etc/os-release': _os_release('sles', '12.4', 'SLES', 'SUSE Linux Enterprise Server 12 SP4')},
     'SLES', 'SLES12-64'),
    ('SLES 12 SP5', {'/etc/os-release': _os_release('sles', '12.5', 'SLES', 'SUSE Linux Enterprise Server 12 SP5',
                                                    'CPE_NAME="cpe:/o:suse:sles:12:sp5"\n')}, 'SLES', 'SLES12-64'),
    ('SLES for SAP 12 SP5', {'/etc/os-release': _os_release('sles_sap', '12.5', 'SLES_SAP', 'SLES for SAP 12 SP5')},
     'SLES', 'SLES12-64'),
    ('SLES 15', {'/etc/os-release': _os_release('sles', '15', 'SLES', 'SUSE Linux Enterprise Server 15')},
     'SLES', 'SLES15-64'),
    ('SLES 15 SP5', {'/etc/os-release': _os_release('sles', '15.5', 'SLES', 'SUSE Linux Enterprise Server 15 SP5',
                                                    'ID_LIKE="suse"\n')}, 'SLES', 'SLES15-64'),
    ('Ubuntu 14.04', _ubuntu('14.04', 'trusty', 'jessie/sid'), 'Ubuntu', 'UBUNTU-14.04-64'),
    ('Ubuntu 16.04', _ubuntu('16.04', 'xenial', 'stretch/sid'), 'Ubuntu', 'UBUNTU-16.04-64'),
    ('Ubuntu 18.04', _ubuntu('18.04', 'bionic', 'buster/sid'), 'Ubuntu', 'UBUNTU-18.04-64'),
    ('Ubuntu 20.04', _ubuntu('20.04', 'focal', 'bullseye/sid'), 'Ubuntu', 'UBUNTU-20.04-64'),
    ('Ubuntu 22.04', _ubuntu('22.04', 'jammy', 'bookworm/sid'), 'Ubuntu', 'UBUNTU-22.04-64'),
    ('Ubuntu 22.04 without lsb-release',
     {'/etc/os-release': _os_release('ubuntu', '22.04', 'Ubuntu', 'Ubuntu 22.04.3 LTS'),
      '/etc/debian_version': 'bookworm/sid\n'}, 'Ubuntu', 'UBUNTU-22.04-64'),
    ('Debian 7', _debian('7.11', '7', 'wheezy'), 'Debian', 'DEBIAN7-64'),
    ('Debian 8', _debian('8.11', '8', 'jessie'), 'Debian', 'DEBIAN8-64'),
    ('Debian 9', _debian('9.13', '9', 'stretch'), 'Debian', 'DEBIAN9-64'),
    ('Debian 10', _debian('10.13', '10', 'buster'), 'Debian', 'DEBIAN10-64'),
    ('Debian 11', _debian('11.9', '11', 'bullseye'), 'Debian', 'DEBIAN11-64'),
    ('Debian 11 debian_version only', _debian('11.9', None, None), 'Debian', 'DEBIAN11-64'),
]


@pytest.mark.parametrize('label,files,distribution,token', RELEASE_FILE_CASES,
                         ids=[case[0] for case in RELEASE_FILE_CASES])
def test_release_files_map_to_token(label, files, distribution, token):
    # The release files win over whatever facts say (facts on old hosts are often wrong).
    result = detect(distribution='Unknown', version='0', architecture='x86_64', release_files=files)
    assert result['token'] == token, (label, result)
    assert result['supported'] is True and result['confirmed'] is True
    assert result['distribution'] == distribution
    assert result['source'] == 'release_files'
    assert result['evidence'] in files


@pytest.mark.parametrize('files,token', [
    (_debian('12.5', '12', 'bookworm'), 'DEBIAN12-64'),
    (_ubuntu('24.04', 'noble', 'trixie/sid'), 'UBUNTU-24.04-64'),
])
def test_release_files_now_confirmed(files, token):
    result = detect(architecture='x86_64', release_files=files)
    assert result['token'] == token
    assert result['supported'] is True and result['confirmed'] is True


UNSUPPORTED_RELEASE_FILES = [
    ('OL 6.3', _oracle('6.3', 'Red Hat Enterprise Linux Server release 6.3 (Santiago)'), ['OracleLinux 6.3']),
    ('Debian 13', _debian('13.1', '13', 'trixie'), ['Debian 13.1']),
    ('Ubuntu 23.10', _ubuntu('23.10', 'mantic', 'trixie/sid'), ['Ubuntu 23.10']),
    ('Fedora 39', {'/etc/redhat-release': 'Fedora release 39 (Thirty Nine)\n',
                   '/etc/fedora-release': 'Fedora release 39 (Thirty Nine)\n',
                   '/etc/os-release': _os_release('fedora', '39', 'Fedora Linux', 'Fedora Linux 39')},
     ['Fedora 39']),
    # An ancient Fedora must not be taken for RHEL 8.
    ('Fedora 8', {'/etc/redhat-release': 'Fedora release 8 (Werewolf)\n'}, ['Fedora 8']),
    ('SLES 12 SP0', {'/etc/SuSE-release': _suse('12', '0')}, ['SLES 12.0']),
    ('SLES 12 GA os-release', {'/etc/os-release': _os_release('sles', '12', 'SLES', 'SLES 12')}, ['SLES 12']),
    ('SLES 11 SP2', {'/etc/SuSE-release': _suse('11', '2')}, ['SLES 11.2']),
    # openSUSE 12.3 ships a SuSE-release too: it is not SLES 12.
    ('openSUSE 12.3', {'/etc/SuSE-release': 'openSUSE 12.3 (x86_64)\nVERSION = 12.3\nCODENAME = Dartmouth\n'},
     ['openSUSE 12.3']),
    ('Debian testing', {'/etc/debian_version': 'trixie/sid\n',
                        '/etc/os-release': _os_release('debian', None, 'Debian GNU/Linux', 'Debian GNU/Linux trixie/sid')},
     ['Debian']),
    ('Amazon Linux 2', {'/etc/os-release': _os_release('amzn', '2', 'Amazon Linux', 'Amazon Linux 2'),
                        '/etc/system-release': 'Amazon Linux release 2 (Karoo)\n'}, ['amzn 2']),
]


@pytest.mark.parametrize('label,files,words', UNSUPPORTED_RELEASE_FILES,
                         ids=[case[0] for case in UNSUPPORTED_RELEASE_FILES])
def test_release_files_unsupported(label, files, words):
    result = detect(architecture='x86_64', release_files=files)
    assert result['token'] is None, (label, result)
    assert result['supported'] is False
    for word in words:
        assert word in result['reason'], (word, result['reason'])


def test_release_files_32bit():
    result = detect(architecture='i686', release_files=_rhel('CentOS release 6.10 (Final)'))
    assert result['token'] is None
    assert 'CentOS 6.10' in result['reason'] and '32-bit' in result['reason']


def test_release_files_win_over_facts():
    result = detect(distribution='RedHat', version='7.9', architecture='x86_64',
                    release_files=_oracle('7.9', 'Red Hat Enterprise Linux Server release 7.9 (Maipo)'))
    assert result['token'] == 'OL7-64'
    assert result['evidence'] == '/etc/oracle-release'


def test_no_release_files_falls_back_to_facts():
    result = detect(distribution='Ubuntu', version='20.04', architecture='x86_64', release_files={})
    assert result['token'] == 'UBUNTU-20.04-64'
    assert result['source'] == 'facts' and result['evidence'] is None


# ---------------------------------------------------------------------------------------------
# distro_from_release_files: precedence of stale/extra files
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('files,expected', [
    ({}, None),
    (None, None),
    ({'/etc/oracle-release': 'Oracle Linux Server release 7.9\n',
      '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n',
      '/etc/os-release': _os_release('ol', '7.9', 'Oracle Linux Server', 'Oracle Linux Server 7.9')},
     ('OracleLinux', '7.9', '/etc/oracle-release')),
    # A stale oracle-release next to a redhat-release still wins (the vendor's order).
    ({'/etc/oracle-release': 'Oracle Linux Server release 6.5\n',
      '/etc/redhat-release': 'CentOS release 6.10 (Final)\n'},
     ('OracleLinux', '6.5', '/etc/oracle-release')),
    ({'/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n'}, ('CentOS', '7.9.2009', '/etc/redhat-release')),
    # redhat-release wins over a SuSE-release or an os-release
    ({'/etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n',
      '/etc/os-release': _os_release('ubuntu', '20.04', 'Ubuntu', 'Ubuntu 20.04')},
     ('RedHat', '8.9', '/etc/redhat-release')),
    ({'/etc/SuSE-release': _suse('12', '3'), '/etc/os-release': _os_release('sles', '12.3', 'SLES', 'SLES 12 SP3')},
     ('SLES', '12.3', '/etc/SuSE-release')),
    ({'/usr/lib/os-release': _os_release('sles', '15.4', 'SLES', 'SLES 15 SP4')}, ('SLES', '15.4', '/etc/os-release')),
    # lsb-release wins over the Debian "jessie/sid" debian_version on Ubuntu
    (_ubuntu('16.04', 'xenial', 'stretch/sid'), ('Ubuntu', '16.04', '/etc/lsb-release')),
    # Debian version from debian_version (minor included), os-release when debian_version is a codename
    (_debian('8.11', '8', 'jessie'), ('Debian', '8.11', '/etc/debian_version')),
    ({'/etc/debian_version': 'bookworm/sid\n', '/etc/os-release': _os_release('debian', '12', 'Debian', 'Debian 12')},
     ('Debian', '12', '/etc/debian_version')),
    ({'/etc/os-release': _os_release('rocky', '9.3', 'Rocky Linux', 'Rocky Linux 9.3')},
     ('Rocky', '9.3', '/etc/os-release')),
    # Quoting styles of os-release
    ({'/etc/os-release': "ID='almalinux'\nVERSION_ID='9.3'\n"}, ('AlmaLinux', '9.3', '/etc/os-release')),
])
def test_distro_from_release_files(files, expected):
    found = distro_from_release_files(files)
    if expected is None:
        assert found is None
    else:
        assert (found['distribution'], found['version'], found['evidence']) == expected


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------
def test_override_adds_an_unsupported_os():
    result = detect(distribution='Debian', version='13.1', architecture='x86_64',
                    overrides={'Debian 13': 'DEBIAN13-64'})
    assert result['token'] == 'DEBIAN13-64'
    assert result['supported'] is True
    assert result['source'] == 'override'
    assert 'Debian 13' in result['reason']


def test_override_wins_over_builtin_table():
    result = detect(distribution='Ubuntu', version='22.04', architecture='x86_64',
                    overrides={'Ubuntu 22.04': 'UBUNTU-22.04-64-CUSTOM'})
    assert result['token'] == 'UBUNTU-22.04-64-CUSTOM'


@pytest.mark.parametrize('version,token', [
    ('13.1', 'FULL'),      # full version key
    ('13.2', 'MAJOR'),     # major key
    ('14', 'NAME'),        # distribution-only key
    ('13.1.5', 'MINOR'),   # major.minor key
])
def test_override_most_specific_key_wins(version, token):
    overrides = {'Debian': 'NAME', 'Debian 13': 'MAJOR', 'Debian 13.1': 'FULL'}
    if version == '13.1.5':
        overrides = {'Debian': 'NAME', 'Debian 13': 'MAJOR', 'Debian 13.1': 'MINOR'}
    result = detect(distribution='Debian', version=version, architecture='x86_64', overrides=overrides)
    assert result['token'] == token


@pytest.mark.parametrize('key', ['debian 12', 'DEBIAN 12', 'Debian 12', '  debian 12 '])
def test_override_keys_are_case_insensitive(key):
    result = detect(distribution='Debian', version='12.5', architecture='x86_64', overrides={key: 'DEBIAN12-64'})
    assert result['token'] == 'DEBIAN12-64'
    assert result['confirmed'] is True  # the user vouches for it


def test_override_applies_to_release_file_detection():
    files = _oracle('6.3', 'Red Hat Enterprise Linux Server release 6.3 (Santiago)')
    result = detect(architecture='x86_64', release_files=files, overrides={'OracleLinux 6.3': 'OL6-64'})
    assert result['token'] == 'OL6-64'


def test_override_for_other_distribution_does_not_apply():
    result = detect(distribution='Debian', version='13', architecture='x86_64', overrides={'Ubuntu 13': 'X'})
    assert result['token'] is None


def test_override_cannot_make_32bit_supported():
    result = detect(distribution='Debian', version='11', architecture='i686', overrides={'Debian': 'DEBIAN11-64'})
    assert result['token'] is None


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('text,expected', [
    ('7.9.2009', (7, 9, 2009)),
    ('11', (11, 0)),
    ('16.04', (16, 4)),
    ('12 (bookworm)', (12, 0)),
    ('', None),
    (None, None),
    ('trixie/sid', None),
    ('6_5', (6, 5)),
])
def test_version_tuple(text, expected):
    assert version_tuple(text) == expected


@pytest.mark.parametrize('name,expected', [
    ('RedHat', 'RedHat'), ('Red Hat Enterprise Linux Server', 'RedHat'), ('rhel', 'RedHat'),
    ('CentOS', 'CentOS'), ('rocky', 'Rocky'), ('alma', 'AlmaLinux'), ('OracleLinux', 'OracleLinux'),
    ('ol', 'OracleLinux'), ('SLES_SAP', 'SLES'), ('sled', 'SLES'), ('Ubuntu', 'Ubuntu'), ('debian', 'Debian'),
    ('Microsoft Windows Server 2019 Datacenter', 'Windows'), ('Fedora', 'Fedora'), ('', ''), (None, ''),
])
def test_canonical_distribution(name, expected):
    assert canonical_distribution(name) == expected


def test_known_tokens_cover_the_reference():
    expected = {'Windows', 'RHEL5-64', 'RHEL6-64', 'RHEL7-64', 'RHEL8-64', 'RHEL9-64', 'OL6-64', 'OL7-64', 'OL8-64',
                'OL9-64', 'SLES11-SP3-64', 'SLES11-SP4-64', 'SLES12-64', 'SLES15-64', 'UBUNTU-14.04-64',
                'UBUNTU-16.04-64', 'UBUNTU-18.04-64', 'UBUNTU-20.04-64', 'UBUNTU-22.04-64', 'DEBIAN7-64',
                'DEBIAN8-64', 'DEBIAN9-64', 'DEBIAN10-64', 'DEBIAN11-64', 'DEBIAN12-64', 'UBUNTU-24.04-64',
                'RHEL10-64', 'OL10-64'}
    assert set(known_tokens()) == expected


def test_token_table_rows_do_not_overlap():
    rows = os_tokens.TOKEN_TABLE
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if set(a['distributions']) & set(b['distributions']):
                assert a['max'] <= b['min'] or b['max'] <= a['min'], (a, b)


# ---------------------------------------------------------------------------------------------
# Hypothesis: parsers never raise on arbitrary text
# ---------------------------------------------------------------------------------------------
RELEASE_PATHS = ['/etc/oracle-release', '/etc/redhat-release', '/etc/centos-release', '/etc/SuSE-release',
                 '/etc/os-release', '/usr/lib/os-release', '/etc/lsb-release', '/etc/debian_version']

# Text that looks a bit like release files, so the interesting branches are reached.
_fragments = st.sampled_from(['release ', 'VERSION = ', 'PATCHLEVEL = ', 'ID=', 'VERSION_ID=', 'DISTRIB_ID=Ubuntu',
                              'DISTRIB_RELEASE=', 'ID=debian', 'ID=sles', 'ID=ubuntu', '\n', '"', "'", '.', '=',
                              'Oracle', 'CentOS', 'Red Hat', 'openSUSE', '7', '12', '\u00b2', '\u0663', ' '])
release_text = st.one_of(st.text(), st.lists(st.one_of(_fragments, st.text(max_size=5))).map(''.join))


@given(st.dictionaries(st.sampled_from(RELEASE_PATHS), release_text))
def test_release_file_parser_never_raises(files):
    found = distro_from_release_files(files)
    assert found is None or set(found) == {'distribution', 'version', 'evidence'}


@given(files=st.dictionaries(st.sampled_from(RELEASE_PATHS), release_text),
       distribution=st.one_of(st.none(), st.text()), version=st.one_of(st.none(), st.text()),
       architecture=st.one_of(st.none(), st.sampled_from(['x86_64', 'i686', 'aarch64', '64-bit']), st.text()),
       os_family=st.one_of(st.none(), st.sampled_from(['Windows', 'RedHat', 'Debian']), st.text()),
       overrides=st.one_of(st.none(), st.dictionaries(st.text(), st.text(min_size=1), max_size=3)))
def test_detect_never_raises(files, distribution, version, architecture, os_family, overrides):
    result = detect(distribution=distribution, version=version, architecture=architecture, os_family=os_family,
                    release_files=files, overrides=overrides)
    assert (result['token'] is None) == (not result['supported'])
    if not result['supported']:
        assert result['reason']


@given(st.text())
def test_version_tuple_never_raises(text):
    parsed = version_tuple(text)
    assert parsed is None or (len(parsed) >= 2 and all(isinstance(p, int) for p in parsed))
