# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep-N clean-up of staged installers (issue 15): which entries of a staging directory to remove.

A staging directory (``/var/lib/asr-mobility``, ``C:\\Windows\\Temp\\asr-mobility``) fills up with
one installer package per upgrade and, from older releases of this collection, the tree extracted
next to it (named as the package without its extension). ``choose_removals`` is the whole decision,
a pure function: only names of the vendor's pattern (``Microsoft-ASR_UA_<version>_<TOKEN>_<PHASE>_
<date>_release[.tar.gz|.exe]``) are ever considered; links and anything that is neither a plain file
nor a directory are never removed; a package and its extracted tree go together; the newest ``keep``
packages (by version) and the one in use are kept.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.installer import InstallerNameError, parse_name

# What an entry of a directory listing is (``os.lstat`` / PowerShell ``Get-Item`` without following links).
FILE, DIRECTORY, LINK, OTHER = 'file', 'dir', 'link', 'other'
REMOVABLE_KINDS = (FILE, DIRECTORY)


def _package(name):
    """(group key, version tuple) of a name of the vendor's pattern, else None. The key is the name
    without its extension, so ``X_release.tar.gz``, ``X_release.exe`` and the tree ``X_release`` are one."""
    try:
        info = parse_name(name)
    except InstallerNameError:
        return None
    if name != info['name']:
        return None
    stem = name[:-(len(info['ext']) + 1)] if info['ext'] else name
    return stem.lower(), info['version_tuple']


def choose_removals(entries, keep, in_use=None):
    """``entries``: ``(name, kind)`` pairs of one directory (kind: ``file``, ``dir``, ``link``, ``other``);
    ``keep``: how many packages to keep, newest version first (0: none but the one in use); ``in_use``:
    the installer this run used (a name or a path; always kept). Returns the names to remove, sorted."""
    keep = int(keep)
    if keep < 0:
        raise ValueError('keep_installers must be 0 or more, not %d' % keep)
    packages = {}
    for name, kind in entries:
        found = _package(name)
        if found is None:
            continue
        key, version = found
        group = packages.setdefault(key, {'version': version, 'names': []})
        group['names'].append((name, kind))
    kept = set()
    if in_use:
        used = _package(str(in_use).replace('\\', '/').rsplit('/', 1)[-1])
        if used is not None:
            kept.add(used[0])
    newest = sorted(packages, key=lambda k: (packages[k]['version'], k), reverse=True)
    kept.update(newest[:keep])
    remove = []
    for key, group in packages.items():
        if key in kept:
            continue
        remove.extend(name for name, kind in group['names'] if kind in REMOVABLE_KINDS)
    return sorted(remove)
