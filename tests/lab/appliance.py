# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's replication appliance: a stand-in Windows host for ``make demo`` (issue 14).

No Windows host exists here. The appliance is the contract harness's stand-in (tests/contract/
standin.py over tests/windows_host_model.py): a collection tree whose ``ansible.windows`` modules
answer from a fake host's state file, reached with ``ansible_connection=local`` through an
interpreter wrapper that points the stand-in at that file. Its ``RcmProxyAgent.exe
-createmobilityagentconfigfile`` makes a config.json bound to the BiosId inside the Agent Config
Input it is given (the vendor's AgentConfiguration fields, AgentConfig.h lines 64-108), which the
lab installer double's ``AzureRcmCli --verifyclientauth`` accepts only on that machine.

    appliance.py up <dir>      write the tree, the state, the wrapper and <dir>/inventory.yml;
                               print the collections path to put FIRST in ANSIBLE_COLLECTIONS_PATH
    appliance.py secret <dir>  print the appliance's client certificate (the configs' secret)
    appliance.py calls <dir>   print how many configs it made and how many are still on it

What this proves is our role against our stand-in, not against Microsoft's appliance.
"""

import json
import os
import secrets
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'contract'))

import harness  # noqa: E402 pylint: disable=wrong-import-position

NAME = 'appliance'
PROGRAM = 'C:\\Program Files\\Microsoft Azure RCM Proxy Agent\\RcmProxyAgent.exe'


def up(directory, faults=(), program=True, os_family='Windows', unreachable=False):
    """The appliance in ``directory``; ``faults`` (RcmProxyAgent.exe: generation, not_json, other_machine),
    no ``program``, another ``os_family`` or ``unreachable`` (an SSH address nothing answers on loopback)
    make the bad appliances of issue 14. Returns the stand-in collection tree."""
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)
    tree = harness.collection_tree(directory)
    log = os.path.join(directory, 'calls.jsonl')
    open(log, 'w').close()
    host = {
        'facts': {'ansible_os_family': 'Windows', 'ansible_distribution': 'Microsoft Windows Server 2019 Datacenter'},
        'files': {PROGRAM: {}} if program else {},
        'appliance': {'certificate': 'lab-appliance-cert-' + secrets.token_hex(16), 'address': 'appliance.lab',
                      'faults': list(faults)},
    }
    variables = harness.standin_host(directory, NAME, host, os_family=os_family, unreachable=unreachable, log=log)
    with open(os.path.join(directory, 'inventory.yml'), 'w') as handle:
        handle.write('all:\n  children:\n    replication_appliances:\n      hosts:\n        %s:\n%s'
                     % (NAME, ''.join('          %s: %s\n' % (k, json.dumps(v)) for k, v in variables.items())))
    return tree


def _state(directory):
    with open(os.path.join(os.path.abspath(directory), 'appliance.json')) as handle:
        return json.load(handle)


def main(argv):
    if len(argv) != 3 or argv[1] not in ('up', 'secret', 'calls'):
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == 'up':
        print(up(argv[2]))
    elif argv[1] == 'secret':
        print(_state(argv[2])['appliance']['certificate'])
    else:
        host = _state(argv[2])
        made = host.get('made') or []
        left = [p for p in made if p in (host.get('files') or {})]
        print('%d configs made, %d left on the appliance' % (len(made), len(left)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
