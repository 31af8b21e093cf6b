# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in ``ansible.windows`` for the azure_guest_agent contract: the Windows contract's fake
host (``../standin.py``: setup, win_powershell, ...) plus services and MSI products.

Every call is recorded exactly as ``../standin.py`` records it (``$ASR_CONTRACT_LOG``, JSON lines),
so ``../harness.py`` normalizes and checks these calls too. The host state (``$ASR_CONTRACT_STATE``)
gains:

* ``services``: ``{name: {state: started|stopped, start_mode: auto|delayed|manual|disabled}}``;
* ``products``: product ids installed;
* ``msi``: what installing an MSI does: ``{path, product_id, services, rc}`` (rc 3010 asks for
  a reboot; any other non-zero rc fails as the real win_package does).

Check mode as the real modules: reads run; ``win_service``/``win_package`` report the change and
do nothing; ``win_powershell`` runs a script only when it declares ``SupportsShouldProcess``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import standin  # noqa: E402  pylint: disable=wrong-import-position

SERVICE_STATES = {'started': 'running', 'stopped': 'stopped'}


class ServiceHost(standin.FakeHost):

    def __init__(self, host):
        super(ServiceHost, self).__init__(host)
        for key, default in (('services', {}), ('products', []), ('msi', None)):
            host.setdefault(key, default)

    def _service(self, name):
        info = self.host['services'][name]
        return {'name': name, 'display_name': info.get('display_name', name), 'state': info['state'],
                'start_mode': info['start_mode'], 'path': info.get('path', 'C:\\WindowsAzure\\%s.exe' % name),
                'username': 'LocalSystem', 'dependencies': [], 'dependency_of': []}

    def win_service_info(self, args):
        name = args.get('name')
        names = [name] if name in self.host['services'] else ([] if name else sorted(self.host['services']))
        return {'changed': False, 'exists': bool(names), 'services': [self._service(n) for n in names]}

    def win_service(self, args, check_mode=False):
        name = args['name']
        if name not in self.host['services']:
            return {'failed': True, 'changed': False, 'exists': False,
                    'msg': "Service '%s' is not installed, need to set 'path' to create a new service" % name}
        info = dict(self.host['services'][name])
        want = {'start_mode': args.get('start_mode') or info['start_mode'],
                'state': {'started': 'started', 'stopped': 'stopped'}.get(args.get('state'), info['state'])}
        if want['state'] == 'started' and want['start_mode'] == 'disabled':
            return {'failed': True, 'changed': False, 'msg': 'Cannot start a disabled service (stand-in)'}
        changed = any(info[k] != v for k, v in want.items())
        if changed and not check_mode:
            self.host['services'][name].update(want)
            info.update(want)
        result = self._service(name) if not check_mode else dict(self._service(name), **want)
        result.update(changed=changed, exists=True, state=SERVICE_STATES.get(result['state'], result['state']))
        return result

    def win_package(self, args, check_mode=False):
        product = args.get('product_id')
        if product in self.host['products']:
            return {'changed': False, 'reboot_required': False}
        msi = self.host['msi'] or {}
        if not msi or msi.get('path') != args.get('path'):
            return {'failed': True, 'changed': False, 'msg': 'stand-in: no MSI at %r' % args.get('path')}
        if check_mode:
            return {'changed': True, 'reboot_required': False}
        rc = int(msi.get('rc', 0))
        if rc not in (0, 3010):
            return {'failed': True, 'changed': False, 'rc': rc, 'msg': 'unexpected rc from install: %d' % rc}
        if msi.get('product_id') == product:
            self.host['products'].append(product)
        for name, info in (msi.get('services') or {}).items():
            self.host['services'][name] = dict(info)
        return {'changed': True, 'rc': rc, 'reboot_required': rc == 3010}


def main(args_path):
    with open(args_path) as handle:
        raw = json.load(handle)
    module = raw.get('_ansible_module_name', 'unknown').split('.')[-1]
    check_mode = bool(raw.get('_ansible_check_mode'))
    args = dict((k, v) for k, v in raw.items() if not k.startswith('_ansible_'))
    with open(os.environ['ASR_CONTRACT_LOG'], 'a') as log:
        log.write(json.dumps({'module': raw.get('_ansible_module_name'), 'args': args, 'check_mode': check_mode,
                              'no_log': bool(raw.get('_ansible_no_log'))}, sort_keys=True) + '\n')
    state_path = os.environ['ASR_CONTRACT_STATE']
    host = ServiceHost(standin._load(state_path))  # pylint: disable=protected-access
    handler = getattr(host, module, None)
    if handler is None:
        result = {'failed': True, 'msg': 'stand-in: module %s is not simulated' % module}
    elif module in ('win_service', 'win_package'):
        result = handler(args, check_mode=check_mode)
    elif check_mode and module == 'win_powershell' and 'SupportsShouldProcess' not in (args.get('script') or ''):
        result = {'changed': True, 'msg': 'stand-in: script without SupportsShouldProcess not run in check mode'}
    else:
        result = handler(args)
    standin._save(state_path, host.host)  # pylint: disable=protected-access
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1])
