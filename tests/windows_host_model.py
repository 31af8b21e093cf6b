# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fake Windows host: the state model both Windows test doubles answer from.

* the unit double (``tests/unit/plugins/action/asr_windows_double.py``) replaces an action plugin's
  ``_execute_module`` and records each call in memory;
* the contract stand-in (``tests/contract/standin.py``) runs as every ``ansible.windows`` module in a
  real ``ansible-playbook`` run and keeps this state in a JSON file between calls.

The state is one JSON-shaped dict: ``facts``, ``registry`` ({key: {value name: data}}), ``files``
({path: info}, a directory as ``path + '\\'``; info may hold ``sha256``/``sha1``/``size``/``secret``),
``logs`` ({path: text}), ``defender`` (None: no Defender; else ``service``, ``cmdlet``, ``paths``,
``tamper_protected``, ``sticky``, ``error``), ``commands`` and ``powershell`` (rules: ``match``, a
regular expression; ``rc``, ``stdout``, ``stderr``; effects ``set_registry``, ``delete_registry``,
``add_files``, ``set_logs``, ``extract_to_x``, ``hold_until``: a path on the controller the command waits for, so a second run can start
meanwhile; ``start_error``: a program that cannot start; in the
unit double also ``effect``, a function of the model, and ``raises``). Each method answers like the ``ansible.windows`` module of the same name and changes
the state as the real module would change the host, so a read after an install sees the install.
The fast path's one read (``READ_SNAPSHOT_PS``) is answered from the same state (``_snapshot``: a
model of our own script, see there).

Standard library only: the stand-in runs it outside pytest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import re
import time

# Exit codes after which the vendor programs have changed the host (reference: exit code tables).
CHANGING_RCS = (0, 97, 98, 1605, 1641, 3010)
HIDDEN_EXCLUSIONS = 'N/A: Must be an administrator to view exclusions'


def _props(values):
    return dict((name, {'raw_value': value, 'type': 'REG_DWORD' if isinstance(value, int) else 'REG_SZ',
                        'value': value}) for name, value in values.items())


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(65536), b''):
            digest.update(block)
    return digest.hexdigest()


class NoRule(AssertionError):
    """A command or script the scenario has no rule for (``strict`` models raise it)."""


