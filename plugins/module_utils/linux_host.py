# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lifecycle's Linux host (``agent_lifecycle.AgentHost``): what the module ``asr.mobility.agent``
acts through on the target. Reading the host and running the vendor's scripts is ``linux_agent``;
the safety around it (lock, private directories, signals) is ``host_safety``.

Python 2.7 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat
import tempfile

from ansible_collections.asr.mobility.plugins.module_utils import host_safety, linux_agent, staging
from ansible_collections.asr.mobility.plugins.module_utils.agent_lifecycle import AgentHost
from ansible_collections.asr.mobility.plugins.module_utils.errors import VendorError
from ansible_collections.asr.mobility.plugins.module_utils.inputs import check_no_whitespace


class LinuxHost(AgentHost):
    """The lifecycle's Linux host (``agent_lifecycle.AgentHost``): runs on the target itself."""

    def __init__(self, run, work_dir=None):
        super(LinuxHost, self).__init__()
        self.run = run
        self.work_dir = work_dir
        self._agent = None
        self.token = None
        self.detected = None

    @property
    def agent(self):
        # Created only when something is acted on: it may create work_dir and the secret base.
        if self._agent is None:
            self._agent = linux_agent.LinuxAgent(self.run, work_dir=self.work_dir, secret_dir=self.secret_base())
        return self._agent

    def secret_base(self):
        """``/run/asr-mobility`` when ``/run`` is a tmpfs (secrets never reach a disk), else the work dir."""
        if host_safety.run_is_tmpfs(linux_agent.read_text(linux_agent.PATHS['mounts'])):
            return host_safety.make_private_dir(linux_agent.host_path(linux_agent.PATHS['secret_base']))
        return self.work_dir

    def check_inputs(self, params):
        for name in ('installer', 'install_dir', 'work_dir'):
            check_no_whitespace(name, params.get(name))
        if params.get('install_dir') and not params['install_dir'].startswith('/'):
            raise ValueError('install_dir %r is not an absolute path (the vendor installer exits 156)'
                             % params['install_dir'])
        if params.get('work_dir'):
            host_safety.check_private_dir(params['work_dir'], 'work directory')
        if params['state'] != 'absent':
            host_safety.check_exec_mount(params.get('work_dir') or tempfile.gettempdir(), 'work directory')
        if params.get('installer') and params['state'] != 'absent':
            host_safety.check_private_dir(os.path.dirname(os.path.abspath(params['installer'])),
                                          'installer directory')

    def exclusive(self, params):
        return _Hold(self, params.get('lock_timeout', 600))

    def detect(self, params):
        detected = linux_agent.detect_os(params.get('os_token_overrides'))
        self.token = detected.get('token')  # the package's own OS_details.sh must agree before ./install
        self.detected = detected
        return detected

    def identity(self):
        return linux_agent.read_identity(self.run)

    def agent_config_input(self, state):
        return linux_agent.read_config_input(self.run, state)

    def read_state(self):
        return linux_agent.read_state()

    def installer_readable(self, installer):
        return os.path.isfile(installer)

    installer_present = installer_readable

    def installer_metadata(self, installer):
        return linux_agent.installer_metadata(self.run, installer)

    def install(self, installer, step, params):
        return self.agent.install(installer, step['mode'], step['cs_type'], platform_name=params['platform'],
                                  install_dir=params['install_dir'], sha256=params.get('installer_sha256'),
                                  expected_token=self.token)

    def clean_staging(self, installer, keep):
        """Remove older installers and their extracted trees from the installer's (private) directory.
        Entries are read with ``lstat``: a symbolic link is never followed nor removed."""
        directory = os.path.dirname(os.path.abspath(installer))
        host_safety.check_private_dir(directory, 'installer directory')
        entries = []
        for name in os.listdir(directory):
            mode = os.lstat(os.path.join(directory, name)).st_mode
            kind = (staging.LINK if stat.S_ISLNK(mode) else staging.DIRECTORY if stat.S_ISDIR(mode)
                    else staging.FILE if stat.S_ISREG(mode) else staging.OTHER)
            entries.append((name, kind))
        removed = []
        for name in staging.choose_removals(entries, keep, in_use=installer):
            path = os.path.join(directory, name)
            mode = os.lstat(path).st_mode  # again, right before: what was chosen is what is removed
            if stat.S_ISDIR(mode):
                shutil.rmtree(path)  # removes links inside, never follows them
            elif stat.S_ISREG(mode):
                os.unlink(path)
            else:
                continue
            removed.append(path)
        return removed

    def check_register_inputs(self, params):
        if params.get('platform') == 'Azure':
            # The configurator registers platform Azure only with -C <RCM credentials file>
            # (UnifiedAgentConfigurator.sh:1738-1747, is_valid_creds_file :1373-1386); without it 1/97.
            raise ValueError('platform Azure cannot be registered by this collection: the vendor\'s configurator '
                             'needs -C <RCM credentials file> for it, which asr.mobility does not pass; install with '
                             'register=false and register by hand, or use platform VmWare (VMware VMs and physical '
                             'servers)')

    def register(self, state, params):
        was_running = self._vxagent_active()
        try:
            return self.agent.register(state, params['control_plane'], cs_address=params['cs_address'],
                                       cs_port=params['cs_port'], passphrase=params['passphrase'],
                                       config=params['config'])
        except VendorError as exc:
            # The configurator stops vxagent before contacting the server and leaves it stopped on
            # 14 / a modernized 98 (UnifiedAgentConfigurator.sh:1833-1837): start it again.
            if was_running and not self._vxagent_active():
                ok, detail = self.agent.restart_vxagent()
                if ok and self._vxagent_active():
                    exc.message += (' vxagent was running before and the configurator left it stopped: it was '
                                    'started again (systemctl start vxagent), so the agent keeps its previous '
                                    'registration.')
                else:
                    exc.message += (' vxagent was running before and the configurator left it stopped; starting it '
                                    'again failed (%s): start it by hand (systemctl start vxagent).' % (detail or '?'))
            raise

    def _vxagent_active(self):
        return linux_agent.service_states(self.run).get('vxagent') == 'active'

    def uninstall(self, state):
        return self.agent.uninstall(state)

    def install_not_verified(self, info, state, meta):
        return VendorError('install exited %s (%s) but %s shows version %s, not %s'
                           % (info['code'], info['meaning'], linux_agent.PATHS['vx_version'], state['version'], meta['version']),
                           code=info['code'], meaning=info['meaning'], program='install',
                           log_tail=linux_agent.tail(linux_agent.PATHS['install_log']))

    def register_not_verified(self, info, state):
        return VendorError('UnifiedAgentConfigurator.sh succeeded but AGENT_CONFIGURATION_STATUS is %s and '
                           'drscout.conf does not show a registration (CSType %s, Hostname %s)'
                           % (state['configuration_status'] or 'missing', state.get('cs_type') or 'unset',
                              state.get('cs_address') or 'empty'), program='UnifiedAgentConfigurator.sh',
                           log_tail=linux_agent.tail(linux_agent.PATHS['install_log']))

    def uninstall_not_verified(self, info, state):
        return linux_agent.uninstall_incomplete(info['code'])


class _Hold(object):
    """The host lock, the stale clean-up and the signal handlers of one acting run."""

    def __init__(self, host, timeout):
        self.lock = host_safety.HostLock(linux_agent.host_path(linux_agent.PATHS['lock'])).acquire(timeout)
        try:
            bases = [host.work_dir or tempfile.gettempdir()]
            secret_base = linux_agent.host_path(linux_agent.PATHS['secret_base'])
            if host_safety.run_is_tmpfs(linux_agent.read_text(linux_agent.PATHS['mounts'])) and os.path.isdir(secret_base):
                bases.append(secret_base)
            removed = host_safety.remove_stale(bases)
            if removed:
                host.warnings.append('Removed %d private director%s left by an interrupted earlier run: %s'
                                     % (len(removed), 'y' if len(removed) == 1 else 'ies', ', '.join(removed)))
            self.signals = host_safety.signals_raise()
            self.signals.__enter__()
        except Exception:
            self.lock.release()
            raise

    def release(self):
        try:
            self.signals.__exit__(None, None, None)
        finally:
            self.lock.release()
