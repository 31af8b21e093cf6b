# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the installer double and the fake configuration server (tests/lab/); the helpers
live in lab_helpers.py."""

import subprocess

import pytest

try:
    from lab_helpers import Host, start_fake_cs
except ImportError:  # ansible-test units imports the tests as a package
    from .lab_helpers import Host, start_fake_cs


@pytest.fixture
def host(tmp_path):
    h = Host(tmp_path)
    yield h
    h.cleanup()


@pytest.fixture
def installed(host):
    """A host with the double installed (classic, VmWare) from a fresh package."""
    pkg = host.package()
    res = host.install(pkg, '-q', '-r', 'MS', '-v', 'VmWare', '-c', 'CSLegacy')
    assert res.returncode == 0, res.stdout + res.stderr
    host.pkg = pkg
    return host


@pytest.fixture
def fake_cs(tmp_path):
    cs = start_fake_cs(str(tmp_path))
    yield cs
    cs.proc.terminate()
    try:
        cs.proc.wait(10)
    except subprocess.TimeoutExpired:
        cs.proc.kill()
