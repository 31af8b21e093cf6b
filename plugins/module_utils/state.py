# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The agent's state on disk (reference §1.5) and in the Windows registry (§2.5), reduced to one
shape the planner reads:

``{'installed', 'version', 'build', 'version_tuple', 'control_plane', 'platform',
'configuration_status', 'registered', 'cs_address', 'cs_port', 'install_dir', 'os_built_for',
'healthy', 'reboot_required', 'host_id'}``

Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.asr.mobility.plugins.module_utils.installer import (
    DIGITS_RE, format_version, parse_version, version_from_build_tag)

CONTROL_PLANES = {'classic': 'CSLegacy', 'modernized': 'CSPrime'}
CS_TYPES = dict((v.lower(), k) for k, v in CONTROL_PLANES.items())


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
    }


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
    status = vx.get('AGENT_CONFIGURATION_STATUS') or None
    state['configuration_status'] = status
    state['registered'] = (status or '').lower() == 'succeeded'
    state['control_plane'] = control_plane_of(agent.get('CSType'))
    state['platform'] = agent.get('VmPlatform') or None
    state['host_id'] = agent.get('HostId') or None
    state['cs_address'] = transport.get('Hostname') or None
    port = transport.get('Port')
    state['cs_port'] = int(port) if port and DIGITS_RE.match(port) else None
    state['install_dir'] = vx.get('INSTALLATION_DIR') or None
    state['os_built_for'] = vx.get('OS_BUILT_FOR') or None
    return state


# drscout.conf's Hostname when the agent points at no configuration server
# (host/ASRSetup/UnifiedAgentConfigurator/CSRegistrationOperations.cs:903 at commit 822a039e).
_NO_CS = ('', '0.0.0.0')


def windows_state(uninstall_key_exists, values, drscout_text=None):
    """Registry evidence plus the agent's ``drscout.conf`` (reference §2.5):

    * does the MSI uninstall key exist;
    * ``values``: what the installer writes under ``HKLM\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed
      Products\\5`` (``Version``, ``Build_Number``, ``InstallDirectory``, ``PostInstallActions``,
      ``AgentConfigurationStatus``, ``Reboot_Required``; dict, may be empty);
    * ``drscout_text``: ``<InstallDirectory>\\Application Data\\etc\\drscout.conf`` (None when unreadable),
      where the control plane (``CSType``), platform (``VmPlatform``), ``HostId`` and the configuration
      server (``Hostname``, ``Port``) are; the registry has none of them.

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
    state['install_dir'] = values.get('InstallDirectory') or None
    state['os_built_for'] = 'Windows'
    conf = parse_ini(drscout_text)
    agent = conf.get('vxagent', {})
    transport = conf.get('vxagent.transport', {})
    state['control_plane'] = control_plane_of(agent.get('CSType')) or 'classic'
    state['platform'] = agent.get('VmPlatform') or None
    state['host_id'] = agent.get('HostId') or None
    hostname = (transport.get('Hostname') or agent.get('Hostname') or '').strip()
    state['cs_address'] = None if hostname in _NO_CS else hostname
    port = transport.get('Port') or agent.get('Port')
    state['cs_port'] = int(port) if port and DIGITS_RE.match(port) else None
    return state
