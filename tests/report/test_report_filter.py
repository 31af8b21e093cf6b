# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/filter/report.py: rows from what the collect step registered, counts, renderings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.asr.mobility.plugins.filter import report
from ansible_collections.asr.mobility.plugins.plugin_utils import windows_agent

import fleet

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rows():
    hv = fleet.fleet()
    return report.report_rows(hv, list(hv))


def by_host(rows):
    return {r["host"]: r for r in rows}


def test_rows_sorted_and_complete(rows):
    assert [r["host"] for r in rows] == sorted(fleet.fleet())
    for row in rows:
        assert set(row) == set(report.COLUMN_KEYS)


def test_linux_rows(rows):
    r = by_host(rows)
    assert r["deb12-a"]["status"] == "ok" and r["deb12-a"]["platform"] == "linux"
    assert (r["deb12-a"]["version"], r["deb12-a"]["control_plane"], r["deb12-a"]["registered"]) == \
        ("9.66.7567.1", "classic", True)
    assert r["deb12-b"]["registered"] is False
    assert r["deb11-new"]["installed"] is False and r["deb11-new"]["os_token"] == "DEBIAN11-64"
    assert r["sles11-old"]["supported"] is False and "not supported" in r["sles11-old"]["message"]
    assert r["deb12-a"]["services"] == "svagents=running, uarespawnd=active, vxagent=active"


def test_windows_rows_use_the_shared_state_parser(rows):
    r = by_host(rows)
    win = r["win2019"]
    assert win["platform"] == "windows" and win["os_token"] == "Windows" and win["supported"] is True
    assert (win["installed"], win["version"], win["registered"], win["reboot_required"]) == \
        (True, "9.66.0.0", True, None)  # Reboot_Required is no reboot signal (reference §2.2 [R2], issue 13)
    assert r["win2022-new"]["installed"] is False and r["win2022-new"]["os_token"] == "Windows"


def test_windows_rows_carry_the_control_plane_and_cs_from_drscout_conf(rows):
    """reference §2.5 [R2]: the control plane and the configuration server are in drscout.conf, read
    with the lifecycle's own parser (state.windows_state); the registry's CSType is never read."""
    hv = {"win2019": fleet.windows("9.66.0.0", drscout=fleet.drscout_slurp()),
          "win2019-modern": fleet.windows("9.66.0.0", drscout=fleet.drscout_slurp("CSPrime", "10.89.77.9")),
          "win2019-noconf": fleet.windows("9.66.0.0", drscout={"failed": True, "changed": False,
                                                               "msg": "Path %s is not found" % fleet.DRSCOUT})}
    r = by_host(report.report_rows(hv, list(hv)))
    assert (r["win2019"]["control_plane"], r["win2019"]["cs_address"]) == ("classic", "10.89.77.5")
    assert (r["win2019-modern"]["control_plane"], r["win2019-modern"]["cs_address"]) == ("modernized", "10.89.77.9")
    # drscout.conf unreadable: unknown, and the row says why (not a guess, not a failed row)
    noconf = r["win2019-noconf"]
    assert noconf["status"] == "ok" and noconf["control_plane"] is None and noconf["cs_address"] is None
    assert "drscout.conf" in noconf["message"] and "not found" in noconf["message"]


def test_drscout_path_of_a_windows_host():
    """Where the report slurps drscout.conf: under the registry's InstallDirectory (the lifecycle's rule)."""
    hv = fleet.windows("9.66.0.0")
    assert report.report_drscout_path(hv["mobility_report_registry"]) == fleet.DRSCOUT
    assert report.report_drscout_path(fleet.windows(None)["mobility_report_registry"]) == ""
    assert report.report_drscout_path(None) == ""


def test_unreachable_and_failed_hosts_are_rows_with_the_reason(rows):
    r = by_host(rows)
    assert r["gone-1"]["status"] == "unreachable" and "Failed to connect" in r["gone-1"]["message"]
    assert r["broken-<b>"]["status"] == "failed" and "interpreter" in r["broken-<b>"]["message"]


def test_host_never_read_is_reported_not_dropped():
    rows = report.report_rows({}, ["not-in-play"])
    assert rows[0]["status"] == "unreachable" and "not read" in rows[0]["message"]


