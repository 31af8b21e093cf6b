# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operating system -> Mobility Service installer token (reference §4).

Two steps, both pure:

1. ``distro_from_release_files(files)`` reads release files the way the vendor's ``OS_details.sh``
   does (``/etc/oracle-release`` first, then ``/etc/redhat-release``, ``/etc/SuSE-release``,
   ``/etc/os-release``, ``/etc/lsb-release``, ``/etc/debian_version``).
2. ``detect(...)`` maps (distribution, version, architecture) to a token through the data table
   ``TOKEN_TABLE``; a user's override table wins over it.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.asr.mobility.plugins.module_utils.state import parse_kv as _kv

# Canonical distribution names are Ansible's ``ansible_distribution`` values.
RHEL_LIKE = ('RedHat', 'CentOS', 'Rocky', 'AlmaLinux')
ORACLE = 'OracleLinux'
SLES = 'SLES'
OPENSUSE_LEAP = 'openSUSE Leap'
UBUNTU = 'Ubuntu'
DEBIAN = 'Debian'
WINDOWS = 'Windows'

# Aliases seen in facts and os-release IDs -> canonical name.
_ALIASES = {
    'redhat': 'RedHat', 'rhel': 'RedHat', 'red hat enterprise linux': 'RedHat',
    'red hat enterprise linux server': 'RedHat',
    'centos': 'CentOS', 'rocky': 'Rocky', 'almalinux': 'AlmaLinux', 'alma': 'AlmaLinux',
    'oraclelinux': ORACLE, 'ol': ORACLE, 'oracle linux': ORACLE, 'oracle linux server': ORACLE,
    'sles': SLES, 'sles_sap': SLES, 'sled': SLES, 'suse': SLES, 'sle_hpc': SLES,
    'ubuntu': UBUNTU, 'debian': DEBIAN,
    'opensuse-leap': OPENSUSE_LEAP, 'opensuse leap': OPENSUSE_LEAP,
}

