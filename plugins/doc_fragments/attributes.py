# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared ``attributes:`` blocks of the collection's modules (a module may override one key)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # A module that changes the host: check mode returns the plan, diff shows before/after.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: Returns the plan and touches nothing.
  diff_mode:
    support: full
    description: Shows what changes, before and after.
'''

    # A module that only reads.
    INFO = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: Reads only; check mode changes nothing either way.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
'''

    # Implemented on the controller by an action plugin of the same name.
    ACTION = r'''
options: {}
attributes:
  action:
    support: full
    description: Implemented by an action plugin of the same name, which runs on the controller.
'''

    POSIX = r'''
options: {}
attributes:
  platform:
    support: full
    platforms: posix
    description: Linux hosts.
'''

    WINDOWS = r'''
options: {}
attributes:
  platform:
    support: full
    platforms: windows
    description: Windows hosts, driven through C(ansible.windows) modules; nothing of this collection runs there.
'''
