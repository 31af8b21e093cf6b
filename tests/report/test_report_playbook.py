# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/mobility_report.yml without the lab: this machine (local), an unreachable host, a host
whose Python is missing, two "Windows" hosts (stand-in ansible.windows, see standin/) and a host
left out by --limit. Run in check mode: the report is still written, no host is changed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import REPO, STANDIN, ReportDOM, dump_dom
import fleet

PY = sys.executable


def standin(tmp: Path, name: str, data: dict) -> str:
    """An interpreter for one stand-in Windows host: python with ASR_WINDOWS_STANDIN=<its data>."""
    path = tmp / ("%s.json" % name)
    path.write_text(json.dumps(data))
    wrapper = tmp / ("python-%s" % name)
    wrapper.write_text('#!/bin/sh\nASR_WINDOWS_STANDIN=%s exec %s "$@"\n' % (path, PY))
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report-playbook")
    win_a = {"facts": {"distribution": "Microsoft Windows Server 2019 Datacenter",
                       "distribution_version": "10.0.17763.0"},
             "registry": {fleet.UNINSTALL: {"DisplayVersion": "9.66.7567.1"},
                          fleet.PRODUCT: {"Version": "9.66.0.0", "Build_Number": "7567",
                                          "PostInstallActions": "Succeeded", "AgentConfigurationStatus": "Succeeded",
                                          "Reboot_Required": "1", "CSType": "CSPrime",
                                          "InstallDirectory": fleet.INSTALL_DIR}},
             # drscout.conf, where the control plane and the CS really are (reference §2.5 [R2])
             "files": {fleet.DRSCOUT: "[vxagent]\r\nVmPlatform=VmWare\r\n\r\n[vxagent.transport]\r\n"
                                      "Hostname=10.89.77.5\r\nPort=443\r\n"}}
    win_b = {"facts": {"distribution": "Microsoft Windows Server 2022 Standard",
                       "distribution_version": "10.0.20348.0"}, "registry": {}}
    windows = {"ansible_connection": "local", "ansible_facts_modules": ["ansible.windows.setup"]}
    inventory = {"all": {"children": {"asr_mobility": {"hosts": {
        "local-linux": {"ansible_connection": "local", "ansible_python_interpreter": PY},
        "gone": {"ansible_host": "127.0.0.1", "ansible_port": 1, "ansible_connection": "ssh",
                 "ansible_ssh_common_args": "-o ConnectTimeout=5"},
        "no-python": {"ansible_connection": "local", "ansible_python_interpreter": "/nonexistent/python3"},
        "win-a": dict(windows, ansible_python_interpreter=standin(tmp, "win-a", win_a)),
        "win-b": dict(windows, ansible_python_interpreter=standin(tmp, "win-b", win_b)),
        "left-out": {"ansible_connection": "local", "ansible_python_interpreter": PY},
    }}}}}
    (tmp / "inventory.yml").write_text(yaml.safe_dump(inventory))
    out = tmp / "out"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH="%s:%s" % (STANDIN, REPO / "build" / "collections"),
               ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="true",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-local"), ANSIBLE_DEPRECATION_WARNINGS="false",
               ANSIBLE_PIPELINING="true")
    cmd = [str(Path(PY).parent / "ansible-playbook"), "-i", str(tmp / "inventory.yml"), "--limit", "all:!left-out",
           "--check", str(REPO / "playbooks" / "mobility_report.yml"), "-e", "mobility_report_dir=%s" % out]
    proc = subprocess.run(cmd, env=env, cwd=str(tmp), text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=600, check=False)
    return proc, out


def test_playbook_succeeds_whatever_the_hosts_do(run):
    proc = run[0]
    assert proc.returncode == 0, proc.stdout[-4000:]
    recap = proc.stdout[proc.stdout.rindex("PLAY RECAP"):]
    for line in recap.splitlines()[1:]:
        if ":" in line:
            assert "failed=0" in line, line
    # The only changes are the report's files, written once on the controller.
    changed = [line for line in proc.stdout.splitlines() if line.startswith("changed: [")]
    assert changed and all("-> localhost]" in line for line in changed), changed


def test_json_rows(run):
    out = run[1]
    doc = json.loads((out / "asr-mobility-report.json").read_text())
    rows = {h["host"]: h for h in doc["hosts"]}
    assert sorted(rows) == ["gone", "local-linux", "no-python", "win-a", "win-b"]   # --limit honoured
    assert rows["gone"]["status"] == "unreachable"
    assert rows["no-python"]["status"] == "failed" and "interpreter" in rows["no-python"]["message"]
    assert rows["local-linux"]["status"] == "ok" and rows["local-linux"]["platform"] == "linux"
    a, b = rows["win-a"], rows["win-b"]
    # No CSType in drscout.conf: CSLegacy (SetupHelper.cs:3429-3479); the registry's CSType is not read.
    assert (a["platform"], a["os_token"], a["installed"], a["version"], a["registered"], a["reboot_required"],
            a["control_plane"], a["cs_address"]) == ("windows", "Windows", True, "9.66.7567.0", True, None,
                                                     "classic", "10.89.77.5")
    assert (b["platform"], b["os"], b["installed"]) == ("windows", "Microsoft Windows Server 2022 Standard", False)
    assert doc["counts"]["hosts"] == 5 and doc["counts"]["unreachable"] == 1 and doc["counts"]["failed"] == 1


def test_csv_matches_json(run):
    out = run[1]
    doc = json.loads((out / "asr-mobility-report.json").read_text())
    with open(out / "asr-mobility-report.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["host"] for r in rows] == [h["host"] for h in doc["hosts"]]
    assert {r["host"]: r["version"] for r in rows}["win-a"] == "9.66.7567.0"


def test_page_in_chromium(run):
    out = run[1]
    dom = ReportDOM(dump_dom(out / "asr-mobility-report.html", "sort=platform:desc"))
    assert dom.body.get("data-sorted-by") == "platform:desc"
    assert dom.hosts[:2] == ["win-a", "win-b"]
    assert set(dom.hosts) == {"gone", "local-linux", "no-python", "win-a", "win-b"}
    assert dom.cards["hosts"] == 5 and dom.cards["reboot_needed"] == 0 and dom.cards["unreachable"] == 1
