# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every role: defaults/main.yml and meta/argument_specs.yml say the same thing.

* each default is an option of an entry point, with the same default value (unless the default is
  computed at run time, a template), and each option not marked ``required`` has a default;
* a default is one of the option's ``choices``;
* every variable of defaults/ and vars/ carries the role's prefix (``<role>_``, or ``__<role>_`` for
  internal ones);
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES_DIR = os.path.join(ROOT, 'roles')
ROLES = sorted(r for r in os.listdir(ROLES_DIR) if os.path.isdir(os.path.join(ROLES_DIR, r, 'tasks')))


def _yaml(*parts):
    path = os.path.join(*parts)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return yaml.safe_load(handle)


def _defaults(role):
    return _yaml(ROLES_DIR, role, 'defaults', 'main.yml') or {}


def _specs(role):
    specs = _yaml(ROLES_DIR, role, 'meta', 'argument_specs.yml')
    assert specs, '%s has no meta/argument_specs.yml' % role
    return specs['argument_specs']


def test_every_role_is_checked():
    assert {'mobility_service', 'antivirus_exclusions', 'azure_guest_agent', 'mobility_report'} <= set(ROLES)


@pytest.mark.parametrize('role', ROLES)
def test_defaults_match_the_argument_specs(role):
    defaults = _defaults(role)
    documented = set()
    for entry, spec in _specs(role).items():
        for name, option in ((spec or {}).get('options') or {}).items():
            documented.add(name)
            if option.get('required'):
                continue    # the caller passes it (e.g. the hosts of a summary entry point)
            assert name in defaults, '%s (entry point %s) has no value in defaults/main.yml' % (name, entry)
            value = defaults[name]
            if isinstance(value, str) and '{{' in value:
                continue    # computed at run time: the documented default describes it
            assert option.get('default') == value, '%s (entry point %s): defaults %r, argument_specs %r' % (
                name, entry, value, option.get('default'))
            if 'choices' in option:
                assert value in option['choices'], '%s: default %r not in its choices' % (name, value)
    assert sorted(set(defaults) - documented) == [], 'defaults not in meta/argument_specs.yml'


@pytest.mark.parametrize('role', ROLES)
def test_role_variables_carry_the_prefix(role):
    names = list(_defaults(role))
    vars_dir = os.path.join(ROLES_DIR, role, 'vars')
    for name in sorted(os.listdir(vars_dir)) if os.path.isdir(vars_dir) else []:
        names.extend(_yaml(vars_dir, name) or {})
    bad = [n for n in names if not (n.startswith(role + '_') or n.startswith('__' + role + '_'))]
    assert bad == []


def test_the_check_catches_a_drifted_default(tmp_path, monkeypatch):
    role = tmp_path / 'roles' / 'r' / 'defaults'
    role.mkdir(parents=True)
    (role / 'main.yml').write_text('r_x: 1\n')
    meta = tmp_path / 'roles' / 'r' / 'meta'
    meta.mkdir()
    (meta / 'argument_specs.yml').write_text(
        'argument_specs:\n  main:\n    options:\n      r_x: {type: int, default: 2}\n')
    monkeypatch.setattr(sys.modules[__name__], 'ROLES_DIR', str(tmp_path / 'roles'))
    with pytest.raises(AssertionError):
        test_defaults_match_the_argument_specs('r')
