# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the ``ansible.windows`` modules: a fake Windows host that records every call.

The contract harness (``harness.py``) generates one tiny WANT_JSON module per ``ansible.windows``
module name that runs this file. Each call:

1. is appended to ``$ASR_CONTRACT_LOG`` (JSON lines: module, args without ``_ansible_*`` keys,
   ``check_mode``, ``no_log``);
2. is answered from the fake host in ``$ASR_CONTRACT_STATE`` (JSON: facts, registry, files, logs,
   defender, command and script rules), which calls may change (an install writes the registry),
   so later reads see earlier changes as on a real host.

Answers have the shape of the real modules' returns. Nothing outside the two files is touched:
with ``ansible_connection=local`` the "host" is this process.

What the fake host models, and the source it follows (Microsoft's installer C#,
thedarksage/AzMigrate-Hydration at commit 822a039e, under host/ASRSetup/; ansible.windows):

* ``registry``: only what the installer writes (``Installed Products\\5``: Version, Build_Number,
  InstallDirectory, PostInstallActions, AgentConfigurationStatus, Reboot_Required;
  UnifiedAgentInstaller/InstallActionProcessor.cs:619-633, SetupFramework/Constants.cs:82, 534);
* ``logs`` are the files ``slurp`` reads: ``<InstallDirectory>\\Application Data\\etc\\drscout.conf``
  (SetupFramework/Constants.cs:116; CSType/VmPlatform/HostId, Hostname/Port; a missing CSType is
  CSLegacy, SetupFramework/SetupHelper.cs:3429-3479) and ``C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json``
  (``{"Errors": [{"error_name", "default_message"}]}``, SetupFramework/InstallerExceptionUtils.cs:14-49,
  rewritten by each installer run, UnifiedAgentInstaller/Program.cs:110); a command rule's ``set_logs``
  writes them (98/97 + a reboot code: UnifiedAgentInstaller/Program.cs:195-228,
  SetupFramework/PortedCustomActions.cs:600-613);
* a rule's ``extract_to_x`` puts the named files into the directory of ``/x:"<dir>"`` (reference §2.1);
* a rule's ``start_error`` is a program win_command cannot start: failed, ``Failed to run: ...``, rc = the
  Windows error (ansible.windows win_command.ps1:112-129);
* ``win_powershell`` of the collection's private-directory script creates the directory and refuses an
  existing one, as ``NEW_PRIVATE_DIR_PS`` does;
* ``defender.hidden``: ``Get-MpPreference`` shows ``N/A: Must be an administrator to view exclusions``
  (HideExclusionsFromLocalAdmins, Defender platform 4.18.23070+; reference §7).

A second host (the replication appliance of issue 14) is the same stand-in with its own state file:
the harness gives it an interpreter wrapper that sets ``$ASR_CONTRACT_STATE`` and ``$ASR_CONTRACT_HOST``.
Emulated vendor programs (each follows what the agent source says, cited at the function):

* ``AzureRcmCli.exe --getagentconfiginput`` on a source host with an ``identity``;
* ``RcmProxyAgent.exe -createmobilityagentconfigfile`` on a host with an ``appliance`` block: a
  config.json bound to the identity inside the encoded input (``appliance.faults`` break it);
* ``UnifiedAgentConfigurator.exe /SourceConfigFilePath`` with ``check_config: true`` in its rule:
  refuses a config whose ``BiosId`` is not the host's (the agent's ``IsConfigValid``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import re
import sys

CHANGING_RCS = (0, 97, 98, 1605, 1641, 3010)
HIDDEN_EXCLUSIONS = 'N/A: Must be an administrator to view exclusions'


def _load(path):
    with open(path) as handle:
        return json.load(handle)


def _save(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.rename(tmp, path)


def _props(values):
    return dict((name, {'raw_value': value, 'type': 'REG_DWORD' if isinstance(value, int) else 'REG_SZ',
                        'value': value}) for name, value in values.items())


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(65536), b''):
            digest.update(block)
    return digest.hexdigest()


