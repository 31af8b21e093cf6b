# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installer file names and agent versions (reference §1.1, §1.5, §2.1).

``Microsoft-ASR_UA_<version>_<TOKEN>_<PHASE>_<ddMonYYYY>_release[.tar.gz|.exe]``, matched
case-insensitively. Versions are ``9.NN.build.rev``; the installed ``.vx_version`` says
``VERSION=9.NN.0.0`` and carries the build in ``BUILD_TAG``, so a zero build or revision means
"not known" and compares equal to any value.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME_RE = re.compile(
    r'^Microsoft-ASR_UA_(?P<version>[0-9]+(?:\.[0-9]+){3})_(?P<token>[A-Za-z0-9.\-]+)_(?P<phase>[A-Za-z]+)_'
    r'(?P<date>[0-9]{2}[A-Za-z]{3}[0-9]{4})_release(?:\.(?P<ext>tar\.gz|exe))?\Z',
    re.I)

# [0-9] and \Z, not \d and $: no Unicode digits, no trailing newline
VERSION_RE = re.compile(r'^[0-9]+(?:\.[0-9]+){0,3}\Z')
DIGITS_RE = re.compile(r'^[0-9]+\Z')


class InstallerNameError(ValueError):
    """A file name that is not a Mobility Service installer name."""


def parse_version(text):
    """'9.66.7567.1' -> (9, 66, 7567, 1); '9.30' -> (9, 30, 0, 0). Raises ValueError."""
    text = str(text).strip()
    if not VERSION_RE.match(text):
        raise ValueError('%r is not a version like 9.NN.build.rev' % (text,))
    parts = [int(p) for p in text.split('.')]
    return tuple(parts + [0] * (4 - len(parts)))


def format_version(version):
    return '.'.join(str(p) for p in version)


def _cmp(a, b):
    return (a > b) - (a < b)


def compare_versions(a, b):
    """-1, 0 or 1. Major and minor always count; build and revision count only when both
    sides know them (non-zero), so 9.30.0.0 (no build known) equals 9.30.5324.1."""
    a = parse_version(a) if not isinstance(a, tuple) else a
    b = parse_version(b) if not isinstance(b, tuple) else b
    result = _cmp(a[:2], b[:2])
    if result:
        return result
    for index in (2, 3):
        if a[index] and b[index]:
            result = _cmp(a[index], b[index])
            if result:
                return result
        else:
            break
    return 0


def version_matches(version, pin):
    """Does ``version`` satisfy a pin? A pin names leading components: '9.66' matches
    9.66.anything; '9.66.7567.1' matches that build (or a version whose build is unknown)."""
    pin_text = str(pin).strip()
    pin_parts = len(pin_text.split('.'))
    pinned = parse_version(pin_text)
    actual = parse_version(version) if not isinstance(version, tuple) else version
    if pin_parts <= 2:
        # '9' pins the major only, '9.66' the release
        return actual[:pin_parts] == pinned[:pin_parts]
    return compare_versions(actual, pinned) == 0


def version_from_build_tag(version, build_tag):
    """Installed VERSION (9.29.0.0) + BUILD_TAG (RELEASE_9.29.0.0_GA_5324_Jul_31_2019_INMAGE)
    -> (9, 29, 5324, 0). The build number is field 5 when the line ``BUILD_TAG=...`` is split
    on '_' (field 4 of the value)."""
    base = parse_version(version)
    fields = (build_tag or '').split('_')
    if len(fields) >= 4 and DIGITS_RE.match(fields[3]) and base[2] == 0:
        base = (base[0], base[1], int(fields[3]), base[3])
    return base


def parse_name(name):
    """Installer file name (a path is allowed) -> dict with version, version_tuple, token,
    phase, date, ext, platform ('windows' for .exe or token Windows, else 'linux')."""
    base = re.split(r'[\\/]', str(name))[-1]
    match = NAME_RE.match(base)
    if not match:
        raise InstallerNameError('%r is not a Mobility Service installer name '
                                 '(Microsoft-ASR_UA_<version>_<TOKEN>_<PHASE>_<date>_release.tar.gz|.exe)' % base)
    info = match.groupdict()
    info['name'] = base
    info['version_tuple'] = parse_version(info['version'])
    info['ext'] = (info['ext'] or '').lower()
    windows = info['ext'] == 'exe' or info['token'].lower() == 'windows'
    info['platform'] = 'windows' if windows else 'linux'
    return info


def build_name(version, token, date, phase='GA', ext=None):
    """The inverse of ``parse_name``: ext defaults to .exe for Windows, .tar.gz otherwise."""
    parse_version(version)
    if ext is None:
        ext = 'exe' if str(token).lower() == 'windows' else 'tar.gz'
    name = 'Microsoft-ASR_UA_%s_%s_%s_%s_release' % (version, token, phase, date)
    if ext:
        name += '.' + ext
    parse_name(name)
    return name


def choose(names, token, pin=None):
    """Pick the installer for ``token`` from file names (others are ignored).

    Without a pin: the newest version. With a pin: the newest that matches it. Returns the parsed
    dict of the chosen file, or raises LookupError saying what was available.
    """
    names = list(names)
    candidates = []
    for name in names:
        try:
            info = parse_name(name)
        except InstallerNameError:
            continue
        if info['token'].lower() == str(token).lower():
            candidates.append(info)
    if pin:
        matching = [c for c in candidates if version_matches(c['version_tuple'], pin)]
    else:
        matching = candidates
    if not matching:
        have = ', '.join(sorted(c['version'] for c in candidates)) or 'none'
        if pin:
            raise LookupError('no installer for token %s at version %s (versions for this token: %s)'
                              % (token, pin, have))
        raise LookupError('no installer for token %s among %d file(s)' % (token, len(names)))
    matching.sort(key=lambda c: (c['version_tuple'], c['name']))
    return matching[-1]
