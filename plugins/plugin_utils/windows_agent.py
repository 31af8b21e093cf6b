# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Mobility Service agent on a Windows host, driven from the controller (reference §2).

Same decision engine as Linux (``planner.plan`` over ``state.windows_state``), same options and
return keys as the module ``asr.mobility.agent``; only the acting differs: every step is one
``ansible.windows`` module call made through a ``caller`` (see ``windows_calls.ModuleCaller``):

============================  ==========================================================
read state                    ``win_reg_stat`` (uninstall key, both registry views; the
                              ``InMage Systems\\Installed Products\\5`` key and its parent, which
                              holds ``Platform``) and ``slurp`` of
                              ``<InstallDirectory>\\Application Data\\etc\\drscout.conf``
                              (control plane, configuration server, platform)
installer present?            ``win_stat``
private directory             ``win_powershell`` (new directory, protected ACL: SYSTEM and
                              Administrators only; a fresh name each run), removed with
                              ``win_file state=absent`` whatever happens
private copy of the installer ``win_copy remote_src=true`` into the private directory, then
                              ``win_stat`` sha256 of that copy against ``installer_sha256``
extract the self-extractor    ``win_command`` ``<copy> /q /x:"<dir>"`` (every run, only the copy)
install / upgrade             ``win_command`` ``UnifiedAgent.exe`` (classic) or
                              ``UnifiedAgentInstaller.exe`` (modernized), reference §2.2;
                              after 97/98 ``slurp`` of ``InstallerErrors.json`` (reboot codes)
agent config input            ``win_command`` ``AzureRcmCli.exe --getagentconfiginput`` after a
                              modernized install, unless the installer printed it
secret file (no_log)          ``win_powershell`` with the secret as a ``sensitive_parameters``
                              SecureString, written into a fresh directory only SYSTEM and
                              Administrators can open
register                      ``win_command`` ``UnifiedAgentConfigurator.exe``, reference §2.3
remove the secret             ``win_file state=absent`` (always, in ``finally``)
uninstall                     ``win_command`` ``msiexec.exe /qn /norestart /x {275197FC-...} /L+*V <log>``
log tail on failure           ``slurp``, decoded and tailed on the controller
============================  ==========================================================
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import ntpath
import os
import socket
import time
import uuid

from ansible_collections.asr.mobility.plugins.module_utils import agent_config, exit_codes, os_tokens, staging
from ansible_collections.asr.mobility.plugins.module_utils.agent_lifecycle import AgentHost
from ansible_collections.asr.mobility.plugins.module_utils.errors import LOG_TAIL_LINES, HostCallError, VendorError
from ansible_collections.asr.mobility.plugins.module_utils.installer import InstallerNameError, parse_name
from ansible_collections.asr.mobility.plugins.module_utils.state import windows_state
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import ModuleCallError
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_vendor import (  # noqa: F401 pylint: disable=unused-import
    PRODUCT_CODE, UNINSTALL_KEYS, PRODUCT_KEY, PRODUCTS_KEY, DEFAULT_INSTALL_LOCATION, DEFAULT_WORK_DIR, LOGS, MANDATORY_REBOOT,
    REBOOT_ERRORS, RCM_CLI_EXE, INSTALLER_EXE, CONFIGURATOR_EXE, SECRET_FILE, WRITE_SECRET_PS, NEW_PRIVATE_DIR_PS,
    READ_IDENTITY_PS, LIST_STAGING_PS, REMOVE_STAGED_PS, ACQUIRE_LOCK_PS, RELEASE_LOCK_PS, LOCK_FILE, LOCK_STALE_SECONDS,
    quote, extract_dir_for, extract_command, install_command, configurator_path, configurator_command,
    uninstall_command, installer_errors, agent_config_input, drscout_path, decode_log, install_location_for,
    _registry_values, windows_facts)