# The agent's config input and the appliance's config (agent source, thedarksage/AzMigrate-Hydration at
# 822a039e: AzureRcmCli.cpp line 919 prints "getagentconfiginput:<base64>"; AgentConfig.h lines 35-51 the
# input {BiosId, Fqdn}, lines 64-108 the config {SubscriptionId, ..., BiosId, Fqdn, ClientCertificate,
# RcmProxyTransportSettings}; AgentConfigHelpers.cpp lines 40-47 IsConfigValid compares BiosId).
def _config_input(identity):
    doc = json.dumps({'BiosId': identity['bios_id'], 'Fqdn': identity.get('fqdn', '')})
    return base64.b64encode(doc.encode('utf-8')).decode('ascii')


def _argv_options(argv):
    options = {}
    for index, word in enumerate(argv):
        if word.startswith('-') and index + 1 < len(argv) and not argv[index + 1].startswith('-'):
            options[word.lower()] = argv[index + 1]
    return options


def _apply(host, effects, cmd=''):
    for path, text in (effects.get('set_logs') or {}).items():
        host['logs'][path] = text
    if effects.get('extract_to_x'):
        target = re.search(r'/x:"([^"]+)"', cmd).group(1)
        for name in effects['extract_to_x']:
            host['files'][target + '\\' + name] = {}
    for key, values in (effects.get('set_registry') or {}).items():
        host['registry'].setdefault(key, {}).update(values)
    for key in effects.get('delete_registry') or []:
        host['registry'].pop(key, None)
    for path in effects.get('add_files') or []:
        host['files'].setdefault(path, {})


