# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_safety: private directories, verified copies, the host lock, stale clean-up, signals (issue 15)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import signal

import pytest

from ansible_collections.asr.mobility.plugins.module_utils import host_safety
from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError

NOBODY = 65534


def test_private_dir_ok_and_missing(tmp_path):
    good = tmp_path / 'good'
    good.mkdir(mode=0o700)
    host_safety.check_private_dir(str(good))
    host_safety.check_private_dir(str(tmp_path / 'not-yet'))  # created private later


def test_symlinked_dir_is_refused(tmp_path):
    target = tmp_path / 'elsewhere'
    target.mkdir()
    link = tmp_path / 'asr-mobility'
    link.symlink_to(target)
    with pytest.raises(host_safety.UnsafeError, match='symbolic link'):
        host_safety.check_private_dir(str(link))


@pytest.mark.skipif(os.geteuid() != 0, reason='chown to another user needs root')
def test_dir_owned_by_another_user_is_refused(tmp_path):
    planted = tmp_path / 'asr-mobility'
    planted.mkdir(mode=0o700)
    os.chown(str(planted), NOBODY, NOBODY)
    with pytest.raises(host_safety.UnsafeError, match='owned by uid %d' % NOBODY):
        host_safety.check_private_dir(str(planted))


def test_group_writable_dir_is_refused(tmp_path):
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    with pytest.raises(host_safety.UnsafeError, match='writable by group or others'):
        host_safety.check_private_dir(str(shared))


def test_copy_verified(tmp_path):
    source = tmp_path / 'pkg.tar.gz'
    source.write_bytes(b'verified bytes')
    private = tmp_path / 'private'
    private.mkdir(mode=0o700)
    good = hashlib.sha256(b'verified bytes').hexdigest()
    copy = host_safety.copy_verified(str(source), str(private), good.upper())
    assert open(copy, 'rb').read() == b'verified bytes'
    assert os.stat(copy).st_mode & 0o777 == 0o600
    os.unlink(copy)
    source.write_bytes(b'swapped after verification')
    with pytest.raises(host_safety.UnsafeError, match='not the file that was verified'):
        host_safety.copy_verified(str(source), str(private), good)
    assert os.listdir(str(private)) == []


def test_copy_verified_refuses_a_symlinked_installer(tmp_path):
    real = tmp_path / 'real'
    real.write_bytes(b'x')
    link = tmp_path / 'pkg.tar.gz'
    link.symlink_to(real)
    with pytest.raises(OSError):
        host_safety.copy_verified(str(link), str(tmp_path), hashlib.sha256(b'x').hexdigest())


def test_host_lock_second_holder_waits_then_fails(tmp_path):
    path = str(tmp_path / 'lock' / 'asr-mobility.lock')
    first = host_safety.HostLock(path).acquire(0)
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    second = host_safety.HostLock(path, sleep=sleep, clock=lambda: clock[0])
    with pytest.raises(host_safety.HostBusy, match=r'pid %d.*after 3 s' % os.getpid()) as info:
        second.acquire(3)
    assert isinstance(info.value, HostCallError)
    assert slept == [1, 1, 1]
    first.release()
    second.acquire(0).release()
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_host_lock_file_not_private_is_refused(tmp_path):
    path = tmp_path / 'asr-mobility.lock'
    path.write_text(u'')
    os.chmod(str(path), 0o666)
    with pytest.raises(host_safety.UnsafeError, match='not private'):
        host_safety.HostLock(str(path)).acquire(0)


def test_remove_stale(tmp_path):
    (tmp_path / 'asr-mobility-secret-abc').mkdir()
    (tmp_path / 'asr-mobility-x1').mkdir()
    (tmp_path / 'Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz').write_bytes(b'x')
    (tmp_path / 'other').mkdir()
    removed = host_safety.remove_stale([str(tmp_path), None, str(tmp_path / 'missing')])
    assert sorted(os.path.basename(p) for p in removed) == ['asr-mobility-secret-abc', 'asr-mobility-x1']
    assert sorted(os.listdir(str(tmp_path))) == ['Microsoft-ASR_UA_9.66.0.0_RHEL8-64_GA_20Sep2025_release.tar.gz',
                                                 'other']


def test_run_is_tmpfs():
    assert host_safety.run_is_tmpfs('proc /proc proc rw 0 0\ntmpfs /run tmpfs rw,nosuid 0 0\n')
    assert not host_safety.run_is_tmpfs('/dev/sda1 / ext4 rw 0 0\n')
    assert not host_safety.run_is_tmpfs(None)


def test_sigterm_raises_so_finally_runs(tmp_path):
    secret = tmp_path / 'secret'
    secret.write_text(u'x')
    with pytest.raises(SystemExit) as info:
        with host_safety.signals_raise():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            finally:
                secret.unlink()
    assert info.value.code == 128 + signal.SIGTERM
    assert not secret.exists()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
