# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the action plugin tests; the fake Windows host is in asr_windows_double.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from asr_windows_double import WINDOWS_FACTS


@pytest.fixture
def windows_vars():
    return {'ansible_facts': dict(WINDOWS_FACTS), 'inventory_hostname': 'win1'}