class WindowsHostModel(object):
    """``model.<module name>(args) -> result``; ``strict``: an unknown command or script raises
    ``NoRule`` (unit tests) instead of answering a failed result (the stand-in)."""

    def pause(self, waiting):
        """Called when a program starts (``True``) and stops (``False``) waiting for ``hold_until``: a
        host that other runs share (the contract stand-in) lets them at it meanwhile."""

    def __init__(self, host, strict=False):
        self.host = host
        self.strict = strict
        # Secret values written by the agent's secret writer, by path (never persisted).
        self.secret_values = {}
        self.last_command = None
        for key, default in (('registry', {}), ('files', {}), ('logs', {}), ('commands', []), ('powershell', []),
                             ('facts', {}), ('defender', None)):
            host.setdefault(key, default)

    # -- effects ---------------------------------------------------------------------------
    def apply(self, rule, cmd=''):
        """A rule's declarative effects (after an exit code that means the host changed)."""
        for key, values in (rule.get('set_registry') or {}).items():
            self.host['registry'].setdefault(key, {}).update(values)
        for key in rule.get('delete_registry') or []:
            self.host['registry'].pop(key, None)
        for path in rule.get('add_files') or []:
            self.host['files'].setdefault(path, {})
        for path, text in (rule.get('set_logs') or {}).items():
            self.host['logs'][path] = text
        if rule.get('extract_to_x'):
            target = re.search(r'/x:"([^"]+)"', cmd).group(1)
            for name in rule['extract_to_x']:
                self.host['files'][target + '\\' + name] = {}

    def _no_rule(self, message):
        if self.strict:
            raise NoRule(message)
        return {'failed': True, 'msg': 'stand-in: %s' % message}

    # -- modules ---------------------------------------------------------------------------
    def setup(self, args):
        return {'changed': False, 'ansible_facts': dict(self.host['facts'])}

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
                self.secret_values.pop(name, None)
            return {'changed': bool(gone), 'diff': {}}
        if args.get('state') == 'directory':
            existed = path in files or any(f.startswith(path + '\\') for f in files)
            files.setdefault(path + '\\', {'dir': True})
            return {'changed': not existed, 'diff': {}}
        files.setdefault(path, {})
        return {'changed': True, 'diff': {}}

    def win_acl(self, args):
        """An allow rule for ``user`` on a directory (ansible.windows win_acl; a SID is taken as is,
        Ansible.ModuleUtils.SID Convert-ToSID); the model keeps the rules as ``acl`` of the directory."""
        entry = self.host['files'].setdefault(args['path'].rstrip('\\') + '\\', {'dir': True})
        acl = entry.setdefault('acl', [])
        rule = '%s:%s:%s' % (args['user'], args['type'], args['rights'])
        changed = rule not in acl
        if changed:
            acl.append(rule)
        return {'changed': changed}

    def win_acl_inheritance(self, args):
        """ansible.windows win_acl_inheritance: state=absent stops inheriting the parent's entries
        (``inherit: false``), reorganize=false drops them rather than copying them."""
        entry = self.host['files'].setdefault(args['path'].rstrip('\\') + '\\', {'dir': True})
        inherit = args.get('state', 'absent') == 'present'
        changed = entry.get('inherit', True) != inherit
        entry['inherit'] = inherit
        return {'changed': changed}

    def win_copy(self, args):
        src, dest = args.get('src'), args['dest']
        if args.get('remote_src'):
            # A copy on the host (ansible.windows win_copy.ps1, remote_src: Copy-Item of src, which must exist):
            # the copy has the source's bytes (its info), and the destination directory's ACL.
            if src not in self.host['files']:
                return {'failed': True, 'msg': "Cannot copy src file: '%s' as it does not exist" % src}
            if not args.get('_check_mode'):
                self.host['files'][dest] = dict(self.host['files'][src])
            return {'changed': True, 'dest': dest, 'src': src, 'checksum': self.host['files'][src].get('sha1', '0' * 40)}
        sha = _sha256_file(src) if src and os.path.isfile(src) else hashlib.sha256(
            (args.get('content') or '').encode('utf-8')).hexdigest()
        changed = self.host['files'].get(dest, {}).get('sha256') != sha
        if changed and not args.get('_check_mode'):
            self.host['files'][dest] = {'sha256': sha}
        swapped = (self.host.get('swap_after_copy') or {}).get(dest)
        if swapped is not None and not args.get('_check_mode'):
            # Not the vendor: the threat model's other local user, who replaces the staged file in a directory
            # users may write to right after the controller's verified copy landed (docs/design.md "Threat model").
            self.host['files'][dest] = dict(swapped)
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
        if 'content' in made:  # a file a program of the model wrote (the appliance's config.json)
            data = made['content'].encode('utf-8')
            return {'changed': False, 'content': base64.b64encode(data).decode('ascii'), 'encoding': 'base64',
                    'source': path}
        if path not in self.host['logs']:
            return {'failed': True, 'msg': 'Path %s is not found' % path}
        data = self.host['logs'][path]
        if not isinstance(data, bytes):
            data = data.encode('utf-8')
        return {'changed': False, 'content': base64.b64encode(data).decode('ascii'), 'encoding': 'base64',
                'source': path}

    def win_command(self, args):
        cmd = args.get('cmd') or ' '.join(args.get('argv') or [])
        self.last_command = cmd
        if '-createmobilityagentconfigfile' in cmd and 'appliance' in self.host:
            return self._rcm_proxy_agent(args.get('argv') or cmd.split(), cmd)
        for rule in self.host['commands']:
            if re.search(rule['match'], cmd):
                rule['hits'] = rule.get('hits', 0) + 1
                if rule.get('raises') is not None:
                    raise rule['raises']
                if rule.get('start_error') is not None:  # win_command.ps1:112-129: no process, rc = Windows error
                    return {'failed': True, 'changed': False, 'rc': int(rule['start_error']),
                            'msg': "Failed to run: '%s': The system cannot find the file specified" % cmd}
                if rule.get('hold_until'):  # a long-running program: another run may act meanwhile
                    self.pause(True)
                    deadline = time.time() + 300
                    while not os.path.exists(rule['hold_until']) and time.time() < deadline:
                        time.sleep(0.2)
                    self.pause(False)
                rc = int(rule.get('rc', 0))
                if rule.get('check_config') and not self._config_for_this_host(cmd):
                    rc = 19  # reference §2.4: 19 bad source config file (the agent: RCM_CLIENT_INVALID_SOURCE_CONFIG_BIOS_ID_OR_FQDN)
                if rc in CHANGING_RCS:
                    self.apply(rule, cmd)
                # A scripted effect (a function of the model) runs whatever the exit code: it is the
                # run's own doing (an installer that fails may still write InstallerErrors.json).
                if rule.get('effect') is not None:
                    rule['effect'](self)
                result = {'changed': True, 'cmd': cmd, 'rc': rc, 'stdout': rule.get('stdout', ''),
                          'stderr': rule.get('stderr', ''), 'start': '2026-01-01 00:00:00',
                          'end': '2026-01-01 00:00:01', 'delta': '0:00:01'}
                if rc != 0:
                    result.update(failed=True, msg='non-zero return code')
                return result
        if re.search(r'AzureRcmCli\.exe" --getagentconfiginput$', cmd) and 'identity' in self.host:
            return self._azure_rcm_cli(cmd)
        result = self._no_rule('no rule in the scenario for command %r' % cmd)
        result['rc'] = 2
        return result

    # -- the modernized per-host step (issue 14). Agent source, thedarksage/AzMigrate-Hydration at 822a039e:
    # AzureRcmCli.cpp line 919 prints "getagentconfiginput:<base64>"; AgentConfig.h lines 35-51 the input
    # {BiosId, Fqdn}, lines 64-108 the config {SubscriptionId, ..., BiosId, Fqdn, ClientCertificate,
    # RcmProxyTransportSettings}; AgentConfigHelpers.cpp lines 40-47 IsConfigValid compares BiosId.
    def _azure_rcm_cli(self, cmd):
        installed = any(key.endswith('{275197FC-14FD-4560-A5EB-38217F80CBD1}') for key in self.host['registry'])
        if not installed:
            return {'failed': True, 'rc': 2, 'cmd': cmd, 'stdout': '', 'stderr': 'The system cannot find the file '
                    'specified.', 'msg': 'The system cannot find the file specified.'}
        identity = self.host['identity']
        doc = json.dumps({'BiosId': identity['bios_id'], 'Fqdn': identity.get('fqdn', '')})
        return {'changed': True, 'rc': 0, 'cmd': cmd, 'stderr': '',
                'stdout': 'getagentconfiginput:%s\r\n' % base64.b64encode(doc.encode('utf-8')).decode('ascii')}

    def _rcm_proxy_agent(self, argv, cmd):
        """RcmProxyAgent.exe -createmobilityagentconfigfile -encodedinput <b64> -outputfilepath <file>
        -clientrequestid <guid> -activityid <guid> (reference §1.7, as Microsoft's Install-MobilityAgent.ps1
        runs it: exit 0 and the file exists means done). The config is bound to the identity in the input;
        ``appliance.faults``: generation (exit 3), not_json, other_machine."""
        appliance = self.host['appliance']
        faults = appliance.get('faults') or []
        if argv[0] not in self.host['files']:
            return {'failed': True, 'cmd': cmd, 'msg': 'The system cannot find the file specified: %s' % argv[0]}
        options = {}
        for index, word in enumerate(argv[:-1]):
            if word.startswith('-') and not argv[index + 1].startswith('-'):
                options[word.lower()] = argv[index + 1]
        missing = [o for o in ('-encodedinput', '-outputfilepath', '-clientrequestid', '-activityid') if o not in options]
        failed = {'failed': True, 'changed': True, 'cmd': cmd, 'stderr': '', 'msg': 'non-zero return code'}
        if missing:
            return dict(failed, rc=1, stdout='Invalid arguments: missing %s' % ', '.join(missing))
        if 'generation' in faults:
            return dict(failed, rc=3, stdout='CreateMobilityAgentConfig failed: the appliance is not registered with '
                                             'the vault.')
        try:
            identity = json.loads(base64.b64decode(options['-encodedinput']).decode('utf-8'))
        except (ValueError, TypeError):
            return dict(failed, rc=1, stdout='Invalid encoded input.')
        if 'other_machine' in faults:
            identity['BiosId'] = '11111111-2222-3333-4444-555555555555'
        config = {
            'SubscriptionId': '00000000-0000-0000-0000-0000000000aa', 'ContainerId': 'container-1',
            'ContainerUniqueName': 'vault-1', 'ResourceId': 'vault-resource', 'ResourceLocation': 'westeurope',
            'BiosId': identity.get('BiosId'), 'Fqdn': identity.get('Fqdn'),
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
        bios = (self.host.get('identity') or {}).get('bios_id', '')
        return bool(made) and str(made.get('config_bios_id', '')).lower() == bios.lower()

    def win_powershell(self, args):
        script = args.get('script') or ''
        base = {'changed': False, 'output': [], 'error': [], 'warning': [], 'verbose': [], 'debug': [],
                'information': [], 'host_out': '', 'host_err': '', 'result': {}}
        if 'SecureStringToBSTR' in script:  # the agent's secret file writer
            params = args.get('parameters') or {}
            path = params['Directory'] + '\\' + params['FileName']
            if path in self.host.get('deny_write', ()):
                base.update(failed=True, msg='Access to the path is denied')
                return base
            self.host['files'][path] = {'secret': True}
            sensitive = args.get('sensitive_parameters') or [{}]
            self.secret_values[path] = sensitive[0].get('value')
            try:  # what the configurator checks (not secret): the BiosId the config was made for
                self.host['files'][path]['config_bios_id'] = json.loads(self.secret_values[path]).get('BiosId')
            except (TypeError, ValueError, AttributeError):
                pass
            base.update(changed=True, result={'path': path})
            return base
        if "-Filter 'Microsoft-ASR_UA_*'" in script:  # LIST_STAGING_PS
            base['result'] = {'entries': self._staged((args.get('parameters') or {})['Directory'])}
            return base
        if 'Directory]::Delete' in script:  # REMOVE_STAGED_PS
            params = args.get('parameters') or {}
            kinds = dict((e['name'], e['kind']) for e in self._staged(params['Directory']))
            removed = []
            for name in params['Names']:
                path = params['Directory'] + '\\' + name
                if kinds.get(name) not in ('file', 'dir'):
                    continue
                for key in [f for f in self.host['files'] if f == path or f.startswith(path + '\\')]:
                    self.host['files'].pop(key)
                removed.append(path)
            base.update(changed=bool(removed), result={'removed': removed, 'failed': []})
            return base
        if 'FileMode]::CreateNew' in script:  # the host lock (ACQUIRE_LOCK_PS)
            return self._acquire_lock(args.get('parameters') or {}, base)
        if 'released =' in script:  # RELEASE_LOCK_PS
            params = args.get('parameters') or {}
            held = self.host['files'].get(params['Path'])
            released = bool(held) and held.get('content') == params['Owner']
            if released:
                self.host['files'].pop(params['Path'])
            base.update(changed=released, result={'released': released,
                                                  'holder': held.get('content') if held else None})
            return base
        if 'Win32_ComputerSystemProduct' in script and 'identity' in self.host:  # READ_IDENTITY_PS
            base['result'] = dict(self.host['identity'])
            return base
        if 'SetAccessRuleProtection' in script:  # the agent's private directory (NEW_PRIVATE_DIR_PS)
            directory = (args.get('parameters') or {})['Directory']
            files = self.host['files']
            if directory + '\\' in files or any(f.startswith(directory + '\\') for f in files):
                base.update(failed=True, msg='refusing to reuse the existing directory %s' % directory)
                return base
            files[directory + '\\'] = {'dir': True, 'private': True}
            base.update(changed=True, result={'path': directory})
            return base
        defender = self.host['defender']
        if 'asr.mobility converged snapshot' in script:  # READ_SNAPSHOT_PS (it holds the Defender read too)
            base['result'] = json.dumps(self._snapshot(args.get('parameters') or {}), sort_keys=True)
            return base
        if 'Get-MpComputerStatus' in script:  # Defender read
            base['result'] = self._defender_read()
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
        failed = self._no_rule('no rule in the scenario for this script: %r' % script[:80])
        base.update(failed)
        return base

    def _defender_read(self):
        """READ_PREFERENCE_PS: Defender's service, cmdlets and path exclusions (reference §7)."""
        defender = self.host['defender']
        d = defender if defender is not None else {'service': False, 'cmdlet': False}
        available = d.get('service', True) and d.get('cmdlet', True) and not d.get('error')
        paths = list(d.get('paths', [])) if available else []
        if available and d.get('hidden'):  # HideExclusionsFromLocalAdmins, platform >= 4.18.23070 (reference §7)
            paths = [HIDDEN_EXCLUSIONS]
        return {'service': d.get('service', True), 'cmdlet': d.get('cmdlet', True), 'available': available,
                'paths': paths, 'tamper_protected': d.get('tamper_protected'), 'error': d.get('error')}

    def _snapshot(self, params):
        """READ_SNAPSHOT_PS (plugin_utils/windows_snapshot.py). This models OUR script, so it proves only
        that the fast path reads what we believe the script returns; where each value lives on a real host
        is the vendor's (Microsoft's installer C#, thedarksage/AzMigrate-Hydration at 822a039e, host/ASRSetup/):

        * ``registry``: every value of each key in ``Keys``, null for a key that does not exist (as
          ``win_reg_stat`` reads them): the MSI's uninstall key (reference §2.5); ``Installed Products\\5``
          (SetupFramework/Constants.cs:66-72) with the values the installer writes
          (UnifiedAgentInstaller/InstallActionProcessor.cs:619-633, Constants.cs:82, 534); ``Platform`` under
          ``Installed Products`` (UnifiedAgentMSI/Product.wxs:893-897); the Defender policy keys (reference §7);
        * ``files``: ``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (Constants.cs:116, 534;
          SetupFramework/SetupHelper.cs:3437-3456), InstallDirectory from the product key, else
          ``DefaultAgentDir``; its bytes as ``slurp`` of the same path answers them (base64);
        * ``os``: what the stand-in ``setup`` answers (the scenario's facts), as ansible.windows setup.ps1
          reads them: Win32_OperatingSystem Caption, [Environment]::OSVersion.Version, the processor
          architecture (setup.ps1 subsets ``distribution`` and ``platform``);
        * ``defender``: what READ_PREFERENCE_PS answers (``_defender_read``)."""
        registry = self.host['registry']
        keys = dict((key, dict(registry[key]) if key in registry else None) for key in params.get('Keys') or [])
        agent_dir = (keys.get(params.get('ProductKey')) or {}).get('InstallDirectory') or params['DefaultAgentDir']
        path = agent_dir.rstrip('\\') + '\\' + params['DrscoutRelative']
        read = self.slurp({'src': path})
        entry = {'exists': not read.get('failed'), 'content': read.get('content'), 'error': None}
        facts = self.host['facts']
        os_data = {'os_family': 'Windows', 'distribution': facts.get('ansible_distribution'),
                   'distribution_version': facts.get('ansible_distribution_version'),
                   'architecture2': facts.get('ansible_architecture2') or 'unknown'}
        return {'version': 1, 'os': os_data, 'registry': keys, 'files': {path: entry},
                'defender': self._defender_read()}

    def _staged(self, directory):
        """LIST_STAGING_PS: ``Microsoft-ASR_UA_*`` entries of a directory; an entry with ``link`` is a
        reparse point, a ``path\\`` key or a path with files under it a directory."""
        prefix = directory.rstrip('\\') + '\\'
        found = {}
        for path, info in self.host['files'].items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix):]
            name = rest.split('\\', 1)[0]
            if not name.startswith('Microsoft-ASR_UA_'):
                continue
            if (info or {}).get('link') and rest.rstrip('\\') == name:
                found[name] = 'link'
            elif found.get(name) != 'link':
                found[name] = 'dir' if '\\' in rest else 'file'
        return [{'name': name, 'kind': kind} for name, kind in sorted(found.items())]

    def _acquire_lock(self, params, base):
        """ACQUIRE_LOCK_PS: a lock file created only when absent. A file's ``age`` (seconds) stands for
        its last write time; the model does not wait (a held lock answers as after the whole timeout).
        A lock directory entry with ``foreign_acl`` is refused as the script refuses it."""
        path = params['Path']
        directory = path.rsplit('\\', 1)[0]
        entry = self.host['files'].get(directory + '\\')
        if entry and entry.get('foreign_acl'):
            base.update(failed=True, msg='the lock directory %s is not private to SYSTEM and Administrators (owner '
                                         'S-1-5-21-1-2-3-1001; also S-1-5-32-545): another user could hold or remove '
                                         'the lock. Remove it and run again' % directory)
            return base
        self.host['files'].setdefault(directory + '\\', {'dir': True, 'private': True})
        taken_over = None
        held = self.host['files'].get(path)
        if held is not None:
            content = held.get('content', '')
            stale = held.get('age', 0) >= int(params.get('StaleSeconds', 14400))
            if stale or (params.get('StaleOwner') and content == params['StaleOwner']):
                self.host['files'].pop(path)
                taken_over = content
            else:
                base['result'] = {'acquired': False, 'holder': content, 'age': held.get('age', 0)}
                return base
        self.host['files'][path] = {'content': params['Owner'], 'age': 0, 'lock': True}
        self.host.setdefault('lock_owners', []).append(params['Owner'])
        base.update(changed=True, result={'acquired': True, 'taken_over': taken_over})
        return base

    def win_wait_for(self, args):
        return {'changed': False, 'elapsed': 0}

    def win_reboot(self, args):
        for values in self.host['registry'].values():
            if 'Reboot_Required' in values:
                values['Reboot_Required'] = '0'
        return {'changed': True, 'rebooted': True, 'elapsed': 30}