def test_agent_info_failure_registered_with_failed_when_false():
    failure = {"failed": False, "failed_when_result": False, "msg": "MODULE FAILURE", "rc": 1}
    hv = {"h": dict(fleet.LINUX_FACTS, mobility_report_agent=failure)}
    row = report.report_rows(hv, ["h"])[0]
    assert row["status"] == "failed" and "MODULE FAILURE" in row["message"]


def test_counts(rows):
    c = report.report_counts(rows)
    assert (c["hosts"], c["read"], c["unreachable"], c["failed"], c["installed"]) == (9, 7, 1, 1, 4)
    assert c["by_version"] == [{"label": "9.66.7567.1", "count": 2}, {"label": "9.66.0.0", "count": 1},
                               {"label": "9.65.7411.1", "count": 1}, {"label": "not installed", "count": 3}]
    # the Windows host's plane is read from its drscout.conf (issue 13)
    assert {i["label"]: i["count"] for i in c["by_control_plane"]} == {"modernized": 0, "classic": 4}
    assert {i["label"]: i["count"] for i in c["registration"]} == \
        {"registered": 3, "not registered": 1, "not installed": 3}
    assert {i["label"]: i["count"] for i in c["reboot"]} == {"needed": 0, "not needed": 0, "unknown": 4}
    assert c["unsupported_os"] == 1 and c["unsupported_hosts"] == ["sles11-old"]


def test_os_family_rule():
    assert report.report_os_family({"asr_mobility_os_family": "Windows"}) == "windows"
    assert report.report_os_family({"ansible_facts": {"os_family": "Windows"}}) == "windows"
    assert report.report_os_family({"ansible_connection": "winrm"}) == "windows"
    assert report.report_os_family({"ansible_connection": "ssh"}) == "linux"
    assert report.report_os_family({"asr_mobility_os_family": "linux", "ansible_connection": "psrp"}) == "linux"


def test_csv(rows):
    text = report.report_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(report.COLUMN_KEYS)
    assert [p[0] for p in parsed[1:]] == [r["host"] for r in rows]
    assert len({len(p) for p in parsed}) == 1


def test_csv_cells_cannot_become_formulas():
    rows = [dict(dict((k, None) for k in report.COLUMN_KEYS), host="=cmd|'/c calc'!A1", message="-2+3",
                 version="9.66.7567.1", cs_address="@evil", os="+1", services="-1")]
    parsed = list(csv.reader(io.StringIO(report.report_csv(rows))))[1]
    cells = dict(zip(report.COLUMN_KEYS, parsed))
    assert cells["host"].startswith("'=") and cells["cs_address"].startswith("'@") and cells["os"] == "'+1"
    assert cells["message"] == "'-2+3" and cells["services"] == "-1" and cells["version"] == "9.66.7567.1"


def test_json(rows):
    doc = json.loads(report.report_json(rows, "2026-01-01T00:00:00Z", "t"))
    assert doc["generated"] == "2026-01-01T00:00:00Z" and doc["counts"]["hosts"] == 9
    assert [h["host"] for h in doc["hosts"]] == [r["host"] for r in rows]


def test_html_is_self_contained_and_escaped(rows):
    page = report.report_html(rows, "2026-01-01T00:00:00Z")
    assert "broken-&lt;b&gt;" in page and "broken-<b>" not in page
    assert "&lt;timeout&gt; &amp; &#x27;refused&#x27;" in page
    # Nothing is fetched: no src/href, no URL but the SVG namespace.
    assert " src=" not in page and " href=" not in page and "@import" not in page
    assert page.replace("http://www.w3.org/2000/svg", "").count("http") == 0
    assert report.report_html(rows, "x") == report.report_html(rows, "x")


def test_file_names():
    assert report.report_file_names("r") == {"html": "r.html", "csv": "r.csv", "json": "r.json"}
    for bad in ("", "a/b", ".hidden"):
        with pytest.raises(AnsibleFilterError):
            report.report_file_names(bad)


def test_role_registry_keys_match_the_windows_backend():
    keys = yaml.safe_load((REPO / "roles/mobility_report/vars/main.yml").read_text())["mobility_report_registry_keys"]
    assert keys == list(windows_agent.UNINSTALL_KEYS) + [windows_agent.PRODUCT_KEY]
