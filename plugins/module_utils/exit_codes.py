# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exit codes of the vendor's programs, as data (reference §1.2-1.4, §2.4-2.5).

Every table maps an exit code to ``(outcome, meaning, action)``:

* ``outcome`` is ``ok`` (success), ``reboot`` (success, a reboot is recommended or required)
  or ``failed``;
* ``meaning`` is what the vendor means by the code;
* ``action`` is what the operator should do next.

Pure data and one lookup function; no Ansible imports, Python 2.7 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# One row of a table: ``row.outcome``, ``row.meaning``, ``row.action`` (also unpacks as a tuple).
ExitCode = namedtuple('ExitCode', ['outcome', 'meaning', 'action'])

OK = 'ok'
REBOOT = 'reboot'
FAILED = 'failed'

_LINUX_LOGS = 'Read /var/log/ua_install.log and /var/log/InstallerErrors.json on the host.'
_WIN_LOGS = r'Read C:\ProgramData\ASRSetupLogs\ASRUnifiedAgentInstaller.log and InstallerErrors.json.'

# reference §1.2
LINUX_INSTALLER = {
    0: (OK, 'installation succeeded', ''),
    1: (FAILED, 'generic failure (for example another installer holds the lock .install.lck)',
        'Wait for the other installer run to end, then run again. ' + _LINUX_LOGS),
    11: (FAILED, 'upgrade is not supported from the installed version',
         'Upgrade through an intermediate version, or uninstall first.'),
    15: (FAILED, 'downgrade refused: the installed agent is newer than the package (classic)',
         'Use an installer at least as new as the installed agent.'),
    44: (FAILED, 'the vxagent service failed to start', 'Check `systemctl status vxagent` and ' + _LINUX_LOGS),
    76: (FAILED, 'platform change from Azure to VmWare refused',
         'Uninstall the agent before changing the platform.'),
    93: (FAILED, 'Third-Party_Notices.txt is missing from the package', 'Obtain an intact installer package.'),
    95: (FAILED, 'the rpm command is missing', 'Install rpm on the host.'),
    96: (FAILED, 'invalid option or option value', 'Report this: the collection passed a bad flag.'),
    97: (FAILED, 'installation failed with errors (also: -a Upgrade with nothing installed, '
                 'control-plane mismatch, or downgrade on a modernized agent)',
         'Read /var/log/InstallerErrors.json on the host.'),
    98: (REBOOT, 'succeeded with warnings; a reboot is recommended',
         'Reboot the host in a maintenance window.'),
    99: (FAILED, 'installation prerequisites are not met', 'Fix what /var/log/InstallerErrors.json lists, then run again.'),
    110: (FAILED, 'certificate generation failed', _LINUX_LOGS),
    119: (FAILED, 'the installer was not run as root', 'Run with become: true.'),
    149: (FAILED, 'the package was not built for this OS (or the host is 32-bit)',
          'Use the installer whose token matches the host (see os_token).'),
    156: (FAILED, 'the install directory is not an absolute path', 'Give an absolute install_dir.'),
    159: (FAILED, 'the payload installation failed', _LINUX_LOGS),
    166: (FAILED, 'the involflt driver could not be unloaded during upgrade', 'Reboot the host, then upgrade again.'),
    167: (FAILED, 'the involflt driver could not be unloaded during upgrade', 'Reboot the host, then upgrade again.'),
    208: (FAILED, 'the running kernel is not supported by this agent version',
          'Use an agent version whose supported_kernels lists the running kernel, or boot a supported kernel.'),
    # Treated as success by Microsoft's own upgrader; its meaning is [UNCONFIRMED]. The module
    # never trusts an exit code alone: the state file must show the new version afterwards.
    209: (OK, 'completed (code treated as success by the vendor upgrader; meaning unconfirmed)', ''),
}

# reference §1.3 (CSPrime codes are normalised by the vendor to 0/97/98)
LINUX_CONFIGURATOR = {
    0: (OK, 'registration succeeded', ''),
    1: (FAILED, 'generic failure (passphrase file missing, or the agent is not installed)',
        'Check the agent is installed and the passphrase was given.'),
    13: (FAILED, 'the agent is registered to a different configuration server',
         'Unregister/uninstall the agent before pointing it at another configuration server.'),
    14: (FAILED, 'the configuration server is unreachable or the passphrase is wrong',
         'Check the passphrase (genpassphrase.exe -v on the configuration server) and that the host '
         'reaches the server on its port.'),
    96: (FAILED, 'invalid option or option value', 'Report this: the collection passed a bad flag.'),
    97: (FAILED, 'modernized registration failed (for example an invalid appliance config file)',
         'Regenerate config.json on the appliance for this machine; read /var/log/ua_install.log.'),
    98: (OK, 'registration succeeded with warnings', ''),
    115: (FAILED, 'the agent service could not be stopped', 'Check `systemctl status vxagent`.'),
}