class WindowsHost(AgentHost):
    """The lifecycle's Windows host (``agent_lifecycle.AgentHost``): acts through ``caller``
    (``windows_calls.ModuleCaller`` or a test double) from the controller. ``facts`` are the host's
    gathered facts (distribution, version, architecture)."""

    metadata_is_cheap = True  # the version is in the installer's file name

    def __init__(self, caller, facts=None, secret_id=None, host_name=None):
        super(WindowsHost, self).__init__()
        self.call = caller
        self.host_name = host_name or 'the Windows host'
        self.facts = facts or {}
        self.secret_id = secret_id or uuid.uuid4().hex
        self.install_location = DEFAULT_INSTALL_LOCATION
        self.work_dir = DEFAULT_WORK_DIR

    # -- what the lifecycle asks ---------------------------------------------------------------
    def check_inputs(self, params):
        self.install_location = install_location_for(params.get('install_dir'))
        self.work_dir = params.get('work_dir') or DEFAULT_WORK_DIR

    def exclusive(self, params):
        """The Windows host lock (``windows_vendor.ACQUIRE_LOCK_PS``), held for the whole acting run."""
        return _WindowsHold(self, params.get('lock_timeout', 600))

    def clean_staging(self, installer, keep):
        """Older installers (and trees extracted next to them) out of the installer's directory: listed
        without following reparse points, chosen by ``staging.choose_removals``, removed checking each again."""
        directory = ntpath.dirname(installer)
        listed = self.call('ansible.windows.win_powershell', {
            'script': LIST_STAGING_PS, 'parameters': {'Directory': directory}, 'error_action': 'stop'}, read_only=True)
        entries = [(e.get('name'), e.get('kind')) for e in (listed.get('result') or {}).get('entries') or []]
        names = staging.choose_removals(entries, keep, in_use=installer)
        if not names:
            return []
        done = self.call('ansible.windows.win_powershell', {
            'script': REMOVE_STAGED_PS, 'parameters': {'Directory': directory, 'Names': names},
            'error_action': 'stop'}).get('result') or {}
        for problem in done.get('failed') or []:
            self.warnings.append('An older installer could not be removed (%s): remove it by hand.' % problem)
        return list(done.get('removed') or [])

    def check_register_inputs(self, params):
        configurator_command('x', params['control_plane'], 'x', params.get('cs_address'), params.get('cs_port'))

    def detect(self, params):
        host = windows_facts(self.facts)
        return os_tokens.detect(distribution=host['distribution'], version=host['version'],
                                architecture=host['architecture'], os_family='Windows',
                                overrides=params.get('os_token_overrides') or {})

    def describe_os(self, detected):
        return detected['reason']

    def agent_config_input(self, state):
        """The lifecycle's read of the Agent Config Input, decoded: what this run's install already
        captured (``_agent_config_input``), else ``<agent dir>\\AzureRcmCli.exe --getagentconfiginput``
        (reference §0, §1.7; only reads, so it also runs in check mode)."""
        value = self.extra_results.get('agent_config_input')
        if not value:
            program = ntpath.join(state.get('install_dir') or ntpath.join(DEFAULT_INSTALL_LOCATION, 'agent'),
                                  RCM_CLI_EXE)
            result = self.call('ansible.windows.win_command', {'cmd': '%s --getagentconfiginput' % quote(program)},
                               read_only=True, allow_failed=True)
            value = agent_config_input(result.get('stdout')) if result.get('rc') == 0 else None
            if not value:
                said = ('%s %s %s' % (result.get('stdout') or '', result.get('stderr') or '',
                                      result.get('msg') or '')).split()
                raise ValueError('%s --getagentconfiginput exited %s: %s'
                                 % (program, result.get('rc'), ' '.join(said)[-300:] or 'no output'))
        return agent_config.decode_config_input(value)

    def identity(self):
        found = self.call('ansible.windows.win_powershell', {'script': READ_IDENTITY_PS}, read_only=True)
        result = found.get('result') or {}
        return {'bios_id': (result.get('bios_id') or '').strip() or None, 'fqdn': result.get('fqdn'),
                'source': 'WMI Win32_ComputerSystemProduct UUID'}

    def installer_readable(self, installer):
        return True  # only its name is read; whether it is on the host is checked before acting

    def installer_present(self, installer):
        return self.file_exists(installer)

    def installer_metadata(self, installer):
        try:
            meta = parse_name(installer)
        except InstallerNameError as exc:
            raise ValueError('%s. On Windows the version is read from the installer file name, so keep the '
                             'vendor name' % exc)
        meta = dict(meta)
        meta['os_built_for'] = meta['token']
        return meta

    def install_not_verified(self, info, state, meta):
        return VendorError('the installer exited %s (%s) but the registry shows version %s, not %s'
                           % (info['code'], info['meaning'], state['version'], meta['version']),
                           code=info['code'], meaning=info['meaning'], program='UnifiedAgent installer',
                           log_tail=self.log_tail(LOGS['installer'], [LOGS['errors']]))

    def register_not_verified(self, info, state):
        hint = ''
        if state.get('control_plane') == 'modernized' and state.get('platform') in (None, 'VmWare'):
            # reference §2.3 [R2]: a CSPrime registration on an Azure VM with platform VmWare exits 0
            # and registers nothing.
            hint = (' (a modernized registration on an Azure VM with platform VmWare exits 0 without registering: '
                    'check the platform option for this machine)')
        elif state.get('platform'):
            hint = ' (the agent is installed for platform %s: read the configurator log)' % state['platform']
        return VendorError('UnifiedAgentConfigurator.exe exited %s but AgentConfigurationStatus is %s%s'
                           % (info['code'], state['configuration_status'] or 'missing', hint),
                           code=info['code'], meaning=info['meaning'], program='UnifiedAgentConfigurator.exe',
                           log_tail=self.log_tail(LOGS['configurator']))

    def uninstall_not_verified(self, info, state):
        return VendorError('msiexec exited %s (%s) but the product %s is still registered: the uninstall did '
                           'not finish. Read %s on the host, fix the cause, then run again.'
                           % (info['code'], info['meaning'], PRODUCT_CODE, LOGS['uninstall']),
                           code=info['code'], meaning=info['meaning'], program='msiexec',
                           log_tail=self.log_tail(LOGS['uninstall']))

    # -- reading ---------------------------------------------------------------------------
    def read_state(self):
        exists = False
        uninstall = {}
        for key in UNINSTALL_KEYS:
            found = self.call('ansible.windows.win_reg_stat', {'path': key}, read_only=True)
            if found.get('exists'):
                exists = True
                uninstall = _registry_values(found)
                break
        values = {}
        products = {}
        drscout = None
        if exists:
            values = _registry_values(self.call('ansible.windows.win_reg_stat', {'path': PRODUCT_KEY}, read_only=True))
            drscout = self._read_text(drscout_path(values.get('InstallDirectory'), self.install_location))
            if not windows_state(exists, values, drscout).get('platform'):
                # No VmPlatform in drscout.conf: the MSI's Platform value, the vendor's fallback
                # (InstallationOperations.cs:169-174, SetupHelper.cs:990-1011); read only then.
                products = _registry_values(self.call('ansible.windows.win_reg_stat', {'path': PRODUCTS_KEY},
                                                      read_only=True))
        state = windows_state(exists, values, drscout, products)
        state['display_version'] = uninstall.get('DisplayVersion')
        return state

    def file_exists(self, path):
        result = self.call('ansible.windows.win_stat', {'path': path, 'get_checksum': False}, read_only=True)
        return bool((result.get('stat') or {}).get('exists'))

    def log_tail(self, main_log, extra_logs=(), output=None):
        """Same shape as the Linux failures: main log tail, then ``--- <log> ---`` sections, then
        ``--- program output ---``."""
        lines = self._read_log(main_log)[-LOG_TAIL_LINES:]
        for path in extra_logs:
            extra = self._read_log(path)
            if extra:
                lines += ['--- %s ---' % path] + extra[-10:]
        output = [line for line in (output or '').splitlines() if line.strip()]
        if output:
            lines += ['--- program output ---'] + output[-10:]
        return lines

    def _read_text(self, path):
        """A file's text (``slurp``, decoded), or None when it cannot be read."""
        try:
            result = self.call('ansible.windows.slurp', {'src': path}, read_only=True, allow_failed=True)
        except ModuleCallError:
            return None
        if result.get('failed') or 'content' not in result:
            return None
        return decode_log(result['content'])

    def _read_log(self, path):
        return [line for line in (self._read_text(path) or '').splitlines() if line.strip()]

    # -- acting ----------------------------------------------------------------------------
    def _command(self, cmd, chdir=None, program=None):
        args = {'cmd': cmd}
        if chdir:
            args['chdir'] = chdir
        result = self.call('ansible.windows.win_command', args, allow_failed=True)
        if 'rc' not in result:
            raise ModuleCallError('ansible.windows.win_command', result, what=cmd)
        if result.get('failed') and str(result.get('msg') or '').startswith('Failed to run'):
            # win_command could not start the program (ansible.windows win_command.ps1:112-129): its rc
            # is the Windows error (2 = file not found), not the vendor's "2: invalid command line".
            raise VendorError('%s could not be started (Windows error %s): %s. Nothing of it ran.'
                              % (program or cmd, result['rc'], result.get('msg')),
                              code=result['rc'], meaning='the program could not be started', program=None)
        output = '%s\n%s' % (result.get('stdout') or '', result.get('stderr') or '')
        return result['rc'], output

    def _failure(self, table, rc, output, main_log, extra_logs=()):
        info = exit_codes.interpret(table, rc)
        return VendorError(exit_codes.describe(table, rc), code=info['code'], meaning=info['meaning'],
                           log_tail=self.log_tail(main_log, extra_logs, output),
                           program=exit_codes.PROGRAM_NAMES[table])

    def _new_private_dir(self, directory):
        self.call('ansible.windows.win_powershell', {
            'script': NEW_PRIVATE_DIR_PS, 'parameters': {'Directory': directory}, 'error_action': 'stop'})

    def _remove_dir(self, directory):
        """Remove a directory this run made; a failure is a warning (it holds no secret)."""
        try:
            result = self.call('ansible.windows.win_file', {'path': directory, 'state': 'absent'}, allow_failed=True)
            failed = result.get('msg') if result.get('failed') else None
        except Exception as exc:  # pylint: disable=broad-except
            failed = str(exc)
        if failed:
            self.warnings.append('The extraction directory %s could not be removed (%s): remove it by hand.'
                                 % (directory, failed))

    def extract(self, installer, extract_dir, cs_type):
        """Extract the self-extractor into ``extract_dir`` (made by ``_new_private_dir``)."""
        rc, output = self._command(extract_command(installer, extract_dir), program=installer)
        if rc != 0:
            raise VendorError('could not extract %s (exit %s): %s' % (installer, rc, output.strip() or 'no output'),
                              code=rc, program='extractor')
        if not self.file_exists(ntpath.join(extract_dir, INSTALLER_EXE[cs_type])):
            raise VendorError('%s was extracted to %s but %s is not there: is it a Mobility Service installer?'
                              % (installer, extract_dir, INSTALLER_EXE[cs_type]), code=rc, program='extractor')

    def private_copy(self, installer, private_dir, expected_sha256):
        """Copy the staged installer into ``private_dir`` (only SYSTEM and Administrators can open it) and,
        when ``expected_sha256`` is given, hash that copy: what was verified is what runs, as on Linux
        (``host_safety.copy_verified``). The staging directory is one users may write to, so a file
        swapped there after the controller verified it is refused here. Returns the copy's path."""
        copy = ntpath.join(private_dir, ntpath.basename(installer))
        result = self.call('ansible.windows.win_copy', {'src': installer, 'dest': copy, 'remote_src': True},
                           allow_failed=True)
        if result.get('failed'):
            raise ValueError('%s: the installer %s could not be copied into the private directory %s (%s). Nothing '
                             'was run; check that the file is there and readable, then run again.'
                             % (self.host_name, installer, private_dir, result.get('msg') or 'win_copy failed'))
        if expected_sha256:
            found = self.call('ansible.windows.win_stat', {'path': copy, 'get_checksum': True,
                                                           'checksum_algorithm': 'sha256'}, read_only=True)
            actual = str((found.get('stat') or {}).get('checksum') or 'unreadable')
            if actual.lower() != str(expected_sha256).strip().lower():
                raise ValueError('%s: the installer %s is not the file that was verified: its private copy %s has '
                                 'sha256 %s, %s was expected (installer_sha256). Nothing was run and the copy was '
                                 'removed. Someone changed the file after it was verified: find out who can write '
                                 'to %s, then run again (the role copies and verifies the installer again).'
                                 % (self.host_name, installer, copy, actual, str(expected_sha256).strip(),
                                    ntpath.dirname(installer)))
        return copy

    def install(self, installer, step, params):
        """Make a new directory only SYSTEM and Administrators can open (a fresh name every run, so an
        extracted tree someone planted is never run), copy the installer into it and verify the copy's
        sha256 there, extract and run only that copy, remove the directory whatever happened."""
        cs_type = step['cs_type']
        extract_dir = extract_dir_for(self.work_dir, uuid.uuid4().hex)
        self._new_private_dir(extract_dir)
        try:
            copy = self.private_copy(installer, extract_dir, params.get('installer_sha256'))
            self.extract(copy, extract_dir, cs_type)
            cmd = install_command(extract_dir, cs_type, step['mode'], install_location_for(params.get('install_dir')),
                                  params.get('platform') or 'VmWare')
            rc, output = self._command(cmd, chdir=extract_dir, program=INSTALLER_EXE[cs_type])
        finally:
            self._remove_dir(extract_dir)
        info = dict(exit_codes.interpret('windows_installer', rc))
        if rc in (97, 98):
            info = self._reboot_truth(info, rc)
        if not info['ok']:
            raise self._failure('windows_installer', rc, output, LOGS['installer'], [LOGS['errors']])
        if cs_type == 'CSPrime':
            self._agent_config_input(output)
        return info

    def _reboot_truth(self, info, rc):
        """After 97/98 the reboot is in InstallerErrors.json, never in the exit code (reference §2.2):
        98 + a reboot code = success, reboot needed; 97 whose only entries are reboot codes, one of
        them mandatory, with PostInstallActions=Succeeded = success, mandatory reboot (the filter
        driver, SetupFramework/PortedCustomActions.cs:600-613)."""
        errors = installer_errors(self._read_text(LOGS['errors']))
        names = [error[0] for error in errors]
        others = ['%s: %s' % (name, message) for name, message in errors if name not in REBOOT_ERRORS]
        if rc == 98:
            info['reboot_required'] = any(name in REBOOT_ERRORS for name in names)
            if info['reboot_required']:
                info['outcome'] = exit_codes.REBOOT
                info['meaning'] = 'succeeded with warnings; InstallerErrors.json asks for a %s reboot' % (
                    'mandatory' if MANDATORY_REBOOT in names else 'recommended')
            if others:
                self.warnings.append('The installer succeeded with warnings (InstallerErrors.json): %s'
                                     % '; '.join(others))
            return info
        if MANDATORY_REBOOT in names and not others and self.read_state().get('healthy'):
            info.update(ok=True, outcome=exit_codes.REBOOT, reboot_required=True,
                        meaning='installed; InstallerErrors.json asks for a mandatory reboot (%s)' % MANDATORY_REBOOT)
            self.warnings.append('The installer exited 97 with only %s in InstallerErrors.json: the agent is '
                                 'installed and the host must reboot before the agent protects it.' % MANDATORY_REBOOT)
        return info

    def _agent_config_input(self, output):
        """The Agent Config Input a modernized agent needs on the appliance: printed by the installer
        (UnifiedAgentInstaller/Program.cs:902-905), else from ``AzureRcmCli.exe --getagentconfiginput``
        in the agent directory (SetupFramework/ValidationHelper.cs:2332-2358)."""
        value = agent_config_input(output)
        if value is None:
            agent_dir = self.read_state().get('install_dir') or ntpath.join(self.install_location, 'agent')
            try:
                rc, cli_output = self._command('%s --getagentconfiginput' % quote(ntpath.join(agent_dir, RCM_CLI_EXE)),
                                               chdir=agent_dir, program=RCM_CLI_EXE)
            except VendorError as exc:
                rc, cli_output = exc.code, exc.message
            value = agent_config_input(cli_output) if rc == 0 else None
            if value is None:
                self.warnings.append('The Agent Config Input could not be read (%s --getagentconfiginput exited %s): '
                                     'run it in %s on the host.' % (RCM_CLI_EXE, rc, agent_dir))
                return
        self.extra_results['agent_config_input'] = value

    def register(self, state, params):
        """UnifiedAgentConfigurator.exe with the secret in a private file that is removed whatever happens."""
        control_plane = params['control_plane']
        secret = params['passphrase'] if control_plane == 'classic' else params['config']
        directory = ntpath.join(params.get('work_dir') or DEFAULT_WORK_DIR, 'asr-mobility-%s' % self.secret_id)
        secret_path = ntpath.join(directory, SECRET_FILE[control_plane])
        install_location = install_location_for(params.get('install_dir'))
        cmd = configurator_command(configurator_path(state.get('install_dir'), install_location), control_plane,
                                   secret_path, params.get('cs_address'), params.get('cs_port'))
        try:
            self.call('ansible.windows.win_powershell', {
                'script': WRITE_SECRET_PS,
                'parameters': {'Directory': directory, 'FileName': SECRET_FILE[control_plane]},
                'sensitive_parameters': [{'name': 'Secret', 'value': secret}],
                'error_action': 'stop',
            }, no_log=True)
            rc, output = self._command(cmd, program=CONFIGURATOR_EXE)
        finally:
            self._remove_secret(directory)
        info = exit_codes.interpret('windows_configurator', rc)
        if not info['ok']:
            raise self._failure('windows_configurator', rc, output, LOGS['configurator'])
        return info

    def _remove_secret(self, directory):
        try:
            result = self.call('ansible.windows.win_file', {'path': directory, 'state': 'absent'}, allow_failed=True)
            if result.get('failed'):
                self.cleanup_error = '%s (%s)' % (directory, result.get('msg') or 'win_file failed')
        except Exception as exc:  # pylint: disable=broad-except
            # A connection error here must not hide the error that is already propagating.
            self.cleanup_error = '%s (%s)' % (directory, exc)

    def uninstall(self, state=None):
        rc, output = self._command(uninstall_command(), program='msiexec.exe')
        info = dict(exit_codes.interpret('msiexec', rc))
        if not info['ok']:
            raise self._failure('msiexec', rc, output, LOGS['uninstall'])
        # With /norestart Windows Installer does not restart; 1641 would mean it did anyway.
        info['rebooting'] = rc == 1641
        return info


