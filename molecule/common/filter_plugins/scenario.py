# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the lab's molecule scenarios (molecule/common; test code, never shipped).

asr_scn_state(stdout)        KEY=VALUE lines of files/agent_state.sh -> dict
asr_scn_run(stdout, host, rc, save_to) the JSON of a nested ansible-playbook run (stdout
                             callback ansible.posix.json), also written to save_to -> what the
                             scenario asserts on:
    rc, parse_error, stats (ok/changed/failures/unreachable/skipped of ``host``), failed (bool),
    failures: [{task, msg}] of ``host``, changed_tasks: [task names that changed on ``host``],
    result: the role's ``mobility_service_result`` fact (last value set on ``host``),
    agent: the result of the act step (task running asr.mobility.agent outside check mode, else
    the decision), plan: the result of the decision step, summary: the summary lines.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

AGENT_ACTIONS = ('asr.mobility.agent', 'agent')
FAST_ACTIONS = ('asr.mobility.rollout_plan', 'rollout_plan')


def asr_scn_state(text):
    out = {}
    for line in (text or '').splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            out[key.strip()] = value.strip()
    for key in ('runs_install', 'runs_configurator', 'runs_uninstall'):
        try:
            out[key] = int(out.get(key, 0))
        except ValueError:
            out[key] = 0
    return out


def _json_start(text):
    """The callback prints one JSON document; warnings may precede it on stdout."""
    idx = text.find('{\n')
    return text[idx:] if idx >= 0 else text


def asr_scn_run(text, host, rc=None, save_to=None):
    out = {'rc': rc, 'parse_error': '', 'stats': {}, 'failed': True, 'failures': [],
           'changed_tasks': [], 'result': {}, 'agent': {}, 'plan': {}, 'summary': []}
    if save_to:
        # keep the raw output for post-mortems (cheaper than a copy task on a loaded machine)
        directory = os.path.dirname(save_to)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory)
        with open(save_to, 'w') as handle:
            handle.write((text or '') + '\n')
    try:
        data = json.loads(_json_start(text or ''))
    except ValueError as exc:
        out['parse_error'] = '%s; output starts with: %s' % (exc, (text or '')[:300])
        return out
    out['stats'] = data.get('stats', {}).get(host, {})
    for play in data.get('plays', []):
        for task in play.get('tasks', []):
            name = task.get('task', {}).get('name', '')
            hosts = task.get('hosts', {})
            # the playbooks' summary (a debug of a list of lines, run once on the controller: it is
            # recorded under localhost or under the host that ran it, depending on the playbook)
            for some in (hosts.get(host) or {}, hosts.get('localhost') or {}):
                if 'summary' in name.lower() and isinstance(some.get('msg'), list):
                    out['summary'] = some['msg']
            res = hosts.get(host)
            if res is None:
                continue
            if res.get('failed') or res.get('unreachable'):
                out['failures'].append({'task': name, 'msg': res.get('msg', ''),
                                        'vendor_exit_code': res.get('vendor_exit_code'),
                                        'log_tail': res.get('log_tail', [])})
            if res.get('changed'):
                out['changed_tasks'].append(name)
            facts = res.get('ansible_facts') or {}
            if 'mobility_service_result' in facts:
                out['result'] = facts['mobility_service_result']
            # the converged fast path: its registered result is the record
            if res.get('action') in FAST_ACTIONS and res.get('converged') and res.get('host'):
                out['result'] = res
            if res.get('action') in AGENT_ACTIONS and not res.get('skipped'):
                if 'decide' in name.lower():
                    out['plan'] = res
                else:
                    out['agent'] = res
    stats = out['stats']
    out['failed'] = bool(stats.get('failures') or stats.get('unreachable') or out['failures']
                         or out['parse_error'] or not stats)
    return out


class FilterModule(object):
    def filters(self):
        return {'asr_scn_state': asr_scn_state, 'asr_scn_run': asr_scn_run}
