# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the action plugin tests; the fake Windows host is in asr_windows_double.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

# ansible-test runs pytest with --import-mode=importlib: put the shared fake host on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from asr_windows_double import WINDOWS_FACTS  # noqa: E402 pylint: disable=wrong-import-position


@pytest.fixture
def windows_vars():
    return {'ansible_facts': dict(WINDOWS_FACTS), 'inventory_hostname': 'win1'}