# reference §1.4
LINUX_UNINSTALLER = {
    0: (OK, 'uninstall finished (verify /usr/local/.vx_version is gone)', ''),
    1: (FAILED, 'nothing installed, or another uninstall holds the lock',
        'Check /var/log/ua_uninstall.log; run again when no other run is active.'),
    2: (FAILED, 'the agent services could not be stopped', 'Stop vxagent and uarespawnd, then run again.'),
}

# reference §2.4 (UnifiedAgent.exe / UnifiedAgentInstaller.exe and UnifiedAgentConfigurator.exe
# share one code space): every value of the vendor's enum UASetupReturnValues
# (host/ASRSetup/SetupFramework/SetupHelper.cs:306-581 at commit 822a039e), plus 148, which the
# configurator passes through from AzureRcmCli.exe (UnifiedAgentConfigurator/CSRegistrationOperations.cs:233,
# RCMRegistrationOperations.cs:181). The silent installer never returns 1641/3010 itself (it runs the
# MSI with /norestart): "succeeded, reboot needed" is 98 or 97 plus a code in InstallerErrors.json,
# which plugin_utils/windows_agent.py reads; the rows below are what the code alone says.
_VSS = 'Often antivirus: add the exclusions, then run again.'
_RCM = 'Regenerate config.json on the appliance for this machine and check the host reaches the appliance.'
_WINDOWS_COMMON = {
    0: (OK, 'succeeded', ''),
    1: (FAILED, 'failed', _WIN_LOGS),
    2: (FAILED, 'invalid command line', 'Report this: the collection passed a bad argument.'),
    3: (FAILED, 'invalid command line arguments', 'Report this: the collection passed a bad argument.'),
    10: (FAILED, 'invalid install location', 'Give an install location on a local fixed disk.'),
    11: (FAILED, 'upgrade is not supported from the installed version',
         'Upgrade through an intermediate version, or uninstall first.'),
    13: (FAILED, 'the agent is registered to a different configuration server',
         'Unregister/uninstall the agent before pointing it at another configuration server.'),
    14: (FAILED, 'wrong passphrase or configuration server endpoint',
         'Check the passphrase and that the host reaches the configuration server.'),
    15: (FAILED, 'downgrade refused: the installed agent is newer', 'Use an installer at least as new as the installed agent.'),
    16: (FAILED, '.NET Framework is missing', 'Install .NET Framework 3.5 and 4.x.'),
    17: (FAILED, 'registration failed', r'Read C:\ProgramData\ASRSetupLogs\ASRUnifiedAgentConfigurator.log.'),
    18: (FAILED, 'VMware Tools are not available', 'Install VMware Tools in the guest, or give the right platform.'),
    19: (FAILED, 'invalid source config file', 'Regenerate config.json on the appliance for this machine.'),
    41: (FAILED, 'another instance of the installer is running', 'Wait for it to end, then run again.'),
    42: (FAILED, 'unsupported operating system', 'Check the OS against the support matrix.'),
    43: (FAILED, 'services could not be stopped', 'Stop the ASR services, then run again.'),
    44: (FAILED, 'services could not be started', 'Check the svagents and InMage Scout Application services.'),
    45: (FAILED, 'VSS provider installation failed', _VSS),
    47: (FAILED, 'the InDskFlt filter driver is not in the disk UpperFilters registry value', 'Reboot the host, then run again; ' + _WIN_LOGS),
    48: (FAILED, 'a service startup type could not be set', _WIN_LOGS),
    50: (FAILED, 'VSS provider installation failed: out of memory', 'Free memory on the host, then run again.'),
    51: (FAILED, 'VSS provider installation failed: the service database is locked', 'Run again when no other install runs.'),
    52: (FAILED, 'VSS provider installation failed: the service already exists', _VSS),
    53: (FAILED, 'VSS provider installation failed: the service is marked for deletion', 'Reboot the host, then run again.'),
    54: (FAILED, 'VSS provider installation failed: cscript access denied', _VSS),
    55: (FAILED, 'VSS provider installation failed: path not found', _WIN_LOGS),
    56: (FAILED, 'symbolic links could not be created', _WIN_LOGS),
    57: (FAILED, 'services could not be installed and configured', _WIN_LOGS),
    62: (FAILED, 'a restart is pending', 'Reboot the host, then run again.'),
    63: (FAILED, 'VSS prerequisite failure', _WIN_LOGS),
    64: (FAILED, 'boot drivers are missing', _WIN_LOGS),
    65: (FAILED, 'the machine is a configuration or process server', 'Do not install the agent on ASR servers.'),
    75: (FAILED, 'role change refused', 'Uninstall the agent before changing its role.'),
    76: (FAILED, 'platform change refused', 'Uninstall the agent before changing the platform.'),
    77: (FAILED, 'registering CDPCLI failed', _WIN_LOGS),
    78: (FAILED, 'invalid proxy details', 'Check the proxy settings given to the agent.'),
    79: (FAILED, 'configuring the proxy failed', _WIN_LOGS),
    90: (FAILED, 'out of memory', 'Free memory on the host, then run again.'),
    97: (FAILED, 'failed with errors', r'Read C:\ProgramData\ASRSetupLogs\InstallerErrors.json.'),
    98: (OK, 'succeeded with warnings', ''),
    99: (FAILED, 'prerequisites failed', r'Fix what C:\ProgramData\ASRSetupLogs\InstallerErrors.json lists.'),
    100: (FAILED, 'the appliance credentials file is missing', _RCM),
    101: (FAILED, 'the appliance credentials file is corrupt', _RCM),
    102: (FAILED, 'the appliance credentials file has expired', _RCM),
    103: (FAILED, 'the BIOS id of the machine could not be read', _WIN_LOGS),
    118: (FAILED, 'BIOS id mismatch (the machine is not the one the config file was made for)', _RCM),
    119: (FAILED, 'registration with the replication appliance (RCM) failed', 'Check the appliance config file and reachability.'),
    128: (FAILED, 'modernized (CSPrime) login failed', 'Regenerate config.json on the appliance for this machine.'),
    129: (FAILED, 'the appliance\'s RCM proxy is not registered with Azure', 'Check the replication appliance registration.'),
    130: (FAILED, 'generating the agent config input failed', _WIN_LOGS),
    131: (FAILED, 'unconfiguring the agent failed', _WIN_LOGS),
    132: (FAILED, 'diagnose-and-fix failed', _WIN_LOGS),
    148: (FAILED, 'AzureRcmCli.exe exited 148 (passed through by the configurator; not described in the vendor source)', _RCM),
    1641: (REBOOT, 'succeeded; a reboot is mandatory (the vendor program does not restart the host)',
           'Reboot the host before relying on the agent.'),
    3010: (REBOOT, 'succeeded; a reboot is recommended', 'Reboot the host in a maintenance window.'),
}
WINDOWS_INSTALLER = dict(_WINDOWS_COMMON)
WINDOWS_CONFIGURATOR = dict(_WINDOWS_COMMON)