class FakeHost(object):

    def __init__(self, host):
        self.host = host
        for key, default in (('registry', {}), ('files', {}), ('logs', {}), ('commands', []), ('powershell', []),
                             ('facts', {}), ('defender', None)):
            host.setdefault(key, default)

    def setup(self, args):
        facts = dict(self.host['facts'])
        return {'changed': False, 'ansible_facts': facts}

    def win_reg_stat(self, args):
        key = args['path']
        if key not in self.host['registry']:
            return {'changed': False, 'exists': False}
        values = self.host['registry'][key]
        if args.get('name'):
            if args['name'] not in values:
                return {'changed': False, 'exists': False}
            value = values[args['name']]
            return {'changed': False, 'exists': True, 'raw_value': value, 'type': 'REG_SZ', 'value': value}
        return {'changed': False, 'exists': True, 'properties': _props(values), 'sub_keys': []}

    def win_stat(self, args):
        path = args['path']
        info = self.host['files'].get(path)
        if info is None:
            if any(f.startswith(path.rstrip('\\') + '\\') for f in self.host['files']):
                return {'changed': False, 'stat': {'exists': True, 'isdir': True, 'path': path}}
            return {'changed': False, 'stat': {'exists': False}}
        stat = {'exists': True, 'isdir': False, 'path': path, 'size': info.get('size', 1024)}
        if args.get('get_checksum', True):
            algorithm = args.get('checksum_algorithm', 'sha1')
            stat['checksum'] = info.get(algorithm, '0' * 40)
        return {'changed': False, 'stat': stat}

    def win_file(self, args):
        path = args['path']
        files = self.host['files']
        if args.get('state') == 'absent':
            gone = [f for f in files if f == path or f.startswith(path.rstrip('\\') + '\\')]
            for name in gone:
                files.pop(name)
            return {'changed': bool(gone), 'diff': {}}
        if args.get('state') == 'directory':
            existed = path in files or any(f.startswith(path + '\\') for f in files)
            files.setdefault(path + '\\', {'dir': True})
            return {'changed': not existed, 'diff': {}}
        files.setdefault(path, {})
        return {'changed': True, 'diff': {}}

    def win_copy(self, args):
        src, dest = args.get('src'), args['dest']
        sha = _sha256_file(src) if src and os.path.isfile(src) else hashlib.sha256(
            (args.get('content') or '').encode('utf-8')).hexdigest()
        changed = self.host['files'].get(dest, {}).get('sha256') != sha
        if changed and not args.get('_check_mode'):
            self.host['files'][dest] = {'sha256': sha}
        return {'changed': changed, 'dest': dest, 'checksum': sha}

    def win_get_url(self, args):
        dest = args['dest']
        have = self.host['files'].get(dest)
        if have and not args.get('force', True):
            return {'changed': False, 'dest': dest, 'url': args['url'], 'status_code': 200}
        self.host['files'][dest] = {'sha256': args.get('checksum') or 'unknown'}
        return {'changed': True, 'dest': dest, 'url': args['url'], 'status_code': 200,
                'checksum_dest': args.get('checksum')}

    def slurp(self, args):
        path = args['src']
        made = self.host['files'].get(path) or {}
        if 'content' in made:
            data = made['content'].encode('utf-8')
            return {'changed': False, 'content': base64.b64encode(data).decode('ascii'), 'encoding': 'base64',
                    'source': path}
        if path not in self.host['logs']:
            return {'failed': True, 'msg': 'Path %s is not found' % path}
        data = self.host['logs'][path].encode('utf-8')
        return {'changed': False, 'content': base64.b64encode(data).decode('ascii'), 'encoding': 'base64',
                'source': path}

    def win_command(self, args):
        cmd = args.get('cmd') or ' '.join(args.get('argv') or [])
        if '-createmobilityagentconfigfile' in cmd and 'appliance' in self.host:
            return self._rcm_proxy_agent(args.get('argv') or cmd.split(), cmd)
        if re.search(r'AzureRcmCli\.exe" --getagentconfiginput$', cmd) and 'identity' in self.host:
            return self._azure_rcm_cli(cmd)
        for rule in self.host['commands']:
            if re.search(rule['match'], cmd):
                if rule.get('start_error'):
                    return {'failed': True, 'changed': False, 'rc': int(rule['start_error']),
                            'msg': "Failed to run: '%s': The system cannot find the file specified" % cmd}
                rc = int(rule.get('rc', 0))
                if rule.get('check_config') and not self._config_for_this_host(cmd):
                    rc = 19  # reference §2.4: 19 bad source config file (the agent logs RCM_CLIENT_INVALID_SOURCE_CONFIG_BIOS_ID_OR_FQDN)
                if rc in CHANGING_RCS:
                    _apply(self.host, rule, cmd)
                result = {'changed': True, 'cmd': cmd, 'rc': rc, 'stdout': rule.get('stdout', ''),
                          'stderr': rule.get('stderr', '')}
                if rc != 0:
                    result.update(failed=True, msg='non-zero return code')
                return result
        return {'failed': True, 'msg': 'stand-in: no rule in the scenario for command %r' % cmd, 'rc': 2}

    def _azure_rcm_cli(self, cmd):
        """AzureRcmCli.cpp line 919: the agent prints its config input; nothing without an installed agent."""
        installed = any(key.endswith('{275197FC-14FD-4560-A5EB-38217F80CBD1}') for key in self.host['registry'])
        if not installed:
            return {'failed': True, 'rc': 2, 'cmd': cmd, 'stdout': '', 'stderr': 'The system cannot find the file specified.',
                    'msg': 'The system cannot find the file specified.'}
        return {'changed': True, 'rc': 0, 'cmd': cmd, 'stderr': '',
                'stdout': 'getagentconfiginput:%s\r\n' % _config_input(self.host['identity'])}

    def _rcm_proxy_agent(self, argv, cmd):
        """RcmProxyAgent.exe -createmobilityagentconfigfile -encodedinput <b64> -outputfilepath <file>
        -clientrequestid <guid> -activityid <guid> (reference §1.7, from Microsoft's Install-MobilityAgent.ps1:
        exit 0 and the file exists means done). The config is bound to the identity in the input."""
        appliance = self.host['appliance']
        faults = appliance.get('faults') or []
        program = argv[0]
        if program not in self.host['files']:
            return {'failed': True, 'cmd': cmd, 'msg': 'The system cannot find the file specified: %s' % program}
        options = _argv_options(argv)
        missing = [o for o in ('-encodedinput', '-outputfilepath', '-clientrequestid', '-activityid') if o not in options]
        if missing:
            return {'failed': True, 'changed': True, 'rc': 1, 'cmd': cmd, 'stderr': '',
                    'stdout': 'Invalid arguments: missing %s' % ', '.join(missing), 'msg': 'non-zero return code'}
        if 'generation' in faults:
            return {'failed': True, 'changed': True, 'rc': 3, 'cmd': cmd, 'stderr': '',
                    'stdout': 'CreateMobilityAgentConfig failed: the appliance is not registered with the vault.',
                    'msg': 'non-zero return code'}
        try:
            identity = json.loads(base64.b64decode(options['-encodedinput']).decode('utf-8'))
        except (ValueError, TypeError):
            return {'failed': True, 'changed': True, 'rc': 1, 'cmd': cmd, 'stderr': '',
                    'stdout': 'Invalid encoded input.', 'msg': 'non-zero return code'}
        if 'other_machine' in faults:
            identity['BiosId'] = '11111111-2222-3333-4444-555555555555'
        config = {
            'SubscriptionId': appliance.get('subscription', '00000000-0000-0000-0000-0000000000aa'),
            'ContainerId': 'container-1', 'ContainerUniqueName': 'vault-1', 'ResourceId': 'vault-resource',
            'ResourceLocation': 'westeurope', 'BiosId': identity.get('BiosId'), 'Fqdn': identity.get('Fqdn'),
            'ClientCertificate': appliance['certificate'],
            'RcmProxyTransportSettings': {'RcmProxyAddress': [appliance.get('address', '10.0.0.9')], 'Port': 443},
        }
        content = 'this is not JSON %s' % appliance['certificate'] if 'not_json' in faults else json.dumps(config)
        self.host['files'][options['-outputfilepath']] = {'content': content, 'secret': True}
        self.host.setdefault('made', []).append(options['-outputfilepath'])
        return {'changed': True, 'rc': 0, 'cmd': cmd, 'stdout': 'Mobility agent config file created.', 'stderr': ''}

    def _config_for_this_host(self, cmd):
        match = re.search(r'/SourceConfigFilePath "([^"]+)"', cmd)
        made = self.host['files'].get(match.group(1)) if match else None
        try:
            config = json.loads((made or {}).get('content') or '')
        except ValueError:
            return False
        bios = (self.host.get('identity') or {}).get('bios_id', '')
        return str(config.get('BiosId', '')).lower() == bios.lower()

    def win_powershell(self, args):
        script = args.get('script') or ''
        base = {'changed': False, 'output': [], 'error': [], 'warning': [], 'verbose': [], 'debug': [],
                'information': [], 'host_out': '', 'host_err': '', 'result': {}}
        if 'SecureStringToBSTR' in script:  # the agent's secret file writer
            params = args.get('parameters') or {}
            path = params['Directory'] + '\\' + params['FileName']
            secret = (args.get('sensitive_parameters') or [{}])[0].get('value')
            self.host['files'][path] = {'secret': True, 'content': secret}
            base.update(changed=True, result={'path': path})
            return base
        if 'Win32_ComputerSystemProduct' in script and 'identity' in self.host:  # the agent's identity read
            base['result'] = dict(self.host['identity'])
            return base
        if 'SetAccessRuleProtection' in script:  # the agent's private directory (extraction)
            directory = (args.get('parameters') or {})['Directory']
            files = self.host['files']
            if directory + '\\' in files or any(f.startswith(directory + '\\') for f in files):
                base.update(failed=True, msg='refusing to reuse the existing directory %s' % directory)
                return base
            files[directory + '\\'] = {'dir': True, 'private': True}
            base.update(changed=True, result={'path': directory})
            return base
        defender = self.host['defender']
        if 'Get-MpComputerStatus' in script:  # Defender read
            d = defender or {'service': False, 'cmdlet': False}
            available = d.get('service', True) and d.get('cmdlet', True)
            paths = list(d.get('paths', [])) if available else []
            if available and d.get('hidden'):
                paths = [HIDDEN_EXCLUSIONS]
            base['result'] = {'service': d.get('service', True), 'cmdlet': d.get('cmdlet', True),
                              'available': available, 'paths': paths,
                              'tamper_protected': d.get('tamper_protected'), 'error': None}
            return base
        if 'Add-MpPreference' in script:  # Defender change
            params = args.get('parameters') or {}
            if defender.get('sticky', True):
                if params.get('Action') == 'add':
                    defender['paths'] = list(defender.get('paths', [])) + list(params['Paths'])
                else:
                    gone = set(p.lower() for p in params['Paths'])
                    defender['paths'] = [p for p in defender.get('paths', []) if p.lower() not in gone]
            shown = [HIDDEN_EXCLUSIONS] if defender.get('hidden') else list(defender.get('paths', []))
            base.update(changed=True, result={'paths': shown})
            return base
        for rule in self.host['powershell']:
            if re.search(rule['match'], script):
                base.update(changed=bool(rule.get('changed', False)), result=rule.get('result', {}),
                            output=rule.get('output', []))
                return base
        base.update(failed=True, msg='stand-in: no rule in the scenario for this script: %r' % script[:80])
        return base

    def win_wait_for(self, args):
        return {'changed': False, 'elapsed': 0}

    def win_reboot(self, args):
        registry = self.host['registry']
        for values in registry.values():
            if 'Reboot_Required' in values:
                values['Reboot_Required'] = '0'
        return {'changed': True, 'rebooted': True, 'elapsed': 30}


