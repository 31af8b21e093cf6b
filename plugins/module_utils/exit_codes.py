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

# One row of a table: ``row.outcome``, ``row.meaning``, ``row.action`` and ``row.source`` (the vendor
# script file:line the row follows, or the reference section).
ExitCode = namedtuple('ExitCode', ['outcome', 'meaning', 'action', 'source'])

OK = 'ok'
REBOOT = 'reboot'
FAILED = 'failed'

_LINUX_LOGS = 'Read /var/log/ua_install.log and /var/log/InstallerErrors.json on the host.'
_WIN_LOGS = r'Read C:\ProgramData\ASRSetupLogs\ASRUnifiedAgentInstaller.log and InstallerErrors.json.'
_CONF_LOGS = 'Read /var/log/ua_install.log (the configurator logs there) and /var/log/InstallerErrors.json on the host.'

# [R2] Every code Microsoft's published Linux installer can exit with: unifiedagent/templates/install
# ("UA") and the install_vx it runs, whose code it passes through (UA:1272-1278, UA:1489-1497;
# install_vx = VX/templates/install, "VX"). Meanings are the scripts' own log/RecordOP text.
_UA = 'unifiedagent/templates/install'
_VX = 'VX/templates/install'
_PRE = 'unifiedagent/templates/prereq_check_install.sh'
LINUX_INSTALLER = {
    0: (OK, 'installation succeeded; a bad option, a bad -a or a bad -c value also exits 0 after printing '
            'usage (usage() ends in exit 0, so its "&& exit 96" never runs)', '',
        _UA + ':1534 (usage exit 0), :1566-1584, :1275-1278'),
    1: (FAILED, 'generic failure: another installer holds the lock .install.lck (or a stale lock from a killed run: '
                '"Lock file is in an inconsistent state"), the errors file (-e) is not an absolute path, '
                'libcommon.sh is missing, or an internal error while validating product prerequisites',
        'Wait for the other installer run to end; after a killed run re-extract the package (the stale lock stays '
        'in the extracted directory). ' + _LINUX_LOGS,
        _UA + ':805-851 (check_instance), :1613-1617, :1627-1631, :767-770, :1805 (signal trap)'),
    2: (FAILED, 'the agent services could not be stopped ("systemctl stop svagent" left the service active)',
        'Stop vxagent/svagent by hand, then run again. ' + _LINUX_LOGS, _UA + ':295-300, ' + _VX + ':1684-1687'),
    11: (FAILED, 'upgrade is not supported from the installed version ("Upgrade not supported from installed '
                 'version": 9.5.x, or a VmWare agent on an Azure VM moving to 9.20+)',
         'Uninstall the agent, then install the new version.', _UA + ':1405-1407, :1452-1456 (UPGRADENOTSUPPORTED=11 at :68)'),
    15: (FAILED, 'downgrade refused: the installed agent is newer than the package (classic; "Downgrade is not '
                 'supported")', 'Use an installer at least as new as the installed agent.',
         _UA + ':1430-1433, :1458-1461'),
    44: (FAILED, 'the vxagent service failed to start ("Couldn\'t start VX agent service")',
         'Check `systemctl status vxagent` and ' + _LINUX_LOGS, _VX + ':1736-1741'),
    56: (FAILED, 'failed to create the soft links for s2 and svagents', _LINUX_LOGS, _VX + ':444-448'),
    76: (FAILED, 'platform change from Azure to VmWare refused ("Platform change is not allowed during upgrade")',
         'Uninstall the agent before changing the platform.', _UA + ':644-648'),
    93: (FAILED, 'Third-Party_Notices.txt is missing from the package', 'Obtain an intact installer package.',
         _UA + ':906-910'),
    95: (FAILED, 'the rpm command is missing (RHEL, SLES, OL)', 'Install rpm on the host.', _UA + ':918-922'),
    96: (FAILED, 'the platform (-v) is not VmWare or Azure ("Platform can have the values either VmWare|Azure '
                 'only"; fresh installs only). Unknown options, a bad -a or -c print usage and exit 0 instead',
         'Report this: the collection passed a bad platform.', _UA + ':1003-1007 (validate_silent_options)'),
    97: (FAILED, 'failed with errors (see InstallerErrors.json): the control plane (-c) differs from the installed '
                 'CSType, downgrade of a modernized agent, less than 250 MB free for the install directory, services '
                 'could not be stopped for the upgrade, corrupted /usr/local/.vx_version, inconsistent RPM database, '
                 'installation type missing, or an incompatible agent could not be uninstalled. (-a Upgrade with '
                 'nothing installed does NOT exit 97: the check compares the role with Agent while it is still MS, '
                 'so a fresh install runs)',
         'Read /var/log/InstallerErrors.json on the host.',
         _UA + ':1715-1718, :1424-1429, :708-712, :273-277, :1398-1402, :949-953, :1633-1638, :1669-1673; '
               ':1729-1733 (role Agent only)'),
    98: (REBOOT, 'upgrade succeeded but requires a restart ("Reboot the server during your next maintenance '
                 'window"; also every re-run at the same version and the classic -> modernized migration). '
                 'Also: the role (-r) is missing or not MS|MT on a fresh install (validate the role first)',
         'Reboot the host in a maintenance window.', _UA + ':1500-1506; :1017-1021, :1028-1030 (role)'),
    99: (FAILED, 'one or more product prerequisites are not met (prereq_check_install.sh, reasons in '
                 'InstallerErrors.json), including an unsupported kernel on a fresh install',
         'Fix what /var/log/InstallerErrors.json lists, then run again.', _UA + ':750-760, ' + _PRE),
    110: (FAILED, 'certificate generation failed (gencert)', _LINUX_LOGS, _UA + ':486'),
    111: (FAILED, 'an LVM service (lvm2-lvmetad / lvm2-monitor) stayed running and could not be disabled '
                  '(master target only)', _LINUX_LOGS, _UA + ':514-556'),
    115: (FAILED, 'the Vx agent service could not be stopped ("Please re-try after sometime")',
          'Stop vxagent, then run again.', _VX + ':1694-1700'),
    119: (FAILED, 'the installer was not run as root', 'Run with become: true.', _UA + ':883-887'),
    149: (FAILED, 'the package was not built for this OS ("Agent you are trying to install/upgrade is not built '
                  'for <OS>")', 'Use the installer whose token matches the host (see os_token).', _UA + ':895-899'),
    152: (FAILED, 'failed to create the /usr/local/InMage/config directory (installation rolled back)', _LINUX_LOGS,
          _VX + ':175-179'),
    153: (FAILED, 'failed to copy RCMInfo.conf to /usr/local/InMage/config (installation rolled back)', _LINUX_LOGS,
          _VX + ':186-192'),
    156: (FAILED, 'the install directory is not an absolute path', 'Give an absolute install_dir.', _UA + ':694-698'),
    159: (FAILED, 'the payload (tar or RPM) installation failed', _LINUX_LOGS, _VX + ':455-459, :481-485, :542-546'),
    160: (FAILED, 'failed to enable involflt_start.service (installation rolled back)', _LINUX_LOGS,
          _VX + ':1837-1841'),
    161: (FAILED, 'failed to enable involflt_stop.service (installation rolled back)', _LINUX_LOGS,
          _VX + ':1855-1859'),
    162: (FAILED, 'failed to back up the existing initrd images', _LINUX_LOGS, _VX + ':2015-2027'),
    163: (FAILED, 'failed to restore the initrd images', 'Contact support before rebooting. ' + _LINUX_LOGS,
          _VX + ':2083-2088'),
    164: (FAILED, 'failed to generate the initrd images', _LINUX_LOGS, _VX + ':2047-2051, :2090-2097'),
    166: (FAILED, 'the virtual snapshot driver (linvsnap) is in use and cannot be unloaded for the upgrade',
          'Reboot the host, then upgrade again.', _VX + ':2240-2247'),
    167: (FAILED, 'the virtual snapshot driver (linvsnap) could not be unloaded for the upgrade',
          'Reboot the host, then upgrade again.', _VX + ':2249-2256'),
    175: (FAILED, 'master target prerequisites not met (ApplyCustomChanges.sh not run, or Ubuntu 16.04 without the '
                  '4.15 HWE kernel)', _LINUX_LOGS, _UA + ':596-602, :659-663'),
    179: (FAILED, 'master target cannot be installed on this OS, or install_vx was invoked with invalid options',
          _LINUX_LOGS, _UA + ':581-585, ' + _VX + ':2388-2395'),
    180: (FAILED, 'failed to create the cache directory (installation rolled back)', _LINUX_LOGS, _VX + ':1648-1653'),
    208: (FAILED, 'the running kernel is not supported by this agent version ("Mobility Service does not support the '
                  'OS kernel": no driver or /lib/modules directory for it); returned by install_vx, i.e. on an '
                  'upgrade (a fresh install fails earlier with 99)',
          'Boot a kernel the agent supports, or install the kernel-module hotfix for this agent version '
          '(Azure/Azure-SiteRecovery KernelModuleDownloadLinks.md), then run again.',
          _VX + ':1041-1044, :1289-1292, :1325-1327, :1582-1584'),
    # No published script returns 209; Microsoft's own upgrader accepts it next to 0 and 98. The
    # collection never trusts an exit code alone: the state file must show the new version.
    209: (OK, 'not returned by any published Linux script; Microsoft\'s upgrader treats it as success (meaning '
              'undocumented)', '', _UA.replace('install', 'AgentUpgrade.sh') + ':84-85'),
}