# reference §2.5 plus msiexec's documented codes that an uninstall meets
MSIEXEC = {
    0: (OK, 'uninstall succeeded', ''),
    1605: (OK, 'the product is not installed (already absent)', ''),
    1603: (FAILED, 'fatal error during uninstall',
           r'Read C:\ProgramData\ASRSetupLogs\UnifiedAgentMSIUninstall.log.'),
    1618: (FAILED, 'another installation is in progress', 'Wait for it to end, then run again.'),
    1641: (REBOOT, 'uninstall succeeded; a reboot was started', 'Let the host finish rebooting.'),
    3010: (REBOOT, 'uninstall succeeded; a reboot is required to finish', 'Reboot the host.'),
}


def _rows(table):
    return dict((code, ExitCode(*row)) for code, row in table.items())


LINUX_INSTALLER = _rows(LINUX_INSTALLER)
LINUX_CONFIGURATOR = _rows(LINUX_CONFIGURATOR)
LINUX_UNINSTALLER = _rows(LINUX_UNINSTALLER)
WINDOWS_INSTALLER = _rows(WINDOWS_INSTALLER)
WINDOWS_CONFIGURATOR = _rows(WINDOWS_CONFIGURATOR)
MSIEXEC = _rows(MSIEXEC)

TABLES = {
    'linux_installer': LINUX_INSTALLER,
    'linux_configurator': LINUX_CONFIGURATOR,
    'linux_uninstaller': LINUX_UNINSTALLER,
    'windows_installer': WINDOWS_INSTALLER,
    'windows_configurator': WINDOWS_CONFIGURATOR,
    'msiexec': MSIEXEC,
}

PROGRAM_NAMES = {
    'linux_installer': 'install',
    'linux_configurator': 'UnifiedAgentConfigurator.sh',
    'linux_uninstaller': 'uninstall.sh',
    'windows_installer': 'UnifiedAgent installer',
    'windows_configurator': 'UnifiedAgentConfigurator.exe',
    'msiexec': 'msiexec',
}


def interpret(table, code):
    """Return a dict describing ``code`` of the program named by ``table``.

    Keys: ``code``, ``outcome``, ``ok`` (True for ok and reboot), ``reboot_required``, ``meaning``,
    ``action``, ``known`` (False for a code the table does not list; it is then a failure).
    Killed processes (negative codes, as subprocess reports signals) are failures too.
    """
    entries = TABLES[table] if not isinstance(table, dict) else table
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = None
    if code in entries:
        outcome, meaning, action = entries[code]
        known = True
    elif code is not None and code < 0:
        outcome, meaning, action = FAILED, 'killed by signal %d' % abs(code), 'Run again; check the host for OOM kills or operator action.'
        known = False
    else:
        outcome, meaning, action = FAILED, 'unknown exit code %s' % code, 'Read the vendor log tail below.'
        known = False
    return {
        'code': code,
        'outcome': outcome,
        'ok': outcome in (OK, REBOOT),
        'reboot_required': outcome == REBOOT,
        'meaning': meaning,
        'action': action,
        'known': known,
    }


def describe(table, code):
    """One line for an error message: ``install exited 14: <meaning>. <action>``."""
    info = interpret(table, code)
    text = '%s exited %s: %s.' % (PROGRAM_NAMES.get(table, table), info['code'], info['meaning'])
    if info['action']:
        text += ' ' + info['action']
    return text
