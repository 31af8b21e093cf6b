# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep-N clean-up of staged installers (issue 15): the pure choice of what to remove."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.asr.mobility.plugins.module_utils.installer import parse_name
from ansible_collections.asr.mobility.plugins.module_utils.staging import choose_removals

OLD = 'Microsoft-ASR_UA_9.63.7187.1_RHEL8-64_GA_01Jan2025_release'
MID = 'Microsoft-ASR_UA_9.65.7400.1_RHEL8-64_GA_01May2025_release'
NEW = 'Microsoft-ASR_UA_9.66.7567.1_RHEL8-64_GA_20Sep2025_release'


def test_keeps_the_newest_two_and_removes_older_packages_with_their_trees():
    entries = [(OLD + '.tar.gz', 'file'), (OLD, 'dir'), (MID + '.tar.gz', 'file'), (NEW + '.tar.gz', 'file'),
               ('SHA256SUMS', 'file'), ('notes.txt', 'file'), ('asr-mobility-x-abc', 'dir')]
    assert choose_removals(entries, 2, in_use='/var/lib/asr-mobility/' + NEW + '.tar.gz') == [OLD, OLD + '.tar.gz']


def test_zero_keeps_only_the_installer_in_use():
    entries = [(OLD + '.tar.gz', 'file'), (MID + '.tar.gz', 'file'), (NEW + '.tar.gz', 'file')]
    assert choose_removals(entries, 0, in_use=MID + '.tar.gz') == sorted([NEW + '.tar.gz', OLD + '.tar.gz'])


def test_links_and_special_files_are_never_removed():
    entries = [(OLD + '.tar.gz', 'link'), (OLD, 'link'), (MID + '.tar.gz', 'other'), (NEW + '.tar.gz', 'file')]
    assert choose_removals(entries, 0, in_use=NEW + '.tar.gz') == []


def test_windows_names_and_paths():
    exe = 'Microsoft-ASR_UA_9.60.7000.1_Windows_GA_01Jan2024_release.exe'
    used = 'C:\\Windows\\Temp\\asr-mobility\\Microsoft-ASR_UA_9.66.7567.1_Windows_GA_20Sep2025_release.exe'
    entries = [(exe, 'file'), (used.rsplit('\\', 1)[1], 'file')]
    assert choose_removals(entries, 0, in_use=used) == [exe]


def test_negative_keep_is_refused():
    with pytest.raises(ValueError, match='0 or more'):
        choose_removals([], -1)


VERSIONS = st.tuples(st.integers(9, 9), st.integers(50, 70), st.integers(1000, 9999), st.integers(0, 3))
TOKENS = st.sampled_from(['RHEL8-64', 'DEBIAN12-64', 'UBUNTU-20.04-64', 'Windows'])
SUFFIXES = st.sampled_from(['.tar.gz', '.exe', ''])
KINDS = st.sampled_from(['file', 'dir', 'link', 'other'])


@st.composite
def listing(draw):
    names = []
    for version, token, suffix in draw(st.lists(st.tuples(VERSIONS, TOKENS, SUFFIXES), max_size=12)):
        names.append('Microsoft-ASR_UA_%s_%s_GA_01Jan2025_release%s' % ('.'.join(map(str, version)), token, suffix))
    names += draw(st.lists(st.sampled_from(['SHA256SUMS', 'asr-mobility-x-1', 'Microsoft-ASR_UA_bogus.tar.gz',
                                            'microsoft-asr_ua_9.1.1.1_RHEL8-64_GA_01Jan2025_release.tar.gz.part',
                                            'other.exe', '.hidden']), max_size=4))
    unique = sorted(set(names))
    return [(name, draw(KINDS)) for name in unique]


def _key(name):
    info = parse_name(name)
    return name[:-(len(info['ext']) + 1)].lower() if info['ext'] else name.lower()


@settings(max_examples=300, deadline=None)
@given(listing(), st.integers(0, 5), st.data())
def test_properties(entries, keep, data):
    candidates = [n for n, k in entries if n.startswith('Microsoft-ASR_UA_9.')]
    in_use = data.draw(st.sampled_from(candidates)) if candidates and data.draw(st.booleans()) else None
    removed = choose_removals(entries, keep, in_use=in_use)
    kinds = dict(entries)
    assert removed == sorted(set(removed))
    for name in removed:
        assert kinds[name] in ('file', 'dir')  # never a link, never a special file
        info = parse_name(name)  # only the vendor's pattern
        assert info['name'] == name
    if in_use:
        assert not [n for n in removed if _key(n) == _key(in_use)]
    groups = {}
    for name, _kind in entries:
        try:
            info = parse_name(name)
        except ValueError:
            continue
        if info['name'] == name:
            groups.setdefault(_key(name), info['version_tuple'])
    gone = set(_key(n) for n in removed)
    assert len(set(groups) - gone) >= min(keep, len(groups))
    # a removed package is never among the newest ``keep`` (by version, then name)
    for key in gone:
        newer = [k for k in groups if (groups[k], k) > (groups[key], key)]
        assert len(newer) >= keep
    # a second pass over what is left removes nothing more
    left = [(n, k) for n, k in entries if n not in removed]
    assert choose_removals(left, keep, in_use=in_use) == []


def test_linux_host_cleans_the_staging_directory_without_following_links(tmp_path):
    from ansible_collections.asr.mobility.plugins.module_utils.linux_host import LinuxHost
    staging = tmp_path / 'staging'
    staging.mkdir(mode=0o700)
    outside = tmp_path / 'precious'
    outside.mkdir()
    (outside / 'keep.txt').write_text('not ours')
    for name in (OLD + '.tar.gz', MID + '.tar.gz', NEW + '.tar.gz', 'SHA256SUMS', 'notes.txt'):
        (staging / name).write_text(name)
    (staging / OLD).mkdir()
    (staging / OLD / 'link-out').symlink_to(outside)
    linked = 'Microsoft-ASR_UA_9.60.7000.1_RHEL8-64_GA_01Jan2024_release.tar.gz'
    (staging / linked).symlink_to(outside / 'keep.txt')
    removed = LinuxHost(run=None).clean_staging(str(staging / NEW) + '.tar.gz', 1)
    assert sorted(removed) == sorted(str(staging / n) for n in (OLD, OLD + '.tar.gz', MID + '.tar.gz'))
    assert sorted(p.name for p in staging.iterdir()) == sorted([NEW + '.tar.gz', 'SHA256SUMS', 'notes.txt', linked])
    assert (outside / 'keep.txt').read_text() == 'not ours'


def test_linux_host_refuses_to_clean_a_directory_others_can_write(tmp_path):
    from ansible_collections.asr.mobility.plugins.module_utils.linux_host import LinuxHost
    staging = tmp_path / 'staging'
    staging.mkdir()
    staging.chmod(0o777)
    (staging / (OLD + '.tar.gz')).write_text('x')
    with pytest.raises(ValueError, match='writable by group or others'):
        LinuxHost(run=None).clean_staging(str(staging / NEW) + '.tar.gz', 0)
    assert (staging / (OLD + '.tar.gz')).exists()
