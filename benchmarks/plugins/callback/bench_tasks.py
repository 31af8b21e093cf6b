# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per host and task results as JSON for the benchmark (benchmark only, never shipped)."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_tasks
type: aggregate
short_description: write every task result (host, action, status, bytes) to BENCH_TASKS
description:
  - At the end of the run, writes a JSON list with one entry per host and task result to the file
    named by the environment variable BENCH_TASKS. Used by benchmarks/bench.py.
author: asr.mobility developers (@asr-mobility)
requirements:
  - enable in configuration (ANSIBLE_CALLBACKS_ENABLED=bench_tasks)
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_tasks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.rows = []
        self.started = {}

    def v2_runner_on_start(self, host, task):
        self.started[(host.get_name(), task._uuid)] = time.monotonic()

    def _row(self, result, status):
        res = result._result
        task = result._task
        host = result._host.get_name()
        start = self.started.pop((host, task._uuid), None)
        delegated = (res.get('_ansible_delegated_vars') or {}).get('ansible_delegated_host') or task.delegate_to
        row = {'host': host, 'task': task.get_name(), 'action': task.action, 'status': status,
               'changed': bool(res.get('changed')), 'delegated_to': delegated,
               's': round(time.monotonic() - start, 4) if start is not None else None}
        if task.action in ('ansible.builtin.copy', 'ansible.builtin.get_url', 'copy', 'get_url') and res.get('changed'):
            row['bytes'] = res.get('size')
        self.rows.append(row)

    def v2_runner_on_ok(self, result):
        self._row(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._row(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._row(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._row(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('BENCH_TASKS')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(self.rows, handle)
