# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A synthetic fleet: what the collect step registers for each kind of host."""

from __future__ import annotations

import base64

UNINSTALL = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{275197FC-14FD-4560-A5EB-38217F80CBD1}"
UNINSTALL32 = ("HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
               "{275197FC-14FD-4560-A5EB-38217F80CBD1}")
PRODUCT = "HKLM:\\SOFTWARE\\Wow6432Node\\InMage Systems\\Installed Products\\5"

LINUX_FACTS = {"mobility_report_facts": {"ansible_facts": {"ansible_os_family": "Debian"}, "changed": False},
               "ansible_facts": {"os_family": "Debian"}}


def linux(version=None, plane="classic", registered=True, token="DEBIAN12-64", dist=("Debian", "12.7"),
          unsupported=None):
    info = {
        "changed": False, "installed": version is not None, "version": version, "build": None,
        "control_plane": plane if version else None, "platform": "VmWare" if version else None,
        "configuration_status": ("Succeeded" if registered else "Failed") if version else None,
        "registered": bool(version and registered), "cs_address": "10.89.77.2" if version else None,
        "install_dir": "/usr/local/ASR/Vx" if version else None,
        "services": {"vxagent": "active", "uarespawnd": "active", "svagents": "running"} if version else {},
        "reboot_required": None, "os_token": None if unsupported else token, "os_token_confirmed": True,
        "unsupported_reason": unsupported, "distribution": dist[0], "distribution_version": dist[1],
    }
    return dict(LINUX_FACTS, mobility_report_agent=info)


INSTALL_DIR = "C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent"
DRSCOUT = INSTALL_DIR + "\\Application Data\\etc\\drscout.conf"


def drscout_slurp(cs_type="CSLegacy", hostname="10.89.77.5", port="443"):
    """What ``ansible.windows.slurp`` of the agent's drscout.conf registers (reference §2.5 [R2]:
    the control plane and the configuration server are there, not in the registry)."""
    text = "[vxagent]\r\nCSType=%s\r\nVmPlatform=VmWare\r\n\r\n[vxagent.transport]\r\nHostname=%s\r\nPort=%s\r\n" % (
        cs_type, hostname, port)
    return {"changed": False, "content": base64.b64encode(text.encode("utf-8")).decode("ascii"),
            "encoding": "base64", "source": DRSCOUT}


def windows(version=None, registered=True, reboot=False, dist="Microsoft Windows Server 2019 Datacenter",
            dist_version="10.0.17763.0", drscout=None):
    facts = {"ansible_os_family": "Windows", "ansible_distribution": dist,
             "ansible_distribution_version": dist_version, "ansible_architecture2": "x86_64"}
    results = [{"item": UNINSTALL, "exists": version is not None, "changed": False,
                "properties": {"DisplayVersion": {"value": version}} if version else {}},
               {"item": UNINSTALL32, "exists": False, "changed": False},
               {"item": PRODUCT, "exists": version is not None, "changed": False,
                "properties": {"Version": {"value": version}, "PostInstallActions": {"value": "Succeeded"},
                               "AgentConfigurationStatus": {"value": "Succeeded" if registered else "Failed"},
                               "Reboot_Required": {"value": "1" if reboot else "0"},
                               "InstallDirectory": {"value": INSTALL_DIR},
                               "CSType": {"value": "CSPrime"}} if version else {}}]
    hv = {"mobility_report_facts": {"ansible_facts": facts, "changed": False},
          "ansible_facts": {"os_family": "Windows", "distribution": dist, "distribution_version": dist_version},
          "mobility_report_registry": {"results": results, "changed": False}}
    if drscout is not None:
        hv["mobility_report_drscout"] = drscout
    return hv


UNREACHABLE = {"mobility_report_facts": {"unreachable": True, "changed": False,
                                         "msg": "Failed to connect to the host via ssh: <timeout> & 'refused'"}}
FACTS_FAILED = {"mobility_report_facts": {"ansible_facts": {}, "failed": False, "failed_when_result": False,
                                          "msg": "The module interpreter '/nonexistent/python' was not found."}}


def fleet():
    """hostvars-like dict: 9 hosts of every kind."""
    return {
        "deb12-a": linux("9.66.7567.1"),
        "deb12-b": linux("9.66.7567.1", registered=False),
        "rhel8-a": linux("9.65.7411.1", token="RHEL8-64", dist=("RedHat", "8.10")),
        "deb11-new": linux(None, token="DEBIAN11-64", dist=("Debian", "11.11")),
        "sles11-old": linux(None, dist=("SLES", "11.2"), unsupported="SLES 11.2 is not supported"),
        "win2019": windows("9.66.0.0", reboot=True, drscout=drscout_slurp()),
        "win2022-new": windows(None, dist="Microsoft Windows Server 2022 Standard", dist_version="10.0.20348.0"),
        "gone-1": UNREACHABLE,
        "broken-<b>": FACTS_FAILED,
    }
