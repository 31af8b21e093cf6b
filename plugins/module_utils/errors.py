# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors shared by every host backend (Linux on the target, Windows from the controller).

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# How many lines of a vendor log a failure carries back (then ``--- <log> ---`` and program output).
LOG_TAIL_LINES = 25


class VendorError(Exception):
    """A vendor program failed: carries the exit code, its meaning and the log tail."""

    def __init__(self, message, code=None, meaning=None, log_tail=None, program=None):
        super(VendorError, self).__init__(message)
        self.message = message
        self.code = code
        self.meaning = meaning
        self.log_tail = log_tail or []
        self.program = program


class HostCallError(Exception):
    """Talking to the host failed (not a vendor program): a module call from the controller, for example."""

    def __init__(self, message):
        super(HostCallError, self).__init__(message)
        self.message = message
