# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The agent's state on disk (reference §1.5) and in the Windows registry (§2.5), reduced to one
shape the planner reads:

``{'installed', 'version', 'build', 'version_tuple', 'control_plane', 'platform',
'configuration_status', 'registered', 'cs_address', 'cs_port', 'install_dir', 'os_built_for',
'healthy', 'reboot_required', 'host_id', 'cs_type', 'awaiting_registration', 'registration_evidence'}``

``control_plane`` is what the vendor will do with this agent, ``cs_type`` what ``drscout.conf``
says today (they differ on an agent installed or migrated for modernized that is not registered
yet: ``awaiting_registration``). ``registration_evidence`` names where ``registered`` was read:
``status`` (the ``AGENT_CONFIGURATION_STATUS`` line / registry value) or ``drscout.conf``.

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.installer import (
    DIGITS_RE, format_version, parse_version, version_from_build_tag)

CONTROL_PLANES = {'classic': 'CSLegacy', 'modernized': 'CSPrime'}
CS_TYPES = dict((v.lower(), k) for k, v in CONTROL_PLANES.items())

# The HostId the template drscout.conf ships with (VX/templates/drscout.conf:20); the configurator
# replaces it with a real one (UnifiedAgentConfigurator.sh:776-800, "null/default value" at :787).
TEMPLATE_HOST_ID = '1234_45466_67689'
# install_vx writes this data-protection program into drscout.conf for -c CSPrime, on a fresh
# install as on an upgrade or migration (VX/templates/install:214-218, edit_files), while CSType
# stays CSLegacy until the configurator's verify_client_auth (UnifiedAgentConfigurator.sh:1214).
MODERNIZED_DATA_PROTECTION = 'DataProtectionSyncRcm'


def parse_kv(text):
    """``KEY=VALUE`` lines (``.vx_version``) -> dict; blank lines, comments and junk are skipped."""
    values = {}
    for raw in (text or '').splitlines():
        line = raw.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        key = key.strip()
        if not key or ' ' in key:
            continue
        values[key] = value.strip().strip('"').strip("'")
    return values


def parse_ini(text):
    """``drscout.conf``: ``[section]`` + ``Key=Value`` -> {section: {key: value}} (keys as written)."""
    sections = {}
    current = sections.setdefault('', {})
    for raw in (text or '').splitlines():
        line = raw.strip()
        if not line or line[0] in '#;':
            continue
        if line.startswith('[') and line.endswith(']'):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        if '=' in line:
            key, value = line.split('=', 1)
            current[key.strip()] = value.strip()
    return sections


def control_plane_of(cs_type):
    """'CSLegacy' -> 'classic', 'CSPrime' -> 'modernized', anything else -> None."""
    if not hasattr(cs_type, 'strip'):  # a registry DWORD, None ... (str() would break unicode on Python 2)
        cs_type = str(cs_type or '')
    return CS_TYPES.get(cs_type.strip().lower())


def _absent():
    return {
        'installed': False, 'version': None, 'build': None, 'version_tuple': None,
        'control_plane': None, 'platform': None, 'configuration_status': None, 'registered': False,
        'cs_address': None, 'cs_port': None, 'install_dir': None, 'os_built_for': None,
        'healthy': True, 'reboot_required': None, 'host_id': None,
        'cs_type': None, 'awaiting_registration': False, 'registration_evidence': None,
    }


def real_host_id(host_id):
    """A HostId the configurator generated: not empty, not the template placeholder."""
    host_id = (host_id or '').strip()
    return bool(host_id) and host_id != TEMPLATE_HOST_ID


def _linux_plane(agent, drscout_present):
    """(control plane the vendor will use, CSType as written, awaiting modernized registration)."""
    if not drscout_present:
        return None, None, False
    written = (agent.get('CSType') or '').strip() or None
    # The installer reads a missing or odd CSType as CSLegacy (unifiedagent/templates/install:1694-1697).
    current = control_plane_of(written) or 'classic'
    if current == 'modernized':
        return current, written, False
    migrating = (agent.get('PlatformChangeToCSPrime') or '').strip().lower() == 'true'  # install:1713
    data_protection = (agent.get('DataProtectionExePathname') or '').strip()
    for_modernized = data_protection.endswith('/' + MODERNIZED_DATA_PROTECTION) or data_protection == MODERNIZED_DATA_PROTECTION
    if migrating or for_modernized:
        return 'modernized', written, True
    return current, written, False