def main(args_path):
    with open(args_path) as handle:
        raw = json.load(handle)
    module = raw.get('_ansible_module_name', 'unknown').split('.')[-1]
    check_mode = bool(raw.get('_ansible_check_mode'))
    no_log = bool(raw.get('_ansible_no_log'))
    args = dict((k, v) for k, v in raw.items() if not k.startswith('_ansible_'))
    entry = {'module': raw.get('_ansible_module_name'), 'args': args, 'check_mode': check_mode, 'no_log': no_log}
    if os.environ.get('ASR_CONTRACT_HOST'):
        entry['host'] = os.environ['ASR_CONTRACT_HOST']
    with open(os.environ['ASR_CONTRACT_LOG'], 'a') as log:
        log.write(json.dumps(entry, sort_keys=True) + '\n')
    state_path = os.environ['ASR_CONTRACT_STATE']
    host = FakeHost(_load(state_path))
    handler = getattr(host, module, None)
    if handler is None:
        result = {'failed': True, 'msg': 'stand-in: module %s is not simulated' % module}
    elif check_mode and module in ('win_command', 'win_powershell', 'win_reboot'):
        # As the real modules: win_command does not run in check mode; win_powershell scripts
        # without SupportsShouldProcess do not either; win_reboot does not reboot.
        result = {'changed': True, 'skipped': module == 'win_command',
                  'msg': 'stand-in: %s not run in check mode' % module}
    else:
        if module == 'win_copy':
            args['_check_mode'] = check_mode
        if check_mode and module in ('win_file', 'win_get_url'):
            result = {'changed': True}
        else:
            result = handler(args)
        _save(state_path, host.host)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1])