# [R2] UnifiedAgentConfigurator.sh ("CONF"), classic (-c CSLegacy): codes pass through exit_with_retcode
# (CONF:142-156) unchanged.
_CONF = 'VX/templates/UnifiedAgentConfigurator.sh'
LINUX_CONFIGURATOR = {
    0: (OK, 'registration succeeded (also: a bad option prints usage and exits 0, usage() ends in exit 0)', '',
        _CONF + ':1889-1892; :1650 (usage)'),
    1: (FAILED, 'generic failure: the passphrase file does not exist, the agent is not installed, VmPlatform in '
                'drscout.conf is not VmWare/Azure, libcommon.sh missing, or the run was interrupted',
        'Check the agent is installed and the passphrase file was written. ' + _CONF_LOGS,
        _CONF + ':1764-1769, :1902-1905, :1806-1811, :1719-1723, :1910 (signal trap)'),
    2: (FAILED, 'the Vx agent service could not be stopped (stop script)', 'Stop vxagent, then run again.',
        _CONF + ':252-257'),
    3: (FAILED, 'invalid external IP address (-e)', 'Report this: the collection passed a bad option.',
        _CONF + ':1404-1418, :1749-1759'),
    13: (FAILED, 'the agent is already registered to a different configuration server: drscout.conf\'s Hostname '
                 'or Port differs from -i/-p (the port counts)',
         'Set cs_address/cs_port to the registered server, or unregister/uninstall the agent before pointing it '
         'at another configuration server.', _CONF + ':1816-1830'),
    14: (FAILED, 'the configuration server is unreachable or the passphrase is wrong ("Either wrong '
                 'FQDN/IP/Passphrase has been provided", 4 tries 30 s apart). The status line was deleted and '
                 'vxagent stopped before the attempt, and both stay so',
         'Check the passphrase (genpassphrase.exe -v on the configuration server) and that the host reaches the '
         'server on its port; start vxagent again if it was running.',
         _CONF + ':1144-1185, :1833-1837 (status deleted, vxagent stopped first)'),
    17: (FAILED, 'agent registration failed (cdpcli --registerhost, 3 tries): AGENT_CONFIGURATION_STATUS=Failed, '
                 'Hostname cleared', _CONF_LOGS + ' Also /var/log/cdpcli.log.', _CONF + ':872-923'),
    44: (FAILED, 'vxagent failed to start after registration (AGENT_CONFIGURATION_STATUS=Succeeded already '
                 'written)', 'Check `systemctl status vxagent`, then start it.', _CONF + ':318-328, :1889'),
    97: (FAILED, 'VmPlatform is not set in drscout.conf (ASRMobilityServiceVMPlatformNotSet: "Unable to read the '
                 'configuration of the source machine")', 'Reinstall the agent with the platform set. ' + _CONF_LOGS,
         _CONF + ':1772-1776, :1789-1793'),
    # Not produced on the classic path; kept here, as a failure, so that a caller that does not pick
    # the modernized table (configurator_table) still never reads the modernized 98 as success.
    98: (FAILED, 'modernized only: the appliance did not accept the client (AzureRcmCli --verifyclientauth '
                 'failed): nothing registered, no status written, vxagent stopped',
         'Check that the host reaches the appliance and that config.json was generated for this machine.',
         _CONF + ':1190-1223, :1878, :416-430'),
    115: (FAILED, 'the agent service could not be stopped ("Could not stop Vx agent service")',
          'Check `systemctl status vxagent`.', _CONF + ':262-271, :1837'),
    118: (FAILED, 'BIOS ID mismatch in the RCM credentials (platform Azure registration)', _CONF_LOGS,
          _CONF + ':688-694'),
}

