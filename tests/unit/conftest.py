# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.asr.mobility`` importable under plain pytest.

``ansible-test units`` runs from ``<tmp>/ansible_collections/asr/mobility`` and installs Ansible's
collection loader, so nothing is needed there. Under plain ``pytest tests/unit`` from a checkout,
the collection root is not inside an ``ansible_collections/asr/mobility`` tree: when the import
fails, a private temporary tree with that layout (a symlink to this checkout) is put on
``sys.path``. Nothing outside the collection is relied on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import os
import shutil
import sys
import tempfile


def _collection_root():
    # tests/unit/conftest.py -> collection root
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ensure_importable():
    try:
        import ansible_collections.asr.mobility.plugins.module_utils.installer  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    tree = tempfile.mkdtemp(prefix='asr-mobility-units-')
    atexit.register(shutil.rmtree, tree, True)
    namespace = os.path.join(tree, 'ansible_collections', 'asr')
    os.makedirs(namespace)
    os.symlink(_collection_root(), os.path.join(namespace, 'mobility'))
    sys.path.insert(0, tree)
    for name in [n for n in sys.modules if n == 'ansible_collections.asr' or n.startswith('ansible_collections.asr.')]:
        del sys.modules[name]


_ensure_importable()

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is in tests/unit/requirements.txt
    settings = None

if settings is not None:
    # No wall-clock deadline: CI machines are slow and a deadline failure says nothing about the code.
    settings.register_profile('asr', deadline=None, max_examples=200,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile('asr-thorough', deadline=None, max_examples=5000,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'asr'))