def linux_state(vx_version_text, drscout_text=None):
    """``/usr/local/.vx_version`` text (None when the file is absent) + ``drscout.conf`` text."""
    if vx_version_text is None:
        return _absent()
    vx = parse_kv(vx_version_text)
    conf = parse_ini(drscout_text)
    agent = conf.get('vxagent', {})
    transport = conf.get('vxagent.transport', {})
    state = _absent()
    state['installed'] = True
    try:
        version = version_from_build_tag(vx.get('VERSION', ''), vx.get('BUILD_TAG'))
        state['version_tuple'] = version
        state['version'] = format_version(version)
        state['build'] = version[2] or None
    except ValueError:
        state['healthy'] = False
    state['platform'] = agent.get('VmPlatform') or None
    state['host_id'] = agent.get('HostId') or None
    state['cs_address'] = transport.get('Hostname') or None
    port = transport.get('Port')
    state['cs_port'] = int(port) if port and DIGITS_RE.match(port) else None
    plane, written, awaiting = _linux_plane(agent, drscout_text is not None)
    state['control_plane'], state['cs_type'], state['awaiting_registration'] = plane, written, awaiting
    status = vx.get('AGENT_CONFIGURATION_STATUS') or None
    state['configuration_status'] = status
    if awaiting:
        # Installed or migrated for modernized, the configurator has not run yet: whatever the
        # status line says, it speaks of the classic registration that is being left.
        state['registered'] = False
        state['registration_evidence'] = 'drscout.conf'
    elif status or drscout_text is None:
        state['registered'] = (status or '').lower() == 'succeeded'
        state['registration_evidence'] = 'status' if status else None
    else:
        # No status line: every install/upgrade rebuilds .vx_version without it (create_metadata,
        # VX/templates/install:307-343) while preserve_config keeps drscout.conf, and a configurator
        # run deletes it before contacting the CS (UnifiedAgentConfigurator.sh:1834). drscout.conf
        # then holds the registration: modernized = CSType=CSPrime (written by verify_client_auth
        # only after the appliance accepted the client, :1212-1215); classic = the CS address and
        # port (:844) and a generated HostId (:798).
        host_ok = real_host_id(agent.get('HostId'))
        if plane == 'modernized':
            state['registered'] = host_ok
        else:
            state['registered'] = bool(host_ok and state['cs_address'] and state['cs_port'])
        state['registration_evidence'] = 'drscout.conf'
    state['install_dir'] = vx.get('INSTALLATION_DIR') or None
    state['os_built_for'] = vx.get('OS_BUILT_FOR') or None
    return state


# drscout.conf's Hostname when the agent points at no configuration server
# (host/ASRSetup/UnifiedAgentConfigurator/CSRegistrationOperations.cs:903 at commit 822a039e).
_NO_CS = ('', '0.0.0.0')


def windows_state(uninstall_key_exists, values, drscout_text=None, products=None):
    """Registry evidence plus the agent's ``drscout.conf`` (reference §2.5):

    * does the MSI uninstall key exist;
    * ``values``: what the installer writes under ``HKLM\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed
      Products\\5`` (``Version``, ``Build_Number``, ``InstallDirectory``, ``PostInstallActions``,
      ``AgentConfigurationStatus``, ``Reboot_Required``; dict, may be empty);
    * ``drscout_text``: ``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (None when unreadable),
      where the control plane (``CSType``), platform (``VmPlatform``), ``HostId`` and the configuration
      server (``Hostname``, ``Port``) are; the registry has none of them;
    * ``products``: the values of the parent key ``...\\Installed Products``, where the MSI writes
      ``Platform`` (UnifiedAgentMSI/Product.wxs:893-897).

    The platform the agent is installed for is read in the vendor installer's order
    (UnifiedAgentInstaller/InstallationOperations.cs:169-174): drscout.conf's ``VmPlatform``, else the
    registry ``Platform`` (SetupHelper.GetAgentInstalledPlatform, SetupHelper.cs:990-1011); None when
    neither says (the vendor would then assume VmWare; this collection does not guess).

    A missing ``CSType`` (or a missing file) means CSLegacy, as the vendor's own
    ``SetupHelper.GetCSTypeFromDrScout`` decides (SetupFramework/SetupHelper.cs:3429-3479).
    ``Reboot_Required`` ("Yes"/"No") only reflects a desktop-heap tweak and is not a reboot
    signal, so ``reboot_required`` stays None here: reboots come from the installer's exit code and
    ``InstallerErrors.json``."""
    if not uninstall_key_exists:
        return _absent()
    values = values or {}
    state = _absent()
    state['installed'] = True
    raw = str(values.get('Version') or values.get('Product_Version') or '')
    try:
        version = parse_version(raw)
        build = values.get('Build_Number')
        if build is not None and DIGITS_RE.match(str(build)) and version[2] == 0:
            version = (version[0], version[1], int(build), version[3])
        state['version_tuple'] = version
        state['version'] = format_version(version)
        state['build'] = version[2] or None
    except ValueError:
        pass
    post = str(values.get('PostInstallActions') or '')
    state['healthy'] = post.lower() == 'succeeded' and state['version'] is not None
    status = values.get('AgentConfigurationStatus') or None
    state['configuration_status'] = status
    state['registered'] = str(status or '').lower() == 'succeeded'
    state['registration_evidence'] = 'status' if status else None
    state['install_dir'] = values.get('InstallDirectory') or None
    state['os_built_for'] = 'Windows'
    conf = parse_ini(drscout_text)
    agent = conf.get('vxagent', {})
    transport = conf.get('vxagent.transport', {})
    state['control_plane'] = control_plane_of(agent.get('CSType')) or 'classic'
    registry_platform = str((products or {}).get('Platform') or '').strip()
    state['platform'] = (agent.get('VmPlatform') or '').strip() or registry_platform or None
    state['host_id'] = agent.get('HostId') or None
    hostname = (transport.get('Hostname') or agent.get('Hostname') or '').strip()
    state['cs_address'] = None if hostname in _NO_CS else hostname
    port = transport.get('Port') or agent.get('Port')
    state['cs_port'] = int(port) if port and DIGITS_RE.match(port) else None
    cs_type = (agent.get('CSType') or '').strip()
    state['cs_type'] = cs_type or None
    return state