# [R2] Modernized (-c CSPrime): process_configurator_exit_code (CONF:114-140) turns every code other
# than 0/97/98 into 97. 98 is NOT success here: AzureRcmCli --verifyclientauth returning 1 becomes
# 98 (process_azurercmcli_exitcode, CONF:416-430) and the run stops with nothing registered, no
# status written and the services stopped (CONF:1190-1223, :1878).
LINUX_CONFIGURATOR_MODERNIZED = {
    0: (OK, 'registration succeeded (also: a bad option prints usage and exits 0)', '',
        _CONF + ':1889-1892; :1650 (usage)'),
    1: (FAILED, 'interrupted (signal), or the platform Azure registration path failed before normalisation',
        _CONF_LOGS, _CONF + ':1910, :1869-1870'),
    97: (FAILED, 'modernized registration failed with errors (every failure is normalised to 97: agent not '
                 'installed, config file missing or invalid, appliance unreachable, registration refused)',
         'Regenerate config.json on the appliance for this machine; ' + _CONF_LOGS,
         _CONF + ':114-140, :1839-1845, :416-430'),
    98: (FAILED, 'the appliance did not accept the client (AzureRcmCli --verifyclientauth failed, 4 tries 30 s '
                 'apart): nothing registered, no status written, vxagent stopped',
         'Check that the host reaches the appliance and that config.json was generated for this machine; '
         'start vxagent again if it was running.', _CONF + ':1190-1223, :1878, :416-430'),
    118: (FAILED, 'BIOS ID mismatch in the RCM credentials (platform Azure registration)', _CONF_LOGS,
          _CONF + ':688-694, :1869'),
}

