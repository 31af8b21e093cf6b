# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-host agent lifecycle, once for Linux and Windows (design: "One lifecycle, two hosts").

``run(host, params, check_mode, diff)`` is everything ``asr.mobility.agent`` does for one host:

1. check the inputs (version pin, ``inputs.check_common``, the host's own input rules);
2. detect the OS token and read the installed state;
3. refuse an unsupported OS;
4. read the installer's metadata only when the decision needs it, and refuse a package built for
   another OS;
5. plan (``planner.plan``), refuse what the planner refuses, refuse missing inputs;
6. predict the result and the diff; stop here in check mode or when nothing is to be done;
7. run the steps in order, each verified by reading the state back;
8. on failure, roll a fresh install back and report the vendor's exit code, meaning and log tail.

A *host* is an adapter that only knows how to act (``linux_host.LinuxHost`` on the target,
``plugin_utils.windows_agent.WindowsHost`` from the controller). Its interface is ``AgentHost``
below. A new lifecycle step is one change in ``_act``; a new platform is one adapter.

The result is a plain dict; on failure it has ``failed: true`` and ``msg``.
Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.agent_config import check_config_for_host
from ansible_collections.asr.mobility.plugins.module_utils.errors import HostCallError, VendorError
from ansible_collections.asr.mobility.plugins.module_utils.inputs import check_common
from ansible_collections.asr.mobility.plugins.module_utils.installer import compare_versions, parse_version
from ansible_collections.asr.mobility.plugins.module_utils.planner import REGISTER, UNINSTALL, plan, result_base

# Exit code with which msiexec has already started a reboot. A host adapter says so by setting
# ``rebooting`` in the step's info (the Windows installer's 1641 means "succeeded, reboot mandatory"
# and restarts nothing: SetupFramework/SetupHelper.cs:572-575 at commit 822a039e).
REBOOT_STARTED = 1641
# A failure of these "programs" happened before any vendor program ran: nothing changed.
_NOTHING_RAN = (None, 'tar', 'extractor', 'OS_details.sh')
# What may go wrong while acting and still be reported (with rollback) rather than raised.
_ACTING_ERRORS = (VendorError, HostCallError, ValueError, OSError, IOError)


class AgentHost(object):
    """What the lifecycle needs from a host. Subclasses implement every method that raises here."""

    # Reading the installer's metadata is cheap (Windows: the file name) or costly (Linux: the
    # package is decompressed); a costly read is skipped when the decision does not need it.
    metadata_is_cheap = False

    def __init__(self):
        self.warnings = []
        # Set when a secret could not be removed: the run fails and says where it is.
        self.cleanup_error = None
        # Keys the host adds to the result (for example the Windows agent config input).
        self.extra_results = {}

    def check_inputs(self, params):
        """Raise ValueError for an input this host cannot take (before anything is read)."""

    def exclusive(self, params):
        """Taken before a run that may act (not in check mode): returns an object with ``release()``.
        Raise HostCallError (busy) or ValueError (unsafe) to refuse the run."""
        return _NoHold()

    def check_register_inputs(self, params):
        """Raise ValueError for a registration input this host cannot pass to its configurator."""

    def clean_staging(self, installer, keep):
        """Keep-N clean-up of the installer's directory (``staging.choose_removals``); returns the paths
        removed. Raises ValueError, OSError/IOError or HostCallError when it cannot."""
        return []

    def detect(self, params):
        raise NotImplementedError

    def identity(self):
        """``{'bios_id', 'fqdn', 'source'}`` of the machine: what the vendor's configurator compares a
        modernized config.json with (``agent_config``). ``bios_id`` is None when it cannot be read."""
        raise NotImplementedError

    def agent_config_input(self, state):
        """The installed agent's Agent Config Input (``agent_config.decode_config_input``); raises
        ValueError, VendorError or HostCallError when it cannot be read, None where the host has no way."""
        return None

    def read_state(self):
        raise NotImplementedError

    def installer_readable(self, installer):
        """Can the installer's metadata be read now (at planning time)?"""
        raise NotImplementedError

    def installer_present(self, installer):
        """Is the installer on the host (checked once, before acting)?"""
        raise NotImplementedError

    def installer_metadata(self, installer):
        """``{'name', 'version', 'version_tuple', 'os_built_for'}``; raises ValueError."""
        raise NotImplementedError

    def describe_os(self, detected):
        return '%s %s' % (detected.get('distribution'), detected.get('version'))

    def install(self, installer, step, params):
        raise NotImplementedError

    def register(self, state, params):
        raise NotImplementedError

    def uninstall(self, state):
        raise NotImplementedError

    def install_not_verified(self, info, state, meta):
        """The VendorError for an installer that exited fine but left another version."""
        raise NotImplementedError

    def register_not_verified(self, info, state):
        raise NotImplementedError

    def uninstall_not_verified(self, info, state):
        raise NotImplementedError


def describe(state):
    """The diff text of a state."""
    if not state.get('installed'):
        return 'installed: false\n'
    return ('installed: true\nversion: %s\ncontrol_plane: %s\nregistered: %s\ncs_address: %s\n'
            % (state.get('version'), state.get('control_plane'), state.get('registered'), state.get('cs_address')))


def predicted(state, the_plan, params):
    """The state the plan leads to (the check-mode answer)."""
    names = the_plan.names
    if UNINSTALL in names:
        return {'installed': False}
    after = dict(state)
    if the_plan.needs_installer:
        after.update(installed=True, version=the_plan.version_after, control_plane=params['control_plane'])
    if REGISTER in names:
        after['registered'] = True
        if params['control_plane'] == 'classic':
            after['cs_address'] = params['cs_address']
    return after


def missing_inputs(params, the_plan):
    """The registration inputs the plan needs and the task did not give."""
    if REGISTER not in the_plan.names:
        return []
    if params['control_plane'] == 'classic':
        return [name for name in ('cs_address', 'passphrase') if not params.get(name)]
    return [] if params.get('config') else ['config']


class _NoHold(object):
    def release(self):
        pass


class _Failed(Exception):
    """Stops the lifecycle with a message; the result so far is returned with it."""

    def __init__(self, msg):
        super(_Failed, self).__init__(msg)
        self.msg = msg


def run(host, params, check_mode=False, diff=False):
    """One host's lifecycle; returns the result dict (``failed`` + ``msg`` on failure).
    Outside check mode the whole lifecycle runs holding the host's exclusive hold (``host.exclusive``)."""
    result = dict(changed=False, actions=[], reboot_required=False)
    hold = None
    try:
        if not check_mode:
            try:
                hold = host.exclusive(params)
            except (HostCallError, ValueError) as exc:
                raise _Failed('%s. Nothing was changed.' % (getattr(exc, 'message', None) or exc))
        return _run(host, params, check_mode, diff, result)
    except _Failed as exc:
        result['failed'] = True
        result['msg'] = exc.msg
        return result
    finally:
        if hold is not None:
            hold.release()


def _run(host, params, check_mode, diff, result):
    if params.get('version'):
        try:
            parse_version(params['version'])
        except ValueError as exc:
            raise _Failed('version: %s' % exc)
    try:
        params = check_common(params)
        host.check_inputs(params)
    except ValueError as exc:
        raise _Failed('%s. Nothing was changed.' % exc)

    detected = host.detect(params)
    state = host.read_state()
    result.update(result_base(detected, state))
    # What the host was before the run (registered / control_plane become the prediction in check mode):
    # a role deciding whether a modernized registration is due reads these.
    result.update(registered_before=bool(state.get('registered')), control_plane_before=state.get('control_plane'))
    if detected['supported'] and not detected['confirmed']:
        host.warnings.append(detected['reason'])
    if params['state'] != 'absent' and not detected['supported']:
        raise _Failed('Unsupported operating system: %s. Nothing was changed.' % detected['reason'])

    def decide(candidate):
        return plan(state, params['state'], candidate=candidate, pin=params.get('version'),
                    control_plane=params.get('control_plane'), register=params.get('register'),
                    cs_address=params.get('cs_address'), migrate=params.get('migrate'), cs_port=params.get('cs_port'))

    installer = params.get('installer')
    meta, the_plan = _read_installer(host, params, detected, decide, result)
    if the_plan is None:
        the_plan = decide(meta['version_tuple'] if meta else None)
    if the_plan.refusal:
        refusal = the_plan.refusal
        if installer and meta is None and params['state'] != 'absent':
            refusal += ' (the installer %s does not exist on the host)' % installer
        raise _Failed('%s. Nothing was changed.' % refusal)
    result['installer_needed'] = the_plan.needs_installer
    if the_plan.needs_installer and meta is None and not check_mode:
        # In check mode the installer need not be there yet: a role plans first and copies only when needed.
        where = ('the file %s does not exist on the host' % installer) if installer else 'no installer was given'
        result['actions'] = the_plan.actions
        raise _Failed('An installer is needed (%s) but %s. Nothing was changed.' % (', '.join(the_plan.names), where))
    missing = missing_inputs(params, the_plan)
    if missing:
        # Asked only now, when a registration is planned (a registered agent needs no secret).
        raise _Failed('Registration (%s) needs %s. Nothing was changed.'
                      % (params['control_plane'], ' and '.join(missing)))
    if REGISTER in the_plan.names:
        try:
            host.check_register_inputs(params)
        except ValueError as exc:
            raise _Failed('%s. Nothing was changed.' % exc)
        if params['control_plane'] == 'modernized':
            _check_config_for_host(host, params)

    result['actions'] = the_plan.actions
    result['changed'] = the_plan.changed
    after = predicted(state, the_plan, params)
    if diff:
        result['diff'] = {'before': describe(state), 'after': describe(after)}
    if check_mode or not the_plan.changed:
        result.update(version_after=after.get('version'), registered=bool(after.get('registered')),
                      control_plane=after.get('control_plane'))
        _add_config_input(host, result, state)
        return result

    if the_plan.needs_installer and not host.installer_present(installer):
        result['changed'] = False
        raise _Failed('An installer is needed (%s) but the file %s does not exist on the host. Nothing was changed.'
                      % (', '.join(the_plan.names), installer))
    return _act(host, the_plan, state, params, meta, result)


def _read_installer(host, params, detected, decide, result):
    """``(meta, plan)``: the installer's metadata when the decision needs it (else None), and the
    plan when it could be made without reading the installer (else None)."""
    installer = params.get('installer')
    if not installer or params['state'] == 'absent' or not host.installer_readable(installer):
        return None, None
    if not host.metadata_is_cheap and (params['state'] != 'latest' or params.get('version')):
        # Reading a Linux package decompresses it (hundreds of MB): only when the decision needs
        # it. A host already at the wanted version and registration does not.
        probe = decide(None)
        if not probe.refusal and not probe.needs_installer:
            return None, probe
    try:
        meta = host.installer_metadata(installer)
    except ValueError as exc:
        raise _Failed('%s. Nothing was changed.' % exc)
    result['installer_version'] = meta['version']
    built_for = meta.get('os_built_for') or ''
    if built_for.lower() != (detected['token'] or '').lower():
        raise _Failed('The installer %s was built for %s but this host needs %s (%s). Nothing was run; '
                      'use the installer for %s.' % (meta['name'], built_for or 'an unknown OS', detected['token'],
                                                     host.describe_os(detected), detected['token']))
    return meta, None


def _act(host, the_plan, state_before, params, meta, result):
    """Run the plan's steps in order. Each step verifies its effect by reading the state back;
    that read is the state the next step starts from."""
    done = []
    step = None
    current = state_before
    try:
        for index, step in enumerate(the_plan.actions):
            if step['action'] == UNINSTALL:
                info = host.uninstall(current)
                if not info.get('rebooting'):
                    current = host.read_state()
                    if current['installed']:
                        raise host.uninstall_not_verified(info, current)
            elif step['action'] == REGISTER:
                info = host.register(current, params)
                current = host.read_state()
                if not current['registered']:
                    raise host.register_not_verified(info, current)
            else:
                info = host.install(params['installer'], step, params)
                if not info.get('rebooting'):
                    current = host.read_state()
                    if not current['installed'] or current['version_tuple'] is None or \
                            compare_versions(current['version_tuple'], meta['version_tuple']) != 0:
                        raise host.install_not_verified(info, current, meta)
                    if current.get('reboot_required'):
                        result['reboot_required'] = True
            result['reboot_required'] = result['reboot_required'] or info['reboot_required']
            done.append(step)
            if info.get('rebooting'):
                return _rebooting(host, the_plan, index, step, state_before, params, done, result)
    except _ACTING_ERRORS as exc:
        return _failed(host, exc, step, state_before, current, params, done, result)

    # The state may not record the control plane (Windows registry): after an installer run it is the one asked for.
    plane = current['control_plane']
    if plane is None and current['installed'] and the_plan.needs_installer:
        plane = params.get('control_plane')
    result.update(version_after=current['version'], registered=current['registered'], control_plane=plane)
    # A migration whose registration is left for later (the role's dir/appliance sources) needs the input
    # even though the state may still show the classic registration.
    _add_config_input(host, result, dict(current, control_plane=plane),
                      migrated=any(s.get('migration') for s in the_plan.actions) and REGISTER not in the_plan.names)
    if the_plan.needs_installer and params.get('keep_installers') is not None:
        _clean_staging(host, params, result)
    return _finish(host, result)


def _clean_staging(host, params, result):
    """After a successful run: older installers out of the staging directory (never fails the run)."""
    try:
        removed = host.clean_staging(params['installer'], params['keep_installers'])
    except (ValueError, HostCallError, OSError, IOError) as exc:
        host.warnings.append('Older installers next to %s were not cleaned up: %s'
                             % (params['installer'], getattr(exc, 'message', None) or exc))
        return
    result['installers_removed'] = removed


def _check_config_for_host(host, params):
    """A modernized config made for another machine is refused before the vendor runs (the vendor
    would refuse it too, after stopping the agent, and log the whole config with its certificate)."""
    try:
        identity = host.identity()
    except HostCallError as exc:
        raise _Failed('The BIOS ID of this host could not be read (%s), so the config cannot be checked against '
                      'it. Nothing was changed.' % exc.message)
    try:
        check_config_for_host(params['config'], identity)
    except ValueError as exc:
        raise _Failed('%s. Nothing was changed.' % exc)


def _add_config_input(host, result, state, migrated=False):
    """The Agent Config Input of an installed modernized agent that is not registered, or was just
    migrated from classic (what the appliance needs to make this host's config.json; not secret,
    reference §1.7). A registered agent costs nothing more."""
    if not state or not state.get('installed') or state.get('control_plane') != 'modernized' \
            or (state.get('registered') and not migrated):
        return
    try:
        found = host.agent_config_input(state)
    except (ValueError, VendorError, HostCallError, OSError, IOError) as exc:
        host.warnings.append('The Agent Config Input could not be read: %s' % (getattr(exc, 'message', None) or exc))
        return
    if found:
        result['agent_config_input'] = found['encoded']
        result['agent_config_input_decoded'] = {'bios_id': found['bios_id'], 'fqdn': found['fqdn']}


def _rebooting(host, the_plan, index, step, state_before, params, done, result):
    """A vendor program started a reboot: nothing more can run, and the host cannot be read while
    it goes down, so the result is what the plan predicted."""
    pending = [s['action'] for s in the_plan.actions[index + 1:]]
    if pending:
        host.warnings.append('%s exited %s: the host is rebooting now, so %s did not run; run again '
                             'after the reboot.' % (step['action'], REBOOT_STARTED, ', '.join(pending)))
    uninstalled = step['action'] == UNINSTALL
    result.update(actions=done, version_after=None if uninstalled else the_plan.version_after,
                  registered=False if uninstalled or REGISTER in pending else bool(state_before.get('registered')),
                  control_plane=None if uninstalled else params.get('control_plane'))
    return _finish(host, result)


def _failed(host, exc, step, state_before, current, params, done, result):
    if not isinstance(exc, VendorError):
        message = getattr(exc, 'message', None) or str(exc)
        if isinstance(exc, (OSError, IOError)) and getattr(exc, 'filename', None):
            message = '%s: %s' % (exc.filename, getattr(exc, 'strerror', None) or exc)
        exc = VendorError(message)
    rollback = _rollback(host, state_before, done, params)
    if rollback:
        result['rollback'] = rollback
    try:
        final = host.read_state()
    except HostCallError:
        final = current
    result.update(changed=bool(done) or exc.program not in _NOTHING_RAN, actions=done,
                  failed_action=step, version_after=final['version'], registered=final['registered'],
                  control_plane=final['control_plane'], vendor_exit_code=exc.code,
                  vendor_message=exc.meaning, log_tail=exc.log_tail, failed=True)
    _add_config_input(host, result, final)
    msg = '%s failed: %s' % (step['action'] if step else 'the run', exc.message)
    if rollback:
        msg += ' The fresh install was %s.' % rollback
    result['msg'] = msg
    return _finish(host, result)


def _rollback(host, state_before, done, params):
    """A fresh install whose registration failed is uninstalled again, so the host is left as it
    was (no half-configured agent). Upgrades and migrations cannot be undone and are left."""
    if state_before['installed'] or not params.get('rollback_on_failure', True):
        return None
    if not any(d['action'] == 'install' for d in done):
        return None
    try:
        info = host.uninstall(host.read_state())
        after = host.read_state()
        if after['installed']:
            raise host.uninstall_not_verified(info, after)
    except (VendorError, HostCallError) as exc:
        return 'not rolled back: uninstall failed too (%s)' % exc.message
    return 'rolled back (uninstalled), so the host is as it was before this run'


def _finish(host, result):
    for key, value in host.extra_results.items():
        result.setdefault(key, value)
    if host.cleanup_error:
        result['failed'] = True
        result['msg'] = ((result.get('msg') + ' ') if result.get('msg') else '') + (
            'The secret file directory %s could not be removed: remove it by hand now.' % host.cleanup_error)
    return result