class HostBusy(HostCallError):
    """Another run holds the Windows host's agent lock."""


def _describe_holder(text):
    """The lock's owner as a person reads it."""
    try:
        owner = json.loads(text)
    except ValueError:
        return 'an unreadable owner (%r)' % (text or '')[:120]
    if not isinstance(owner, dict):
        return 'an unreadable owner (%r)' % (text or '')[:120]
    return 'run %s from controller %s (pid %s), started %s' % (
        owner.get('run_id'), owner.get('controller'), owner.get('pid'), owner.get('time'))


def _owner_gone(text, controller=None):
    """True when the lock's owner ran on this controller and its process is gone (a killed run)."""
    try:
        owner = json.loads(text)
        pid = int(owner.get('pid'))
    except (ValueError, TypeError, AttributeError):
        return False
    if owner.get('controller') != (controller or socket.gethostname()) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == 3  # ESRCH: no such process
    return False


class _WindowsHold(object):
    """The lock file of one acting run on a Windows host: taken at once when free; when held by a run
    of this controller that is gone, taken over; else waited for up to ``timeout`` seconds."""

    def __init__(self, host, timeout):
        self.host = host
        self.owner = json.dumps({'run_id': uuid.uuid4().hex, 'controller': socket.gethostname(), 'pid': os.getpid(),
                                 'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, sort_keys=True)
        result = self._acquire(0)
        if not result.get('acquired') and _owner_gone(result.get('holder')):
            result = self._acquire(timeout, stale_owner=result.get('holder'))
        elif not result.get('acquired') and timeout > 0:
            result = self._acquire(timeout)
        if not result.get('acquired'):
            raise HostBusy('Another asr.mobility run is installing, registering or uninstalling the agent on this '
                           'Windows host: the lock %s is held by %s (%s s old) and was not released within %d s. '
                           'Nothing was run; run again when it has finished (or raise lock_timeout). If no run is '
                           'active any more (it was killed), remove %s on the host; it is taken over by itself after '
                           '%d s' % (LOCK_FILE, _describe_holder(result.get('holder')), result.get('age', '?'), timeout,
                                     LOCK_FILE, LOCK_STALE_SECONDS))
        if result.get('taken_over'):
            host.warnings.append('Took over the host lock %s left by an earlier run that is gone (%s).'
                                 % (LOCK_FILE, _describe_holder(result['taken_over'])))

    def _acquire(self, timeout, stale_owner=None):
        parameters = {'Path': LOCK_FILE, 'Owner': self.owner, 'TimeoutSeconds': int(max(0, timeout)),
                      'StaleSeconds': LOCK_STALE_SECONDS}
        if stale_owner:
            parameters['StaleOwner'] = stale_owner
        try:
            found = self.host.call('ansible.windows.win_powershell', {
                'script': ACQUIRE_LOCK_PS, 'parameters': parameters, 'error_action': 'stop'})
        except ModuleCallError as exc:
            raise HostCallError('The host lock %s could not be taken: %s' % (LOCK_FILE, exc.message))
        return found.get('result') or {}

    def release(self):
        try:
            found = self.host.call('ansible.windows.win_powershell', {
                'script': RELEASE_LOCK_PS, 'parameters': {'Path': LOCK_FILE, 'Owner': self.owner},
                'error_action': 'stop'}, allow_failed=True)
            problem = found.get('msg') if found.get('failed') else None
            if not problem and not (found.get('result') or {}).get('released'):
                problem = 'it is no longer this run\'s (held by %s)' % _describe_holder(
                    (found.get('result') or {}).get('holder') or '')
        except Exception as exc:  # pylint: disable=broad-except
            # A connection error here must not hide the run's own result or error.
            problem = str(exc)
        if problem:
            self.host.warnings.append('The host lock %s could not be released (%s): other runs wait for it until it '
                                      'is %d s old; remove it on the host when no run is active.'
                                      % (LOCK_FILE, problem, LOCK_STALE_SECONDS))
