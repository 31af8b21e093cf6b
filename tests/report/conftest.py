# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report tests import the collection from build/collections (``make collection``)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "build" / "collections"
if not (COLLECTIONS / "ansible_collections" / "asr" / "mobility").exists():
    raise RuntimeError("run `make collection` first (build/collections/ansible_collections/asr/mobility)")
for path in (str(COLLECTIONS), str(Path(__file__).resolve().parent)):
    if path not in sys.path:
        sys.path.insert(0, path)
