# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a module's main() in-process: arguments in, exit_json/fail_json out as exceptions,
run_command replaced by the fake host (tests/unit/conftest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.16 - 2.18
    patch_module_args = None


class AnsibleExitJson(Exception):
    """exit_json was called."""

    def __init__(self, result):
        super(AnsibleExitJson, self).__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    """fail_json was called."""

    def __init__(self, result):
        super(AnsibleFailJson, self).__init__(result)
        self.result = result


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


@pytest.fixture
def run_module(host, monkeypatch):
    """``run_module(main, args, check_mode=False, diff=False)`` -> (failed, result)."""

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise AnsibleExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs['failed'] = True
        kwargs['msg'] = msg
        raise AnsibleFailJson(kwargs)

    def run_command(self, args, **kwargs):
        return host.run(args, cwd=kwargs.get('cwd'))

    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))

    def run(main, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args['_ansible_check_mode'] = True
        if diff:
            args['_ansible_diff'] = True
        del warnings[:]
        with module_args(args):
            try:
                main()
            except AnsibleExitJson as exc:
                exc.result['warnings'] = list(warnings)
                return False, exc.result
            except AnsibleFailJson as exc:
                exc.result['warnings'] = list(warnings)
                return True, exc.result
        raise AssertionError('the module returned without exit_json or fail_json')

    return run
