# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State files as Microsoft's real Linux scripts leave them (reference §1.2-1.5, [R2]); each names
the script lines that write it. Shared by test_state.py and test_planner.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# .vx_version as create_metadata (VX/templates/install:307-343) rebuilds it on every install and
# upgrade: the package's file + INSTALLATION_TIMESTAMP + VM_PLATFORM, no AGENT_CONFIGURATION_STATUS.
VX_AFTER_UPGRADE = """VERSION=9.66.0.0
PROD_VERSION=9.66.0.0
PARTNER=InMage
INSTALLATION_DIR=/usr/local/ASR/Vx
BUILD_TAG=RELEASE_9.66.0.0_GA_7567_Sep_20_2025_INMAGE
OS_BUILT_FOR=DEBIAN12-64
INSTALLATION_TIMESTAMP=20_Sep_2025_10_00_00
VM_PLATFORM=VmWare
"""
# The template drscout.conf (VX/templates/drscout.conf:18-21,189-194), as a fresh install leaves it
# (edit_files, VX/templates/install:160-218, sets VmPlatform and the data-protection path only).
DRSCOUT_FRESH_CLASSIC = """[vxagent]
VmPlatform=VmWare
HostId = 1234_45466_67689
CSType=CSLegacy
DataProtectionExePathname=/usr/local/ASR/Vx/bin/dataprotection
Role=Agent
[vxagent.transport]
Hostname =
Port = 80
"""
DRSCOUT_FRESH_MODERNIZED = DRSCOUT_FRESH_CLASSIC.replace('bin/dataprotection', 'bin/DataProtectionSyncRcm')
# After a classic registration (UnifiedAgentConfigurator.sh:798 HostId, :844 Hostname/Port, :1243 CSType).
DRSCOUT_CLASSIC_REGISTERED = """[vxagent]
VmPlatform=VmWare
HostId=6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d
CSType=CSLegacy
DataProtectionExePathname=/usr/local/ASR/Vx/bin/dataprotection
Role=Agent
[vxagent.transport]
Hostname = 10.0.0.5
Port = 443
"""
# After a modernized registration: verify_client_auth wrote CSType=CSPrime (:1214), Hostname is
# written empty (no -i) and Port 443 (:844).
DRSCOUT_MODERNIZED_REGISTERED = """[vxagent]
VmPlatform=VmWare
PlatformChangeToCSPrime=false
HostId=6d2a5c3e-4b1f-4a8e-9c7d-0e1f2a3b4c5d
CSType=CSPrime
DataProtectionExePathname=/usr/local/ASR/Vx/bin/DataProtectionSyncRcm
Role=Agent
[vxagent.transport]
Hostname =
Port = 443
"""
# Classic -> modernized migration done by the installer (unifiedagent/templates/install:1713), not
# yet registered: CSType stays CSLegacy, the classic CS is still in Hostname.
DRSCOUT_MIGRATED = DRSCOUT_CLASSIC_REGISTERED.replace(
    'VmPlatform=VmWare\n', 'VmPlatform=VmWare\nPlatformChangeToCSPrime=true\n').replace(
    'bin/dataprotection', 'bin/DataProtectionSyncRcm')
