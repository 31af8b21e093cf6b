# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""community.general.chroot that also writes one line per round trip (benchmark only, never shipped)."""

from __future__ import annotations

import json
import os
import time

from ansible_collections.community.general.plugins.connection.chroot import Connection as ChrootConnection

DOCUMENTATION = r"""
name: bench_chroot
short_description: community.general.chroot, counting every command and file transfer
description:
  - Behaves exactly as community.general.chroot (it is a subclass that adds no behaviour).
  - When the environment variable BENCH_EVENTS names a file, every exec_command, put_file and
    fetch_file appends one JSON line to it (chroot path, operation, bytes, seconds), so the
    benchmark can count round trips and transferred bytes per host.
author: asr.mobility developers (@asr-mobility)
options:
  remote_addr:
    description: The path of the chroot.
    type: string
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  executable:
    description: Shell inside the chroot.
    type: string
    ini:
      - section: defaults
        key: executable
    env:
      - name: ANSIBLE_EXECUTABLE
    vars:
      - name: ansible_executable
    default: /bin/sh
  chroot_exe:
    description: The chroot binary.
    type: string
    ini:
      - section: chroot_connection
        key: exe
    env:
      - name: ANSIBLE_CHROOT_EXE
    vars:
      - name: ansible_chroot_exe
    default: chroot
  disable_root_check:
    description: Do not check that the user is root.
    ini:
      - section: chroot_connection
        key: disable_root_check
    env:
      - name: ANSIBLE_CHROOT_DISABLE_ROOT_CHECK
    vars:
      - name: ansible_chroot_disable_root_check
    default: false
    type: bool
"""


def _record(root, op, nbytes, started, what):
    path = os.environ.get('BENCH_EVENTS')
    if not path:
        return
    line = json.dumps({'root': root, 'op': op, 'bytes': nbytes, 's': round(time.monotonic() - started, 4),
                       'what': what[:80]}) + '\n'
    # One write with O_APPEND: lines from concurrent workers do not interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode('utf-8'))
    finally:
        os.close(fd)


class Connection(ChrootConnection):
    """Counting chroot connection."""

    transport = 'bench_chroot'

    def exec_command(self, cmd, in_data=None, sudoable=False):
        started = time.monotonic()
        result = super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        what = 'pipelined module' if in_data else (cmd if isinstance(cmd, str) else cmd.decode('utf-8', 'replace'))
        _record(self.chroot, 'exec', len(in_data or b''), started, what)
        return result

    def put_file(self, in_path, out_path):
        started = time.monotonic()
        super().put_file(in_path, out_path)
        _record(self.chroot, 'put', os.path.getsize(in_path), started, out_path)

    def fetch_file(self, in_path, out_path):
        started = time.monotonic()
        super().fetch_file(in_path, out_path)
        _record(self.chroot, 'fetch', os.path.getsize(out_path), started, in_path)