# [R2] unifiedagent/templates/uninstall.sh: 0 even when the inner uninstall failed; it deletes itself
# (:334), so a retry needs the package's uninstall.sh or <root>/Vx/bin/uninstall.
_UNI = 'unifiedagent/templates/uninstall.sh'
LINUX_UNINSTALLER = {
    0: (OK, 'uninstall finished (also when the inner uninstall failed: verify /usr/local/.vx_version is gone)', '',
        _UNI + ':328-338'),
    1: (FAILED, 'nothing installed, another uninstall holds the lock, bad option/usage, or the answer was not Y',
        'Check /var/log/ua_uninstall.log; run again when no other run is active.',
        _UNI + ':299-304, :179-210, :74-78, :262'),
    2: (FAILED, 'the agent services could not be stopped ("Could not stop Vx agent service")',
        'Stop vxagent and uarespawnd, then run again.', _UNI + ':106-113, :310-324'),
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


def _rows(table, source=''):
    """Rows of 3 (Windows: the source is the reference section) or 4 values -> ExitCode."""
    return dict((code, ExitCode(*(tuple(row) + (source,) * (4 - len(row))))) for code, row in table.items())


LINUX_INSTALLER = _rows(LINUX_INSTALLER)
LINUX_CONFIGURATOR = _rows(LINUX_CONFIGURATOR)
LINUX_CONFIGURATOR_MODERNIZED = _rows(LINUX_CONFIGURATOR_MODERNIZED)
LINUX_UNINSTALLER = _rows(LINUX_UNINSTALLER)
WINDOWS_INSTALLER = _rows(WINDOWS_INSTALLER, 'reference §2.4')
WINDOWS_CONFIGURATOR = _rows(WINDOWS_CONFIGURATOR, 'reference §2.4')
MSIEXEC = _rows(MSIEXEC, 'reference §2.5')

TABLES = {
    'linux_installer': LINUX_INSTALLER,
    'linux_configurator': LINUX_CONFIGURATOR,
    'linux_configurator_modernized': LINUX_CONFIGURATOR_MODERNIZED,
    'linux_uninstaller': LINUX_UNINSTALLER,
    'windows_installer': WINDOWS_INSTALLER,
    'windows_configurator': WINDOWS_CONFIGURATOR,
    'msiexec': MSIEXEC,
}

PROGRAM_NAMES = {
    'linux_installer': 'install',
    'linux_configurator': 'UnifiedAgentConfigurator.sh',
    'linux_configurator_modernized': 'UnifiedAgentConfigurator.sh (CSPrime)',
    'linux_uninstaller': 'uninstall.sh',
    'windows_installer': 'UnifiedAgent installer',
    'windows_configurator': 'UnifiedAgentConfigurator.exe',
    'msiexec': 'msiexec',
}


# Which configurator table applies: the vendor normalises modernized codes (see above).
CONFIGURATOR_TABLES = {'classic': 'linux_configurator', 'modernized': 'linux_configurator_modernized'}


def configurator_table(control_plane):
    """Name of the Linux configurator table for ``classic`` or ``modernized``."""
    return CONFIGURATOR_TABLES[control_plane]


def interpret(table, code):
    """Return a dict describing ``code`` of the program named by ``table``.

    Keys: ``code``, ``outcome``, ``ok`` (True for ok and reboot), ``reboot_required``, ``meaning``,
    ``action``, ``source`` (vendor script:line), ``known`` (False for a code the table does not list;
    it is then a failure).
    Killed processes (negative codes, as subprocess reports signals) are failures too.
    """
    entries = TABLES[table] if not isinstance(table, dict) else table
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = None
    if code in entries:
        outcome, meaning, action, source = entries[code]
        known = True
    elif code is not None and code < 0:
        outcome, meaning, action = FAILED, 'killed by signal %d' % abs(code), 'Run again; check the host for OOM kills or operator action.'
        known, source = False, ''
    else:
        outcome, meaning, action = FAILED, 'unknown exit code %s' % code, 'Read the vendor log tail below.'
        known, source = False, ''
    return {
        'code': code,
        'outcome': outcome,
        'ok': outcome in (OK, REBOOT),
        'reboot_required': outcome == REBOOT,
        'meaning': meaning,
        'action': action,
        'source': source,
        'known': known,
    }


def describe(table, code):
    """One line for an error message: ``install exited 14: <meaning>. <action>``."""
    info = interpret(table, code)
    text = '%s exited %s: %s.' % (PROGRAM_NAMES.get(table, table), info['code'], info['meaning'])
    if info['action']:
        text += ' ' + info['action']
    return text