# The token table: one row per supported OS, as data.
# (distribution(s), version range [low, high) as tuples compared on (major, minor), token, confirmed)
# ``confirmed`` is False where the vendor has not published the token (reference §4 [UNCONFIRMED]).
TOKEN_TABLE = [
    # 2018-19 documentation
    {'distributions': ('RedHat', 'CentOS'), 'min': (6, 0), 'max': (7, 0), 'token': 'RHEL6-64', 'confirmed': True},
    {'distributions': ('RedHat', 'CentOS'), 'min': (7, 0), 'max': (8, 0), 'token': 'RHEL7-64', 'confirmed': True},
    {'distributions': (ORACLE,), 'min': (6, 4), 'max': (7, 0), 'token': 'OL6-64', 'confirmed': True},
    {'distributions': (SLES,), 'min': (11, 3), 'max': (11, 4), 'token': 'SLES11-SP3-64', 'confirmed': True},
    {'distributions': (SLES,), 'min': (11, 4), 'max': (11, 5), 'token': 'SLES11-SP4-64', 'confirmed': True},
    {'distributions': (SLES,), 'min': (12, 1), 'max': (13, 0), 'token': 'SLES12-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (14, 4), 'max': (14, 5), 'token': 'UBUNTU-14.04-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (16, 4), 'max': (16, 5), 'token': 'UBUNTU-16.04-64', 'confirmed': True},
    {'distributions': (DEBIAN,), 'min': (7, 0), 'max': (8, 0), 'token': 'DEBIAN7-64', 'confirmed': True},
    {'distributions': (DEBIAN,), 'min': (8, 0), 'max': (9, 0), 'token': 'DEBIAN8-64', 'confirmed': True},
    # Newer tokens (vendor OS_details.sh, 2024)
    {'distributions': ('RedHat', 'CentOS'), 'min': (5, 0), 'max': (6, 0), 'token': 'RHEL5-64', 'confirmed': True},
    {'distributions': RHEL_LIKE, 'min': (8, 0), 'max': (9, 0), 'token': 'RHEL8-64', 'confirmed': True},
    {'distributions': RHEL_LIKE, 'min': (9, 0), 'max': (10, 0), 'token': 'RHEL9-64', 'confirmed': True},
    {'distributions': (ORACLE,), 'min': (7, 0), 'max': (8, 0), 'token': 'OL7-64', 'confirmed': True},
    {'distributions': (ORACLE,), 'min': (8, 0), 'max': (9, 0), 'token': 'OL8-64', 'confirmed': True},
    {'distributions': (ORACLE,), 'min': (9, 0), 'max': (10, 0), 'token': 'OL9-64', 'confirmed': True},
    {'distributions': (SLES,), 'min': (15, 0), 'max': (16, 0), 'token': 'SLES15-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (18, 4), 'max': (18, 5), 'token': 'UBUNTU-18.04-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (20, 4), 'max': (20, 5), 'token': 'UBUNTU-20.04-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (22, 4), 'max': (22, 5), 'token': 'UBUNTU-22.04-64', 'confirmed': True},
    {'distributions': (DEBIAN,), 'min': (9, 0), 'max': (10, 0), 'token': 'DEBIAN9-64', 'confirmed': True},
    {'distributions': (DEBIAN,), 'min': (10, 0), 'max': (11, 0), 'token': 'DEBIAN10-64', 'confirmed': True},
    {'distributions': (DEBIAN,), 'min': (11, 0), 'max': (12, 0), 'token': 'DEBIAN11-64', 'confirmed': True},
    # [R2] confirmed: installers in the vendor's download lists 9.64-9.66 (Azure/Azure-SiteRecovery
    # MobilityAgent/OnPremiseToAzure/AgentDownloadLinks.md, newest 9.66.7567.1 of 20 Sep 2025).
    {'distributions': (DEBIAN,), 'min': (12, 0), 'max': (13, 0), 'token': 'DEBIAN12-64', 'confirmed': True},
    {'distributions': (UBUNTU,), 'min': (24, 4), 'max': (24, 5), 'token': 'UBUNTU-24.04-64', 'confirmed': True},
    # [R2] the 2025 OS_details.sh (Azure/Azure-SiteRecovery MobilityAgent/OS_details.sh) maps openSUSE
    # Leap 15 to SLES15-64 (it greps 'SLES|openSUSE Leap' and VERSION="15 in /etc/os-release).
    {'distributions': (OPENSUSE_LEAP,), 'min': (15, 0), 'max': (16, 0), 'token': 'SLES15-64', 'confirmed': True},
    # [R2] named by the 2025 OS_details.sh (RHEL/Rocky/Alma 10, Oracle Linux 10) but no installer has
    # been published for them: known, so the answer is clear, and refused until one exists (the
    # override table can name a token for an installer the user has).
    {'distributions': ('RedHat', 'Rocky', 'AlmaLinux'), 'min': (10, 0), 'max': (11, 0), 'token': 'RHEL10-64',
     'confirmed': True, 'published': False},
    {'distributions': (ORACLE,), 'min': (10, 0), 'max': (11, 0), 'token': 'OL10-64', 'confirmed': True,
     'published': False},
]

# Windows Server by kernel version (ansible_distribution_version, e.g. 10.0.17763.0):
# (major, minor, minimum build) -> product name. 2008 R2 needs SP1 (build 7601).
WINDOWS_SERVER_TABLE = [
    {'kernel': (6, 1), 'min_build': 7601, 'name': 'Windows Server 2008 R2 SP1'},
    {'kernel': (6, 2), 'min_build': 0, 'name': 'Windows Server 2012'},
    {'kernel': (6, 3), 'min_build': 0, 'name': 'Windows Server 2012 R2'},
    {'kernel': (10, 0), 'min_build': 14393, 'max_build': 17763, 'name': 'Windows Server 2016'},
    {'kernel': (10, 0), 'min_build': 17763, 'max_build': 20348, 'name': 'Windows Server 2019'},
    {'kernel': (10, 0), 'min_build': 20348, 'max_build': 26100, 'name': 'Windows Server 2022'},
]
WINDOWS_TOKEN = 'Windows'

SUPPORTED_ARCHITECTURES = ('x86_64', 'amd64', '64-bit', 'x64')
THIRTY_TWO_BIT = ('i386', 'i486', 'i586', 'i686', 'x86', '32-bit', 'ia32')


def canonical_distribution(name):
    """Ansible fact / os-release ID / product string -> canonical distribution name."""
    if not name:
        return ''
    key = str(name).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if 'windows' in key:
        return WINDOWS
    return str(name).strip()


_DIGITS_RE = re.compile(r'^[0-9]+$')


def version_tuple(version):
    """'7.9.2009' -> (7, 9); '11' -> (11, 0); '' -> None. Non-numeric parts stop the parse."""
    if version is None:
        return None
    parts = []
    for piece in re.split(r'[.\-_ ]', str(version).strip()):
        # not str.isdigit(): it accepts '²', which int() refuses
        if not _DIGITS_RE.match(piece):
            break
        parts.append(int(piece))
    if not parts:
        return None
    while len(parts) < 2:
        parts.append(0)
    return tuple(parts)


_RELEASE_RE = re.compile(r'release\s+(\d+(?:\.\d+)*)', re.I)
_PRODUCT_RE = re.compile(r'^\s*(.*?)\s+release\b', re.I)


def _redhat_release(text):
    match = _RELEASE_RE.search(text)
    version = match.group(1) if match else ''
    low = text.lower()
    for needle, dist in (('centos', 'CentOS'), ('rocky', 'Rocky'), ('almalinux', 'AlmaLinux'),
                         ('oracle', ORACLE), ('red hat', 'RedHat')):
        if needle in low:
            return dist, version
    # Another product with a redhat-release (Fedora, Scientific Linux, ...): name it as it names
    # itself, never as RedHat ("Fedora release 8" must not get the RHEL8-64 token).
    product = _PRODUCT_RE.match(text)
    if product and product.group(1):
        return product.group(1), version
    return 'RedHat', version


def distro_from_release_files(files):
    """Release-file evidence -> {'distribution', 'version', 'evidence'} or None.

    ``files`` maps absolute paths to their text (missing files are simply absent). The order
    is the vendor's (reference §4): Oracle Linux first, because it also ships redhat-release.
    """
    files = files or {}
    text = files.get('/etc/oracle-release')
    if text:
        match = _RELEASE_RE.search(text)
        return {'distribution': ORACLE, 'version': match.group(1) if match else '',
                'evidence': '/etc/oracle-release'}
    text = files.get('/etc/redhat-release') or files.get('/etc/centos-release')
    if text:
        dist, version = _redhat_release(text)
        return {'distribution': dist, 'version': version, 'evidence': '/etc/redhat-release'}
    text = files.get('/etc/SuSE-release')
    if text:
        values = _kv(text)
        version = values.get('VERSION', '')
        if values.get('PATCHLEVEL'):
            version = '%s.%s' % (version, values['PATCHLEVEL'])
        # openSUSE (12.x, 13.x, Leap 42.x) ships a SuSE-release too; it is not SLES.
        dist = 'openSUSE' if 'opensuse' in text.lower() else SLES
        return {'distribution': dist, 'version': version, 'evidence': '/etc/SuSE-release'}
    os_release = _kv(files.get('/etc/os-release') or files.get('/usr/lib/os-release') or '')
    os_id = os_release.get('ID', '').lower()
    if os_id in ('sles', 'sles_sap', 'sled'):
        return {'distribution': SLES, 'version': os_release.get('VERSION_ID', ''), 'evidence': '/etc/os-release'}
    if os_id == 'opensuse-leap':
        return {'distribution': OPENSUSE_LEAP, 'version': os_release.get('VERSION_ID', ''),
                'evidence': '/etc/os-release'}
    lsb = _kv(files.get('/etc/lsb-release') or '')
    if lsb.get('DISTRIB_ID', '').lower() == 'ubuntu' and lsb.get('DISTRIB_RELEASE'):
        return {'distribution': UBUNTU, 'version': lsb['DISTRIB_RELEASE'], 'evidence': '/etc/lsb-release'}
    if os_id == 'ubuntu':
        return {'distribution': UBUNTU, 'version': os_release.get('VERSION_ID', ''), 'evidence': '/etc/os-release'}
    debian_version = (files.get('/etc/debian_version') or '').strip()
    if debian_version and os_id in ('', 'debian'):
        version = debian_version if version_tuple(debian_version) else os_release.get('VERSION_ID', '')
        return {'distribution': DEBIAN, 'version': version, 'evidence': '/etc/debian_version'}
    if os_id:
        return {'distribution': canonical_distribution(os_id), 'version': os_release.get('VERSION_ID', ''),
                'evidence': '/etc/os-release'}
    return None


def _override_token(overrides, distribution, version):
    """User table: keys 'Distribution', 'Distribution major', 'Distribution major.minor', or the
    full version, case-insensitive; the most specific key wins."""
    if not overrides:
        return None
    table = dict((str(k).strip().lower(), v) for k, v in overrides.items())
    parsed = version_tuple(version)
    keys = []
    if version:
        keys.append('%s %s' % (distribution, version))
    if parsed:
        keys.append('%s %d.%d' % (distribution, parsed[0], parsed[1]))
        keys.append('%s %d' % (distribution, parsed[0]))
    keys.append(distribution)
    for key in keys:
        token = table.get(key.lower())
        if token:
            return token, key
    return None


def _windows(version, distribution_text):
    name = distribution_text or 'Windows'
    if distribution_text and 'server' not in distribution_text.lower():
        return None, '%s is a client edition; the Mobility Service supports Windows Server only' % name
    parts = [int(p) for p in re.findall(r'\d+', str(version or ''))]
    if len(parts) < 2:
        return None, 'Windows version %r could not be read' % (version,)
    build = parts[2] if len(parts) > 2 else 0
    for row in WINDOWS_SERVER_TABLE:
        if tuple(parts[:2]) != row['kernel']:
            continue
        if build < row['min_build']:
            continue
        if 'max_build' in row and build >= row['max_build']:
            continue
        return row['name'], None
    return None, '%s (version %s) is not a supported Windows Server release (2008 R2 SP1 to 2022)' % (name, version)


def detect(distribution=None, version=None, architecture=None, os_family=None,
           release_files=None, overrides=None):
    """Decide the installer token for one host.

    Returns a dict: ``token`` (None when unsupported), ``supported``, ``confirmed``, ``reason``
    (why unsupported, or a note), ``distribution``, ``version``, ``source`` (``release_files``,
    ``facts`` or ``override``) and ``evidence`` (the release file that decided, if any).
    """
    source = 'facts'
    evidence = None
    fact_text = distribution
    if (os_family or '').lower() != 'windows' and canonical_distribution(distribution) != WINDOWS:
        found = distro_from_release_files(release_files)
        if found:
            distribution, version = found['distribution'], found['version']
            evidence = found['evidence']
            source = 'release_files'
    dist = canonical_distribution(distribution)
    if (os_family or '').lower() == 'windows':
        dist = WINDOWS
    result = {
        'token': None, 'supported': False, 'confirmed': False, 'reason': '',
        'distribution': dist, 'version': str(version or ''), 'source': source, 'evidence': evidence,
    }
    label = ('%s %s' % (fact_text if dist == WINDOWS and fact_text else dist, version or '')).strip()
    arch = (architecture or '').strip().lower()
    if not dist:
        result['reason'] = 'the operating system could not be identified (no distribution facts or release files)'
        return result
    if arch in THIRTY_TWO_BIT:
        result['reason'] = '%s is 32-bit (%s); the Mobility Service needs a 64-bit x86 host' % (label, architecture)
        return result
    if arch and arch not in SUPPORTED_ARCHITECTURES:
        result['reason'] = '%s runs on %s; the Mobility Service supports x86_64 only' % (label, architecture)
        return result

    override = _override_token(overrides, dist, version)
    if override:
        result.update(token=override[0], supported=True, confirmed=True, source='override',
                      reason='token from the user override table (key %r)' % override[1])
        return result

    if dist == WINDOWS:
        name, why = _windows(version, fact_text)
        if name:
            result.update(token=WINDOWS_TOKEN, supported=True, confirmed=True, reason=name)
        else:
            result['reason'] = why
        return result

    parsed = version_tuple(version)
    if parsed is None:
        result['reason'] = '%s: the version %r could not be read' % (dist, version)
        return result
    for row in TOKEN_TABLE:
        if dist in row['distributions'] and row['min'] <= parsed[:2] < row['max']:
            if not row.get('published', True):
                result['reason'] = ('%s maps to token %s in the vendor\'s 2025 OS_details.sh, but no installer has been '
                                    'published for %s yet (newest download list: 9.66): there is nothing to install '
                                    'until Microsoft publishes one; if you hold such an installer, name the token in '
                                    'the override table' % (label, row['token'], row['token']))
                return result
            result.update(token=row['token'], supported=True, confirmed=row['confirmed'])
            if not row['confirmed']:
                result['reason'] = ('token %s for %s is not confirmed by the vendor; make sure an '
                                    'installer with this token exists' % (row['token'], label))
            return result
    result['reason'] = ('%s is not supported by the Mobility Service (no installer token for it); '
                        'if the vendor supports it now, add it to the override table' % label)
    return result


def known_tokens():
    """Every token the built-in table can produce."""
    tokens = [row['token'] for row in TOKEN_TABLE] + [WINDOWS_TOKEN]
    return sorted(set(tokens))
