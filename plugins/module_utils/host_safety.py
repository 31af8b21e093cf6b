# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What keeps root's work on a Linux host safe (design: "threat model").

* ``check_private_dir``: a directory that holds what root runs (installers, extracted trees,
  secrets) must be a real directory owned by the user running the module, and writable by nobody
  else; a symbolic link or another user's directory is refused.
* ``copy_verified``: the installer is copied into a private directory while it is hashed; the copy,
  the bytes that were hashed, is what gets extracted and run.
* ``HostLock``: one agent lifecycle at a time on a host (a root-owned lock file under ``/run/lock``);
  a second run waits a bounded time, then fails clearly. Never two installers at once.
* ``remove_stale``: private directories left by a run that was killed (SIGKILL, power loss) are
  removed by the next run, under the lock.
* ``secret_base``: secrets go to ``/run/asr-mobility`` when ``/run`` is a tmpfs (they never reach a disk
  and die with a reboot), else to the work directory.
* ``signals_raise``: SIGTERM and SIGHUP (a dropped SSH session, an async timeout) raise SystemExit, so
  every ``finally`` runs and removes the secret.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import os
import shutil
import signal
import stat
import time
from contextlib import contextmanager

from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError

# Prefixes of this module's private directories (extracted package, secret): the stale clean-up
# removes only these, never anything else that merely starts with "asr-mobility".
EXTRACT_PREFIX = 'asr-mobility-x-'
SECRET_PREFIX = 'asr-mobility-secret-'
PRIVATE_PREFIXES = (EXTRACT_PREFIX, SECRET_PREFIX)
_CHUNK = 1024 * 1024


class UnsafeError(ValueError):
    """Refused before anything ran: something root would use is not private to root."""


class HostBusy(HostCallError):
    """Another run holds the host's agent lock."""


def check_private_dir(path, what='directory'):
    """Refuse ``path`` unless it is a real directory owned by us and not writable by group/others.
    A path that does not exist yet is fine (it will be created private)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return
        raise
    problems = []
    if stat.S_ISLNK(info.st_mode):
        problems.append('is a symbolic link')
    elif not stat.S_ISDIR(info.st_mode):
        problems.append('is not a directory')
    else:
        if info.st_uid != os.geteuid():
            problems.append('is owned by uid %d, not by uid %d that runs the vendor programs'
                            % (info.st_uid, os.geteuid()))
        if info.st_mode & 0o022:
            problems.append('is writable by group or others (mode %04o)' % stat.S_IMODE(info.st_mode))
    if problems:
        raise UnsafeError('The %s %s %s: another user could swap what root runs. Remove it and run again (the role '
                          'creates it owned by root, mode 0700)' % (what, path, ' and '.join(problems)))


ST_NOEXEC = getattr(os, 'ST_NOEXEC', 8)  # Python 2.7 has the flag in f_flag but not the constant


def check_exec_mount(path, what='directory'):
    """Refuse a directory on a ``noexec`` mount (CIS benchmarks mount /tmp and /var/tmp so): the
    vendor's ``./install`` is run from the tree extracted there and would fail."""
    probe = path
    while probe and not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if probe and os.statvfs(probe).f_flag & ST_NOEXEC:
        raise UnsafeError('The %s %s is on a filesystem mounted noexec, so the vendor installer extracted there cannot '
                          'run: use a directory on a filesystem without noexec (the role default is '
                          '/var/lib/asr-mobility)' % (what, path))


def copy_verified(source, directory, expected_sha256):
    """Copy ``source`` into ``directory`` (private) while hashing it; raise UnsafeError when the
    bytes are not the ones verified. Returns the copy's path: extract and run only that."""
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0)
    fd = os.open(source, flags)
    target = os.path.join(directory, os.path.basename(source))
    digest = hashlib.sha256()
    with os.fdopen(fd, 'rb') as src:
        out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(out_fd, 'wb') as dst:
            for block in iter(lambda: src.read(_CHUNK), b''):
                digest.update(block)
                dst.write(block)
    actual = digest.hexdigest()
    if actual.lower() != str(expected_sha256).strip().lower():
        os.unlink(target)
        raise UnsafeError('The installer %s is not the file that was verified: its sha256 is %s, %s was expected. '
                          'Nothing was run; find out who changed it, then run again'
                          % (source, actual, expected_sha256))
    return target


def make_private_dir(path):
    """Create ``path`` (0700) when missing, then check it."""
    if not os.path.lexists(path):
        try:
            os.makedirs(path, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
    check_private_dir(path)
    return path


def run_is_tmpfs(mounts_text):
    """Whether ``/run`` is a tmpfs, from the text of ``/proc/mounts``."""
    for line in (mounts_text or '').splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == '/run' and fields[2] == 'tmpfs':
            return True
    return False


def remove_stale(directories, now=None, min_age=0):
    """Remove this collection's private directories left in ``directories`` by earlier runs.
    Call only while holding the host lock (no other run of ours is then active)."""
    removed = []
    now = time.time() if now is None else now
    for directory in directories:
        if not directory or not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            if not name.startswith(PRIVATE_PREFIXES):
                continue
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or now - info.st_mtime < min_age:
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class HostLock(object):
    """``flock`` on a root-owned file; ``acquire(timeout)`` waits at most ``timeout`` seconds."""

    def __init__(self, path, sleep=time.sleep, clock=time.time):
        self.path = path
        self.fd = None
        self._sleep = sleep
        self._clock = clock

    def acquire(self, timeout):
        parent = os.path.dirname(self.path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o755)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        info = os.fstat(fd)
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            os.close(fd)
            raise UnsafeError('The lock file %s is not private to uid %d (owner %d, mode %04o): remove it and run again'
                              % (self.path, os.geteuid(), info.st_uid, stat.S_IMODE(info.st_mode)))
        deadline = self._clock() + max(0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
            if self._clock() >= deadline:
                holder = os.read(fd, 64).decode('ascii', 'replace').strip() or 'unknown'
                os.close(fd)
                raise HostBusy('Another asr.mobility run (pid %s) is installing, registering or uninstalling the agent '
                               'on this host and still held %s after %d s. Nothing was run; run again when it has '
                               'finished (or raise lock_timeout)' % (holder, self.path, timeout))
            self._sleep(1)
        os.ftruncate(fd, 0)
        os.write(fd, ('%d\n' % os.getpid()).encode('ascii'))
        self.fd = fd
        return self

    def release(self):
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


@contextmanager
def signals_raise():
    """While inside, SIGTERM and SIGHUP raise SystemExit (so ``finally`` blocks run)."""
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, _raise_exit)
        except ValueError:  # not the main thread: leave the handlers alone
            pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
